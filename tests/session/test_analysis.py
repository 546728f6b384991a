"""The pair analysis the studio's timeline and heat map draw (`signstudio.session.analysis`), on
real recordings and their real scores, without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores, score_pair
from signstudio.session.analysis import WORST_JOINTS, CurveData, joint_heat, pair_curves
from signstudio.session.studio import StudioState

Pair = tuple[PoseSequence, PoseSequence, PairScores]


@pytest.fixture(scope="module")
def pair(real_clips: list[PoseSequence]) -> tuple[PoseSequence, PoseSequence, PairScores]:
    gen, ref = real_clips[0], real_clips[1]
    return gen, ref, score_pair(gen, ref)


def test_curves_of_a_lone_sequence_are_its_own(real_holistic: PoseSequence) -> None:
    curves = pair_curves(real_holistic, None, None, None)
    assert {"left hand speed", "right hand speed", "confidence"} <= set(curves)
    assert not any(key.endswith("(ref)") for key in curves)
    for curve in curves.values():
        assert isinstance(curve, CurveData)
        assert curve.values.shape == (real_holistic.num_frames,)
    assert curves["confidence"].y_range == (0.0, 1.05)
    assert pair_curves(None, None, None, None) == {}


def test_reference_curves_follow_the_frame_table(pair: Pair) -> None:
    gen, ref, scores = pair
    state = StudioState()
    state.set_result(gen, ref)
    for timing in ("own-clock", "warped"):
        state.reference_timing = timing
        table = state.frame_table()
        curves = pair_curves(gen, ref, scores, table)
        own = pair_curves(ref, None, None, None)["right hand speed"].values
        mapped = curves["right hand speed (ref)"].values
        assert mapped.shape == (gen.num_frames,)
        np.testing.assert_array_equal(mapped, own[np.clip(table, 0, len(own) - 1)])
    # without a frame table the reference has no values on the generated axis
    assert np.isnan(pair_curves(gen, ref, None, None)["confidence (ref)"].values).all()


def test_scored_pairs_add_the_dtw_and_fgd_rows(pair: Pair) -> None:
    gen, ref, scores = pair
    assert "DTW cost" not in pair_curves(gen, ref, None, None)
    curves = pair_curves(gen, ref, scores, None)
    assert scores.dtw_curve is not None
    np.testing.assert_allclose(curves["DTW cost"].values, scores.dtw_curve)
    assert curves["DTW cost"].group == "DTW"
    assert ("FGD-style" in curves) == (scores.fgd_curve is not None)
    # scores of another length are not drawn on this axis
    assert "DTW cost" not in pair_curves(ref, gen, scores, None)


def test_heat_table_names_the_worst_joints(pair: Pair) -> None:
    gen, _ref, scores = pair
    heat = joint_heat(gen, scores)
    assert heat is not None and scores.joint_errors is not None
    assert heat.errors.shape == (gen.num_frames, gen.num_joints)
    assert heat.errors.dtype == np.float32
    assert np.isfinite(heat.errors).any()
    assert 0 < len(heat.worst) <= WORST_JOINTS
    means = [mean for _name, mean in heat.worst]
    assert means == sorted(means, reverse=True)
    finite = np.isfinite(scores.joint_errors)
    covered = finite.any(axis=0)  # joints scored on at least one frame
    per_joint = np.where(finite, scores.joint_errors, 0).sum(0)[covered] / finite.sum(0)[covered]
    assert means[0] == pytest.approx(per_joint.max(), rel=1e-5)


def test_no_heat_without_scores_or_of_another_length(pair: Pair) -> None:
    gen, ref, scores = pair
    assert joint_heat(gen, None) is None
    assert joint_heat(None, scores) is None
    if ref.num_frames != gen.num_frames:
        assert joint_heat(ref, scores) is None
