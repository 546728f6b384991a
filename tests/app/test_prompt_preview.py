"""Issue 20, item 3: the prompt preview is what Generate does — the same text, the same sign
language (the language box switched before Generate), the same reader. Prompts are typed with
real key events; Generate is a real Enter."""

from __future__ import annotations

import html

import pytest

from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    """conftest's studio window (own settings, in-thread runner) on the shared corpus cache."""
    return open_studio(own_data=False)


def _type_prompt(qtbot, studio, prompt: str, lang: str, model: str = "lookup") -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    panel = studio.text_panel
    assert panel.set_model(model)
    assert panel.set_language(lang)
    qtbot.mouseClick(panel.prompt_button, QtCore.Qt.MouseButton.LeftButton)
    assert panel.prompt_mode
    panel.input.clear()
    qtbot.mouseClick(panel.input, QtCore.Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.input, prompt)
    assert panel.input.text() == prompt


def _enter(qtbot, studio):  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        qtbot.keyClick(studio.text_panel.input, QtCore.Qt.Key.Key_Return)
    return blocker.args[0]


def _plain(label) -> str:  # type: ignore[no-untyped-def]
    """The preview line as a person reads it (tags dropped, entities decoded)."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", label.text()))


@pytest.mark.parametrize("model", ["lookup", "nar-kd"])
def test_unquoted_prompt_previews_and_signs_the_same_thing(studio, qtbot, model: str) -> None:
    prompt = "how do you sign thank you in ASL"
    _type_prompt(qtbot, studio, prompt, "gsg", model)
    panel = studio.text_panel
    shown = _plain(panel.preview)
    reading = panel.reading()
    assert reading.text and reading.reader == "rules"
    assert "Could not find" not in shown
    language_shown = panel.language.currentText()  # what the box says before Generate
    assert f"“{reading.text}”" in shown and SIGN_LANGUAGE_NAMES[reading.lang] in shown
    assert "rule reader" in shown

    response = _enter(qtbot, studio)
    assert response.ok, response.error
    assert response.text == reading.text, "Generate signed something else than the preview said"
    assert response.lang == reading.lang == panel.current_language()
    assert language_shown == panel.language.currentText(), "the language box changed after Generate"


def test_a_language_named_in_the_prompt_switches_the_box_before_generate(studio, qtbot) -> None:
    _type_prompt(qtbot, studio, "How do I sign 'water' in ASL?", "gsg")
    panel = studio.text_panel
    assert panel.current_language() == "ase", "the box must follow the prompt before Generate"
    shown = _plain(panel.preview)
    assert "“water”" in shown and SIGN_LANGUAGE_NAMES["ase"] in shown and "named in the prompt" in shown
    assert studio.state.language == "ase"  # the studio's state (and settings) follow the box

    response = _enter(qtbot, studio)
    assert response.ok and (response.text, response.lang) == ("water", "ase")


def test_a_prompt_without_text_says_so_before_and_after(studio, qtbot) -> None:
    """Where the reader finds nothing, the preview says it, and Generate fails with the same line."""
    _type_prompt(qtbot, studio, "?", "ase")
    panel = studio.text_panel
    reading = panel.reading()
    assert reading.text is None and reading.problem
    assert reading.problem in _plain(panel.preview)
    response = _enter(qtbot, studio)
    assert not response.ok and response.error == reading.problem
