import numpy as np
import pytest

from signstudio.pose.convert import can_convert, convert
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout


def test_holistic_to_upper50_on_real_recordings(real_clips):
    for clip in real_clips:
        up = convert(clip, "upper50")
        assert up.layout == "upper50" and up.data.shape == (len(clip), 50, 3)
        names = clip.skeleton.joints
        p = {n: i for i, n in enumerate(names)}
        ls, rs = p["POSE_LANDMARKS:LEFT_SHOULDER"], p["POSE_LANDMARKS:RIGHT_SHOULDER"]
        ok = (clip.confidence[:, ls] > 0) & (clip.confidence[:, rs] > 0)
        neck = (clip.data[:, ls] + clip.data[:, rs]) / 2
        assert np.allclose(up.data[ok, 1], neck[ok])
        assert np.array_equal(up.data[:, 2], np.where(clip.present[:, rs, None], clip.data[:, rs], 0))
        lh = p["LEFT_HAND_LANDMARKS:WRIST"]
        assert np.array_equal(up.data[:, 8], clip.data[:, lh])
        assert np.array_equal(
            up.confidence[:, 29:50], clip.confidence[:, p["RIGHT_HAND_LANDMARKS:WRIST"] :][:, :21]
        )
        # a hand missing in the recording stays missing
        assert np.array_equal(up.present[:, 8:29], clip.present[:, lh : lh + 21])


def test_openpose137_to_upper50_takes_points_as_they_are():
    skel = get_layout("openpose137")
    rng = np.random.default_rng(1)
    data = rng.normal(size=(3, 137, 3)).astype(np.float32)
    conf = rng.uniform(0.1, 1, size=(3, 137)).astype(np.float32)
    conf[1, 100] = 0  # a missing left-hand point (left hand starts at 95)
    data[1, 100] = 0
    up = convert(PoseSequence(data, conf, 25, skel), "upper50")
    assert np.array_equal(up.data[:, :8], data[:, :8])
    assert np.array_equal(up.data[:, 8:29], data[:, 95:116])
    assert np.array_equal(up.data[:, 29:50], data[:, 116:137])
    assert up.confidence[1, 8 + 5] == 0


def test_smplx_to_upper50_marks_missing_tips():
    skel = get_layout("smplx")
    seq = PoseSequence(np.ones((2, 55, 3)), np.ones((2, 55)), 30, skel)
    up = convert(seq, "upper50")
    tips = [up.skeleton.index(f"LEFT_HAND:{n}") for n in ("THUMB_TIP", "INDEX_FINGER_TIP", "PINKY_TIP")]
    assert (up.confidence[:, tips] == 0).all()
    assert (up.confidence[:, :8] == 1).all()


def test_unknown_conversion_is_refused():
    assert can_convert("upper50", "upper50") and not can_convert("upper50", "holistic")
    seq = PoseSequence(np.zeros((1, 50, 3)), np.ones((1, 50)), 25, get_layout("upper50"))
    with pytest.raises(ValueError, match="no conversion"):
        convert(seq, "holistic")
