"""Per-frame curves for the timeline strip: wrist speed and confidence (numpy only).

Units:

* `hand_speed`: shoulder widths per second. Positions are divided by the sequence's median
  shoulder width (so a raw MediaPipe file and a normalised corpus sequence give the same curve)
  and differentiated in time: central difference ``|x[f+1] - x[f-1]| / (2 / fps)`` where both
  neighbours are present, one-sided where only one is, NaN where the wrist is missing (or both
  neighbours are). NaN everywhere when no frame shows both shoulders.
* `mean_confidence`: the mean confidence over a group's joints per frame, in [0, 1]; missing
  points count as 0, so the curve drops where points are lost.

Joints are found by name, not index, so every layout that names them works: ``upper50``,
``holistic`` (full or spoken-to-signed's reduced variant), ``openpose137``, ``smplx`` and
``p2s128``. "left" is the signer's left, as the layouts name it.
"""

from __future__ import annotations

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.transforms import normalisation_of

# Candidate wrist names, best first: the body's wrist (present more often than the hand's).
_WRISTS = {
    "left": (
        "BODY:LWrist",
        "POSE_LANDMARKS:LEFT_WRIST",
        "BODY_25:LWrist",
        "BODY_18:LWrist",
        "SMPLX_BODY:left_wrist",
        "LEFT_HAND:WRIST",
        "LEFT_HAND_LANDMARKS:WRIST",
    ),
    "right": (
        "BODY:RWrist",
        "POSE_LANDMARKS:RIGHT_WRIST",
        "BODY_25:RWrist",
        "BODY_18:RWrist",
        "SMPLX_BODY:right_wrist",
        "RIGHT_HAND:WRIST",
        "RIGHT_HAND_LANDMARKS:WRIST",
    ),
}


def wrist_index(seq: PoseSequence, side: str) -> int:
    """Index of the ``left`` or ``right`` wrist joint (KeyError if the layout has none)."""
    names = {n: i for i, n in enumerate(seq.skeleton.joints)}
    for name in _WRISTS[side]:
        if name in names:
            return names[name]
    raise KeyError(f"layout {seq.layout} has no {side} wrist joint")


def speed(points: np.ndarray, present: np.ndarray, fps: float) -> np.ndarray:
    """(F,) speed of one point track: points (F, 3), present (F,) bool; units per second, NaN
    where it cannot be measured (see the module docstring)."""
    n = len(points)
    if n < 2:
        return np.full(n, np.nan)
    x = points.astype(np.float64)
    step = np.linalg.norm(np.diff(x, axis=0), axis=1) * fps  # (F-1,) speed between f and f+1
    step_ok = present[:-1] & present[1:]
    fwd = np.full(n, np.nan)  # speed to the next frame
    bwd = np.full(n, np.nan)  # speed from the previous frame
    fwd[:-1] = np.where(step_ok, step, np.nan)
    bwd[1:] = np.where(step_ok, step, np.nan)
    central = np.full(n, np.nan)
    both = np.zeros(n, bool)
    both[1:-1] = present[:-2] & present[2:]
    central[1:-1] = np.linalg.norm(x[2:] - x[:-2], axis=1) * fps / 2
    out = np.where(both, central, np.where(np.isnan(fwd), bwd, fwd))
    out[~present] = np.nan
    return out


def hand_speed(seq: PoseSequence) -> dict[str, np.ndarray]:
    """``{"left": (F,), "right": (F,)}`` float64 wrist speed in shoulder widths per second."""
    try:
        _, scale = normalisation_of(seq)
    except ValueError:  # no shoulders to measure with: no curve rather than a wrong scale
        scale = float("nan")
    out = {}
    for side in ("left", "right"):
        j = wrist_index(seq, side)
        out[side] = speed(seq.data[:, j], seq.present[:, j], seq.fps) / scale
    return out


def mean_confidence(seq: PoseSequence, group: str | None = None) -> np.ndarray:
    """(F,) float64 mean confidence over the joints of ``group`` (``body``, ``left_hand``,
    ``right_hand``, ``face``), or over all drawn joints (every group but ``other``) when None."""
    groups = seq.skeleton.groups
    if group is None:
        idx = np.concatenate([ix for g, ix in groups.items() if g != "other"] or [np.arange(0)])
    elif group in groups:
        idx = groups[group]
    else:
        raise KeyError(f"layout {seq.layout} has no group {group!r}; it has {', '.join(groups)}")
    if idx.size == 0:
        return np.full(seq.num_frames, np.nan)
    return seq.confidence[:, idx].astype(np.float64).mean(axis=1)


def confidence_by_group(seq: PoseSequence) -> dict[str, np.ndarray]:
    """``{group: (F,)}`` `mean_confidence` of every drawn group, plus ``"all"``."""
    out = {g: mean_confidence(seq, g) for g in seq.skeleton.groups if g != "other"}
    out["all"] = mean_confidence(seq)
    return out
