"""The timeline widget: slider <-> clock, rate-limited scrubbing, the curve strip and its cursor,
speed and loop controls, the playback driver."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

pytestmark = pytest.mark.gui

F = 116


def make_curves():  # type: ignore[no-untyped-def]
    from signstudio.app.curves import Curve

    t = np.arange(F, dtype=float)
    left = 0.9 + 0.8 * np.sin(t / 9)
    left[60:70] = np.nan  # a gap: the hand left the picture
    right = 0.7 + 0.6 * np.cos(t / 11)
    conf = np.clip(0.85 + 0.1 * np.sin(t / 7), 0, 1)
    return {
        "left wrist": Curve(left, color=(255, 140, 40), unit="m/s", group="speed"),
        "right wrist": Curve(right, color=(40, 200, 120), unit="m/s", group="speed"),
        "confidence": Curve(conf, color=(80, 160, 255), group="confidence", y_range=(0, 1)),
    }


@pytest.fixture
def timeline(qtbot):  # type: ignore[no-untyped-def]
    from signstudio.app.timeline import Timeline
    from signstudio.session.clock import Clock

    clock = Clock(num_frames=F, fps=25)
    tl = Timeline(clock)
    qtbot.addWidget(tl)
    tl.resize(1100, 320)
    tl.show()
    qtbot.waitExposed(tl)
    yield tl
    clock.pause()


def settle(qtbot, ms: int = 60) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(ms)


def test_label_shows_frame_and_time(timeline) -> None:
    timeline.clock.frame = 37
    assert timeline.label.text() == "frame 37 / 116 · 1.48 s / 4.64 s"
    timeline.clock.fps = 50  # the time follows the fps
    assert timeline.label.text() == "frame 37 / 116 · 0.74 s / 2.32 s"


def test_slider_and_clock_follow_each_other(timeline, qtbot) -> None:
    clock, slider = timeline.clock, timeline.slider
    assert (slider.minimum(), slider.maximum()) == (0, F - 1)
    clock.frame = 12
    assert slider.value() == 12
    settle(qtbot, 30)  # past the scrub interval: the next move applies at once
    slider.setValue(30)
    assert clock.frame == 30
    assert timeline.label.text().startswith("frame 30 / 116")
    clock.num_frames = 50
    assert slider.maximum() == 49
    clock.last()
    assert slider.value() == 49


def test_transport_buttons_and_nothing_takes_focus(timeline, qtbot) -> None:
    from PySide6 import QtCore, QtWidgets

    clock = timeline.clock
    qtbot.mouseClick(timeline.last_button, QtCore.Qt.MouseButton.LeftButton)
    assert clock.frame == F - 1
    qtbot.mouseClick(timeline.back_button, QtCore.Qt.MouseButton.LeftButton)
    assert clock.frame == F - 2
    qtbot.mouseClick(timeline.first_button, QtCore.Qt.MouseButton.LeftButton)
    assert clock.frame == 0
    qtbot.mouseClick(timeline.forward_button, QtCore.Qt.MouseButton.LeftButton)
    assert clock.frame == 1
    qtbot.mouseClick(timeline.play_button, QtCore.Qt.MouseButton.LeftButton)
    assert clock.playing
    timeline.play_pause()
    assert not clock.playing
    # Space, arrows, Home/End belong to the window: no child of the timeline takes focus.
    takers = [
        w.objectName() or type(w).__name__
        for w in timeline.findChildren(QtWidgets.QWidget)
        if w.focusPolicy() != QtCore.Qt.FocusPolicy.NoFocus and w.isVisibleTo(timeline)
    ]
    assert takers == [], takers


def test_burst_of_slider_moves_is_coalesced_and_lands_on_the_last(timeline, qtbot) -> None:
    clock, slider = timeline.clock, timeline.slider
    settle(qtbot)
    changes: list[int] = []
    clock.frame_changed.connect(changes.append)
    applied = timeline.scrub_applied
    slider.setSliderDown(True)  # the user grabs the handle ...
    start = time.monotonic()
    for v in range(1, 101):  # ... and moves it through 100 positions in one go
        slider.setValue(v)
    burst = time.monotonic() - start
    assert slider.value() == 100
    # leading edge only: everything after the first move waits for the interval
    allowed = 1 + math.ceil(burst * 1000 / timeline.scrub_interval_ms)
    assert len(changes) <= allowed, (len(changes), burst)
    qtbot.waitUntil(lambda: clock.frame == 100, timeout=1000)  # trailing edge, without a release
    assert timeline.scrub_applied - applied <= allowed + 1
    slider.setSliderDown(False)
    assert clock.frame == 100 and changes[-1] == 100


def test_slow_drag_is_rate_limited_and_release_lands_exactly(timeline, qtbot) -> None:
    from PySide6 import QtCore, QtWidgets

    clock, slider = timeline.clock, timeline.slider
    settle(qtbot)
    changes: list[int] = []
    clock.frame_changed.connect(changes.append)
    app = QtWidgets.QApplication.instance()
    slider.setSliderDown(True)
    start = time.monotonic()
    for v in range(1, 111):  # a drag that moves every ~2 ms, events processed in between
        slider.setValue(v)
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents)
        time.sleep(0.002)
    slider.setSliderDown(False)  # release: the last position lands at once
    elapsed = time.monotonic() - start
    assert clock.frame == 110
    assert changes[-1] == 110
    # at most one change per interval (+ the first move and the release)
    assert len(changes) <= elapsed * 1000 / timeline.scrub_interval_ms + 2, (len(changes), elapsed)
    assert len(changes) < 110 / 2, "moves were not coalesced"


def test_dragging_while_playing_holds_then_resumes(timeline, qtbot) -> None:
    clock, slider = timeline.clock, timeline.slider
    settle(qtbot)
    clock.play()
    slider.setSliderDown(True)
    assert not clock.playing
    slider.setValue(80)
    slider.setSliderDown(False)
    assert clock.frame == 80 and clock.playing


def test_cursor_follows_the_frame_without_touching_the_curves(timeline, monkeypatch) -> None:
    timeline.set_curves(make_curves())
    strip = timeline.strip
    items = strip.curve_items
    calls: list[str] = []
    for key, item in items.items():
        monkeypatch.setattr(item, "setData", lambda *a, _k=key, **kw: calls.append(_k))
        monkeypatch.setattr(item, "updateData", lambda *a, _k=key, **kw: calls.append(_k))
    uploads = strip.data_uploads
    for f in (5, 50, 99, 0, F - 1):
        timeline.clock.frame = f
        assert [line.value() for line in strip.cursor_lines] == [f, f]
    assert calls == [] and strip.data_uploads == uploads
    assert strip.curve_items == items
    assert strip.cursor_text() == f"{F - 1} · {(F - 1) / 25:.2f} s"


def test_playing_repaints_the_cursor_not_the_curves(timeline, qtbot, monkeypatch) -> None:
    """The curves are rasterised once (a pixmap cache); frame changes only move the cursor."""
    timeline.set_curves(make_curves())
    qtbot.wait(80)
    paints: list[str] = []
    for key, item in timeline.strip.curve_items.items():
        original = item.paint
        monkeypatch.setattr(item, "paint", lambda *a, _k=key, _o=original: (paints.append(_k), _o(*a))[1])
    lines_painted: list[int] = []
    line = timeline.strip.cursor_lines[0]
    original_line_paint = line.paint
    monkeypatch.setattr(line, "paint", lambda *a: (lines_painted.append(1), original_line_paint(*a))[1])
    for f in range(10, 60, 5):
        timeline.clock.frame = f
        qtbot.wait(5)
    assert lines_painted, "the cursor was not repainted"
    assert paints == []


def test_set_curves_draws_rows_legend_and_gaps(timeline, qtbot) -> None:
    from PySide6 import QtGui

    strip = timeline.strip
    assert strip.rows == [""]  # no curves: a frame ruler with the cursor
    timeline.set_curves(make_curves())
    assert strip.rows == ["speed", "confidence"]
    items = strip.curve_items
    assert set(items) == {"left wrist", "right wrist", "confidence"}
    x, y = items["left wrist"].getData()
    assert len(x) == F and np.isnan(y[60:70]).all()
    assert strip.row_titles == ["speed (m/s)", "confidence"]
    legend = strip._rows[0].legend.text
    assert "speed (m/s)" in legend and "left wrist" in legend and "right wrist" in legend
    assert "confidence" in strip._rows[1].legend.text
    # the confidence row keeps its fixed 0..1 range
    lo, hi = strip.view_box(1).viewRange()[1]
    assert lo < 0 < 1 < hi < 1.2

    qtbot.wait(50)
    image = strip.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    arr = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    arr = arr.reshape(h, image.bytesPerLine())[:, : 3 * w].reshape(h, w, 3).astype(int)
    for key, curve in make_curves().items():
        pen = items[key].opts["pen"].color()
        target = np.array([pen.red(), pen.green(), pen.blue()])
        near = (np.abs(arr - target).sum(axis=2) < 40).sum()
        assert near > 50, f"{key} ({curve.color}) not drawn: {near} pixels"

    timeline.clear_curves()
    assert strip.rows == [""] and strip.curve_items == {}


def test_curves_group_rows_and_a_score_row_can_join(timeline) -> None:
    from signstudio.app.curves import Curve

    curves = make_curves()
    curves["DTW cost"] = Curve(np.linspace(0, 3, F), group="DTW")  # no colour: one is picked
    timeline.set_curves(curves)
    assert timeline.strip.rows == ["speed", "confidence", "DTW"]
    assert timeline.strip.row_titles[2] == "DTW"
    # a curve with no data at all says so in the legend instead of silently showing nothing
    curves["left wrist"] = Curve(np.full(F, np.nan), unit="m/s", group="speed")
    timeline.set_curves(curves)
    assert "(no data)" in timeline.strip._rows[0].legend.text


def test_curve_validation() -> None:
    from signstudio.app.curves import Curve, CurveStrip

    with pytest.raises(ValueError):
        Curve(np.zeros((3, 2)))
    with pytest.raises(ValueError):
        Curve(np.zeros(3), y_range=(1, 0))
    c = Curve([1.0, np.inf, 2.0])
    assert np.isnan(c.values[1]) and not c.values.flags.writeable
    strip = CurveStrip()
    with pytest.raises(TypeError):
        strip.set_curves({"x": np.zeros(3)})  # type: ignore[dict-item]


def _row_center(strip, row: int, frame: float):  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    vb = strip.view_box(row)
    lo, hi = vb.viewRange()[1]
    scene = vb.mapViewToScene(QtCore.QPointF(frame, (lo + hi) / 2))
    return strip.mapFromScene(scene)


def test_clicking_the_plot_seeks(timeline, qtbot) -> None:
    from PySide6 import QtCore

    timeline.set_curves(make_curves())
    qtbot.wait(50)
    settle(qtbot)
    strip = timeline.strip
    pos = _row_center(strip, 0, 80)
    qtbot.mouseClick(strip.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    assert timeline.clock.frame == 80
    settle(qtbot)
    pos = _row_center(strip, 1, 20)
    qtbot.mouseClick(strip.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    assert timeline.clock.frame == 20
    assert timeline.slider.value() == 20


def test_dragging_in_the_plot_scrubs_and_lands_on_the_release(timeline, qtbot) -> None:
    from PySide6 import QtCore, QtGui, QtWidgets

    timeline.set_curves(make_curves())
    qtbot.wait(50)
    strip = timeline.strip
    vp = strip.viewport()
    clock = timeline.clock
    clock.play()
    Left, No = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.NoButton

    def send(kind, frame: float, button, buttons) -> None:  # type: ignore[no-untyped-def]
        p = QtCore.QPointF(_row_center(strip, 0, frame))
        g = QtCore.QPointF(vp.mapToGlobal(p.toPoint()))
        ev = QtGui.QMouseEvent(kind, p, g, button, buttons, QtCore.Qt.KeyboardModifier.NoModifier)
        QtWidgets.QApplication.sendEvent(vp, ev)

    T = QtCore.QEvent.Type
    send(T.MouseButtonPress, 10, Left, Left)
    for f in range(12, 91, 2):
        send(T.MouseMove, f, No, Left)
        assert not clock.playing, "playback holds while dragging"
    send(T.MouseButtonRelease, 90, Left, No)
    assert clock.frame == 90
    assert clock.playing  # resumes on release
    clock.pause()


def test_speed_selector_and_loop_button(timeline, qtbot) -> None:
    clock = timeline.clock
    box = timeline.speed_box
    assert [box.itemText(i) for i in range(box.count())] == ["0.25×", "0.5×", "0.75×", "1×", "1.5×", "2×"]
    assert box.currentText() == "1×"
    box.setCurrentIndex(box.findText("2×"))
    assert clock.speed == 2.0
    clock.speed = 0.5
    assert box.currentText() == "0.5×"
    timeline.faster()
    assert clock.speed == 0.75 and box.currentText() == "0.75×"
    clock.speed = 1.25  # not offered: shown anyway
    assert box.currentText() == "1.25×"

    assert timeline.loop_button.isChecked() == clock.loop
    timeline.loop_button.click()
    assert clock.loop is False
    clock.loop = True
    assert timeline.loop_button.isChecked()


def test_slider_handle_sits_over_the_cursor(timeline, qtbot) -> None:
    from PySide6 import QtCore, QtWidgets

    timeline.set_curves(make_curves())
    slider, strip, style = timeline.slider, timeline.strip, timeline.style()

    def offset(frame: int) -> float:
        opt = QtWidgets.QStyleOptionSlider()
        slider.initStyleOption(opt)
        handle = style.subControlRect(
            QtWidgets.QStyle.ComplexControl.CC_Slider,
            opt,
            QtWidgets.QStyle.SubControl.SC_SliderHandle,
            slider,
        )
        handle_x = slider.mapTo(timeline, QtCore.QPointF(handle.center().x() + 0.5, 0)).x()
        cursor_x = strip.mapTo(timeline, QtCore.QPointF(strip.frame_to_widget_x(frame), 0)).x()
        return abs(handle_x - cursor_x)

    # The slider follows the plot's layout asynchronously (after the layout settles).
    timeline.clock.frame = F - 1  # the far end: the handle's travel must match the plot's width
    qtbot.waitUntil(lambda: offset(F - 1) <= 2.5, timeout=2000)
    for f in (0, 58, F - 1):
        timeline.clock.frame = f
        assert offset(f) <= 2.5, (f, offset(f))
    timeline.resize(800, 300)  # and again after a resize
    qtbot.waitUntil(lambda: offset(F - 1) <= 2.5, timeout=2000)


def test_palette_change_restyles(timeline, qtbot) -> None:
    from PySide6 import QtGui

    timeline.set_curves(make_curves())
    pal = QtGui.QPalette(timeline.palette())
    pal.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor(255, 255, 255))
    pal.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(240, 240, 240))
    pal.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(20, 20, 20))
    timeline.setPalette(pal)
    qtbot.wait(20)
    assert timeline.strip.view_box(0).background.brush().color() == QtGui.QColor(255, 255, 255)
    from signstudio.app.curves import contrast

    for item in timeline.strip.curve_items.values():
        assert contrast(item.opts["pen"].color(), QtGui.QColor(255, 255, 255)) >= 3.0


def test_playback_driver_follows_the_wall_clock(qtbot) -> None:
    from signstudio.app.timeline import PlaybackDriver
    from signstudio.session.clock import Clock

    clock = Clock(num_frames=10_000, fps=25, time_source=time.monotonic)
    driver = PlaybackDriver(clock)
    clock.play()
    start = time.monotonic()
    qtbot.wait(600)
    clock.tick()
    expected = (time.monotonic() - start) * 25
    clock.pause()
    assert abs(clock.frame - expected) <= 1.5, (clock.frame, expected)
    # one wake-up per frame, not polling (a few spare for timer slack)
    assert driver.ticks <= expected + 5
    assert not driver.timer.isActive()

    clock.speed = 2.0
    frame0 = clock.frame
    clock.play()
    start = time.monotonic()
    qtbot.wait(400)
    clock.tick()
    expected = (time.monotonic() - start) * 50
    clock.pause()
    assert abs(clock.frame - frame0 - expected) <= 1.5


def test_playback_driver_with_a_manual_clock(qtbot) -> None:
    from signstudio.app.timeline import PlaybackDriver
    from signstudio.session.clock import Clock

    clock = Clock(num_frames=1000, fps=25)  # no time source: the driver feeds elapsed time
    PlaybackDriver(clock)
    clock.play()
    qtbot.waitUntil(lambda: clock.frame >= 5, timeout=2000)
    clock.pause()
