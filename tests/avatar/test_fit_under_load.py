"""The avatar fit on a shared CPU: torch's threads sized to the free cores, progress, a cancel that
returns within an IK step (in this process, and in the fit's own child process the studio uses),
and a mirrored sequence that reuses its fit (no second fit: calls counted)."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.avatar.build import build_avatar, mirrored_motion  # noqa: E402
from signstudio.avatar.ik import FitCancelled  # noqa: E402
from signstudio.avatar.threads import busy_cpus, fit_threads, torch_threads  # noqa: E402
from signstudio.modeling.base import Cancelled  # noqa: E402
from signstudio.pose import transforms  # noqa: E402
from signstudio.pose.sequence import PoseSequence  # noqa: E402

CANCEL_S = 1.5  # a cancel answers within one IK step (tens of ms); generous for a loaded CI box


@pytest.fixture(scope="module")
def word() -> PoseSequence:
    """A real 5.5 s ASL word (138 frames of ``making``), holistic as the studio shows it."""
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    found = [w for w in corpus.words("ase", "test") if w.text == "making"]
    return corpus.word_sequence("ase", found[0], "holistic")


@pytest.mark.parametrize(
    ("cpus", "busy", "threads"),
    [
        (2, 0.0, 1),  # one core for the window, one for the fit
        (2, 2.0, 1),  # busy: never fewer than one
        (1, 0.0, 1),
        (4, 0.0, 3),
        (4, 1.0, 2),
        (4, 1.2, 1),  # a part of a core in use counts as a core
        (16, 0.0, 4),  # capped: IK's steps are too small for more
        (16, 13.0, 2),
        (8, 30.0, 1),  # a host's load in a container
    ],
)
def test_threads_are_the_free_cores_less_one_capped(cpus: int, busy: float, threads: int) -> None:
    assert fit_threads(cpus, busy) == threads


def test_busy_cores_come_from_the_load_or_the_runnable_tasks() -> None:
    # the 1-minute load lags a job that just started: the runnable count (less the reader) wins
    assert busy_cpus("0.10 0.20 0.30 3/512 4242\n") == 2.0
    assert busy_cpus("2.50 1.00 0.50 1/300 17\n") == 2.5
    assert busy_cpus("garbage") == 0.0
    assert busy_cpus("") == 0.0


def test_torch_threads_are_set_and_restored() -> None:
    before = torch.get_num_threads()
    with torch_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_a_fit_reports_progress_and_cancels_within_a_step(word: PoseSequence) -> None:
    stop = threading.Event()
    seen: list[float] = []

    def progress(fraction: float, _message: str) -> None:
        seen.append(fraction)
        if fraction >= 0.3:  # a third of the way through: nobody wants it any more
            stop.set()
            seen.append(time.perf_counter())

    with pytest.raises(FitCancelled):
        build_avatar(word, "mannequin", "cpu", progress=progress, stop=stop.is_set, threads=1)
    stopped_at = seen[-1]
    assert time.perf_counter() - stopped_at < CANCEL_S
    fractions = seen[:-1]
    assert fractions == sorted(fractions) and 0.3 <= fractions[-1] < 0.9  # never reached posing


@pytest.mark.parametrize("isolation", ["thread", "process"])
def test_the_runner_cancels_a_running_fit_promptly(word: PoseSequence, isolation: str) -> None:
    from signstudio.runner.service import Runner

    runner = Runner(isolation=isolation)  # type: ignore[arg-type]
    try:
        started = threading.Event()
        future = runner.avatar(word, "mannequin", progress=lambda f, _m: f > 0.05 and started.set())
        assert started.wait(120), "the fit never reported progress"
        t0 = time.perf_counter()
        assert runner.cancel_avatar(future)
        with pytest.raises(Cancelled):
            future.result(timeout=30)
        assert time.perf_counter() - t0 < CANCEL_S
        # the fitter is free again: the next fit is not held up by the cancelled one
        short = word.replace(data=word.data[:10], confidence=word.confidence[:10], filled=word.filled[:10])
        assert runner.avatar(short, "mannequin").result(timeout=120).num_frames == 10
    finally:
        runner.shutdown()


class CountingPort:
    """The real `Runner` behind the controller's `RunnerPort`, counting the fits asked for; answers
    are handed to the controller by `deliver` on this thread."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.fits = 0
        self.answers: list[tuple[int, Any]] = []

    def submit(self, request: Any) -> int:
        raise AssertionError("nothing is generated here")

    def score(self, *args: Any) -> None:
        pass

    def avatar(self, token: int, sequence: PoseSequence, *args: Any) -> None:
        self.fits += 1
        future = self.runner.avatar(sequence, *args)
        future.add_done_callback(lambda f: self.answers.append((token, f.result())))

    def cancel(self) -> bool:
        return False

    def cancel_avatar(self, token: int | None = None) -> bool:
        return False

    def is_current(self, response: Any) -> bool:
        return True

    def deliver(self, controller: Any, count: int) -> None:
        deadline = time.monotonic() + 180
        while len(self.answers) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        for answer in self.answers:
            controller.receive_avatar(*answer)
        self.answers.clear()


