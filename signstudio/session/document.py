"""An editable pose document with undo (Qt-free): the model the studio's edit tools act on.

    doc = PoseDocument(seq)
    doc.move_joint(frame=12, joint=j, target=(x, y, z))       # bone lengths kept
    with doc.batch_edit("fix the index finger"):               # several edits, one undo step
        for f in (11, 12, 13):
            doc.move_joint(f, j, targets[f])
    doc.undo(); doc.redo()
    doc.dirty, doc.sequence                                    # a PoseSequence of the current state

**Commands.** Every edit is a `Command`: the frames it touched and, for those frames, the arrays
(data, confidence, filled) before and after. Undo writes the "before" arrays back, redo the
"after" ones, so both restore bit for bit whatever the tool computed. A tool that changes the
length of the sequence (`trim`) stores the whole arrays. Nested `batch_edit` blocks and every
tool called inside them merge into one command — one drag, one undo step.

**Tools.**

* `move_joint` — moves a joint towards a target by turning the bone from its parent (the joint
  lands where the bone, at its length, points at the target) and everything hanging off it with
  it: every bone length of the skeleton is unchanged. A joint without a parent moves its whole
  subtree. ``reach=True`` solves the two bones above the joint instead (analytic two-bone IK:
  a dragged wrist reaches the target, the elbow bends in its own plane). How far in time:
  ``falloff=k`` applies the same turn, faded linearly, to the k frames on either side;
  ``between_keyframes=True`` makes the frame a keyframe and fades the turn to nothing at the
  neighbouring keyframes (or the ends of the sequence), so the frames that are keyframes stay
  as they were set.
* `fill_missing` — interpolates missing points of a frame range (`pose.transforms.fill_missing`;
  marked as filled, never passed off as measured).
* `smooth` — Savitzky–Golay along time over a frame range (jitter removal; present points only).
* `mirror` — left and right swapped over a frame range (`pose.transforms.mirror`).
* `trim` — keeps frames [start, stop); `cut` removes [start, stop); `insert_hold` repeats a
  frame (a hold). Flags, notes, keyframes and letter segments (``meta["segments"]``) move with
  their frames.
* `flag` / `note` / `set_keyframe` — per-frame flags, a free-text note per frame, keyframes;
  undoable like the rest. They travel in the sequence's ``meta["annotations"]``
  (`signstudio.pose.annotations`): `sequence` writes them there, so every save that keeps
  ``meta`` keeps them, and a document made from a sequence that has them starts with them.

The document also holds what the editor works on beside the poses: ``reference`` (the ground
truth it is compared with; never edited) and ``selection`` (the picked joint, or None).

Events: ``changed(frames)`` after every edit, undo and redo that enters or leaves the history
(``frames``: the frame indices it touched, or None when the length changed); ``edited(frames)``
after every applied edit, also inside an open batch (a drag in progress: views follow it, the
re-scoring waits for ``changed``); ``pushed(label)`` when a new undo step is made (an undo stack
in the app mirrors the history with it); ``dirty_changed(bool)``; ``selection_changed(joint)``;
``committed(op, command)`` when an edit enters the history or an undo/redo moves through it
(``op``: "edit", "undo" or "redo"; the `Command` holds the bit-exact before/after of what it
touched) — never per mouse move of a drag, only when the drag's batch closes
(`signstudio.session.autosave` journals each one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from signstudio.pose import transforms
from signstudio.pose.annotations import KEY as ANNOTATIONS
from signstudio.pose.annotations import annotations_meta, annotations_of
from signstudio.pose.sequence import PoseSequence, remap_segments
from signstudio.session.events import Event

if TYPE_CHECKING:  # scipy.spatial takes ~0.4 s to import: only when a joint is moved
    from scipy.spatial.transform import Rotation


@dataclass
class Command:
    """One undo step: ``frames`` (sorted indices, or None for the whole sequence) and the arrays of
    those frames before and after; flags and notes are stored whole (small)."""

    label: str
    frames: np.ndarray | None
    before: tuple[np.ndarray, np.ndarray, np.ndarray]
    after: tuple[np.ndarray, np.ndarray, np.ndarray]
    meta_before: dict[str, Any] = field(default_factory=dict)  # see `PoseDocument._meta_state`
    meta_after: dict[str, Any] = field(default_factory=dict)

    def focus(self) -> int | None:
        """The frame this step is about (undo and redo take the clock there): the frame whose
        points it changed most (a move with falloff: the dragged frame, weight 1), else the first
        frame whose flag, note or keyframe it changed; None when it changed the length."""
        if self.frames is None:
            return None
        if len(self.frames):
            moved = np.nan_to_num(np.abs(self.after[0].astype(np.float64) - self.before[0]))
            change = moved.reshape(len(self.frames), -1).sum(axis=1)
            change += np.abs(self.after[1] - self.before[1]).reshape(len(self.frames), -1).sum(axis=1)
            return int(self.frames[int(np.argmax(change))])
        touched: set[int] = set()
        for which in ("flags", "notes"):
            old, new = self.meta_before.get(which, {}), self.meta_after.get(which, {})
            touched |= {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        touched |= set(self.meta_before.get("keyframes", ())) ^ set(self.meta_after.get("keyframes", ()))
        return min(touched) if touched else None


class PoseDocument:
    """A sequence being edited, its undo history and dirty state (see the module docstring)."""

    def __init__(self, sequence: PoseSequence, reference: PoseSequence | None = None) -> None:
        self._seq = sequence
        self.reference = reference
        self.selection: int | None = None
        self._data = np.array(sequence.data, np.float32, copy=True)
        self._conf = np.array(sequence.confidence, np.float32, copy=True)
        self._filled = np.array(sequence.filled, bool, copy=True)
        # what the sequence brought (a file saved with its annotations, `pose.annotations`)
        self.flags, self.notes, self.keyframes = annotations_of(sequence.meta, sequence.num_frames)
        self._segments: list[dict[str, Any]] = [dict(x) for x in sequence.meta.get("segments", ())]
        self._mirrored = bool(sequence.meta.get("mirrored", False))
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._saved_at = 0  # len(self._undo) when last saved
        self._batch: list[Command] | None = None
        self._batch_label = ""
        self._depth = 0
        self._parents = _parents(sequence)
        self.changed = Event("changed")
        self.pushed = Event("pushed")
        self.edited = Event("edited")
        self.dirty_changed = Event("dirty_changed")
        self.selection_changed = Event("selection_changed")
        self.committed = Event("committed")

    # ---- state ------------------------------------------------------------------------------
    @property
    def sequence(self) -> PoseSequence:
        """The current state as a `PoseSequence` (copies: edits never alias it)."""
        meta = dict(self._seq.meta)
        if self._segments or "segments" in meta:
            meta["segments"] = [dict(x) for x in self._segments]
        if self._mirrored or "mirrored" in meta:
            meta["mirrored"] = self._mirrored
        meta.pop(ANNOTATIONS, None)
        if self.flags or self.notes or self.keyframes:
            meta[ANNOTATIONS] = annotations_meta(self.flags, self.notes, self.keyframes)
        return self._seq.replace(
            data=self._data.copy(), confidence=self._conf.copy(), filled=self._filled.copy(), meta=meta
        )

    @property
    def parents(self) -> np.ndarray:
        """(J,) each joint's parent along the skeleton's bones (-1: none)."""
        return self._parents

    def frame_data(self, frame: int) -> np.ndarray:
        """(J, 3) float64 copy of one frame (clamped) as it is now."""
        return self._data[min(max(int(frame), 0), self.num_frames - 1)].astype(np.float64)

    def select(self, joint: int | None) -> None:
        """Pick ``joint`` (None: nothing) for the tools; not an edit, so not undoable."""
        if joint is not None and not 0 <= joint < self._data.shape[1]:
            raise ValueError(f"joint {joint} outside 0..{self._data.shape[1] - 1}")
        if joint != self.selection:
            self.selection = joint
            self.selection_changed.emit(joint)

    @property
    def in_batch(self) -> bool:
        """True while a batch (a drag) is open: edits show, the undo step is not made yet."""
        return self._batch is not None

    @property
    def num_frames(self) -> int:
        return int(self._data.shape[0])

    @property
    def dirty(self) -> bool:
        return len(self._undo) != self._saved_at or self._batch is not None

    def mark_unsaved(self) -> None:
        """Dirty with no history behind it (work restored from an autosave is not saved yet)."""
        was = self.dirty
        self._saved_at = -1
        if not was:
            self.dirty_changed.emit(True)

    def set_origin(self, meta: dict[str, Any]) -> None:
        """Where the sequence now lives (``source``, ``format`` after a Save as): merged into the
        meta of `sequence`; not an edit (no undo step, dirty state unchanged)."""
        self._seq = self._seq.replace(meta_update=meta)

    def mark_saved(self) -> None:
        was = self.dirty
        self._saved_at = len(self._undo)
        if was:
            self.dirty_changed.emit(False)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_text(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_text(self) -> str:
        return self._redo[-1].label if self._redo else ""

    # ---- history ----------------------------------------------------------------------------
    @contextmanager
    def batch_edit(self, label: str) -> Iterator[None]:
        """Edits inside the block (nested blocks too) become one undo step named ``label``."""
        self.begin_batch(label)
        try:
            yield
        finally:
            self.end_batch()

    def begin_batch(self, label: str) -> None:
        """Open a batch that spans events (a mouse drag: press ... release); see `batch_edit`."""
        if self._depth == 0:
            self._batch, self._batch_label = [], label
        self._depth += 1

    def end_batch(self) -> None:
        if self._depth == 0:
            raise RuntimeError("end_batch without begin_batch")
        self._depth -= 1
        if self._depth == 0:
            parts, self._batch = self._batch or [], None
            if parts:
                self._push(_merge(self._batch_label, parts))

    def rollback_batch(self) -> None:
        """Take back what the open batch did so far, keeping it open (a drag re-applies its move
        from where it began on every mouse move, rather than adding up small moves)."""
        if self._batch is None:
            raise RuntimeError("rollback_batch outside a batch")
        if not self._batch:
            return
        touched: set[int] = set()
        whole = False
        for cmd in reversed(self._batch):
            self._write(cmd.frames, cmd.before, cmd.meta_before)
            if cmd.frames is None:
                whole = True
            else:
                touched.update(cmd.frames.tolist())
        self._batch.clear()
        self.edited.emit(None if whole else sorted(touched))

    def undo(self) -> bool:
        return self._step(self._undo, self._redo, forward=False)

    def redo(self) -> bool:
        return self._step(self._redo, self._undo, forward=True)

    def _step(self, source: list[Command], target: list[Command], forward: bool) -> bool:
        """Move the newest command of ``source`` to ``target``, writing its after (redo) or
        before (undo) state."""
        if not source:
            return False
        cmd = source.pop()
        if forward:
            self._write(cmd.frames, cmd.after, cmd.meta_after)
        else:
            self._write(cmd.frames, cmd.before, cmd.meta_before)
        target.append(cmd)
        self.committed.emit("redo" if forward else "undo", cmd)
        self._after_history(cmd)
        return True

    def _after_history(self, cmd: Command) -> None:
        self.changed.emit(None if cmd.frames is None else cmd.frames.tolist())
        self.dirty_changed.emit(self.dirty)

    def _push(self, cmd: Command) -> None:
        """Record ``cmd`` (already applied): in the open batch, or as a new undo step."""
        was = self.dirty
        if self._batch is not None:
            self._batch.append(cmd)  # the batch announces itself once, when it closes
        else:
            if self._saved_at > len(self._undo):
                self._saved_at = -1  # the saved state was in the redo history, now gone
            self._undo.append(cmd)
            self._redo.clear()
            self.committed.emit("edit", cmd)
            self.pushed.emit(cmd.label)
            self.changed.emit(None if cmd.frames is None else cmd.frames.tolist())
        if was != self.dirty:
            self.dirty_changed.emit(self.dirty)

    def _snapshot(self, frames: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if frames is None:
            return self._data.copy(), self._conf.copy(), self._filled.copy()
        return self._data[frames].copy(), self._conf[frames].copy(), self._filled[frames].copy()

    def _write(
        self,
        frames: np.ndarray | None,
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
        meta: dict[str, Any],
    ) -> None:
        if frames is None:
            self._data, self._conf, self._filled = (a.copy() for a in arrays)
        else:
            self._data[frames], self._conf[frames], self._filled[frames] = arrays
        if meta:
            self.flags, self.notes = dict(meta["flags"]), dict(meta["notes"])
            self.keyframes = set(meta["keyframes"])
            self._segments = [dict(x) for x in meta["segments"]]
            self._mirrored = bool(meta["mirrored"])

    def _meta_state(self) -> dict[str, Any]:
        """Flags, notes, keyframes and segments as one value (small: stored whole per command)."""
        return {
            "flags": dict(self.flags),
            "notes": dict(self.notes),
            "keyframes": frozenset(self.keyframes),
            "segments": [dict(x) for x in self._segments],
            "mirrored": self._mirrored,
        }

    def _edit(
        self,
        label: str,
        frames: np.ndarray | None,
        data: np.ndarray,
        conf: np.ndarray | None = None,
        filled: np.ndarray | None = None,
    ) -> None:
        before = self._snapshot(frames)
        after = (
            np.asarray(data, np.float32),
            before[1] if conf is None else np.asarray(conf, np.float32),
            before[2] if filled is None else np.asarray(filled, bool),
        )
        self._write(frames, after, {})
        self._push(Command(label, frames, before, tuple(a.copy() for a in after)))  # type: ignore[arg-type]
        self.edited.emit(None if frames is None else frames.tolist())

    def _frames(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(0, int(start)), min(self.num_frames, int(stop))
        if stop <= start:
            raise ValueError(f"empty frame range [{start}, {stop}) of {self.num_frames} frames")
        return np.arange(start, stop)

    # ---- tools ------------------------------------------------------------------------------
    def move_joint(
        self,
        frame: int,
        joint: int,
        target: Sequence[float] | np.ndarray,
        falloff: int = 0,
        between_keyframes: bool = False,
        reach: bool = False,
    ) -> None:
        """Move ``joint`` at ``frame`` towards ``target`` (raw coordinates), bone lengths kept (see
        the module docstring for ``reach``, ``falloff`` and ``between_keyframes``)."""
        if not 0 <= frame < self.num_frames:
            raise ValueError(f"frame {frame} outside 0..{self.num_frames - 1}")
        steps = self._turns_towards(frame, joint, np.asarray(target, np.float64), reach)
        frames, weights = self._spread(frame, falloff, between_keyframes)
        data = self._data[frames].astype(np.float64)
        from scipy.spatial.transform import Rotation

        for pivot, top, rotvec, shift in steps:
            subtree = _subtree(self._parents, top)
            for i, w in enumerate(weights):
                part = Rotation.from_rotvec(rotvec * w)
                p = data[i, pivot] if pivot >= 0 else data[i, top]
                data[i, subtree] = part.apply(data[i, subtree] - p) + p + shift * w
        present = self._conf[frames] > 0
        data = np.where(present[..., None], data, self._data[frames])
        name = f"{'reach' if reach else 'move joint'}, frame {frame}"
        if between_keyframes and frame not in self.keyframes:
            with self.batch_edit(name):
                self.set_keyframe(frame, True)
                self._edit(name, frames, data.astype(np.float32))
        else:
            self._edit(name, frames, data.astype(np.float32))

    def _turns_towards(
        self, frame: int, joint: int, target: np.ndarray, reach: bool
    ) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """How `move_joint` moves ``joint`` at ``frame`` to ``target``: (pivot joint or -1 for a
        shift, top joint, rotation vector, shift) steps, applied in order, each to the subtree of
        its top joint (turned about the pivot, or shifted)."""
        x = self._data[frame].astype(np.float64)
        parent = self._parents[joint]
        grand = self._parents[parent] if parent >= 0 else -1
        if parent < 0:
            return [(-1, joint, np.zeros(3), target - x[joint])]
        # two bones only when both have a length (a point sitting on its parent has no plane to
        # bend in: the two-bone solve would divide by zero and write NaN), else one bone turns
        if reach and grand >= 0 and min(_norm(x[parent] - x[grand]), _norm(x[joint] - x[parent])) > 1e-9:
            elbow = _two_bone_elbow(x[grand], x[parent], x[joint], target)
            first = _swing(x[parent] - x[grand], elbow - x[grand])
            wrist = first.apply(x[joint] - x[grand]) + x[grand]
            second = _swing(wrist - elbow, target - elbow)
            return [
                (grand, parent, first.as_rotvec(), np.zeros(3)),
                (parent, joint, second.as_rotvec(), np.zeros(3)),
            ]
        return [(parent, joint, _swing(x[joint] - x[parent], target - x[parent]).as_rotvec(), np.zeros(3))]

    def _spread(self, frame: int, falloff: int, between_keyframes: bool) -> tuple[np.ndarray, np.ndarray]:
        """The frames an edit at ``frame`` reaches and its weight on each (1 at ``frame``)."""
        if between_keyframes:
            before = [k for k in self.keyframes if k < frame]
            after = [k for k in self.keyframes if k > frame]
            lo, hi = max(before, default=-1), min(after, default=self.num_frames)
            frames = np.arange(lo + 1, hi)
            side = np.where(frames < frame, frame - lo, hi - frame)
            return frames, 1.0 - np.abs(frames - frame) / side
        lo, hi = max(0, frame - falloff), min(self.num_frames, frame + falloff + 1)
        frames = np.arange(lo, hi)
        return frames, 1.0 - np.abs(frames - frame) / (falloff + 1)

    def fill_missing(self, start: int = 0, stop: int | None = None, max_gap: int | None = None) -> None:
        """Fill the missing points of frames [start, stop) (default: to the end) as
        `signstudio.pose.transforms.fill_missing` fills them in the whole sequence: a gap that
        crosses the range's edge is interpolated from its measured ends outside the range, and
        only its frames inside the range are written."""
        frames = self._frames(start, self.num_frames if stop is None else stop)
        filled = transforms.fill_missing(self.sequence, max_gap=max_gap)
        self._edit(
            "fill missing points",
            frames,
            filled.data[frames],
            filled.confidence[frames],
            filled.filled[frames],
        )

    def smoothed(
        self, start: int, stop: int, window: int = 7, order: int = 2
    ) -> tuple[np.ndarray, np.ndarray]:
        """(frames, data) that `smooth` would write, without writing it (a preview)."""
        from scipy.signal import savgol_filter  # scipy.signal is slow to import: only when smoothing

        frames = self._frames(start, stop)
        window = min(window, len(frames) - (1 - len(frames) % 2))
        if window <= order:
            raise ValueError(f"a {window}-frame window cannot fit a degree-{order} polynomial")
        data = self._data[frames].astype(np.float64)
        smoothed = savgol_filter(data, window, order, axis=0, mode="interp")
        present = self._conf[frames] > 0
        out = np.where(present.all(axis=0)[None, :, None], smoothed, data)  # joints present throughout
        return frames, out.astype(np.float32)

    def smooth(self, start: int, stop: int, window: int = 7, order: int = 2) -> None:
        """Savitzky–Golay over frames [start, stop) (window clipped to the range, odd)."""
        frames, data = self.smoothed(start, stop, window, order)
        self._edit("smooth" + _span(start, stop, self.num_frames), frames, data)

    def mirror(self, start: int, stop: int) -> None:
        frames = self._frames(start, stop)
        m = transforms.mirror(self.sequence)
        label = "mirror left and right" + _span(start, stop, self.num_frames)
        with self.batch_edit(label):
            self._edit(label, frames, m.data[frames], m.confidence[frames], m.filled[frames])
            self._meta_change(label, lambda: self._swap_hands(start, stop))

    def _swap_hands(self, start: int, stop: int) -> None:
        """Letters signed inside [start, stop) are signed with the other hand after a mirror."""
        swap = {"right": "left", "left": "right"}
        if start <= 0 and stop >= self.num_frames:
            self._mirrored = not self._mirrored  # the whole sequence: it is a mirror image now
        self._segments = [
            {**g, "hand": swap.get(g.get("hand", ""), g.get("hand"))}
            if start <= g["start"] and g["end"] <= stop
            else g
            for g in self._segments
        ]

    def trim(self, start: int, stop: int) -> None:
        """Keep frames [start, stop) only (one undo step, whole arrays stored)."""
        self._reshape("trim to" + _span(start, stop, 0), self._frames(start, stop))

    def cut(self, start: int, stop: int) -> None:
        """Remove frames [start, stop) (at least one frame stays)."""
        gone = self._frames(start, stop)
        if len(gone) >= self.num_frames:
            raise ValueError("cutting every frame would leave an empty sequence")
        self._reshape("cut" + _span(start, stop, 0), np.setdiff1d(np.arange(self.num_frames), gone))

    def insert_hold(self, frame: int, count: int) -> None:
        """Hold ``frame`` for ``count`` more frames (copies of it, inserted after it)."""
        if not 0 <= frame < self.num_frames:
            raise ValueError(f"frame {frame} outside 0..{self.num_frames - 1}")
        if count < 1:
            raise ValueError(f"a hold needs at least one frame, not {count}")
        index = np.concatenate(
            [np.arange(frame + 1), np.full(count, frame), np.arange(frame + 1, self.num_frames)]
        )
        self._reshape(f"hold frame {frame} for {count} frames", index)

    def _reshape(self, label: str, index: np.ndarray) -> None:
        """New frames = old frames ``index`` (kept in order; a repeated frame is a hold, whose
        copies carry no flag, note or keyframe). One undo step storing the whole arrays."""
        if self._batch is not None:
            raise ValueError(f"{label} changes the length: do it on its own, not inside a batch edit")
        before, meta_before = self._snapshot(None), self._meta_state()
        self._data, self._conf, self._filled = (a[index].copy() for a in before)
        first: dict[int, int] = {}  # old frame -> its first new frame
        for new, old in enumerate(index.tolist()):
            first.setdefault(old, new)
        self.flags = {first[k]: v for k, v in self.flags.items() if k in first}
        self.notes = {first[k]: v for k, v in self.notes.items() if k in first}
        self.keyframes = {first[k] for k in self.keyframes if k in first}
        self._segments = remap_segments(self._segments, index)
        self._push(Command(label, None, before, self._snapshot(None), meta_before, self._meta_state()))
        self.edited.emit(None)

    def flag(self, frame: int, text: str | None) -> None:
        """Flag ``frame`` (``text``: why), or clear its flag with None."""
        self._meta_edit(f"{'flag' if text is not None else 'unflag'} frame {frame}", "flags", frame, text)

    def note(self, frame: int, text: str | None) -> None:
        self._meta_edit(f"note on frame {frame}", "notes", frame, text)

    def set_keyframe(self, frame: int, on: bool = True) -> None:
        """Make ``frame`` a keyframe (edits between keyframes fade out at them) or not."""
        label = f"keyframe {frame}" if on else f"remove keyframe {frame}"
        self._meta_edit(label, "keyframes", frame, "" if on else None)

    def _meta_edit(self, label: str, which: str, frame: int, text: str | None) -> None:
        if not 0 <= frame < self.num_frames:
            raise ValueError(f"frame {frame} outside 0..{self.num_frames - 1}")

        def change() -> None:
            if which == "keyframes":
                (self.keyframes.add if text is not None else self.keyframes.discard)(frame)
            else:
                target = self.flags if which == "flags" else self.notes
                if text is None:
                    target.pop(frame, None)
                else:
                    target[frame] = text

        self._meta_change(label, change)

    def _meta_change(self, label: str, change: Callable[[], object]) -> None:
        """Run ``change`` (it edits flags, notes, keyframes or segments) as an undoable command."""
        before = self._meta_state()
        change()
        after = self._meta_state()
        if after == before:
            return  # nothing changed: no empty undo step
        empty = np.zeros(0, np.int64)
        snap = self._snapshot(empty)
        self._push(Command(label, empty, snap, snap, before, after))
        self.edited.emit([])


def _two_bone_elbow(root: np.ndarray, mid: np.ndarray, end: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Where the middle joint goes so that a two-bone chain root–mid–end, lengths kept, reaches
    ``target`` (or points at it, stretched straight, when it is out of reach); the chain bends
    in the plane it bends in now."""
    a, b = np.linalg.norm(mid - root), np.linalg.norm(end - mid)
    to = target - root
    d = float(np.clip(np.linalg.norm(to), abs(a - b) + 1e-9, a + b - 1e-9))
    u = to / max(np.linalg.norm(to), 1e-12)
    bend = (mid - root) - np.dot(mid - root, u) * u  # the current elbow direction, off the line
    if np.linalg.norm(bend) < 1e-9:  # a straight arm: bend it any way off the line
        bend = np.cross(u, [0.0, 0.0, 1.0])
        if np.linalg.norm(bend) < 1e-9:
            bend = np.cross(u, [0.0, 1.0, 0.0])
    v = bend / np.linalg.norm(bend)
    cos_root = (a * a + d * d - b * b) / (2 * a * d)
    angle = np.arccos(np.clip(cos_root, -1.0, 1.0))
    return root + a * (np.cos(angle) * u + np.sin(angle) * v)


