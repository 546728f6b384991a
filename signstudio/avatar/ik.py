"""Inverse kinematics: ``upper50`` keypoints -> SMPL-X rotations of an upper body and both hands.

    skeleton = BodySkeleton.mannequin()                     # the built-in body's rest skeleton
    fit = solve(seq, skeleton)                             # seq: any layout that converts to upper50
    fit.body_pose (F, 21, 3), fit.hand_pose (F, 30, 3)     # SMPL-X axis-angle, use_pca=False order
    fit.global_rotation (F, 3), fit.translation (F, 3), fit.keypoint_error (F, K) metres

**The body.** SMPL-X's kinematic tree as the `mannequin-x` package builds it (54 joints: the 22
body joints, a hand root per side, 15 finger joints per hand), at rest in the T-pose with flat
hands: `BodySkeleton` holds each joint's parent and its offset from it. `forward_kinematics` (torch,
batched over frames) poses it: world rotation of joint j = R_parent · R_local(j), position = the
parent's position + R_parent · offset(j).

**Targets.** Keypoints are in corpus units (neck at the origin, shoulder width 1, image axes: y
down, z away from the camera). They are scaled so that their shoulder width is the body's, and
turned into the body's axes (y up, z towards the viewer). Shoulders, elbows, wrists and the 21
MediaPipe points of each hand are targets; SMPL-X has no fingertip joints, so a tip is a virtual
point one distal phalanx (×0.8) beyond the last finger joint; the keypoints' neck (midpoint of
the shoulders) targets the midpoint of the body's shoulder joints. The nose is not used (SMPL-X has
no nose joint; the head stays upright). Missing keypoints (confidence 0) weigh nothing.

**Solve.** Per frame, first analytically: every driven joint is swung (the shortest rotation) so
that its bone points at its child's target, from the root outwards; then all frames together by
Adam on the squared keypoint distances plus

* temporal smoothness: the squared change of every parameter between neighbouring frames;
* finger joint limits: finger joints bend about their flexion axis only (twist and sideways bend
  of the middle and distal joints penalised, hyperextension beyond 10° penalised), and a small
  pull of every finger rotation towards zero;
* a small pull of the spine and collars towards rest. Legs stay at rest.

Runs on the GPU when one is given (``device="cuda"``), else on the CPU.

**Progress and cancel.** ``solve(..., progress=f, stop=g)`` calls ``f(fraction)`` every few steps
and ``g()`` before every step: when ``g()`` is true it raises `FitCancelled` at once (within one
step: a few ms to tens of ms), so a fit nobody waits for any more never holds the CPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from signstudio.pose import kinematics
from signstudio.pose.sequence import PoseSequence

FINGERS = ("Index", "Middle", "Pinky", "Ring", "Thumb")  # SMPL-X's order within a hand
#: MediaPipe's hand points for each SMPL-X finger joint 1, 2, 3 and the virtual tip
MEDIAPIPE_FINGER = {
    "Index": ("INDEX_FINGER_MCP", "INDEX_FINGER_PIP", "INDEX_FINGER_DIP", "INDEX_FINGER_TIP"),
    "Middle": ("MIDDLE_FINGER_MCP", "MIDDLE_FINGER_PIP", "MIDDLE_FINGER_DIP", "MIDDLE_FINGER_TIP"),
    "Ring": ("RING_FINGER_MCP", "RING_FINGER_PIP", "RING_FINGER_DIP", "RING_FINGER_TIP"),
    "Pinky": ("PINKY_MCP", "PINKY_PIP", "PINKY_DIP", "PINKY_TIP"),
    "Thumb": ("THUMB_CMC", "THUMB_MCP", "THUMB_IP", "THUMB_TIP"),
}
TIP_SCALE = 0.8  # a fingertip lies this many distal-phalanx lengths beyond the last joint
#: body joints whose rotations are solved (SMPL-X joint index), besides the fingers
SOLVED_BODY = (3, 6, 9, 13, 14, 16, 17, 18, 19, 20, 21)
RESTED_BODY = (3, 6, 9, 13, 14)  # spine and collars: pulled towards rest
PROGRESS_EVERY = 10  # optimiser steps between progress calls

#: ``progress(fraction)`` of a fit, and ``stop()``: True when the fit is no longer wanted
Progress = Callable[[float], None]
Stop = Callable[[], bool]


class FitCancelled(Exception):
    """The fit's ``stop()`` said so: nobody waits for it any more."""


