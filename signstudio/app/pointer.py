"""Mouse input made in code, as a user's hand makes it: for scripted screenshots (`signstudio app
--drag`), benchmarks and tests that drag joints in the viewport."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

_KINDS = {
    "press": (QtCore.QEvent.Type.MouseButtonPress, True, True),
    "move": (QtCore.QEvent.Type.MouseMove, False, True),
    "release": (QtCore.QEvent.Type.MouseButtonRelease, True, False),
}


def send_mouse(widget: QtWidgets.QWidget, kind: str, pos: QtCore.QPointF) -> None:
    """A left-button ``press``, ``move`` (button held) or ``release`` at ``pos`` (widget pixels),
    delivered to ``widget`` at once."""
    etype, is_button, held = _KINDS[kind]
    left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.NoButton
    event = QtGui.QMouseEvent(
        etype,
        QtCore.QPointF(pos),
        QtCore.QPointF(widget.mapToGlobal(QtCore.QPointF(pos))),
        left if is_button else none,
        left if held else none,
        QtCore.Qt.KeyboardModifier(0),
    )
    QtWidgets.QApplication.sendEvent(widget, event)


def drag(widget: QtWidgets.QWidget, start: QtCore.QPointF, dx: float, dy: float, steps: int = 6) -> None:
    """Press at ``start``, move by (dx, dy) in ``steps`` even steps, release: one drag."""
    send_mouse(widget, "press", start)
    for k in range(1, steps + 1):
        send_mouse(widget, "move", start + QtCore.QPointF(dx * k / steps, dy * k / steps))
        QtWidgets.QApplication.processEvents()
    send_mouse(widget, "release", start + QtCore.QPointF(dx, dy))


__all__ = ["drag", "send_mouse"]
