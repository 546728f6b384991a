"""The timeline's strip of per-frame curves (pyqtgraph) with a cursor on the current frame.

Curves are grouped into stacked rows, one row per ``Curve.group``, all sharing one frame axis;
each row's title (group and unit) heads its legend, in a column of its own at the right:

     2 ┤   ╱╲    │     ╱╲                    │ speed (m/s)
       │  ╱  ╲___│____╱  ╲___                │ ━━ left wrist
     0 ┤_________│___________________________│ ━━ right wrist
     1 ┤‾‾‾‾‾‾‾‾‾│‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾          │ confidence
     0 ┤_____[37 · 1.48 s]___________________│ ━━ confidence
       0        25        50        75     frame

Why rows and not a second y axis: each quantity keeps its own y range and a y label that can only
belong to it (confidence 0–1, wrist speed in m/s, a per-frame FGD or DTW cost on whatever scale it
has), nothing is drawn over anything else, and a new kind of score is one more ``group`` — no
layout change, where a second axis stops at two units. The left axes share one column, so every
row's frame 0 and frame F−1 sit at the same pixels, and the legends sit in their own column at
the right, never over the data (and, unlike rotated axis labels, readable however short a row is).

Nothing is cut or stacked on a small screen: a row's y labels are at least 1.6 text lines apart
(one label at least per row), the legend column is as wide as its longest line ("left hand (ref)
(no data)"), and the cursor's frame tag turns inward at either end of the strip.

Cheap by construction: curve data is set only in `CurveStrip.set_curves`; following the clock
(`set_frame`) only moves one `InfiniteLine` per row (and the frame tag on the bottom one). Ranges
are fixed when the curves or the length change — no auto-range runs while playing.

One repaint per new result: a result with the same rows only puts its data into the existing
items, rewrites only the legends whose text changed (a legend keeps the legend column's width,
so the layout does not move), and brings the rows' view transforms up to the new ranges at once
(pyqtgraph would do that at the start of the next paint and then need a second one). That one
paint comes `PAINT_DELAY_MS` after the data, in a turn of the event loop of its own, so the
window's stall while a result is applied is the longer of the views' repaint and the strip's,
not their sum. `tests/app/test_apply_result.py` counts the strip's paints for real results.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

ColorLike = str | tuple[int, int, int] | tuple[int, int, int, int] | QtGui.QColor

#: Colours for curves that do not bring their own (qualitative, distinct on light and dark;
#: `readable` then nudges each one to contrast with the actual background).
DEFAULT_COLORS: tuple[tuple[int, int, int], ...] = (
    (80, 160, 255),
    (255, 140, 40),
    (40, 200, 120),
    (230, 80, 140),
    (170, 120, 255),
    (200, 180, 40),
)

ROW_MIN_HEIGHT = 44
ROW_HINT_HEIGHT = 76
LEFT_AXIS_WIDTH = 44
LEGEND_WIDTH = 132  # the legend column's least width; it widens to its longest line
LEGEND_MAX_WIDTH = 240
TICK_GAP_LINES = 1.6  # labelled y ticks at least this many text lines apart
#: New data is painted this much later than it is set, in a turn of the event loop of its own
#: (not in the same repaint as the 3D views of the result that brought it)
PAINT_DELAY_MS = 12


@dataclass(frozen=True, eq=False)
class Curve:
    """One per-frame curve for the strip.

    values   (F,) floats, one per frame of the clock; NaN leaves a gap (frames with no data).
    color    any colour pyqtgraph understands ("#ff8c28", (r, g, b), QColor); None picks one.
    unit     shown in the row's y label, e.g. "m/s"; "" for unitless scores.
    group    curves with the same group share a row and its y axis (e.g. "speed",
             "confidence", "FGD"); "" uses the curve's key.
    label    the legend text; "" uses the curve's key.
    y_range  a fixed y range for the row (e.g. (0, 1) for confidence); None fits the data.
    """

    values: np.ndarray
    color: ColorLike | None = None
    unit: str = ""
    group: str = ""
    label: str = ""
    y_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(f"a curve holds one value per frame, got shape {values.shape}")
        values = np.where(np.isfinite(values), values, np.nan)  # ±inf is a gap too
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        if self.y_range is not None:
            lo, hi = (float(v) for v in self.y_range)
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise ValueError(f"y_range must be two finite numbers, low < high, got {self.y_range}")
            object.__setattr__(self, "y_range", (lo, hi))


def _luminance(c: QtGui.QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QtGui.QColor, b: QtGui.QColor) -> float:
    """WCAG contrast ratio of two colours (1 = none, 21 = black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(color: QtGui.QColor, background: QtGui.QColor, minimum: float = 3.0) -> QtGui.QColor:
    """``color`` darkened (on a light background) or lightened (on a dark one) until it has
    at least ``minimum`` contrast with ``background`` (3:1, WCAG's bar for graphics)."""
    out = QtGui.QColor(color)
    light_bg = _luminance(background) > 0.4
    for _ in range(12):
        if contrast(out, background) >= minimum:
            break
        out = out.darker(115) if light_bg else out.lighter(115)
    return out


class _CursorTag(pg.InfLineLabel):
    """The frame tag on the cursor: "37 · 1.48 s" in the highlight colour."""

    def __init__(self, line: pg.InfiniteLine, strip: CurveStrip) -> None:
        self._strip = strip
        super().__init__(line, text="", position=0.0, anchors=[(0.5, 1.0), (0.5, 1.0)])

    def valueChanged(self) -> None:
        if not self.isVisible():
            return
        self.setText(self._strip.cursor_text())
        self.updatePosition()

    def updatePosition(self) -> None:
        """Centred on the cursor, except near either end of the strip, where the tag turns to the
        inside so that it is never cut (frame 0, the last frames)."""
        super().updatePosition()
        vb = self.line.getViewBox()
        if vb is None:
            return
        lo, hi = vb.viewRange()[0]
        width = vb.width()
        if hi <= lo or width <= 0:
            return
        x = (self.line.value() - lo) / (hi - lo) * width
        half = self.textItem.boundingRect().width() / 2
        self.setAnchor((0.0 if x < half else 1.0 if width - x < half else 0.5, 1.0))


class _SeekViewBox(pg.ViewBox):
    """A view box that turns clicks and drags into seeks instead of pan/zoom."""

    def __init__(self, strip: CurveStrip) -> None:
        super().__init__(enableMenu=False, enableMouse=False)
        self._strip = strip

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self._strip._seek_to_x(self.mapSceneToView(ev.scenePos()).x())
        else:
            ev.ignore()

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        if ev.isStart():
            self._strip.scrub_started.emit()
        self._strip._seek_to_x(self.mapSceneToView(ev.scenePos()).x())
        if ev.isFinish():
            self._strip.scrub_finished.emit()

    def wheelEvent(self, ev: Any, axis: int | None = None) -> None:
        ev.ignore()


class _RowAxis(pg.AxisItem):
    """A row's left axis: one level of labelled ticks, at least `TICK_GAP_LINES` text lines apart,
    so that the labels of a short row never stack on each other (pyqtgraph spaces ticks by a
    density that ignores the font)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or size <= 0 or maxVal <= minVal:
            return levels
        line = QtGui.QFontMetricsF(self.style.get("tickFont") or self.font()).height()
        per_px = (maxVal - minVal) / size
        need = TICK_GAP_LINES * line * per_px  # the value step that spans the gap
        step = 10.0 ** math.floor(math.log10(need)) if need > 0 else levels[0][0]
        for factor in (1.0, 2.0, 5.0, 10.0):
            if step * factor >= need:
                step *= factor
                break
        step = max(levels[0][0], step)
        # A label is drawn only where it fits whole: keep one at least, on a finer step if need be
        # (a single label in the row cannot stack on another).
        lo, hi = minVal + line * per_px / 2, maxVal - line * per_px / 2
        for finer in (step, step / 2, step / 5, step / 10):
            if math.floor(hi / finer) - math.ceil(lo / finer) + 1 >= 1:
                return [(finer, 0.0)]
        return [(step, 0.0)]


class _Legend(pg.LabelItem):
    """A row's legend at a fixed width (the legend column's, `CurveStrip._fit_legends`).

    pyqtgraph's label sets its least and preferred width to its text's after every resize, over
    a fixed width: the strip's layout then swung between the two on each new result and
    repainted the strip twice more. Here the width is the column's (or the text's, if wider),
    the height the text's, and the layout is told only when one of them changed."""

    fixed_width = float(LEGEND_WIDTH)
    _hint: tuple[float, float] | None = None

    def set_width(self, width: float) -> None:
        self.fixed_width = float(width)
        self.updateMin()

    def updateMin(self) -> None:
        text = self.itemRect()  # never narrower than its text: a legend is not cut
        hint = (max(self.fixed_width, float(text.width())), float(text.height()))
        if hint == self._hint:
            return
        self._hint = hint
        w, h = hint
        self.setMinimumSize(w, h)
        self.setMaximumWidth(w)
        hints = QtCore.Qt.SizeHint
        self._sizeHint = {
            hints.MinimumSize: (w, h),
            hints.PreferredSize: (w, h),
            hints.MaximumSize: (w, -1),
            hints.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


class _Row:
    """One stacked row: a left axis, a view box, a cursor line, a legend."""

    def __init__(self, strip: CurveStrip, name: str) -> None:
        self.name = name
        self.axis = _RowAxis("left")
        self.axis.setWidth(LEFT_AXIS_WIDTH)
        self.view = _SeekViewBox(strip)
        self.view.setMinimumHeight(ROW_MIN_HEIGHT)
        self.view.disableAutoRange()
        self.axis.linkToView(self.view)
        self.cursor = pg.InfiniteLine(pos=0, angle=90, movable=False)
        self.view.addItem(self.cursor, ignoreBounds=True)
        self.legend = _Legend("", justify="left")
        self.items: dict[str, pg.PlotCurveItem] = {}
        self.labels: dict[str, str] = {}
        self.title = name  # the group and its unit(s), shown above the legend entries
        self.legend_html = ""  # what the legend was last given (it is written only on a change)


class CurveStrip(pg.GraphicsLayoutWidget):
    """Stacked rows of per-frame curves sharing a frame axis, with a cursor on the clock's frame.

    Signals: ``seek_requested(frame)`` when the user clicks or drags in the plot,
    ``scrub_started()`` / ``scrub_finished()`` around a drag.
    """

    seek_requested = QtCore.Signal(int)
    scrub_started = QtCore.Signal()
    scrub_finished = QtCore.Signal()
    #: the plot area moved or resized, or its x range changed (the timeline re-aligns its slider)
    plot_geometry_changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curve_strip")
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # keys belong to the window
        self.viewport().setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.setToolTip("Click or drag to move to a frame")
        self.viewport().setCursor(QtCore.Qt.CursorShape.SizeHorCursor)
        self.ci.setContentsMargins(2, 4, 6, 2)
        self.ci.setSpacing(0)
        self.ci.layout.setVerticalSpacing(3)

        self._num_frames = 1
        self._fps = 25.0
        self._frame = 0
        self._curves: dict[str, Curve] = {}
        self._rows: list[_Row] = []
        self.frame_axis = pg.AxisItem("bottom")
        self.empty_text = pg.TextItem()
        self._tag: _CursorTag | None = None
        self.data_uploads = 0  # how many times curve data went to pyqtgraph (tests: not per frame)
        self._build_rows()

    # ---- public API ------------------------------------------------------------------------
    @property
    def curves(self) -> dict[str, Curve]:
        return dict(self._curves)

    @property
    def rows(self) -> list[str]:
        """The row (group) names top to bottom; one empty-named row when there are no curves."""
        return [row.name for row in self._rows]

    @property
    def row_titles(self) -> list[str]:
        """Each row's title as its legend shows it: the group, with the unit(s) in brackets."""
        return [row.title for row in self._rows]

    @property
    def curve_items(self) -> dict[str, pg.PlotCurveItem]:
        return {key: item for row in self._rows for key, item in row.items.items()}

    @property
    def cursor_lines(self) -> list[pg.InfiniteLine]:
        return [row.cursor for row in self._rows]

    def view_box(self, row: int = 0) -> pg.ViewBox:
        return self._rows[row].view

    def set_curves(self, curves: Mapping[str, Curve]) -> None:
        """Show ``curves`` (key -> Curve), replacing what was shown. Rows follow the groups in
        the order their first curve appears."""
        for key, curve in curves.items():
            if not isinstance(curve, Curve):
                raise TypeError(f"curve {key!r} is a {type(curve).__name__}, not a Curve")
        new = dict(curves)
        self._hold_paint()
        if self._same_layout(new):
            self._curves = new
            self._update_data()  # same rows and keys: new data into the existing items
        else:
            self._curves = new
            self._build_rows()

    def clear_curves(self) -> None:
        self.set_curves({})

    def _hold_paint(self) -> None:
        """Paint what changes now `PAINT_DELAY_MS` later, once: a new result's views repaint in
        one turn of the event loop and the strip in another, instead of one long stall."""
        viewport = self.viewport()
        if self.isVisible() and viewport.updatesEnabled():
            viewport.setUpdatesEnabled(False)
            QtCore.QTimer.singleShot(PAINT_DELAY_MS, self, self._release_paint)

    def _release_paint(self) -> None:
        self.viewport().setUpdatesEnabled(True)  # repaints the strip (Qt updates it whole)

    def set_length(self, num_frames: int, fps: float | None = None) -> None:
        """The clock's frame count (the x range is frames 0 .. num_frames - 1) and fps."""
        num_frames = max(1, int(num_frames))
        changed = num_frames != self._num_frames
        self._num_frames = num_frames
        if fps is not None:
            self.set_fps(fps)
        if changed:
            self._apply_x_range()

    def set_fps(self, fps: float) -> None:
        self._fps = float(fps)
        self._update_tag()

    def set_frame(self, frame: int) -> None:
        """Move the cursor — the only thing that changes per frame."""
        frame = int(frame)
        if frame == self._frame:
            return
        self._frame = frame
        for row in self._rows:
            row.cursor.setValue(frame)

    def cursor_text(self) -> str:
        return f"{self._frame} · {self._frame / self._fps:.2f} s"

    def frame_at_x(self, x: float) -> int:
        """The frame nearest to view x, clamped to the sequence."""
        return min(max(round(x), 0), self._num_frames - 1)

    def frame_to_widget_x(self, frame: float) -> float:
        """Horizontal pixel (in this widget) where ``frame`` is drawn."""
        # From the view range and the box's geometry (both current as soon as it is resized),
        # not from the view transform, which pyqtgraph only brings up to date when it paints.
        vb = self._rows[0].view
        (x_lo, x_hi), rect = vb.viewRange()[0], vb.sceneBoundingRect()
        scene_x = rect.left() + (frame - x_lo) / (x_hi - x_lo) * rect.width()
        return float(self.mapFromScene(QtCore.QPointF(scene_x, rect.top())).x())

    # ---- internals -------------------------------------------------------------------------
    def _same_layout(self, new: Mapping[str, Curve]) -> bool:
        """True when ``new`` has the same keys, groups, units and y ranges as what is shown."""
        old = self._curves
        if not old or list(old) != list(new):
            return False
        return all(
            (old[k].group, old[k].unit, old[k].y_range, old[k].label, str(old[k].color))
            == (new[k].group, new[k].unit, new[k].y_range, new[k].label, str(new[k].color))
            for k in new
        )

    def _update_data(self) -> None:
        for row in self._rows:
            for key, item in row.items.items():
                values = self._curves[key].values
                item.setData(np.arange(len(values), dtype=np.float64), values)
                self.data_uploads += 1
        self._apply_x_range()
        self._apply_y_ranges()
        self._set_legends()  # legends say "(no data)" by the data; the colours stay

    def _seek_to_x(self, x: float) -> None:
        self.seek_requested.emit(self.frame_at_x(x))

    def _build_rows(self) -> None:
        self.ci.clear()
        self._rows = []
        # Fresh items each time: the old ones die with the old rows' view boxes.
        self.frame_axis = pg.AxisItem("bottom")
        self.frame_axis.setLabel("frame")
        self.frame_axis.setHeight(36)
        self.empty_text = pg.TextItem("no per-frame curves", anchor=(0.5, 0.5))
        groups: dict[str, list[str]] = {}
        for key, curve in self._curves.items():
            groups.setdefault(curve.group or key, []).append(key)
        if not groups:
            groups = {"": []}
        for r, (group, keys) in enumerate(groups.items()):
            row = _Row(self, group)
            self.ci.addItem(row.axis, row=r, col=0)
            self.ci.addItem(row.view, row=r, col=1)
            self.ci.addItem(row.legend, row=r, col=2)
            row.view.sigResized.connect(self._emit_geometry)
            if self._rows:
                row.view.setXLink(self._rows[0].view)
            for key in keys:
                curve = self._curves[key]
                item = pg.PlotCurveItem(antialias=False, connect="finite", skipFiniteCheck=True)
                # Rendered once into a pixmap (again only on resize or new data): moving the
                # cursor over it repaints from the cache instead of re-rasterising the path.
                item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
                item.setData(np.arange(len(curve.values), dtype=np.float64), curve.values)
                self.data_uploads += 1
                row.view.addItem(item)
                row.items[key] = item
                row.labels[key] = curve.label or key
            units = sorted({self._curves[k].unit for k in keys if self._curves[k].unit})
            if units:
                row.title = f"{group} ({', '.join(units)})"
            self._rows.append(row)
            row.cursor.setValue(self._frame)
        if not self._curves:  # a frame ruler: the cursor, the axis, click to seek
            self._rows[0].view.addItem(self.empty_text, ignoreBounds=True)
            self._rows[0].axis.setStyle(showValues=False)
        last = len(self._rows)
        self.ci.addItem(self.frame_axis, row=last, col=1)
        self.frame_axis.linkToView(self._rows[-1].view)
        for col, stretch in ((0, 0), (1, 1), (2, 0)):
            self.ci.layout.setColumnStretchFactor(col, stretch)
        for r in range(last):
            self.ci.layout.setRowStretchFactor(r, 1)
        self.ci.layout.setRowStretchFactor(last, 0)
        self._tag = _CursorTag(self._rows[-1].cursor, self)
        # Emptying the layout shrank the central item to its minimum: fill the view again.
        self.ci.setGeometry(self.range)
        self._apply_x_range()
        self._apply_y_ranges()
        self._apply_style()
        self.setMinimumHeight(len(self._rows) * (ROW_MIN_HEIGHT + 3) + 44)
        self.updateGeometry()

    def sizeHint(self) -> QtCore.QSize:
        rows = len(self.__dict__.get("_rows") or [None])
        return QtCore.QSize(640, rows * (ROW_HINT_HEIGHT + 3) + 44)

    def _emit_geometry(self, *_: object) -> None:
        self.plot_geometry_changed.emit()

    def resizeEvent(self, ev: QtGui.QResizeEvent) -> None:
        super().resizeEvent(ev)
        self.plot_geometry_changed.emit()

    def _apply_x_range(self) -> None:
        hi = max(self._num_frames - 1, 1)
        for row in self._rows:
            row.view.setXRange(0, hi, padding=0.005)
        self.empty_text.setPos(hi / 2, 0.5)
        self._settle()
        self.plot_geometry_changed.emit()

    def _settle(self) -> None:
        """Bring each row's view transform up to its new range now. pyqtgraph defers that to the
        start of the next paint, and the items it moves then ask for a second paint: a new
        result's strip would be painted twice (autorange is off here, so nothing else moves)."""
        for row in self._rows:
            row.view.updateMatrix()

    def _apply_y_ranges(self) -> None:
        for row in self._rows:
            curves = [self._curves[k] for k in row.items]
            fixed = [c.y_range for c in curves if c.y_range is not None]
            if fixed:
                lo, hi = min(f[0] for f in fixed), max(f[1] for f in fixed)
            else:
                finite = [c.values[np.isfinite(c.values)] for c in curves]
                data = np.concatenate(finite) if finite else np.zeros(0)
                if data.size:
                    lo, hi = float(data.min()), float(data.max())
                    lo = min(lo, 0.0) if lo >= 0 else lo  # magnitudes start at zero
                else:
                    lo, hi = 0.0, 1.0
                if hi - lo < 1e-12:
                    lo, hi = lo - 0.5, hi + 0.5
            row.view.setYRange(lo, hi, padding=0.08)
        self._settle()

    def _update_tag(self) -> None:
        if self._tag is not None:
            self._tag.valueChanged()

    def _apply_style(self) -> None:
        """Colours from the widget's palette (re-run when the palette changes)."""
        pal = self.palette()
        base = pal.color(QtGui.QPalette.ColorRole.Base)
        text = pal.color(QtGui.QPalette.ColorRole.WindowText)
        highlight = pal.color(QtGui.QPalette.ColorRole.Highlight)
        on_highlight = pal.color(QtGui.QPalette.ColorRole.HighlightedText)
        muted = QtGui.QColor(text)
        muted.setAlphaF(0.55)
        grid = QtGui.QColor(text)
        grid.setAlphaF(0.10)
        self.setBackground(pal.color(QtGui.QPalette.ColorRole.Window))
        cursor = readable(highlight, base, 3.0)
        for r, row in enumerate(self._rows):
            row.view.setBackgroundColor(base)
            row.view.setBorder(pg.mkPen(grid, width=1))
            row.axis.setPen(pg.mkPen(muted))
            row.axis.setTextPen(pg.mkPen(text))
            row.axis.setGrid(28 if row.items else False)
            row.cursor.setPen(pg.mkPen(cursor, width=2))
            for key, item in row.items.items():
                item.setPen(pg.mkPen(self._curve_color(r, key, base), width=2))
            row.legend_html = ""  # the palette changed: written again below
        self._set_legends()
        self.frame_axis.setPen(pg.mkPen(muted))
        self.frame_axis.setTextPen(pg.mkPen(text))
        self.empty_text.setColor(muted)
        if self._tag is not None:
            self._tag.fill = pg.mkBrush(cursor)
            self._tag.setColor(on_highlight if contrast(on_highlight, cursor) >= 3 else text)
            self._tag.valueChanged()

    def _curve_color(self, r: int, key: str, base: QtGui.QColor) -> QtGui.QColor:
        """The colour curve ``key`` of row ``r`` is drawn in on ``base`` (its own or a default)."""
        curve = self._curves[key]
        i = list(self._rows[r].items).index(key)
        default = DEFAULT_COLORS[(r + 3 * i) % len(DEFAULT_COLORS)]
        return readable(pg.mkColor(curve.color if curve.color is not None else default), base)

    def _set_legends(self) -> None:
        """Each row's legend (title, then a coloured line and the label per curve, "(no data)"
        after a curve without any); a legend is written only when its text changed: writing one
        re-lays the strip out, and a new result of the same rows mostly keeps every legend."""
        pal = self.palette()
        base = pal.color(QtGui.QPalette.ColorRole.Base)
        text = pal.color(QtGui.QPalette.ColorRole.WindowText)
        muted = QtGui.QColor(text)
        muted.setAlphaF(0.55)
        no_data = f" <span style='color:{muted.name(QtGui.QColor.NameFormat.HexArgb)}'>(no data)</span>"
        for r, row in enumerate(self._rows):
            lines = [f"<b>{html.escape(row.title)}</b>"] if row.title else []
            for key in row.items:
                color = self._curve_color(r, key, base)
                name = html.escape(row.labels[key])
                if not np.isfinite(self._curves[key].values).any():
                    name += no_data
                lines.append(f"<span style='color:{color.name()}; font-weight:900'>━━</span>&nbsp;{name}")
            legend = "<br>".join(lines) + text.name()
            if legend != row.legend_html:
                row.legend_html = legend
                row.legend.setText("<br>".join(lines), color=text.name(), size="9pt")
        self._fit_legends()

    def _fit_legends(self) -> None:
        """One legend column as wide as its longest line (within LEGEND_WIDTH..LEGEND_MAX_WIDTH),
        so "left hand (ref) (no data)" is not cut."""
        natural = max((row.legend.item.boundingRect().width() for row in self._rows), default=0.0)
        width = int(min(max(natural + 6, LEGEND_WIDTH), LEGEND_MAX_WIDTH))
        for row in self._rows:
            if row.legend.fixed_width != width:
                row.legend.set_width(width)

    def changeEvent(self, ev: QtCore.QEvent) -> None:
        super().changeEvent(ev)
        if self.__dict__.get("_rows") and ev.type() in (
            QtCore.QEvent.Type.PaletteChange,
            QtCore.QEvent.Type.ApplicationPaletteChange,
        ):
            self._apply_style()
