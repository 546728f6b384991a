"""The studio's evented state: the generated/reference pair, display and timing modes, recents."""

from pathlib import Path

import numpy as np
import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout
from signstudio.runner.service import GenerateRequest, GenerateResponse
from signstudio.session.studio import StudioState


def seq(frames: int, fps: float = 25.0) -> PoseSequence:
    return PoseSequence(np.zeros((frames, 50, 3)), np.ones((frames, 50)), fps, get_layout("upper50"))


class Log:
    def __init__(self, state: StudioState) -> None:
        self.events: list[tuple] = []
        for name in (
            "sequence_changed", "reference_changed", "reference_display_changed",
            "reference_timing_changed", "warp_path_changed", "language_changed", "model_changed",
            "text_changed", "prompt_mode_changed", "recent_files_changed",
        ):  # fmt: skip
            getattr(state, name).connect(lambda *a, name=name: self.events.append((name, *a)))

    def names(self) -> list[str]:
        out = [e[0] for e in self.events]
        self.events.clear()
        return out


def test_each_change_is_an_event_once():
    state = StudioState()
    log = Log(state)
    state.language = "gsg"
    state.language = "gsg"
    state.model_id = "other"
    state.text = "hello"
    state.prompt_mode = True
    state.prompt_mode = True
    state.reference_display = "ghost"
    state.reference_timing = "warped"
    state.reference_timing = "warped"
    assert log.names() == [
        "language_changed", "model_changed", "text_changed", "prompt_mode_changed",
        "reference_display_changed", "reference_timing_changed",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        state.reference_display = "overlay"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        state.reference_timing = "dtw"  # type: ignore[assignment]


def test_pair_and_reference_frames():
    state = StudioState()
    log = Log(state)
    with pytest.raises(ValueError, match="no generated"):
        state.reference_frame_for(0)
    gen, ref = seq(50, fps=25), seq(30, fps=25)
    state.set_result(gen, ref)
    assert log.names() == ["sequence_changed", "reference_changed"]
    state.set_result(gen, ref)
    assert log.names() == []
    # own clock: same wall time, held on the reference's last frame
    assert [state.reference_frame_for(i) for i in (0, 10, 29, 40, 49)] == [0, 10, 29, 29, 29]
    assert state.reference_frame_for(-5) == 0 and state.reference_frame_for(500) == 29
    state.reference_timing = "warped"
    assert state.reference_frame_for(0) == 0 and state.reference_frame_for(49) == 29
    assert state.reference_frame_for(25) == 15
    # a pluggable alignment (DTW's, later) replaces the linear warp
    path = np.stack([np.arange(50), np.minimum(np.arange(50) // 2, 29)], axis=1)
    state.warp_path = path
    assert log.names() == ["reference_timing_changed", "warp_path_changed"]
    assert state.reference_frame_for(20) == 10 and state.frame_table().shape == (50,)
    state.reference_timing = "own-clock"  # the path only applies to warped timing
    assert state.reference_frame_for(20) == 20
    state.reference_timing = "warped"
    # a new pair drops the old pair's path
    state.reference = seq(60, fps=30)
    assert state.warp_path is None
    assert log.names() == ["reference_timing_changed", "reference_timing_changed", "warp_path_changed",
                           "reference_changed"]  # fmt: skip
    assert state.reference_frame_for(49) == 59
    with pytest.raises(ValueError, match="out of range"):
        state.warp_path = np.array([[0, 0], [49, 99]])


def test_own_clock_across_frame_rates():
    state = StudioState()
    state.set_result(seq(60, fps=30), seq(100, fps=25))
    assert state.reference_frame_for(30) == 25  # 1 s in


def test_responses_stale_failed_or_cancelled_are_dropped():
    state = StudioState()
    req = GenerateRequest("hi", "ase")
    good = GenerateResponse(2, req, sequence=seq(10), reference=seq(12), text="hi", lang="ase")
    assert not state.apply_response(GenerateResponse(1, req, sequence=seq(5), stale=True))
    assert not state.apply_response(GenerateResponse(1, req, error="boom"))
    assert not state.apply_response(GenerateResponse(1, req, cancelled=True))
    assert not state.apply_response(good, latest_id=3)  # a newer request exists
    assert state.sequence is None
    assert state.apply_response(good, latest_id=2)
    assert state.sequence is good.sequence and state.reference is good.reference


def test_recent_files(tmp_path):
    state = StudioState()
    log = Log(state)
    paths = [tmp_path / f"{i}.pose" for i in range(12)]
    for p in paths:
        state.add_recent_file(p)
    assert len(state.recent_files) == 10
    assert state.recent_files[0] == str(paths[-1]) and state.recent_files[-1] == str(paths[2])
    state.add_recent_file(tmp_path / "sub" / ".." / "5.pose")  # the same file, written otherwise
    assert state.recent_files[0] == str(paths[5]) and len(state.recent_files) == 10
    assert state.recent_files.count(str(paths[5])) == 1
    log.names()
    state.add_recent_file(paths[5])
    assert log.names() == []  # already first
    state.remove_recent_file(paths[5])
    assert str(paths[5]) not in state.recent_files
    state.set_recent_files(["a.pose", Path("a.pose"), "b.pose"])
    assert state.recent_files == [str(Path("a.pose").absolute()), str(Path("b.pose").absolute())]
    recents = state.recent_files
    recents.clear()  # a copy
    assert len(state.recent_files) == 2
    state.clear_recent_files()
    assert state.recent_files == [] and log.names()[-1] == "recent_files_changed"


def test_events_carry_the_new_values_and_see_the_whole_change():
    state = StudioState(language="gsg", model_id="m", max_recent=2)
    assert (state.language, state.model_id) == ("gsg", "m")
    log = Log(state)
    state.prompt_mode = 1  # type: ignore[assignment]
    state.model_id = "n"
    assert log.events == [("prompt_mode_changed", True), ("model_changed", "n")]
    assert state.prompt_mode is True
    log.events.clear()
    gen, ref = seq(20), seq(10)
    with pytest.raises(ValueError, match="needs both"):
        state.warp_path = np.zeros((1, 2), np.int64)
    # a subscriber of the first event of a new pair already sees the whole pair
    seen = []
    state.sequence_changed.connect(lambda _s: seen.append((state.sequence, state.reference)))
    state.set_result(gen, ref)
    assert seen == [(gen, ref)]
    path = np.stack([np.arange(20), np.arange(20) // 2], axis=1)
    state.warp_path = path
    state.warp_path = path.copy()  # the same path: no event
    assert state.warp_path is not None and not state.warp_path.flags.writeable
    log.events.clear()
    state.sequence = seq(20)  # one side replaced: the path goes first, then the pair's events
    assert [e[0] for e in log.events] == ["warp_path_changed", "sequence_changed"]
    assert log.events[0][1] is None and state.warp_path is None
    log.events.clear()
    state.set_result(state.sequence, state.reference)  # the same objects: nothing
    assert log.events == []


def test_recent_files_events_hand_out_copies():
    state = StudioState(max_recent=2)
    got: list[list[str]] = []
    state.recent_files_changed.connect(got.append)
    state.set_recent_files(["a", "b", "c"])
    assert got == [state.recent_files] and len(got[0]) == 2
    got[0].clear()  # the subscriber's own list
    assert len(state.recent_files) == 2
    state.set_recent_files(["a", "b", "d"])  # trimmed to the same list: no event
    assert len(got) == 1
    assert "StudioState(sequence none, reference none, side-by-side, own-clock" in repr(state)
