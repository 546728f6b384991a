"""The issue-17 research loop on data SignStudio did not make, end to end through the CLI:
Progressive Transformers' real PHOENIX14T sentences (tests/data/phoenix14t-pt) -> train nar-kd
-> generate the dev split with the run's checkpoint -> score it against the references, then the
same predictions scored with an FGD encoder and a back-translation trained on that data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from signstudio.cli.main import main

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
TRAIN, DEV = str(PT / "train.skels"), str(PT / "dev.skels")
SMALL = ["--max-steps", "2", "--batch-size", "4", "--device", "cpu", "--no-progress", "--eval-every", "100"]

pytestmark = pytest.mark.slow


def _ok(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    rc = main(args)
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    return captured.err


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with runs/{nar,fgd,bt}/best.pt and pred/dev.skels (+ .text/.files)."""
    root = tmp_path_factory.mktemp("loop")
    data = ["--data", TRAIN, "--dev", DEV, "--langs", "gsg"]
    assert main(["train", "nar-kd", *data, "--out", str(root / "runs/nar"), *SMALL, "--d-model", "32",
                 "--vae-steps", "2"]) == 0  # fmt: skip
    assert main(["train", "fgd-encoder", *data, "--out", str(root / "runs/fgd"), *SMALL]) == 0
    assert main(["train", "backtranslation", *data, "--out", str(root / "runs/bt"), "--pretrain-steps", "1",
                 *SMALL]) == 0  # fmt: skip
    pred = root / "pred" / "dev.skels"
    pred.parent.mkdir()  # writers never create a missing folder
    sentences = ["--text-file", str(PT / "dev.text"), "--files", str(PT / "dev.files"), "--lang", "gsg"]
    best = str(root / "runs/nar/best.pt")
    assert main(["generate", "--checkpoint", best, *sentences, "--out", str(pred)]) == 0
    return root


def test_a_run_signs_the_dev_split_and_the_split_is_scored_by_key(loop, capsys):
    pred = loop / "pred" / "dev.skels"
    assert pred.with_suffix(".files").read_text() == (PT / "dev.files").read_text()
    assert pred.with_suffix(".text").read_text() == (PT / "dev.text").read_text()
    report = loop / "r.json"
    err = _ok(["score", str(pred), DEV, "--out", str(report)], capsys)
    assert "paired 5 sequences by key" in err
    r = json.loads(report.read_text())
    assert len(r["rows"]) == 5 and not r["unmatched_pred"] and not r["unmatched_ref"]
    corpus = r["corpus"]
    assert corpus["pt_dtw"] > 0 and corpus["dtw_mje"] > 0 and 0 <= corpus["dur_acc"] <= 1
    # the shipped evaluators know only the built-in fingerspelling: n/a, with the command to train one
    assert corpus["fgd"] is None and "signstudio train fgd-encoder --data" in corpus["fgd_na"]
    assert corpus["bleu"] is None and "signstudio train backtranslation --data" in corpus["bt_na"]


def test_evaluators_trained_on_the_data_give_fgd_and_bleu(loop, capsys):
    pred, report = loop / "pred" / "dev.skels", loop / "r2.json"
    runs = loop / "runs"
    _ok(["score", str(pred), DEV, "--fgd-encoder", str(runs / "fgd/best.pt"), "--backtranslation",
         str(runs / "bt/best.pt"), "--out", str(report)], capsys)  # fmt: skip
    corpus = json.loads(report.read_text())["corpus"]
    assert corpus["fgd"] is not None and corpus["fgd"] >= 0 and corpus["fgd_windows"] > 0
    assert corpus["bleu"] is not None and 0 <= corpus["bleu"]["4"] <= 100 and corpus["wer"] >= 0


def test_the_references_against_themselves_score_zero(capsys, tmp_path):
    report = tmp_path / "self.csv"
    _ok(["score", DEV, DEV, "--out", str(report)], capsys)
    rows = report.read_text().splitlines()
    assert len(rows) == 1 + 5
