"""Playback → Next / Previous worst frame (N, Shift+N): the clock jumps to the next or previous
peak of the pair's per-frame error (`signstudio.session.worst_frames`: the timeline's DTW row,
or the heat map's per-frame error while the heat map is on). Without a reference or a scored
curve both actions are disabled, and their status tip (shown in the status bar over the menu
item) says why."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.runner.scoring import PairScores
from signstudio.session.clock import Clock
from signstudio.session.studio import StudioState
from signstudio.session.worst_frames import WorstCurve, jump_message, step_worst, worst_curve

#: action id -> direction
ACTION_IDS = {"next_worst_frame": 1, "previous_worst_frame": -1}


class WorstFrameNav(QtCore.QObject):
    """The two actions of ``window`` (found by object name once the menus exist, `attach`) over
    the pair of ``state``, scored as ``scores()`` says, the heat map on when ``heat_on()``."""

    def __init__(
        self,
        window: QtWidgets.QMainWindow,
        state: StudioState,
        clock: Clock,
        scores: Callable[[], PairScores | None],
        heat_on: Callable[[], bool],
    ) -> None:
        super().__init__(window)
        self.window, self.state, self.clock = window, state, clock
        self.scores, self.heat_on = scores, heat_on
        self.actions: dict[int, QtGui.QAction] = {}
        self._tips: dict[int, str] = {}  # the action table's tips, shown while enabled
        self._reason: str | None = "unset"
        self._key: tuple[object, ...] = ()  # what the reason was found for (sync runs every frame)

    def attach(self) -> None:
        for name, direction in ACTION_IDS.items():
            action = self.window.findChild(QtGui.QAction, name)
            if isinstance(action, QtGui.QAction):
                self.actions[direction] = action
                self._tips[direction] = action.statusTip()
        self.sync()

    def curve(self) -> WorstCurve | str:
        """The curve of the pair on screen, or why there is none."""
        return worst_curve(self.state.sequence, self.state.reference, self.scores(), self.heat_on())

    def sync(self) -> None:
        """Enable the actions when there is a curve; else disable them, their tip saying why.
        Called on every frame: the curve is looked at again only when the pair, its scores or
        the heat map changed."""
        state = self.state
        key = (state.sequence, state.reference, self.scores(), self.heat_on())
        if len(key) == len(self._key) and all(a is b for a, b in zip(key, self._key, strict=True)):
            return
        self._key = key
        found = self.curve()
        reason = found if isinstance(found, str) else None
        if reason == self._reason:
            return
        self._reason = reason
        for direction, action in self.actions.items():
            action.setEnabled(reason is None)
            action.setStatusTip(reason or self._tips[direction])
            action.setToolTip(reason or self._tips[direction])

    def step(self, direction: int) -> int | None:
        """Move the clock to the next (``direction`` > 0) or previous peak; the status line says
        where it went and the error there (or why it stayed). Returns the new frame, or None."""
        found = self.curve()
        bar = self.window.statusBar()
        if isinstance(found, str):
            bar.showMessage(found, 8000)
            self.sync()
            return None
        start = self.clock.frame
        frame = step_worst(found.values, start, direction)
        if frame is not None:
            self.clock.pause()
            self.clock.frame = frame
        bar.showMessage(jump_message(found, frame, start, direction), 8000)
        return frame


__all__ = ["ACTION_IDS", "WorstFrameNav"]
