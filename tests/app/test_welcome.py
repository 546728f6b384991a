"""The first-run welcome overlay: shown once, marks the five places to start, never again once
dismissed (Help → Welcome tour brings it back)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_welcome_marks_five_places_and_is_shown_once(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    from signstudio.app.dialogs.welcome import show_welcome
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    overlay = show_welcome(win)
    assert overlay is not None and overlay.isVisible()
    assert overlay.geometry() == win.rect()
    rects = overlay.spot_rects()
    assert len(rects) == 5 and all(not r.isEmpty() for r in rects)
    # each mark sits on its widget: the text box's mark contains the text box
    box = win.text_panel.input
    assert rects[0].contains(box.mapTo(win, box.rect().center()).toPointF())
    qtbot.mouseClick(overlay.ok_button, _left())
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=2000)
    assert show_welcome(win) is None  # never again
    again = show_welcome(win, force=True)  # Help → Welcome tour
    assert again is not None
    qtbot.keyClick(again, _esc())
    assert not again.isVisible()
    win.close()
    # a new window with the same settings does not show it either
    win2 = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win2)
    assert show_welcome(win2) is None
    win2.close()


def _left():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt.MouseButton.LeftButton


def _esc():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt.Key.Key_Escape
