"""Rotations and forward kinematics of joint trees, shared by the BVH format and the IK solver
(numpy; `forward_kinematics` takes torch tensors too, for autograd)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_EPS = 1e-9


def forward_kinematics(
    parents: Sequence[int],
    offsets: Any,
    local: Any,
    root_position: Any = None,
    stack: Callable[[list[Any], int], Any] = np.stack,
) -> tuple[Any, Any]:
    """World positions (..., J, 3) and rotations (..., J, 3, 3) of a joint tree.

    parents: (J,) each joint's parent, -1 for a root, parents before their children. offsets:
    (..., J, 3) each joint's translation from its parent in the parent's frame (a root's: its
    position). local: (..., J, 3, 3) local rotations. root_position: (..., 3) where the roots
    stand instead of their offsets. A joint's world rotation is R_parent · R_local, its position
    the parent's plus R_parent · offset. numpy arrays, or torch tensors with ``stack=torch.stack``
    (the IK's gradients flow through; this layer never imports torch): one chain rule for all.
    """
    positions: list[Any] = []
    rotations: list[Any] = []
    for j, p in enumerate(parents):
        offset = offsets[..., j, :]
        if p < 0:
            start = offset if root_position is None else root_position
            positions.append(start + 0 * local[..., j, :, 0])  # broadcast to the batch
            rotations.append(local[..., j, :, :])
        else:
            positions.append(positions[p] + (rotations[p] @ offset[..., None])[..., 0])
            rotations.append(rotations[p] @ local[..., j, :, :])
    return stack(positions, -2), stack(rotations, -3)


def unit_vectors(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., 3) unit vectors and (...,) norms (zero vectors stay zero)."""
    norm = np.linalg.norm(v, axis=-1)
    return v / np.where(norm > _EPS, norm, 1.0)[..., None], norm


def _skew(v: np.ndarray) -> np.ndarray:
    zero = np.zeros(v.shape[:-1])
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    return np.stack([zero, -z, y, z, zero, -x, -y, x, zero], axis=-1).reshape(*v.shape[:-1], 3, 3)


def shortest_arc(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations taking unit vectors ``a`` (N, 3) to unit vectors ``b`` (N, 3)."""
    c = np.einsum("ni,ni->n", a, b)
    k = _skew(np.cross(a, b))
    eye = np.broadcast_to(np.eye(3), k.shape)
    opposite = c < -1.0 + 1e-12
    denom = np.where(opposite, 1.0, 1.0 + c)[:, None, None]
    rot = eye + k + k @ k / denom
    if opposite.any():  # half turn about any axis perpendicular to a
        a_op = a[opposite]
        helper = np.where(np.abs(a_op[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        axis, _ = unit_vectors(np.cross(a_op, helper))
        rot[opposite] = 2.0 * axis[:, :, None] * axis[:, None, :] - np.eye(3)
    return rot


def kabsch(rest: np.ndarray, target: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rotations R (F, 3, 3) minimising sum_k w_k |R rest_k - target_fk|^2, and (F,) bool where
    the fit is determined (at least two weighted, non-parallel directions).

    rest: (K, 3) unit vectors; target: (F, K, 3) unit vectors; weight: (F, K) 0/1.
    """
    h = np.einsum("fk,ki,fkj->fij", weight, rest, target)  # (F, 3, 3) covariance
    u, s, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(vt.transpose(0, 2, 1) @ u.transpose(0, 2, 1)))
    d = np.where(d == 0, 1.0, d)
    fix = np.zeros_like(h)
    fix[:, 0, 0] = 1.0
    fix[:, 1, 1] = 1.0
    fix[:, 2, 2] = d
    rot = vt.transpose(0, 2, 1) @ fix @ u.transpose(0, 2, 1)
    ok = (s[:, 0] > _EPS) & (s[:, 1] > 1e-6 * np.maximum(s[:, 0], _EPS))
    return rot, ok


def _axis_rotation(axis: int, radians: np.ndarray) -> np.ndarray:
    c, s = np.cos(radians), np.sin(radians)
    one, zero = np.ones_like(c), np.zeros_like(c)
    if axis == 0:
        m = [one, zero, zero, zero, c, -s, zero, s, c]
    elif axis == 1:
        m = [c, zero, s, zero, one, zero, -s, zero, c]
    else:
        m = [c, -s, zero, s, c, zero, zero, zero, one]
    return np.stack(m, axis=-1).reshape(*c.shape, 3, 3)


def euler_zxy(rot: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotations -> (N, 3) angles (z, x, y) in degrees with rot = Rz(z) Rx(x) Ry(y)."""
    cos_x = np.hypot(rot[:, 0, 1], rot[:, 1, 1])
    x = np.arctan2(rot[:, 2, 1], cos_x)
    z = np.arctan2(-rot[:, 0, 1], rot[:, 1, 1])
    y = np.arctan2(-rot[:, 2, 0], rot[:, 2, 2])
    lock = cos_x < 1e-9  # x = ±90°: only z ± y is defined; put it all in z
    z = np.where(lock, np.arctan2(rot[:, 1, 0], rot[:, 0, 0]), z)
    y = np.where(lock, 0.0, y)
    return np.degrees(np.stack([z, x, y], axis=-1))


def from_euler(order: Sequence[int], degrees: np.ndarray) -> np.ndarray:
    """(N, 3, 3) = R_order[0] R_order[1] R_order[2]; degrees: (N, len(order)) in that order."""
    rot = np.broadcast_to(np.eye(3), (degrees.shape[0], 3, 3)).copy()
    for k, axis in enumerate(order):
        rot = rot @ _axis_rotation(axis, np.radians(degrees[:, k]))
    return rot
