"""`render` and `app --screenshot` without a usable display: one line, exit 2 (issue 18).

Qt aborts the whole process (SIGABRT, rc 134, a screen of platform plugin text) when its xcb
plugin cannot connect; the commands ask `signstudio.doctor.display` first, before Qt starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from signstudio.doctor.display import display_problem, x_server_answers

ROOT = Path(__file__).resolve().parents[2]
POSE = ROOT / "tests" / "data" / "pose-format" / "openpose.pose"
NO_DISPLAY = "error: no display: run under xvfb-run (e.g. xvfb-run -a signstudio {} ...)"


def _free_display() -> str:
    n = next(n for n in range(4242, 4300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    return f":{n}"


def _run(argv: list[str], **env: str | None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    base.update({"QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)})
    base.update({k: v for k, v in env.items() if v is not None})
    return subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", *argv],
        capture_output=True,
        text=True,
        env=base,
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="X11/Wayland displays are a Linux matter")
@pytest.mark.parametrize("command", ["render", "app"])
def test_without_a_display_it_is_one_line(tmp_path: Path, command: str) -> None:
    out = tmp_path / ("video.mp4" if command == "render" else "shot.png")
    argv = (
        ["render", str(POSE), "--out", str(out)]
        if command == "render"
        else ["app", str(POSE), "--screenshot", str(out), "--quit"]
    )
    proc = _run(argv)
    assert proc.returncode == 2, proc.stderr  # not 134 (SIGABRT)
    assert proc.stderr.strip() == NO_DISPLAY.format(command)
    # a DISPLAY nobody answers at (a closed session's) is found too
    display = _free_display()
    proc = _run(argv, DISPLAY=display)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        f"error: no display: no X server answers at DISPLAY={display}; "
        f"run under xvfb-run (e.g. xvfb-run -a signstudio {command} ...)"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_display_verdicts() -> None:
    assert display_problem("render", {"QT_QPA_PLATFORM": "xcb"}) is not None or sys.platform != "linux"
    off = display_problem("render", {"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"})
    assert off is not None and "no OpenGL" in off and "xvfb-run" in off
    assert display_problem("render", {"QT_QPA_PLATFORM": "vnc"}) is None  # another plugin: Qt decides
    assert x_server_answers(_free_display()) is False
    assert x_server_answers("not a display") is None


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a running X server (xvfb-run)")
def test_a_running_x_server_answers() -> None:
    assert x_server_answers(os.environ["DISPLAY"]) is True
    assert display_problem("render") is None