def _span(start: int, stop: int, num_frames: int) -> str:
    """ ", frames 3–20" for [start, stop) (the last frame included, as the timeline shows it);
    "" for the whole sequence of ``num_frames`` frames."""
    if start <= 0 and stop >= num_frames > 0:
        return ""
    return f", frame {start}" if stop - start == 1 else f", frames {start}–{stop - 1}"


def _norm(v: np.ndarray) -> float:
    return float(np.linalg.norm(v))


def _parents(seq: PoseSequence) -> np.ndarray:
    """(J,) the parent of each joint along the skeleton's bones (-1: none)."""
    parents = np.full(seq.num_joints, -1, np.int64)
    for parent, child in np.asarray(seq.skeleton.bones).reshape(-1, 2):
        if parents[child] < 0:
            parents[child] = parent
    return parents


def _subtree(parents: np.ndarray, joint: int) -> np.ndarray:
    """``joint`` and every joint below it."""
    out = [joint]
    frontier = [joint]
    while frontier:
        kids = np.flatnonzero(np.isin(parents, frontier)).tolist()
        kids = [k for k in kids if k not in out]
        out += kids
        frontier = kids
    return np.asarray(out, np.int64)


def _swing(a: np.ndarray, b: np.ndarray) -> Rotation:
    """The shortest rotation taking direction ``a`` onto direction ``b``."""
    from scipy.spatial.transform import Rotation

    a = a / max(np.linalg.norm(a), 1e-12)
    b = b / max(np.linalg.norm(b), 1e-12)
    axis = np.cross(a, b)
    s, c = np.linalg.norm(axis), float(np.dot(a, b))
    if s < 1e-12:
        return Rotation.identity()
    return Rotation.from_rotvec(axis / s * np.arctan2(s, c))


