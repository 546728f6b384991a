"""The Help menu: keyboard shortcuts, About, and the guide and diagnostics windows (imported when
first asked for: the diagnostics pull in `signstudio.doctor`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from PySide6 import QtGui, QtWidgets

from signstudio.app.dialogs.common import as_parent


class HelpHost(Protocol):
    """What the Help menu uses of the studio window (`signstudio.app.window.StudioWindow`)."""

    actions_by_name: Mapping[str, QtGui.QAction]


def shortcut_table(actions: Mapping[str, QtGui.QAction]) -> str:
    """An HTML table of every action with a shortcut: its text, its keys."""
    rows = [
        (a.text().replace("&", ""), a.shortcut().toString())
        for a in actions.values()
        if not a.shortcut().isEmpty()
    ]
    return "<table>" + "".join(f"<tr><td>{t}</td><td><b>{k}</b></td></tr>" for t, k in rows) + "</table>"


def show_shortcuts(window: HelpHost) -> None:
    """Help → Keyboard shortcuts (F1)."""
    QtWidgets.QMessageBox.information(
        as_parent(window), "Keyboard shortcuts", shortcut_table(window.actions_by_name)
    )


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


__all__ = ["HelpHost", "about", "open_diagnostics", "open_guide", "shortcut_table", "show_shortcuts"]
