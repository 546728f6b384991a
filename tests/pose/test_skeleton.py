import numpy as np
import pytest

from signstudio.pose.skeleton import (
    FACE70_LIMBS,
    FACE70_MIRROR,
    FAMILY_LAYOUTS,
    HAND_LIMBS,
    HAND_POINTS,
    LAYOUTS,
    SMPLX_PARENTS,
    Component,
    Skeleton,
    get_layout,
)


@pytest.mark.parametrize("name", LAYOUTS + FAMILY_LAYOUTS)
def test_layout_is_consistent(name):
    skel = get_layout(name)
    j = skel.num_joints
    assert len(skel.joints) == j == len(set(skel.joints))
    bones = skel.bones
    assert bones.min() >= 0 and bones.max() < j
    groups = skel.groups
    covered = np.concatenate(list(groups.values()))
    assert sorted(covered.tolist()) == list(range(j))
    m = skel.mirror
    assert np.array_equal(m[m], np.arange(j)), "mirroring twice is the identity"
    for g_left, g_right in (("left_hand", "right_hand"),):
        assert sorted(m[groups[g_left]].tolist()) == sorted(groups[g_right].tolist())
    assert Skeleton.from_dict(skel.to_dict()) == skel


def test_named_layout_sizes():
    assert get_layout("upper50").num_joints == 50
    assert get_layout("openpose137").num_joints == 137
    assert get_layout("smplx").num_joints == 55
    holistic = get_layout("holistic")
    assert {g: len(v) for g, v in holistic.groups.items()} == {
        "body": 33,
        "face": 478,
        "left_hand": 21,
        "right_hand": 21,
    }


def test_upper50_order_matches_progressive_transformers():
    joints = get_layout("upper50").joints
    assert joints[:8] == tuple(
        f"BODY:{n}"
        for n in ("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist")
    )
    assert joints[8] == "LEFT_HAND:WRIST" and joints[29] == "RIGHT_HAND:WRIST"


def test_mirror_pairs_by_name():
    up = get_layout("upper50")
    m = up.mirror
    assert up.joints[m[up.index("BODY:LShoulder")]] == "BODY:RShoulder"
    assert up.joints[m[up.index("LEFT_HAND:RING_FINGER_MCP")]] == "RIGHT_HAND:RING_FINGER_MCP"
    sx = get_layout("smplx")
    assert sx.joints[sx.mirror[sx.index("SMPLX_LEFT_HAND:left_index1")]] == "SMPLX_RIGHT_HAND:right_index1"
    op = get_layout("openpose137")
    # jaw line end points and the pupils swap
    assert op.joints[op.mirror[op.index("FACE_70:0")]] == "FACE_70:16"
    assert op.joints[op.mirror[op.index("FACE_70:68")]] == "FACE_70:69"


def test_smplx_bones_follow_the_kinematic_tree():
    sx = get_layout("smplx")
    expected = {(p, c) for c, p in enumerate(SMPLX_PARENTS) if p >= 0}
    assert {tuple(b) for b in sx.bones.tolist()} == expected


def test_subset_keeps_names_and_links():
    up = get_layout("upper50")
    sub, idx = up.subset(["body", "right_hand"])
    assert sub.num_joints == 29 and len(idx) == 29
    assert all(up.joints[i] == n for i, n in zip(idx, sub.joints, strict=True))
    # the body-wrist -> hand-wrist link survives
    assert any(sub.joints[a] == "BODY:RWrist" and sub.joints[b] == "RIGHT_HAND:WRIST" for a, b in sub.bones)


def test_holistic_face_mirror_is_a_reflection(real_holistic):
    """The data-derived face symmetry maps each face point near its reflection on real frames."""
    from signstudio.pose.transforms import select_groups

    seq = select_groups(real_holistic, ["face"])
    pts = seq.data[seq.present.all(axis=1)][:, :, :2]
    pts = pts - pts.mean(axis=1, keepdims=True)
    m = seq.skeleton.mirror
    reflected = pts[:, m] * np.array([-1.0, 1.0])
    err = np.linalg.norm(reflected - pts, axis=-1).mean()
    spread = np.linalg.norm(pts, axis=-1).mean()
    assert err < 0.12 * spread


def test_p2s128_data_is_its_definition():
    """layouts/p2s128.json is the layout the .skels module used to build in code: COCO-18 body,
    two MediaPipe-named hands, the iBUG-68 face (OpenPose's face without its pupils)."""
    coco18 = (
        "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
        "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
    )  # fmt: skip
    coco18_limbs = (
        (1, 0), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
        (11, 12), (12, 13), (0, 14), (14, 16), (0, 15), (15, 17),
    )  # fmt: skip
    face68_limbs = tuple((a, b) for a, b in FACE70_LIMBS if a < 68 and b < 68)
    comps = (
        Component("BODY_18", coco18, coco18_limbs, group="body"),
        Component("LEFT_HAND", HAND_POINTS, HAND_LIMBS, group="left_hand"),
        Component("RIGHT_HAND", HAND_POINTS, HAND_LIMBS, group="right_hand"),
        Component("FACE_68", tuple(str(i) for i in range(68)), face68_limbs, group="face"),
    )
    body_hands = list(Skeleton("x", comps[:3]).mirror)
    face = [60 + i for i in FACE70_MIRROR[:68]]
    expected = Skeleton("p2s128", comps, tuple(int(i) for i in body_hands + face), links=((7, 18), (4, 39)))
    loaded = get_layout("p2s128")
    assert loaded == expected and loaded.mirror_index == expected.mirror_index


def test_unknown_layout_names_the_known_ones():
    with pytest.raises(KeyError, match="p2s128"):
        get_layout("no-such-layout")