def _merge(label: str, parts: list[Command]) -> Command:
    """One command doing ``parts`` in order: for every frame touched, its state before the first
    part that touched it and after the last one; flags and notes likewise."""
    before: dict[int, tuple[np.ndarray, ...]] = {}
    after: dict[int, tuple[np.ndarray, ...]] = {}
    for part in parts:
        assert part.frames is not None  # trim is refused inside a batch
        for i, f in enumerate(part.frames.tolist()):
            before.setdefault(f, tuple(a[i] for a in part.before))
            after[f] = tuple(a[i] for a in part.after)
    frames = np.asarray(sorted(before), np.int64)
    first = parts[0].before

    def stack(rows: dict[int, tuple[np.ndarray, ...]], k: int) -> np.ndarray:
        return np.stack([rows[f][k] for f in frames.tolist()]) if len(frames) else first[k][:0]

    meta_before = next((p.meta_before for p in parts if p.meta_before), {})
    meta_after = next((p.meta_after for p in reversed(parts) if p.meta_after), {})
    return Command(
        label,
        frames,
        (stack(before, 0), stack(before, 1), stack(before, 2)),
        (stack(after, 0), stack(after, 1), stack(after, 2)),
        meta_before,
        meta_after,
    )


__all__ = ["Command", "PoseDocument"]
