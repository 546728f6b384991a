"""Full and read-only disks, and missing folders, for every writer, through the CLI (issue 18).

A real 64 KiB tmpfs is mounted per test (root only: CI runs as root; elsewhere these skip), then
filled (no byte free), nearly filled (a few KiB free: the up-front probe passes and the write
itself fails half way) or remounted read-only. Every case: exit 2, exactly one ``error:`` line
naming the problem in our words, no ``.part`` (no new file at all) on the disk, and the file that
was there before byte-identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signstudio.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
POSE = DATA / "pose-format" / "openpose.pose"  # 93 frames: every output is over 90 KB but .eaf
PT_DEV = DATA / "phoenix14t-pt" / "dev.skels"
FULL, READ_ONLY = "the disk is full", "the folder is read-only"


class Disk:
    """A mounted tmpfs: fill it, leave a little room, or make it read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def fill(self, leave: int = 0) -> None:
        filler = self.root / "filler"
        with open(filler, "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        if leave:
            os.truncate(filler, max(0, filler.stat().st_size - leave))
        free = os.statvfs(self.root).f_bavail * os.statvfs(self.root).f_frsize
        assert free == leave, f"{free} bytes free, wanted {leave}"

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.root)], check=True)

    def snapshot(self) -> dict[str, bytes]:
        """Every file on the disk (hidden ones included) and its bytes."""
        return {
            str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file()
        }


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    root = tmp_path / "disk"
    root.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield Disk(root)
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _fails_cleanly(argv: list[str], disk: Disk, capsys: pytest.CaptureFixture[str], problem: str) -> str:
    """Run the command on the prepared disk: exit 2, one line with ``problem``, disk unchanged."""
    before = disk.snapshot()
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: ") and problem in lines[0], err
    assert "Traceback" not in err
    assert disk.snapshot() == before  # no .part, no new file, the old target untouched
    return lines[0]


def _old_target(disk: Disk, name: str) -> Path:
    target = disk.root / name
    target.write_bytes(b"the file that was here before\n")
    return target


# ---- convert: every pose writer ---------------------------------------------------------------

EXTENSIONS = ("pose", "npz", "bvh", "skels", "h5", "eaf")


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_convert_to_a_full_disk(disk: Disk, capsys, ext: str) -> None:
    target = _old_target(disk, f"out.{ext}")
    disk.fill()
    line = _fails_cleanly(["convert", str(POSE), str(target)], disk, capsys, FULL)
    assert line == f"error: {target}: cannot write: {FULL} (at folder {disk.root})"


@pytest.mark.parametrize("ext", [e for e in EXTENSIONS if e != "eaf"])  # an .eaf is 2 KB: it fits
def test_convert_fails_half_way_on_a_nearly_full_disk(disk: Disk, capsys, ext: str) -> None:
    """8 KiB free: the probe passes, the writer itself runs out of room (h5: the in-memory image
    is written; before, HDF5 segfaulted here with ~30 tracebacks)."""
    target = _old_target(disk, f"out.{ext}")
    disk.fill(leave=8192)
    _fails_cleanly(["convert", str(POSE), str(target)], disk, capsys, FULL)


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_convert_to_a_read_only_disk(disk: Disk, capsys, ext: str) -> None:
    target = _old_target(disk, f"out.{ext}")
    disk.read_only()
    _fails_cleanly(["convert", str(POSE), str(target)], disk, capsys, READ_ONLY)


