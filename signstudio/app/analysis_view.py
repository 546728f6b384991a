"""The pair's analysis (`signstudio.session.analysis`) on screen: the timeline's curves, the
joint-error heat map on the generated skeleton, and the jumps to the worst frames
(`signstudio.app.worst_frames`, the overlay's ``worst``: it follows the same pair and heat map).

A generated result's curves are worked out on the runner's worker thread (`prepare_curves`,
called by `signstudio.app.runner_bridge` before the window hears of the result): the generated
sequence's rows and its scores' rows as they are drawn, the reference's rows on the reference's
own frames. On the GUI thread `timeline_curves` then only puts the reference's rows on the
generated frames through the current timing's frame table (which the window owns and may change
meanwhile). What is prepared is made fresh there and never changed after; it is kept for the
generated sequence while that lives.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.curves import Curve
from signstudio.app.settings import Settings
from signstudio.app.viewport import Viewport
from signstudio.app.worst_frames import WorstFrameNav
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.session.analysis import CurveData, joint_heat, pair_curves
from signstudio.session.geometry import joint_label
from signstudio.session.studio import StudioState

HEAT_NEEDS = "Heat map: needs a generated sequence scored against a reference"


def timeline_curves(
    state: StudioState, gen: PoseSequence | None, ref: PoseSequence | None, scores: PairScores | None
) -> dict[str, Curve]:
    """The timeline's rows of the pair (`signstudio.session.analysis.pair_curves`)."""
    table = state.frame_table() if gen is not None and ref is not None else None
    ready = _prepared(gen, ref, scores)
    if ready is not None:
        return ready.on_axis(table)
    return {k: _curve(c) for k, c in pair_curves(gen, ref, scores, table).items()}


def _curve(c: CurveData) -> Curve:
    return Curve(c.values, c.color, c.unit, c.group, c.label, c.y_range)


@dataclasses.dataclass(frozen=True, eq=False)
class PreparedCurves:
    """A pair's curves worked out ahead (`prepare_curves`): ``own`` the rows on the generated
    frames as drawn (scores' rows, then the generated sequence's), ``ref`` the reference's rows
    on its own frames. ``reference`` and ``scores``: what they were made with (only that pair
    uses them)."""

    own: Mapping[str, Curve]
    ref: Mapping[str, CurveData]
    reference: weakref.ref[PoseSequence] | None
    scores: PairScores | None
    frames: int

    def on_axis(self, table: np.ndarray | None) -> dict[str, Curve]:
        """All rows, the reference's put on the generated frames by ``table`` ((N,) reference
        frame per generated frame; missing or of another length: no values), as `pair_curves`."""
        out = dict(self.own)
        n = self.frames
        for key, c in self.ref.items():
            v = np.asarray(c.values, dtype=float)
            if table is not None and len(table) == n:
                mapped = v[np.clip(table, 0, len(v) - 1)]
            else:
                mapped = np.full(n, np.nan)
            out[key] = _curve(dataclasses.replace(c, values=mapped))
        return out


#: generated sequence -> its pair's curves made ahead; filled on the runner's thread, read on the
#: GUI thread (the lock), an entry gone with its sequence
_CURVES: weakref.WeakKeyDictionary[PoseSequence, PreparedCurves] = weakref.WeakKeyDictionary()
_CURVES_LOCK = threading.Lock()


def prepare_curves(gen: PoseSequence | None, ref: PoseSequence | None, scores: PairScores | None) -> None:
    """Work out the pair's curves now (any thread; nothing Qt is touched), for `timeline_curves`
    to find when this pair (these very objects) is shown."""
    if gen is None:
        return
    own = {k: _curve(c) for k, c in pair_curves(gen, None, scores, None).items()}
    theirs = pair_curves(None, ref, None, None) if ref is not None else {}
    made = PreparedCurves(
        MappingProxyType(own),
        MappingProxyType(theirs),
        weakref.ref(ref) if ref is not None else None,
        scores,
        gen.num_frames,
    )
    with _CURVES_LOCK:
        _CURVES[gen] = made


