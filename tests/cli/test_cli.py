"""The `signstudio` command: info, convert, corpus, and one-line errors with exit code 2."""

import subprocess
import sys

import pytest

from signstudio.cli.main import main
from signstudio.corpus.lexicon import alphabet
from signstudio.pose import formats


@pytest.fixture(scope="module")
def real_pose_file():
    return alphabet("ase")["b"].path


def test_info_on_a_real_recording(real_pose_file, capsys):
    assert main(["info", str(real_pose_file)]) == 0
    out = capsys.readouterr().out
    assert "frames" in out and "fps 25" in out and "layout holistic" in out and "missing" in out


def test_info_json(real_pose_file, capsys):
    import json

    assert main(["info", "--json", str(real_pose_file)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "pose" and doc["sequences"][0]["joints"] == 586


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.pose", b"", "empty"),
        ("noise.skels", b"\x00\x01garbage\xff" * 10, ""),
        ("short.skels", b"0.1 0.2 0.3\n", "values"),
    ],
)
def test_bad_files_give_one_line_and_exit_2(tmp_path, name, content, problem):
    f = tmp_path / name
    f.write_bytes(content)
    r = subprocess.run([sys.executable, "-m", "signstudio", "info", str(f)], capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(f) in lines[0] and "Traceback" not in r.stderr
    assert problem in lines[0]


def test_missing_file(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope.pose")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_convert_pose_to_skels_converts_the_layout(real_pose_file, tmp_path, capsys):
    out = tmp_path / "b.skels"
    assert main(["convert", str(real_pose_file), str(out)]) == 0
    assert "upper50" in capsys.readouterr().out
    seq = formats.read_one(out)
    assert seq.layout == "upper50" and (tmp_path / "b.text").exists()
    back = tmp_path / "b.npz"
    assert main(["convert", str(out), str(back)]) == 0
    assert formats.read_one(back).equals(seq)


def test_convert_refuses_an_unknown_layout(real_pose_file, tmp_path, capsys):
    assert main(["convert", str(real_pose_file), str(tmp_path / "x.npz"), "--layout", "smplx"]) == 2
    assert "no conversion" in capsys.readouterr().err


def test_corpus_build_and_info(tmp_path, capsys):
    out = tmp_path / "c.h5"
    assert main(["corpus", "build", "--langs", "fsl", "--words", "12", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "fsl" in text and "26" in text and "total" in text
    assert main(["corpus", "info", "--out", str(out), "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)["languages"]
    assert rows[0]["letters"] == 26 and sum(rows[0][f"words_{s}"] for s in ("train", "dev", "test")) == 12


def test_corpus_unknown_language(tmp_path, capsys):
    assert main(["corpus", "build", "--langs", "xyz", "--out", str(tmp_path / "c.h5")]) == 2
    assert "unknown sign language" in capsys.readouterr().err


def test_a_closed_stdout_ends_quietly(real_pose_file):
    """`signstudio info FILE | head -1`: the reader is gone before the output is written. The
    pipe's read end is closed before the command starts, so every write meets a closed pipe."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run(
            [sys.executable, "-m", "signstudio", "info", str(real_pose_file)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_end)
    assert r.returncode == 141
    assert r.stderr == "", r.stderr  # no BrokenPipeError traceback, no "Exception ignored"


def test_info_piped_into_head(real_pose_file):
    r = subprocess.run(
        f"{sys.executable} -m signstudio info {real_pose_file} | head -1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and r.stdout.count("\n") == 1
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr
