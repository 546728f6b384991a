"""What the studio measures of the pair on screen, as plain arrays (Qt-free, numpy).

    curves = pair_curves(gen, ref, scores, state.frame_table())   # {key: CurveData}, the timeline's rows
    heat = joint_heat(gen, scores)                                 # per-joint error of every frame

``gen`` is the generated (or opened) sequence, ``ref`` its reference, ``scores`` the pair's
`signstudio.runner.scoring.PairScores` (None until the pair is scored). The timeline draws the
curves on the generated frame axis, so the reference's are re-mapped through the frame table of
the current reference timing; the viewport colours the generated joints by the heat table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores

#: Hand-speed colours by hand, for the generated sequence and (darker) for the reference.
_SPEED_COLOURS = {"left": ("#ff8c28", "#8a5a30"), "right": ("#28c878", "#2f7a55")}
_CONFIDENCE_COLOURS = ("#50a0ff", "#3a5f8f")
#: How many of the worst joints the heat map's legend names.
WORST_JOINTS = 3


@dataclass(frozen=True)
class CurveData:
    """One per-frame row of the timeline (the app draws it as `signstudio.app.curves.Curve`).

    values: (N,) float, one per generated frame, NaN where there is no value; color: "#rrggbb";
    unit, group, label and y_range as `Curve` takes them.
    """

    values: np.ndarray
    color: str
    unit: str = ""
    group: str = ""
    label: str = ""
    y_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class JointHeat:
    """errors: (N, J) float32, the error of every joint of the generated sequence on every frame
    (NaN for joints the scores do not cover); worst: the ``WORST_JOINTS`` joints with the largest
    mean error over the sequence, as (layout joint name, mean error), worst first."""

    errors: np.ndarray
    worst: tuple[tuple[str, float], ...]


def pair_curves(
    gen: PoseSequence | None,
    ref: PoseSequence | None,
    scores: PairScores | None,
    frame_table: np.ndarray | None,
) -> dict[str, CurveData]:
    """Hand speed and confidence per frame (the reference's on the generated frame axis through
    ``frame_table``, (N,) reference frame per generated frame), and once the pair is scored the
    DTW cost and the windowed FGD-style score of every frame. Keys name the rows' curves; N is
    the generated sequence's frame count (the reference's when only it is shown)."""
    main = gen if gen is not None else ref
    if main is None:
        return {}
    n = main.num_frames
    curves = _score_curves(scores, n) if gen is not None else {}
    for seq, is_ref in ((gen, False), (ref, True)):
        if seq is None:
            continue

        def on_axis(values: np.ndarray, seq: PoseSequence = seq) -> np.ndarray:
            v = np.asarray(values, dtype=float)
            if seq is main:
                return v
            if frame_table is not None and len(frame_table) == n:
                return v[np.clip(frame_table, 0, len(v) - 1)]
            return np.full(n, np.nan)

        curves.update(_sequence_curves(seq, is_ref, on_axis))
    return curves


def _score_curves(scores: PairScores | None, n: int) -> dict[str, CurveData]:
    """The DTW cost and FGD-style rows of ``scores`` when they are of an ``n``-frame sequence."""
    curves: dict[str, CurveData] = {}
    if scores is None or scores.n_gen != n:
        return curves
    if scores.dtw_curve is not None:
        curves["DTW cost"] = CurveData(
            scores.dtw_curve, "#e0503c", unit="sh. w.", group="DTW", label="dtw-mje cost"
        )
    if scores.fgd_curve is not None:
        curves["FGD-style"] = CurveData(
            scores.fgd_curve, "#b070ff", group="FGD-style", label="34-frame windows"
        )
    return curves


def _sequence_curves(
    seq: PoseSequence, is_ref: bool, on_axis: Callable[[np.ndarray], np.ndarray]
) -> dict[str, CurveData]:
    """``seq``'s hand speeds and mean confidence, put on the generated axis by ``on_axis``."""
    from signstudio.metrics.kinematics import hand_speed, mean_confidence

    tag = " (ref)" if is_ref else ""
    curves: dict[str, CurveData] = {}
    try:
        speeds = hand_speed(seq)
    except (KeyError, ValueError):
        speeds = {}
    for side, values in speeds.items():
        key = "left" if side.startswith("left") else "right"
        colour = _SPEED_COLOURS[key][is_ref]
        curves[f"{key} hand speed{tag}"] = CurveData(
            on_axis(values), colour, unit="shoulders/s", group="speed", label=f"{key} hand{tag}"
        )
    try:
        conf = mean_confidence(seq)
    except (KeyError, ValueError):
        conf = None
    if conf is not None and not isinstance(conf, dict):
        curves[f"confidence{tag}"] = CurveData(
            on_axis(conf),
            _CONFIDENCE_COLOURS[is_ref],
            group="confidence",
            label=f"confidence{tag}",
            y_range=(0.0, 1.05),
        )
    return curves


def joint_heat(gen: PoseSequence | None, scores: PairScores | None) -> JointHeat | None:
    """The per-joint errors of ``gen`` on its own joints (``scores.joint_errors`` are (N, 50) on
    the ``upper50`` layout) and its worst joints; None when there is nothing to show (no scores,
    no joint errors, a skeleton without the upper50 joints, or scores of another length)."""
    if gen is None or scores is None or scores.joint_errors is None:
        return None
    from signstudio.pose.convert import source_joints
    from signstudio.pose.skeleton import get_layout

    try:
        src = source_joints(gen.skeleton, "upper50")
    except ValueError:
        return None
    table = scores.joint_errors
    if table.shape[0] != gen.num_frames:
        return None
    errors = np.full((gen.num_frames, gen.num_joints), np.nan, np.float32)
    ok = src >= 0
    errors[:, src[ok]] = table[:, ok]
    finite = np.isfinite(table)
    counts = finite.sum(0)
    mean = np.where(finite, table, 0).sum(0) / np.maximum(counts, 1)
    mean[counts == 0] = np.nan
    names = get_layout("upper50").joints
    order = np.argsort(-np.nan_to_num(mean, nan=-1.0))[:WORST_JOINTS]
    worst = tuple((names[i], float(mean[i])) for i in order if np.isfinite(mean[i]))
    return JointHeat(errors, worst)


__all__ = ["WORST_JOINTS", "CurveData", "JointHeat", "joint_heat", "pair_curves"]
