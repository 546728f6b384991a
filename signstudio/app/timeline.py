"""The timeline: transport, a frame scrubber, and the strip of per-frame curves under it.

    [⏮] [‹] [▶] [›] [⏭]   frame 37 / 116 · 1.48 s / 4.64 s              [⟲ Loop] [1× ▾]
              ━━━━━━━━━━━━━━━━━━━━━━━━━━●━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━  (the scrubber)
    speed     ╱╲_____│___╱╲___                                            ▬ left wrist
    conf.     ‾‾‾‾‾‾‾│‾‾‾‾‾‾‾‾                                            ▬ confidence
              0      [37 · 1.48 s]     50               100               frame

A view of the session's `Clock`: user input goes to the clock and the widgets follow the clock's
events (never the other way round), so keyboard, slider, strip and playback stay in step. The
scrubber is laid out so that its handle sits exactly above the strip's cursor.

Scrubbing is rate-limited: slider moves and drags in the strip are coalesced so that the clock
(and so the 3D view) changes at most once per `SCRUB_INTERVAL_MS`; the first move applies at once,
and the last position the user dragged to always lands. Dragging while playing holds playback
and resumes it on release.

Keyboard shortcuts belong to the window: nothing here takes focus. The window calls the slots
(`play_pause`, `step_forward`, `step_back`, `go_first`, `go_last`, `faster`, `slower`, `set_loop`)
or the clock directly. `PlaybackDriver` runs the clock from a Qt timer by the wall clock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.curves import Curve, CurveStrip
from signstudio.session.clock import SPEEDS, Clock

#: Scrub updates are coalesced to at most one frame change per this many ms (~ one 60 Hz paint).
SCRUB_INTERVAL_MS = 16

ICON_SIZE = 20


def speed_text(speed: float) -> str:
    return f"{speed:g}×"


def _icon(kind: str, color: QtGui.QColor, dpr: float = 2.0) -> QtGui.QIcon:
    """Transport icons drawn in the palette's text colour (the style's bitmaps are dark-only)."""
    s = ICON_SIZE
    pix = QtGui.QPixmap(round(s * dpr), round(s * dpr))
    pix.setDevicePixelRatio(dpr)
    pix.fill(QtCore.Qt.GlobalColor.transparent)
    p = QtGui.QPainter(pix)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.setBrush(color)

    def tri(x0: float, x1: float, top: float = 4.0, bottom: float = 16.0) -> None:
        mid = (top + bottom) / 2
        p.drawPolygon(
            QtGui.QPolygonF([QtCore.QPointF(x0, top), QtCore.QPointF(x1, mid), QtCore.QPointF(x0, bottom)])
        )

    def chevron(left: bool) -> None:
        pen = QtGui.QPen(color, 2.2, c=QtCore.Qt.PenCapStyle.RoundCap, j=QtCore.Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        a, b = (12.0, 7.0) if left else (8.0, 13.0)
        p.drawPolyline(
            QtGui.QPolygonF([QtCore.QPointF(a, 4.5), QtCore.QPointF(b, 10), QtCore.QPointF(a, 15.5)])
        )

    if kind == "play":
        tri(5.5, 16.5, 3.5, 16.5)
    elif kind == "pause":
        p.drawRoundedRect(QtCore.QRectF(5, 4, 3.5, 12), 1, 1)
        p.drawRoundedRect(QtCore.QRectF(11.5, 4, 3.5, 12), 1, 1)
    elif kind == "first":
        p.drawRoundedRect(QtCore.QRectF(4, 4.5, 2.4, 11), 1, 1)
        tri(16, 6.5, 4.5, 15.5)
    elif kind == "last":
        tri(4, 13.5, 4.5, 15.5)
        p.drawRoundedRect(QtCore.QRectF(13.6, 4.5, 2.4, 11), 1, 1)
    elif kind in ("back", "forward"):
        chevron(kind == "back")
    elif kind == "loop":
        pen = QtGui.QPen(color, 2.0, c=QtCore.Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        p.drawArc(QtCore.QRectF(3.5, 4.5, 13, 11), 35 * 16, 290 * 16)
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(color)
        # arrowhead at the arc's start (upper right), pointing up along the arc
        p.drawPolygon(
            QtGui.QPolygonF([QtCore.QPointF(17.8, 3.2), QtCore.QPointF(17.6, 9.4), QtCore.QPointF(12.2, 6.6)])
        )
    p.end()
    return QtGui.QIcon(pix)


def _toggle_icon(kind: str, off: QtGui.QColor, on: QtGui.QColor, dpr: float = 2.0) -> QtGui.QIcon:
    """An icon drawn in ``off`` when unchecked and in ``on`` (the highlight) when checked."""
    icon = QtGui.QIcon()
    size = QtCore.QSize(ICON_SIZE, ICON_SIZE)
    icon.addPixmap(_icon(kind, off, dpr).pixmap(size, dpr), QtGui.QIcon.Mode.Normal, QtGui.QIcon.State.Off)
    icon.addPixmap(_icon(kind, on, dpr).pixmap(size, dpr), QtGui.QIcon.Mode.Normal, QtGui.QIcon.State.On)
    return icon


KEYFRAME_COLOR = QtGui.QColor(255, 196, 0)
FLAG_COLOR = QtGui.QColor(235, 64, 52)


class MarkedSlider(QtWidgets.QSlider):
    """The scrubber, with the document's keyframes (amber diamonds, over the groove) and flagged
    frames (red flags, under it) drawn at their frames; hovering one shows what it is."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(QtCore.Qt.Orientation.Horizontal, parent)
        self.keyframes: list[int] = []
        self.flags: dict[int, str] = {}
        self.setMinimumHeight(26)
        self.setMouseTracking(True)

    def set_marks(self, keyframes: list[int], flags: dict[int, str]) -> None:
        self.keyframes, self.flags = sorted(keyframes), dict(flags)
        self.update()

    def value_x(self, value: int) -> float:
        """Widget x of the handle's centre at ``value``."""
        opt = QtWidgets.QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        cc, sc = QtWidgets.QStyle.ComplexControl.CC_Slider, QtWidgets.QStyle.SubControl
        groove = style.subControlRect(cc, opt, sc.SC_SliderGroove, self)
        hw = style.subControlRect(cc, opt, sc.SC_SliderHandle, self).width()
        span = max(groove.width() - hw, 1)
        return (
            groove.x()
            + hw / 2
            + QtWidgets.QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), value, span)
        )

    def paintEvent(self, ev: QtGui.QPaintEvent) -> None:
        super().paintEvent(ev)
        if not self.keyframes and not self.flags:
            return
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        mid = self.height() / 2
        p.setPen(QtGui.QPen(QtGui.QColor(0, 0, 0, 140), 1))
        p.setBrush(KEYFRAME_COLOR)
        for k in self.keyframes:
            x = self.value_x(k)
            diamond = [QtCore.QPointF(x, mid - 12), QtCore.QPointF(x + 4, mid - 8),
                       QtCore.QPointF(x, mid - 4), QtCore.QPointF(x - 4, mid - 8)]  # fmt: skip
            p.drawPolygon(diamond)
        p.setBrush(FLAG_COLOR)
        for f in self.flags:
            x = self.value_x(f)
            p.drawLine(QtCore.QPointF(x, mid + 3), QtCore.QPointF(x, mid + 12))
            p.drawPolygon(
                [QtCore.QPointF(x, mid + 3), QtCore.QPointF(x + 6, mid + 5.5), QtCore.QPointF(x, mid + 8)]
            )
        p.end()

    def mark_at(self, x: float) -> str:
        """What the mark under widget x is ("" when none)."""
        near = [k for k in self.keyframes if abs(self.value_x(k) - x) <= 5]
        flagged = [f for f in self.flags if abs(self.value_x(f) - x) <= 5]
        parts = [f"keyframe {k}" for k in near] + [
            f"frame {f} flagged" + (f": {self.flags[f]}" if self.flags[f] else "") for f in flagged
        ]
        return " · ".join(parts)

    def event(self, ev: QtCore.QEvent) -> bool:
        if ev.type() == QtCore.QEvent.Type.ToolTip:
            assert isinstance(ev, QtGui.QHelpEvent)
            text = self.mark_at(ev.pos().x())
            if text:
                QtWidgets.QToolTip.showText(ev.globalPos(), text, self)
            else:
                QtWidgets.QToolTip.showText(ev.globalPos(), self.toolTip(), self)
            return True
        return super().event(ev)


