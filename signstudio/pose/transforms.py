"""Transforms on `PoseSequence`; each returns a new sequence and records what it did in ``meta``.

normalise / denormalise  neck at the origin, shoulder width 1 (and back)
resample                 to another frame rate, linear in time, missing stays missing
trim_to_signing          to the span where a hand is raised (sign.mt's heuristic)
mirror                   swap left and right (handedness), reflecting x about the body midline
select_groups            keep only some groups (body, hands, face)
fill_missing             interpolate gaps in time; filled points are marked in ``filled``
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from signstudio.pose.sequence import PoseSequence, remap_segments

# ---- anatomy lookups per layout ------------------------------------------------------------

_SHOULDERS = {
    "upper50": ("BODY:LShoulder", "BODY:RShoulder"),
    "openpose137": ("BODY_25:LShoulder", "BODY_25:RShoulder"),
    "holistic": ("POSE_LANDMARKS:LEFT_SHOULDER", "POSE_LANDMARKS:RIGHT_SHOULDER"),
    "smplx": ("SMPLX_BODY:left_shoulder", "SMPLX_BODY:right_shoulder"),
    "p2s128": ("BODY_18:LShoulder", "BODY_18:RShoulder"),
    "coco18": ("BODY_18:LShoulder", "BODY_18:RShoulder"),
    "wholebody133": ("BODY:left_shoulder", "BODY:right_shoulder"),
}
_ARMS = {  # (wrist, elbow) per side
    "upper50": (("BODY:LWrist", "BODY:LElbow"), ("BODY:RWrist", "BODY:RElbow")),
    "openpose137": (("BODY_25:LWrist", "BODY_25:LElbow"), ("BODY_25:RWrist", "BODY_25:RElbow")),
    "holistic": (
        ("POSE_LANDMARKS:LEFT_WRIST", "POSE_LANDMARKS:LEFT_ELBOW"),
        ("POSE_LANDMARKS:RIGHT_WRIST", "POSE_LANDMARKS:RIGHT_ELBOW"),
    ),
    "smplx": (
        ("SMPLX_BODY:left_wrist", "SMPLX_BODY:left_elbow"),
        ("SMPLX_BODY:right_wrist", "SMPLX_BODY:right_elbow"),
    ),
    "p2s128": (("BODY_18:LWrist", "BODY_18:LElbow"), ("BODY_18:RWrist", "BODY_18:RElbow")),
    "coco18": (("BODY_18:LWrist", "BODY_18:LElbow"), ("BODY_18:RWrist", "BODY_18:RElbow")),
    "wholebody133": (("BODY:left_wrist", "BODY:left_elbow"), ("BODY:right_wrist", "BODY:right_elbow")),
}


def _base_layout(seq: PoseSequence) -> str:
    # Subsets are named "upper50[...]"; sequences read from holistic files may add components.
    return seq.layout.split("[", 1)[0]


def _joint(seq: PoseSequence, name: str) -> int:
    joints = seq.skeleton.joints
    if name not in joints and len(seq.skeleton.components) == 1:
        # A one-component file (e.g. a COCO-18 body alone) names its joints by point only.
        component, _, point = name.partition(":")
        if seq.skeleton.components[0].name == component:
            return joints.index(point)
    return joints.index(name)


def shoulders(seq: PoseSequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Left shoulder (F, 3), right shoulder (F, 3), and (F,) bool where both are present."""
    names = _SHOULDERS.get(_base_layout(seq))
    if names is None:
        raise ValueError(f"layout {seq.layout} has no known shoulders")
    li, ri = _joint(seq, names[0]), _joint(seq, names[1])
    ok = (seq.confidence[:, li] > 0) & (seq.confidence[:, ri] > 0)
    return seq.data[:, li], seq.data[:, ri], ok


# ---- normalise -------------------------------------------------------------------------------


def normalisation_of(seq: PoseSequence) -> tuple[np.ndarray, float]:
    """Origin (3,) and scale: the median neck (shoulder midpoint) and median shoulder width."""
    left, right, ok = shoulders(seq)
    if not ok.any():
        raise ValueError(f"{seq.meta.get('source', 'sequence')}: no frame has both shoulders")
    neck = (left[ok] + right[ok]) / 2
    width = np.linalg.norm(left[ok] - right[ok], axis=1)
    scale = float(np.median(width))
    if not scale > 0:
        raise ValueError(f"{seq.meta.get('source', 'sequence')}: shoulder width is zero")
    return np.median(neck, axis=0).astype(np.float64), scale


