"""The worst frames: local maxima above the median of the per-frame error, on made-up curves
(each rule of the formula) and on a real scored pair (checked against a plain loop)."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.session.worst_frames import (
    NEEDS_REFERENCE,
    NEEDS_SCORES,
    WorstCurve,
    frame_errors,
    jump_message,
    peak_frames,
    step_worst,
    worst_curve,
)


def _brute_peaks(v: np.ndarray) -> list[int]:
    """The formula read literally, one frame at a time (plateaus walked to their ends)."""
    w = np.where(np.isfinite(v), v, -np.inf)
    median = np.median(v[np.isfinite(v)])
    out = []
    for i in range(len(w)):
        if i > 0 and w[i - 1] == w[i]:
            continue  # not the first frame of its run
        j = i
        while j + 1 < len(w) and w[j + 1] == w[i]:
            j += 1
        left = w[i - 1] if i > 0 else -np.inf
        right = w[j + 1] if j + 1 < len(w) else -np.inf
        if w[i] > median and w[i] > left and w[i] > right:
            out.append(i)
    return out


def test_local_maxima_above_the_median_only() -> None:
    v = np.array([0.1, 0.5, 0.2, 0.15, 0.12, 0.9, 0.3, 0.11, 0.13, 0.1])
    # 0.13 at 8 is a local maximum but below the median (0.14): left out
    assert peak_frames(v).tolist() == [1, 5]
    assert step_worst(v, 0, 1) == 1 and step_worst(v, 1, 1) == 5 and step_worst(v, 5, 1) is None
    assert step_worst(v, 9, -1) == 5 and step_worst(v, 5, -1) == 1 and step_worst(v, 1, -1) is None
    assert step_worst(v, 3, -1) == 1  # between two peaks: the nearest one that way


def test_ends_plateaus_nans_and_flat_curves() -> None:
    assert peak_frames(np.array([0.9, 0.2, 0.1, 0.3])).tolist() == [0, 3]  # the ends count
    plateau = np.array([0.1, 0.7, 0.7, 0.7, 0.2, 0.1])
    assert peak_frames(plateau).tolist() == [1]  # a flat top: its first frame, once
    shoulder = np.array([0.1, 0.5, 0.5, 0.8, 0.2, 0.1])
    assert peak_frames(shoulder).tolist() == [3]  # a step on the way up is no peak
    gaps = np.array([np.nan, 0.4, np.nan, 0.1, 0.6, 0.2, np.nan])
    assert peak_frames(gaps).tolist() == [1, 4]  # NaN is no value: it neither peaks nor blocks
    assert peak_frames(np.full(8, 0.3)).size == 0 and peak_frames(np.full(4, np.nan)).size == 0
    assert peak_frames(np.zeros(0)).size == 0
    flat = WorstCurve(np.full(8, 0.3), "dtw-mje cost")
    assert "no peak above its median" in jump_message(flat, None, 0, 1)


def test_random_curves_agree_with_the_formula_read_literally() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        v = np.round(rng.random(rng.integers(1, 40)), 1)  # coarse: plateaus happen
        v[rng.random(len(v)) < 0.1] = np.nan
        if not np.isfinite(v).any():
            continue
        assert peak_frames(v).tolist() == _brute_peaks(v), v.tolist()


def test_frame_errors_mean_the_joints_each_frame_has() -> None:
    e = np.array([[1.0, 3.0, np.nan], [np.nan, np.nan, np.nan], [2.0, 2.0, 5.0]])
    out = frame_errors(e)
    assert out[0] == 2.0 and np.isnan(out[1]) and out[2] == 3.0


@pytest.fixture(scope="module")
def scored():  # type: ignore[no-untyped-def]
    """A real pair: one test word of the corpus against another word's recording."""
    from signstudio.corpus.store import open_corpus
    from signstudio.runner.scoring import score_pair

    corpus = open_corpus(quiet=True)
    a, b = corpus.words("ase", "test")[:2]
    ref = corpus.word_sequence("ase", a, "upper50")
    gen = corpus.word_sequence("ase", b, "upper50")
    return gen, ref, score_pair(gen, ref)


def test_a_real_dtw_curve(scored) -> None:  # type: ignore[no-untyped-def]
    gen, ref, scores = scored
    curve = worst_curve(gen, ref, scores, heat_on=False)
    assert isinstance(curve, WorstCurve) and curve.name == "dtw-mje cost"
    v = curve.values
    assert np.array_equal(v, scores.dtw_curve) and len(v) == gen.num_frames
    peaks = peak_frames(v)
    assert peaks.tolist() == _brute_peaks(v) and len(peaks) >= 1
    assert int(np.nanargmax(v)) in peaks.tolist()  # the worst frame of all is one of them
    frame, visited = -1, []
    while (frame := step_worst(v, frame, 1)) is not None:  # next, next, … visits each peak once
        visited.append(frame)
    assert visited == peaks.tolist()
    msg = jump_message(curve, visited[0], 0, 1)
    assert msg.startswith(f"Worst frame {visited[0]} (1 of {len(peaks)} peaks") and "shoulder widths" in msg


def test_the_heat_maps_curve_while_it_is_shown_and_the_reasons(scored) -> None:  # type: ignore[no-untyped-def]
    gen, ref, scores = scored
    heat = worst_curve(gen, ref, scores, heat_on=True)
    assert isinstance(heat, WorstCurve) and heat.name == "mean joint error"
    assert np.allclose(heat.values, np.nanmean(scores.joint_errors, axis=1), equal_nan=True)
    assert worst_curve(gen, None, scores, heat_on=False) == NEEDS_REFERENCE
    assert worst_curve(None, ref, scores, heat_on=True) == NEEDS_REFERENCE
    assert worst_curve(gen, ref, None, heat_on=False) == NEEDS_SCORES
    assert worst_curve(gen, ref, None, heat_on=True) == NEEDS_SCORES  # no heat without scores either
