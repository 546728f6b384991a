"""Events for Qt-free models (napari style): a model owns its state and emits; views subscribe.

    changed = Event("changed")
    changed.connect(lambda value: print("now", value))
    changed.emit(3)          # callbacks run in connection order, synchronously, on the caller's thread

An ``Event`` knows nothing about threads or Qt: a view that must repaint on the GUI thread
connects a callback that schedules the repaint there.
"""

from __future__ import annotations

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
