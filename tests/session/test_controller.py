"""The studio's controller without Qt: generate → apply → score with the real runner and the
`lookup` model on the CPU, stale answers dropped, files opened and saved."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.runner.service import GenerateRequest, GenerateResponse, Runner
from signstudio.session.controller import MemoryPrefs, StudioController
from signstudio.session.studio import StudioState

TIMEOUT = 120.0


class QueuedRunner:
    """The real `Runner` behind the controller's `RunnerPort`: answers arrive on the runner's
    thread and wait in a queue until `deliver` hands them to the controller on this thread (what
    the app's RunnerBridge does with Qt signals)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()

    def submit(self, request: GenerateRequest) -> int:
        return self.runner.submit(request, None, lambda r: self.inbox.put(("generated", r)))

    def score(
        self,
        token: int,
        sequence: PoseSequence,
        reference: PoseSequence | None,
        text: str | None,
        lang: str | None,
    ) -> None:
        self.runner.score(sequence, reference, text, lang).add_done_callback(self._back("scored", token))

    def avatar(
        self,
        token: int,
        sequence: PoseSequence,
        body: str = "mannequin",
        folder: str | None = None,
        shape: tuple[float, ...] | None = None,
    ) -> None:
        self.runner.avatar(sequence, body, folder, shape).add_done_callback(self._back("avatar", token))

    def _back(self, kind: str, token: int) -> Any:
        def done(future: Future) -> None:
            try:
                value = future.result()
            except Exception as exc:
                value = str(exc)
            self.inbox.put((kind, (token, value)))

        return done

    def cancel(self) -> bool:
        return self.runner.cancel()

    def cancel_avatar(self, token: int | None = None) -> bool:
        return False  # the fits finish; the controller drops answers it no longer wants

    def is_current(self, response: GenerateResponse) -> bool:
        return not response.stale and self.runner.is_current(response.request_id)

    def deliver(self, controller: StudioController, until: Any, timeout: float = TIMEOUT) -> None:
        """Hand answers to ``controller`` until ``until()`` holds."""
        deadline = time.monotonic() + timeout
        while not until():
            kind, value = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            if kind == "generated":
                controller.finish_generation(value)
            elif kind == "scored":
                controller.receive_scores(*value)
            else:
                controller.receive_avatar(*value)


@pytest.fixture(scope="module")
def port() -> Iterator[QueuedRunner]:
    runner = Runner(isolation="thread")
    yield QueuedRunner(runner)
    runner.shutdown()


@pytest.fixture
def controller(port: QueuedRunner) -> StudioController:
    return StudioController(StudioState(), port, MemoryPrefs())


def record(controller: StudioController) -> dict[str, list[Any]]:
    seen: dict[str, list[Any]] = {"finished": [], "pairs": [], "scores": []}
    controller.generation_finished.connect(seen["finished"].append)
    controller.pair_changed.connect(seen["pairs"].append)
    controller.scores_changed.connect(seen["scores"].append)
    return seen


def test_generate_apply_and_score(controller: StudioController, port: QueuedRunner) -> None:
    seen = record(controller)
    rid = controller.generate("hi", "ase", "lookup")
    assert controller.pending == rid and controller.state.text == "hi"
    port.deliver(controller, lambda: bool(seen["finished"]))
    response = seen["finished"][0]
    assert response.ok, response.error
    assert controller.pending is None
    assert controller.state.sequence is response.sequence
    assert controller.state.reference is response.reference
    assert controller.scores is response.scores  # scored with the generation: no second round
    assert seen["pairs"] == [response.scores is None]
    # an edit drops the scores; the runner scores the edited pair again
    edited = response.sequence.replace(data=response.sequence.data[::-1].copy())
    controller.edit(edited, final=True)
    assert controller.scores is None and controller.state.sequence is edited
    port.deliver(controller, lambda: controller.scores is not None)
    assert isinstance(seen["scores"][-1], PairScores)
    assert controller.scores is not None and controller.scores.n_gen == edited.num_frames


def test_a_stale_answer_is_dropped(controller: StudioController, port: QueuedRunner) -> None:
    seen = record(controller)
    first = controller.generate("a", "ase", "lookup")
    second = controller.generate("b", "ase", "lookup")
    answers: list[GenerateResponse] = []
    while len(answers) < 2:
        kind, value = port.inbox.get(timeout=TIMEOUT)
        if kind == "generated":
            answers.append(value)
    old = next(r for r in answers if r.request_id == first)
    new = next(r for r in answers if r.request_id == second)
    assert controller.finish_generation(new) and new.ok
    assert not controller.finish_generation(old)
    assert controller.state.sequence is new.sequence
    assert [r.request_id for r in seen["finished"]] == [second]
    # scores of a pair that was replaced meanwhile are dropped too
    token = controller.pair_token
    controller.show_pair(new.reference, None)
    assert not controller.receive_scores(token, "old pair")


def test_open_and_save_round_trip(
    controller: StudioController, real_holistic: PoseSequence, tmp_path: Path
) -> None:
    from signstudio.pose.formats import read_one

    seen = record(controller)
    source = controller.save(real_holistic, tmp_path / "h.pose")
    seq = controller.open_file(source)
    # a recording saved as .pose keeps its kind (the sidecar): it reopens as the recorded clip it is
    assert controller.state.sequence is seq and seq.meta["reference_kind"] == "recorded clip"
    assert controller.state.recent_files == [str(source.resolve())]
    assert seen["pairs"] == [True]  # an opened file is scored by the runner
    ref = controller.open_file(source, as_reference=True)
    assert controller.state.reference is ref and seen["pairs"] == [True, True]
    again = read_one(controller.save(seq, tmp_path / "h.npz"))
    assert again.num_frames == seq.num_frames and again.num_joints == seq.num_joints
    skels = read_one(controller.save(seq, tmp_path / "h.skels", "pt-skels"), format="pt-skels")
    assert skels.num_frames == seq.num_frames and skels.layout == "upper50"  # the convention kept
    with pytest.raises(ValueError):  # FormatError is a ValueError: one line, nothing changes
        controller.open_file(tmp_path / "missing.pose")
    assert controller.state.sequence is seq


def test_body_choices_are_remembered_and_checked(controller: StudioController, tmp_path: Path) -> None:
    changes: list[None] = []
    controller.body_changed.connect(lambda: changes.append(None))
    controller.set_body_shape([9.0, -9.0, 0.5])
    assert controller.body_shape() == (3.0, -3.0, 0.5) + (0.0,) * 7
    with pytest.raises(ValueError, match="SMPLX_NEUTRAL"):
        controller.set_body_model("smplx", str(tmp_path))
    assert controller.body_model() == ("mannequin", None)
    controller.set_body_model("mannequin")
    assert controller.body_mode == "both" and changes  # choosing a body shows it
    with pytest.raises(ValueError):
        controller.set_body_mode("cloud")


def test_no_motion_to_export_without_a_fitted_avatar(
    controller: StudioController, real_holistic: PoseSequence, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="no avatar fitted yet"):
        controller.export_motion(tmp_path / "m.npz")
    controller.show_pair(real_holistic, None)  # skeleton mode: no avatar is fitted
    with pytest.raises(ValueError, match="no avatar fitted yet"):
        controller.export_motion(tmp_path / "m.npz")
