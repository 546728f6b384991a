"""`signstudio generate`: lookup to .pose and .skels, prompt mode, the baselines, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from signstudio.cli.main import main
from signstudio.corpus import store
from signstudio.corpus.store import CorpusSettings
from signstudio.modeling import registry
from signstudio.modeling.models.baselines import RandomModel
from signstudio.pose import formats


def test_lookup_to_pose(tmp_path, capsys):
    out = tmp_path / "hello.pose"
    assert main(["generate", "--text", "hello", "--lang", "ase", "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert len(line.splitlines()) == 1
    assert "'hello'" in line and "American Sign Language (ase)" in line and "'lookup'" in line
    seq = formats.read_one(out)
    assert len(seq) > 20 and seq.layout == "holistic" and seq.num_joints == 178  # .pose keeps no text


def test_lookup_to_skels_converts_to_upper50(tmp_path, capsys):
    out = tmp_path / "hi.skels"
    assert main(["generate", "--text", "hi", "--lang", "gsg", "--model", "lookup", "--out", str(out)]) == 0
    assert "(gsg)" in capsys.readouterr().out
    seq = formats.read_one(out)
    assert seq.layout == "upper50" and len(seq) > 10


def test_prompt_mode_prints_what_it_understood(tmp_path, capsys):
    out = tmp_path / "water.pose"
    prompt = "How do I sign 'water' in German Sign Language?"
    assert main(["generate", "--prompt", "--text", prompt, "--lang", "ase", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert "understood 'water'" in line and "(gsg)" in line and "named in the prompt" in line
    assert len(formats.read_one(out)) > 10


def test_a_baseline_through_the_cli(tmp_path, capsys, monkeypatch):
    path = store.build(tmp_path / "tiny.h5", CorpusSettings(languages=("ase",), words_per_language=10))
    info = registry.model_info("random")

    def factory(device: str) -> RandomModel:
        return RandomModel(device, corpus=path)

    registry.register(info, factory, replace=True)
    try:
        out = tmp_path / "r.pose"
        assert main(["generate", "--text", "cat", "--model", "random", "--out", str(out)]) == 0
        assert "'random'" in capsys.readouterr().out
        assert formats.read_one(out).layout == "upper50"
    finally:
        registry.register(info, "signstudio.modeling.models.baselines:RandomModel", replace=True)


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--text", "hello", "--lang", "xxx"], "does not cover sign language 'xxx'"),
        (
            ["--text", "\U0001f44b 3", "--lang", "ase"],
            "nothing to sign in '\U0001f44b 3': not signed: \U0001f44b, 3",
        ),
        (["--text", "hello", "--model", "nope"], "unknown model 'nope'"),
        (["--text", "   "], "nothing to sign"),
        (["--prompt", "--text", "?"], "could not find the text"),
        (["--text", "hi", "--device", "tpu"], "unknown device"),
    ],
)
def test_errors_are_one_line_and_exit_2(tmp_path, capsys, argv, problem):
    out = tmp_path / "x.pose"
    assert main(["generate", *argv, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and problem in lines[0], captured.err
    assert captured.out == "" and not out.exists()


def test_unwritable_files(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["generate", "--text", "hi", "--out", str(blocker / "x.pose")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["generate", "--text", "hi", "--out", str(tmp_path / "x.xyz")]) == 2
    assert "unknown file type" in capsys.readouterr().err
    (tmp_path / "d.pose").mkdir()
    assert main(["generate", "--text", "hi", "--out", str(tmp_path / "d.pose")]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_subprocess_failure_has_no_traceback(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "signstudio",
            "generate",
            "--text",
            "hi",
            "--model",
            "nope",
            "--out",
            "x.pose",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("model", "options", "frames"),
    [("nar-kd", ["num_frames=40"], 40), ("diffusion", ["steps=6", "guidance=1.5", "num_frames=33"], 33)],
)
def test_shipped_nar_models_with_options(tmp_path, capsys, model, options, frames):
    out = tmp_path / "w.pose"
    argv = [
        "generate",
        "--text",
        "water",
        "--lang",
        "gsg",
        "--model",
        model,
        "--device",
        "cpu",
        "--out",
        str(out),
    ]
    assert main([*argv, *(x for o in options for x in ("--option", o))]) == 0
    assert f"'{model}'" in capsys.readouterr().out
    assert len(formats.read_one(out)) == frames
    assert main([*argv, "--option", "steps"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    assert main([*argv, "--option", "bogus=1"]) == 2
    assert "unknown option(s) bogus" in capsys.readouterr().err
