"""Issue 20, item 1: keys never go into the text box by accident.

Every key here is a real key event sent to the widget that has the keyboard focus
(`QApplication.focusWidget`), as a keyboard would: Qt's shortcut map and the text field's
ShortcutOverride decide who gets it, not the test.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    """conftest's studio window (own settings, in-thread runner) on the shared corpus cache."""
    return open_studio(own_data=False)


def _key(qtbot, key, modifier=None) -> None:  # type: ignore[no-untyped-def]
    """One key press and release where the keyboard focus is."""
    from PySide6 import QtWidgets

    target = QtWidgets.QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    if modifier is None:
        qtbot.keyClick(target, key)
    else:
        qtbot.keyClick(target, key, modifier)


def _type_in_box(qtbot, studio, text: str) -> None:  # type: ignore[no-untyped-def]
    box = studio.text_panel.input
    qtbot.mouseClick(box, _left())  # a click puts the keyboard in the box, as for a person
    qtbot.waitUntil(box.hasFocus, timeout=3000)
    box.selectAll()
    qtbot.keyClick(box, _qt().Key.Key_Delete)
    qtbot.keyClicks(box, text)


def _qt():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt


def _left():  # type: ignore[no-untyped-def]
    return _qt().MouseButton.LeftButton


def test_enter_hands_the_keys_to_the_view(studio, qtbot) -> None:
    Qt = _qt()
    studio.text_panel.set_prompt_mode(False)
    studio.text_panel.set_language("ase")
    _type_in_box(qtbot, studio, "hallo")
    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        _key(qtbot, Qt.Key.Key_Return)
    assert blocker.args[0].ok and blocker.args[0].text == "hallo"
    box = studio.text_panel.input
    assert not box.hasFocus()
    assert studio.focusWidget() is studio.viewport

    assert not studio.clock.playing
    _key(qtbot, Qt.Key.Key_Space)
    assert studio.clock.playing, "Space after Enter must start playback"
    _key(qtbot, Qt.Key.Key_Space)
    assert not studio.clock.playing

    loop_before = studio.loop_action.isChecked()
    _key(qtbot, Qt.Key.Key_L)
    assert studio.loop_action.isChecked() is not loop_before, "L after Enter must toggle the loop"

    _key(qtbot, Qt.Key.Key_A)
    assert studio.controller.body_mode == "both", "A after Enter must show the avatar"
    assert box.text() == "hallo", "none of those keys may reach the text box"


def test_while_typing_space_types_a_space_and_does_not_play(studio, qtbot) -> None:
    Qt = _qt()
    _type_in_box(qtbot, studio, "hallo")
    _key(qtbot, Qt.Key.Key_Space)
    _key(qtbot, Qt.Key.Key_L)
    _key(qtbot, Qt.Key.Key_A)
    assert studio.text_panel.input.text() == "hallo la"
    assert not studio.clock.playing
    assert studio.controller.body_mode == "skeleton"


def test_generate_button_and_ctrl_return_also_hand_over_and_ctrl_l_takes_back(studio, qtbot) -> None:
    Qt = _qt()
    panel = studio.text_panel
    _type_in_box(qtbot, studio, "ja")
    with qtbot.waitSignal(studio.generation_finished, timeout=60000):
        qtbot.mouseClick(panel.generate_button, _left())
    assert studio.focusWidget() is studio.viewport

    _key(qtbot, Qt.Key.Key_L)  # the view's key, not a letter in the box
    assert panel.input.text() == "ja"
    _key(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(panel.input.hasFocus, timeout=3000)
    qtbot.keyClicks(panel.input, "nein")  # Ctrl+L selected the old text: typing replaces it
    assert panel.input.text() == "nein"
    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        qtbot.keyClick(panel.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].text == "nein"
    assert studio.focusWidget() is studio.viewport
