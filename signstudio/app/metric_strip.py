"""The metric strip under a rendered video frame: the timeline's DTW and FGD-style rows, painted.

A video has no timeline, so `signstudio render --strip` stacks this under every viewport frame:

    ┌──────────────┬──────────────────────────────────────────────────────┐
    │ DTW cost     │      ╱╲        ┃     ╱╲                        max │
    │ 0.15 sh. w.  │ ____╱  ╲_______┃____╱  ╲____________________       │
    │ FGD-style    │        ╱‾‾‾‾╲  ┃                                   │
    │ 44.5         │ ______╱      ╲_┃___________________________       │
    │              │ 0 s       [frame 37 · 1.48 s]               4.6 s │
    └──────────────┴──────────────────────────────────────────────────────┘

Both curves span the whole sequence (so the viewer sees where it goes wrong before it happens), a
cursor marks the current frame, and the label column reads each score at the cursor. Colours and
labels are the studio timeline's (`signstudio.app.window` builds those rows), y axes start at 0
like the timeline's magnitudes. Painted with QPainter on a QImage: no OpenGL, no widget.

Cheap per frame: everything but the cursor, its tag and the two readings is painted once in the
constructor; `MetricStrip.image` copies that and paints the moving parts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui

from signstudio.runner.scoring import PairScores

#: The strip's height for a 640×360 video; other sizes scale with the video's height.
BASE_HEIGHT = 90
BASE_VIDEO_HEIGHT = 360
#: The timeline's colours for these rows (`SignStudioWindow._curves`).
DTW_COLOR = "#e0503c"
FGD_COLOR = "#b070ff"


def strip_height(video_height: int) -> int:
    """Pixel height of the strip under a ``video_height`` frame (even: yuv420p needs even sizes)."""
    h = round(BASE_HEIGHT * video_height / BASE_VIDEO_HEIGHT)
    return max(48, h + (h % 2))


@dataclass(frozen=True)
class _Row:
    title: str
    unit: str
    color: QtGui.QColor
    values: np.ndarray | None  # (N,) float64, NaN gaps; None: not computed
    plot: QtCore.QRectF
    top: float  # y of the value 0 .. value `top` spans the plot's height


class MetricStrip:
    """The DTW and FGD-style rows of ``scores`` as an image ``width`` × `height` for any frame.

    scores: a `PairScores` of the generated sequence (N = ``scores.n_gen`` frames) against its
    reference; a curve it lacks (no FGD encoder, no reference) is drawn as "no data".
    fps: the generated sequence's frame rate (the time under the cursor).
    """

    def __init__(
        self,
        scores: PairScores,
        width: int,
        height: int | None = None,
        fps: float = 25.0,
        dark: bool = True,
    ) -> None:
        from signstudio.app.curves import readable
        from signstudio.app.viewport.colours import DARK_COLOURS, LIGHT_COLOURS

        theme = DARK_COLOURS if dark else LIGHT_COLOURS
        self.width = int(width)
        self.height = int(height) if height is not None else strip_height(round(width * 9 / 16))
        self.n = max(1, int(scores.n_gen))
        self.fps = float(fps)
        s = self.height / BASE_HEIGHT  # everything scales with the strip's height
        self._s = s
        bg = QtGui.QColor(*theme.background)
        # a shade off the viewport's background, so the strip reads as a panel of its own
        self._bg = bg.darker(135) if dark else bg.darker(106)
        self._plot_bg = bg
        self._text = QtGui.QColor(theme.text)
        self._muted = QtGui.QColor(theme.muted)
        self._grid = QtGui.QColor(self._text)
        self._grid.setAlphaF(0.14)
        self._cursor = QtGui.QColor(self._text)

        pad = 6 * s
        label_w = min(128 * s, 0.3 * self.width)
        self._band = 17 * s  # the bottom band: time labels and the cursor's tag
        gap = 4 * s
        x0, x1 = label_w, self.width - pad
        row_h = (self.height - pad - self._band - gap) / 2
        self._rows: list[_Row] = []
        specs = (
            ("DTW cost", "sh. w.", DTW_COLOR, scores.dtw_curve),
            ("FGD-style", "", FGD_COLOR, scores.fgd_curve),
        )
        for r, (title, unit, color, values) in enumerate(specs):
            v = None if values is None else np.asarray(values, np.float64).reshape(-1)
            if v is not None and (len(v) != self.n or not np.isfinite(v).any()):
                v = None  # not on this sequence's frames (or empty): say so rather than guess
            top = 1.0
            if v is not None:
                hi = float(np.nanmax(np.where(np.isfinite(v), v, np.nan)))
                top = hi * 1.12 if hi > 0 else 1.0  # headroom: a peak never touches the border
            rect = QtCore.QRectF(x0, pad + r * (row_h + gap), x1 - x0, row_h)
            self._rows.append(_Row(title, unit, readable(QtGui.QColor(color), bg), v, rect, top))
        self._base = self._paint_base()

    # ---- geometry ----------------------------------------------------------------------------
    def frame_x(self, frame: float) -> float:
        """Horizontal pixel of ``frame``'s centre (frames 0 .. N-1 span the plots' width)."""
        plot = self._rows[0].plot
        if self.n == 1:
            return plot.center().x()
        return plot.left() + frame / (self.n - 1) * plot.width()

    def _y(self, row: _Row, value: float) -> float:
        return row.plot.bottom() - min(max(value / row.top, 0.0), 1.0) * row.plot.height()

    # ---- painting ----------------------------------------------------------------------------
    def _font(self, px: float, bold: bool = False) -> QtGui.QFont:
        font = QtGui.QFont()
        font.setPixelSize(max(7, round(px)))
        font.setBold(bold)
        return font

    def _paint_base(self) -> QtGui.QImage:
        s = self._s
        image = QtGui.QImage(self.width, self.height, QtGui.QImage.Format.Format_RGB32)
        image.fill(self._bg)
        p = QtGui.QPainter(image)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        try:
            p.setPen(QtGui.QPen(self._grid, 1))
            p.drawLine(QtCore.QPointF(0, 0.5), QtCore.QPointF(self.width, 0.5))  # the seam
            for row in self._rows:
                p.fillRect(row.plot, self._plot_bg)
                p.setPen(QtGui.QPen(self._grid, 1))
                p.drawRect(row.plot)
                p.setFont(self._font(12 * s, bold=True))
                p.setPen(row.color)
                p.drawText(
                    QtCore.QRectF(6 * s, row.plot.top(), row.plot.left() - 10 * s, row.plot.height() / 2),
                    QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignBottom,
                    row.title,
                )
                if row.values is None:
                    p.setFont(self._font(10.5 * s))
                    p.setPen(self._muted)
                    p.drawText(row.plot, QtCore.Qt.AlignmentFlag.AlignCenter, "no data")
                    continue
                self._paint_curve(p, row)
                # the row's scale (the axis starts at 0), on a patch so a peak under it stays legible
                font = self._font(9 * s)
                text = f"max {self._fmt(row, float(np.nanmax(row.values)))}"
                tw = QtGui.QFontMetricsF(font).horizontalAdvance(text) + 6 * s
                label = QtCore.QRectF(row.plot.right() - tw - 1, row.plot.top() + 1, tw, 11 * s)
                patch = QtGui.QColor(self._plot_bg)
                patch.setAlphaF(0.8)
                p.fillRect(label, patch)
                p.setFont(font)
                p.setPen(self._muted)
                p.drawText(label, QtCore.Qt.AlignmentFlag.AlignCenter, text)
            band = self._band_rect()
            p.setFont(self._font(9.5 * s))
            p.setPen(self._muted)
            # how to read both rows, for someone who has not met the metrics
            p.drawText(
                QtCore.QRectF(6 * s, band.top(), band.left() - 10 * s, band.height()),
                QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter,
                "lower = closer to ref.",
            )
            p.drawText(band, QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter, "0 s")
            p.drawText(
                band,
                QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter,
                f"{self.n / self.fps:.1f} s",
            )
        finally:
            p.end()
        return image

    def _band_rect(self) -> QtCore.QRectF:
        plot = self._rows[0].plot
        return QtCore.QRectF(plot.left(), self.height - self._band, plot.width(), self._band)

    def _paint_curve(self, p: QtGui.QPainter, row: _Row) -> None:
        assert row.values is not None
        v = row.values
        ok = np.isfinite(v)
        # one filled polygon and one line per run of finite values (NaN: a gap, as in the timeline)
        edges = np.flatnonzero(np.diff(np.r_[0, ok.astype(np.int8), 0]))
        fill = QtGui.QColor(row.color)
        fill.setAlphaF(0.28)
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            xs = [self.frame_x(i) for i in range(start, stop)]
            ys = [self._y(row, float(v[i])) for i in range(start, stop)]
            if len(xs) == 1:  # a lone frame: a short level stroke, visible at any length
                half = max(2.0 * self._s, 0.5 * row.plot.width() / self.n)
                xs, ys = [xs[0] - half, xs[0] + half], [ys[0], ys[0]]
            line = QtGui.QPolygonF([QtCore.QPointF(x, y) for x, y in zip(xs, ys, strict=True)])
            area = QtGui.QPolygonF(line)
            area.append(QtCore.QPointF(xs[-1], row.plot.bottom()))
            area.append(QtCore.QPointF(xs[0], row.plot.bottom()))
            p.setPen(QtCore.Qt.PenStyle.NoPen)
            p.setBrush(fill)
            p.drawPolygon(area)
            p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            p.setPen(
                QtGui.QPen(
                    row.color,
                    1.6 * self._s,
                    c=QtCore.Qt.PenCapStyle.RoundCap,
                    j=QtCore.Qt.PenJoinStyle.RoundJoin,
                )
            )
            p.drawPolyline(line)

    @staticmethod
    def _fmt(row: _Row, value: float) -> str:
        """Three significant digits or so: 0.147, 2.31, 44.5, 131."""
        a = abs(value)
        digits = 0 if a >= 100 else 1 if a >= 10 else 2 if a >= 1 else 3
        return f"{value:.{digits}f}"

    def image(self, frame: int) -> QtGui.QImage:
        """The strip with the cursor on ``frame`` (clamped to the sequence): RGB32, width × height."""
        s = self._s
        frame = min(max(int(frame), 0), self.n - 1)
        image = self._base.copy()
        p = QtGui.QPainter(image)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        try:
            x = self.frame_x(frame)
            top, bottom = self._rows[0].plot.top(), self._rows[-1].plot.bottom()
            p.setPen(QtGui.QPen(self._cursor, 1.6 * s))
            p.drawLine(QtCore.QPointF(x, top), QtCore.QPointF(x, bottom))
            for row in self._rows:
                value = None if row.values is None else float(row.values[frame])
                reading = "no data" if row.values is None else "—"
                if value is not None and math.isfinite(value):
                    reading = self._fmt(row, value) + (f" {row.unit}" if row.unit else "")
                    # a dot where the cursor meets the curve: the value read in the label column
                    p.setPen(QtGui.QPen(self._bg, 1.2 * s))
                    p.setBrush(row.color)
                    p.drawEllipse(QtCore.QPointF(x, self._y(row, value)), 3.2 * s, 3.2 * s)
                p.setFont(self._font(11 * s))
                p.setPen(self._text if row.values is not None else self._muted)
                p.drawText(
                    QtCore.QRectF(
                        6 * s, row.plot.center().y(), row.plot.left() - 10 * s, row.plot.height() / 2
                    ),
                    QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop,
                    reading,
                )
            self._paint_tag(p, frame, x)
        finally:
            p.end()
        return image

    def _paint_tag(self, p: QtGui.QPainter, frame: int, x: float) -> None:
        """ "frame 37 · 1.48 s" on the cursor, in the bottom band, kept inside the plot's width."""
        s = self._s
        text = f"frame {frame} · {frame / self.fps:.2f} s"
        font = self._font(10 * s, bold=True)
        p.setFont(font)
        band = self._band_rect()
        w = QtGui.QFontMetricsF(font).horizontalAdvance(text) + 10 * s
        h = band.height() - 3 * s
        left = min(max(x - w / 2, band.left()), band.right() - w)
        rect = QtCore.QRectF(left, band.top() + 1.5 * s, w, h)
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(self._cursor)
        p.drawRoundedRect(rect, 3 * s, 3 * s)
        p.setPen(self._bg)
        p.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, text)

    def rgb(self, frame: int) -> np.ndarray:
        """`image` as a (height, width, 3) uint8 array, for a video writer."""
        img = self.image(frame).convertToFormat(QtGui.QImage.Format.Format_RGB888)
        stride = img.bytesPerLine()
        buf = np.frombuffer(img.constBits(), np.uint8, count=stride * self.height).reshape(
            self.height, stride
        )
        # a copy: without stride padding the slice would be a view of ``img``, freed on return
        return buf[:, : 3 * self.width].reshape(self.height, self.width, 3).copy()


__all__ = ["DTW_COLOR", "FGD_COLOR", "MetricStrip", "strip_height"]
