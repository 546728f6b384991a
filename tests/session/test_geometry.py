"""What the viewport draws (numpy only, no display needed)."""

from __future__ import annotations

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout
from signstudio.session.geometry import FAINT_ALPHA, SkeletonGeometry, to_display


def make(layout: str = "upper50", frames: int = 3) -> PoseSequence:
    skel = get_layout(layout)
    rng = np.random.default_rng(1)
    data = rng.uniform(0, 100, (frames, skel.num_joints, 3)).astype(np.float32)
    conf = np.ones((frames, skel.num_joints), np.float32)
    return PoseSequence(data, conf, 25.0, skel)


def test_display_flips_y_and_keeps_handedness() -> None:
    p = np.float32([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(to_display(p), [[1.0, 3.0, -2.0]])
    basis = to_display(np.eye(3, dtype=np.float32))
    assert np.linalg.det(basis) > 0


def test_all_bones_in_one_line_array() -> None:
    seq = make()
    geo = SkeletonGeometry(seq).frame(0)
    assert geo.num_bones == len(seq.skeleton.bones)
    assert geo.line_pos.dtype == np.float32 and geo.line_pos.flags["C_CONTIGUOUS"]
    assert geo.line_color.shape == (geo.line_pos.shape[0], 4)
    assert geo.num_points == seq.num_joints


def test_missing_joint_hides_its_bones_and_point() -> None:
    seq = make()
    conf = seq.confidence.copy()
    wrist = seq.skeleton.index("LEFT_HAND:WRIST")
    conf[1, wrist] = 0
    geo = SkeletonGeometry(seq.replace(confidence=conf))
    full, holed = geo.frame(0), geo.frame(1)
    touching = int((seq.skeleton.bones == wrist).any(axis=1).sum())
    assert holed.num_bones == full.num_bones - touching
    assert holed.num_points == full.num_points - 1
    assert not np.any(np.all(holed.point_pos == to_display(seq.data[1, wrist]), axis=1))


def test_low_confidence_is_faint() -> None:
    seq = make()
    conf = seq.confidence.copy()
    conf[0, 0] = 0.1
    geo = SkeletonGeometry(seq.replace(confidence=conf)).frame(0)
    assert np.isclose(geo.point_color[0, 3], FAINT_ALPHA)
    assert np.isclose(geo.point_color[1, 3], 1.0)


def test_face_is_points_only_and_other_is_hidden() -> None:
    skel = get_layout("holistic")
    seq = make("holistic", frames=1)
    geo = SkeletonGeometry(seq).frame(0)
    groups = skel.joint_groups()
    assert geo.num_points == int(np.isin(groups, ("body", "left_hand", "right_hand", "face")).sum())
    bone_groups = groups[skel.bones]
    expected = int(np.isin(bone_groups, ("body", "left_hand", "right_hand")).all(axis=1).sum())
    assert geo.num_bones == expected < len(skel.bones)


def test_frame_cache_and_offset() -> None:
    seq = make(frames=5)
    geo = SkeletonGeometry(seq, offset=np.float32([10, 0, 0]), cache_frames=2)
    a = geo.frame(0)
    assert geo.frame(0) is a
    geo.frame(1)
    geo.frame(2)
    assert geo.frame(0) is not a  # evicted (LRU of 2), rebuilt equal
    np.testing.assert_array_equal(geo.frame(0).point_pos, a.point_pos)
    np.testing.assert_allclose(a.point_pos[:, 0], seq.data[0, :, 0] + 10)
    assert geo.frame_at_time(0.1) == 2 and geo.frame_at_time(99) == 4


# ---- DisplaySkeleton: what the viewport's own GL items draw ------------------------------------


def test_display_matrix_normalises_and_flips_like_to_display() -> None:
    from signstudio.pose.transforms import normalise
    from signstudio.session.geometry import display_skeleton

    seq = make("upper50", frames=4)
    disp = display_skeleton(seq)
    assert disp.how == "shoulders"
    expected = to_display(normalise(seq).data)
    np.testing.assert_allclose(disp.to_display(seq.data), expected, atol=1e-4)
    # applied as a 4x4 matrix on (x, y, z, 1) -- what the GPU does
    homo = np.concatenate([seq.data[0], np.ones((seq.num_joints, 1), np.float32)], axis=1)
    np.testing.assert_allclose((homo @ disp.matrix.T)[:, :3], expected[0], atol=1e-4)
    assert np.linalg.det(disp.matrix[:3, :3]) > 0  # no mirror image


def test_display_style_hides_other_and_draws_the_face_as_points() -> None:
    from signstudio.session.geometry import POINT_SIZE, display_skeleton

    seq = make("holistic", frames=2)
    disp = display_skeleton(seq)
    groups = seq.skeleton.joint_groups()
    assert (disp.size[groups == "other"] == 0).all()
    assert (disp.size[groups == "face"] == POINT_SIZE["face"]).all()
    assert disp.bones.dtype == np.uint32 and disp.bones.flags["C_CONTIGUOUS"]
    assert not np.isin(groups[disp.bones.astype(int)], ("face", "other")).any()
    np.testing.assert_allclose(disp.rgb[groups == "right_hand"][0] * 255, (40, 200, 120), atol=0.5)
    light = display_skeleton(seq, colors={"face": (100, 100, 100)})
    np.testing.assert_allclose(light.rgb[groups == "face"][0] * 255, (100, 100, 100), atol=0.5)


def test_display_bounds_floor_and_fallback_normalisation() -> None:
    from signstudio.pose.transforms import select_groups
    from signstudio.session.geometry import display_skeleton

    seq = make("upper50", frames=3)
    conf = seq.confidence.copy()
    conf[:, 0] = 0.2  # faint: outside the framing box, but the floor is under it
    disp = display_skeleton(seq.replace(confidence=conf))
    assert disp.lo is not None and disp.hi is not None and disp.floor is not None
    assert disp.floor <= disp.lo[2]
    hands = select_groups(seq, ["right_hand"])  # no shoulders: the extent decides
    fallback = display_skeleton(hands)
    assert fallback.how == "extent"
    assert np.isfinite(fallback.matrix).all()
    empty = display_skeleton(seq.replace(confidence=np.zeros_like(seq.confidence)))
    assert empty.how == "none" and empty.lo is None and empty.floor is None


def test_body_fingers_are_hidden_when_the_hand_is_drawn() -> None:
    from signstudio.session.geometry import display_skeleton

    seq = make("holistic", frames=1)
    disp = display_skeleton(seq)
    joints = seq.skeleton.joints
    hidden = {joints[j] for j in np.flatnonzero(disp.size == 0) if seq.skeleton.joint_groups()[j] == "body"}
    assert hidden == {
        f"POSE_LANDMARKS:{s}_{f}" for s in ("LEFT", "RIGHT") for f in ("PINKY", "INDEX", "THUMB")
    }
    assert not np.isin(disp.bones, [joints.index(n) for n in hidden]).any()
    assert disp.size[joints.index("POSE_LANDMARKS:LEFT_FOOT_INDEX")] > 0
