"""Small dialog helpers the studio's dialogs share."""

from __future__ import annotations

from PySide6 import QtWidgets


def ask(dialog: QtWidgets.QDialog, layout: QtWidgets.QLayout) -> bool:
    """Add OK and Cancel under ``layout``'s rows, run ``dialog`` modally; True when OK."""
    buttons = QtWidgets.QDialogButtonBox(
        QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    if isinstance(layout, QtWidgets.QFormLayout):
        layout.addRow(buttons)
    else:
        layout.addWidget(buttons)
    return dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted


def ask_int(
    parent: QtWidgets.QWidget | None, title: str, label: str, value: int, lo: int, hi: int
) -> int | None:
    """A whole number in [lo, hi] asked for; None when cancelled."""
    number, ok = QtWidgets.QInputDialog.getInt(parent, title, label, value, lo, hi)
    return int(number) if ok else None


def bring_to_front(window: QtWidgets.QWidget) -> None:
    """Show ``window`` and raise it over the others (a second Help → … reuses the open one)."""
    window.show()
    window.raise_()
    window.activateWindow()


def as_parent(window: object) -> QtWidgets.QWidget | None:
    """The studio window as the parent of a dialog (it is a widget; the protocols that type it
    in these modules do not say so)."""
    return window if isinstance(window, QtWidgets.QWidget) else None


__all__ = ["as_parent", "ask", "ask_int", "bring_to_front"]