def axis_angle_to_matrix(aa: Tensor) -> Tensor:
    """(..., 3) axis-angle -> (..., 3, 3) rotation matrices (Rodrigues; exact at 0)."""
    angle = aa.norm(dim=-1, keepdim=True)
    small = angle < 1e-6
    safe = torch.where(small, torch.ones_like(angle), angle)
    k = aa / safe
    kx, ky, kz = k.unbind(-1)
    zero = torch.zeros_like(kx)
    cross = torch.stack([zero, -kz, ky, kz, zero, -kx, -ky, kx, zero], dim=-1).reshape(*aa.shape[:-1], 3, 3)
    s, c = torch.sin(angle)[..., None], torch.cos(angle)[..., None]
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device).expand(cross.shape)
    r = eye + s * cross + (1 - c) * (cross @ cross)
    # near 0: first order, I + [aa]x (keeps the gradient of a zero rotation)
    ax, ay, az = aa.unbind(-1)
    first = eye + torch.stack([zero, -az, ay, az, zero, -ax, -ay, ax, zero], dim=-1).reshape(cross.shape)
    return torch.where(small[..., None], first, r)


def matrix_to_axis_angle(m: Tensor) -> Tensor:
    """(..., 3, 3) -> (..., 3) axis-angle (angle in [0, π])."""
    cos = ((m.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2).clamp(-1 + 1e-7, 1 - 1e-7)
    angle = torch.acos(cos)
    axis = torch.stack(
        [m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1]], -1
    )
    sin = torch.sin(angle)[..., None]
    near_pi = sin.abs() < 1e-4
    # at π the antisymmetric part vanishes: the axis is the dominant column of (M + I) / 2
    sym = (m + torch.eye(3, dtype=m.dtype, device=m.device)) / 2
    col = sym.diagonal(dim1=-2, dim2=-1).argmax(-1)
    pi_axis = torch.gather(sym, -1, col[..., None, None].expand(*col.shape, 3, 1)).squeeze(-1)
    pi_axis = pi_axis / pi_axis.norm(dim=-1, keepdim=True).clamp(min=1e-9)
    axis = torch.where(near_pi, pi_axis, axis / (2 * sin.clamp(min=1e-9)))
    return axis * angle[..., None]


def swing(a: Tensor, b: Tensor) -> Tensor:
    """(..., 3, 3) the shortest rotation taking direction ``a`` onto direction ``b``."""
    a = a / a.norm(dim=-1, keepdim=True).clamp(min=1e-9)
    b = b / b.norm(dim=-1, keepdim=True).clamp(min=1e-9)
    axis = torch.cross(a, b, dim=-1)
    sin = axis.norm(dim=-1, keepdim=True)
    cos = (a * b).sum(-1, keepdim=True)
    angle = torch.atan2(sin, cos)
    aa = axis / sin.clamp(min=1e-9) * angle
    return axis_angle_to_matrix(torch.where(sin > 1e-7, aa, torch.zeros_like(aa)))


@dataclass(frozen=True)
class BodySkeleton:
    """A rest skeleton: names (J,), parents (J,) (-1 for the root), offsets (J, 3) metres from the
    parent at rest (the root's: its position), hand_mean (30, 3) the relaxed hands' rotations."""

    names: tuple[str, ...]
    parents: tuple[int, ...]
    offsets: np.ndarray
    hand_mean: np.ndarray

    @classmethod
    def mannequin(cls, shape: np.ndarray | None = None) -> BodySkeleton:
        """The built-in body's skeleton (`mannequin-x`, flat hands, optional 10 SMPL-X betas)."""
        from mannequin import Mannequin

        body = Mannequin("convex", flat_hand_mean=True, shape=shape)
        rest = body.rest_pose()
        joints = body.forward_skeleton(**rest)[:, :3, 3].astype(np.float64)
        parents = tuple(int(p) for p in body.parents)
        offsets = joints.copy()
        for j, p in enumerate(parents):
            if p >= 0:
                offsets[j] = joints[j] - joints[p]
        relaxed = Mannequin("convex", flat_hand_mean=False, shape=shape)
        zero_hands = relaxed.rest_pose()
        # the relaxed hands' rotations: what mannequin adds to hand_pose unless flat_hand_mean
        mean = _hand_mean(relaxed, zero_hands)
        return cls(tuple(body.joint_names), parents, offsets, mean)

    def index(self, name: str) -> int:
        return self.names.index(name)

    @property
    def hand_joints(self) -> tuple[int, ...]:
        """The 30 finger joints in hand_pose order (left Index1..Thumb3, then right)."""
        return tuple(self.index(f"{side}_{f}{k}") for side in "LR" for f in FINGERS for k in (1, 2, 3))


