"""Kinematic tree of a layout: parents from the bones, relative offsets and back."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.pose.relative import KinematicTree
from signstudio.pose.skeleton import Skeleton, get_layout


def test_upper50_tree_is_rooted_at_the_neck_and_reaches_every_joint():
    sk = get_layout("upper50")
    tree = KinematicTree.of(sk)
    names = sk.joints
    assert names[tree.root] == "BODY:Neck"
    assert tree.parents[tree.root] == -1
    assert sorted(tree.order.tolist()) == list(range(sk.num_joints))
    # parents come before their children
    rank = {j: i for i, j in enumerate(tree.order.tolist())}
    assert all(rank[int(tree.parents[j])] < rank[j] for j in tree.order[1:])
    parent = {names[j]: names[int(p)] for j, p in enumerate(tree.parents) if p >= 0}
    assert parent["LEFT_HAND:WRIST"] == "BODY:LWrist"
    assert parent["RIGHT_HAND:INDEX_FINGER_TIP"] == "RIGHT_HAND:INDEX_FINGER_DIP"
    # the knuckle line links MCPs to each other; the tree takes each MCP from the wrist
    assert parent["LEFT_HAND:MIDDLE_FINGER_MCP"] == "LEFT_HAND:WRIST"


def test_relative_round_trip_and_offsets(real_holistic):
    from signstudio.pose.convert import convert

    seq = convert(real_holistic, "upper50")
    data = np.nan_to_num(np.asarray(seq.data, np.float64))
    tree = KinematicTree.of(seq.skeleton)
    rel = tree.to_relative(data)
    j = seq.skeleton.index("RElbow", "BODY")
    p = int(tree.parents[j])
    np.testing.assert_allclose(rel[:, j], data[:, j] - data[:, p])
    np.testing.assert_allclose(rel[:, tree.root], data[:, tree.root])
    np.testing.assert_allclose(tree.to_absolute(rel), data, atol=1e-9)


def test_a_layout_with_two_roots_is_refused():
    sk = get_layout("upper50")
    bones = [b for b in sk.bones.tolist() if b != [1, 0]]  # the nose loses its parent
    with pytest.raises(ValueError, match="2 roots"):
        KinematicTree.of(_with_bones(sk, bones))


def _with_bones(sk: Skeleton, bones: list[list[int]]):
    class Fake:
        layout = sk.layout
        num_joints = sk.num_joints

    fake = Fake()
    fake.bones = np.asarray(bones)  # type: ignore[attr-defined]
    return fake
