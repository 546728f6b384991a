"""`render` and `app --screenshot` on a disk that fills up while they write (issue 18).

A 64 KiB tmpfs with 8 KiB free passes the check before the work, then ffmpeg or the PNG encoder
runs out of room half way: one ``error:`` line (ffmpeg's own text is not shown, and its exit
status is checked: imageio-ffmpeg's writer ignored it and "wrote" a broken video), exit 2, and
nothing left on the disk. Root only (mount); needs the display the GUI tests run on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from signstudio.cli.main import main

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]
POSE = ROOT / "tests" / "data" / "pose-format" / "openpose.pose"


@pytest.fixture
def nearly_full(tmp_path: Path) -> Iterator[Path]:
    """A mounted 64 KiB tmpfs with 8 KiB free."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    root = tmp_path / "disk"
    root.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        with open(root / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        os.truncate(root / "filler", (root / "filler").stat().st_size - 8192)
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _error_lines(err: str) -> list[str]:
    # a progress bar redraws with "\r" on its line; what a terminal shows is after the last one
    shown = (line.rsplit("\r", 1)[-1].strip() for line in err.split("\n"))
    return [line for line in shown if line]


@pytest.mark.parametrize("out", ["video.mp4", "video.gif", "frames/", "shot_%03d.png"])
def test_render_runs_out_of_room_half_way(nearly_full: Path, capsys, qapp, out: str) -> None:
    target = f"{nearly_full}/{out}"
    assert main(["render", str(POSE), "--out", target]) == 2
    captured = capsys.readouterr()
    lines = _error_lines(captured.err)
    assert len(lines) == 1 and "cannot write: the disk is full" in lines[0], captured.err
    assert "ffmpeg" not in captured.err.lower() and "Traceback" not in captured.err
    assert sorted(p.name for p in nearly_full.rglob("*")) == ["filler"], "a partial file was left behind"


def test_app_screenshot_on_a_full_disk(nearly_full: Path, sample_file: Path) -> None:
    shot = nearly_full / "studio.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "signstudio.cli.main",
            "app",
            str(sample_file),
            "--screenshot",
            str(shot),
            "--quit",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = _error_lines(proc.stderr)
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0] == f"error: {shot}: cannot write: the disk is full (at folder {nearly_full})"
    assert sorted(p.name for p in nearly_full.iterdir()) == ["filler"]