def _prepared(
    gen: PoseSequence | None, ref: PoseSequence | None, scores: PairScores | None
) -> PreparedCurves | None:
    """The curves made ahead for exactly this pair and scores, if any."""
    if gen is None:
        return None
    with _CURVES_LOCK:
        found = _CURVES.get(gen)
    if found is None or found.scores is not scores:
        return None
    made_with = found.reference() if found.reference is not None else None
    return found if made_with is ref else None


class JointHeatOverlay(QtCore.QObject):
    """The generated skeleton's joints coloured by their error against the reference, while
    ``action`` (View → Joint error heat map, remembered as ``heat_map``) is checked.
    ``scores()``: the scores of the pair on screen (None: not scored)."""

    def __init__(
        self,
        window: QtWidgets.QMainWindow,
        viewport: Viewport,
        state: StudioState,
        settings: Settings,
        scores: Callable[[], PairScores | None],
    ) -> None:
        super().__init__(window)
        self.window, self.viewport, self.state, self.settings = window, viewport, state, settings
        self.scores = scores
        self.action: QtGui.QAction | None = None  # set with the menus
        clock = getattr(window, "clock")  # noqa: B009 - the studio window's clock (made before us)
        #: Playback → Next / Previous worst frame (handlers ``heat.worst.step``)
        self.worst = WorstFrameNav(window, state, clock, scores, self.is_on)
        # (scores, skeleton, frames) -> (errors, note), or () for nothing to show: the table
        # depends on nothing else, so a drag's edits keep it
        self._cache: tuple[tuple[object, ...], tuple[np.ndarray, str] | tuple[()]] | None = None

    def attach(self, action: QtGui.QAction) -> None:
        self.action = action
        action.setChecked(bool(self.settings.get("heat_map", False)))
        self.worst.attach()

    def is_on(self) -> bool:
        """The heat map is shown (its action checked)."""
        return self.action is not None and self.action.isChecked()

    def table(self) -> tuple[np.ndarray, str] | None:
        """(N, J) joint errors of the generated sequence and the legend note naming its worst
        joints (`signstudio.session.analysis.joint_heat`); None when there is nothing to show."""
        gen, scores = self.state.sequence, self.scores()
        key = (scores, gen.skeleton, gen.num_frames) if gen is not None else (scores,)
        if self._cache is not None and _same(self._cache[0], key):
            return self._cache[1] or None
        heat = joint_heat(gen, scores)
        out: tuple[np.ndarray, str] | tuple[()] = ()
        if heat is not None:
            named = ", ".join(f"{joint_label(name)} {mean:.2f}" for name, mean in heat.worst)
            out = (heat.errors, "worst over the sequence: " + named)
        self._cache = (key, out)
        return out or None

    def show(self, frame: int) -> None:
        """The heat of ``frame`` on the generated skeleton (its own colours when off); the worst
        frame actions enabled as the pair and its scores allow."""
        self.worst.sync()
        if self.action is None:
            return
        table = self.table() if self.action.isChecked() else None
        if table is None:
            self.viewport.set_joint_heat(None)
            return
        errors, note = table
        self.viewport.set_joint_heat(errors[min(max(frame, 0), len(errors) - 1)], note)

    def toggle(self, frame: int) -> None:
        """The action was toggled: remember it and show (or hide) the heat of ``frame``."""
        assert self.action is not None
        self.settings.set("heat_map", self.action.isChecked())
        self.show(frame)
        if self.action.isChecked() and self.table() is None:
            self.window.statusBar().showMessage(HEAT_NEEDS, 6000)


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Keys alike: the same scores and skeleton objects, the same frame count."""
    return len(a) == len(b) and all(x is y or (type(x) is int and x == y) for x, y in zip(a, b, strict=True))


__all__ = ["JointHeatOverlay", "PreparedCurves", "prepare_curves", "timeline_curves"]
