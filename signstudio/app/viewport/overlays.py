"""The viewport's overlay widgets: caption and legend labels, the camera buttons, their style."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.viewport.colours import ViewColours
from signstudio.session.camera import PRESETS


def overlay_label(parent: QtWidgets.QWidget, name: str) -> QtWidgets.QLabel:
    """A rich-text label over a GL view that lets the mouse through to the view."""
    label = QtWidgets.QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    label.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    label.setWordWrap(True)
    return label


def make_camera_actions(
    owner: QtCore.QObject, look_from: Callable[[str], None], reset: Callable[[], None]
) -> list[QtGui.QAction]:
    """One action per camera preset (its shortcut: 1-4) calling ``look_from(preset)``, and a
    last one, Reset view, calling ``reset()``."""
    actions: list[QtGui.QAction] = []
    for key, p in PRESETS.items():
        act = QtGui.QAction(p.label, owner)
        act.setObjectName(f"camera_{key}")
        act.setShortcut(QtGui.QKeySequence(p.shortcut))
        act.setToolTip(f"{p.label} ({p.shortcut})")
        act.triggered.connect(lambda _=False, k=key: look_from(k))
        actions.append(act)
    reset_action = QtGui.QAction("Reset view", owner)
    reset_action.setObjectName("camera_reset")
    reset_action.setToolTip("Front view, framed (R)")
    reset_action.triggered.connect(lambda _=False: reset())
    actions.append(reset_action)
    return actions


def make_camera_bar(parent: QtWidgets.QWidget, actions: list[QtGui.QAction]) -> QtWidgets.QWidget:
    """A row of flat buttons for ``actions`` (`make_camera_actions`: the last one is Reset)."""
    bar = QtWidgets.QWidget(parent)
    bar.setObjectName("camera_bar")
    row = QtWidgets.QHBoxLayout(bar)
    row.setContentsMargins(4, 4, 4, 4)
    row.setSpacing(2)
    for act in actions:
        button = QtWidgets.QToolButton(bar)
        button.setDefaultAction(act)
        button.setText("Reset" if act is actions[-1] else act.text().replace("Signer's view", "Signer"))
        button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        row.addWidget(button)
    return bar


def overlay_styles(colours: ViewColours) -> tuple[str, str]:
    """Style sheets of the labels and of the camera bar in ``colours``."""
    label_style = (
        f"QLabel {{ color: {colours.text}; background: {colours.panel};"
        " border-radius: 6px; padding: 6px 9px; }"
    )
    bar_style = (
        f"QWidget#camera_bar {{ background: {colours.panel}; border-radius: 6px; }}"
        f" QToolButton {{ color: {colours.text}; background: transparent; border: none;"
        " padding: 3px 6px; border-radius: 4px; }"
        " QToolButton:hover { background: rgba(128, 128, 128, 90); }"
    )
    return label_style, bar_style


def fit_label(label: QtWidgets.QLabel, max_width: int) -> None:
    """Size a rich-text label to its text, wrapping at spaces when it is wider than ``max_width``."""
    label.setMaximumWidth(16777215)
    label.setWordWrap(False)
    natural = label.sizeHint()
    if natural.width() <= max_width:
        label.resize(natural)
    else:
        label.setWordWrap(True)
        label.setMaximumWidth(max_width)
        label.resize(max_width, label.heightForWidth(max_width))
