"""Issue 20, item 11: Preview as you type. With the toggle on and a fast model the views follow
the text while it is typed (real key events, no Enter), the reference with them; the keyboard
stays in the box; a slow model is not previewed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    """conftest's studio window (own settings, in-thread runner) on the shared corpus cache."""
    return open_studio(own_data=False)


def _left():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt.MouseButton.LeftButton


def _shown_text(studio) -> str | None:  # type: ignore[no-untyped-def]
    seq = studio.state.sequence
    return None if seq is None else str(seq.meta.get("text"))


def test_the_views_follow_the_text_while_typing(studio, qtbot) -> None:
    panel = studio.text_panel
    assert panel.set_model("nar-kd") and panel.set_language("ase")
    panel.set_prompt_mode(False)
    qtbot.mouseClick(panel.preview_toggle, _left())
    assert panel.preview_toggle.isChecked()
    panel.input.clear()
    qtbot.mouseClick(panel.input, _left())

    qtbot.keyClicks(panel.input, "hal")  # faster than the debounce: one preview, of "hal"
    qtbot.waitUntil(lambda: _shown_text(studio) == "hal", timeout=60000)
    assert panel.input.hasFocus(), "a preview must leave the keyboard in the box"
    first = studio.state.sequence
    ref_first = studio.state.reference

    qtbot.keyClicks(panel.input, "lo")
    qtbot.waitUntil(lambda: _shown_text(studio) == "hallo", timeout=60000)
    assert studio.state.sequence is not first
    ref = studio.state.reference
    assert ref is not None and ref is not ref_first, "the reference must follow the text"
    assert studio.state.sequence.num_frames > first.num_frames  # more letters, longer signing
    assert panel.typing.requests <= 3, f"debounce: {panel.typing.requests} requests for 2 pauses"
    assert panel.input.text() == "hallo" and panel.input.hasFocus()

    # toggled off: typing no longer generates
    qtbot.mouseClick(panel.preview_toggle, _left())
    asked = panel.typing.requests
    qtbot.mouseClick(panel.input, _left())
    qtbot.keyClicks(panel.input, "x")
    qtbot.wait(400)
    assert panel.typing.requests == asked and _shown_text(studio) == "hallo"


def test_a_slow_model_is_not_previewed(studio, qtbot) -> None:
    panel = studio.text_panel
    assert panel.set_model("diffusion")
    qtbot.mouseClick(panel.preview_toggle, _left())
    assert "fast model" in panel.status.text()
    qtbot.mouseClick(panel.input, _left())
    qtbot.keyClicks(panel.input, "ja")
    qtbot.wait(400)
    assert panel.typing.requests == 0 and studio.controller.pending is None
