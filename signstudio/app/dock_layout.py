"""The studio window's docks and their saved layout.

Docks, by name: Text & Prompt and Files on the left, Metrics and History on the right (tabbed
with Files), Timeline at the bottom; the viewport is the central widget. The Dataset dock
(`add_dataset_dock`) is one more tab beside Files, so it adds no height to the window. QSettings keep the
window's geometry and dock state (``geometry``, ``window_state``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.settings import Settings

STATE_VERSION = 5  # bump when the dock layout changes, so an old saved layout is not restored
TEXT_DOCK = "Text && Prompt"
DEFAULT_SIZE = (1400, 860)


def history_view(undo_stack: QtGui.QUndoStack, parent: QtWidgets.QWidget) -> QtWidgets.QUndoView:
    """The History dock's list of edits (click one to go back to it)."""
    view = QtWidgets.QUndoView(undo_stack, parent)
    view.setEmptyLabel("(as opened)")
    view.setObjectName("history")
    return view


def add_docks(
    window: QtWidgets.QMainWindow,
    text_panel: QtWidgets.QWidget,
    files: QtWidgets.QWidget,
    metrics: QtWidgets.QWidget,
    timeline: QtWidgets.QWidget,
    history: QtWidgets.QWidget,
) -> dict[str, QtWidgets.QDockWidget]:
    """The window's docks, by name, in their first arrangement."""
    area = QtCore.Qt.DockWidgetArea
    docks: dict[str, QtWidgets.QDockWidget] = {}
    for name, widget, where in (
        (TEXT_DOCK, text_panel, area.LeftDockWidgetArea),
        ("Files", files, area.LeftDockWidgetArea),
        ("Metrics", metrics, area.RightDockWidgetArea),
        ("Timeline", timeline, area.BottomDockWidgetArea),
        ("History", history, area.RightDockWidgetArea),
    ):
        dock = QtWidgets.QDockWidget(name, window)
        dock.setObjectName(name.replace(" && ", "_").replace(" ", "_"))  # the saved state's key
        dock.setWidget(widget)
        window.addDockWidget(where, dock)
        docks[name] = dock
    window.tabifyDockWidget(docks["Files"], docks["Metrics"])
    window.tabifyDockWidget(docks["Metrics"], docks["History"])
    docks["Metrics"].raise_()
    # The input panel keeps its natural height; Files/Metrics share what is left.
    text_panel.setMinimumHeight(text_panel.sizeHint().height())
    window.resizeDocks([docks[TEXT_DOCK]], [360], QtCore.Qt.Orientation.Horizontal)
    return docks


DATASET_DOCK = "Dataset"


def add_dataset_dock(window: QtWidgets.QMainWindow, panel: QtWidgets.QWidget) -> QtWidgets.QDockWidget:
    """The Dataset dock (`signstudio.app.dataset_panel`), a tab beside Files; added to the window's
    ``docks`` (View → Panels, ``app --panel Dataset``). Metrics stays the raised tab."""
    dock = QtWidgets.QDockWidget(DATASET_DOCK, window)
    dock.setObjectName(DATASET_DOCK)
    dock.setWidget(panel)
    docks: dict[str, QtWidgets.QDockWidget] = getattr(window, "docks", {})
    window.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    if "Files" in docks:
        window.tabifyDockWidget(docks["Files"], dock)
        docks["Metrics"].raise_()
    docks[DATASET_DOCK] = dock
    return dock


def fit_dock_height(window: QtWidgets.QMainWindow, dock: QtWidgets.QDockWidget, need: int) -> None:
    """Give ``dock`` the height its widget ``need``s (e.g. a model's settings add rows)."""
    widget = dock.widget()
    if widget.height() < need:
        window.resizeDocks([dock], [need + dock.height() - widget.height()], QtCore.Qt.Orientation.Vertical)


def restore_layout(window: QtWidgets.QMainWindow, settings: Settings) -> None:
    """The geometry and dock state saved by `save_layout` (a default size the first time)."""
    geometry = settings.get("geometry")
    if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(*DEFAULT_SIZE)
    state = settings.get("window_state")
    if isinstance(state, QtCore.QByteArray) and not state.isEmpty():
        window.restoreState(state, STATE_VERSION)


def save_layout(window: QtWidgets.QMainWindow, settings: Settings) -> None:
    settings.set("geometry", window.saveGeometry())
    settings.set("window_state", window.saveState(STATE_VERSION))
    settings.sync()


__all__ = [
    "DATASET_DOCK",
    "STATE_VERSION",
    "TEXT_DOCK",
    "add_dataset_dock",
    "add_docks",
    "fit_dock_height",
    "history_view",
    "restore_layout",
    "save_layout",
]
