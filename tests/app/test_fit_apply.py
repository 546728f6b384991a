"""Applying a result (issue 20, item 10): the display skeleton's bounds, computed column by column
(no BLAS product: its threads stalled the GUI on a busy CPU), equal the matrix product's."""

from __future__ import annotations

import numpy as np

from signstudio.corpus.store import default_sample
from signstudio.session.geometry import _extent, display_skeleton


def test_extent_equals_the_matrix_product_on_a_real_recording() -> None:
    seq = default_sample()
    disp = display_skeleton(seq)
    present = (seq.confidence > 0) & np.isfinite(seq.data).all(axis=2)
    points = seq.data[present].astype(np.float64)
    full = points @ disp.matrix[:3, :3].T + disp.matrix[:3, 3]
    lo, hi = _extent(seq.data[present], disp.matrix[:3])
    np.testing.assert_allclose(lo, full.min(axis=0), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(hi, full.max(axis=0), rtol=1e-12, atol=1e-9)
    assert disp.floor is not None and disp.floor >= full[:, 2].min() - 1e-9


def test_extent_of_a_general_affine_map() -> None:
    rng = np.random.default_rng(7)
    points = rng.normal(size=(500, 3)).astype(np.float32)
    rows = rng.normal(size=(2, 4))
    full = points.astype(np.float64) @ rows[:, :3].T + rows[:, 3]
    lo, hi = _extent(points, rows)
    np.testing.assert_allclose(lo, full.min(axis=0), rtol=1e-12)
    np.testing.assert_allclose(hi, full.max(axis=0), rtol=1e-12)