def _hand_mean(relaxed: Any, rest: dict[str, np.ndarray]) -> np.ndarray:
    """Recover mannequin's hand mean from its posed rest skeleton (local finger rotations)."""
    transforms = relaxed.forward_skeleton(**rest)
    rot = transforms[:, :3, :3].astype(np.float64)
    names = list(relaxed.joint_names)
    parents = relaxed.parents
    out = []
    for side in "LR":
        for f in FINGERS:
            for k in (1, 2, 3):
                j = names.index(f"{side}_{f}{k}")
                local = rot[parents[j]].T @ rot[j]
                out.append(matrix_to_axis_angle(torch.from_numpy(local)).numpy())
    return np.asarray(out, np.float64)


def forward_kinematics(
    skeleton: BodySkeleton, local: Tensor, root: Tensor, translation: Tensor
) -> tuple[Tensor, Tensor]:
    """local (B, J, 3, 3) local rotations (the root's ignored), root (B, 3, 3) global orientation,
    translation (B, 3) -> world positions (B, J, 3) and world rotations (B, J, 3, 3).

    The body's rest skeleton through `signstudio.pose.kinematics.forward_kinematics`, on tensors
    so that the solver's gradients flow through it."""
    offsets = torch.as_tensor(skeleton.offsets, dtype=local.dtype, device=local.device)
    with_root = torch.cat([root[:, None], local[:, 1:]], dim=1)
    root_position = translation + root @ offsets[0]
    return kinematics.forward_kinematics(skeleton.parents, offsets, with_root, root_position, torch.stack)


@dataclass(frozen=True)
class Targets:
    """The keypoints the solver matches: for each, the body point it is compared with."""

    keypoint: tuple[int, ...]  # upper50 index
    joint: tuple[int, ...]  # body joint index; for virtual points see `kind`
    kind: tuple[str, ...]  # "joint", "tip" (beyond ``joint``), "shoulders" (their midpoint)
    group: tuple[str, ...]  # "arms" or "hands": how errors are reported


def targets(skeleton: BodySkeleton) -> Targets:
    from signstudio.pose.skeleton import get_layout

    names = get_layout("upper50").joints
    key, joint, kind, group = [], [], [], []

    def add(k: str, j: str, how: str, g: str) -> None:
        key.append(names.index(k))
        joint.append(skeleton.index(j))
        kind.append(how)
        group.append(g)

    add("BODY:Neck", "L_Shoulder", "shoulders", "arms")
    for side, s in (("R", "R"), ("L", "L")):
        add(f"BODY:{side}Shoulder", f"{s}_Shoulder", "joint", "arms")
        add(f"BODY:{side}Elbow", f"{s}_Elbow", "joint", "arms")
        add(f"BODY:{side}Wrist", f"{s}_Wrist", "joint", "arms")
    for side, comp in (("L", "LEFT_HAND"), ("R", "RIGHT_HAND")):
        add(f"{comp}:WRIST", f"{side}_Wrist", "joint", "hands")
        for f in FINGERS:
            points = MEDIAPIPE_FINGER[f]
            for k in (1, 2, 3):
                add(f"{comp}:{points[k - 1]}", f"{side}_{f}{k}", "joint", "hands")
            add(f"{comp}:{points[3]}", f"{side}_{f}3", "tip", "hands")
    return Targets(tuple(key), tuple(joint), tuple(kind), tuple(group))


