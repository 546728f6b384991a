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
  subtree. ``falloff=k`` applies the same turn, faded linearly, to the k frames on either side.
* `fill_missing` — interpolates missing points of a frame range (`pose.transforms.fill_missing`;
  marked as filled, never passed off as measured).
* `smooth` — Savitzky–Golay along time over a frame range (jitter removal; present points only).
* `mirror` — left and right swapped over a frame range (`pose.transforms.mirror`).
* `trim` — keeps frames [start, stop).
* `flag` / `note` — per-frame flags and a free-text note per frame, undoable like the rest.

Events: ``changed(frames)`` after every edit, undo and redo (``frames``: the frame indices it
touched, or None when the length changed); ``dirty_changed(bool)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.session.clock import Event


@dataclass
class Command:
    """One undo step: ``frames`` (sorted indices, or None for the whole sequence) and the arrays of
    those frames before and after; flags and notes are stored whole (small)."""

    label: str
    frames: np.ndarray | None
    before: tuple[np.ndarray, np.ndarray, np.ndarray]
    after: tuple[np.ndarray, np.ndarray, np.ndarray]
    meta_before: dict[str, dict[int, str]] = field(default_factory=dict)
    meta_after: dict[str, dict[int, str]] = field(default_factory=dict)


class PoseDocument:
    """A sequence being edited, its undo history and dirty state (see the module docstring)."""

    def __init__(self, sequence: PoseSequence) -> None:
        self._seq = sequence
        self._data = np.array(sequence.data, np.float32, copy=True)
        self._conf = np.array(sequence.confidence, np.float32, copy=True)
        self._filled = np.array(sequence.filled, bool, copy=True)
        self.flags: dict[int, str] = {}
        self.notes: dict[int, str] = {}
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._saved_at = 0  # len(self._undo) when last saved
        self._batch: list[Command] | None = None
        self._batch_label = ""
        self._depth = 0
        self._parents = _parents(sequence)
        self.changed = Event("changed")
        self.dirty_changed = Event("dirty_changed")

    # ---- state ------------------------------------------------------------------------------
    @property
    def sequence(self) -> PoseSequence:
        """The current state as a `PoseSequence` (copies: edits never alias it)."""
        return self._seq.replace(
            data=self._data.copy(), confidence=self._conf.copy(), filled=self._filled.copy()
        )

    @property
    def num_frames(self) -> int:
        return int(self._data.shape[0])

    @property
    def dirty(self) -> bool:
        return len(self._undo) != self._saved_at or self._batch is not None

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
        if self._depth == 0:
            self._batch, self._batch_label = [], label
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                parts, self._batch = self._batch or [], None
                if parts:
                    self._push(_merge(self._batch_label, parts))

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
            self._undo.append(cmd)
            self._redo.clear()
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
        meta: dict[str, dict[int, str]],
    ) -> None:
        if frames is None:
            self._data, self._conf, self._filled = (a.copy() for a in arrays)
        else:
            self._data[frames], self._conf[frames], self._filled[frames] = arrays
        if meta:
            self.flags, self.notes = dict(meta["flags"]), dict(meta["notes"])

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

    def _frames(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(0, int(start)), min(self.num_frames, int(stop))
        if stop <= start:
            raise ValueError(f"empty frame range [{start}, {stop}) of {self.num_frames} frames")
        return np.arange(start, stop)

    # ---- tools ------------------------------------------------------------------------------
    def move_joint(
        self, frame: int, joint: int, target: Sequence[float] | np.ndarray, falloff: int = 0
    ) -> None:
        """Turn ``joint``'s bone (and its subtree) so the joint points at ``target`` (see the module
        docstring); ``falloff`` frames either side get the same turn, faded linearly."""
        from scipy.spatial.transform import Rotation

        if not 0 <= frame < self.num_frames:
            raise ValueError(f"frame {frame} outside 0..{self.num_frames - 1}")
        target = np.asarray(target, np.float64)
        subtree = _subtree(self._parents, joint)
        parent = self._parents[joint]
        x = self._data[frame].astype(np.float64)
        if parent < 0:
            turn, pivot, shift = Rotation.identity(), x[joint], target - x[joint]
        else:
            pivot = x[parent]
            turn, shift = _swing(x[joint] - pivot, target - pivot), np.zeros(3)
        lo, hi = max(0, frame - falloff), min(self.num_frames, frame + falloff + 1)
        frames = np.arange(lo, hi)
        data = self._data[frames].astype(np.float64)
        for i, f in enumerate(frames):
            w = 1.0 - abs(int(f) - frame) / (falloff + 1)
            part = Rotation.from_rotvec(turn.as_rotvec() * w)
            p = data[i, parent] if parent >= 0 else data[i, joint]
            moved = part.apply(data[i, subtree] - p) + p + shift * w
            data[i, subtree] = moved
        present = self._conf[frames] > 0
        data = np.where(present[..., None], data, self._data[frames])
        self._edit("move joint", frames, data.astype(np.float32))

    def fill_missing(self, start: int = 0, stop: int | None = None, max_gap: int | None = None) -> None:
        from signstudio.pose.transforms import fill_missing

        frames = self._frames(start, self.num_frames if stop is None else stop)
        filled = fill_missing(self.sequence, max_gap=max_gap)
        self._edit(
            "fill missing points",
            frames,
            filled.data[frames],
            filled.confidence[frames],
            filled.filled[frames],
        )

    def smooth(self, start: int, stop: int, window: int = 7, order: int = 2) -> None:
        """Savitzky–Golay over frames [start, stop) (window clipped to the range, odd)."""
        from scipy.signal import savgol_filter

        frames = self._frames(start, stop)
        window = min(window, len(frames) - (1 - len(frames) % 2))
        if window <= order:
            raise ValueError(f"a {window}-frame window cannot fit a degree-{order} polynomial")
        data = self._data[frames].astype(np.float64)
        smoothed = savgol_filter(data, window, order, axis=0, mode="interp")
        present = self._conf[frames] > 0
        out = np.where(present.all(axis=0)[None, :, None], smoothed, data)  # joints present throughout
        self._edit("smooth", frames, out.astype(np.float32))

    def mirror(self, start: int, stop: int) -> None:
        from signstudio.pose.transforms import mirror

        frames = self._frames(start, stop)
        m = mirror(self.sequence)
        self._edit("mirror left and right", frames, m.data[frames], m.confidence[frames], m.filled[frames])

    def trim(self, start: int, stop: int) -> None:
        """Keep frames [start, stop) only (one undo step, whole arrays stored)."""
        if self._batch is not None:
            raise ValueError("trim changes the length: do it on its own, not inside a batch edit")
        frames = self._frames(start, stop)
        before = self._snapshot(None)
        meta_before = {"flags": dict(self.flags), "notes": dict(self.notes)}
        self._data, self._conf, self._filled = (a[frames].copy() for a in before)
        shift = int(frames[0])
        self.flags = {k - shift: v for k, v in self.flags.items() if start <= k < stop}
        self.notes = {k - shift: v for k, v in self.notes.items() if start <= k < stop}
        meta_after = {"flags": dict(self.flags), "notes": dict(self.notes)}
        self._push(Command("trim", None, before, self._snapshot(None), meta_before, meta_after))

    def flag(self, frame: int, text: str | None) -> None:
        """Flag ``frame`` (``text``: why), or clear its flag with None."""
        self._meta_edit("flag frame", "flags", frame, text)

    def note(self, frame: int, text: str | None) -> None:
        self._meta_edit("note", "notes", frame, text)

    def _meta_edit(self, label: str, which: str, frame: int, text: str | None) -> None:
        if not 0 <= frame < self.num_frames:
            raise ValueError(f"frame {frame} outside 0..{self.num_frames - 1}")
        before = {"flags": dict(self.flags), "notes": dict(self.notes)}
        target = self.flags if which == "flags" else self.notes
        if text is None:
            target.pop(frame, None)
        else:
            target[frame] = text
        after = {"flags": dict(self.flags), "notes": dict(self.notes)}
        empty = np.zeros(0, np.int64)
        snap = self._snapshot(empty)
        self._push(Command(label, empty, snap, snap, before, after))


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


def _swing(a: np.ndarray, b: np.ndarray):  # type: ignore[no-untyped-def]
    """The shortest rotation taking direction ``a`` onto direction ``b`` (scipy Rotation)."""
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
