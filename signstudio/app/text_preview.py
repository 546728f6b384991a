"""The Text & Prompt panel's live line and its "Preview as you type" timer.

Decisions (issue 20, items 3, 9 and 11):

- The line under the text box says what Generate will do: the text, the sign language (name and
  code) and who reads the input — ``read_request`` (`signstudio.session.prompt_reading`), the
  function whose decision Generate follows. A language named in a prompt switches the language
  box as the prompt is read, before Generate.
- Characters no installed font can draw (an emoji on a system without an emoji font shows as an
  empty box) are named on that line, so a box in the text field is never a silent mystery.
- Preview as you type: with the toggle on and a fast model (`PREVIEW_MODELS` or any ``baseline``
  model: lookup answers in a few ms, nar-kd in ~18 ms per text) a generation is asked for
  `DEBOUNCE_MS` after the last key. The runner's newest-wins contract cancels a stale request and
  the window drops a stale answer, so the views (and the reference, which comes with each answer)
  follow the latest text. Slow models (diffusion, SignLLM) are not previewed: the line says so.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6 import QtCore, QtGui

from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
from signstudio.session.prompt_reading import Reading

DEBOUNCE_MS = 150  # after the last key: a word typed at 5 keys/s asks for one preview per pause
PREVIEW_MODELS = frozenset({"lookup", "nar-kd"})  # fast enough to follow typing


_DRAWABLE: dict[str, bool] = {}


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` that no installed font has a glyph for (once each, in order).
    ASCII is always drawable; the answer per character is cached (fonts do not change while the
    studio runs)."""
    out: list[str] = []
    for ch in dict.fromkeys(text):
        if ch.isascii() or ch.isspace():
            continue
        if ch not in _DRAWABLE:
            code = ord(ch)
            families = QtGui.QFontDatabase.families()
            _DRAWABLE[ch] = any(QtGui.QFontMetrics(QtGui.QFont(f)).inFontUcs4(code) for f in families)
        if not _DRAWABLE[ch]:
            out.append(ch)
    return out


def glyph_note(text: str) -> str:
    """ "no font here can show 👋 (it shows as an empty box); it is named in the result" or ""."""
    missing = undrawable(text)
    if not missing:
        return ""
    chars = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing)
    return f"No font installed here can show {chars}: it shows as an empty box."


def reading_html(reading: Reading, model_name: str) -> str:  # model_name: the id is shortest
    """The preview line of a prompt reading (rich text, escaped; short enough for the panel's two
    lines at its narrowest: the text, the language's name, where the language came from, the
    reader). A language the chosen model lacks: what was read, and the models that cover it."""
    if reading.text is None:
        return f"<i>{html.escape(reading.problem or 'nothing to sign')}</i>"
    name = html.escape(SIGN_LANGUAGE_NAMES.get(reading.lang, reading.lang))
    text = html.escape(reading.text)
    if reading.problem is not None:  # the offer first: the line must fit two narrow lines
        models = ", ".join(reading.offer) if reading.offer else "none installed"
        return (
            f"<b>“{text}”</b> in <b>{name}</b>: choose <b>{html.escape(models)}</b> "
            f"({html.escape(model_name)} lacks it)"
        )
    where = "named in the prompt" if reading.from_prompt else "selected"
    who = "learned reader" if reading.reader == "learned" else "rule reader"
    return f"Will sign <b>“{text}”</b> in <b>{name}</b> ({where}) · {who}"


class TypingPreview(QtCore.QObject):
    """Asks ``request()`` for a generation `DEBOUNCE_MS` after the last change while ``on`` and
    the model is fast (``fast()``); `poke` on every change, `set_on` from the toggle."""

    def __init__(self, request: Callable[[], None], fast: Callable[[], bool], parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.on = False
        self._request, self._fast = request, fast
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._fire)
        self.requests = 0  # how many previews were asked for (the tests count them)

    def set_on(self, on: bool) -> None:
        self.on = on
        self.poke() if on else self.timer.stop()

    def poke(self) -> None:
        if self.on and self._fast():
            self.timer.start()  # restarts: only the pause after the last key asks

    def _fire(self) -> None:
        if self.on and self._fast():
            self.requests += 1
            self._request()


__all__ = ["DEBOUNCE_MS", "PREVIEW_MODELS", "TypingPreview", "glyph_note", "reading_html", "undrawable"]