def body_points(skeleton: BodySkeleton, t: Targets, pos: Tensor, rot: Tensor) -> Tensor:
    """(B, K, 3): the body's point for every target."""
    offsets = torch.as_tensor(skeleton.offsets, dtype=pos.dtype, device=pos.device)
    j = torch.as_tensor(t.joint, device=pos.device)
    out = pos[:, j]
    tips = [i for i, k in enumerate(t.kind) if k == "tip"]
    if tips:
        jt = j[tips]
        out[:, tips] = pos[:, jt] + TIP_SCALE * (rot[:, jt] @ offsets[jt][:, :, None]).squeeze(-1)
    mids = [i for i, k in enumerate(t.kind) if k == "shoulders"]
    if mids:
        left, right = skeleton.index("L_Shoulder"), skeleton.index("R_Shoulder")
        out[:, mids] = ((pos[:, left] + pos[:, right]) / 2)[:, None]
    return out


#: corpus axes (image: x right, y down, z away) -> body axes (x to the signer's left... as seen:
#: the signer's right shoulder has the smaller image x and the smaller body x; y up; z forward)
IMAGE_TO_BODY = np.diag([1.0, -1.0, -1.0])


def keypoint_targets(seq: PoseSequence, skeleton: BodySkeleton) -> tuple[np.ndarray, np.ndarray, float]:
    """(F, 50, 3) targets in body metres and axes, (F, 50) presence, and the scale (metres per
    shoulder width) they were brought to."""
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise

    s = normalise(convert(seq, "upper50"))
    width = float(np.linalg.norm(_shoulder_span(skeleton)))
    data = np.nan_to_num(s.data.astype(np.float64)) @ IMAGE_TO_BODY.T * width
    present = (s.confidence > 0) & np.isfinite(s.data).all(-1)
    return data, present, width


def _shoulder_span(skeleton: BodySkeleton) -> np.ndarray:
    rest = _rest_positions(skeleton)
    return rest[skeleton.index("L_Shoulder")] - rest[skeleton.index("R_Shoulder")]


def _rest_positions(skeleton: BodySkeleton) -> np.ndarray:
    pos = np.zeros_like(skeleton.offsets)
    for j, p in enumerate(skeleton.parents):
        pos[j] = skeleton.offsets[j] + (pos[p] if p >= 0 else 0)
    return pos


@dataclass(frozen=True, eq=False)
class IKResult:
    """SMPL-X parameters per frame (axis-angle, flat-hand convention: ``hand_pose`` are the
    finger rotations themselves; subtract `BodySkeleton.hand_mean` for a relaxed-hand model) and
    how well they fit. keypoint_error: (F, K) metres, NaN where the keypoint is missing."""

    body_pose: np.ndarray  # (F, 21, 3)
    hand_pose: np.ndarray  # (F, 30, 3)
    global_rotation: np.ndarray  # (F, 3)
    translation: np.ndarray  # (F, 3)
    keypoint_error: np.ndarray  # (F, K)
    groups: tuple[str, ...]  # (K,) "arms" | "hands"
    scale: float  # metres per shoulder width of the keypoints
    seconds: float
    fps: float

    def mean_error(self, group: str) -> float:
        cols = [i for i, g in enumerate(self.groups) if g == group]
        e = self.keypoint_error[:, cols]
        return float(np.nanmean(e)) if np.isfinite(e).any() else float("nan")


@dataclass(frozen=True)
class IKSettings:
    iterations: int = 150
    lr: float = 0.05
    smooth: float = 0.5  # weight of the temporal term (per squared radian / metre)
    finger_prior: float = 1e-3
    finger_limits: float = 0.05
    rest_prior: float = 1e-2
    arm_weight: float = 4.0
    device: str = "cpu"


def _local_from_params(skeleton: BodySkeleton, body: Tensor, hands: Tensor) -> Tensor:
    """(B, 21, 3) body + (B, 30, 3) hands axis-angle -> (B, J, 3, 3) local rotations."""
    b = body.shape[0]
    aa = torch.zeros(b, len(skeleton.parents), 3, dtype=body.dtype, device=body.device)
    aa = aa.index_copy(1, torch.arange(1, 22, device=body.device), body)
    aa = aa.index_copy(1, torch.as_tensor(skeleton.hand_joints, device=body.device), hands)
    return axis_angle_to_matrix(aa)


