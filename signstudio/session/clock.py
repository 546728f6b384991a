"""The playback clock: which frame is shown, and whether it plays (Qt-free).

The model of the studio's timeline, napari style: the clock owns the state and emits events;
views (the viewport, the timeline widget) subscribe and redraw. Nothing here knows about Qt.

Playback follows the sequence's fps by the wall clock: it drops frames, it never drifts. While
playing, the clock keeps an *anchor* — a (time, frame position) pair set when playback starts,
seeks, or changes speed/fps — and every `tick` computes the frame from scratch::

    frame = floor(anchor_frame + (now - anchor_time) * fps * speed)      (mod num_frames if looping)

so no per-tick increment is ever accumulated, however irregular the ticks are. "Now" comes from
``time_source`` (for the window: ``time.monotonic``; tests inject a fake), or, on a clock built
without one, from the sum of the ``elapsed`` seconds handed to ``tick(elapsed)`` (manual time).

    clock = Clock(num_frames=21, fps=25)
    clock.frame_changed.connect(lambda i: print("frame", i))
    clock.frame = 5          # clamped to [0, num_frames - 1]; emits only on change
    clock.play(); clock.tick(0.1)   # 0.1 s at 25 fps: 2.5 frames -> frame 7, the 0.5 is kept

    live = Clock(num_frames=116, fps=25, time_source=time.monotonic)
    live.play(); ...; live.tick()   # reads the time itself: call it from a timer
"""

from __future__ import annotations

import math
from collections.abc import Callable

from signstudio.session.events import Event

#: The playback speeds the studio offers (the timeline's selector, `faster` / `slower`).
SPEEDS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)

#: Frames are floored with this much slack, so that sums of decimal seconds that land on a frame
#: boundary (10 × 0.04 s at 25 fps = 9.999999999999998 frames in binary) count as reaching it.
_EPS = 1e-6


