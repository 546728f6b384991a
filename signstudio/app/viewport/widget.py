"""`Viewport`: the widget of the 3D view (see the package docstring for what it shows and how)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.viewport.captions import (
    badge,
    caption_block,
    describe,
    ghost_caption,
    group_legend,
    heat_legend,
)
from signstudio.app.viewport.colours import DARK_COLOURS, LIGHT_COLOURS
from signstudio.app.viewport.floor_grid import GLFloorGrid
from signstudio.app.viewport.glview import GLView
from signstudio.app.viewport.overlays import (
    fit_label,
    make_camera_actions,
    make_camera_bar,
    overlay_label,
    overlay_styles,
)
from signstudio.app.viewport.slots import SkeletonSlot
from signstudio.avatar.mesh import AvatarMesh
from signstudio.pose.sequence import PoseSequence
from signstudio.session.camera import (
    AXES,
    DEFAULT_PRESET,
    PRESETS,
    Camera,
    CameraPose,
    Preset,
    Ray,
    camera_ray,
    drag_point,
    fit_pose,
    mesh_box,
    pick_point,
    signing_space,
)
from signstudio.session.geometry import DisplaySkeleton, display_skeleton, heat_colors

MODES = ("side-by-side", "ghost")
#: what represents a sequence: its skeleton, its avatar, or the avatar translucent around the skeleton
BODY_MODES = ("skeleton", "avatar", "both")
#: below this view width or height (pixels) captions and legend are shortened
COMPACT_WIDTH = 420
SELECTED_COLOR = (1.0, 0.2, 0.9)  # magenta: no group colour and no heat colour is near it
#: content box (display space) framed when nothing is shown
EMPTY_BOX = (np.array([-1.5, -0.5, -2.5], np.float64), np.array([1.5, 0.5, 0.8], np.float64))


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

        #: the one camera of both views (side by side, they are linked)
        self.camera = Camera()
        self.grids = {}
        for v in (self.view, self.view_b):
            grid = GLFloorGrid()
            grid.setDepthValue(-10)
            v.addItem(grid)
            self.grids[v] = grid
            v.painted.connect(self.painted)
            v.link_camera(self.camera)
            v.installEventFilter(self)
        self.main = SkeletonSlot(self.view, depth=0)
        self.ghost = SkeletonSlot(self.view, depth=10, ghost=True)
        self.side = SkeletonSlot(self.view_b, depth=0)
        #: more views beside the main one (`signstudio.app.compare_views`): painted, grabbed and
        #: framed with the others; their owner fills and captions them
        self.extra_views: list[GLView] = []
        self.extra_slots: list[SkeletonSlot] = []
        self.extra_overlays: list[QtWidgets.QWidget] = []

        self.generated: PoseSequence | None = None
        self.reference: PoseSequence | None = None
        self.mode = "side-by-side"
        self.frames = (0, 0)
        self._colours = DARK_COLOURS
        self._dark_forced: bool | None = None
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

        self.title = overlay_label(self.view, "title")
        self.title_b = overlay_label(self.view_b, "title_reference")
        self.legend = overlay_label(self.view, "legend")
        self._actions = make_camera_actions(self, self.set_camera, self.frame_camera)
        self.camera_bar = make_camera_bar(self, self._actions)
        self._apply_colours()
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
            self._displays[(id(seq), self._colours.background)] = new
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
        return camera_ray(self.view.pose(), max(self.view.width(), 1), max(self.view.height(), 1), x, y)

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
                "normal": self.view.pose().forward,
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
        if not self.view.user_moved_camera:  # the avatar is framed on the signing space
            self.frame_camera(self.preset)
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
        if mesh is not None and not self.view.user_moved_camera:
            self.frame_camera(self.preset)  # the avatar reaches beyond the joints: frame it
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
            self.camera.set_preset(preset)
        elif not keep_direction:
            self.camera.set_preset(DEFAULT_PRESET)
        self.camera.set_pose(self._fit(PRESETS[self.camera.preset]))
        self._place_floor()

    @property
    def preset(self) -> str:
        """The camera preset the views were last framed from (a key of `PRESETS`)."""
        return self.camera.preset

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
        self._dark_forced = dark
        self._apply_colours()

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
        extra = [v for v in self.extra_views if v.isVisibleTo(self)]
        return [self.view, *extra, self.view_b] if self.view_b.isVisibleTo(self) else [self.view, *extra]

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
        """The sequence's `DisplaySkeleton` in the current colours (kept while it is shown, so that
        switching modes does not recompute its normalisation and bounds)."""
        key = (id(seq), self._colours.background)
        hit = self._displays.get(key)
        if hit is not None and hit.seq is seq:
            return hit
        disp = display_skeleton(seq, self._colours.colors)
        self._displays = {
            k: d for k, d in self._displays.items() if d.seq is self.generated or d.seq is self.reference
        }
        self._displays[key] = disp
        return disp

    def _shown(self) -> list[DisplaySkeleton]:
        slots = (self.main, self.ghost, self.side, *self.extra_slots)
        return [s.display for s in slots if s.display is not None]

    def _bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        boxes = [(d.lo, d.hi) for d in self._shown() if d.lo is not None and d.hi is not None]
        if not boxes:
            return None
        return np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)

    def _fit(self, preset: Preset) -> CameraPose:
        """Camera looking from ``preset`` at the content, fitted into the main view's free band."""
        lo, hi = self._bounds() or EMPTY_BOX
        if self.body_mode != "skeleton" and all(d.how == "shoulders" for d in self._shown()):
            meshes = [(d, self._avatars.get(id(d.seq))) for d in self._shown()]
            boxes = [mesh_box(d.to_display(m.vertices[::4].reshape(-1, 3))) for d, m in meshes if m]
            lo, hi = signing_space(lo, hi, boxes)  # the avatar's skull and flesh lie beyond the joints
        view = self.view
        reserved = self._reserved_bands(max(view.height(), 1))
        return fit_pose(lo, hi, preset, float(view.opts["fov"]), view.width(), view.height(), reserved)

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
        for grid in self.grids.values():
            grid.place(lo, hi, floor)

    # ---- overlays ------------------------------------------------------------------------
    def _overlays(self) -> list[QtWidgets.QWidget]:
        return [self.title, self.title_b, *self.extra_overlays, self.legend, self.camera_bar]

    def _apply_colours(self) -> None:
        """The dark or light `ViewColours` (forced, or after the palette) on views and overlays."""
        dark = self._dark_forced
        if dark is None:
            dark = self.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128
        colours = DARK_COLOURS if dark else LIGHT_COLOURS
        changed = colours is not self._colours
        self._colours = colours
        for v in (self.view, self.view_b):
            v.setBackgroundColor(colours.background)
            self.grids[v].set_color(colours.grid)
        self.separator.setStyleSheet(f"background: {colours.muted};")
        label_style, bar_style = overlay_styles(colours)
        for label in (self.title, self.title_b, self.legend):
            label.setStyleSheet(label_style)
        self.camera_bar.setStyleSheet(bar_style)
        if changed and (self.generated is not None or self.reference is not None):
            self._arrange()  # colours of the face differ per look
        else:
            self._caption()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.PaletteChange and self._dark_forced is None:
            self._apply_colours()
        super().changeEvent(event)

    def _caption(self) -> None:
        """Say in each view what it shows (`signstudio.session.captions.describe_view`: from the
        sequence's meta, never from the view it is in): the shown sequence, and its reference."""
        t, compact = self._colours, self._compact
        gen, ref = self.generated, self.reference
        side = self.view_b.isVisibleTo(self)
        if gen is None and ref is None:
            self.title.setText(badge("nothing to show", t.muted) + "<br>Open a file or generate a sign")
        elif gen is not None and ref is not None and not side:
            self.title.setText(ghost_caption(gen, ref, t, compact))
        elif gen is not None:
            self.title.setText(caption_block(gen, "shown", t, compact))
            if ref is not None:
                self.title_b.setText(caption_block(ref, "reference", t, compact))
        else:
            assert ref is not None
            self.title.setText(caption_block(ref, "shown", t, compact))
        on = self._overlays_on
        self.title.setVisible(on)
        self.title_b.setVisible(side and on)
        self.legend.setVisible(on)
        self.camera_bar.setVisible(on and self._buttons_on)
        self.legend.setText(self._legend_html())
        self._place_overlays()

    def _legend_html(self) -> str:
        if self._heat is not None:
            return heat_legend(self._colours, self._heat_note, self._compact)
        return group_legend(self._colours, self._compact)

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
            fit_label(label, max(view.width() - 2 * margin, 80))
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