def analytic_init(skeleton: BodySkeleton, t: Targets, target: Tensor, present: Tensor) -> tuple[Tensor, ...]:
    """Per frame: root orientation from the shoulders, then every solved joint swung to point its
    bone at its child's target, root outwards. Returns (body (B,21,3), hands (B,30,3), root
    axis-angle (B,3), translation (B,3))."""
    b = target.shape[0]
    dtype, dev = target.dtype, target.device
    by_joint = {}
    for i, (j, kind) in enumerate(zip(t.joint, t.kind, strict=True)):
        if kind == "joint":
            by_joint[j] = i
    left, right = skeleton.index("L_Shoulder"), skeleton.index("R_Shoulder")
    rest = torch.as_tensor(_rest_positions(skeleton), dtype=dtype, device=dev)
    # root: turn the rest shoulder line onto the target shoulder line (about any axis)
    tl, tr = target[:, by_joint[left]], target[:, by_joint[right]]
    ok = present[:, by_joint[left]] & present[:, by_joint[right]]
    span = torch.where(ok[:, None], tl - tr, (rest[left] - rest[right]).expand(b, 3))
    root = swing((rest[left] - rest[right]).expand(b, 3), span)
    mid_rest = (rest[left] + rest[right]) / 2
    mid_target = torch.where(ok[:, None], (tl + tr) / 2, mid_rest.expand(b, 3))
    translation = mid_target - (root @ mid_rest[:, None]).squeeze(-1)
    local = torch.eye(3, dtype=dtype, device=dev).expand(b, len(skeleton.parents), 3, 3).clone()
    children: dict[int, list[int]] = {}
    for j, p in enumerate(skeleton.parents):
        children.setdefault(p, []).append(j)
    solved = set(SOLVED_BODY) | set(skeleton.hand_joints)
    for j in range(1, len(skeleton.parents)):
        if j not in solved or j in RESTED_BODY:
            continue
        kids = [c for c in children.get(j, []) if c in by_joint]
        if len(kids) != 1 and j not in (skeleton.index("L_Wrist"), skeleton.index("R_Wrist")):
            continue
        if j in (skeleton.index("L_Wrist"), skeleton.index("R_Wrist")):
            # the wrist points at its middle finger's first joint
            side = skeleton.names[j][0]
            kids = [skeleton.index(f"{side}_Middle1")]
        c = kids[0]
        if c not in by_joint:
            continue
        pos, rot = forward_kinematics(skeleton, local, root, translation)
        p = skeleton.parents[j]
        d_now = (rot[:, p] @ torch.as_tensor(skeleton.offsets[c], dtype=dtype, device=dev)[:, None]).squeeze(
            -1
        )
        # the child hangs off j: the rest direction of the bone j -> c in world, before j turns
        want = target[:, by_joint[c]] - pos[:, j]
        sw = swing(d_now, want)
        new_local = rot[:, p].transpose(-1, -2) @ sw @ rot[:, p]
        has = present[:, by_joint[c]]
        local[:, j] = torch.where(has[:, None, None], new_local, local[:, j])
    aa = matrix_to_axis_angle(local)
    body = aa[:, 1:22]
    hands = aa[:, list(skeleton.hand_joints)]
    return body, hands, matrix_to_axis_angle(root), translation


def _final_error(
    skeleton: BodySkeleton, t: Targets, body: Tensor, hands: Tensor, root: Tensor, trans: Tensor
) -> tuple[Tensor, Tensor]:
    """The solved body pose (B, 21, 3) and its points for every target (B, K, 3), no gradients."""
    with torch.no_grad():
        local = _local_from_params(skeleton, body, hands)
        pos, rot = forward_kinematics(skeleton, local, axis_angle_to_matrix(root), trans)
        return body.detach(), body_points(skeleton, t, pos, rot)


