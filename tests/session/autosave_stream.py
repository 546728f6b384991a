"""A reproducible stream of committed edits for the autosave journal tests: the child that is
killed and the test that checks its recovery both run it, so the test knows, bit for bit, the
document after every committed edit."""

from __future__ import annotations

import time

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.session.document import PoseDocument


def recording() -> PoseSequence:
    """A real lexicon recording (the first clip of the index; MediaPipe Holistic, 586 joints)."""
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.formats import read_one

    return read_one(lexicon_index()[0].path)


def commit_one(doc: PoseDocument, rng: np.random.Generator, pause: float = 0.0) -> str:
    """Make one committed edit (at most one ``committed`` event) chosen by ``rng``; its kind.
    ``pause``: seconds a drag waits between its mouse moves (a kill can land mid-drag)."""
    n = doc.num_frames
    frame = int(rng.integers(n))
    movable = np.flatnonzero(doc.parents >= 0)
    kind = str(rng.choice(["drag", "move", "reach", "mark", "smooth", "mirror", "undo", "redo", "length"]))
    if kind == "undo" and doc.can_undo:
        doc.undo()
    elif kind == "redo" and doc.can_redo:
        doc.redo()
    elif kind == "mark":
        what = int(rng.integers(3))
        if what == 0:
            doc.flag(frame, None if frame in doc.flags else f"flag {rng.integers(100)} ü")
        elif what == 1:
            doc.note(frame, f"note {rng.integers(100)}")
        else:
            doc.set_keyframe(frame, frame not in doc.keyframes)
    elif kind == "smooth" and n >= 8:
        start = int(rng.integers(n - 7))
        doc.smooth(start, start + 7)
    elif kind == "mirror":
        start = int(rng.integers(n - 1))
        doc.mirror(start, int(rng.integers(start + 1, n + 1)))
    elif kind == "length":
        if n > 30:
            start = int(rng.integers(n - 5))
            doc.cut(start, start + int(rng.integers(1, 5)))
        else:
            doc.insert_hold(frame, int(rng.integers(1, 4)))
    elif kind == "drag":
        _drag(doc, rng, frame, int(rng.choice(movable)), pause)
    else:
        joint = int(rng.choice(movable))
        target = doc.frame_data(frame)[joint] + rng.normal(0, 0.05, 3)
        if doc.flags.get(frame) is None and doc.keyframes and rng.random() < 0.3:
            doc.move_joint(frame, joint, target, between_keyframes=True)
        else:
            doc.move_joint(frame, joint, target, falloff=int(rng.integers(4)), reach=kind == "reach")
    return kind


def _drag(doc: PoseDocument, rng: np.random.Generator, frame: int, joint: int, pause: float) -> None:
    """Press, a few mouse moves (each takes the last back and moves from the start), release."""
    start = doc.frame_data(frame)[joint]
    doc.begin_batch("drag")
    for _ in range(int(rng.integers(2, 6))):
        doc.rollback_batch()
        doc.move_joint(frame, joint, start + rng.normal(0, 0.05, 3), falloff=int(rng.integers(3)))
        if pause:
            time.sleep(pause)
    doc.end_batch()
