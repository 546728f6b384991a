"""The full report on a few words: Table 1 with the ground truth, the ablations and the length
buckets, in JSON and Markdown, through the CLI."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from signstudio.cli.main import main
from signstudio.modeling.evaluation.language_table import CRITERIA
from signstudio.modeling.evaluation.report import GROUND_TRUTH, build_report, report_markdown


@pytest.fixture(scope="module")
def report():
    models = ["mean", "random", "wrong-word", "nar-kd"]
    return build_report("test", models=models, langs=("ase", "tsm"), limit=3)


def test_table1_has_every_model_on_dev_and_test(report):
    assert report["models"] == [GROUND_TRUTH, "mean", "random", "wrong-word", "nar-kd"]
    for split in ("dev", "test"):
        rows = report["table1"][split]
        gt = rows[GROUND_TRUTH]
        assert gt["n"] == 6 and gt["pt_dtw"] == pytest.approx(0.0, abs=1e-9) and gt["dur_acc"] == 1.0
        for name in ("mean", "random", "wrong-word"):
            r = rows[name]
            assert r["pt_dtw"] > 1.0 and r["windows"] >= 3 and r["ref_windows"] > 1000
            assert set(r["bleu"]) == {"1", "2", "3", "4"} and r["wer"] >= 0.0
            assert r["fgd"] > 0 and r["pt_dtw"] > gt["pt_dtw"]
        # three words are too few windows for a stable 32-dimensional Gaussian: the FGD ranking is
        # checked on the whole split (models/REPORT.md), here only that every row has one
        assert gt["fgd"] > 0 and gt["windows"] >= 3
        assert set(rows["mean"]["per_lang"]) == {"ase", "tsm"}
    assert len(report["readings"][GROUND_TRUTH]) == len(report["references"]) == 6


def test_ablations_and_length_buckets(report):
    kd, loss = report["ablations"]["kd"], report["ablations"]["loss"]
    assert set(kd["splits"]["test"]) == {"nar-kd (KD)", "nar-kd without KD"}
    assert set(loss["splits"]["test"]) == {"MSE", "RL loss", "RL loss + PLC"}
    assert loss["langs"] == ["ase"]
    assert sum(b["n"] for b in report["by_length"]) <= 6
    for b in report["by_length"]:
        assert set(report["models"]) <= set(b)


def test_markdown_names_what_each_number_measures(report):
    md = report_markdown(report)
    for heading in ("Table 1", "Table 3a", "Table 2", "SignLLM Table 7", "Every sign language"):
        assert heading in md
    assert "Closing note" in md and "| tsm | 3 |" in md
    assert "noise floor" in md and "ceiling" in md and f"| {GROUND_TRUTH} | test |" in md


def test_language_verdicts_follow_the_numbers(report):
    """Only the trained model is judged; each language is a win or a failure, and both agree
    with the per-language numbers of Table 1 (pt-dtw lower, chrF higher than every baseline; FGD
    lower than mean's and random's)."""
    verdicts = report["language_verdicts"]
    assert set(verdicts) == {"nar-kd"}
    per = {name: row["per_lang"] for name, row in report["table1"]["test"].items()}
    for key, _label, better, bars in CRITERIA:
        v = verdicts["nar-kd"][key]
        assert sorted(v["beats"] + [f["lang"] for f in v["fails"]]) == ["ase", "tsm"]
        for lang in v["beats"]:
            assert all(better(per["nar-kd"][lang][key], per[b][lang][key]) for b in bars)
        for fail in v["fails"]:
            lang = fail["lang"]
            assert fail["value"] == per["nar-kd"][lang][key]
            assert not all(better(fail["value"], per[b][lang][key]) for b in bars)
            assert fail["baseline_value"] == per[fail["best_baseline"]][lang][key]
            assert fail["ceiling_chrf"] == per[GROUND_TRUTH][lang]["chrf"]


def test_the_cli_writes_the_report(tmp_path, capsys):
    out = tmp_path / "report.md"
    argv = ["evaluate", "--split", "test", "--langs", "ase", "--limit", "2", "--out", str(out)]
    assert main(argv) == 0
    assert "Table 1" in out.read_text(encoding="utf-8")
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert GROUND_TRUTH in data["models"] and "nar-kd" in data["models"] and data["limit"] == 2
