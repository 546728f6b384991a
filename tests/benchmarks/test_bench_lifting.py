"""`signstudio bench --quick`: the vectorised lifting against the per-frame loop, as a ratio."""

from __future__ import annotations

import json

import pytest

from signstudio.cli.main import main


@pytest.mark.slow
def test_quick_bench_vectorised_lifting_beats_the_loop(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--only", "lifting", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "speed-up over the loop transcription" in table and "RTX 3060" in table
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert [b["name"] for b in benchmarks] == ["lifting"]
    r = benchmarks[0]
    assert r["name"] == "lifting" and r["clips"] == 100 and r["frames"] == 100
    # a ratio measured in the same run, never an absolute time
    assert r["speedup_vs_loop"] > 10, r
    # both measured the same thing
    assert r["max_abs_diff_vs_loop"] <= 1e-9 * r["max_abs_coordinate"]
