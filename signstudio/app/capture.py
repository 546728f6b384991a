"""Pictures of the studio window for ``signstudio app --screenshot``, tests and docs: the window
grabbed with its GL viewport's frame drawn in, and waiting for the event loop to settle."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.viewport import Viewport


def process_events_until(done: Callable[[], bool], timeout: float) -> bool:
    """Process events until ``done()`` (False when ``timeout`` seconds pass first)."""
    app = QtWidgets.QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return done()


def grab_window(window: QtWidgets.QWidget, viewport: Viewport) -> QtGui.QImage:
    """The whole ``window``, with the GL ``viewport``'s current frame rendered into it."""
    if not viewport.wait_painted(10.0):
        raise RuntimeError("the 3D view did not paint within 10 s (no OpenGL on this display?)")
    image = window.grab().toImage()
    view_image = viewport.grab_image()
    painter = QtGui.QPainter(image)
    try:
        top_left = viewport.mapTo(window, QtCore.QPoint(0, 0))
        painter.drawImage(QtCore.QRect(top_left, viewport.size()), view_image)
    finally:
        painter.end()
    return image


__all__ = ["grab_window", "process_events_until"]
