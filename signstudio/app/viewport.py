"""The 3D viewport: skeletons on a floor grid, a caption saying what is shown, a colour legend.

Each skeleton is exactly two GL items — one `GLLinePlotItem` in ``mode='lines'`` holding every
bone and one `GLScatterPlotItem` holding every joint — fed from a `SkeletonGeometry` frame
cache. Data reaches the GPU only when the shown frame changes (see `SkeletonItems.show`).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph.opengl as gl
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.geometry import SkeletonGeometry
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUP_COLORS

BACKGROUND = (26, 29, 34)
GRID_COLOR = (255, 255, 255, 38)
LINE_WIDTH = 3.0
#: Camera: slightly from above, straight in front of the signer (display space is z-up; the
#: signer faces -y, so the camera sits at azimuth -90°).
CAMERA_ELEVATION = 8.0
CAMERA_AZIMUTH = -90.0
FRAME_MARGIN = 1.12

GROUP_LABELS = {"body": "body", "left_hand": "left hand", "right_hand": "right hand", "face": "face"}


class GLView(gl.GLViewWidget):
    """A `GLViewWidget` that counts its paints and remembers whether the user moved the camera."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.paint_count = 0
        self.user_moved_camera = False
        self.setBackgroundColor(BACKGROUND)
        self.setMinimumSize(320, 240)

    def paintGL(self) -> None:
        super().paintGL()
        self.paint_count += 1

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent) -> None:
        if ev.buttons() != QtCore.Qt.MouseButton.NoButton:
            self.user_moved_camera = True
        super().mouseMoveEvent(ev)

    def wheelEvent(self, ev: QtGui.QWheelEvent) -> None:
        self.user_moved_camera = True
        super().wheelEvent(ev)


class SkeletonItems:
    """The two GL items of one skeleton and the frame they show."""

    def __init__(self, geometry: SkeletonGeometry) -> None:
        self.geometry = geometry
        self.lines = gl.GLLinePlotItem(
            mode="lines", width=LINE_WIDTH, antialias=True, glOptions="translucent"
        )
        self.points = gl.GLScatterPlotItem(pxMode=True, glOptions="translucent")
        self.shown_frame: int | None = None
        self.uploads = 0  # how many times data was handed to the items (tests check dirtiness)

    @property
    def items(self) -> tuple[gl.GLLinePlotItem, gl.GLScatterPlotItem]:
        return self.lines, self.points

    def show(self, frame: int) -> bool:
        """Show ``frame``; returns whether anything was uploaded (False when it is already shown)."""
        if frame == self.shown_frame:
            return False
        geo = self.geometry.frame(frame)
        self.lines.setData(pos=geo.line_pos, color=geo.line_color)
        self.points.setData(pos=geo.point_pos, color=geo.point_color, size=geo.point_size)
        self.shown_frame = frame
        self.uploads += 1
        return True


@dataclass
class Layer:
    """One skeleton in the scene: its geometry, GL items and on-screen name."""

    name: str
    seq: PoseSequence
    items: SkeletonItems
    label: gl.GLTextItem | None = None


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
    facts.append(f"layout {seq.layout}")
    facts.append(f"{seq.num_frames} frames at {seq.fps:g} fps ({seq.duration:.2f} s)")
    lines.append(" · ".join(facts))
    source = meta.get("source")
    if source and not meta.get("joined_from"):  # a join's source is only its first clip
        lines.append(str(source).replace("\\", "/").rsplit("/", 1)[-1])
    return lines


