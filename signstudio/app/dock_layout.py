"""The studio window's docks and their saved layout.

Docks, by name: Text & Prompt and Files on the left, Metrics and History on the right (tabbed
with Files), Timeline at the bottom; the viewport is the central widget. The Dataset dock
(`add_dataset_dock`) and the Lexicon dock (`add_lexicon_dock`) are more tabs beside Files, so they
add no height to the window. QSettings keep the
window's geometry and dock state (``geometry``, ``window_state``).

Fitting small screens (1366x768, 1280x720): the Text & Prompt and Files panels sit in scroll areas,
so their docks can be shorter than their contents (they scroll) and never push the window's
minimum height past the screen; the left docks take the bottom-left corner, so the Timeline sits
under the viewport and the right docks only and the left column has the window's full height for
the Text & Prompt panel (all its controls, Generate included, stay on screen). The Text & Prompt
dock keeps its panel's height (`fit_dock_height`) as long as the window can give it. The first
start fits the window to the screen's available geometry (`first_size`).
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.settings import Settings

STATE_VERSION = 7  # bump when the dock layout changes, so an old saved layout is not restored
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
    window.setStatusBar(FittingStatusBar(window))
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
        dock.setWidget(scrolled(widget) if widget in (text_panel, files) else widget)
        window.addDockWidget(where, dock)
        docks[name] = dock
    window.tabifyDockWidget(docks["Files"], docks["Metrics"])
    window.tabifyDockWidget(docks["Metrics"], docks["History"])
    docks["Metrics"].raise_()
    # The left column runs the window's full height; the Timeline spans the viewport and the right.
    window.setCorner(QtCore.Qt.Corner.BottomLeftCorner, area.LeftDockWidgetArea)
    # The input panel gets its natural height; Files/Metrics share what is left.
    fit_dock_height(window, docks[TEXT_DOCK], text_panel.sizeHint().height())
    window.resizeDocks([docks[TEXT_DOCK]], [360], QtCore.Qt.Orientation.Horizontal)
    return docks


def scrolled(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    """``widget`` in a frameless scroll area that follows its width and scrolls what does not fit
    vertically (its dock no longer forces the widget's minimum height on the window)."""
    area = QtWidgets.QScrollArea()
    area.setObjectName(f"{widget.objectName() or 'panel'}_scroll")
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


DIRECT_CHILDREN = QtCore.Qt.FindChildOption.FindDirectChildrenOnly


class FittingStatusBar(QtWidgets.QStatusBar):
    """A status bar whose message, when longer than the room left by the permanent widgets, ends
    in "…" (the whole message in the tooltip) instead of being clipped mid-letter; it is elided
    again when the window is resized. ``currentMessage()`` is the message as given,
    ``shown_message()`` what the bar shows."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._until = 0.0  # monotonic time the message times out (0: never)
        self.messageChanged.connect(self._on_changed)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        timeout = timeout or 0
        self._full = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else 0.0
        self.setToolTip(text)
        super().showMessage(self._elided(text), timeout)

    def currentMessage(self) -> str:
        """The message as given (what the bar shows may end in "…": `shown_message`)."""
        shown = super().currentMessage()
        return self._full if shown and self._full else shown

    def shown_message(self) -> str:
        return super().currentMessage()

    def message_room(self) -> int:
        """Pixels the message may take: the bar less its visible widgets and margins."""
        used = sum(
            w.width() + 12
            for w in self.findChildren(QtWidgets.QWidget, options=DIRECT_CHILDREN)
            if w.isVisible() and not isinstance(w, QtWidgets.QSizeGrip)
        )
        return max(40, self.width() - used - 16)

    def _elided(self, text: str) -> str:
        metrics = self.fontMetrics()
        return metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, self.message_room())

    def _on_changed(self, text: str) -> None:
        if not text:
            self._full = ""
            self.setToolTip("")

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._full and self.currentMessage():
            left = 0 if not self._until else max(1, int((self._until - time.monotonic()) * 1000))
            super().showMessage(self._elided(self._full), left)


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


LEXICON_DOCK = "Lexicon"


def add_lexicon_dock(window: QtWidgets.QMainWindow, panel: QtWidgets.QWidget) -> QtWidgets.QDockWidget:
    """The Lexicon dock (`signstudio.app.lexicon_binding`), a tab beside Files and Dataset, so it
    adds no height either; added to ``docks`` (View → Panels). Metrics stays the raised tab."""
    dock = QtWidgets.QDockWidget(LEXICON_DOCK, window)
    dock.setObjectName(LEXICON_DOCK)
    area = scrolled(panel)  # scrolls rather than raising the window's minimum height
    area.setMinimumWidth(panel.minimumSizeHint().width())  # but its buttons are never cut off
    dock.setWidget(area)
    docks: dict[str, QtWidgets.QDockWidget] = getattr(window, "docks", {})
    window.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    beside = docks.get(DATASET_DOCK) or docks.get("Files")
    if beside is not None:
        window.tabifyDockWidget(beside, dock)
        docks["Metrics"].raise_()
    docks[LEXICON_DOCK] = dock
    return dock


def fit_dock_height(window: QtWidgets.QMainWindow, dock: QtWidgets.QDockWidget, need: int) -> None:
    """Give ``dock`` the height its panel ``need``s (e.g. a model's settings add rows), as far as the
    window can; what does not fit scrolls (`scrolled`)."""
    widget = dock.widget()
    # A floor the dock layout cannot squeeze below, but never more than 60 % of the screen: on a
    # tiny screen the panel scrolls rather than pushing the window's minimum height off it.
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    cap = int(0.6 * screen.availableGeometry().height()) if screen is not None else need
    widget.setMinimumHeight(min(need, cap))
    height = need + dock.height() - widget.height()  # the dock's title bar comes on top
    if widget.height() != need and height > 0:
        window.resizeDocks([dock], [height], QtCore.Qt.Orientation.Vertical)


def restore_layout(window: QtWidgets.QMainWindow, settings: Settings) -> None:
    """The geometry and dock state saved by `save_layout` (a default size the first time)."""
    geometry = settings.get("geometry")
    if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(first_size(window))
    state = settings.get("window_state")
    if isinstance(state, QtCore.QByteArray) and not state.isEmpty():
        window.restoreState(state, STATE_VERSION)


def first_size(window: QtWidgets.QWidget) -> QtCore.QSize:
    """The first start's size: `DEFAULT_SIZE`, within the screen's available geometry (less the
    frame a window manager adds) and no smaller than the window's minimum."""
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    want = QtCore.QSize(*DEFAULT_SIZE)
    if screen is not None:
        frame = window.frameGeometry().size() - window.geometry().size()
        want = want.boundedTo(screen.availableGeometry().size() - frame)
    return want.expandedTo(window.minimumSizeHint())


def save_layout(window: QtWidgets.QMainWindow, settings: Settings) -> None:
    settings.set("geometry", window.saveGeometry())
    settings.set("window_state", window.saveState(STATE_VERSION))
    settings.sync()


__all__ = [
    "DATASET_DOCK",
    "LEXICON_DOCK",
    "STATE_VERSION",
    "TEXT_DOCK",
    "FittingStatusBar",
    "add_dataset_dock",
    "add_docks",
    "add_lexicon_dock",
    "first_size",
    "fit_dock_height",
    "history_view",
    "restore_layout",
    "save_layout",
    "scrolled",
]