def test_a_mirror_reuses_the_fit(word: PoseSequence) -> None:
    from signstudio.runner.service import Runner
    from signstudio.session.controller import MemoryPrefs, StudioController
    from signstudio.session.document import PoseDocument
    from signstudio.session.studio import StudioState

    seq = word.replace(data=word.data[:40], confidence=word.confidence[:40], filled=word.filled[:40])
    runner = Runner(isolation="thread")
    try:
        port = CountingPort(runner)
        controller = StudioController(StudioState(), port, MemoryPrefs())  # type: ignore[arg-type]
        controller.set_body_mode("avatar")
        controller.show_pair(seq, None, scores=None)
        assert port.fits == 1
        port.deliver(controller, 1)
        fitted = controller.avatar_of(seq)
        assert fitted is not None
        doc = PoseDocument(seq)
        doc.mirror(0, doc.num_frames)  # Edit → Mirror left and right, the whole sequence
        mirrored_seq = doc.sequence
        controller.edit(mirrored_seq, final=True)
        assert port.fits == 1, "the mirror was fitted again"
        mesh = controller.avatar_of(mirrored_seq)
        assert mesh is not None and mesh.num_frames == seq.num_frames
        centre = float(transforms.normalisation_of(seq)[0][0])
        np.testing.assert_allclose(mesh.vertices[..., 0], 2 * centre - fitted.vertices[..., 0], rtol=1e-5)
        np.testing.assert_array_equal(mesh.vertices[..., 1:], fitted.vertices[..., 1:])
        assert (mesh.faces == fitted.faces[:, ::-1]).all()  # still facing outwards
        # the motion is mirrored too (left and right exchanged): exporting it stays possible
        np.testing.assert_array_equal(mesh.motion.poses, mirrored_motion(fitted.motion).poses)
        # half the sequence mirrored is another pose: that one is fitted
        doc.mirror(0, 10)
        controller.edit(doc.sequence, final=True)
        assert port.fits == 2
    finally:
        runner.shutdown()


def test_mirrored_motion_twice_is_the_motion(word: PoseSequence) -> None:
    seq = word.replace(data=word.data[:8], confidence=word.confidence[:8], filled=word.filled[:8])
    motion = build_avatar(seq, "mannequin", "cpu", threads=1).motion
    back = mirrored_motion(mirrored_motion(motion))
    np.testing.assert_array_equal(back.poses, motion.poses)
    np.testing.assert_array_equal(back.trans, motion.trans)
    once = mirrored_motion(motion).poses.reshape(len(motion.poses), 55, 3)
    # the left wrist (joint 20) is the right wrist (21) reflected: (x, y, z) -> (x, -y, -z)
    right = motion.poses.reshape(len(motion.poses), 55, 3)[:, 21]
    np.testing.assert_array_equal(once[:, 20], right * np.array([1, -1, -1]))
