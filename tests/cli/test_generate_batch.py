"""`signstudio generate --text-file`: a split of real PHOENIX14T sentences signed with one model load,
keys kept (PT's parallel files), every bad input one line and nothing half-written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from signstudio.cli.main import main
from signstudio.modeling.shipped_models import NARKD_CHECKPOINT
from signstudio.pose import formats

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
DEV_TEXT, DEV_FILES = PT / "dev.text", PT / "dev.files"


def _generate(*args: object) -> int:
    return main(["generate", *map(str, args)])


def _error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: ") and "Traceback" not in err
    return err


def test_mean_to_skels_keeps_keys_and_texts(tmp_path, capsys):
    out = tmp_path / "pred.skels"
    rc = _generate(
        "--text-file", DEV_TEXT, "--files", DEV_FILES, "--lang", "gsg", "--model", "mean", "--out", out
    )
    assert rc == 0
    assert "signed 5 sentences in gsg with model 'mean'" in capsys.readouterr().out
    assert out.with_suffix(".files").read_text(encoding="utf-8") == DEV_FILES.read_text(encoding="utf-8")
    assert out.with_suffix(".text").read_text(encoding="utf-8") == DEV_TEXT.read_text(encoding="utf-8")
    preds = formats.read(out)
    refs = formats.read(PT / "dev.skels")
    assert [p.meta["key"] for p in preds] == [r.meta["key"] for r in refs]  # pairs with the references by key
    assert all(p.layout == "upper50" and len(p) > 10 for p in preds)


def test_folder_gets_one_pose_per_line_named_by_line_number(tmp_path, capsys):
    out = tmp_path / "preds"
    assert _generate("--text-file", DEV_TEXT, "--lang", "gsg", "--model", "mean", "--out", f"{out}/") == 0
    assert sorted(p.name for p in out.iterdir()) == [f"{n}.pose" for n in range(1, 6)]
    assert len(formats.read_one(out / "3.pose")) > 10


@pytest.mark.skipif(not NARKD_CHECKPOINT.exists(), reason="needs the shipped nar-kd checkpoint")
def test_checkpoint_to_h5_in_batches(tmp_path, capsys):
    ckpt = tmp_path / "run 1" / "best.pt"  # a training run's file, with a space in its path
    ckpt.parent.mkdir()
    shutil.copy(NARKD_CHECKPOINT, ckpt)
    out = tmp_path / "pred.h5"
    rc = _generate("--text-file", DEV_TEXT, "--files", DEV_FILES, "--lang", "gsg", "--checkpoint", ckpt,
                   "--batch-size", 2, "--out", out)  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    assert "nar-kd@" in capsys.readouterr().out
    preds = formats.read(out)
    assert [p.meta["key"] for p in preds] == DEV_FILES.read_text(encoding="utf-8").split()
    assert preds[1].meta["text"].startswith("das bedeutet viele wolken")
    # a language the model does not cover: one line, nothing written
    other = tmp_path / "other.skels"
    assert _generate("--text-file", DEV_TEXT, "--lang", "bfi", "--checkpoint", ckpt, "--out", other) == 2
    assert "does not cover sign language 'bfi'" in _error(capsys)
    assert list(tmp_path.glob("other*")) == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("hallo\n\nwelt\n", "line 2 is blank"),
        ("", "is empty"),
        ("a" * 100_000 + "\n", "line 1 has 100000 characters"),
    ],
)
def test_bad_text_files_are_one_line(tmp_path, capsys, content, message):
    text = _write(tmp_path / "s.txt", content)
    out = tmp_path / "pred.skels"
    assert _generate("--text-file", text, "--lang", "gsg", "--model", "mean", "--out", out) == 2
    err = _error(capsys)
    assert message in err and str(text) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.txt"]


def test_bad_keys_and_outputs_are_one_line(tmp_path, capsys):
    short = _write(tmp_path / "short.files", "dev/a\ndev/b\n")
    twice = _write(tmp_path / "twice.files", "a\nb\nc\na\ne\n")
    cases = [
        (["--files", short, "--out", tmp_path / "p.skels"], "has 2 keys but the text file has 5 lines"),
        (["--files", twice, "--out", tmp_path / "p.skels"], "line 4 repeats the key 'a' of line 1"),
        (["--out", tmp_path / "one.pose"], "holds one sequence"),
        (["--out", short / "p.skels"], "is a file"),
        (["--checkpoint", short, "--out", tmp_path / "p.skels"], "not a readable checkpoint"),
    ]
    for extra, message in cases:
        assert _generate("--text-file", DEV_TEXT, "--lang", "gsg", *extra) == 2
        assert message in _error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.files", "twice.files"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_out_is_refused_before_the_model_loads(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert (
        _generate("--text-file", DEV_TEXT, "--lang", "gsg", "--model", "mean", "--out", locked / "p.skels")
        == 2
    )
    assert "cannot write: permission denied" in _error(capsys)


def test_app_refuses_a_checkpoint_that_does_not_fit_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    bad = _write(tmp_path / "best.pt", "half a checkpoint")
    assert main(["app", "--checkpoint", str(bad)]) == 2
    err = _error(capsys)
    assert str(bad) in err and "not a readable checkpoint" in err
    assert main(["app", "--checkpoint", str(bad), "--model", "lookup", "--text", "hi"]) == 2
    assert "not both" in _error(capsys)
