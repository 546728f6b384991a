"""The Qt-free playback clock: clamping, stepping, events, and wall-clock playback that drops
frames but never drifts (checked against an injected fake time over thousands of irregular ticks)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from signstudio.session.clock import SPEEDS, Clock
from signstudio.session.events import Event


def record(event: Event) -> list:
    seen: list = []
    event.connect(lambda *args: seen.append(args[0] if len(args) == 1 else args))
    return seen


def test_frame_is_clamped_and_emits_only_on_change() -> None:
    clock = Clock(num_frames=10, fps=25)
    frames = record(clock.frame_changed)
    clock.frame = 5
    clock.frame = 5
    clock.frame = 99
    clock.frame = -3
    assert frames == [5, 9, 0]
    assert clock.frame == 0


def test_time_and_duration() -> None:
    clock = Clock(num_frames=50, fps=25)
    clock.frame = 10
    assert clock.time == pytest.approx(0.4)
    assert clock.duration == pytest.approx(2.0)
    assert clock.last_frame == 49


def test_step_first_last_pause_playback() -> None:
    clock = Clock(num_frames=10, fps=10)
    playing = record(clock.playing_changed)
    clock.play()
    clock.step(3)
    assert clock.frame == 3 and not clock.playing
    clock.step(-10)
    assert clock.frame == 0
    clock.last()
    assert clock.frame == 9
    clock.first()
    assert clock.frame == 0
    assert playing == [True, False]


def test_tick_advances_by_elapsed_time_and_carries_fractions() -> None:
    clock = Clock(num_frames=100, fps=25)
    clock.tick(1.0)
    assert clock.frame == 0, "a paused clock does not move"
    clock.play()
    clock.tick(0.1)  # 2.5 frames
    assert clock.frame == 2
    clock.tick(0.02)  # 0.5 + 0.5 carried
    assert clock.frame == 3


def test_loop_wraps_and_no_loop_stops_at_the_end() -> None:
    clock = Clock(num_frames=10, fps=10, loop=True)
    clock.frame = 8
    clock.play()
    clock.tick(0.3)  # 8 + 3 = 11 -> wraps to 1
    assert clock.frame == 1 and clock.playing

    clock = Clock(num_frames=10, fps=10, loop=False)
    clock.frame = 8
    clock.play()
    clock.tick(0.5)
    assert clock.frame == 9 and not clock.playing
    clock.play()  # replays from the start
    assert clock.frame == 0 and clock.playing


def test_toggle_and_single_frame_never_plays() -> None:
    clock = Clock(num_frames=5, fps=5)
    clock.toggle()
    assert clock.playing
    clock.toggle()
    assert not clock.playing
    single = Clock(num_frames=1, fps=5)
    single.play()
    assert not single.playing


def test_shrinking_reclamps_and_notifies() -> None:
    clock = Clock(num_frames=20, fps=25)
    clock.frame = 15
    lengths, frames = record(clock.length_changed), record(clock.frame_changed)
    clock.num_frames = 10
    assert lengths == [10] and frames == [9] and clock.frame == 9
    with pytest.raises(ValueError):
        clock.num_frames = 0
    with pytest.raises(ValueError):
        clock.fps = 0


def test_event_connect_disconnect() -> None:
    event = Event("x")
    seen: list[int] = []
    cb = event.connect(seen.append)
    event.connect(seen.append)  # connecting twice is a no-op
    event.emit(1)
    event.disconnect(cb)
    event.emit(2)
    assert seen == [1] and len(event) == 0


def test_clock_module_is_qt_free() -> None:
    import ast
    import inspect

    import signstudio.session.clock as mod

    tree = ast.parse(inspect.getsource(mod))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not names & {"PySide6", "pyqtgraph", "OpenGL"}


# ---- wall-clock playback ------------------------------------------------------------------


class FakeTime:
    """An injectable time source: ``now`` only moves when the test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_speeds_offered_and_speed_event() -> None:
    assert Clock.SPEEDS == SPEEDS == (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
    clock = Clock(num_frames=10, fps=25)
    speeds = record(clock.speed_changed)
    clock.speed = 2.0
    clock.speed = 2.0
    clock.set_speed(0.5)
    clock.slower()
    clock.slower()  # already the slowest offered: no-op
    clock.faster()
    assert speeds == [2.0, 0.5, 0.25, 0.5]
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            clock.speed = bad
    clock.speed = 2.0
    clock.faster()
    assert clock.speed == 2.0


def test_loop_event_and_fps_event() -> None:
    clock = Clock(num_frames=10, fps=25, loop=False)
    loops, fpss = record(clock.loop_changed), record(clock.fps_changed)
    clock.loop = True
    clock.loop = True
    clock.set_loop(False)
    clock.fps = 25
    clock.fps = 50
    assert loops == [True, False] and fpss == [50.0]


@pytest.mark.parametrize("speed", [0.25, 0.75, 1.0, 1.5, 2.0])
@pytest.mark.parametrize("loop", [True, False])
def test_wall_clock_exact_over_10000_irregular_ticks(speed: float, loop: bool) -> None:
    """The frame at wall time t is f0 + floor(t·fps·speed) (mod length when looping) —
    exact at every tick, however irregular the ticks: nothing is accumulated per tick."""
    rng = np.random.default_rng(7)
    fake = FakeTime()
    n, fps, f0 = 10_000_000 if not loop else 116, 25.0, 3
    clock = Clock(num_frames=n, fps=fps, loop=loop, speed=speed, time_source=fake)
    clock.frame = f0
    emitted = record(clock.frame_changed)
    start = fake.now
    clock.play()
    worst = 0
    for _ in range(10_000):
        # timer jitter: 1–40 ms, sometimes a 200 ms stall (frames are dropped, not queued)
        fake.advance(rng.uniform(0.001, 0.040) if rng.random() > 0.01 else 0.2)
        clock.tick()
        expected = f0 + math.floor((fake.now - start) * fps * speed)
        if loop:
            expected %= n
        worst = max(worst, abs(clock.frame - expected))
    assert worst == 0, f"off by {worst} frames"
    # after ~3.5 minutes of playback the frame still matches the wall clock exactly
    assert fake.now - start > 150
    # frames were dropped (a stall skips several) and frame_changed fired at most once a tick
    assert len(emitted) <= 10_000


def test_manual_time_does_not_drift_either() -> None:
    """tick(elapsed) on a clock without a time source: the sum of the elapsed times counts."""
    clock = Clock(num_frames=1_000_000, fps=25)
    clock.play()
    rng = np.random.default_rng(1)
    total = 0.0
    for _ in range(10_000):
        dt = float(rng.uniform(0.001, 0.05))
        total += dt
        clock.tick(dt)
    assert abs(clock.frame - total * 25) < 1
    clock = Clock(num_frames=100, fps=25)
    clock.play()
    for _ in range(10):
        clock.tick(0.04)  # 10 × 0.04 s is 9.999999999999998 frames in binary: still frame 10
    assert clock.frame == 10


def test_tick_with_a_time_source_rejects_elapsed() -> None:
    clock = Clock(num_frames=10, fps=25, time_source=FakeTime())
    with pytest.raises(ValueError):
        clock.tick(0.1)


def test_pause_and_resume_start_exactly_from_the_resume_point() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=1000, fps=25, time_source=fake)
    clock.play()
    fake.advance(1.0)
    clock.tick()
    assert clock.frame == 25
    clock.pause()
    fake.advance(10.0)  # paused time does not count
    clock.tick()
    assert clock.frame == 25
    clock.play()
    resume = fake.now
    for dt in (0.013, 0.029, 0.0071, 0.5, 0.033) * 20:
        fake.advance(dt)
        clock.tick()
        assert clock.frame == 25 + math.floor((fake.now - resume) * 25)


