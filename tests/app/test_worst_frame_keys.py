"""Next / Previous worst frame with real key presses, on a recording opened with a reference; the
captions of opened files; a screenshot at 1366×768."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    """A window with its own settings file and an in-thread runner, at a laptop's 1366×768."""
    return open_studio(size=(1366, 768), own_data=False)


def _peaks(v: np.ndarray) -> list[int]:
    """Local maxima above the median, frame by frame (real curves have no flat tops)."""
    w = np.where(np.isfinite(v), v, -np.inf)
    med = np.median(v[np.isfinite(v)])
    pad = np.r_[-np.inf, w, -np.inf]
    return [i for i in range(len(w)) if w[i] > med and w[i] > pad[i] and w[i] > pad[i + 2]]


def _press(qtbot, win, shift: bool = False) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    mod = QtCore.Qt.KeyboardModifier.ShiftModifier if shift else QtCore.Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(win, QtCore.Qt.Key.Key_N, mod)


def test_keys_jump_to_the_worst_frames_of_an_opened_recording(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from signstudio.corpus.store import open_corpus
    from signstudio.pose.formats import write
    from signstudio.session.worst_frames import NEEDS_REFERENCE

    corpus = open_corpus(quiet=True)
    a, b = corpus.words("ase", "test")[:2]
    recording, reference = tmp_path / "recording.pose", tmp_path / "reference.h5"
    write(recording, corpus.word_sequence("ase", b.text, "upper50"))
    write(reference, corpus.word_sequence("ase", a.text, "upper50"))
    nxt, prev = studio.actions_by_name["next_worst_frame"], studio.actions_by_name["previous_worst_frame"]

    assert studio.open_file(recording)
    studio.viewport.view.setFocus()  # in the text box, N would be typed
    # an opened recording alone: nothing to compare with, the keys do nothing and say why
    assert not nxt.isEnabled() and not prev.isEnabled() and nxt.statusTip() == NEEDS_REFERENCE
    studio.clock.frame = 0
    _press(qtbot, studio)
    assert studio.clock.frame == 0
    title = studio.viewport.title.text()
    # the .pose keeps what it is (its sidecar): a lexicon join, never "generated", named by its file
    assert "GENERATED" not in title and "LEXICON JOIN" in title and "recording.pose" in title

    with qtbot.waitSignal(studio.scores_ready, timeout=60000) as blocker:
        assert studio.open_file(reference, as_reference=True)
    scores = blocker.args[0]
    assert nxt.isEnabled() and prev.isEnabled()
    curve = studio.timeline.strip.curves["DTW cost"].values  # the timeline's DTW row
    assert np.array_equal(curve, scores.dtw_curve)
    peaks = _peaks(np.asarray(curve, float))
    worst = int(np.nanargmax(curve))
    assert worst in peaks

    _press(qtbot, studio)  # from frame 0: the first peak above the median
    assert studio.clock.frame == (peaks[0] if peaks[0] > 0 else peaks[1])
    studio.clock.frame = worst - 1 if worst > 0 else 0
    _press(qtbot, studio)
    assert studio.clock.frame == (worst if worst > 0 else peaks[1])  # lands on the worst frame
    assert studio.statusBar().currentMessage().startswith(f"Worst frame {studio.clock.frame} (")
    studio.clock.frame = studio.clock.num_frames - 1
    _press(qtbot, studio, shift=True)  # previous, from the end: the last peak
    expected_last = peaks[-1] if peaks[-1] < studio.clock.num_frames - 1 else peaks[-2]
    assert studio.clock.frame == expected_last

    # with the heat map on, the peaks are those of its per-frame error
    studio.heat_action.trigger()
    heat = np.nanmean(scores.joint_errors, axis=1)
    studio.clock.frame = 0
    _press(qtbot, studio)
    assert studio.clock.frame == next(p for p in _peaks(heat) if p > 0)
    studio.heat_action.trigger()

    # captions: each says what its file says (the .pose's sidecar, the .h5's meta)
    title, ref_title = studio.viewport.title.text(), studio.viewport.title_b.text()
    assert "GENERATED" not in title and "LEXICON JOIN" in title
    assert "REFERENCE · LEXICON JOIN" in ref_title and a.text in ref_title
    studio.clock.frame = len(curve) // 2
    _press(qtbot, studio, shift=True)  # the shot: the clock on a worst frame, the status line on it
    landed = studio.clock.frame
    assert landed in peaks and landed < len(curve) // 2
    assert studio.statusBar().currentMessage().startswith(f"Worst frame {landed} (")
    shot = studio.save_screenshot(tmp_path / "worst_frame_1366x768.png")
    assert Path(shot).stat().st_size > 10000 and studio.width() == 1366