def _positive(name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return v


class Clock:
    """Frame count, current frame (always clamped), fps, speed, playing flag and loop flag.

    Events (each fires only when its value actually changes): ``frame_changed(frame)``,
    ``playing_changed(playing)``, ``length_changed(num_frames)``, ``fps_changed(fps)``,
    ``speed_changed(speed)``, ``loop_changed(loop)``.

    Setting ``frame`` while playing is a seek: playback goes on from the start of that frame.
    `step`, `first` and `last` pause (they are frame-by-frame inspection).
    """

    SPEEDS = SPEEDS

    def __init__(
        self,
        num_frames: int = 1,
        fps: float = 25.0,
        loop: bool = True,
        *,
        speed: float = 1.0,
        time_source: Callable[[], float] | None = None,
    ) -> None:
        self.frame_changed = Event("frame_changed")
        self.playing_changed = Event("playing_changed")
        self.length_changed = Event("length_changed")
        self.fps_changed = Event("fps_changed")
        self.speed_changed = Event("speed_changed")
        self.loop_changed = Event("loop_changed")
        self._time_source = time_source
        self._manual_now = 0.0  # "now" of a clock without a time source: the sum of tick(elapsed)
        self._num_frames = 1
        self._fps = 25.0
        self._speed = 1.0
        self._frame = 0
        self._playing = False
        self._loop = bool(loop)
        # The playback anchor: at time _anchor_time the position was _anchor_pos (in frames,
        # fractional after a speed/fps change, never wrapped).
        self._anchor_time = 0.0
        self._anchor_pos = 0.0
        self.fps = fps
        self.speed = speed
        self.num_frames = num_frames

    # ---- time ----------------------------------------------------------------------------
    @property
    def time_source(self) -> Callable[[], float] | None:
        """The function giving "now" in seconds, or None for manual time (``tick(elapsed)``)."""
        return self._time_source

    def now(self) -> float:
        """The clock's current time in seconds (its time source, or the manual time)."""
        return self._time_source() if self._time_source is not None else self._manual_now

    def _position_at(self, now: float) -> float:
        """Unwrapped playback position in frames at time ``now`` (valid while playing)."""
        return self._anchor_pos + (now - self._anchor_time) * self._fps * self._speed

    def _anchor(self, pos: float, now: float | None = None) -> None:
        self._anchor_time = self.now() if now is None else now
        self._anchor_pos = pos

    def _reanchor_here(self) -> None:
        """Keep playing exactly from the current (fractional) position under new parameters."""
        if self._playing:
            now = self.now()
            self._anchor(self._position_at(now), now)

    # ---- state ---------------------------------------------------------------------------
    @property
    def num_frames(self) -> int:
        return self._num_frames

    @num_frames.setter
    def num_frames(self, value: int) -> None:
        n = int(value)
        if n < 1:
            raise ValueError(f"a clock needs at least one frame, got {value}")
        if n == self._num_frames:
            return
        self._num_frames = n
        self.length_changed.emit(n)
        self._set_frame(self._frame)  # re-clamp
        if self._playing:
            if n < 2:
                self.pause()
            else:
                self._anchor(float(self._frame))  # new content: go on from the frame shown

    @property
    def fps(self) -> float:
        return self._fps

    @fps.setter
    def fps(self, value: float) -> None:
        fps = _positive("fps", value)
        if fps == self._fps:
            return
        self._reanchor_here()
        self._fps = fps
        self.fps_changed.emit(fps)

    @property
    def speed(self) -> float:
        """Playback speed factor (1.0 = the sequence's own fps); any positive value works,
        `SPEEDS` lists the ones the studio offers."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        speed = _positive("speed", value)
        if speed == self._speed:
            return
        self._reanchor_here()
        self._speed = speed
        self.speed_changed.emit(speed)

    def set_speed(self, speed: float) -> None:
        self.speed = speed

    def faster(self) -> None:
        """The next speed up in `SPEEDS` (no-op at the top)."""
        higher = [s for s in SPEEDS if s > self._speed + 1e-9]
        if higher:
            self.speed = higher[0]

    def slower(self) -> None:
        """The next speed down in `SPEEDS` (no-op at the bottom)."""
        lower = [s for s in SPEEDS if s < self._speed - 1e-9]
        if lower:
            self.speed = lower[-1]

    @property
    def loop(self) -> bool:
        """Wrap to frame 0 at the end (True) or stop on the last frame and pause (False)."""
        return self._loop

    @loop.setter
    def loop(self, value: bool) -> None:
        loop = bool(value)
        if loop == self._loop:
            return
        if self._playing:
            # Fold the unwrapped position back into the sequence so that switching looping
            # off mid-play stops at the end of *this* pass, keeping the fraction.
            now = self.now()
            pos = self._position_at(now)
            self._anchor(pos - math.floor(pos / self._num_frames) * self._num_frames, now)
        self._loop = loop
        self.loop_changed.emit(loop)

    def set_loop(self, loop: bool) -> None:
        self.loop = loop

    @property
    def frame(self) -> int:
        return self._frame

    @frame.setter
    def frame(self, value: int) -> None:
        self.seek(value)

    def seek(self, frame: int) -> None:
        """Show ``frame`` (clamped); while playing, playback goes on from there, exactly."""
        self._set_frame(frame)
        if self._playing:
            self._anchor(float(self._frame))

    def _set_frame(self, value: int) -> None:
        f = min(max(int(value), 0), self._num_frames - 1)
        if f != self._frame:
            self._frame = f
            self.frame_changed.emit(f)

    @property
    def last_frame(self) -> int:
        return self._num_frames - 1

    @property
    def time(self) -> float:
        """Seconds from the first frame to the current one (in the sequence's own time)."""
        return self._frame / self._fps

    @property
    def duration(self) -> float:
        """Seconds the sequence lasts (``num_frames / fps``)."""
        return self._num_frames / self._fps

    @property
    def playing(self) -> bool:
        return self._playing

    def time_to_next_frame(self) -> float:
        """Wall seconds until the shown frame next changes while playing (``inf`` when paused).

        A driver can sleep exactly this long (a single-shot timer) instead of polling.
        """
        if not self._playing:
            return math.inf
        pos = self._position_at(self.now()) + _EPS
        return max(0.0, (math.floor(pos) + 1 - pos) / (self._fps * self._speed))

    # ---- commands ------------------------------------------------------------------------
    def step(self, delta: int = 1) -> None:
        """Move by ``delta`` frames (clamped, never wraps); stepping pauses playback."""
        self.pause()
        self._set_frame(self._frame + delta)

    def step_forward(self) -> None:
        self.step(1)

    def step_back(self) -> None:
        self.step(-1)

    def first(self) -> None:
        self.pause()
        self._set_frame(0)

    def last(self) -> None:
        self.pause()
        self._set_frame(self.last_frame)

    def play(self) -> None:
        """Start playing from the current frame (from 0 when stopped at the end without loop)."""
        if self._playing or self._num_frames < 2:
            return
        if self._frame == self.last_frame and not self._loop:
            self._set_frame(0)  # replay from the start
        self._anchor(float(self._frame))
        self._playing = True
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def tick(self, elapsed: float | None = None) -> None:
        """Bring the frame up to "now" while playing; emits ``frame_changed`` at most once.

        With a time source call ``tick()``: the clock reads the time itself. On a manual clock
        call ``tick(elapsed)``: ``elapsed`` seconds are added to its time (fractions of a
        frame are kept, nothing is lost between ticks). At the end the clock wraps to frame 0
        when ``loop`` is set, otherwise it stops on the last frame and pauses.
        """
        if elapsed is not None:
            if self._time_source is not None:
                raise ValueError("this clock reads its own time source: call tick() without elapsed")
            if elapsed > 0:
                self._manual_now += float(elapsed)
        if not self._playing:
            return
        target = math.floor(self._position_at(self.now()) + _EPS)
        if target <= self.last_frame:
            self._set_frame(target)
        elif self._loop:
            self._set_frame(target % self._num_frames)
        else:
            self._set_frame(self.last_frame)
            self.pause()

    def __repr__(self) -> str:
        state = "playing" if self._playing else "paused"
        extra = f" ×{self._speed:g}" if self._speed != 1.0 else ""
        loop = ", loop" if self._loop else ""
        return f"Clock(frame {self._frame}/{self._num_frames}, {self._fps:g} fps{extra}, {state}{loop})"
