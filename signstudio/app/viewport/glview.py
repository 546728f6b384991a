"""`GLView`: one GL view of the viewport, showing a shared camera model and reporting paints."""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
import pyqtgraph.opengl as gl
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.viewport.gl_programs import forget_context
from signstudio.session.camera import Camera, CameraPose


class GLView(gl.GLViewWidget):
    """A `GLViewWidget` that reports paints and user camera moves, with a tighter depth range."""

    painted = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.paint_count = 0
        #: the camera model this view shows and reports the user's moves to (`link_camera`)
        self.linked_camera = Camera()
        self.linked_camera.changed.connect(self._show_pose)
        self.setMinimumSize(160, 120)
        #: (kind, event) -> True when it took the event ("press", "move", "release", "key");
        #: the joint editor hooks in here, anything it leaves orbits the camera as before
        self.mouse_hook: Callable[[str, QtCore.QEvent], bool] | None = None

    def mousePressEvent(self, ev: QtGui.QMouseEvent) -> None:
        if self.mouse_hook is not None and self.mouse_hook("press", ev):
            ev.accept()
            return
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent) -> None:
        if self.mouse_hook is not None and self.mouse_hook("move", ev):
            ev.accept()
            self.mousePos = ev.position()  # no jump of the camera when the drag ends
            return
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QtGui.QMouseEvent) -> None:
        if self.mouse_hook is not None and self.mouse_hook("release", ev):
            ev.accept()
            return
        super().mouseReleaseEvent(ev)

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:
        if self.mouse_hook is not None and self.mouse_hook("key", ev):
            ev.accept()
            return
        super().keyPressEvent(ev)

    def initializeGL(self) -> None:
        super().initializeGL()
        ctx = self.context()
        ctx.aboutToBeDestroyed.connect(self._release_gl, QtCore.Qt.ConnectionType.DirectConnection)

    def _release_gl(self) -> None:
        """Free the items' GL objects before the context goes (a view moving to a floating dock
        gets a new context; with shared contexts the old buffers would otherwise linger)."""
        ctx = self.context()
        try:
            if ctx is None or not ctx.makeCurrent(ctx.surface()):
                return
        except RuntimeError:  # the application is going down
            return
        for item in self.items:
            for obj in (item, *item.childItems()):
                release = getattr(obj, "release_gl", None)
                if release is not None:
                    release()
            cloud = getattr(item, "cloud", None)
            if cloud is not None:
                cloud.release_gl()
        forget_context(ctx)

    def projectionMatrix(self, region: tuple, viewport: tuple) -> QtGui.QMatrix4x4:
        # pyqtgraph clips at distance x [0.001, 1000], which leaves the depth buffer too coarse
        # for joints on their bones; the scene always lies within [0.02, 40] x the distance.
        x0, y0, w, h = viewport
        dist = float(self.opts["distance"])
        near, far = dist * 0.02, dist * 40.0
        r = near * math.tan(0.5 * math.radians(float(self.opts["fov"])))
        t = r * h / w
        left = r * ((region[0] - x0) * (2.0 / w) - 1)
        right = r * ((region[0] + region[2] - x0) * (2.0 / w) - 1)
        bottom = t * ((region[1] - y0) * (2.0 / h) - 1)
        top = t * ((region[1] + region[3] - y0) * (2.0 / h) - 1)
        tr = QtGui.QMatrix4x4()
        tr.frustum(left, right, bottom, top, near, far)
        return tr

    def paintGL(self) -> None:
        super().paintGL()
        self.paint_count += 1
        self.painted.emit()

    def orbit(self, azim: float, elev: float) -> None:
        super().orbit(azim, elev)
        self._moved()

    def pan(self, dx: float, dy: float, dz: float, relative: str = "global") -> None:
        super().pan(dx, dy, dz, relative=relative)
        self._moved()

    def wheelEvent(self, ev: QtGui.QWheelEvent) -> None:
        super().wheelEvent(ev)
        self._moved()

    def _moved(self) -> None:
        """A user move (orbit, pan, zoom): the camera model takes it, the linked views follow."""
        self.linked_camera.set_pose(self.pose(), source=self, by_user=True)

    def link_camera(self, camera: Camera) -> None:
        """Show ``camera`` (shared with other views: linked cameras) and report moves to it."""
        self.linked_camera.changed.disconnect(self._show_pose)
        self.linked_camera = camera
        camera.changed.connect(self._show_pose)
        self._show_pose(camera.pose, None)

    @property
    def user_moved_camera(self) -> bool:
        """The user moved the camera since it was last framed."""
        return self.linked_camera.user_moved

    def pose(self) -> CameraPose:
        """The camera as this view has it (pyqtgraph keeps it in ``opts``)."""
        c = self.opts["center"]
        return CameraPose(
            (float(c.x()), float(c.y()), float(c.z())),
            float(self.opts["distance"]),
            float(self.opts["elevation"]),
            float(self.opts["azimuth"]),
            float(self.opts["fov"]),
        )

    def camera(self) -> dict:
        """center (x, y, z), distance, elevation, azimuth, fov."""
        return self.pose().as_dict()

    def _show_pose(self, pose: CameraPose, source: object) -> None:
        """Apply the camera model's pose (the view that made the move has it already)."""
        if source is self:
            return
        self.opts["center"] = pg.Vector(*pose.center)
        for key in ("distance", "elevation", "azimuth", "fov"):
            self.opts[key] = getattr(pose, key)
        self.update()
