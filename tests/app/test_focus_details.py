"""Issue 20, item 9 (the Text/Files part): F1 lists every key, characters no font can draw and a
model cannot sign are named, a corpus word offers its recording or the model's signing, a
missing corpus cache says how to build it (and builds it), and Cancel empties the progress bar.
Real key and mouse events throughout."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def _open_studio(qtbot):  # type: ignore[no-untyped-def]
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    return win


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    win = _open_studio(qtbot)
    yield win
    win.clock.pause()
    win.close()


def _qt():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt


def test_f1_lists_the_camera_keys_the_axis_keys_and_enter(studio, qtbot) -> None:
    from PySide6 import QtWidgets

    from signstudio.session.camera import PRESETS

    qtbot.keyClick(studio, _qt().Key.Key_F1)
    dialog = studio.findChild(QtWidgets.QDialog, "keyboard_shortcuts_window")
    assert dialog is not None and dialog.isVisible()
    listing = dialog.findChild(QtWidgets.QTextBrowser, "shortcut_list").toPlainText()
    for preset in PRESETS.values():
        assert preset.label in listing and preset.shortcut in listing, preset
    for keys in ("X / Y / Z", "Enter", "Space", "Ctrl+L", "Ctrl+Y"):
        assert keys in listing, keys
    screen = studio.screen().availableGeometry()
    assert dialog.frameGeometry().height() <= screen.height(), "the list must fit the screen (it scrolls)"
    qtbot.keyClick(studio, _qt().Key.Key_F1)  # again: the same window, raised
    assert len(studio.findChildren(QtWidgets.QDialog, "keyboard_shortcuts_window")) == 1


def _type_char(widget, char: str) -> None:  # type: ignore[no-untyped-def]
    """A key press and release carrying ``char`` (what an emoji keyboard or picker sends; QTest's
    keyClicks splits a character outside the BMP into surrogates and aborts)."""
    from PySide6 import QtCore, QtGui, QtWidgets

    for kind in (QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.KeyRelease):
        event = QtGui.QKeyEvent(kind, 0, QtCore.Qt.KeyboardModifier.NoModifier, char)
        QtWidgets.QApplication.sendEvent(widget, event)


def test_an_emoji_is_named_not_signed_silently(studio, qtbot) -> None:
    from signstudio.app.text_preview import undrawable

    panel = studio.text_panel
    assert panel.set_model("nar-kd") and panel.set_language("ase")
    qtbot.mouseClick(panel.input, _qt().MouseButton.LeftButton)
    panel.input.clear()
    _type_char(panel.input, "👋")
    assert panel.input.text() == "👋"
    if undrawable("👋"):  # no emoji font here: the line under the box says the box cannot show it
        assert "👋" in panel.preview.text() and "empty box" in panel.preview.text()
    else:
        assert "empty box" not in panel.preview.text()
    before = studio.state.sequence
    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        qtbot.keyClick(panel.input, _qt().Key.Key_Return)
    response = blocker.args[0]
    assert not response.ok and "not signed: 👋" in response.error
    assert "👋" in panel.status.text()
    assert studio.state.sequence is before, "nothing may be signed for the emoji"


def _corpus_word(studio, qtbot):  # type: ignore[no-untyped-def]
    """Double-click the first word of the ASL list: the menu pops up at it."""
    files = studio.files
    dock = files.parentWidget()
    dock.raise_()
    files.select_corpus_language("ase")
    qtbot.waitUntil(lambda: files.words.count() > 0, timeout=5000)
    item = files.words.item(0)
    rect = files.words.visualItemRect(item)
    # a real double-click: press and release, then the double-click press (QTest's mouseDClick
    # alone has no first press, and the list acts only on a word pressed twice)
    qtbot.mouseClick(files.words.viewport(), _qt().MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(files.words.viewport(), _qt().MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(files.word_menu.isVisible, timeout=3000)
    return item.data(_qt().ItemDataRole.UserRole)


def test_double_click_offers_the_recording_and_the_model(studio, qtbot) -> None:
    files = studio.files
    if files.words.count() == 0 and files.build_button.isVisible():
        pytest.skip("no corpus cache on this machine (test_no_corpus_cache_hint_and_build covers that)")
    panel = studio.text_panel
    assert panel.set_model("nar-kd")
    assert files.menu_sign.text() == f"Sign with {panel.model.currentText()}"
    word = _corpus_word(studio, qtbot)
    assert files.word_menu.activeAction() is files.menu_recording
    qtbot.keyClick(files.word_menu, _qt().Key.Key_Return)  # the first choice: the recording
    qtbot.waitUntil(
        lambda: studio.state.reference is not None and studio.state.sequence is None, timeout=5000
    )
    shown = studio.state.reference
    assert shown.meta["source"] == f"corpus:ase/{word}" and shown.meta["reference_kind"] == "lexicon join"
    assert panel.input.text() == word and studio.clock.num_frames == shown.num_frames

    _corpus_word(studio, qtbot)
    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        qtbot.keyClick(files.word_menu, _qt().Key.Key_Down)
        qtbot.keyClick(files.word_menu, _qt().Key.Key_Return)  # the second: sign with nar-kd
    response = blocker.args[0]
    assert response.ok and response.text == word and response.sequence.meta["model"] == "nar-kd"

    # the buttons do the same for the selected word
    with qtbot.waitSignal(studio.state.reference_changed, timeout=5000):
        qtbot.mouseClick(files.show_recording_button, _qt().MouseButton.LeftButton)
    assert studio.state.sequence is None and studio.state.reference.meta["source"] == f"corpus:ase/{word}"


def test_no_corpus_cache_hint_and_build(qtbot, tmp_path, monkeypatch) -> None:
    """An empty data folder: the Files tab comes to the front saying how to build the corpus, the
    Text panel's status says so, and Build the corpus builds it (a small real build: one sign
    language, a few words) and fills the browser."""
    from signstudio.app import files_panel
    from signstudio.corpus.store import default_cache_path

    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(tmp_path / "data"))
    assert not default_cache_path().exists()
    win = _open_studio(qtbot)
    try:
        files = win.files
        assert "signstudio corpus build" in files.corpus_note.text()
        assert "signstudio corpus build" in win.text_panel.status.text()
        qtbot.waitUntil(lambda: not files.visibleRegion().isEmpty(), timeout=3000)  # the tab in front
        assert files.build_button.isVisible() and files.words.count() == 0

        small = [
            *files_panel.BUILD_ARGS,
            "--langs",
            "ase",
            "--words",
            "12",
            "--out",
            str(default_cache_path()),
        ]
        monkeypatch.setattr(files_panel, "BUILD_ARGS", small)
        qtbot.mouseClick(files.build_button, _qt().MouseButton.LeftButton)
        assert "Building" in files.corpus_note.text()
        qtbot.waitUntil(lambda: files.words.count() > 0, timeout=180000)
        assert Path(default_cache_path()).exists() and not files.build_button.isVisible()
    finally:
        win.clock.pause()
        win.close()
    assert sys.executable  # the build ran with this interpreter


def test_cancel_empties_the_progress_bar(studio, qtbot) -> None:
    panel = studio.text_panel
    panel.set_language("ase")
    panel.set_prompt_mode(False)
    panel.input.setText("hi")
    with qtbot.waitSignal(studio.generation_finished, timeout=60000):
        qtbot.mouseClick(panel.generate_button, _qt().MouseButton.LeftButton)
    assert panel.progress.value() == panel.progress.maximum()  # done: full

    assert panel.set_model("diffusion")
    panel.input.setText("hello")
    with qtbot.waitSignal(studio.generation_finished, timeout=120000) as blocker:
        qtbot.mouseClick(panel.generate_button, _qt().MouseButton.LeftButton)
        qtbot.mouseClick(panel.cancel_button, _qt().MouseButton.LeftButton)
    assert blocker.args[0].cancelled
    assert panel.status.text() == "Cancelled."
    assert panel.progress.value() == 0, "a cancelled generation made nothing: the bar is empty"
