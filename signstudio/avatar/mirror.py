"""An avatar mirrored without a second fit: the mesh reflected, its SMPL-X motion reflected.

Torch-free on purpose (unlike `signstudio.avatar.build`, whose fit imports torch): the studio's
controller checks every edit for a whole mirror in the GUI process, and importing torch there
stalled the first edit's release for 2.3 s.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from signstudio.avatar.mesh import AvatarMesh, mirrored_mesh
from signstudio.pose.formats.amass import SMPLXMotion
from signstudio.pose.sequence import PoseSequence

#: SMPL-X's 55 joints with left and right exchanged (hips, knees, ankles, feet, collars,
#: shoulders, elbows, wrists, eyes, and the 15 joints of each hand)
_PAIRS = ((1, 2), (4, 5), (7, 8), (10, 11), (13, 14), (16, 17), (18, 19), (20, 21), (23, 24))
SMPLX_MIRROR = np.arange(55)
for _a, _b in _PAIRS + tuple((25 + i, 40 + i) for i in range(15)):
    SMPLX_MIRROR[_a], SMPLX_MIRROR[_b] = _b, _a


def mirrored_motion(motion: SMPLXMotion) -> SMPLXMotion:
    """SMPL-X motion reflected in the body's x = 0 plane: joints exchanged with their other side
    and every rotation reflected (M·R·M with M = diag(−1, 1, 1) is axis-angle (x, −y, −z)); the
    translation's x negated (the body is symmetric about x = 0)."""
    poses = np.asarray(motion.poses, np.float64).reshape(len(motion.poses), 55, 3)[:, SMPLX_MIRROR].copy()
    poses[..., 1:] *= -1
    trans = np.asarray(motion.trans, np.float64).copy()
    trans[:, 0] *= -1
    return dataclasses.replace(motion, poses=poses.reshape(len(poses), -1), trans=trans)


def mirror_centre(old: PoseSequence, new: PoseSequence) -> float | None:
    """The x about which ``new`` is ``old`` mirrored whole (`pose.transforms.mirror`), or None
    when it is not (another edit, a part mirrored, other frames)."""
    from signstudio.pose.transforms import mirror, normalisation_of

    if old is new or old.num_frames != new.num_frames or old.layout != new.layout:
        return None
    try:
        centre = float(normalisation_of(old)[0][0])
    except ValueError:
        return None
    m = mirror(old, centre)
    same = np.array_equal(m.confidence, new.confidence) and np.array_equal(m.data, new.data, equal_nan=True)
    return centre if same else None


def mirrored(mesh: AvatarMesh, centre_x: float) -> AvatarMesh:
    """The avatar of the sequence mirrored about x = ``centre_x`` (`pose.transforms.mirror`), from
    ``mesh`` without a second fit (see the module docstring)."""
    out = mirrored_mesh(mesh, centre_x)
    if mesh.motion is None:
        return out
    return dataclasses.replace(out, motion=mirrored_motion(mesh.motion))


__all__ = ["SMPLX_MIRROR", "mirror_centre", "mirrored", "mirrored_motion"]