def normalise(seq: PoseSequence) -> PoseSequence:
    """Neck at the origin, shoulder width 1 (per sequence: median over frames, so sway is kept).

    Undo with `denormalise`; the origin and scale are stored in ``meta["normalisation"]``.
    """
    origin, scale = normalisation_of(seq)
    data = ((seq.data - origin) / scale).astype(np.float32)
    data[~seq.present] = 0.0
    norm = {"origin": [float(v) for v in origin], "scale": scale}
    return seq.replace(data=data, meta_update={"normalisation": norm})


def denormalise(seq: PoseSequence) -> PoseSequence:
    norm = seq.meta.get("normalisation")
    if not norm:
        return seq
    data = (seq.data * norm["scale"] + np.asarray(norm["origin"])).astype(np.float32)
    data[~seq.present] = 0.0
    meta = dict(seq.meta)
    del meta["normalisation"]
    return seq.replace(data=data, meta=meta)


# ---- resample --------------------------------------------------------------------------------


def resample(seq: PoseSequence, fps: float) -> PoseSequence:
    """Linear resampling in time to ``fps``, same duration.

    A new frame between two source frames is present only where both are present; confidence is
    interpolated alike. New frames land on ``k / fps`` for ``k < round(F * fps / old_fps)``.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if np.isclose(fps, seq.fps) or seq.num_frames == 0:
        return seq.replace(fps=fps)
    n_out = max(1, round(seq.num_frames * fps / seq.fps))
    t = np.arange(n_out) * (seq.fps / fps)
    t = np.clip(t, 0, seq.num_frames - 1)
    i0 = np.floor(t).astype(np.int64)
    i1 = np.minimum(i0 + 1, seq.num_frames - 1)
    w = (t - i0).astype(np.float32)
    w_pt = w[:, None]
    present = seq.present
    both = present[i0] & present[i1]
    # Where w == 0 only the left frame matters.
    exact = w_pt == 0
    ok = np.where(exact, present[i0], both)
    data = seq.data[i0] * (1 - w_pt)[..., None] + seq.data[i1] * w_pt[..., None]
    conf = seq.confidence[i0] * (1 - w_pt) + seq.confidence[i1] * w_pt
    conf = np.where(ok, conf, 0.0)
    data[~ok] = 0.0
    filled = (seq.filled[i0] | (seq.filled[i1] & ~exact)) & ok
    out = seq.replace(data=data, confidence=conf, filled=filled, fps=fps)
    if "segments" in seq.meta:  # a new frame at time t belongs to the letter shown at t
        out.meta["segments"] = remap_segments(seq.meta["segments"], i0)
    return out


# ---- trim ------------------------------------------------------------------------------------


def signing_span(seq: PoseSequence, margin: int = 5) -> tuple[int, int]:
    """``[start, stop)`` frames where either wrist is above its elbow, widened by ``margin``.

    The heuristic of spoken-to-signed's ``get_signing_boundary`` (sign.mt), on any layout with
    arms: y points down, so "above" is a smaller y. Falls back to the whole sequence.
    """
    arms = _ARMS.get(_base_layout(seq))
    if arms is None or seq.num_frames == 0:
        return 0, seq.num_frames
    starts, stops = [], []
    for wrist_name, elbow_name in arms:
        w, e = _joint(seq, wrist_name), _joint(seq, elbow_name)
        wrist_seen = seq.confidence[:, w] > 0
        raised = wrist_seen & (seq.confidence[:, e] > 0) & (seq.data[:, w, 1] < seq.data[:, e, 1])
        if not raised.any():
            continue
        first_seen = int(np.argmax(wrist_seen))
        last_seen = seq.num_frames - int(np.argmax(wrist_seen[::-1]))
        first = int(np.argmax(raised))
        last = seq.num_frames - int(np.argmax(raised[::-1]))
        starts.append(max(first_seen, first - margin))
        stops.append(min(last_seen, last + margin))
    if not starts:
        return 0, seq.num_frames
    return min(starts), max(stops)


def trim_to_signing(seq: PoseSequence, margin: int = 5) -> PoseSequence:
    start, stop = signing_span(seq, margin)
    out = seq.frames(start, stop)
    return out.replace(meta_update={"trimmed_from": [int(start), int(stop), seq.num_frames]})


# ---- mirror ----------------------------------------------------------------------------------


def mirror(seq: PoseSequence, centre_x: float | None = None) -> PoseSequence:
    """Left and right swapped: joints exchange with their counterparts and x is reflected.

    The reflection is about ``centre_x`` (default: the median shoulder midpoint, i.e. the body's
    midline; 0 for a normalised sequence). Mirroring twice gives back the original.
    """
    if centre_x is None:
        try:
            centre_x = float(normalisation_of(seq)[0][0])
        except ValueError:
            centre_x = float(np.median(seq.data[..., 0][seq.present])) if seq.present.any() else 0.0
    perm = seq.skeleton.mirror
    data = seq.data[:, perm].copy()
    data[..., 0] = 2 * centre_x - data[..., 0]
    conf = seq.confidence[:, perm]
    data[conf <= 0] = 0.0
    mirrored = not seq.meta.get("mirrored", False)
    update: dict[str, Any] = {"mirrored": mirrored}
    if "segments" in seq.meta:  # a right-handed letter is signed with the left hand now
        swap = {"right": "left", "left": "right"}
        update["segments"] = [
            {**g, "hand": swap.get(g.get("hand", ""), g.get("hand"))} for g in seq.meta["segments"]
        ]
    return seq.replace(data=data, confidence=conf, filled=seq.filled[:, perm], meta_update=update)


# ---- groups ----------------------------------------------------------------------------------


def select_groups(seq: PoseSequence, groups: Iterable[str], layout: str | None = None) -> PoseSequence:
    """Only the joints of the given groups (``body``, ``left_hand``, ``right_hand``, ``face``).

    The result's layout is ``layout`` if given (e.g. "holistic" when dropping MediaPipe's world
    landmarks from a file), else ``"<layout>[<groups>]"``.
    """
    wanted = list(groups)
    unknown = set(wanted) - set(seq.skeleton.groups)
    if unknown:
        raise ValueError(f"layout {seq.layout} has no group(s) {sorted(unknown)}")
    skel, idx = seq.skeleton.subset(wanted, layout)
    return seq.replace(
        data=seq.data[:, idx], confidence=seq.confidence[:, idx], filled=seq.filled[:, idx], skeleton=skel
    )


# ---- fill ------------------------------------------------------------------------------------


def fill_missing(seq: PoseSequence, max_gap: int | None = None) -> PoseSequence:
    """Interpolate missing points linearly in time between measured neighbours.

    Only gaps with a measured point on both sides are filled (no extrapolation), and only gaps
    of at most ``max_gap`` frames if given. Filled points get the mean confidence of the two
    neighbours and are marked ``True`` in ``filled``: they are never passed off as measured.
    """
    present = seq.present
    frames = present.shape[0]
    data = seq.data.copy()
    conf = seq.confidence.copy()
    filled = seq.filled.copy()
    if frames < 3:
        return seq.copy()
    t = np.arange(frames)
    # For each (frame, joint): index of the previous and next present frame.
    prev_idx = np.where(present, t[:, None], -1)
    prev_idx = np.maximum.accumulate(prev_idx, axis=0)
    next_idx = np.where(present, t[:, None], frames)
    next_idx = np.minimum.accumulate(next_idx[::-1], axis=0)[::-1]
    gap = ~present & (prev_idx >= 0) & (next_idx < frames)
    if max_gap is not None:
        gap &= (next_idx - prev_idx - 1) <= max_gap
    if not gap.any():
        return seq.copy()
    fi, ji = np.nonzero(gap)
    p, n = prev_idx[fi, ji], next_idx[fi, ji]
    w = ((fi - p) / (n - p)).astype(np.float32)
    data[fi, ji] = data[p, ji] * (1 - w)[:, None] + data[n, ji] * w[:, None]
    conf[fi, ji] = (conf[p, ji] + conf[n, ji]) / 2
    filled[fi, ji] = True
    return seq.replace(data=data, confidence=conf, filled=filled)
