"""`signstudio evaluate`: models scored against the corpus references, with sizes and lengths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signstudio.cli.main import main
from signstudio.corpus import store
from signstudio.corpus.store import CorpusSettings
from signstudio.modeling.evaluation.model_scores import evaluate_models, to_markdown


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    path = Path(tmp_path_factory.mktemp("corpus")) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase",), words_per_language=60, prompts_per_word=1))
    return store.open_corpus(path)


def test_rows_per_model_and_language(corpus):
    report = evaluate_models(["lookup", "mean"], ["ase"], "dev", limit=3, corpus=corpus)
    rows = {r["model"]: r for r in report["rows"]}
    assert set(rows) == {"lookup", "mean"} and all(r["n"] == 3 and r["split"] == "dev" for r in rows.values())
    # lookup signs the same recorded letters (its own trimming and join): close, not identical
    assert 0 < rows["lookup"]["pt_dtw"] < rows["mean"]["pt_dtw"]
    assert rows["lookup"]["dtw_mje"] < rows["mean"]["dtw_mje"]
    assert rows["mean"]["pt_dtw"] > 0.5 and rows["mean"]["dtw_mje"] > 0.05
    assert 0 <= rows["mean"]["dur_acc"] <= 1
    md = to_markdown(report)
    assert "| mean | ase | 3 |" in md and "pt-dtw" in md and report["corpus"] == str(corpus.path)
    # FGD against the same words' references, with the window counts behind it
    assert report["fgd_encoder"] is not None and "FGD" in md
    for r in rows.values():
        assert r["fgd"] is not None and r["fgd"] >= 0 and r["fgd_windows"] >= 3 and r["ref_windows"] >= 3


def test_cli_writes_json_and_markdown(corpus, tmp_path, capsys):
    out = tmp_path / "report.md"
    argv = ["evaluate", "--models", "lookup", "--langs", "ase", "--split", "dev", "--limit", "2"]
    assert main([*argv, "--corpus", str(corpus.path), "--out", str(out)]) == 0
    assert "| lookup | ase | 2 |" in out.read_text() and "| lookup | ase | 2 |" in capsys.readouterr().out
    assert json.loads(out.with_suffix(".json").read_text())["rows"][0]["model"] == "lookup"
    assert main([*argv, "--checkpoint", "nonsense", "--out", str(out)]) == 2
    assert "ID=PATH" in capsys.readouterr().err
    assert main(["evaluate", "--models", "no-such-model", "--out", str(out)]) == 2
    assert "unknown model" in capsys.readouterr().err


def test_by_length_buckets_and_prefixes(corpus, tmp_path, capsys):
    from signstudio.modeling.data import load_examples
    from signstudio.modeling.evaluation.model_scores import LENGTH_BUCKETS, PREFIXES, evaluate_by_length

    report = evaluate_by_length(["mean", "lookup"], ["ase"], "dev", corpus, limit=8)
    lengths = [e.num_frames for e in load_examples(corpus, ["ase"], "dev")["ase"][:8]]
    for b in report["buckets"]:
        lo, hi = b["frames"]
        assert b["mean"]["n"] == b["lookup"]["n"] == sum(lo <= n < hi for n in lengths)
    assert [b["frames"][0] for b in report["buckets"]] == list(LENGTH_BUCKETS[:-1])
    assert sum(b["mean"]["n"] for b in report["buckets"]) == sum(
        LENGTH_BUCKETS[0] <= n < LENGTH_BUCKETS[-1] for n in lengths
    )
    assert [p["frames"] for p in report["prefixes"]] == list(PREFIXES)
    first = report["prefixes"][0]
    assert first["lookup"]["n"] == 8 and first["lookup"]["pt_dtw"] < first["mean"]["pt_dtw"]
    out = tmp_path / "length.md"
    argv = ["evaluate", "--by-length", "--models", "mean", "--langs", "ase", "--split", "dev"]
    assert main([*argv, "--limit", "3", "--corpus", str(corpus.path), "--out", str(out)]) == 0
    text = out.read_text()
    assert "Error propagation" in text and "first k frames" in text and "| mean |" in text
    assert json.loads(out.with_suffix(".json").read_text())["models"] == ["mean"]


def test_options_reach_the_model_and_bad_options_are_one_line_errors(corpus, tmp_path, capsys):
    out = tmp_path / "r.json"
    argv = ["evaluate", "--models", "random", "--langs", "ase", "--split", "dev", "--limit", "2"]
    assert main([*argv, "--corpus", str(corpus.path), "--out", str(out), "--option", "mean:bogus=3"]) == 0
    assert json.loads(out.read_text())["options"] == {"mean": {"bogus": 3}}  # mean is not evaluated
    assert main([*argv, "--corpus", str(corpus.path), "--out", str(out), "--option", "random:bogus=3"]) == 2
    assert "unknown option(s) bogus" in capsys.readouterr().err  # it reached the model
    assert main([*argv, "--corpus", str(corpus.path), "--out", str(out), "--option", "oops"]) == 2
    assert "ID:KEY=VALUE" in capsys.readouterr().err
