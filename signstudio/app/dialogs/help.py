"""The Help menu: keyboard shortcuts, About, and the guide and diagnostics windows (imported when
first asked for: the diagnostics pull in `signstudio.doctor`).

The F1 list is every key the studio answers: the window's actions with a shortcut (the action
table's and those added to the window by others, such as the camera presets 1-4), then
`PLACE_KEYS`, the keys that act in one place only (Enter in the text box, X/Y/Z and Esc during a
joint drag), which no QAction carries.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Protocol

from PySide6 import QtGui, QtWidgets

from signstudio.app.dialogs.common import as_parent


class HelpHost(Protocol):
    """What the Help menu uses of the studio window (`signstudio.app.window.StudioWindow`)."""

    actions_by_name: Mapping[str, QtGui.QAction]


SHORTCUTS_NAME = "keyboard_shortcuts_window"

#: (what, keys) of the keys that are not window actions: they act where the keyboard is
PLACE_KEYS: tuple[tuple[str, str], ...] = (
    ("Generate (in the text box; the view gets the keys after)", "Enter"),
    ("Type in the text box again", "Ctrl+L or a click in it"),
    ("While dragging a joint: move along the X, Y or Z axis only (again: free)", "X / Y / Z"),
    ("While dragging a joint: cancel the drag", "Esc"),
)


def shortcut_rows(actions: Iterable[QtGui.QAction]) -> list[tuple[str, str]]:
    """(text, keys) of every action with a shortcut, each once, in the order given."""
    rows: dict[tuple[str, str], None] = {}
    for a in actions:
        keys = a.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows[(a.text().replace("&", ""), keys)] = None
    return list(rows)


def shortcut_table(actions: Iterable[QtGui.QAction], extra: Iterable[tuple[str, str]] = PLACE_KEYS) -> str:
    """An HTML table of every action with a shortcut (its text, its keys), then ``extra``."""
    rows = [*shortcut_rows(actions), *extra]
    cells = "".join(f"<tr><td>{html.escape(t)}</td><td><b>{html.escape(k)}</b></td></tr>" for t, k in rows)
    return f"<table>{cells}</table>"


def show_shortcuts(window: HelpHost) -> QtWidgets.QDialog:
    """Help → Keyboard shortcuts (F1): the action table's keys, the window's other actions (the
    camera presets) and `PLACE_KEYS`, in a window that scrolls (40-odd rows do not fit a
    768-px screen in a message box) and is at most 80 % of the screen high. One such window per
    studio window: F1 again raises it."""
    parent = as_parent(window)
    actions = [*window.actions_by_name.values(), *(parent.actions() if parent is not None else ())]
    dialog = parent.findChild(QtWidgets.QDialog, SHORTCUTS_NAME) if parent is not None else None
    if dialog is None:
        dialog = QtWidgets.QDialog(parent)
        dialog.setObjectName(SHORTCUTS_NAME)
        dialog.setWindowTitle("Keyboard shortcuts")
        made = QtWidgets.QTextBrowser(dialog)
        made.setObjectName("shortcut_list")
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close, dialog)
        close.rejected.connect(dialog.close)
        layout = QtWidgets.QVBoxLayout(dialog)
        layout.addWidget(made)
        layout.addWidget(close)
    browser = dialog.findChild(QtWidgets.QTextBrowser, "shortcut_list")
    assert browser is not None  # made with the dialog
    browser.setHtml(shortcut_table(actions))
    screen = (
        parent.screen() if parent is not None else QtGui.QGuiApplication.primaryScreen()
    ).availableGeometry()
    browser.document().setTextWidth(500)
    doc_height = int(browser.document().size().height()) + 90  # + the button row and margins
    dialog.resize(min(560, screen.width()), min(doc_height, int(0.8 * screen.height())))
    dialog.show()
    dialog.raise_()
    return dialog


def about(window: object) -> None:
    """Help → About SignStudio."""
    from signstudio import __version__

    QtWidgets.QMessageBox.about(
        as_parent(window),
        "About SignStudio",
        f"<b>SignStudio {__version__}</b><br>Sign language production studio.<br>"
        "Built-in corpus: real fingerspelling recordings of 20 sign languages (spoken-to-signed).",
    )


def open_guide(window: object) -> None:
    """Help → User guide: the guide window that belongs to ``window``, shown or raised."""
    from signstudio.app.dialogs.guide import open_user_guide

    open_user_guide(as_parent(window))


def open_diagnostics(window: object) -> None:
    """Help → Diagnostics…: the `signstudio doctor` report, checks run off the GUI thread."""
    from signstudio.app.dialogs.diagnostics import show_diagnostics

    show_diagnostics(as_parent(window))


__all__ = [
    "PLACE_KEYS",
    "HelpHost",
    "about",
    "open_diagnostics",
    "open_guide",
    "shortcut_rows",
    "shortcut_table",
    "show_shortcuts",
]
