"""Exact DTW: against a plain O(N·M) loop, hand-computed cases, identity, path shape, missing joints."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.metrics.dtw import LABELS, DTWResult, accumulate, cost_matrix, dtw
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout


def _frame_cost(x: np.ndarray, y: np.ndarray, metric: str) -> float:
    if metric == "pt-dtw":
        return float(np.sum(np.abs(x - y)))
    return float(np.mean(np.sqrt(np.sum((x - y) ** 2, axis=1))))


def _plain(gen: np.ndarray, ref: np.ndarray, metric: str) -> tuple[float, float]:
    """(score, D[N-1, M-1]) by the textbook loop."""
    n, m = len(gen), len(ref)
    d = np.full((n + 1, m + 1), np.inf)
    d[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            c = _frame_cost(gen[i - 1], ref[j - 1], metric)
            d[i, j] = c + min(d[i - 1, j - 1], d[i - 1, j], d[i, j - 1])
    if metric == "pt-dtw":
        return d[n, m] / m, d[n, m]
    # mean over the pairs of an optimal path: backtrack with the same tie rule
    i, j, costs = n, m, []
    while True:
        costs.append(_frame_cost(gen[i - 1], ref[j - 1], metric))
        if i == 1 and j == 1:
            break
        options = []
        if i > 1 and j > 1:
            options.append((d[i - 1, j - 1], 0, i - 1, j - 1))
        if i > 1:
            options.append((d[i - 1, j], 1, i - 1, j))
        if j > 1:
            options.append((d[i, j - 1], 2, i, j - 1))
        _, _, i, j = min(options)
    return float(np.mean(costs)), d[n, m]


def _check_path(r: DTWResult) -> None:
    p = r.path
    assert p.shape == (len(r.frame_costs), 2)
    assert tuple(p[0]) == (0, 0) and tuple(p[-1]) == (r.n_gen - 1, r.n_ref - 1)
    steps = np.diff(p, axis=0)
    assert ((steps >= 0) & (steps <= 1)).all() and (steps.sum(axis=1) >= 1).all()


@pytest.mark.parametrize("metric", ["pt-dtw", "dtw-mje"])
@pytest.mark.parametrize(
    ("n", "m", "joints"), [(1, 1, 1), (1, 6, 2), (7, 1, 3), (9, 9, 4), (12, 17, 5), (23, 11, 50)]
)
def test_equals_a_plain_loop(metric, n, m, joints):
    rng = np.random.default_rng(n * 100 + m)
    gen, ref = rng.normal(size=(n, joints, 3)), rng.normal(size=(m, joints, 3))
    r = dtw(gen, ref, metric)
    score, acc = _plain(gen, ref, metric)
    assert r.score == pytest.approx(score, rel=1e-9)
    assert r.accumulated == pytest.approx(acc, rel=1e-9)
    assert (r.n_gen, r.n_ref, r.metric) == (n, m, metric)
    _check_path(r)
    if metric == "dtw-mje":
        matmul = dtw(gen, ref, metric, method="matmul")
        assert matmul.score == pytest.approx(score, rel=1e-7)


def test_hand_computed_l1():
    # one joint moving along x; gen 0,1,2 vs ref 0,2 -> C = [[0,2],[1,1],[2,0]]
    gen = np.array([[[0.0, 0, 0]], [[1.0, 0, 0]], [[2.0, 0, 0]]])
    ref = np.array([[[0.0, 0, 0]], [[2.0, 0, 0]]])
    np.testing.assert_allclose(cost_matrix(gen, ref, "pt-dtw"), [[0, 2], [1, 1], [2, 0]])
    np.testing.assert_allclose(accumulate(cost_matrix(gen, ref, "pt-dtw")), [[0, 2], [1, 1], [3, 1]])
    r = dtw(gen, ref, "pt-dtw")
    assert r.score == pytest.approx(1 / 2)  # D = 1 over 2 reference frames
    # two optimal paths cost 1; from (2, 1) the tie goes to the diagonal step, to (1, 0)
    assert r.path.tolist() == [[0, 0], [1, 0], [2, 1]]
    np.testing.assert_allclose(r.frame_costs, [0, 1, 0])


def test_hand_computed_mje():
    # two joints: one off by a 3-4-5 triangle, one exact -> frame cost 2.5
    gen = np.array([[[3.0, 4.0, 0.0], [1.0, 1.0, 1.0]]] * 2)
    ref = np.array([[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]])
    r = dtw(gen, ref, "dtw-mje")
    assert r.score == pytest.approx(2.5)
    assert r.path.tolist() == [[0, 0], [1, 0]]
    # the L1 variant sums the coordinates: 3 + 4 = 7 per frame, two frames, one reference frame
    assert dtw(gen, ref, "pt-dtw").score == pytest.approx(14.0)


@pytest.mark.parametrize("metric", ["pt-dtw", "dtw-mje"])
def test_identical_sequences_give_zero(metric):
    x = np.random.default_rng(3).normal(size=(30, 50, 3))
    r = dtw(x, x.copy(), metric)
    assert r.score == 0.0
    assert r.path.tolist() == [[i, i] for i in range(30)]
    assert dtw(x, x, metric, method="matmul").score == pytest.approx(0.0, abs=1e-6)


def test_missing_joints_are_left_out():
    rng = np.random.default_rng(5)
    gen, ref = rng.normal(size=(8, 4, 3)), rng.normal(size=(6, 4, 3))
    holed = gen.copy()
    holed[:, 3] = np.nan  # joint 3 missing in the generated sequence
    for metric in ("pt-dtw", "dtw-mje"):
        expected = cost_matrix(gen[:, :3], ref[:, :3], metric)
        if metric == "pt-dtw":
            expected = expected * 4 / 3  # J times the mean over the joints present in both
        np.testing.assert_allclose(cost_matrix(holed, ref, metric), expected, rtol=1e-12)


def test_pose_sequences_use_confidence():
    skel = get_layout("upper50")
    rng = np.random.default_rng(9)
    data = rng.normal(size=(10, 50, 3)).astype(np.float32)
    conf = np.ones((10, 50), np.float32)
    a = PoseSequence(data, conf, 25.0, skel)
    moved = data.copy()
    moved[:, 0] += 100.0  # a joint far off, but marked missing
    conf_b = conf.copy()
    conf_b[:, 0] = 0
    b = PoseSequence(moved, conf_b, 25.0, skel)
    assert dtw(a, b, "dtw-mje").score == 0.0 and dtw(a, b, "pt-dtw").score == 0.0


def test_frames_with_nothing_in_common_get_a_neutral_cost():
    gen = np.random.default_rng(1).normal(size=(4, 2, 3))
    ref = gen.copy()
    ref[1] = np.nan
    c = cost_matrix(gen, ref, "dtw-mje")
    assert np.isfinite(c).all()
    np.testing.assert_allclose(c[:, 1], np.delete(c, 1, axis=1).mean())


def test_results_helpers_and_labels():
    gen = np.random.default_rng(2).normal(size=(5, 3, 3))
    ref = gen[[0, 0, 1, 2, 3, 4, 4]]
    r = dtw(gen, ref, "dtw-mje")
    assert r.score == 0.0 and r.label == LABELS["dtw-mje"] and "PT-DTW" in LABELS["pt-dtw"]
    assert r.generated_frame_costs().shape == (5,)
    assert r.reference_for_generated().tolist() == [0, 2, 3, 4, 5]


def test_errors():
    x = np.zeros((3, 2, 3))
    with pytest.raises(ValueError, match="metric"):
        dtw(x, x, "euclid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="joints"):
        dtw(x, np.zeros((3, 4, 3)))
    with pytest.raises(ValueError, match="no frames"):
        dtw(np.zeros((0, 2, 3)), x)
    with pytest.raises(ValueError, match="shape"):
        dtw(np.zeros((3, 2, 2)), x)