def solve(
    seq: PoseSequence,
    skeleton: BodySkeleton | None = None,
    settings: IKSettings | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> IKResult:
    """SMPL-X rotations for every frame of ``seq`` (see the module docstring); `FitCancelled`
    as soon as ``stop()`` is true, ``progress(fraction)`` every `PROGRESS_EVERY` steps."""
    if stop is not None and stop():
        raise FitCancelled
    skeleton = skeleton or BodySkeleton.mannequin()
    st = settings or IKSettings()
    t0 = time.perf_counter()
    t = targets(skeleton)
    data, present, scale = keypoint_targets(seq, skeleton)
    dev = torch.device(st.device)
    dtype = torch.float32
    target = torch.as_tensor(data[:, list(t.keypoint)], dtype=dtype, device=dev)
    mask = torch.as_tensor(present[:, list(t.keypoint)], device=dev)
    with torch.no_grad():
        body0, hands0, root0, trans0 = analytic_init(skeleton, t, target.double(), mask)
    body = body0.to(dtype).clone().requires_grad_(True)
    hands = hands0.to(dtype).clone().requires_grad_(True)
    root = root0.to(dtype).clone().requires_grad_(True)
    trans = trans0.to(dtype).clone().requires_grad_(True)
    solved_body = torch.zeros(21, dtype=torch.bool, device=dev)
    solved_body[[j - 1 for j in SOLVED_BODY]] = True
    rested = torch.as_tensor([j - 1 for j in RESTED_BODY], device=dev)
    opt = torch.optim.Adam([body, hands, root, trans], lr=st.lr)
    # the arms have 7 targets, the hands 42: weigh them so that neither is traded for the other
    group_w = torch.tensor([st.arm_weight if g == "arms" else 1.0 for g in t.group], dtype=dtype, device=dev)
    w = mask.to(dtype) * group_w
    n_present = mask.to(dtype).sum().clamp(min=1)
    flex_sign = torch.ones(30, device=dev, dtype=dtype)
    flex_sign[:15] = -1.0  # left fingers point +x: curling towards the palm is a negative z turn
    not_thumb = torch.tensor([f != "Thumb" for _ in "LR" for f in FINGERS for _k in (1, 2, 3)], device=dev)
    distal = torch.tensor([k > 1 for _ in "LR" for _f in FINGERS for k in (1, 2, 3)], device=dev)
    for step in range(st.iterations):
        if stop is not None and stop():
            raise FitCancelled
        if progress is not None and step % PROGRESS_EVERY == 0:
            progress(step / max(1, st.iterations))
        b = torch.where(solved_body[None, :, None], body, torch.zeros_like(body))
        local = _local_from_params(skeleton, b, hands)
        pos, rot = forward_kinematics(skeleton, local, axis_angle_to_matrix(root), trans)
        pts = body_points(skeleton, t, pos, rot)
        data_term = (((pts - target) ** 2).sum(-1) * w).sum() / n_present
        params = torch.cat([b.flatten(1), hands.flatten(1), root, trans * 10], 1)
        smooth = ((params[1:] - params[:-1]) ** 2).sum(1).mean() if len(params) > 1 else params.sum() * 0
        h = hands
        twist = (h[..., 0] ** 2 + h[..., 1] ** 2) * (not_thumb & distal)
        hyper = torch.relu(-(h[..., 2] * flex_sign) - 0.17) ** 2 * not_thumb
        limits = (twist + hyper).sum(1).mean()
        prior = (h**2).sum((1, 2)).mean()
        rest = (b[:, rested] ** 2).sum((1, 2)).mean()
        loss = (
            data_term
            + st.smooth * smooth * 1e-3
            + st.finger_limits * limits * 1e-2
            + st.finger_prior * prior * 1e-2
            + st.rest_prior * rest * 1e-2
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    solved = torch.where(solved_body[None, :, None], body, 0)
    b, points = _final_error(skeleton, t, solved, hands, root, trans)
    err = torch.where(mask, (points - target).norm(dim=-1), float("nan"))
    return IKResult(
        b.detach().cpu().numpy().astype(np.float32),
        hands.detach().cpu().numpy().astype(np.float32),
        root.detach().cpu().numpy().astype(np.float32),
        trans.detach().cpu().numpy().astype(np.float32),
        err.cpu().numpy(),
        t.group,
        scale,
        time.perf_counter() - t0,
        seq.fps,
    )


__all__ = [
    "BodySkeleton",
    "FitCancelled",
    "IKResult",
    "IKSettings",
    "axis_angle_to_matrix",
    "forward_kinematics",
    "matrix_to_axis_angle",
    "solve",
    "swing",
]
