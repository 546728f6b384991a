"""Where the pair on screen goes worst: the frames "Next / Previous worst frame" jump to (Qt-free).

    curve = worst_curve(gen, ref, scores, heat_on)   # WorstCurve, or a one-line reason (str)
    peaks = peak_frames(curve.values)                # (P,) ascending frame indices
    frame = step_worst(curve.values, clock.frame, +1) # the next peak after the clock, or None

The curve is the timeline's DTW row (``scores.dtw_curve``: the per-frame dtw-mje cost, shoulder
widths), or, while the joint-error heat map is shown, the heat map's per-frame error: the mean
over the joints of their error on that frame (`signstudio.session.analysis.joint_heat`).

A worst frame is the first frame of a run of equal values that is a local maximum above the
median. With ``v`` the curve, NaN read as -inf, and runs ``r`` of equal consecutive values::

    m = median({v_i : v_i finite})
    peak(r)  <=>  v_r > m  and  v_r > v_(r-1)  and  v_r > v_(r+1)     (v outside the curve: -inf)

The jumps do not wrap: past the last peak "next" stays and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores

NEEDS_REFERENCE = "Worst frame: needs a reference to compare with (File → Open reference…)"
NEEDS_SCORES = "Worst frame: the pair has no per-frame DTW curve yet (it is being scored, or could not be)"
NEEDS_FRAMES = "Worst frame: the DTW curve is of another length than the sequence on screen"


@dataclass(frozen=True)
class WorstCurve:
    """values: (N,) float, one per frame of the shown sequence (NaN: no value); name: what it
    is, for the status line ("dtw-mje cost", "mean joint error"); unit: "shoulder widths"."""

    values: np.ndarray
    name: str
    unit: str = "shoulder widths"


def peak_frames(values: np.ndarray) -> np.ndarray:
    """(P,) int64, ascending: the first frame of each run of equal values of ``values`` ((N,)
    float) that is a local maximum above the median of its finite values (module docstring).
    A constant or all-NaN curve has none."""
    v = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(v)
    if not finite.any():
        return np.zeros(0, np.int64)
    median = float(np.median(v[finite]))
    v = np.where(finite, v, -np.inf)
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])  # first frame of each run
    runs = v[starts]
    before = np.r_[-np.inf, runs[:-1]]
    after = np.r_[runs[1:], -np.inf]
    return starts[(runs > median) & (runs > before) & (runs > after)].astype(np.int64)


def step_worst(values: np.ndarray, frame: int, direction: int) -> int | None:
    """The peak (`peak_frames`) after ``frame`` (``direction`` > 0) or before it (< 0) nearest to
    it; None when there is none that way."""
    peaks = peak_frames(values)
    if direction > 0:
        later = peaks[peaks > frame]
        return int(later[0]) if len(later) else None
    earlier = peaks[peaks < frame]
    return int(earlier[-1]) if len(earlier) else None


def frame_errors(joint_errors: np.ndarray) -> np.ndarray:
    """(N, J) per-joint errors (NaN: not covered) -> (N,) mean of each frame's finite errors,
    NaN for a frame without any."""
    e = np.asarray(joint_errors, dtype=np.float64)
    finite = np.isfinite(e)
    counts = finite.sum(axis=1)
    sums = np.where(finite, e, 0.0).sum(axis=1)
    out = np.full(len(e), np.nan)
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


def worst_curve(
    gen: PoseSequence | None, ref: PoseSequence | None, scores: PairScores | None, heat_on: bool
) -> WorstCurve | str:
    """The curve whose peaks are the worst frames of the pair on screen — the heat map's per-frame
    error while it is shown (``heat_on``) and can be computed, else the timeline's DTW row — or
    the one-line reason there is none (``NEEDS_*``)."""
    if gen is None or ref is None:
        return NEEDS_REFERENCE
    if heat_on:
        from signstudio.session.analysis import joint_heat

        heat = joint_heat(gen, scores)
        if heat is not None:
            return WorstCurve(frame_errors(heat.errors), "mean joint error")
    if scores is None or scores.dtw_curve is None:
        return NEEDS_SCORES
    if len(scores.dtw_curve) != gen.num_frames:
        return NEEDS_FRAMES
    return WorstCurve(np.asarray(scores.dtw_curve, dtype=np.float64), "dtw-mje cost")


def jump_message(curve: WorstCurve, frame: int | None, start: int, direction: int) -> str:
    """The status line after a jump from ``start`` to ``frame`` (None: nowhere to go)."""
    values = curve.values
    peaks = peak_frames(values)
    finite = values[np.isfinite(values)]
    median = float(np.median(finite)) if len(finite) else float("nan")
    if not len(peaks):
        return f"Worst frame: no frame stands out — the {curve.name} has no peak above its median"
    if frame is None:
        way, end = ("after", int(peaks[-1])) if direction > 0 else ("before", int(peaks[0]))
        edge = "last" if direction > 0 else "first"
        return f"Worst frame: none {way} frame {start} — the {edge} peak above the median is frame {end}"
    rank = int(np.searchsorted(peaks, frame)) + 1
    return (
        f"Worst frame {frame} ({rank} of {len(peaks)} peaks above the median): {curve.name} "
        f"{values[frame]:.3f} {curve.unit}, median {median:.3f}"
    )


__all__ = [
    "NEEDS_FRAMES",
    "NEEDS_REFERENCE",
    "NEEDS_SCORES",
    "WorstCurve",
    "frame_errors",
    "jump_message",
    "peak_frames",
    "step_worst",
    "worst_curve",
]
