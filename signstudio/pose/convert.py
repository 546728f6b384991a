"""Explicit conversions between named layouts.

Only conversions that are well defined exist; each builds the target joint by joint from named
source joints, so a missing source point stays missing (confidence 0) in the target.

* holistic    -> upper50: MediaPipe has no neck; it is the midpoint of the shoulders.
* openpose137 -> upper50: BODY_25 points 0–7 and both hands, as they are.
* smplx       -> upper50: SMPL-X has no nose; the head joint stands in for it. Hand joints map to
                 the matching finger joints; SMPL-X has no fingertip joints, so the tips are missing.
* p2s128      -> upper50: COCO-18 points 0–7 are BODY_25 points 0–7; both hands as they are.
* openpose137 -> p2s128: BODY_25's COCO-18 points, both hands, the face without its two pupils.
* holistic    -> p2s128: neck as for upper50; MediaPipe has no iBUG-68 face, so the face is missing.
* upper50     -> p2s128: hips, legs, eyes, ears and face are missing.
* coco18      -> upper50: OpenPose's COCO-18 points 0–7 are BODY_25's 0–7 (its neck included);
                 both hands as they are (missing where the file has no hands).
* coco18      -> p2s128: the body and hands as they are, the 70-point face without its pupils.
* wholebody133 -> upper50: COCO-WholeBody has no neck; it is the midpoint of the shoulders,
                 present only in frames where both shoulders are. Both hands as they are.
* wholebody133 -> p2s128: the COCO-18 body by name (neck as for upper50), hands, iBUG-68 face.

A source that lacks some joints of its layout by name (spoken-to-signed's ``reduce_holistic``
output keeps 8 of MediaPipe's 33 pose points and drops the nose) converts too: a target joint
whose sources are absent is missing, and ``meta["converted_absent"]`` lists those source names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import HAND_POINTS, Skeleton, get_layout

# A target joint is the mean of one or more source joints (by name); all must be present.
Recipe = Sequence[tuple[str, ...]]


def _hand(component: str) -> list[tuple[str, ...]]:
    return [(f"{component}:{p}",) for p in HAND_POINTS]


def _holistic_to_upper50() -> Recipe:
    p = "POSE_LANDMARKS"
    body = [
        (f"{p}:NOSE",),
        (f"{p}:LEFT_SHOULDER", f"{p}:RIGHT_SHOULDER"),
        (f"{p}:RIGHT_SHOULDER",),
        (f"{p}:RIGHT_ELBOW",),
        (f"{p}:RIGHT_WRIST",),
        (f"{p}:LEFT_SHOULDER",),
        (f"{p}:LEFT_ELBOW",),
        (f"{p}:LEFT_WRIST",),
    ]
    return body + _hand("LEFT_HAND_LANDMARKS") + _hand("RIGHT_HAND_LANDMARKS")


def _openpose137_to_upper50() -> Recipe:
    body = [(f"BODY_25:{n}",) for n in get_layout("upper50").component("BODY").points]
    return body + _hand("LEFT_HAND") + _hand("RIGHT_HAND")


_SMPLX_FINGER = {"THUMB": "thumb", "INDEX_FINGER": "index", "MIDDLE_FINGER": "middle", "RING_FINGER": "ring",
                 "PINKY": "pinky"}  # fmt: skip
_MP_SEGMENTS = {"THUMB": ("CMC", "MCP", "IP", "TIP"), "OTHER": ("MCP", "PIP", "DIP", "TIP")}


def _smplx_hand(side: str) -> list[tuple[str, ...]]:
    comp = f"SMPLX_{side.upper()}_HAND"
    out: list[tuple[str, ...]] = [(f"SMPLX_BODY:{side}_wrist",)]
    for point in HAND_POINTS[1:]:
        finger, _, seg = point.rpartition("_")
        segments = _MP_SEGMENTS["THUMB" if finger == "THUMB" else "OTHER"]
        k = segments.index(seg) + 1  # 1..4; SMPL-X has joints 1..3 only
        out.append((f"{comp}:{side}_{_SMPLX_FINGER[finger]}{k}",) if k <= 3 else ())
    return out


def _smplx_to_upper50() -> Recipe:
    b = "SMPLX_BODY"
    body = [
        (f"{b}:head",),
        (f"{b}:neck",),
        (f"{b}:right_shoulder",),
        (f"{b}:right_elbow",),
        (f"{b}:right_wrist",),
        (f"{b}:left_shoulder",),
        (f"{b}:left_elbow",),
        (f"{b}:left_wrist",),
    ]
    return body + _smplx_hand("left") + _smplx_hand("right")


def _coco18_points() -> tuple[str, ...]:
    return get_layout("p2s128").component("BODY_18").points


def _p2s128_to_upper50() -> Recipe:
    # COCO-18 points 0-7 are BODY_25 points 0-7 (Nose, Neck, RShoulder ... LWrist).
    body = [(f"BODY_18:{n}",) for n in _coco18_points()[:8]]
    return body + _hand("LEFT_HAND") + _hand("RIGHT_HAND")


def _openpose137_to_p2s128() -> Recipe:
    body = [(f"BODY_25:{n}",) for n in _coco18_points()]
    face = [(f"FACE_70:{i}",) for i in range(68)]  # the two pupils are dropped
    return body + _hand("LEFT_HAND") + _hand("RIGHT_HAND") + face


_MP_FOR_COCO = {
    "Nose": "NOSE", "RShoulder": "RIGHT_SHOULDER", "RElbow": "RIGHT_ELBOW", "RWrist": "RIGHT_WRIST",
    "LShoulder": "LEFT_SHOULDER", "LElbow": "LEFT_ELBOW", "LWrist": "LEFT_WRIST", "RHip": "RIGHT_HIP",
    "RKnee": "RIGHT_KNEE", "RAnkle": "RIGHT_ANKLE", "LHip": "LEFT_HIP", "LKnee": "LEFT_KNEE",
    "LAnkle": "LEFT_ANKLE", "REye": "RIGHT_EYE", "LEye": "LEFT_EYE", "REar": "RIGHT_EAR", "LEar": "LEFT_EAR",
}  # fmt: skip


def _holistic_to_p2s128() -> Recipe:
    # MediaPipe has no neck (midpoint of the shoulders, as for upper50) and no iBUG-68 face:
    # the 68 face points stay missing.
    p = "POSE_LANDMARKS"
    body = [
        (f"{p}:LEFT_SHOULDER", f"{p}:RIGHT_SHOULDER") if n == "Neck" else (f"{p}:{_MP_FOR_COCO[n]}",)
        for n in _coco18_points()
    ]
    missing_face: list[tuple[str, ...]] = [()] * 68
    return body + _hand("LEFT_HAND_LANDMARKS") + _hand("RIGHT_HAND_LANDMARKS") + missing_face


def _upper50_to_p2s128() -> Recipe:
    # upper50's body is COCO-18's first eight points; hips, legs, eyes, ears and face are missing.
    body = [(f"BODY:{n}",) if i < 8 else () for i, n in enumerate(_coco18_points())]
    missing_face: list[tuple[str, ...]] = [()] * 68
    return body + _hand("LEFT_HAND") + _hand("RIGHT_HAND") + missing_face


def _coco18_to_p2s128() -> Recipe:
    face = [(f"FACE_70:{i}",) for i in range(68)]  # the two pupils are dropped
    return [(f"BODY_18:{n}",) for n in _coco18_points()] + _hand("LEFT_HAND") + _hand("RIGHT_HAND") + face


def _wholebody_name(coco18_name: str) -> tuple[str, ...]:
    """COCO-WholeBody's source(s) of a COCO-18 joint: ``RShoulder`` -> ``BODY:right_shoulder``."""
    if coco18_name == "Neck":
        return ("BODY:left_shoulder", "BODY:right_shoulder")
    return (f"BODY:{_MP_FOR_COCO[coco18_name].lower()}",)


