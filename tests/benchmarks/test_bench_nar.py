"""`signstudio bench --quick --only nar`: NAR vs AR latency by length, diffusion by step count."""

from __future__ import annotations

import json

import pytest

from signstudio.cli.main import main
from signstudio.modeling.registry import available_models


@pytest.mark.slow
def test_quick_nar_bench_rows(tmp_path, capsys):
    shipped = {m.id for m in available_models()}
    if not {"nar-kd", "signllm-mlsf", "diffusion"} <= shipped:
        pytest.skip("nar-kd, signllm-mlsf and diffusion checkpoints are not all shipped here")
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--only", "nar", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "nar:" in table and "mlsf/nar" in table and "per step" in table
    [r] = json.loads(out.read_text())["benchmarks"]
    assert r["name"] == "nar" and not r["skipped"]
    cpu = [row for row in r["length"] if row["device"] == "cpu"]
    assert {(row["batch"], row["frames"]) for row in cpu} == {(1, 50), (1, 100), (4, 50), (4, 100)}
    for row in cpu:
        assert row["frames_out"] == [row["frames"]], row  # both made exactly the frames asked
        assert (
            row["nar_kd_s"] > 0
            and row["mlsf_s"] > 0
            and row["ratio"] == pytest.approx(row["mlsf_s"] / row["nar_kd_s"])
        )
    # autoregressive decoding grows with the length; at 100 frames it is the slower one
    by = {(row["batch"], row["frames"]): row for row in cpu}
    assert by[(1, 100)]["mlsf_s"] > by[(1, 50)]["mlsf_s"]
    steps = {d["steps"]: d for d in r["diffusion"] if d["device"] == "cpu"}
    assert set(steps) == {5, 10}
    assert steps[10]["seconds"] > steps[5]["seconds"]  # more steps cost more, in the same run
