"""The 3D viewport: the generated sequence and its reference on a floor grid, with labels.

The window embeds one `Viewport` and drives it with four calls (the rest is internal)::

    viewport.set_sequences(generated, reference)   # either may be None
    viewport.set_reference_mode("side-by-side")    # or "ghost"
    viewport.set_frames(generated_frame, reference_frame)
    viewport.grab_image() / viewport.save_screenshot(path)

Views. *Side by side*: two GL views, generated on the left and the reference on the right,
with linked cameras (orbit, pan or zoom one and the other follows). Two views rather than one
view with two skeletons standing apart: each skeleton turns about its own centre, so a side or
top view shows both profiles instead of one skeleton hiding behind the other, and the same
camera preset means the same thing in both. *Ghost*: one view, the reference drawn over the
generated skeleton, translucent and desaturated. With one sequence only, one view shows it.

Each skeleton is two GL items of `signstudio.app.glitems` (one bone item, one joint item,
sharing one vertex buffer) fed straight from the sequence's arrays: a frame reaches the GPU
only when the frame shown changes. Both sequences are normalised for display the same way
(neck at the origin, shoulder width 1: see `signstudio.app.geometry.display_normalisation`),
so a holistic recording in pixels and a model's upper50 output in shoulder units look alike.

Display space is z-up: data in image convention (x right, y down, z away) is shown as
(x, z, -y). The signer faces the original camera (-y); "front" looks from there, "signer's
view" from behind and above the signer's right shoulder, looking the way the signer looks, so
their right hand is on the right of the screen.
"""

from __future__ import annotations

import dataclasses
import html
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.geometry import (
    HEAT_FULL,
    DisplaySkeleton,
    Ray,
    camera_forward,
    camera_ray,
    display_skeleton,
    drag_point,
    heat_colors,
    pick_point,
)
from signstudio.app.glitems import (
    GLBonesItem,
    GLFloorGrid,
    GLJointsItem,
    JointCloud,
    forget_context,
)
from signstudio.app.glmesh import GLMeshItem
from signstudio.avatar.mesh import AvatarMesh
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUP_COLORS

GENERATED = "generated"
MODES = ("side-by-side", "ghost")
#: what represents a sequence: its skeleton, its avatar, or the avatar translucent around the skeleton
BODY_MODES = ("skeleton", "avatar", "both")
AVATAR_COLOR = (0.86, 0.76, 0.62)  # light wood, readable on dark and light backgrounds
AVATAR_BOTH_OPACITY = 0.45
LINE_WIDTH = 3.0
GHOST_OPACITY = 0.35
GHOST_DESATURATE = 0.35
FRAME_MARGIN = 1.08
#: below this view width or height (pixels) captions and legend are shortened
COMPACT_WIDTH = 420
GROUP_LABELS = {"body": "body", "left_hand": "left hand", "right_hand": "right hand", "face": "face"}
SELECTED_COLOR = (1.0, 0.2, 0.9)  # magenta: no group colour and no heat colour is near it
#: drag axis locks (display space: x left-right, y depth, z up), by key
AXES = {"X": (1.0, 0.0, 0.0), "Y": (0.0, 1.0, 0.0), "Z": (0.0, 0.0, 1.0)}
AXIS_NAMES = {"X": "left–right", "Y": "front–back", "Z": "up–down"}


@dataclass(frozen=True)
class Preset:
    """A camera direction: elevation and azimuth in degrees (pyqtgraph's convention: the
    camera sits at azimuth ``a`` around the z axis, 0 = on +x, -90 = on -y, the front)."""

    label: str
    elevation: float
    azimuth: float
    shortcut: str


PRESETS: dict[str, Preset] = {
    "front": Preset("Front", 8.0, -90.0, "1"),
    # from the signer's right side: they face the right of the screen
    "side": Preset("Side", 8.0, 180.0, "2"),
    # from above, the signer's front towards the bottom of the screen
    "top": Preset("Top", 90.0, -90.0, "3"),
    # behind and above the signer's right shoulder, looking where the signer looks
    "signer": Preset("Signer's view", 20.0, 112.0, "4"),
}


@dataclass(frozen=True)
class Theme:
    background: tuple[int, int, int]
    grid: tuple[float, float, float, float]
    text: str
    muted: str
    panel: str
    generated: str
    reference: str
    #: group colours that differ from `GROUP_COLORS` on this background
    colors: dict[str, tuple[int, int, int]]


DARK = Theme(
    background=(26, 29, 34),
    grid=(1.0, 1.0, 1.0, 0.17),
    text="#e8eaed",
    muted="#a0a6ad",
    panel="rgba(12, 14, 18, 165)",
    generated="#8cc4ff",
    reference="#ffc46b",
    colors={},
)
LIGHT = Theme(
    background=(236, 238, 242),
    grid=(0.0, 0.0, 0.0, 0.2),
    text="#1f2328",
    muted="#59636e",
    panel="rgba(255, 255, 255, 200)",
    generated="#1a62c9",
    reference="#a45c00",
    colors={"face": (105, 110, 118)},
)


def reference_kind(seq: PoseSequence) -> str:
    """What kind of sequence this is (recorded clip, lexicon join, user file, generated)."""
    return str(seq.meta.get("reference_kind") or ("user file" if seq.meta.get("source") else "pose"))


