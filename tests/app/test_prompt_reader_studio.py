"""Issue 21 in the studio: the model box says which models cover the chosen language, a prompt
naming a language the chosen model lacks offers the models that have it (preview and Generate),
and the status line says when another spoken language's words are spelled letter by letter.
Prompts are typed with real key events; Generate is a real Enter."""

from __future__ import annotations

import html
import re

import pytest

from signstudio.modeling import registry
from signstudio.modeling.base import ModelInfo

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    return open_studio(own_data=False)


@pytest.fixture
def two_langs():  # type: ignore[no-untyped-def]
    """A registered neural model covering ASL and DGS only (it must never load here)."""
    info = ModelInfo("two-langs", "Two languages", "a test model", ("ase", "gsg"), kind="neural")

    def factory(device: str):  # type: ignore[no-untyped-def]
        raise AssertionError("the model must not load")

    registry.register(info, factory)
    yield info
    registry.unregister("two-langs")


def _plain(label) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"<[^>]+>", "", label.text()))


def _type(qtbot, panel, text: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    qtbot.mouseClick(panel.prompt_button, QtCore.Qt.MouseButton.LeftButton)
    panel.input.clear()
    qtbot.mouseClick(panel.input, QtCore.Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.input, text)


def _enter(qtbot, studio):  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        qtbot.keyClick(studio.text_panel.input, QtCore.Qt.Key.Key_Return)
    return blocker.args[0]


def _with_two_langs(panel) -> None:  # type: ignore[no-untyped-def]
    models = [(i.id, i.name, i.description) for i in registry.available_models()]
    panel.set_models(models)


def test_the_model_box_says_which_models_cover_the_language(studio, two_langs) -> None:
    from PySide6 import QtCore

    panel = studio.text_panel
    _with_two_langs(panel)
    index = panel.model.findData("two-langs")
    assert panel.set_language("gsg")
    assert "two-langs" in _plain(panel.coverage) and "Two languages" in panel.coverage.toolTip()
    assert "two-langs" in panel.covering_models(signing_only=True)
    assert panel.model.itemData(index, QtCore.Qt.ItemDataRole.ForegroundRole) is None
    assert panel.set_language("ise")
    line = _plain(panel.coverage)
    assert line.startswith("Signs ise: lookup") and "two-langs" not in line
    assert "two-langs" not in panel.covering_models()
    assert panel.model.itemData(index, QtCore.Qt.ItemDataRole.ForegroundRole) is not None  # dimmed
    assert "baselines" in line  # mean, random, wrong-word cover it without signing the text


def test_a_prompt_naming_a_language_the_model_lacks_offers_the_others(studio, qtbot, two_langs) -> None:
    panel = studio.text_panel
    _with_two_langs(panel)
    assert panel.set_model("two-langs") and panel.set_language("ase")
    _type(qtbot, panel, "how do you sign hello in lingua dei segni italiana")
    shown = _plain(panel.preview)
    assert "“hello” in Italian Sign Language (LIS)" in shown
    assert "choose lookup, signllm-mlsf (two-langs lacks it)" in shown and "wrong-word" not in shown
    response = _enter(qtbot, studio)
    assert not response.ok and "choose lookup" in response.error
    assert "does not cover Italian Sign Language (LIS) (ise)" in _plain(panel.status)


def test_english_words_in_dgs_are_said_to_be_spelled(studio, qtbot) -> None:
    panel = studio.text_panel
    assert panel.set_model("lookup") and panel.set_language("ase")
    _type(qtbot, panel, "how do you sign thank you in DGS")
    assert panel.current_language() == "gsg"
    response = _enter(qtbot, studio)
    assert response.ok and (response.text, response.lang) == ("thank you", "gsg")
    spelled = "English words: spelled letter by letter with the DGS manual alphabet"
    assert spelled in studio.statusBar().currentMessage()
    assert spelled in panel.status.toolTip()