class Timeline(QtWidgets.QWidget):
    """Transport row, scrubber and curve strip over a `Clock`."""

    def __init__(self, clock: Clock, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TimelineWidget")
        self.clock = clock
        self.scrub_interval_ms = SCRUB_INTERVAL_MS
        self.scrub_applied = 0  # frame changes the scrubber made (diagnostics, tests)
        self._base_curves: dict[str, Curve] = {}  # the last `set_curves`
        self._extra_curves: dict[str, Curve] = {}  # kept over it (`set_extra_curves`)
        self._hidden_groups: tuple[str, ...] = ()
        self._build_transport()
        self._build_scrubber()
        self._build_layout()
        self._build_timers()
        self._follow_clock()

    def _build_transport(self) -> None:
        """Frame buttons, the frame label, loop and speed."""
        no_focus = QtCore.Qt.FocusPolicy.NoFocus

        def button(name: str, tip: str, slot: object) -> QtWidgets.QToolButton:
            b = QtWidgets.QToolButton(self)
            b.setObjectName(name)
            b.setToolTip(tip)
            b.setIconSize(QtCore.QSize(ICON_SIZE, ICON_SIZE))
            b.setAutoRaise(True)
            b.setFocusPolicy(no_focus)
            b.clicked.connect(slot)
            return b

        self.first_button = button("first", "First frame (Home)", self.go_first)
        self.back_button = button("step_back", "Previous frame (←)", self.step_back)
        self.play_button = button("play", "Play (Space)", self.play_pause)
        self.forward_button = button("step_forward", "Next frame (→)", self.step_forward)
        self.last_button = button("last", "Last frame (End)", self.go_last)
        self.play_button.setIconSize(QtCore.QSize(ICON_SIZE + 4, ICON_SIZE + 4))

        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("frame_label")
        self.label.setToolTip("frame index (0 = first) / number of frames · time / duration")
        font = self.label.font()
        font.setFeature(QtGui.QFont.Tag("tnum"), 1)  # tabular digits: no wobble while playing
        self.label.setFont(font)
        self.label.setMinimumWidth(
            self.label.fontMetrics().horizontalAdvance("frame 00000 / 00000 · 0000.00 s / 0000.00 s") + 8
        )

        self.loop_button = QtWidgets.QToolButton(self)
        self.loop_button.setObjectName("loop")
        self.loop_button.setText("Loop")
        self.loop_button.setCheckable(True)
        self.loop_button.setAutoRaise(True)
        self.loop_button.setFocusPolicy(no_focus)
        self.loop_button.setIconSize(QtCore.QSize(ICON_SIZE, ICON_SIZE))
        self.loop_button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.loop_button.setToolTip("Loop: wrap to the first frame at the end (off: stop on the last)")
        self.loop_button.toggled.connect(self.set_loop)

        self.speed_box = QtWidgets.QComboBox(self)
        self.speed_box.setObjectName("speed")
        self.speed_box.setFocusPolicy(no_focus)
        self.speed_box.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_box.addItem(speed_text(speed), speed)
        self.speed_box.currentIndexChanged.connect(self._speed_chosen)

    def _build_scrubber(self) -> None:
        """The frame slider and, under it, the curve strip (both scrub)."""
        self.slider = MarkedSlider(self)
        self.slider.setObjectName("frame_slider")
        self.slider.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.slider.setToolTip("Drag to scrub · ←/→ one frame · Home/End first/last frame")
        self.slider.valueChanged.connect(self.seek)
        self.slider.sliderPressed.connect(self._scrub_started)
        self.slider.sliderReleased.connect(self._scrub_finished)

        self.strip = CurveStrip(self)
        self.strip.seek_requested.connect(self.seek)
        self.strip.scrub_started.connect(self._scrub_started)
        self.strip.scrub_finished.connect(self._scrub_finished)

    def _build_layout(self) -> None:
        transport = QtWidgets.QHBoxLayout()
        transport.setSpacing(2)
        for b in (
            self.first_button,
            self.back_button,
            self.play_button,
            self.forward_button,
            self.last_button,
        ):
            transport.addWidget(b)
        transport.addSpacing(12)
        transport.addWidget(self.label)
        transport.addStretch(1)
        transport.addWidget(self.loop_button)
        transport.addSpacing(6)
        transport.addWidget(self.speed_box)

        # The slider sits in a row whose margins are set so that its handle is over the cursor.
        self._slider_row = QtWidgets.QHBoxLayout()
        self._slider_row.setContentsMargins(0, 0, 0, 0)
        self._slider_row.addWidget(self.slider)

        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 6)
        column.setSpacing(2)
        column.addLayout(transport)
        column.addLayout(self._slider_row)
        column.addWidget(self.strip, 1)

    def _build_timers(self) -> None:
        """The scrub timer (rate-limits seeks while dragging) and the slider alignment timer."""
        self._pending: int | None = None
        self._resume_after_scrub = False
        self._scrub_timer = QtCore.QTimer(self)
        self._scrub_timer.setSingleShot(True)
        self._scrub_timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._scrub_timer.timeout.connect(self._scrub_tick)
        self._align_timer = QtCore.QTimer(self)
        self._align_timer.setSingleShot(True)
        self._align_timer.timeout.connect(self._align_slider)
        self._align_retries = 0
        self.strip.plot_geometry_changed.connect(self._schedule_align)

    def _follow_clock(self) -> None:
        """Subscribe to the clock's events and show its current state."""
        clock = self.clock
        self._apply_icons()
        clock.frame_changed.connect(self._on_frame)
        clock.playing_changed.connect(self._on_playing)
        clock.length_changed.connect(self._on_length)
        clock.fps_changed.connect(self._on_fps)
        clock.speed_changed.connect(self._on_speed)
        clock.loop_changed.connect(self._on_loop)
        self.strip.set_fps(clock.fps)
        self._on_length(clock.num_frames)
        self._on_playing(clock.playing)
        self._on_speed(clock.speed)
        self._on_loop(clock.loop)

    # ---- curves ----------------------------------------------------------------------------
    def set_curves(self, curves: Mapping[str, Curve]) -> None:
        """Show per-frame curves under the scrubber (see `Curve`); replaces what was shown (the
        rows of `set_extra_curves` stay)."""
        self._base_curves = dict(curves)
        self.strip.set_curves(self._merged(curves))
        self._schedule_align()

    def set_extra_curves(self, curves: Mapping[str, Curve], hide_groups: tuple[str, ...] = ()) -> None:
        """Rows shown with whatever `set_curves` shows, until replaced (model comparison: one DTW
        row per model, `signstudio.app.compare`). The extra rows take the place of the first
        `set_curves` row they replace (same key), or come last; rows of ``hide_groups`` are left
        out meanwhile (the strip keeps its height)."""
        self._extra_curves = dict(curves)
        self._hidden_groups = tuple(hide_groups)
        self.set_curves(self._base_curves)

    def _merged(self, curves: Mapping[str, Curve]) -> dict[str, Curve]:
        extra = self._extra_curves
        out: dict[str, Curve] = {}
        for key, curve in curves.items():
            if key in extra:
                out.update(extra)
            elif (curve.group or key) not in self._hidden_groups:
                out[key] = curve
        out.update({k: c for k, c in extra.items() if k not in out})
        return out

    def clear_curves(self) -> None:
        self.set_curves({})

    def set_marks(self, keyframes: list[int], flags: dict[int, str]) -> None:
        """Keyframes and flagged frames to mark on the scrubber."""
        self.slider.set_marks(keyframes, flags)

    # ---- slots for the window (shortcuts) ------------------------------------------------
    def play_pause(self) -> None:
        self.clock.toggle()

    def step_forward(self) -> None:
        self.clock.step(1)

    def step_back(self) -> None:
        self.clock.step(-1)

    def go_first(self) -> None:
        self.clock.first()

    def go_last(self) -> None:
        self.clock.last()

    def faster(self) -> None:
        self.clock.faster()

    def slower(self) -> None:
        self.clock.slower()

    def set_speed(self, speed: float) -> None:
        self.clock.speed = speed

    def set_loop(self, loop: bool) -> None:
        self.clock.loop = loop

    def seek(self, frame: int) -> None:
        """Rate-limited seek (the scrubber's and the strip's path to the clock).

        Applies at once when nothing was applied in the last `scrub_interval_ms`; otherwise the
        frame waits, replaced by any newer one, until that interval is over.
        """
        self._pending = int(frame)
        if not self._scrub_timer.isActive():
            self._apply_pending()
            self._scrub_timer.start(self.scrub_interval_ms)

    def flush(self) -> None:
        """Apply a waiting scrub position now."""
        self._apply_pending()

    def refresh(self) -> None:
        """Show the clock's state again (after the content changed under the same frame number)."""
        self._on_frame(self.clock.frame)

    def text(self) -> str:
        c = self.clock
        return f"frame {c.frame} / {c.num_frames} · {c.time:.2f} s / {c.duration:.2f} s"

    # ---- scrubbing -------------------------------------------------------------------------
    def _apply_pending(self) -> None:
        if self._pending is None:
            return
        frame, self._pending = self._pending, None
        self.scrub_applied += 1
        self.clock.seek(frame)

    def _scrub_tick(self) -> None:
        if self._pending is not None:
            self._apply_pending()
            self._scrub_timer.start(self.scrub_interval_ms)  # keep the spacing for what follows

    def _scrub_started(self) -> None:
        self._resume_after_scrub = self._resume_after_scrub or self.clock.playing
        self.clock.pause()

    def _scrub_finished(self) -> None:
        self._apply_pending()  # always land on the last position dragged to
        if self._resume_after_scrub:
            self._resume_after_scrub = False
            self.clock.play()

    # ---- clock -> widgets ----------------------------------------------------------------
    def _on_frame(self, frame: int) -> None:
        # While the user drags (or a newer position waits) the handle stays under the mouse.
        if self.slider.value() != frame and not self.slider.isSliderDown() and self._pending is None:
            blocked = self.slider.blockSignals(True)
            self.slider.setValue(frame)
            self.slider.blockSignals(blocked)
        self.strip.set_frame(frame)
        self.label.setText(self.text())

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setIcon(self._icons["pause" if playing else "play"])
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")

    def _on_length(self, num_frames: int) -> None:
        blocked = self.slider.blockSignals(True)
        self.slider.setRange(0, num_frames - 1)
        self.slider.setPageStep(max(1, round(self.clock.fps)))
        self.slider.setValue(self.clock.frame)
        self.slider.blockSignals(blocked)
        self.strip.set_length(num_frames)
        self.strip.set_frame(self.clock.frame)
        for b in (
            self.play_button,
            self.first_button,
            self.back_button,
            self.forward_button,
            self.last_button,
        ):
            b.setEnabled(num_frames > 1)
        self.label.setText(self.text())
        self._schedule_align()

    def _on_fps(self, fps: float) -> None:
        self.slider.setPageStep(max(1, round(fps)))
        self.strip.set_fps(fps)
        self.label.setText(self.text())

    def _on_speed(self, speed: float) -> None:
        index = self.speed_box.findData(speed)
        blocked = self.speed_box.blockSignals(True)
        if index < 0:  # a speed set elsewhere that the list does not offer: show it anyway
            self.speed_box.addItem(speed_text(speed), speed)
            index = self.speed_box.count() - 1
        self.speed_box.setCurrentIndex(index)
        self.speed_box.blockSignals(blocked)

    def _on_loop(self, loop: bool) -> None:
        blocked = self.loop_button.blockSignals(True)
        self.loop_button.setChecked(loop)
        self.loop_button.blockSignals(blocked)

    # ---- widgets -> clock ----------------------------------------------------------------
    def _speed_chosen(self, index: int) -> None:
        speed = self.speed_box.itemData(index)
        if speed is not None:
            self.clock.speed = float(speed)

    # ---- look ------------------------------------------------------------------------------
    def _apply_icons(self) -> None:
        color = self.palette().color(QtGui.QPalette.ColorRole.ButtonText)
        dpr = max(2.0, self.devicePixelRatioF())
        self._icons = {k: _icon(k, color, dpr) for k in ("play", "pause", "first", "last", "back", "forward")}
        self.first_button.setIcon(self._icons["first"])
        self.back_button.setIcon(self._icons["back"])
        self.forward_button.setIcon(self._icons["forward"])
        self.last_button.setIcon(self._icons["last"])
        highlight = self.palette().color(QtGui.QPalette.ColorRole.Highlight)
        self.loop_button.setIcon(_toggle_icon("loop", color, highlight, dpr))
        self._on_playing(self.clock.playing)

    def changeEvent(self, ev: QtCore.QEvent) -> None:
        super().changeEvent(ev)
        if ev.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.ApplicationPaletteChange):
            self._apply_icons()

    def resizeEvent(self, ev: QtGui.QResizeEvent) -> None:
        super().resizeEvent(ev)
        self._schedule_align()

    def showEvent(self, ev: QtGui.QShowEvent) -> None:
        super().showEvent(ev)
        self._schedule_align()

    def _schedule_align(self, *_: object) -> None:
        self._align_retries = 0
        self._align_timer.start(0)

    def _align_slider(self) -> None:
        """Margins for the slider row so that the handle's centre at frame 0 and at the last
        frame falls on the strip's x for those frames."""
        if not self.isVisible() or self.clock.num_frames < 2:
            return
        x0 = self.strip.mapTo(self, QtCore.QPointF(self.strip.frame_to_widget_x(0), 0)).x()
        x1 = self.strip.mapTo(
            self, QtCore.QPointF(self.strip.frame_to_widget_x(self.clock.last_frame), 0)
        ).x()
        if not (math.isfinite(x0) and math.isfinite(x1)) or x1 - x0 < 20:
            if self._align_retries < 10:  # the plot is not laid out yet: look again shortly
                self._align_retries += 1
                self._align_timer.start(30)
            return
        self._align_retries = 0
        opt = QtWidgets.QStyleOptionSlider()
        self.slider.initStyleOption(opt)
        handle = self.style().subControlRect(
            QtWidgets.QStyle.ComplexControl.CC_Slider,
            opt,
            QtWidgets.QStyle.SubControl.SC_SliderHandle,
            self.slider,
        )
        groove = self.style().subControlRect(
            QtWidgets.QStyle.ComplexControl.CC_Slider,
            opt,
            QtWidgets.QStyle.SubControl.SC_SliderGroove,
            self.slider,
        )
        hw = handle.width()
        # handle centre(v) = slider.x + groove.x + hw/2 + v/max * (groove.w - hw)
        inset = groove.x() + hw / 2  # slider's left edge to the handle centre at frame 0
        extra = self.slider.width() - groove.width()  # slider width not in the groove
        left = round(x0 - inset)
        width = round(x1 - x0 + hw + extra)
        row_rect = self._slider_row.geometry()
        margins = (max(0, left - row_rect.x()), 0, max(0, row_rect.right() + 1 - (left + width)), 0)
        if self._slider_row.contentsMargins() != QtCore.QMargins(*margins):
            self._slider_row.setContentsMargins(*margins)