def describe(seq: PoseSequence, with_kind: bool = True) -> list[str]:
    """Lines saying what a sequence is: text, sign language, kind of reference, layout."""
    from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

    meta = seq.meta
    lines = []
    text = meta.get("text") or meta.get("gloss")
    if text:
        lines.append(f"“{text}”")
    lang = meta.get("sign_language")
    if lang:
        name = SIGN_LANGUAGE_NAMES.get(str(lang))
        lines.append(f"{name} ({lang})" if name else str(lang))
    facts = [reference_kind(seq)] if with_kind else []
    if meta.get("mirrored"):
        facts.append("mirrored (left ↔ right)")
    facts.append(f"layout {seq.layout}")
    facts.append(f"{seq.num_frames} frames at {seq.fps:g} fps ({seq.duration:.2f} s)")
    lines.append(" · ".join(facts))
    source = meta.get("source")
    if source and not meta.get("joined_from"):  # a join's source is only its first clip
        lines.append(str(source).replace("\\", "/").rsplit("/", 1)[-1])
    return lines


# ---- GL view -------------------------------------------------------------------------------


class GLView(gl.GLViewWidget):
    """A `GLViewWidget` that reports paints and user camera moves, with a tighter depth range."""

    painted = QtCore.Signal()
    #: the user orbited, panned or zoomed (not emitted for programmatic camera changes)
    camera_changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.paint_count = 0
        self.user_moved_camera = False
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
        self.user_moved_camera = True
        self.camera_changed.emit()

    def camera(self) -> dict:
        """center (x, y, z), distance, elevation, azimuth, fov."""
        c = self.opts["center"]
        return {
            "center": (float(c.x()), float(c.y()), float(c.z())),
            "distance": float(self.opts["distance"]),
            "elevation": float(self.opts["elevation"]),
            "azimuth": float(self.opts["azimuth"]),
            "fov": float(self.opts["fov"]),
        }

    def set_camera(self, cam: dict) -> None:
        """Apply a `camera` dict without emitting `camera_changed`."""
        self.opts["center"] = pg.Vector(*cam["center"])
        for key in ("distance", "elevation", "azimuth", "fov"):
            self.opts[key] = cam[key]
        self.update()


class SkeletonSlot:
    """One skeleton in a view: a bone item and a joint item sharing one `JointCloud`.

    Slots are made once and reused for every sequence, so GL buffers are not re-created (nor
    leaked) when a new sequence arrives.
    """

    def __init__(self, view: GLView, depth: int, ghost: bool = False) -> None:
        self.cloud = JointCloud()
        self.bones = GLBonesItem(self.cloud, width=LINE_WIDTH)
        self.joints = GLJointsItem(self.cloud)
        self.mesh = GLMeshItem()
        self.mesh.setDepthValue(depth - 1)  # drawn before the skeleton: a translucent body shows it
        self.mesh.setVisible(False)
        self.mesh_of: PoseSequence | None = None  # the sequence the mesh belongs to
        view.addItem(self.mesh)
        self.ghost = ghost
        self.bones.setDepthValue(depth)
        self.joints.setDepthValue(depth + 1)
        if ghost:
            for item in self.items:
                item.set_look(opacity=GHOST_OPACITY, desaturate=GHOST_DESATURATE, depth_write=False)
        for item in self.items:
            view.addItem(item)
        self.display: DisplaySkeleton | None = None
        self.set_display(None)

    @property
    def items(self) -> tuple[GLBonesItem, GLJointsItem]:
        return self.bones, self.joints

    def set_display(self, display: DisplaySkeleton | None) -> None:
        self.display = display
        if display is None:
            self.cloud.clear()
            for item in self.items:
                item.setVisible(False)
            return
        self.cloud.set_skeleton(display.rgb, display.size, display.bones)
        m = QtGui.QMatrix4x4(*(float(v) for v in display.matrix.reshape(-1)))
        for item in self.items:
            item.setTransform(m)
            item.setVisible(True)
        self.mesh.setTransform(m)
        self.show_frame(0)

    def set_body(self, mesh: AvatarMesh | None, mode: str) -> None:
        """The avatar of the shown sequence (None: none yet) drawn as ``mode`` says."""
        shown = self.display is not None
        has_mesh = mesh is not None and shown
        if has_mesh and self.mesh_of is not (self.display.seq if self.display else None):
            assert mesh is not None and self.display is not None
            self.mesh.set_mesh(mesh.vertices, mesh.normals, mesh.faces)
            self.mesh_of = self.display.seq
        if not has_mesh:
            self.mesh.set_mesh(None)
            self.mesh_of = None
        body_on = has_mesh and mode in ("avatar", "both")
        self.mesh.setVisible(body_on)
        base = GHOST_OPACITY if self.ghost else 1.0
        self.mesh.set_look(AVATAR_COLOR, base * (AVATAR_BOTH_OPACITY if mode == "both" else 1.0))
        skeleton_on = shown and not (body_on and mode == "avatar")
        for item in self.items:
            item.setVisible(skeleton_on)

    def show_frame(self, frame: int) -> bool:
        """Show ``frame`` (clamped); True when it differs from the frame shown (an upload follows)."""
        if self.display is None:
            return False
        seq = self.display.seq
        changed = self.cloud.set_frame(seq.data, seq.confidence, self.display.clamp(frame))
        if changed:
            self.bones.update()
        if self.mesh_of is seq:
            changed = self.mesh.set_frame(self.display.clamp(frame)) or changed
        return changed


# ---- the widget ----------------------------------------------------------------------------


