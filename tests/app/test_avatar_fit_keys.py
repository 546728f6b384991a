"""The avatar fit in the studio window with real key events: its progress shows in the status bar,
Esc cancels it (no avatar arrives, the status bar says so), and Edit → Mirror left and right on a
fitted avatar mirrors it at once instead of fitting again."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6 import QtCore

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    """A window with its own settings and an in-thread runner, counting the fits it asks for."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    bridge = RunnerBridge(Runner(isolation="thread"))
    fits: list[int] = []
    asked = bridge.avatar
    monkeypatch.setattr(bridge, "avatar", lambda token, *a: (fits.append(token), asked(token, *a)))
    win = StudioWindow(bridge=bridge, auto_generate=False)
    win.fits = fits
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    assert win.wait_painted()
    yield win
    win.clock.pause()
    win.close()


def _word(frames: int | None = None):  # type: ignore[no-untyped-def]
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    word = next(w for w in corpus.words("ase", "test") if w.text == "making")
    seq = corpus.word_sequence("ase", word, "holistic")
    if frames is not None:
        seq = seq.replace(
            data=seq.data[:frames], confidence=seq.confidence[:frames], filled=seq.filled[:frames]
        )
    return seq


def test_esc_cancels_a_running_fit_and_its_progress_shows(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    arrived: list[object] = []
    studio.avatar_ready.connect(arrived.append)
    messages: list[str] = []
    studio.statusBar().messageChanged.connect(messages.append)
    studio.set_pair(_word(), None)
    studio.actions_by_name["avatar"].trigger()
    qtbot.waitUntil(lambda: any("% (Esc cancels)" in m for m in messages), timeout=120000)
    studio.viewport.view.setFocus()
    qtbot.keyClick(studio.viewport.view, QtCore.Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "Avatar fit cancelled" in studio.statusBar().currentMessage(), timeout=5000)
    qtbot.wait(1500)  # a cancelled fit stops within an IK step and answers nothing
    assert arrived == [] and studio.viewport.avatar_of(studio.state.sequence) is None
    assert not studio.bridge.runner.cancel_avatar()  # nothing is still running


def test_mirror_mirrors_the_fitted_avatar_without_a_second_fit(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    arrived: list[object] = []
    studio.avatar_ready.connect(arrived.append)
    seq = _word(30)
    studio.set_pair(seq, None)
    studio.actions_by_name["avatar"].trigger()
    qtbot.waitUntil(lambda: len(arrived) == 1, timeout=120000)
    assert len(studio.fits) == 1
    before = studio.viewport.avatar_of(seq)
    studio.actions_by_name["mirror_left_and_right"].trigger()
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=5000)  # at once: no fit
    assert len(studio.fits) == 1
    mirrored = studio.state.sequence
    assert mirrored is not seq and mirrored.meta.get("mirrored")
    after = studio.viewport.avatar_of(mirrored)
    assert after is not None
    np.testing.assert_array_equal(after.vertices[..., 1:], before.vertices[..., 1:])
    assert not np.allclose(after.vertices[..., 0], before.vertices[..., 0])
