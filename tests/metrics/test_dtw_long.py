"""Long pairs: the row-by-row route against the whole-matrix route on real data (bit-for-bit), its
memory (bytes per cell, not float64 matrices), and the banded route's bound above the budget."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from benchmarks.suite import real_long_sequences
from signstudio.metrics.dtw import DTWResult, _backtrack, accumulate, cost_matrix, dtw, dtw_pair
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


def _same(a: DTWResult, b: DTWResult) -> None:
    assert (a.metric, a.route, a.band, a.coarse) == (b.metric, b.route, b.band, b.coarse)
    np.testing.assert_array_equal(a.path, b.path)
    np.testing.assert_array_equal(a.frame_costs, b.frame_costs)
    assert a.score == b.score


@pytest.mark.parametrize("values", [150, 1629])
def test_dtw_pair_is_bit_for_bit_the_two_calls_on_real_signing(real, values):
    gen, ref = real[values]["ase"][:300], real[values]["gsg"][:260]
    for threads in (1, 3):
        mje, pt = dtw_pair(gen, ref, threads=threads)
        _same(mje, dtw(gen, ref, "dtw-mje"))
        _same(pt, dtw(gen, ref, "pt-dtw"))
        assert mje.route == pt.route == "exact"
    # the two scores' paths differ on real signing: each recursion has its own back-pointers
    assert not np.array_equal(mje.path, pt.path) or mje.score != pt.score


def test_dtw_pair_with_missing_joints_and_pairs_with_nothing_in_common(real_clips):
    gen = normalise(convert(real_clips[0], "upper50"))
    ref = normalise(convert(real_clips[1], "upper50"))
    mje, pt = dtw_pair(gen, ref)
    _same(mje, dtw(gen, ref, "dtw-mje"))
    _same(pt, dtw(gen, ref, "pt-dtw"))
    rng = np.random.default_rng(4)
    g, r = rng.normal(size=(40, 5, 3)), rng.normal(size=(35, 5, 3))
    r[10:14] = np.nan
    g[5, :3] = np.nan
    r[20, 3:] = np.nan  # the neutral cost (the mean of the defined costs) of each metric
    mje, pt = dtw_pair(g, r)
    _same(mje, dtw(g, r, "dtw-mje"))
    _same(pt, dtw(g, r, "pt-dtw"))


def test_dtw_pair_above_its_budget_is_the_two_calls(real):
    gen, ref = real[150]["ase"][:300], real[150]["gsg"][:260]
    cells = 300 * 260
    # both arrays of back-pointers do not fit, one does: the two exact calls one after the other;
    # neither fits: the two banded calls
    for budget, route in ((cells * 3 // 2, "exact"), (cells // 3, "banded")):
        mje, pt = dtw_pair(gen, ref, max_bytes=budget)
        assert mje.route == pt.route == route
        _same(mje, dtw(gen, ref, "dtw-mje", max_bytes=budget))
        _same(pt, dtw(gen, ref, "pt-dtw", max_bytes=budget))
    # the whole-matrix route (the long-pair benchmark's baseline) gives the same figures
    mje, pt = dtw_pair(gen, ref, method="matmul")
    fast_mje, fast_pt = dtw_pair(gen, ref)
    _same(pt, fast_pt)
    np.testing.assert_array_equal(mje.path, fast_mje.path)
    np.testing.assert_allclose(mje.score, fast_mje.score, rtol=1e-8)


def test_dtw_pair_memory_is_two_bytes_per_cell(real):
    gen = np.concatenate([real[150]["ase"]] * 6)
    ref = np.concatenate([real[150]["gsg"]] * 6)
    dtw_pair(gen[:20], ref[:20])  # compiled before measuring

    def peak(n: int, m: int) -> int:
        tracemalloc.start()
        try:
            mje, _ = dtw_pair(gen[:n], ref[:m])
            assert mje.route == "exact"
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    added = 1550 * 1550 - 100 * 3000
    # a byte of back-pointer per cell for each score; the two whole-matrix calls: 16 bytes per cell
    assert (peak(1550, 1550) - peak(100, 3000)) / added < 2.5
