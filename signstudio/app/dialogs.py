"""Small dialog helpers the studio's windows share."""

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


def bring_to_front(window: QtWidgets.QWidget) -> None:
    """Show ``window`` and raise it over the others (a second Help → … reuses the open one)."""
    window.show()
    window.raise_()
    window.activateWindow()


__all__ = ["ask", "bring_to_front"]
