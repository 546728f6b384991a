"""Lexicon → Choose sign variant… (also the timeline's context menu): which sign of the lexicon
signs a word that has several.

A generated sequence's ``meta["segments"]`` say, for each word or phrase signed from a lexicon,
its sign and the other matching signs (``variants``: their paths). The dialog offers the segment
at the current frame (a box lists the others that have variants) and its signs: the one used now
first, then each variant by gloss and file name; OK answers (the segment's words, the chosen sign's path).

    picked = ask_variant(parent, segments_with_variants(seq.meta), clock.frame)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

ROLE = QtCore.Qt.ItemDataRole.UserRole


def segments_with_variants(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The segments signed from a lexicon that have other matching signs, in order."""
    segments = meta.get("segments") or ()
    return [
        dict(s)
        for s in segments
        if isinstance(s, Mapping) and s.get("kind") == "sign" and list(s.get("variants") or ())
    ]


def segment_at(segments: list[dict[str, Any]], frame: int) -> int:
    """The index of the segment covering ``frame`` (else the nearest one before it, else 0)."""
    best = 0
    for i, s in enumerate(segments):
        if int(s.get("start", 0)) <= frame:
            best = i
        if int(s.get("start", 0)) <= frame < int(s.get("end", 0)):
            return i
    return best


def segment_label(segment: Mapping[str, Any]) -> str:
    text, gloss = segment.get("text", ""), segment.get("gloss", "")
    return f"“{text}” ({gloss}, frames {segment.get('start')}–{segment.get('end')})"


class VariantDialog(QtWidgets.QDialog):
    """The choice (object name ``sign_variants``): the segment box and its signs' list."""

    def __init__(self, parent: QtWidgets.QWidget | None, segments: list[dict[str, Any]], frame: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose sign variant")
        self.setObjectName("sign_variants")
        self.segments = segments
        form = QtWidgets.QFormLayout(self)
        self.segment_box = QtWidgets.QComboBox(self)
        self.segment_box.setObjectName("variant_segment")
        for s in segments:
            self.segment_box.addItem(segment_label(s))
        form.addRow("Words", self.segment_box)
        self.signs = QtWidgets.QListWidget(self)
        self.signs.setObjectName("variant_signs")
        form.addRow("Sign", self.signs)
        std = QtWidgets.QDialogButtonBox.StandardButton
        buttons = QtWidgets.QDialogButtonBox(std.Ok | std.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.segment_box.currentIndexChanged.connect(self._fill)
        self.segment_box.setCurrentIndex(segment_at(segments, frame))
        self._fill()

    def _fill(self, *_: object) -> None:
        s = self.segments[self.segment_box.currentIndex()]
        self.signs.clear()
        own = s.get("path")
        if own:
            self.signs.addItem(f"{s.get('gloss', '')} — used now ({Path(str(own)).name})")
            self.signs.item(0).setData(ROLE, str(own))
        glosses = s.get("variant_glosses") or {}
        for path in s.get("variants") or ():
            name = Path(str(path)).name
            gloss = glosses.get(str(path))
            item = QtWidgets.QListWidgetItem(f"{gloss} ({name})" if gloss else name)
            item.setToolTip(str(path))
            item.setData(ROLE, str(path))
            self.signs.addItem(item)
        self.signs.setCurrentRow(1 if own and self.signs.count() > 1 else 0)

    def chosen(self) -> tuple[str, str] | None:
        item = self.signs.currentItem()
        if item is None:
            return None
        s = self.segments[self.segment_box.currentIndex()]
        return str(s.get("text", "")), str(item.data(ROLE))


def ask_variant(
    parent: QtWidgets.QWidget | None, segments: list[dict[str, Any]], frame: int
) -> tuple[str, str] | None:
    """(words, sign path) chosen, or None when cancelled."""
    dialog = VariantDialog(parent, segments, frame)
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen()


__all__ = ["VariantDialog", "ask_variant", "segment_at", "segments_with_variants"]
