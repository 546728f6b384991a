"""The dialogs out of the window (`signstudio.app.dialogs`): the action table's ``dialogs.<name>``
handlers exist, every handler resolves on a real window, and a few dialogs answered by stand-ins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from signstudio.session.actions import ACTIONS, ActionSpec


def test_every_dialog_handler_names_a_command() -> None:
    from signstudio.app import dialogs

    named = [
        s.handler.partition(".")[2]
        for s in ACTIONS
        if isinstance(s, ActionSpec) and s.handler.startswith("dialogs.")
    ]
    assert named and all(callable(getattr(dialogs, name, None)) for name in named)
    assert set(named) <= set(dialogs.__all__)


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.clock.pause()
    win.close()


@pytest.mark.gui
def test_every_handler_resolves_on_the_window(studio) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.menus import MenuBuilder

    builder = MenuBuilder(studio, {})
    for spec in ACTIONS:
        if isinstance(spec, ActionSpec):
            assert callable(builder.handler(spec.handler)), spec.id


@pytest.mark.gui
def test_falloff_and_cancelled_smplx_and_shortcuts(studio, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtWidgets

    monkeypatch.setattr(QtWidgets.QInputDialog, "getInt", lambda *a: (9, True))
    studio.actions_by_name["falloff_frames"].trigger()
    assert studio.editor.falloff == 9 and studio.editor.spread == "falloff"
    assert studio.spread_actions["falloff"].isChecked()

    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a: "")
    studio.actions_by_name["smpl-x"].trigger()  # cancelled: the mannequin stays checked
    assert studio.body_model_actions["mannequin"].isChecked()
    assert not studio.body_model_actions["smplx"].isChecked()

    studio.actions_by_name["keyboard_shortcuts"].trigger()  # a scrolling window (issue 20)
    listing = studio.findChild(QtWidgets.QTextBrowser, "shortcut_list").toPlainText()
    assert "Redo" in listing and "Ctrl+Y" in listing
