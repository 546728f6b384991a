"""`signstudio evaluate`: models scored against the corpus references, with sizes and lengths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signstudio.cli.main import main
from signstudio.corpus import store
from signstudio.corpus.store import CorpusSettings
from signstudio.modeling.evaluate import evaluate_models, to_markdown


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
