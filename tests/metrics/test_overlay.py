"""Per-frame overlays: the time-warp table, joint errors, centred windows and the windowed
FGD-style score."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.metrics.dtw import dtw
from signstudio.metrics.overlay import aligned_table, centred_windows, joint_errors, window_feature_distance


def test_aligned_table_takes_the_mean_reference_frame_and_fills_skips():
    path = np.array([[0, 0], [0, 1], [1, 2], [3, 3], [4, 4]])  # frame 2 skipped
    assert aligned_table(path, 5, 5).tolist() == [1, 2, 3, 3, 4]  # 0.5 rounds up; 2 interpolated


def test_joint_errors_follow_the_table():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(6, 4, 3))
    gen = ref[[0, 0, 2, 4, 5]].copy()
    gen[3, 1] += [0.3, 0.4, 0.0]  # 0.5 away on one joint of one frame
    ref_missing = ref.copy()
    ref_missing[5, 2] = np.nan
    err = joint_errors(gen, ref_missing, np.array([0, 0, 2, 4, 5]))
    assert err.shape == (5, 4)
    assert err[3, 1] == pytest.approx(0.5, abs=1e-6)
    assert np.isnan(err[4, 2]) and np.nansum(err) == pytest.approx(0.5, abs=1e-5)


def test_dtw_of_a_time_stretched_copy_aligns_it_back():
    rng = np.random.default_rng(1)
    ref = np.cumsum(rng.normal(size=(30, 5, 3)), axis=0)
    gen = np.repeat(ref, 2, axis=0)  # the same motion at half speed
    result = dtw(gen, ref, metric="dtw-mje")
    table = aligned_table(result.path, len(gen), len(ref))
    assert np.array_equal(table, np.arange(60) // 2)
    assert np.allclose(joint_errors(gen, ref, table), 0.0)
    assert np.allclose(result.generated_frame_costs(), 0.0)


def test_centred_windows():
    frames = np.arange(5, dtype=float)[:, None]
    w = centred_windows(frames, size=4)
    assert w.shape == (5, 4, 1)
    assert w[0, :, 0].tolist() == [0, 0, 0, 1]  # 2 before (padded), the frame, 1 after
    assert w[2, :, 0].tolist() == [0, 1, 2, 3]
    assert w[4, :, 0].tolist() == [2, 3, 4, 4]
    with pytest.raises(ValueError, match="non-empty"):
        centred_windows(np.zeros((0, 3)))


def test_window_feature_distance_is_the_squared_distance_of_matched_windows():
    gen = np.array([[0.0, 0.0], [1.0, 1.0]])
    ref = np.array([[0.0, 0.0], [1.0, 3.0], [4.0, 4.0]])
    assert window_feature_distance(gen, ref, np.array([0, 1])).tolist() == [0.0, 4.0]
