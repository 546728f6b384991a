"""`signstudio bench --only dtw`: our exact DTW beside dtaidistance and fastdtw, on real frames;
what each library computes, checked against our own recursion."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.suite import real_long_sequences
from signstudio.cli.main import main
from signstudio.metrics.dtw import accumulate, dtw


@pytest.fixture(scope="module")
def data():
    return real_long_sequences()


def test_real_sequences_have_the_asked_sizes(data):
    assert set(data) == {150, 1629}
    for values, pair in data.items():
        assert set(pair) == {"ase", "gsg"}
        for arr in pair.values():
            assert arr.shape == (520, values // 3, 3) and np.isfinite(arr).all()
    # normalised: shoulder width about 1 (upper50 joints 2 and 5 are the shoulders)
    width = np.linalg.norm(data[150]["ase"][:, 2] - data[150]["ase"][:, 5], axis=-1)
    assert 0.8 < np.median(width) < 1.2


def test_what_the_libraries_compute(data):
    pytest.importorskip("dtaidistance")
    pytest.importorskip("fastdtw")
    from dtaidistance import dtw_ndim
    from fastdtw import fastdtw

    a = data[150]["ase"][:60].reshape(60, -1)
    b = data[150]["gsg"][:70].reshape(70, -1)
    # dtaidistance: the same recursion on the squared Euclidean frame cost, square root at the end
    squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    assert dtw_ndim.distance(a, b, use_c=True) == pytest.approx(
        np.sqrt(accumulate(squared)[-1, -1]), rel=1e-9
    )
    # fastdtw with dist=1 sums the L1 cost of pt-dtw along an approximate path: never below exact
    exact = dtw(a, b, "pt-dtw")
    approx, _ = fastdtw(a, b, radius=1, dist=1)
    assert approx / 70 >= exact.score - 1e-9
    assert exact.accumulated == pytest.approx(exact.score * 70)


@pytest.mark.slow
def test_quick_bench(tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "--quick", "--only", "dtw", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "dtw:" in table and "fastdtw" in table
    [r] = json.loads(out.read_text())["benchmarks"]
    assert r["name"] == "dtw" and r["installed"] == {"fastdtw": True, "dtaidistance": True}
    assert {(x["values"], x["n"], x["m"]) for x in r["rows"]} == {(150, 100, 120), (1629, 100, 120)}
    for x in r["rows"]:
        assert x["pt_dtw_s"] > 0 and x["dtaidistance_ratio"] > 0 and x["fastdtw_ratio"] > 0
        assert x["mje_ratio"] == pytest.approx(x["dtw_mje_s"] / x["pt_dtw_s"])
        assert x["fastdtw_per_ref"] >= x["pt_dtw"] - 1e-9  # the approximation never beats the optimum


@pytest.mark.slow
def test_quick_long_bench(tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "--quick", "--only", "long-dtw", "--json", str(out)]) == 0
    assert "long-dtw:" in capsys.readouterr().out
    [r] = json.loads(out.read_text())["benchmarks"]
    assert r["name"] == "long-dtw" and [x["n"] for x in r["rows"]] == [300, 600]
    for x in r["rows"]:
        ours, whole = x["ours"], x["whole"]
        assert ours["route"] == "ours" and ours["how"] == "exact" and whole["route"] == "whole"
        assert ours["seconds"] > 0 and whole["seconds"] > 0 and x["speedup"] > 0
        # the same exact DTW: the same scores (dtw-mje's matrix-product costs: equal to ~1e-8)
        assert ours["score"] == pytest.approx(whole["score"], rel=1e-6)
        assert ours["pt_dtw"] == whole["pt_dtw"]
        # the whole pair scoring ran: the FGD-style curve and the reading
        assert ours["fgd_mean"] == pytest.approx(whole["fgd_mean"], rel=1e-6)
        assert ours["read"] and whole["read"] and ours["notes"] == []
    # the whole-matrix route's memory grows with the cells: about 32 bytes each at 600 x 588
    assert r["rows"][1]["whole"]["peak_mib"] > 600 * 588 * 16 / 2**20