def _wholebody133_to_upper50() -> Recipe:
    body = [_wholebody_name(n) for n in _coco18_points()[:8]]
    return body + _hand("LEFT_HAND") + _hand("RIGHT_HAND")


def _wholebody133_to_p2s128() -> Recipe:
    body = [_wholebody_name(n) for n in _coco18_points()]
    face = [(f"FACE:face-{i}",) for i in range(68)]
    return body + _hand("LEFT_HAND") + _hand("RIGHT_HAND") + face


_RECIPES: dict[tuple[str, str], Callable[[], Recipe]] = {
    ("holistic", "upper50"): _holistic_to_upper50,
    ("openpose137", "upper50"): _openpose137_to_upper50,
    ("smplx", "upper50"): _smplx_to_upper50,
    ("p2s128", "upper50"): _p2s128_to_upper50,
    ("openpose137", "p2s128"): _openpose137_to_p2s128,
    ("holistic", "p2s128"): _holistic_to_p2s128,
    ("upper50", "p2s128"): _upper50_to_p2s128,
    ("coco18", "upper50"): _p2s128_to_upper50,  # the same component and point names
    ("coco18", "p2s128"): _coco18_to_p2s128,
    ("wholebody133", "upper50"): _wholebody133_to_upper50,
    ("wholebody133", "p2s128"): _wholebody133_to_p2s128,
}


