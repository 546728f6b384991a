"""The edit model without Qt: constrained joint moves keep every bone length, undo restores bit
for bit, a batch is one undo step, and the range tools and per-frame flags undo alike."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.session.document import PoseDocument


@pytest.fixture
def seq() -> PoseSequence:
    from signstudio.corpus.store import default_sample
    from signstudio.pose.convert import convert

    return convert(default_sample(), "upper50")  # a real recording, 50 joints with hand bones


def _bone_lengths(s: PoseSequence) -> np.ndarray:
    b = np.asarray(s.skeleton.bones)
    return np.linalg.norm(s.data[:, b[:, 1]] - s.data[:, b[:, 0]], axis=-1)


def _equal(a: PoseSequence, b: PoseSequence) -> bool:
    return (
        np.array_equal(a.data, b.data)
        and np.array_equal(a.confidence, b.confidence)
        and np.array_equal(a.filled, b.filled)
    )


def test_moving_a_wrist_keeps_every_bone_length_and_undoes_exactly(seq):
    doc = PoseDocument(seq)
    wrist = seq.skeleton.index("RWrist", "BODY")
    frame = 40
    before = doc.sequence
    target = seq.data[frame, wrist] + np.array([0.05, -0.08, 0.02]) * np.linalg.norm(
        seq.data[frame, 2] - seq.data[frame, 5]
    )
    doc.move_joint(frame, wrist, target, falloff=3)
    after = doc.sequence
    assert np.abs(_bone_lengths(after) - _bone_lengths(before)).max() < 1e-5 * max(
        1.0, float(np.abs(seq.data).max())
    )
    moved = np.abs(after.data - before.data).max(axis=(1, 2)) > 0
    assert moved[37:44].all() and not moved[:37].any() and not moved[44:].any()  # the falloff
    # the whole right hand followed its wrist
    hand = seq.skeleton.groups["right_hand"]
    assert np.abs(after.data[frame, hand] - before.data[frame, hand]).max() > 0
    assert doc.dirty and doc.can_undo and doc.undo_text == "move joint, frame 40"
    assert doc.undo() and _equal(doc.sequence, before) and not doc.dirty
    assert doc.redo() and _equal(doc.sequence, after) and doc.dirty


def test_a_batch_is_one_undo_step(seq):
    doc = PoseDocument(seq)
    finger = seq.skeleton.index("INDEX_FINGER_TIP", "RIGHT_HAND")
    original = doc.sequence
    seen = []
    doc.changed.connect(seen.append)
    with doc.batch_edit("fix the index finger"), doc.batch_edit("inner"):
        for f in (20, 21, 22):
            doc.move_joint(f, finger, seq.data[f, finger] + 3.0)
        doc.flag(21, "finger fixed")
    assert doc.undo_text == "fix the index finger" and len(seen) == 1 and seen[0] == [20, 21, 22]
    edited = doc.sequence
    assert doc.flags == {21: "finger fixed"}
    assert doc.undo() and _equal(doc.sequence, original) and doc.flags == {} and not doc.can_undo
    assert doc.redo() and _equal(doc.sequence, edited) and doc.flags == {21: "finger fixed"}


@pytest.mark.parametrize(
    ("start", "stop", "max_gap"), [(0, None, None), (25, 40, None), (32, 60, 3), (0, 90, 6)]
)
def test_fill_missing_is_the_transforms_fill_over_the_range(seq, start, stop, max_gap):
    from signstudio.pose.transforms import fill_missing

    conf, data = seq.confidence.copy(), seq.data.copy()
    elbow, wrist = seq.skeleton.index("LElbow", "BODY"), seq.skeleton.index("RWrist", "BODY")
    for frames, joint in ((slice(30, 34), elbow), (slice(50, 55), wrist), (slice(0, 3), wrist)):
        conf[frames, joint], data[frames, joint] = 0.0, 0.0  # gaps of 4 and 5, and one at the start
    doc = PoseDocument(seq.replace(data=data, confidence=conf))
    original = doc.sequence
    expected = fill_missing(original, max_gap=max_gap)
    doc.fill_missing(start, stop, max_gap=max_gap)
    got = doc.sequence
    inside = np.zeros(doc.num_frames, bool)
    inside[start:stop] = True
    for name in ("data", "confidence", "filled"):  # bit for bit: inside as filled, outside untouched
        assert np.array_equal(getattr(got, name)[inside], getattr(expected, name)[inside])
        assert np.array_equal(getattr(got, name)[~inside], getattr(original, name)[~inside])
    assert doc.undo() and _equal(doc.sequence, original)
    assert doc.redo() and _equal(doc.sequence, got)


def test_saved_state_and_a_new_edit_clears_redo(seq):
    doc = PoseDocument(seq)
    states = []
    doc.dirty_changed.connect(states.append)
    doc.note(3, "check the thumb")
    doc.mark_saved()
    assert not doc.dirty and states == [True, False]
    doc.undo()
    assert doc.dirty and doc.can_redo
    doc.flag(5, "odd")
    assert not doc.can_redo and doc.notes == {} and doc.flags == {5: "odd"}


def test_fill_smooth_mirror_and_trim_undo_bit_for_bit(seq):
    conf = seq.confidence.copy()
    elbow = seq.skeleton.index("LElbow", "BODY")
    conf[30:34, elbow] = 0.0
    data = seq.data.copy()
    data[30:34, elbow] = 0.0
    doc = PoseDocument(seq.replace(data=data, confidence=conf))
    original = doc.sequence
    doc.fill_missing(25, 40)
    filled = doc.sequence
    assert (filled.confidence[30:34, elbow] > 0).all() and filled.filled[30:34, elbow].all()
    rng = np.random.default_rng(0)
    noisy = filled.data.copy()
    noisy[10:60] += rng.normal(0, 0.01, noisy[10:60].shape).astype(np.float32)
    doc2 = PoseDocument(filled.replace(data=noisy))
    doc2.smooth(10, 60, window=9)
    steady = (filled.confidence[10:60] > 0).all(axis=0)  # joints present throughout are smoothed
    jitter = lambda d: np.abs(np.diff(d[10:60, steady], 2, axis=0)).mean()  # noqa: E731
    assert jitter(doc2.sequence.data) < 0.5 * jitter(noisy)
    doc.mirror(0, doc.num_frames)
    assert not np.array_equal(doc.sequence.data, filled.data)
    doc.flag(50, "end of sign")
    doc.trim(5, 60)
    assert doc.num_frames == 55 and doc.flags == {45: "end of sign"}
    with pytest.raises(ValueError, match="not inside a batch"), doc.batch_edit("x"):
        doc.trim(0, 10)
    while doc.undo():
        pass
    assert _equal(doc.sequence, original) and doc.flags == {}


def test_bad_requests(seq):
    doc = PoseDocument(seq)
    with pytest.raises(ValueError, match="outside"):
        doc.move_joint(10_000, 0, (0, 0, 0))
    with pytest.raises(ValueError, match="empty frame range"):
        doc.smooth(20, 20)
    with pytest.raises(ValueError, match="cannot fit"):
        doc.smooth(0, 3, window=3, order=3)
    assert not doc.undo() and not doc.redo() and not doc.dirty


def _scale(seq: PoseSequence) -> float:
    return float(np.linalg.norm(seq.data[0, 2] - seq.data[0, 5]))  # shoulder width


def test_reach_puts_a_dragged_wrist_on_the_target_with_the_arm_bones_kept(seq):
    doc = PoseDocument(seq)
    wrist, elbow, shoulder = (seq.skeleton.index(n, "BODY") for n in ("RWrist", "RElbow", "RShoulder"))
    frame = 30
    x = seq.data[frame].astype(np.float64)
    target = x[wrist] + np.array([0.10, 0.05, -0.08]) * _scale(seq)  # within the arm's reach
    before = doc.sequence
    doc.move_joint(frame, wrist, target, reach=True)
    after = doc.sequence
    assert np.linalg.norm(after.data[frame, wrist] - target) < 1e-4 * _scale(seq)
    assert np.abs(_bone_lengths(after) - _bone_lengths(before)).max() < 1e-5 * max(
        1.0, float(np.abs(seq.data).max())
    )
    assert np.array_equal(after.data[frame, shoulder], before.data[frame, shoulder])  # the root stays
    assert not np.array_equal(after.data[frame, elbow], before.data[frame, elbow])  # the elbow bent
    # a plain move turns only the forearm: the wrist stays on its sphere round the elbow
    plain = PoseDocument(seq)
    plain.move_joint(frame, wrist, target)
    assert np.array_equal(plain.sequence.data[frame, elbow], before.data[frame, elbow])
    assert doc.undo() and _equal(doc.sequence, before)


def test_an_edit_between_keyframes_fades_out_at_them_and_leaves_them_alone(seq):
    doc = PoseDocument(seq)
    wrist = seq.skeleton.index("RWrist", "BODY")
    doc.set_keyframe(20)
    doc.set_keyframe(50)
    before = doc.sequence
    target = seq.data[35, wrist] + np.array([0.0, 0.0, 0.15]) * _scale(seq)
    doc.move_joint(35, wrist, target, between_keyframes=True)
    after = doc.sequence
    moved = np.abs(after.data - before.data).max(axis=(1, 2))
    assert moved[21:50].all() and not moved[:21].any() and not moved[50:].any()
    assert moved[35] == moved.max() and moved[22] < moved[30] < moved[35] > moved[40] > moved[48]
    assert doc.keyframes == {20, 35, 50} and doc.undo_text == "move joint, frame 35"
    # a second edit at a keyframe's neighbour now stops at 35
    doc.move_joint(
        40, wrist, after.data[40, wrist] + np.array([0.05, 0, 0]) * _scale(seq), between_keyframes=True
    )
    assert np.array_equal(doc.sequence.data[35], after.data[35])
    assert doc.undo() and doc.undo()  # one step each: the keyframe went with its edit
    assert _equal(doc.sequence, before) and doc.keyframes == {20, 50}


def test_cut_and_hold_move_flags_keyframes_and_letter_segments_and_undo(seq):
    seq = seq.replace(
        meta={
            **seq.meta,
            "segments": [
                {"start": 0, "end": 30, "label": "A", "hand": "right"},
                {"start": 40, "end": 70, "label": "B", "hand": "right"},
            ],
        }
    )
    doc = PoseDocument(seq)
    doc.flag(50, "check")
    doc.set_keyframe(60)
    original = doc.sequence
    doc.cut(10, 20)
    assert doc.num_frames == seq.num_frames - 10
    assert doc.flags == {40: "check"} and doc.keyframes == {50}
    assert [(s["start"], s["end"]) for s in doc.sequence.meta["segments"]] == [(0, 20), (30, 60)]
    assert np.array_equal(doc.sequence.data[10], seq.data[20])
    doc.insert_hold(5, 3)
    held = doc.sequence
    assert held.num_frames == seq.num_frames - 7
    assert all(np.array_equal(held.data[5 + k], held.data[5]) for k in range(4))
    assert doc.flags == {43: "check"} and doc.keyframes == {53}
    with pytest.raises(ValueError, match="empty"):
        doc.cut(0, doc.num_frames)
    assert doc.undo() and doc.undo()
    assert _equal(doc.sequence, original) and doc.flags == {50: "check"} and doc.keyframes == {60}
    assert doc.sequence.meta["segments"] == seq.meta["segments"]


def test_a_drag_shows_every_move_but_makes_one_undo_step(seq):
    doc = PoseDocument(seq)
    j = seq.skeleton.index("INDEX_FINGER_TIP", "RIGHT_HAND")
    shown, steps = [], []
    doc.edited.connect(shown.append)
    doc.changed.connect(steps.append)
    doc.begin_batch("move index tip")
    for k in range(5):
        doc.move_joint(12, j, seq.data[12, j] + 0.01 * (k + 1) * _scale(seq))
        assert doc.in_batch
    assert len(shown) == 5 and steps == []
    doc.end_batch()
    assert len(steps) == 1 and not doc.in_batch and doc.undo_text == "move index tip"
    assert doc.undo() and _equal(doc.sequence, seq) and not doc.can_undo
    doc.flag(3, None)  # clearing a flag that is not there is no edit
    assert not doc.can_undo
    with pytest.raises(RuntimeError):
        doc.end_batch()


def test_mirroring_puts_the_letters_on_the_other_hand_and_undoes(seq):
    seq = seq.replace(meta={**seq.meta, "segments": [{"start": 0, "end": 30, "label": "A", "hand": "right"}]})
    doc = PoseDocument(seq)
    doc.mirror(0, doc.num_frames)
    assert doc.sequence.meta["segments"][0]["hand"] == "left" and doc.undo_text == "mirror left and right"
    assert doc.sequence.meta["mirrored"] is True  # the captions say so
    assert doc.undo() and doc.sequence.meta["segments"][0]["hand"] == "right" and not doc.can_undo
    assert not doc.sequence.meta.get("mirrored")
