"""One forward kinematics (`signstudio.pose.kinematics`) for BVH, AMASS checks and IK: it gives
the numbers the functions it replaced gave."""

from __future__ import annotations

import numpy as np

from signstudio.pose import kinematics
from signstudio.pose.formats import bvh


def _old_bvh_forward_kinematics(nodes, motion):
    # pose/formats/bvh.py's own chain before it used the shared one
    frames = motion.shape[0]
    pos = np.zeros((frames, len(nodes), 3))
    rot = np.zeros((frames, len(nodes), 3, 3))
    for i, node in enumerate(nodes):
        values = motion[:, node.first_column : node.first_column + len(node.channels)]
        translation = np.broadcast_to(node.offset, (frames, 3)).copy()
        order, angles = [], []
        for k, channel in enumerate(node.channels):
            lower = channel.lower()
            axis = {"x": 0, "y": 1, "z": 2}[lower[0]]
            if lower.endswith("position"):
                if not any(c.lower().endswith("position") for c in node.channels[:k]):
                    translation[:] = 0.0
                translation[:, axis] = values[:, k]
            else:
                order.append(axis)
                angles.append(values[:, k])
        local = (
            kinematics.from_euler(order, np.stack(angles, axis=1))
            if order
            else np.broadcast_to(np.eye(3), (frames, 3, 3))
        )
        if node.parent < 0:
            pos[:, i], rot[:, i] = translation, local
        else:
            parent_rot = rot[:, node.parent]
            pos[:, i] = pos[:, node.parent] + np.einsum("fij,fj->fi", parent_rot, translation)
            rot[:, i] = parent_rot @ local
    return pos


BVH = """HIERARCHY
ROOT Hips
{
  OFFSET 0.0 0.0 0.0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT Spine
  {
    OFFSET 0.0 10.0 0.0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT Head
    {
      OFFSET 0.0 5.0 1.0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0.0 3.0 0.0
      }
    }
  }
  JOINT Arm
  {
    OFFSET 4.0 9.0 0.0
    CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  }
}
MOTION
Frames: 3
Frame Time: 0.04
"""


def test_bvh_chain_gives_the_old_numbers(tmp_path):
    rng = np.random.default_rng(3)
    rows = rng.normal(0, 40, (3, 18))
    text = BVH + "\n".join(" ".join(f"{v:.6f}" for v in row) for row in rows) + "\n"
    nodes, motion, _ = bvh.parse_bvh(tmp_path / "t.bvh", text)
    new = bvh.world_positions(nodes, motion)
    old = _old_bvh_forward_kinematics(nodes, motion)
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-12)


def test_chain_on_numpy_and_torch_alike():
    import pytest

    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    parents = [-1, 0, 1, 1, 3]
    offsets = rng.normal(size=(5, 3))
    local = kinematics.from_euler([2, 0, 1], rng.normal(0, 60, (4 * 5, 3))).reshape(4, 5, 3, 3)
    pos, rot = kinematics.forward_kinematics(parents, offsets, local)
    tpos, trot = kinematics.forward_kinematics(
        parents, torch.from_numpy(offsets), torch.from_numpy(local), stack=torch.stack
    )
    np.testing.assert_allclose(tpos.numpy(), pos, atol=1e-12)
    np.testing.assert_allclose(trot.numpy(), rot, atol=1e-12)
    # a joint at its parent plus the parent's rotation of its offset
    np.testing.assert_allclose(pos[:, 4], pos[:, 3] + rot[:, 3] @ offsets[4], atol=1e-12)
    np.testing.assert_allclose(pos[:, 0], np.broadcast_to(offsets[0], (4, 3)))
