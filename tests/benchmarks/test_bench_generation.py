"""`signstudio bench --quick --only generation`: latency at batch 1 and N, cached vs uncached decoding."""

from __future__ import annotations

import json

import pytest

from signstudio.cli.main import main
from signstudio.modeling.registry import available_models


@pytest.mark.slow
def test_quick_generation_bench_rows_and_kv_cache_speedup(tmp_path, capsys):
    if "signllm-mlsf" not in {m.id for m in available_models()}:
        pytest.skip("no signllm-mlsf checkpoint shipped here")
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--only", "generation", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "generation:" in table and "speed-up" in table
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert [b["name"] for b in benchmarks] == ["generation"]
    r = benchmarks[0]
    assert r["batch"] == 8
    # every registered model that loads here has a CPU row with batch-1 and batch-N entries
    assert {"lookup", "mean", "random", "signllm-mlsf"} <= {
        row["model"] for row in r["rows"] if row["device"] == "cpu"
    }
    for row in r["rows"]:
        assert row["batch_1"]["batch"] == 1 and row["batch_1"]["per_text_s"] > 0, row
        assert row["batch_n"]["batch"] == r["batch"] and row["batch_n"]["per_text_s"] > 0, row
        assert row["texts"] == r["batch"]
    if "cuda" not in r["devices"]:
        assert r["gpu"] == "no GPU here" and "no GPU here" in table
    # the KV cache against the uncached path, same inputs, same forced number of frames
    decoding = [d for d in r["decoding"] if d["device"] == "cpu" and d["batch"] == r["batch"]]
    assert len(decoding) == 1
    d = decoding[0]
    assert d["frames_decoded"] == [d["frames"]] == [100], d
    assert d["max_abs_diff"] < 1e-3, d  # both decoded the same frames
    assert d["speedup"] > 1, d  # a ratio measured in the same run, never an absolute time
    # a split of real PHOENIX14T sentences: one --text-file process against one process per sentence
    split = r["split"]
    assert split["sentences"] == 3 and split["batch_s"] > 0 and split["per_sentence_processes_s"] > 0
    assert split["speedup"] == pytest.approx(split["per_sentence_processes_s"] / split["batch_s"])
    assert "a split (3 real PHOENIX14T sentences" in table