def test_convert_batch_stops_at_a_full_disk(disk: Disk, capsys, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(POSE, src / f"{name}.pose")
    out = disk.root / "out"
    out.mkdir()
    disk.fill(leave=8192)
    before = disk.snapshot()
    assert main(["convert", str(src), str(out), "--to", "bvh"]) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and FULL in errors[0]  # not the same line for every file
    assert "converted 0 of 3" in captured.out and "stopped" in captured.out
    assert disk.snapshot() == before and not any(out.iterdir())


# ---- the other commands: checked before the work --------------------------------------------------


def test_generate_finds_a_full_disk_before_the_model_runs(disk: Disk, capsys) -> None:
    target = _old_target(disk, "hello.pose")
    disk.fill()
    t0 = time.perf_counter()
    argv = ["generate", "--text", "hello", "--lang", "ase", "--model", "nar-kd", "--out", str(target)]
    _fails_cleanly(argv, disk, capsys, FULL)
    assert time.perf_counter() - t0 < 3.0  # nar-kd alone takes 9-10 s before it could write


@pytest.mark.parametrize("out", ["pred.skels", "preds/"])
def test_generate_batch_on_a_read_only_disk(disk: Disk, capsys, tmp_path: Path, out: str) -> None:
    texts = tmp_path / "sentences.txt"
    texts.write_text("hello\nwater\n", encoding="utf-8")
    disk.read_only()
    argv = ["generate", "--text-file", str(texts), "--lang", "ase", "--model", "lookup"]
    _fails_cleanly([*argv, "--out", str(disk.root / out)], disk, capsys, READ_ONLY)


def test_score_report_on_a_full_disk(disk: Disk, capsys) -> None:
    report = _old_target(disk, "report.md")
    disk.fill()
    _fails_cleanly(["score", str(PT_DEV), str(PT_DEV), "--out", str(report)], disk, capsys, FULL)


def test_evaluate_report_on_a_read_only_disk(disk: Disk, capsys) -> None:
    disk.read_only()
    argv = ["evaluate", "--models", "lookup", "--langs", "ase", "--limit", "1"]
    _fails_cleanly([*argv, "--out", str(disk.root / "r.json")], disk, capsys, READ_ONLY)


@pytest.mark.parametrize("out", ["video.mp4", "clip.gif", "frame_%05d.png"])
def test_render_out_on_a_read_only_disk(disk: Disk, capsys, out: str) -> None:
    """Said before Qt starts (so with or without a display): it printed a traceback before."""
    disk.read_only()
    _fails_cleanly(["render", str(POSE), "--out", str(disk.root / out)], disk, capsys, READ_ONLY)


def test_render_frames_folder_on_a_full_disk(disk: Disk, capsys) -> None:
    disk.fill()
    out = f"{disk.root}/frames/"
    _fails_cleanly(["render", str(POSE), "--out", out], disk, capsys, FULL)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_render_metrics_on_a_full_disk(disk: Disk, capsys, suffix: str) -> None:
    metrics = _old_target(disk, f"m{suffix}")
    disk.fill()
    argv = ["render", str(POSE), "--gt", str(POSE), "--metrics", str(metrics)]
    _fails_cleanly(argv, disk, capsys, FULL)


def test_corpus_build_on_a_full_disk(disk: Disk) -> None:
    disk.fill(leave=8192)
    env = {**os.environ, "SIGNSTUDIO_DATA_DIR": str(disk.root), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "corpus", "build", "--langs", "ase", "--words", "8"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode == 2 and len(errors) == 1 and FULL in errors[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and sorted(disk.snapshot()) == ["filler"]


# ---- missing folders: an error, never created silently (batch output folders excepted) ----------


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", str(POSE), "{missing}/out.bvh"],
        ["generate", "--text", "hello", "--lang", "ase", "--out", "{missing}/out.pose"],
        ["score", str(PT_DEV), str(PT_DEV), "--out", "{missing}/r.md"],
        ["evaluate", "--models", "lookup", "--out", "{missing}/r.json"],
        ["render", str(POSE), "--out", "{missing}/v.mp4"],
        ["render", str(POSE), "--gt", str(POSE), "--metrics", "{missing}/m.csv"],
    ],
    ids=["convert", "generate", "score", "evaluate", "render", "render-metrics"],
)
def test_a_missing_folder_is_an_error(tmp_path: Path, capsys, argv: list[str]) -> None:
    missing = tmp_path / "no" / "such"
    argv = [a.replace("{missing}", str(missing)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f": folder {missing} does not exist") and len(err.splitlines()) == 1, err
    assert not (tmp_path / "no").exists()


def test_a_batch_output_folder_is_created_and_said(tmp_path: Path, capsys) -> None:
    out = tmp_path / "converted"
    assert main(["convert", str(POSE.parent), str(out), "--to", "npz"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"created folder {out}"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.stem + ".npz" for p in POSE.parent.glob("*.pose")
    )
    # its parent must exist: only one level is made
    deeper = tmp_path / "a" / "b"
    assert main(["convert", str(POSE.parent), str(deeper), "--to", "npz"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {deeper}: folder {deeper.parent} does not exist"
    assert not (tmp_path / "a").exists()


def test_generate_batch_output_folder_is_created_and_said(tmp_path: Path, capsys) -> None:
    texts = tmp_path / "sentences.txt"
    texts.write_text("hello\nwater\n", encoding="utf-8")
    out = tmp_path / "preds"
    argv = ["generate", "--text-file", str(texts), "--lang", "ase", "--model", "lookup", "--out", f"{out}/"]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"created folder {out}"
    assert sorted(p.name for p in out.iterdir()) == ["1.pose", "2.pose"]  # no staging folder left
