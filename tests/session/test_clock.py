"""The Qt-free playback clock: clamping, stepping, playback by elapsed time, events."""

from __future__ import annotations

import pytest

from signstudio.session.clock import Clock, Event


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