class PlaybackDriver(QtCore.QObject):
    """Runs a `Clock` from a Qt timer while it plays, by the wall clock.

    A single-shot PreciseTimer sleeps exactly until the next frame is due
    (`Clock.time_to_next_frame`, at most ``max_interval_ms``), then calls ``clock.tick()`` —
    which reads the time itself — so frames are shown within ~1 ms of when they are due, late
    ticks drop frames instead of slowing down, and nothing polls while paused. A clock without a
    time source gets ``tick(elapsed)`` with `time.monotonic` differences instead.
    """

    def __init__(self, clock: Clock, parent: QtCore.QObject | None = None, max_interval_ms: int = 50) -> None:
        super().__init__(parent)
        self.clock = clock
        self.max_interval_ms = max_interval_ms
        self.ticks = 0
        self._last = time.monotonic()
        self._in_tick = False
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        clock.playing_changed.connect(self._on_playing)
        for event in (clock.speed_changed, clock.fps_changed, clock.frame_changed, clock.length_changed):
            event.connect(self._reschedule)
        if clock.playing:
            self._on_playing(True)

    def _on_playing(self, playing: bool) -> None:
        if playing:
            self._last = time.monotonic()
            self._schedule()
        else:
            self.timer.stop()

    def _reschedule(self, *_: object) -> None:
        if self.clock.playing and not self._in_tick:
            self._schedule()

    def _schedule(self) -> None:
        due = self.clock.time_to_next_frame()
        ms = self.max_interval_ms if not math.isfinite(due) else math.ceil(due * 1000)
        self.timer.start(min(max(ms, 1), self.max_interval_ms))

    def _tick(self) -> None:
        self._in_tick = True
        try:
            self.ticks += 1
            if self.clock.time_source is None:
                now = time.monotonic()
                self.clock.tick(now - self._last)
                self._last = now
            else:
                self.clock.tick()
        finally:
            self._in_tick = False
        if self.clock.playing:
            self._schedule()