def _joint_lookup(skeleton: Skeleton) -> dict[str, int]:
    """Joint index by flat name and by ``component:point`` (a one-component file's joints are
    named by point alone, e.g. a COCO-18 body without face or hands)."""
    names = {n: i for i, n in enumerate(skeleton.joints)}
    for start, c in zip(skeleton.offsets, skeleton.components, strict=True):
        names.update((f"{c.name}:{p}", start + i) for i, p in enumerate(c.points))
    return names


def no_conversion(skeleton: Skeleton, target: str) -> str:
    """One line: why ``skeleton`` does not convert to ``target``."""
    if skeleton.layout != "custom":
        known = ", ".join(f"{a}->{b}" for a, b in _RECIPES)
        return f"no conversion from {skeleton.layout} to {target} (known: {known})"
    parts = ", ".join(f"{c.name} {len(c.points)} points" for c in skeleton.components)
    groups = {g for g, idx in skeleton.groups.items() if len(idx)}
    if groups and groups <= {"left_hand", "right_hand"}:
        return (
            f"no conversion to {target}: a hand-only file ({parts}) has no body joints; "
            "it can be shown and written as .pose or .npz as it is"
        )
    return (
        f"no conversion to {target}: its components ({parts}) match no named layout "
        "(holistic, openpose137, upper50, smplx, p2s128, coco18, wholebody133) "
        "by component names and point counts"
    )


def can_convert(source: str, target: str) -> bool:
    return source == target or (source, target) in _RECIPES


def source_joints(skeleton: Skeleton, target: str) -> np.ndarray:
    """(J_target,) int64: for each joint of ``target``, the joint of ``skeleton`` it is read from
    (the first source of a mean, e.g. the left shoulder for holistic's neck), -1 where none is.
    Carries a per-joint value of the target layout back onto the source's joints (the heat map)."""
    if skeleton.layout == target:
        return np.arange(skeleton.num_joints, dtype=np.int64)
    if (skeleton.layout, target) not in _RECIPES:
        raise ValueError(no_conversion(skeleton, target))
    names = _joint_lookup(skeleton)
    recipe = _RECIPES[(skeleton.layout, target)]()
    return np.array([names.get(src[0], -1) if len(src) == 1 else -1 for src in recipe], dtype=np.int64)


def convert(seq: PoseSequence, target: str, strict: bool = False) -> PoseSequence:
    """``seq`` in the ``target`` layout (a new object; the same object if already there).

    A sequence read from a holistic file may carry extra components (e.g. world landmarks);
    joints are looked up by name, so those are simply not used. ``strict``: every source joint
    must be there (KeyError naming the first absent one) instead of leaving its target missing.
    """
    if seq.layout == target:
        return seq
    if (seq.layout, target) not in _RECIPES:
        raise ValueError(no_conversion(seq.skeleton, target))
    recipe = _RECIPES[(seq.layout, target)]()
    names = _joint_lookup(seq.skeleton)
    if strict:
        first_absent = next((s for sources in recipe for s in sources if s not in names), None)
        if first_absent is not None:
            raise KeyError(first_absent)
    skel = get_layout(target)
    frames = seq.num_frames
    data = np.zeros((frames, len(recipe), 3), np.float32)
    conf = np.zeros((frames, len(recipe)), np.float32)
    filled = np.zeros((frames, len(recipe)), bool)
    needed = {s for sources in recipe for s in sources}
    absent = sorted(needed - names.keys())
    if len(absent) == len(needed):
        raise ValueError(f"{seq.layout} sequence has none of the joints {target} is made from")
    for j, sources in enumerate(recipe):
        if not sources or any(s not in names for s in sources):
            continue
        idx = [names[s] for s in sources]
        c = seq.confidence[:, idx].min(axis=1)
        data[:, j] = seq.data[:, idx].mean(axis=1)
        conf[:, j] = c
        filled[:, j] = seq.filled[:, idx].any(axis=1)
    data[conf <= 0] = 0.0
    meta = dict(seq.meta)
    meta["converted_from"] = seq.layout
    if absent:
        meta["converted_absent"] = absent
    return PoseSequence(data, conf, seq.fps, skel, meta, filled)