def test_seek_while_playing_goes_on_exactly_from_there() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=1000, fps=25, time_source=fake)
    clock.play()
    fake.advance(0.77)
    clock.tick()
    clock.frame = 500  # a seek: keeps playing from the start of frame 500
    assert clock.playing and clock.frame == 500
    seek_time = fake.now
    rng = np.random.default_rng(3)
    for _ in range(500):
        fake.advance(float(rng.uniform(0.001, 0.03)))
        clock.tick()
        assert clock.frame == 500 + math.floor((fake.now - seek_time) * 25)
    clock.seek(10)
    assert clock.frame == 10 and clock.playing
    fake.advance(0.039)
    clock.tick()
    assert clock.frame == 10  # the seek restarted the frame: 0.039 s < one frame


def test_speed_change_while_playing_keeps_the_position_exact() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=100_000, fps=25, time_source=fake)
    clock.play()
    fake.advance(1.01)  # 25.25 frames
    clock.tick()
    assert clock.frame == 25
    clock.speed = 2.0  # from position 25.25, twice as fast
    t1 = fake.now
    for _ in range(200):
        fake.advance(0.017)
        clock.tick()
        assert clock.frame == math.floor(25.25 + (fake.now - t1) * 50 + 1e-9)
    pos = 25.25 + (fake.now - t1) * 50
    clock.speed = 0.25
    t2 = fake.now
    for _ in range(200):
        fake.advance(0.031)
        clock.tick()
        assert clock.frame == math.floor(pos + (fake.now - t2) * 6.25 + 1e-9)