class Viewport(QtWidgets.QWidget):
    """The GL view plus two overlay labels (caption top-left, legend bottom-left)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Viewport")
        self.view = GLView(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.grid = gl.GLGridItem(color=GRID_COLOR)
        self.view.addItem(self.grid)
        self.layers: list[Layer] = []
        self._bounds: tuple[np.ndarray, np.ndarray] | None = None

        self.caption = self._overlay_label("caption")
        self.legend = self._overlay_label("legend")
        self.legend.setText(self._legend_html())
        self.view.installEventFilter(self)

    # ---- overlays ------------------------------------------------------------------------
    def _overlay_label(self, name: str) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(self.view)
        label.setObjectName(name)
        label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        label.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        label.setStyleSheet(
            "QLabel { color: #e8e8e8; background: rgba(0, 0, 0, 110);"
            " border-radius: 6px; padding: 8px 10px; }"
        )
        return label

    @staticmethod
    def _legend_html() -> str:
        chips = []
        for group, label in GROUP_LABELS.items():
            r, g, b = GROUP_COLORS[group]
            chips.append(f"<span style='color: rgb({r},{g},{b}); font-size: 15px;'>●</span>&nbsp;{label}")
        return (
            "&nbsp;&nbsp;&nbsp;".join(chips)
            + "<br><span style='color:#9aa0a6;'>faint = low confidence · missing points are not drawn</span>"
        )

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if obj is self.view and event.type() == QtCore.QEvent.Type.Resize:
            self._place_overlays()
            if not self.view.user_moved_camera:
                self.frame_camera()
        return super().eventFilter(obj, event)

    def _place_overlays(self) -> None:
        margin = 12
        for label in (self.caption, self.legend):
            label.adjustSize()
        self.caption.move(margin, margin)
        self.legend.move(margin, self.view.height() - self.legend.height() - margin)

    def set_caption(self, html_text: str) -> None:
        self.caption.setText(html_text)
        self._place_overlays()
        if not self.view.user_moved_camera:
            self.frame_camera()

    # ---- scene ---------------------------------------------------------------------------
    def set_layers(self, seqs: list[tuple[str, PoseSequence]]) -> None:
        """Replace the scene: one skeleton per (name, sequence), side by side from left to right."""
        for layer in self.layers:
            for item in layer.items.items:
                self.view.removeItem(item)
            if layer.label is not None:
                self.view.removeItem(layer.label)
        self.layers = []

        x_cursor: float | None = None
        gap = 0.0
        for name, seq in seqs:
            geo = SkeletonGeometry(seq)
            box = geo.bounds()
            if box is not None and x_cursor is not None:
                lo, hi = box
                width = float(hi[0] - lo[0])
                gap = max(gap, 0.35 * width)
                shift = np.asarray([x_cursor + gap - lo[0], 0.0, 0.0], np.float32)
                geo = SkeletonGeometry(seq, offset=shift)
                box = geo.bounds()
            if box is not None:
                x_cursor = float(box[1][0])
            items = SkeletonItems(geo)
            for item in items.items:
                self.view.addItem(item)
            self.layers.append(Layer(name, seq, items))

        self._bounds = self._scene_bounds()
        if len(self.layers) > 1:
            self._add_name_labels()
        self._place_floor()
        self.view.user_moved_camera = False
        self.frame_camera()

    def _scene_bounds(self, confident_only: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
        boxes = [
            b for b in (layer.items.geometry.bounds(confident_only) for layer in self.layers) if b is not None
        ]
        if not boxes:
            return None
        lo = np.min([b[0] for b in boxes], axis=0)
        hi = np.max([b[1] for b in boxes], axis=0)
        return lo, hi

    def _add_name_labels(self) -> None:
        for layer in self.layers:
            box = layer.items.geometry.bounds()
            if box is None:
                continue
            lo, hi = box
            pos = np.asarray([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, hi[2]], np.float64)
            pos[2] += 0.08 * float(hi[2] - lo[2])
            font = QtGui.QFont()
            font.setPointSize(13)
            font.setBold(True)
            layer.label = gl.GLTextItem(
                pos=pos,
                text=layer.name,
                color=(230, 230, 230),
                font=font,
                alignment=QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignBottom,
            )
            self.view.addItem(layer.label)

    def _place_floor(self) -> None:
        """The grid lies under the lowest drawn joint (faint ones too: nothing sinks into it)."""
        if self._bounds is None:
            return
        lo, hi = self._bounds
        everything = self._scene_bounds(confident_only=False)
        bottom = float(min(lo[2], everything[0][2])) if everything is not None else float(lo[2])
        extent = float(max(hi[0] - lo[0], hi[2] - lo[2], 1e-6))
        spacing = _nice_step(extent / 4)
        size = 8 * extent  # reaches towards the horizon: a depth cue behind the signer
        n = max(2, math.ceil(size / spacing))
        n += n % 2
        self.grid.setSpacing(spacing, spacing, spacing)
        self.grid.setSize(n * spacing, n * spacing, 1)
        centre = (lo + hi) / 2
        self.grid.resetTransform()
        floor = bottom - 0.02 * float(hi[2] - lo[2])
        self.grid.translate(float(centre[0]), float(centre[1]), floor)

    def frame_camera(self) -> None:
        """Point the camera at the scene from the front so that all confident joints fit.

        The scene is fitted into the band below the caption, so that the caption never covers it.
        """
        self.view.user_moved_camera = False
        if self._bounds is None:
            return
        lo, hi = self._bounds
        centre = (lo + hi) / 2
        width = float(hi[0] - lo[0])
        height = float(hi[2] - lo[2])
        if len(self.layers) > 1:
            height *= 1.12  # room for the names above the heads
            centre[2] += 0.06 * float(hi[2] - lo[2])
        depth = float(hi[1] - lo[1])
        w, h = max(self.view.width(), 1), max(self.view.height(), 1)
        top = min(self.caption.geometry().bottom() + 8, h // 3) if self.caption.text() else 0
        band = max(h - top - 8, 1)
        fov = float(self.view.opts["fov"])
        tan_h = math.tan(math.radians(fov) / 2)
        tan_v = tan_h * h / w
        dist = max(width / 2 / tan_h, height / 2 / (tan_v * band / h), 1e-6) * FRAME_MARGIN + depth / 2
        # Look above the scene's centre by the band's offset from the view's centre.
        offset_px = (top + band / 2) - h / 2
        centre[2] += offset_px / h * 2 * (dist - depth / 2) * tan_v
        self.view.setCameraPosition(
            pos=QtGui.QVector3D(float(centre[0]), float(centre[1]), float(centre[2])),
            distance=dist,
            elevation=CAMERA_ELEVATION,
            azimuth=CAMERA_AZIMUTH,
        )

    def show_time(self, seconds: float) -> int:
        """Show, in every layer, the frame at ``seconds``; returns how many layers uploaded data."""
        changed = 0
        for layer in self.layers:
            changed += layer.items.show(layer.items.geometry.frame_at_time(seconds))
        return changed


def caption_html(layers: list[tuple[str, PoseSequence]]) -> str:
    """The corner caption: what each skeleton is, the first one's text largest."""
    parts = []
    for n, (name, seq) in enumerate(layers):
        lines = describe(seq, with_kind=len(layers) == 1 or name != reference_kind(seq))
        head = ""
        if len(layers) > 1:
            head = f"<span style='color:#9aa0a6;'>{html.escape(name)}:</span> "
        first, rest = (lines[0], lines[1:]) if lines and lines[0].startswith("“") else ("", lines)
        style = f"font-size:{22 if n == 0 else 15}px; font-weight:600;"
        block = []
        if first:
            block.append(f"{head}<span style='{style}'>{html.escape(first)}</span>")
            head = ""
        for i, line in enumerate(rest):
            color = "#e8e8e8" if i == 0 else "#9aa0a6"
            block.append(f"{head}<span style='color:{color};'>{html.escape(line)}</span>")
            head = ""
        parts.append("<br>".join(block))
    return "<br><br>".join(parts)


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
