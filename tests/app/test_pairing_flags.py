"""`signstudio app PRED --gt REF` with two multi-sequence files: the reference is the shown
sequence's partner by key (`signstudio.session.pairing.plan_pairs`), never REF's first sequence
silently; no partner is no reference and one warning line."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pytest

from signstudio.app.launch import load_sequences
from signstudio.pose.formats import read, write
from tests.app.test_dataset_flags import run_cli

REPO = Path(__file__).resolve().parents[2]
PT = REPO / "tests" / "data" / "phoenix14t-pt"
DEV, TEST = PT / "dev.skels", PT / "test.skels"
KEYS = (PT / "dev.files").read_text("utf-8").split()
ORDER = [4, 2, 0, 3, 1]


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(tmp_path / "data"))


def _args(file: Path, gt: Path, **flags: object) -> argparse.Namespace:
    return argparse.Namespace(file=str(file), gt=str(gt), **{"index": None, "key": None, **flags})


def _shuffled(tmp_path: Path) -> Path:
    seqs = read(DEV)
    path = tmp_path / "pred" / "pred.skels"
    path.parent.mkdir()
    write(path, [seqs[i] for i in ORDER])
    return path


@pytest.mark.parametrize("shown", range(5))
def test_the_reference_is_the_partner_by_key(shown: int, tmp_path: Path) -> None:
    notes: list[str] = []
    seq, gt = load_sequences(_args(_shuffled(tmp_path), DEV, index=shown), notes)
    assert seq is not None and gt is not None and notes == []
    assert gt.meta["key"] == seq.meta["key"] == KEYS[ORDER[shown]]
    assert np.array_equal(gt.data, read(DEV)[ORDER[shown]].data)  # not dev's sequence `shown`


def test_no_partner_is_no_reference_and_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    notes: list[str] = []
    seq, gt = load_sequences(_args(DEV, TEST, key=KEYS[1]), notes)
    assert seq is not None and gt is None
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0] == f"warning: {notes[0]}"
    assert f"sequence {KEYS[1]} has no partner in {TEST}" in notes[0]
    assert "0 of 5 sequences paired by key; 10 unmatched" in notes[0]


def test_a_single_file_reference_is_read_as_before(tmp_path: Path) -> None:
    one = tmp_path / "one.pose"
    write(one, [read(TEST)[3]])
    notes: list[str] = []
    _, gt = load_sequences(_args(DEV, one, index=2), notes)
    assert gt is not None and notes == [] and gt.meta["reference_kind"] == "user file"
    assert np.allclose(gt.data, read(TEST)[3].data, atol=1e-4)


@pytest.mark.gui
def test_app_screenshot_with_keys_that_do_not_match(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "SIGNSTUDIO_DATA_DIR": str(tmp_path / "data")}
    args = ["app", str(DEV), "--index", "2", "--gt", str(TEST), "--body", "skeleton"]
    proc = run_cli(*args, "--screenshot", str(out), "--quit", env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 1 and f"sequence {KEYS[2]} has no partner in {TEST}" in warnings[0]
    assert "Traceback" not in proc.stderr and out.stat().st_size > 1000
