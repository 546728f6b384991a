"""Per-frame curves: wrist speed in shoulder widths per second, mean confidence."""

import numpy as np
import pytest

from signstudio.metrics.kinematics import confidence_by_group, hand_speed, mean_confidence, speed
from signstudio.pose.convert import convert
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout


def moving_upper50(frames: int = 10, fps: float = 25.0, width: float = 2.0) -> PoseSequence:
    """Shoulders ``width`` apart; the left wrist moves 0.1 * width along x per frame."""
    skel = get_layout("upper50")
    data = np.zeros((frames, 50, 3), np.float32)
    data[:, skel.index("BODY:LShoulder"), 0] = width / 2
    data[:, skel.index("BODY:RShoulder"), 0] = -width / 2
    data[:, skel.index("BODY:LWrist"), 0] = 0.1 * width * np.arange(frames)
    return PoseSequence(data, np.ones((frames, 50)), fps, skel)


def test_speed_is_in_shoulder_widths_per_second():
    s = hand_speed(moving_upper50(width=2.0))
    np.testing.assert_allclose(s["left"], 0.1 * 25, rtol=1e-5)  # 0.1 shoulder widths per frame at 25 fps
    np.testing.assert_allclose(s["right"], 0.0, rtol=1e-5)
    # the same motion at another scale gives the same curve
    np.testing.assert_allclose(hand_speed(moving_upper50(width=7.0))["left"], 2.5, rtol=1e-5)


def test_missing_wrists_are_nan():
    seq = moving_upper50()
    w = seq.skeleton.index("BODY:LWrist")
    conf = seq.confidence.copy()
    conf[4, w] = 0
    data = seq.data.copy()
    data[4, w] = 0
    left = hand_speed(seq.replace(confidence=conf, data=data))["left"]
    assert np.isnan(left[4])
    # neighbours fall back to the one-sided difference
    np.testing.assert_allclose(left[[3, 5]], 2.5, rtol=1e-5)
    np.testing.assert_allclose(left[[0, 1, 2, 6, 7, 8, 9]], 2.5, rtol=1e-5)


def test_one_sided_and_isolated_points():
    pts = np.zeros((4, 3))
    pts[:, 0] = [0, 1, 5, 6]
    present = np.array([True, False, True, True])
    v = speed(pts, present, fps=1)
    assert np.isnan(v[0]) and np.isnan(v[1])  # frame 0 has no present neighbour
    np.testing.assert_allclose(v[2:], [1, 1], rtol=1e-5)
    assert np.isnan(speed(pts[:1], present[:1], 25)).all()


def test_no_shoulders_no_curve():
    seq = moving_upper50()
    conf = seq.confidence.copy()
    conf[:, seq.skeleton.index("BODY:LShoulder")] = 0
    curves = hand_speed(seq.replace(confidence=conf))
    assert np.isnan(curves["left"]).all()


def test_real_recordings_in_both_layouts(real_holistic):
    hol = hand_speed(real_holistic)
    up = hand_speed(convert(real_holistic, "upper50"))
    for side in ("left", "right"):
        assert hol[side].shape == (len(real_holistic),)
        np.testing.assert_allclose(hol[side], up[side], rtol=1e-4, equal_nan=True)
    assert np.nanmax(hol["right"]) > 0.1  # DGS "h" is signed with a moving hand


def test_mean_confidence(real_holistic):
    seq = moving_upper50(frames=3)
    conf = seq.confidence.copy()
    hand = seq.skeleton.groups["left_hand"]
    conf[1, hand[:7]] = 0
    seq = seq.replace(confidence=conf)
    np.testing.assert_allclose(mean_confidence(seq, "left_hand"), [1, 14 / 21, 1], rtol=1e-5)
    np.testing.assert_allclose(mean_confidence(seq), [1, 43 / 50, 1], rtol=1e-5)
    with pytest.raises(KeyError, match="no group 'face'"):
        mean_confidence(seq, "face")
    groups = confidence_by_group(real_holistic)
    assert set(groups) == {"body", "face", "left_hand", "right_hand", "all"}
    assert all(g.shape == (len(real_holistic),) and np.all((g >= 0) & (g <= 1)) for g in groups.values())
