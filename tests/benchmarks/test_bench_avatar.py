"""The avatar benchmark on a quick run: every figure present, and the optimisation earns its time
(the hands fit closer than the analytic start alone)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from benchmarks import avatar as bench_avatar


def test_quick_avatar_benchmark():
    r = bench_avatar.run(quick=True)
    assert r["frames"] == 60 and r["devices"][0] == "cpu"
    base, full = r["ik"]["cpu/0"], r["ik"]["cpu/150"]
    assert full["ms_per_frame"] > base["ms_per_frame"] > 0
    assert full["hands_mm"] < base["hands_mm"] and full["arms_mm"] < 30
    assert r["pose_ms_per_frame"] > 0 and r["normals_ms_per_frame"] > 0
    assert r["wooden_vertices"] > r["convex_vertices"]
    text = bench_avatar.format_table(r)
    assert "IK on cpu" in text and "mesh: convex mannequin" in text