def test_fps_change_while_playing_keeps_the_position() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=1000, fps=25, time_source=fake)
    clock.play()
    fake.advance(0.5)  # 12.5 frames
    clock.fps = 50
    fake.advance(0.25)  # + 12.5 frames
    clock.tick()
    assert clock.frame == 25


def test_no_loop_stops_on_the_last_frame_and_loop_wraps() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=10, fps=10, loop=False, time_source=fake)
    playing = record(clock.playing_changed)
    clock.play()
    fake.advance(5.0)  # far past the end in one (stalled) tick
    clock.tick()
    assert clock.frame == 9 and not clock.playing and playing == [True, False]
    fake.advance(1.0)
    clock.tick()
    assert clock.frame == 9

    clock = Clock(num_frames=10, fps=10, loop=True, time_source=fake)
    clock.play()
    fake.advance(2.35)  # 23.5 frames -> pass 3, frame 3
    clock.tick()
    assert clock.frame == 3 and clock.playing


def test_switching_loop_off_mid_play_stops_at_the_end_of_this_pass() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=10, fps=10, loop=True, time_source=fake)
    clock.play()
    fake.advance(2.45)  # pass 3, frame 4.5
    clock.tick()
    assert clock.frame == 4
    clock.loop = False
    fake.advance(0.3)  # 7.5: still playing, exact
    clock.tick()
    assert clock.frame == 7 and clock.playing
    fake.advance(0.3)  # 10.5: past the end -> stop on the last frame
    clock.tick()
    assert clock.frame == 9 and not clock.playing


def test_time_to_next_frame() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=100, fps=25, speed=0.5, time_source=fake)
    assert clock.time_to_next_frame() == math.inf
    clock.play()
    assert clock.time_to_next_frame() == pytest.approx(0.08)  # one frame at 12.5 fps
    fake.advance(0.05)
    assert clock.time_to_next_frame() == pytest.approx(0.03, abs=1e-6)


def test_step_helpers_and_shrinking_while_playing() -> None:
    fake = FakeTime()
    clock = Clock(num_frames=50, fps=25, time_source=fake)
    clock.step_forward()
    clock.step_forward()
    clock.step_back()
    assert clock.frame == 1
    clock.frame = 40
    clock.play()
    clock.num_frames = 20  # new content under a playing clock: re-clamped, plays on from there
    assert clock.frame == 19 and clock.playing
    fake.advance(0.04)
    clock.tick()
    assert clock.frame == 0  # looped
    clock.num_frames = 1
    assert not clock.playing
