"""`signstudio app FILE --index N` / `--key KEY`: one sequence of a dataset opened alone, and the
one-line errors of an index or key that is not there."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from signstudio.app.launch import check_flags, load_sequences
from signstudio.pose.formats import read

REPO = Path(__file__).resolve().parents[2]
PT = REPO / "tests" / "data" / "phoenix14t-pt"
DEV = PT / "dev.skels"
KEYS = (PT / "dev.files").read_text("utf-8").splitlines()
TEXTS = (PT / "dev.text").read_text("utf-8").splitlines()


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The .skels index cache goes to the test's folder, never the user's data folder."""
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(tmp_path / "data"))


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``signstudio ARGS`` from this checkout."""
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))}
    return subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _args(file: str | None, **flags: object) -> argparse.Namespace:
    return argparse.Namespace(file=file, gt=None, **flags)


@pytest.mark.parametrize(("flags", "line"), [({"index": 3}, 3), ({"key": KEYS[1]}, 1), ({"index": 0}, 0)])
def test_the_chosen_sequence_is_the_one_shown(flags: dict[str, object], line: int) -> None:
    seq, gt = load_sequences(_args(str(DEV), **flags))
    expected = read(DEV)[line]
    assert gt is None and seq is not None
    assert np.array_equal(seq.data, expected.data) and np.array_equal(seq.confidence, expected.confidence)
    # the caption's text and key come with it (`signstudio.app.viewport.captions` shows the text)
    assert seq.meta["text"] == TEXTS[line] and seq.meta["key"] == KEYS[line]
    assert seq.meta["gloss"] == expected.meta["gloss"] and seq.meta["reference_kind"] == "user file"


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        ({"index": 1, "key": "x"}, "give --index or --key, not both"),
        ({"index": -2}, "--index -2: sequences count from 0"),
    ],
)
def test_flag_combinations_are_checked(flags: dict[str, object], problem: str) -> None:
    assert check_flags(_args(str(DEV), **flags)) == problem
    assert check_flags(_args(None, index=2)) == "--index and --key choose a sequence of FILE: give FILE"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--index", "5"], f"error: {DEV}: has 5 sequences, no index 5 (they are 0..4)"),
        (["--key", "dev/nope"], f"error: {DEV}: no sequence with key 'dev/nope' (keys look like"),
        (["--index", "1", "--key", KEYS[0]], "error: give --index or --key, not both"),
        (["--index", "-1"], "error: --index -1: sequences count from 0"),
    ],
)
def test_a_missing_index_or_key_is_one_line_and_exit_2(
    flags: list[str], message: str, tmp_path: Path
) -> None:
    env = {**os.environ, "SIGNSTUDIO_DATA_DIR": str(tmp_path / "data")}
    proc = run_cli("app", str(DEV), *flags, "--quit", env=env)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0].startswith(message), lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.gui
@pytest.mark.parametrize("flags", [["--index", "4"], ["--key", KEYS[2]]])
def test_screenshot_of_a_chosen_sequence(flags: list[str], tmp_path: Path) -> None:
    from PySide6 import QtGui

    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "SIGNSTUDIO_DATA_DIR": str(tmp_path / "data")}
    proc = run_cli(
        "app",
        str(DEV),
        *flags,
        "--body",
        "skeleton",
        "--screenshot",
        str(out),
        "--quit",
        env=env,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    img = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * img.height())
    assert img.width() >= 640 and buf.std() > 5, "blank screenshot"
    # the index was built (and cached) in the data dir the run was given, nowhere else
    assert len(list((tmp_path / "data" / "dataset-index").glob("*.json"))) == 1


def test_a_large_file_opens_its_first_sequence_alone(tmp_path, monkeypatch, capsys):
    """Beyond `WHOLE_READ_BYTES` a multi-sequence file is not read whole: sequence 0 shows even when
    a later line is damaged (the whole read refuses the file), and one warning names the damage."""
    from signstudio.app import launch
    from signstudio.pose.errors import FormatError

    lines = DEV.read_text("utf-8").splitlines()
    big = tmp_path / "big.skels"
    big.write_text("\n".join([lines[0], lines[1], "", lines[3]]) + "\n", encoding="utf-8")
    with pytest.raises(FormatError):
        read(big)  # what `info` and a small file's open say
    with pytest.raises(FormatError):
        load_sequences(_args(str(big), index=None, key=None))
    monkeypatch.setattr(launch, "WHOLE_READ_BYTES", big.stat().st_size - 1)  # "large" from here
    seq, _ = load_sequences(_args(str(big), index=None, key=None))
    assert np.array_equal(seq.data, read(DEV)[0].data)
    [warning] = capsys.readouterr().err.splitlines()
    assert warning.startswith(f"warning: {big}: 1 of 4 sequences cannot be read (first: sequence 2")
