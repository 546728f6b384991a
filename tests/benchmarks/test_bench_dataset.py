"""`signstudio bench --only dataset`: the tiled .skels is real PHOENIX14T lines, every case runs,
and the built folder is gone afterwards."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import dataset as bench
from signstudio.pose.formats import read

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"


def test_build_tiles_the_real_sentences(tmp_path: Path) -> None:
    path = bench.build(tmp_path, 20)
    seqs = read(path)
    real = read(PT / "dev.skels") + read(PT / "test.skels") + read(PT / "train.skels")
    assert len(seqs) == 20
    for i, seq in enumerate(seqs):
        assert (seq.data == real[i % 15].data).all() and seq.meta["text"] == real[i % 15].meta["text"]
    keys = [s.meta["key"] for s in seqs]
    assert len(set(keys)) == 20 and keys[15] == f"{real[0].meta['key']}#1"


def test_quick_run_measures_every_case_and_cleans_up() -> None:
    before = set(Path(tempfile.gettempdir()).glob("signstudio-bench-dataset-*"))
    result = bench.run(quick=True, sequences=40)
    assert set(Path(tempfile.gettempdir()).glob("signstudio-bench-dataset-*")) == before
    cases = result["cases"]
    assert result["sequences"] == 40 and result["far"] == 39
    for case in ("cold", "cached", "far", "numpy"):
        assert "failed" not in cases[case], cases[case]
        assert cases[case]["seconds"] > 0 and cases[case]["peak_mib"] > 0
    assert cases["far"]["index"] == 39 and cases["cold"]["index"] == 0
    assert cases["cold"]["text"] == (PT / "dev.text").read_text("utf-8").splitlines()[0]
    assert "speedup" in cases["cached"] and "within_target" in cases["cold"]
    assert "numpy" in bench.format_table(result)
