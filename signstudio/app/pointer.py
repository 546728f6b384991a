"""Mouse input made in code, as a user's hand makes it: for scripted screenshots (`signstudio app
--drag`), benchmarks and tests that drag joints in the viewport; and `pixel_size`, how far one
screen pixel reaches at a joint (the editor scales a drag by it)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.session.camera import drag_point

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


def pixel_size(viewport: Any, joint: int) -> float | None:
    """The raw-coordinate length one screen pixel spans at ``joint`` of the generated skeleton's
    shown frame, on the view plane through it (the rays through its pixel and the next one, met
    with that plane, mapped back to raw units); None when nothing is shown."""
    disp = viewport.editable_display()
    if disp is None:
        return None
    at = viewport.joint_pixel(joint)
    start = disp.to_display(disp.seq.data[disp.clamp(viewport.frames[0]), joint]).astype(np.float64)
    normal = viewport.view.pose().forward
    a = drag_point(viewport.joint_ray(at.x(), at.y()), start, normal)
    b = drag_point(viewport.joint_ray(at.x() + 1.0, at.y()), start, normal)
    to_raw = np.linalg.inv(disp.matrix)[:3, :3]
    size = float(np.linalg.norm(to_raw @ (b - a)))
    return size if np.isfinite(size) and size > 0 else None


__all__ = ["drag", "pixel_size", "send_mouse"]
