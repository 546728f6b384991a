"""`reference_tables`: the reference frame each compared model's ghost shows, per frame of that
model — own clock, or warped through the model's own DTW path (real PHOENIX14T sentences)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from signstudio.pose.formats import read
from signstudio.runner.scoring import score_pair
from signstudio.session.compare import ComparePlan, CompareState, reference_tables
from signstudio.session.timewarp import linear_warp, own_clock, path_table

DEV = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt" / "dev.skels"


def _state() -> tuple[CompareState, object]:
    seqs = read(DEV)
    ref = seqs[0]
    state = CompareState(ComparePlan("t", "gsg", ("a", "b", "c")))
    for model_id, seq in zip(("a", "b"), seqs[1:3], strict=True):
        state.add(model_id, seq, score_pair(seq, ref))
    state.fail("c", "no such thing")
    return state, ref


def test_own_clock_and_warped_tables_per_model() -> None:
    state, ref = _state()
    results = state.ordered()
    own = reference_tables(results, ref, "own-clock")
    warped = reference_tables(results, ref, "warped")
    assert len(own) == len(warped) == 2  # the failed model has no view, no table
    for result, own_t, warp_t in zip(results, own, warped, strict=False):
        seq = result.sequence
        frames = np.arange(seq.num_frames)
        np.testing.assert_array_equal(own_t, own_clock(frames, seq.fps, ref.fps, ref.num_frames))
        np.testing.assert_array_equal(warp_t, path_table(result.scores.path, seq.num_frames, ref.num_frames))
        assert warp_t[0] == 0 and warp_t[-1] == ref.num_frames - 1
        assert not np.array_equal(warp_t, linear_warp(frames, seq.num_frames, ref.num_frames))
    assert len(own[0]) != len(own[1])  # each on its own model's frame axis


def test_no_reference_no_tables_and_no_path_is_linear() -> None:
    state, ref = _state()
    assert reference_tables(state.ordered(), None, "warped") == []
    seq = state.results["a"].sequence
    state.add("a", seq, None)  # no scores: no path
    table = reference_tables(state.ordered()[:1], ref, "warped")[0]
    linear = linear_warp(np.arange(seq.num_frames), seq.num_frames, ref.num_frames)
    np.testing.assert_array_equal(table, linear)
