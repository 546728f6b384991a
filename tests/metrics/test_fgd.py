"""Fréchet distance arithmetic (against closed forms and scipy's sqrtm) and motion windows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg

from signstudio.metrics.fgd import WINDOW, FeatureStats, frechet_distance, windows


def stats(mean, cov, count=100) -> FeatureStats:
    return FeatureStats(np.asarray(mean, float), np.asarray(cov, float), count)


def test_closed_forms():
    assert frechet_distance(stats([0.0], [[1.0]]), stats([1.0], [[4.0]])) == pytest.approx(2.0)
    # diagonal covariances: sum of squared mean differences + sum of (sigma1 - sigma2)^2
    a = stats([0, 1, 2], np.diag([1.0, 4.0, 9.0]))
    b = stats([1, 1, 0], np.diag([4.0, 4.0, 1.0]))
    assert frechet_distance(a, b) == pytest.approx(1 + 0 + 4 + 1 + 0 + 4)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)


def test_matches_the_sqrtm_formula_on_random_covariances():
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.normal(size=(200, 8))
        y = rng.normal(size=(150, 8)) @ rng.normal(size=(8, 8)) + 0.5
        a, b = FeatureStats.fit(x), FeatureStats.fit(y)
        covmean = linalg.sqrtm(a.cov @ b.cov).real
        want = ((a.mean - b.mean) ** 2).sum() + np.trace(a.cov + b.cov - 2 * covmean)
        assert frechet_distance(a, b) == pytest.approx(want, rel=1e-7)
        assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-9)


def test_rank_deficient_covariances_stay_finite_and_non_negative():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 10))  # 5 vectors in 10 dimensions: singular covariance
    a = FeatureStats.fit(x)
    d = frechet_distance(a, a)
    assert np.isfinite(d) and 0 <= d < 1e-6
    back = FeatureStats.from_dict(a.to_dict())
    assert back.count == 5 and np.array_equal(back.mean, a.mean) and np.array_equal(back.cov, a.cov)


def test_windows():
    f = np.arange(100 * 2, dtype=float).reshape(100, 2)
    w = windows(f, stride=30)
    assert w.shape == (4, WINDOW, 2)  # starts 0, 30, 60 and 66 (the last ends at the last frame)
    assert w[-1, -1, 0] == f[-1, 0] and w[1, 0, 0] == f[30, 0]
    short = windows(f[:10])
    assert short.shape == (1, WINDOW, 2) and (short[0, 10:] == f[9]).all()
    with pytest.raises(ValueError, match="non-empty"):
        windows(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        FeatureStats.fit(np.zeros((1, 3)))