class Viewport(QtWidgets.QWidget):
    """Generated and reference sequences in one or two GL views, with captions and a legend.

    Public API (what the window calls): `set_sequences`, `set_reference_mode`, `set_frames`,
    `set_camera` / `frame_camera` / `camera_actions`, `grab_image`, `save_screenshot`,
    `wait_painted`; signal `painted` after every paint of a view.
    """

    painted = QtCore.Signal()
    #: joint editing (`set_editing`): a joint of the generated skeleton was clicked (its index)
    joint_picked = QtCore.Signal(int)
    joint_drag_started = QtCore.Signal(int)
    #: (joint, target) — target (3,) float64 in the sequence's raw coordinates
    joint_dragged = QtCore.Signal(int, object)
    #: (joint, committed) — False when Esc cancelled the drag
    joint_drag_finished = QtCore.Signal(int, bool)
    #: the axis lock changed during a drag: "" (view plane), "X", "Y" or "Z"
    drag_axis_changed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Viewport")
        self.view = GLView(self)  # the main (left) view: generated, or the only sequence
        self.view.setObjectName("view_generated")
        self.view_b = GLView(self)  # the reference, side by side
        self.view_b.setObjectName("view_reference")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.separator = QtWidgets.QFrame(self)
        self.separator.setFixedWidth(2)
        layout.addWidget(self.view)
        layout.addWidget(self.separator)
        layout.addWidget(self.view_b)
        self.view_b.hide()
        self.separator.hide()

        self.grids = {}
        for v in (self.view, self.view_b):
            grid = GLFloorGrid()
            grid.setDepthValue(-10)
            v.addItem(grid)
            self.grids[v] = grid
            v.painted.connect(self.painted)
            v.camera_changed.connect(self._camera_moved)
            v.installEventFilter(self)
        self.main = SkeletonSlot(self.view, depth=0)
        self.ghost = SkeletonSlot(self.view, depth=10, ghost=True)
        self.side = SkeletonSlot(self.view_b, depth=0)

        self.generated: PoseSequence | None = None
        self.reference: PoseSequence | None = None
        self.mode = "side-by-side"
        self.preset = "front"
        self.frames = (0, 0)
        self._theme = DARK
        self._theme_forced: bool | None = None
        self._overlays_on = True
        self._buttons_on = True
        self._compact = False  # a narrow view: shorter captions and legend
        self._displays: dict[tuple[int, tuple[int, int, int]], DisplaySkeleton] = {}
        self.body_mode = "skeleton"
        self._avatars: dict[int, AvatarMesh] = {}  # id(sequence) -> its avatar mesh
        self._heat: np.ndarray | None = None  # (J,) error per joint of the generated sequence
        self._heat_note = ""
        self.editing = False
        self.selected_joint: int | None = None
        self._drag: dict | None = None  # joint, start (display), normal, axis while dragging
        self.view.mouse_hook = self._edit_event

        self.title = self._overlay_label(self.view, "title")
        self.title_b = self._overlay_label(self.view_b, "title_reference")
        self.legend = self._overlay_label(self.view, "legend")
        self.camera_bar = self._make_camera_bar()
        self._apply_theme()
        self._arrange()

    # ---- public API ----------------------------------------------------------------------
    def set_sequences(self, generated: PoseSequence | None, reference: PoseSequence | None) -> None:
        """Show ``generated`` (a model's output) and ``reference`` (its ground truth); either may
        be None. Both start at frame 0; the camera is framed on them with the current preset."""
        self.generated, self.reference = generated, reference
        self.frames = (0, 0)
        self._arrange()
        self.frame_camera(self.preset)

    def replace_generated(self, seq: PoseSequence) -> None:
        """Show an edited version of the generated sequence in its place: same display
        normalisation, camera and frame (no re-framing while someone drags a joint); its avatar,
        fitted to the old poses, is dropped."""
        old = self.generated
        if old is None or seq.num_joints != old.num_joints:
            self.set_sequences(seq, self.reference)
            return
        self.generated = seq
        disp = self.main.display  # the generated sequence is always in the main view
        if disp is not None and disp.seq is old:
            new = dataclasses.replace(disp, seq=seq)
            self._displays[(id(seq), self._theme.background)] = new
            self.main.display = new
        if self.reference is not old:  # the reference may be the very same sequence: it stays
            self._displays = {k: d for k, d in self._displays.items() if d.seq is not old}
        self._avatars.pop(id(old), None)
        self._apply_bodies()
        self.set_frames(*self.frames)
        self._apply_heat()
        if describe(seq) != describe(old):  # e.g. mirrored, or a length cut: say so (not per drag)
            self._caption()
        self.update_views()

    def set_editing(self, on: bool) -> None:
        """Joint editing: a click on a joint of the generated skeleton picks it, a drag moves it
        (signals `joint_picked`, `joint_drag_started`, `joint_dragged`, `joint_drag_finished`);
        clicks elsewhere orbit the camera as always."""
        self.editing = bool(on)
        self.view.setMouseTracking(self.editing)  # hover feedback over joints
        if not self.editing:
            self._drag = None
            self.view.unsetCursor()

    def set_selected_joint(self, joint: int | None) -> None:
        """Highlight ``joint`` of the generated skeleton (None: no highlight)."""
        if joint != self.selected_joint:
            self.selected_joint = joint
            self._apply_heat()
            self.update_views()

    def editable_display(self) -> DisplaySkeleton | None:
        """The generated skeleton's display in the main view (what joint editing acts on)."""
        disp = self.main.display
        if disp is None or self.generated is None or disp.seq is not self.generated:
            return None
        return disp

    def joint_ray(self, x: float, y: float) -> Ray:
        """The pick ray through pixel (x, y) of the main view (`geometry.Ray`, display space)."""
        return camera_ray(self.view.camera(), max(self.view.width(), 1), max(self.view.height(), 1), x, y)

    def joint_at(self, x: float, y: float, tolerance_px: float = 10.0) -> int | None:
        """The joint of the generated skeleton under pixel (x, y) of the main view, if any."""
        disp = self.editable_display()
        if disp is None:
            return None
        frame = disp.clamp(self.frames[0])
        points = disp.to_display(disp.seq.data[frame])
        pickable = (disp.seq.confidence[frame] > 0) & (disp.size > 0)
        return pick_point(self.joint_ray(x, y), points, pickable, tolerance_px)

    def joint_pixel(self, joint: int) -> QtCore.QPointF:
        """Where ``joint`` of the generated skeleton's shown frame is drawn in the main view
        (pixels), from the same matrices the GL items draw with."""
        disp = self.editable_display()
        if disp is None:
            raise ValueError("no generated sequence shown")
        v = self.view
        point = disp.to_display(disp.seq.data[disp.clamp(self.frames[0]), joint]).astype(float)
        w, h = v.width(), v.height()
        mvp = v.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * v.viewMatrix()
        ndc = mvp.map(QtGui.QVector3D(*point))
        return QtCore.QPointF((ndc.x() + 1) / 2 * w, (1 - ndc.y()) / 2 * h)

    def _edit_event(self, kind: str, ev: QtCore.QEvent) -> bool:
        """The main view's mouse and keys while editing (see `set_editing`)."""
        if not self.editing:
            return False
        if kind == "key":
            return self._drag_key(ev)  # type: ignore[arg-type]
        assert isinstance(ev, QtGui.QMouseEvent)
        pos = ev.position()
        if kind == "press":
            plain = ev.modifiers() & QtCore.Qt.KeyboardModifier.ControlModifier == QtCore.Qt.KeyboardModifier(
                0
            )
            if ev.button() != QtCore.Qt.MouseButton.LeftButton or not plain:
                return False
            joint = self.joint_at(pos.x(), pos.y())
            disp = self.editable_display()
            if joint is None or disp is None:
                return False  # orbit
            start = disp.to_display(disp.seq.data[disp.clamp(self.frames[0]), joint]).astype(np.float64)
            self._drag = {
                "joint": joint,
                "start": start,
                "normal": camera_forward(self.view.camera()),
                "axis": "",
                "moved": False,
                "matrix_inv": np.linalg.inv(disp.matrix),
            }
            self.view.setFocus()
            self.set_selected_joint(joint)
            self.joint_picked.emit(joint)
            return True
        if kind == "move":
            if self._drag is None:
                if ev.buttons() == QtCore.Qt.MouseButton.NoButton:  # hover: say what a click would pick
                    over = self.joint_at(pos.x(), pos.y()) is not None
                    shape = (
                        QtCore.Qt.CursorShape.PointingHandCursor
                        if over
                        else QtCore.Qt.CursorShape.ArrowCursor
                    )
                    self.view.setCursor(shape)
                return False
            self._drag_to(pos.x(), pos.y())
            return True
        if kind == "release" and self._drag is not None:
            drag, self._drag = self._drag, None
            if drag["moved"]:
                self.joint_drag_finished.emit(drag["joint"], True)
            return True
        return False

    def _drag_to(self, x: float, y: float) -> None:
        drag = self._drag
        assert drag is not None
        axis = np.asarray(AXES[drag["axis"]]) if drag["axis"] else None
        target = drag_point(self.joint_ray(x, y), drag["start"], drag["normal"], axis)
        m = drag["matrix_inv"]
        raw = m[:3, :3] @ target + m[:3, 3]
        if not drag["moved"]:
            drag["moved"] = True
            self.joint_drag_started.emit(drag["joint"])
        drag["last"] = (x, y)
        self.joint_dragged.emit(drag["joint"], raw)

    @property
    def dragging(self) -> bool:
        return self._drag is not None

    def cancel_drag(self) -> bool:
        """Drop the drag in progress (Esc): the joint goes back; False when none was going on."""
        drag, self._drag = self._drag, None
        if drag is None:
            return False
        if drag["moved"]:
            self.joint_drag_finished.emit(drag["joint"], False)
        return True

    def _drag_key(self, ev: QtGui.QKeyEvent) -> bool:
        """During a drag: X, Y or Z lock the move to that axis (again: unlock), Esc cancels."""
        drag = self._drag
        if drag is None:
            return False
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            return self.cancel_drag()
        name = ev.text().upper()
        if name in AXES:
            drag["axis"] = "" if drag["axis"] == name else name
            self.drag_axis_changed.emit(drag["axis"])
            if "last" in drag:
                self._drag_to(*drag["last"])
            return True
        return False

    def set_reference_mode(self, mode: str) -> None:
        """``"side-by-side"`` (two views, linked cameras) or ``"ghost"`` (reference overlaid)."""
        if mode not in MODES:
            raise ValueError(f"reference mode must be one of {MODES}, got {mode!r}")
        if mode == self.mode:
            return
        self.mode = mode
        self._arrange()
        self.frame_camera(self.preset, keep_direction=True)

    def set_frames(self, generated_frame: int, reference_frame: int) -> int:
        """Draw frame ``generated_frame`` of the generated sequence and ``reference_frame`` of the
        reference (each clamped to its length). Returns how many skeletons changed frame (and
        will upload at the next paint); 0 means nothing to redraw."""
        self.frames = (int(generated_frame), int(reference_frame))
        changed = 0
        for slot, frame in self._slot_frames():
            changed += slot.show_frame(frame)
        return changed

    def set_body_mode(self, mode: str) -> None:
        """``skeleton``, ``avatar`` or ``both`` (the avatar translucent around the skeleton)."""
        if mode not in BODY_MODES:
            raise ValueError(f"body mode must be one of {BODY_MODES}, got {mode!r}")
        self.body_mode = mode
        self._apply_bodies()
        self.update_views()

    def set_avatar(self, seq: PoseSequence, mesh: AvatarMesh | None) -> None:
        """The avatar mesh of ``seq`` (generated or reference), or None to drop it."""
        if mesh is None:
            self._avatars.pop(id(seq), None)
        else:
            if mesh.num_frames != seq.num_frames:
                raise ValueError(f"avatar has {mesh.num_frames} frames, the sequence {seq.num_frames}")
            self._avatars[id(seq)] = mesh
        self._avatars = {
            k: v for k, v in self._avatars.items() if k in (id(self.generated), id(self.reference))
        }
        self._apply_bodies()
        self.set_frames(*self.frames)
        self.update_views()

    def avatar_of(self, seq: PoseSequence | None) -> AvatarMesh | None:
        return None if seq is None else self._avatars.get(id(seq))

    def _apply_bodies(self) -> None:
        for slot in (self.main, self.ghost, self.side):
            seq = slot.display.seq if slot.display is not None else None
            slot.set_body(self.avatar_of(seq), self.body_mode)

    def set_joint_heat(self, errors: np.ndarray | None, note: str = "") -> None:
        """Colour the generated skeleton's joints by ``errors`` (J,) (shoulder widths, NaN:
        unknown; `heat_colors`), or its own colours again with None. ``note`` (e.g. the worst
        joints) goes under the heat scale in the legend."""
        if errors is None and self._heat is None:
            return  # the window calls this on every frame: nothing to do while the map is off
        was_on, old_note = self._heat is not None, self._heat_note
        self._heat = None if errors is None else np.asarray(errors, np.float64)
        self._heat_note = note
        self._apply_heat()
        if was_on != (self._heat is not None) or old_note != note:  # not on every frame
            self.legend.setText(self._legend_html())
            self._place_overlays()

    def _apply_heat(self) -> None:
        """The generated skeleton's joint colours: its own or the heat map's, the selected joint
        highlighted."""
        slot = self.main
        if slot.display is None or self.generated is None or slot.display.seq is not self.generated:
            return
        heat_on = self._heat is not None and len(self._heat) == slot.cloud.num_joints
        selected = self.selected_joint
        if selected is not None and not 0 <= selected < slot.cloud.num_joints:
            selected = None
        if not heat_on and selected is None:
            slot.cloud.set_colors(None)
        else:
            rgb = heat_colors(self._heat) if heat_on else slot.display.rgb.copy()  # type: ignore[arg-type]
            if selected is not None:
                rgb[selected] = SELECTED_COLOR
            slot.cloud.set_colors(rgb)
        slot.bones.update()

    def set_camera(self, preset: str) -> None:
        """Look from a preset direction (``front``, ``side``, ``top``, ``signer``), framing the content."""
        if preset not in PRESETS:
            raise ValueError(f"camera preset must be one of {tuple(PRESETS)}, got {preset!r}")
        self.frame_camera(preset)

    def frame_camera(self, preset: str | None = None, keep_direction: bool = False) -> None:
        """Frame all confident joints of the shown sequences from ``preset`` (default: front, the
        reset view), below the caption and above the legend, in every view (linked)."""
        if preset is not None:
            self.preset = preset
        elif not keep_direction:
            self.preset = "front"
        p = PRESETS[self.preset]
        cam = self._fit(p.elevation, p.azimuth)
        for v in self._views():
            v.set_camera(cam)
            v.user_moved_camera = False
        self._place_floor()

    def camera_actions(self) -> list[QtGui.QAction]:
        """QActions for the presets (shortcuts 1-4) and Reset view (no shortcut: the window
        owns R). Not added to any widget: put them in the View menu."""
        return list(self._actions)

    def wait_painted(self, timeout: float = 10.0) -> bool:
        """Process events until every visible view has painted once more (False on timeout)."""
        app = QtWidgets.QApplication.instance()
        if app is None:
            return False
        views = [v for v in self._views() if v.isVisible()]
        if not views:
            return False
        start = {v: v.paint_count for v in views}
        for v in views:
            v.update()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if all(v.isValid() and v.paint_count > start[v] for v in views):
                return True
            time.sleep(0.005)
        return False

    def grab_image(self) -> QtGui.QImage:
        """The whole viewport as shown: every view's GL frame with the captions, legend and
        camera buttons painted over it. RuntimeError when the views cannot paint (no OpenGL)."""
        if not self.wait_painted():
            raise RuntimeError("the 3D view did not paint within 10 s (no OpenGL on this display?)")
        image = self.grab().toImage()
        painter = QtGui.QPainter(image)
        try:
            for v in self._views():
                if v.isVisible():
                    painter.drawImage(
                        QtCore.QRect(v.mapTo(self, QtCore.QPoint(0, 0)), v.size()), v.grabFramebuffer()
                    )
            for w in self._overlays():
                if w.isVisible():
                    w.render(painter, w.mapTo(self, QtCore.QPoint(0, 0)))
        finally:
            painter.end()
        return image

    def save_screenshot(self, path: str | Path) -> Path:
        """Save `grab_image` as PNG (written atomically); FormatError when it cannot be written."""
        from signstudio.app.images import save_png

        return save_png(self.grab_image(), path)

    def set_dark(self, dark: bool | None) -> None:
        """Force the dark or light look (None: follow the palette, the default)."""
        self._theme_forced = dark
        self._apply_theme()

    def set_camera_buttons_visible(self, visible: bool) -> None:
        """Show or hide the camera buttons in the view (the window may offer the same actions,
        `camera_actions`, in its toolbar instead)."""
        self._buttons_on = bool(visible)
        self._caption()

    def set_overlays_visible(self, visible: bool) -> None:
        """Show or hide the captions, legend and camera buttons (a bare figure, or a benchmark)."""
        self._overlays_on = bool(visible)
        self._caption()

    @property
    def paint_count(self) -> int:
        return sum(v.paint_count for v in (self.view, self.view_b))

    # ---- transitional API (the window before set_sequences/set_frames) --------------------
    def update_views(self) -> None:
        for v in self._views():
            v.update()

    # ---- content -------------------------------------------------------------------------
    def _views(self) -> list[GLView]:
        return [self.view, self.view_b] if self.view_b.isVisibleTo(self) else [self.view]

    def _slot_frames(self) -> list[tuple[SkeletonSlot, int]]:
        g, r = self.frames
        main = g if self.generated is not None else r  # the main view shows the reference alone
        return [
            (slot, frame)
            for slot, frame in ((self.main, main), (self.ghost, r), (self.side, r))
            if slot.display is not None
        ]

    def _arrange(self) -> None:
        """Put the sequences into slots and views for the current mode."""
        gen, ref = self.generated, self.reference
        disp_gen = self._display(gen) if gen is not None else None
        disp_ref = self._display(ref) if ref is not None else None
        both = disp_gen is not None and disp_ref is not None
        side = both and self.mode == "side-by-side"
        self.main.set_display(disp_gen if disp_gen is not None else disp_ref)
        self.ghost.set_display(disp_ref if both and not side else None)
        self.side.set_display(disp_ref if side else None)
        self.view_b.setVisible(side)
        self.separator.setVisible(side)
        self._apply_bodies()
        self.set_frames(*self.frames)
        self._apply_heat()
        self._caption()
        self.update_views()

    def _display(self, seq: PoseSequence) -> DisplaySkeleton:
        """The sequence's `DisplaySkeleton` in the current theme (kept while it is shown, so that
        switching modes does not recompute its normalisation and bounds)."""
        key = (id(seq), self._theme.background)
        hit = self._displays.get(key)
        if hit is not None and hit.seq is seq:
            return hit
        disp = display_skeleton(seq, self._theme.colors)
        self._displays = {
            k: d for k, d in self._displays.items() if d.seq is self.generated or d.seq is self.reference
        }
        self._displays[key] = disp
        return disp

    def _shown(self) -> list[DisplaySkeleton]:
        return [s.display for s in (self.main, self.ghost, self.side) if s.display is not None]

    def _bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        boxes = [(d.lo, d.hi) for d in self._shown() if d.lo is not None and d.hi is not None]
        if not boxes:
            return None
        return np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)

    def _fit(self, elevation: float, azimuth: float) -> dict:
        """Camera looking from (elevation, azimuth) at the content, fitted into the free band."""
        view = self.view
        fov = float(view.opts["fov"])
        box = self._bounds()
        if box is None:
            lo, hi = np.array([-1.5, -0.5, -2.5], np.float64), np.array([1.5, 0.5, 0.8], np.float64)
        else:
            lo, hi = box
        centre = (lo + hi) / 2
        e, a = math.radians(elevation), math.radians(azimuth)
        fwd = -np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)], np.float64)
        right = np.array([-math.sin(a), math.cos(a), 0.0], np.float64)
        up = np.cross(right, fwd)
        corners = np.array(
            [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
        )
        rel = corners - centre
        w, h = max(view.width(), 1), max(view.height(), 1)
        top, bottom = self._reserved_bands(h)
        band = max(h - top - bottom, h * 0.3)
        tan_h = math.tan(math.radians(fov) / 2)
        tan_v = tan_h * h / w
        tan_band = tan_v * band / h
        depth = rel @ fwd
        need = np.maximum(np.abs(rel @ right) / tan_h, np.abs(rel @ up) / tan_band) - depth
        dist = max(float(need.max()) * FRAME_MARGIN, 1e-3)
        # Put the content's centre in the middle of the free band rather than of the view.
        offset_px = (top + band / 2) - h / 2
        centre = centre + up * (offset_px / h * 2 * dist * tan_v)
        return {
            "center": tuple(float(v) for v in centre),
            "distance": dist,
            "elevation": elevation,
            "azimuth": azimuth,
            "fov": fov,
        }

    def _reserved_bands(self, h: int) -> tuple[int, int]:
        """Pixels at the top (captions) and bottom (legend) of a view that the content avoids."""
        tops = [lab.geometry().bottom() + 10 for lab in (self.title, self.title_b) if lab.isVisibleTo(self)]
        top = min(max(tops, default=0), h // 3)
        lows = [self.legend.y()] if self.legend.isVisibleTo(self) else []
        if self.camera_bar.isVisibleTo(self):
            lows.append(self.camera_bar.y() - self.view.y())
        bottom = min(h - min(lows) + 6, h // 4) if lows else 0
        return top, bottom

    def _place_floor(self) -> None:
        """The grid lies just under the lowest drawn joint of everything shown (faint ones too)."""
        box = self._bounds()
        shown = self._shown()
        floors = [d.floor for d in shown if d.floor is not None]
        if box is None or not floors:
            lo, hi, floor = np.array([-1, -1, -2], np.float64), np.array([1, 1, 1], np.float64), -2.5
        else:
            lo, hi = box
            floor = min(floors)
        extent = float(max(hi[0] - lo[0], hi[2] - lo[2], 1e-6))
        spacing = _nice_step(extent / 4)
        floor -= 0.03 * extent
        cx, cy = float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2)
        for grid in self.grids.values():
            grid.set_grid(8 * extent, spacing)
            grid.resetTransform()
            grid.translate(cx, cy, floor)

    def _camera_moved(self) -> None:
        """Linked cameras: a user move in one view is copied to the other."""
        src = self.sender()
        if not isinstance(src, GLView):
            return
        cam = src.camera()
        for v in (self.view, self.view_b):
            if v is not src:
                v.set_camera(cam)
                v.user_moved_camera = True

    # ---- overlays ------------------------------------------------------------------------
    def _overlay_label(self, parent: QtWidgets.QWidget, name: str) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        label.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        label.setWordWrap(True)
        return label

    def _make_camera_bar(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget(self)
        bar.setObjectName("camera_bar")
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(4, 4, 4, 4)
        row.setSpacing(2)
        self._actions: list[QtGui.QAction] = []
        for key, p in PRESETS.items():
            act = QtGui.QAction(p.label, self)
            act.setObjectName(f"camera_{key}")
            act.setShortcut(QtGui.QKeySequence(p.shortcut))
            act.setToolTip(f"{p.label} ({p.shortcut})")
            act.triggered.connect(lambda _=False, k=key: self.set_camera(k))
            self._actions.append(act)
        reset = QtGui.QAction("Reset view", self)
        reset.setObjectName("camera_reset")
        reset.setToolTip("Front view, framed (R)")
        reset.triggered.connect(lambda _=False: self.frame_camera())
        self._actions.append(reset)
        for act in self._actions:
            button = QtWidgets.QToolButton(bar)
            button.setDefaultAction(act)
            button.setText("Reset" if act is reset else act.text().replace("Signer's view", "Signer"))
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            row.addWidget(button)
        return bar

    def _overlays(self) -> list[QtWidgets.QWidget]:
        return [self.title, self.title_b, self.legend, self.camera_bar]

    def _apply_theme(self) -> None:
        dark = self._theme_forced
        if dark is None:
            dark = self.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128
        theme = DARK if dark else LIGHT
        changed = theme is not self._theme
        self._theme = theme
        for v in (self.view, self.view_b):
            v.setBackgroundColor(theme.background)
            self.grids[v].set_color(theme.grid)
        self.separator.setStyleSheet(f"background: {theme.muted};")
        style = (
            f"QLabel {{ color: {theme.text}; background: {theme.panel};"
            " border-radius: 6px; padding: 6px 9px; }"
        )
        for label in (self.title, self.title_b, self.legend):
            label.setStyleSheet(style)
        self.camera_bar.setStyleSheet(
            f"QWidget#camera_bar {{ background: {theme.panel}; border-radius: 6px; }}"
            f" QToolButton {{ color: {theme.text}; background: transparent; border: none;"
            " padding: 3px 6px; border-radius: 4px; }"
            " QToolButton:hover { background: rgba(128, 128, 128, 90); }"
        )
        if changed and (self.generated is not None or self.reference is not None):
            self._arrange()  # colours of the face differ per theme
        else:
            self._caption()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange and self._theme_forced is None:
            self._apply_theme()
        super().changeEvent(event)

    def _badge(self, text: str, color: str) -> str:
        return (
            f"<span style='color:{color}; font-size:12px; font-weight:700; letter-spacing:1px;'>"
            f"{html.escape(text.upper())}</span>"
        )

    def _block(self, seq: PoseSequence, kind_line: str, big: bool = True) -> str:
        """Badge line, the text signed (large), the sign language, then (unless the view is
        narrow) layout, frames and duration, and a user file's name."""
        t = self._theme
        meta = seq.meta
        out = [kind_line]
        text = meta.get("text") or meta.get("gloss")
        if text:
            size = (16 if self._compact else 19) if big else 14
            out.append(
                f"<span style='font-size:{size}px; font-weight:600;'>“{html.escape(str(text))}”</span>"
            )
        lines = describe(seq, with_kind=False)
        rest = lines[1:] if text else lines
        lang = rest[0] if meta.get("sign_language") and rest else None
        if lang is not None:
            out.append(html.escape(lang))
            rest = rest[1:]
        if not self._compact and rest:
            out.append(f"<span style='color:{t.muted}; font-size:11px;'>{html.escape(rest[0])}</span>")
            if len(rest) > 1 and reference_kind(seq) == "user file":
                out.append(f"<span style='color:{t.muted}; font-size:11px;'>{html.escape(rest[1])}</span>")
        return "<br>".join(out)

    def _ghost_caption(self, gen: PoseSequence, ref: PoseSequence) -> str:
        """One view, two skeletons: which is solid (generated), which translucent (reference)."""
        t = self._theme

        def head(seq: PoseSequence, badge: str, look: str, size: int) -> str:
            text = seq.meta.get("text") or seq.meta.get("gloss")
            said = (
                f"&nbsp; <span style='font-size:{size}px; font-weight:600;'>“{html.escape(str(text))}”</span>"
            )
            return badge + f"<span style='color:{t.muted};'> · {look}</span>" + (said if text else "")

        out = [
            head(gen, self._badge(GENERATED, t.generated), "solid", 16),
            head(ref, self._badge(f"reference · {reference_kind(ref)}", t.reference), "translucent", 14),
        ]
        langs = []
        for seq in (gen, ref):
            lines = describe(seq, with_kind=False)
            rest = lines[1:] if (seq.meta.get("text") or seq.meta.get("gloss")) else lines
            if seq.meta.get("sign_language") and rest and rest[0] not in langs:
                langs.append(rest[0])
            if not self._compact and len(rest) > (1 if seq.meta.get("sign_language") else 0):
                facts = rest[1] if seq.meta.get("sign_language") else rest[0]
                who = GENERATED if seq is gen else "reference"
                langs.append(
                    f"<span style='color:{t.muted}; font-size:11px;'>{who}: {html.escape(facts)}</span>"
                )
        out.extend(line if line.startswith("<span") else html.escape(line) for line in langs)
        return "<br>".join(out)

    def _caption(self) -> None:
        """Say in each view what it shows: generated or reference, and which kind of reference."""
        t = self._theme
        gen, ref = self.generated, self.reference
        side = self.view_b.isVisibleTo(self)
        if gen is None and ref is None:
            self.title.setText(self._badge("nothing to show", t.muted) + "<br>Open a file or generate a sign")
        elif gen is not None and ref is None:
            self.title.setText(self._block(gen, self._badge(GENERATED, t.generated)))
        elif gen is None and ref is not None:
            self.title.setText(self._block(ref, self._badge(reference_kind(ref), t.reference)))
        elif side:
            assert gen is not None and ref is not None
            self.title.setText(self._block(gen, self._badge(GENERATED, t.generated)))
            self.title_b.setText(
                self._block(ref, self._badge(f"reference · {reference_kind(ref)}", t.reference))
            )
        else:
            assert gen is not None and ref is not None
            self.title.setText(self._ghost_caption(gen, ref))
        on = self._overlays_on
        self.title.setVisible(on)
        self.title_b.setVisible(side and on)
        self.legend.setVisible(on)
        self.camera_bar.setVisible(on and self._buttons_on)
        self.legend.setText(self._legend_html())
        self._place_overlays()

    def _legend_html(self) -> str:
        t = self._theme
        if self._heat is not None:
            stops = ((0.0, "0"), (HEAT_FULL / 2, f"{HEAT_FULL / 2:g}"), (HEAT_FULL, f"≥ {HEAT_FULL:g}"))
            chips = []
            for value, label in stops:
                r, g, b = (int(255 * c) for c in heat_colors(np.array([value]))[0])
                chips.append(f"<span style='color: rgb({r},{g},{b}); font-size: 15px;'>●</span>&nbsp;{label}")
            line = "joint error vs reference (shoulder widths): " + "&nbsp;&nbsp;".join(chips)
            note = (
                f"<br><span style='color:{t.muted};'>{html.escape(self._heat_note)}</span>"
                if self._heat_note
                else ""
            )
            return f"<span style='font-size:11px;'>{line}{note}</span>" if self._compact else line + note
        palette = {**GROUP_COLORS, **t.colors}
        chips = []
        for group, label in GROUP_LABELS.items():
            r, g, b = palette[group]
            dot = f"<span style='color: rgb({r},{g},{b}); font-size: 15px;'>●</span>"
            chips.append(f"{dot}&nbsp;{label.replace(' ', '&nbsp;')}")  # never split "right hand"
        sep = "&nbsp;&nbsp;" if self._compact else "&nbsp;&nbsp;&nbsp;"
        if self._compact:
            return f"<span style='font-size:11px;'>{sep.join(chips)}</span>"
        note = "faint = low confidence · missing points are not drawn"
        return sep.join(chips) + f"<br><span style='color:{t.muted};'>{note}</span>"

    def _place_overlays(self) -> None:
        """Captions top-left of their views, legend bottom-left, camera buttons bottom-right (the
        legend steps up above the buttons when the two do not fit side by side)."""
        margin = 10
        compact = min(self.view.width(), self.view.height()) < COMPACT_WIDTH
        if compact != self._compact:
            self._compact = compact
            self._caption()  # re-words the labels, then comes back here
            return
        for label, view in ((self.title, self.view), (self.title_b, self.view_b), (self.legend, self.view)):
            _fit_label(label, max(view.width() - 2 * margin, 80))
        self.title.move(margin, margin)
        self.title_b.move(margin, margin)
        bar = self.camera_bar
        bar.adjustSize()
        bar.move(self.width() - bar.width() - margin, self.height() - bar.height() - margin)
        bar.raise_()
        legend_y = self.view.height() - self.legend.height() - margin
        bar_left_in_view = bar.x() - self.view.x()
        if bar.isVisibleTo(self) and margin + self.legend.width() + 6 > bar_left_in_view:
            legend_y = bar.y() - self.view.y() - self.legend.height() - 6
        self.legend.move(margin, legend_y)

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize and obj in (self.view, self.view_b):
            self._place_overlays()
            if obj is self.view and not self.view.user_moved_camera:
                self.frame_camera(self.preset)
        return super().eventFilter(obj, event)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_overlays()


def _fit_label(label: QtWidgets.QLabel, max_width: int) -> None:
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


def _nice_step(x: float) -> float:
    """1, 2 or 5 times a power of ten, the closest not above ``x``."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    base = 10.0**exp
    for m in (5, 2, 1):
        if m * base <= x:
            return m * base
    return base
