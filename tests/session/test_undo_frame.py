"""Each undo step names its frame and knows which frame it is about (`Command.focus`: the studio's
undo and redo take the clock there), issue 20 item 9."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.corpus.store import open_corpus
from signstudio.session.document import PoseDocument


@pytest.fixture(scope="module")
def seq():
    corpus = open_corpus(quiet=True)
    return corpus.word_sequence("ase", corpus.words("ase", "test")[0], "upper50")


def _last(doc: PoseDocument):  # type: ignore[no-untyped-def]
    seen: list = []
    doc.committed.connect(lambda op, cmd: seen.append(cmd))
    return seen


def test_a_move_with_falloff_is_about_the_dragged_frame(seq) -> None:
    doc = PoseDocument(seq)
    seen = _last(doc)
    wrist = seq.skeleton.index("RWrist", "BODY")
    width = float(np.linalg.norm(seq.data[40, 2] - seq.data[40, 5]))
    doc.move_joint(40, wrist, seq.data[40, wrist] + np.array([0.1, -0.1, 0.0]) * width, falloff=6)
    (cmd,) = seen
    assert cmd.frames.tolist() == list(range(34, 47)) and cmd.focus() == 40
    assert doc.undo_text == "move joint, frame 40"
    doc.move_joint(10, wrist, seq.data[10, wrist] + np.array([0.0, 0.1, 0.0]) * width, reach=True)
    assert doc.undo_text == "reach, frame 10" and seen[-1].focus() == 10
    assert doc.undo() and seen[-1].focus() == 10  # the undo is about the same frame


def test_marks_are_about_their_frame_and_a_length_change_about_none(seq) -> None:
    doc = PoseDocument(seq)
    seen = _last(doc)
    doc.flag(12, "flagged")
    doc.note(33, "hold too short")
    doc.set_keyframe(7)
    doc.set_keyframe(7, False)
    doc.flag(12, None)
    assert [c.label for c in seen] == [
        "flag frame 12",
        "note on frame 33",
        "keyframe 7",
        "remove keyframe 7",
        "unflag frame 12",
    ]
    assert [c.focus() for c in seen] == [12, 33, 7, 7, 12]
    doc.smooth(20, 31)
    doc.mirror(0, doc.num_frames)
    doc.cut(50, 55)
    labels = [c.label for c in seen[-3:]]
    assert labels == ["smooth, frames 20–30", "mirror left and right", "cut, frames 50–54"]
    assert 20 <= seen[-3].focus() <= 30 and seen[-1].focus() is None
