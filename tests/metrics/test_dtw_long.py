"""Long pairs: the row-by-row route against the whole-matrix route on real data (bit-for-bit), its
memory (bytes per cell, not float64 matrices), and the banded route's bound above the budget."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from benchmarks.suite import real_long_sequences
from signstudio.metrics.dtw import _backtrack, accumulate, cost_matrix, dtw
from signstudio.pose.convert import convert
from signstudio.pose.transforms import normalise


@pytest.fixture(scope="module")
def real() -> dict[int, dict[str, np.ndarray]]:
    return real_long_sequences()


def _whole_matrix(gen, ref, metric):
    """Today's exact route: the full float64 cost and accumulated matrices, then the backtrack."""
    c = cost_matrix(gen, ref, metric)
    d = accumulate(c)
    path = _backtrack(d)
    return d[-1, -1], path, c[path[:, 0], path[:, 1]]


def _valid(r) -> None:
    p = r.path
    assert tuple(p[0]) == (0, 0) and tuple(p[-1]) == (r.n_gen - 1, r.n_ref - 1)
    steps = np.diff(p, axis=0)
    assert ((steps >= 0) & (steps <= 1)).all() and (steps.sum(axis=1) >= 1).all()


@pytest.mark.parametrize("metric", ["pt-dtw", "dtw-mje"])
@pytest.mark.parametrize("values", [150, 1629])
def test_exact_route_is_bit_for_bit_the_whole_matrix_route(real, metric, values):
    gen, ref = real[values]["ase"][:300], real[values]["gsg"][:260]
    last, path, costs = _whole_matrix(gen, ref, metric)
    for threads in (1, 3):
        r = dtw(gen, ref, metric, threads=threads)
        assert r.route == "exact" and r.route_note == "exact DTW"
        np.testing.assert_array_equal(r.path, path)
        np.testing.assert_array_equal(r.frame_costs, costs)
        expected = last / 260 if metric == "pt-dtw" else costs.mean()
        assert r.score == expected


@pytest.mark.parametrize("metric", ["pt-dtw", "dtw-mje"])
def test_real_recordings_with_missing_joints(real_clips, metric):
    # real lexicon recordings: hands come and go, so some pairs of frames share few joints
    gen = normalise(convert(real_clips[0], "upper50"))
    ref = normalise(convert(real_clips[1], "upper50"))
    assert (gen.confidence == 0).any() or (ref.confidence == 0).any()
    _, path, costs = _whole_matrix(gen, ref, metric)
    r = dtw(gen, ref, metric)
    np.testing.assert_array_equal(r.path, path)
    np.testing.assert_array_equal(r.frame_costs, costs)


def test_pairs_with_nothing_in_common_get_the_mean_cost():
    rng = np.random.default_rng(4)
    gen, ref = rng.normal(size=(40, 5, 3)), rng.normal(size=(35, 5, 3))
    ref[10:14] = np.nan  # four reference frames with no joint at all
    gen[5, :3] = np.nan
    ref[20, 3:] = np.nan  # gen frame 5 and ref frame 20 share no joint
    for metric in ("pt-dtw", "dtw-mje"):
        _, path, costs = _whole_matrix(gen, ref, metric)
        r = dtw(gen, ref, metric)
        np.testing.assert_array_equal(r.path, path)
        # the neutral cost is a mean over the matrix: summed in another order, equal to rounding
        np.testing.assert_allclose(r.frame_costs, costs, rtol=1e-12)


def _peak(gen: np.ndarray, ref: np.ndarray) -> int:
    tracemalloc.start()
    try:
        r = dtw(gen, ref, "dtw-mje")
        assert r.route == "exact"
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_a_byte_per_cell_not_a_float64_matrix(real):
    gen = np.concatenate([real[150]["ase"]] * 6)  # 3120 real frames
    ref = np.concatenate([real[150]["gsg"]] * 6)
    dtw(gen[:20], ref[:20], "dtw-mje")  # compiled before measuring
    # the same number of frames in all (what grows with the frames stays; the reference's side
    # weighs more, so the small case has the larger share), 10 x the cells
    small, large = (100, 3000), (1550, 1550)
    p_small = _peak(gen[: small[0]], ref[: small[1]])
    p_large = _peak(gen[: large[0]], ref[: large[1]])
    added = large[0] * large[1] - small[0] * small[1]
    # one byte of back-pointer per added cell; the whole-matrix route holds two float64 matrices:
    # 16 bytes per cell
    assert (p_large - p_small) / added < 1.5, (p_small, p_large)


@pytest.mark.parametrize("metric", ["pt-dtw", "dtw-mje"])
def test_banded_route_above_the_budget_is_an_upper_bound(real, metric):
    gen, ref = real[150]["ase"][:520], real[150]["gsg"][:480]
    exact = dtw(gen, ref, metric)
    for budget in (520 * 480 // 3, 520 * 480 // 8, 520 * 480 // 20):
        r = dtw(gen, ref, metric, max_bytes=budget)
        assert r.route == "banded" and r.band >= r.coarse >= 2
        assert f"within {r.band} frames" in r.route_note and "upper bound" in r.route_note
        _valid(r)
        # the band only removes paths: never below the exact accumulated cost ...
        assert r.accumulated >= exact.accumulated * (1 - 1e-12)
        if metric == "pt-dtw":
            assert r.score >= exact.score * (1 - 1e-12)
        # ... and on real signing, with these narrow bands, within 3 % of it (measured: <= 1.9 %)
        assert r.accumulated <= exact.accumulated * 1.03
    # a budget wide enough for the band to hold the exact path gives the exact path
    wide = dtw(gen, ref, metric, max_bytes=520 * 480 // 3)
    np.testing.assert_array_equal(wide.path, exact.path)


def test_banded_route_with_missing_points():
    rng = np.random.default_rng(8)
    walk = np.cumsum(rng.normal(scale=0.1, size=(300, 6, 3)), axis=0)
    gen, ref = walk.copy(), walk[::2].copy()
    ref[40:45, :3] = np.nan  # half the joints missing: every pair still has joints in common
    r = dtw(gen, ref, "dtw-mje", max_bytes=300 * 150 // 6)
    assert r.route == "banded"
    _valid(r)
    assert r.accumulated >= dtw(gen, ref, "dtw-mje").accumulated * (1 - 1e-12)
    # frames with no point at all: their pairs get the band's mean cost (finite, a valid path)
    ref[60:64] = np.nan
    r = dtw(gen, ref, "dtw-mje", max_bytes=300 * 150 // 6)
    assert r.route == "banded" and np.isfinite(r.frame_costs).all()
    _valid(r)
