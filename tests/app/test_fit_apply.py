"""Applying a result (issue 20, item 10): the display skeleton's bounds, computed column by column
(no BLAS product: its threads stalled the GUI on a busy CPU), equal the matrix product's."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_bones_built_once_per_skeleton_and_read_only() -> None:
    skel = default_sample().skeleton
    assert len(skel.bones) > 1000  # a holistic face: thousands of limbs, built once, not per new pair
    assert skel.bones is skel.bones
    with pytest.raises(ValueError):
        skel.bones[0, 0] = 1


@pytest.mark.gui
def test_the_start_up_heap_is_frozen(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A full collection scans only what came after the window was built (an 88 ms gen-2 pass
    stalled a result's arrival in the bench)."""
    import gc

    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    gc.unfreeze()
    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    frozen = gc.get_freeze_count()
    assert frozen > 10_000, frozen
    win.close()
