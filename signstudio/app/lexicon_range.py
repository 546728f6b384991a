"""The frame range marked on the timeline for Add to lexicon… (Lexicon → Mark range start ``I``,
Mark range end ``O``, Clear range; also in the timeline's context menu).

    marks = RangeMarks(timeline)        # draws the range over the timeline's frame slider
    marks.mark_start(12); marks.mark_end(40)
    marks.range(num_frames)             # (12, 41): half-open, the end frame included; None: unmarked

Decisions: a mark alone gives the range from it to the clip's end (start only) or from the clip's
start (end only); marks set the wrong way round are swapped; a new sequence on screen clears them
(they belong to the clip they were set on); the range is drawn as a band over the slider, the
slider still takes every click (the band is transparent to the mouse).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

BAND_COLOUR = QtGui.QColor(64, 160, 255, 70)
EDGE_COLOUR = QtGui.QColor(32, 120, 230)


class RangeBand(QtWidgets.QWidget):
    """A transparent overlay on the timeline's slider that shades the marked frames."""

    def __init__(self, slider: QtWidgets.QAbstractSlider, marks: RangeMarks) -> None:
        super().__init__(slider)
        self.setObjectName("lexicon_range_band")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_NoSystemBackground)
        self.slider = slider
        self.marks = marks
        slider.installEventFilter(self)
        self.setGeometry(slider.rect())

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.slider and event.type() == QtCore.QEvent.Type.Resize:
            self.setGeometry(self.slider.rect())
        return False

    def _x(self, value: int) -> float:
        value_x = getattr(self.slider, "value_x", None)  # the timeline's MarkedSlider maps frames
        if callable(value_x):
            return float(value_x(value))
        lo, hi = self.slider.minimum(), self.slider.maximum()
        return self.width() * (value - lo) / max(1, hi - lo)

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        span = self.marks.range(self.slider.maximum() + 1)
        if span is None:
            return
        x0, x1 = self._x(span[0]), self._x(span[1] - 1)
        painter = QtGui.QPainter(self)
        rect = QtCore.QRectF(min(x0, x1) - 3, 1, abs(x1 - x0) + 6, self.height() - 2)
        painter.fillRect(rect, BAND_COLOUR)
        painter.setPen(QtGui.QPen(EDGE_COLOUR, 2))
        painter.drawLine(QtCore.QPointF(rect.left(), rect.top()), QtCore.QPointF(rect.left(), rect.bottom()))
        painter.drawLine(
            QtCore.QPointF(rect.right(), rect.top()), QtCore.QPointF(rect.right(), rect.bottom())
        )
        painter.end()


class RangeMarks(QtCore.QObject):
    """The marks (frames, inclusive) and their band; ``changed`` fires on every change."""

    changed = QtCore.Signal()

    def __init__(
        self, slider: QtWidgets.QAbstractSlider | None, parent: QtCore.QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.start: int | None = None
        self.end: int | None = None
        self.band = RangeBand(slider, self) if slider is not None else None
        self.changed.connect(self._repaint)

    def _repaint(self) -> None:
        if self.band is not None:
            self.band.raise_()
            self.band.update()

    def mark_start(self, frame: int) -> None:
        self.start = max(0, int(frame))
        self.changed.emit()

    def mark_end(self, frame: int) -> None:
        self.end = max(0, int(frame))
        self.changed.emit()

    def clear(self) -> None:
        if self.start is not None or self.end is not None:
            self.start = self.end = None
            self.changed.emit()

    def range(self, num_frames: int) -> tuple[int, int] | None:
        """The marked frames as a half-open range within ``num_frames`` (None: nothing marked)."""
        if (self.start is None and self.end is None) or num_frames < 1:
            return None
        last = num_frames - 1
        a = min(self.start if self.start is not None else 0, last)
        b = min(self.end if self.end is not None else last, last)
        a, b = sorted((a, b))
        return a, b + 1

    def describe(self, num_frames: int, fps: float) -> str:
        span = self.range(num_frames)
        if span is None:
            return "No range marked: Add to lexicon… takes the whole clip"
        a, b = span
        return f"Range: frames {a}–{b - 1} ({(b - a) / max(fps, 1e-6):.2f} s) for Add to lexicon…"


__all__ = ["RangeBand", "RangeMarks"]
