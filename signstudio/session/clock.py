"""The playback clock: which frame is shown, and whether it plays (Qt-free).

The model of the studio's timeline, napari style: the clock owns the state and emits events;
views (the viewport, the timeline widget) subscribe and redraw. Nothing here knows about Qt —
the window drives `tick` from a timer with the real elapsed time, tests drive it by hand.

    clock = Clock(num_frames=21, fps=25)
    clock.frame_changed.connect(lambda i: print("frame", i))
    clock.frame = 5          # clamped to [0, num_frames - 1]; emits only on change
    clock.play(); clock.tick(0.1)   # 0.1 s at 25 fps: advances 2.5 -> 2 frames, keeps the 0.5
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Callback = Callable[..., Any]


class Event:
    """A list of callbacks; ``emit(*args)`` calls them in connection order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callback] = []

    def connect(self, callback: Callback) -> Callback:
        """Subscribe ``callback`` (returned, so this works as a decorator)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callback) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)

    def __len__(self) -> int:
        return len(self._callbacks)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self)} callbacks)"


class Clock:
    """Frame count, current frame (always clamped), fps, playing flag and loop flag.

    Events: ``frame_changed(frame)``, ``playing_changed(playing)``, ``length_changed(num_frames)``.
    Each fires only when its value actually changes.
    """

    def __init__(self, num_frames: int = 1, fps: float = 25.0, loop: bool = True) -> None:
        self.frame_changed = Event("frame_changed")
        self.playing_changed = Event("playing_changed")
        self.length_changed = Event("length_changed")
        self._num_frames = 1
        self._fps = 25.0
        self._frame = 0
        self._playing = False
        self._carry = 0.0  # elapsed seconds not yet turned into a frame step
        self.loop = loop
        self.fps = fps
        self.num_frames = num_frames

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
        self.frame = self._frame  # re-clamp

    @property
    def fps(self) -> float:
        return self._fps

    @fps.setter
    def fps(self, value: float) -> None:
        fps = float(value)
        if not math.isfinite(fps) or fps <= 0:
            raise ValueError(f"fps must be positive, got {value}")
        self._fps = fps

    @property
    def frame(self) -> int:
        return self._frame

    @frame.setter
    def frame(self, value: int) -> None:
        f = min(max(int(value), 0), self._num_frames - 1)
        if f != self._frame:
            self._frame = f
            self.frame_changed.emit(f)

    @property
    def last_frame(self) -> int:
        return self._num_frames - 1

    @property
    def time(self) -> float:
        """Seconds from the first frame to the current one."""
        return self._frame / self._fps

    @property
    def duration(self) -> float:
        """Seconds the sequence lasts (``num_frames / fps``)."""
        return self._num_frames / self._fps

    @property
    def playing(self) -> bool:
        return self._playing

    # ---- commands ------------------------------------------------------------------------
    def step(self, delta: int = 1) -> None:
        """Move by ``delta`` frames (clamped, never wraps); stepping pauses playback."""
        self.pause()
        self.frame = self._frame + delta

    def first(self) -> None:
        self.pause()
        self.frame = 0

    def last(self) -> None:
        self.pause()
        self.frame = self.last_frame

    def play(self) -> None:
        if self._playing or self._num_frames < 2:
            return
        if self._frame == self.last_frame and not self.loop:
            self.frame = 0  # replay from the start
        self._carry = 0.0
        self._playing = True
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._carry = 0.0
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def tick(self, elapsed: float) -> None:
        """Advance by ``elapsed`` real seconds while playing (fractions carry over to the next tick).

        At the end the clock wraps to frame 0 when ``loop`` is set, otherwise it stops on the
        last frame and pauses.
        """
        if not self._playing or elapsed <= 0:
            return
        self._carry += elapsed * self._fps
        steps = int(self._carry)
        if steps == 0:
            return
        self._carry -= steps
        target = self._frame + steps
        if target <= self.last_frame:
            self.frame = target
        elif self.loop:
            self.frame = target % self._num_frames
        else:
            self.frame = self.last_frame
            self.pause()

    def __repr__(self) -> str:
        state = "playing" if self._playing else "paused"
        return f"Clock(frame {self._frame}/{self._num_frames}, {self._fps:g} fps, {state})"
