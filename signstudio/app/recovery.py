"""The bar that offers unsaved work from an earlier session back (autosaves left by a crash or by
a quit without saving), one document at a time, newest first.

    ⚠  Unsaved edits of "hello" from 14:02 (116 frames) were kept.   [Restore] [Discard] [Later]

A bar rather than a dialog: the studio opens and works at once, and the offer stays in view until
it is answered (a modal question at start would block a scripted start and hide the studio).
"""

from __future__ import annotations

import html
import time

from PySide6 import QtCore, QtWidgets

from signstudio.session.autosave import Recovery


class RecoveryBar(QtWidgets.QToolBar):
    restore_requested = QtCore.Signal(object)  # Recovery
    discard_requested = QtCore.Signal(object)  # Recovery

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Recovered work", parent)
        self.setObjectName("recovery_bar")
        self.setMovable(False)
        self.setFloatable(False)
        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("recovery_text")
        self.label.setContentsMargins(8, 2, 12, 2)
        self.addWidget(self.label)
        self.restore_button = self._button("Restore", "Open the kept edits as the document", self._restore)
        self.discard_button = self._button("Discard", "Delete the kept edits for good", self._discard)
        self.later_button = self._button("Later", "Keep them for the next start", self.hide)
        self.setStyleSheet("QToolBar#recovery_bar { background: #fff3cd; border-bottom: 1px solid #e0c060; }"
                           "QLabel#recovery_text { color: #4d3b00; }")  # fmt: skip
        self._offers: list[Recovery] = []
        self.hide()

    def _button(self, text: str, tip: str, slot: object) -> QtWidgets.QPushButton:
        b = QtWidgets.QPushButton(text, self)
        b.setObjectName(f"recovery_{text.lower()}")
        b.setToolTip(tip)
        b.clicked.connect(slot)
        self.addWidget(b)
        return b

    @property
    def current(self) -> Recovery | None:
        return self._offers[0] if self._offers else None

    def offer(self, recoveries: list[Recovery]) -> None:
        """Offer ``recoveries`` (newest first); hidden when there are none."""
        self._offers = list(recoveries)
        self._show_current()

    def _show_current(self) -> None:
        r = self.current
        if r is None:
            self.hide()
            return
        when = time.strftime("%d %b %H:%M", time.localtime(r.saved_at))
        more = f" · {len(self._offers) - 1} more after this" if len(self._offers) > 1 else ""
        self.label.setText(
            f"⚠ Unsaved edits of <b>{html.escape(r.name)}</b> from {when} ({r.frames} frames) "
            f"were kept when SignStudio last closed.{more}"
        )
        self.show()

    def _restore(self) -> None:
        r = self.current
        if r is not None:
            self._offers.pop(0)
            self.restore_requested.emit(r)
            self._show_current()

    def _discard(self) -> None:
        r = self.current
        if r is not None:
            self._offers.pop(0)
            self.discard_requested.emit(r)
            self._show_current()


__all__ = ["RecoveryBar"]
