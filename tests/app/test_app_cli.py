"""`signstudio app` from the command line: screenshot and quit, bad files, no display."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def signstudio_cmd() -> list[str]:
    script = Path(sys.executable).with_name("signstudio")
    if script.exists():
        return [str(script)]
    found = shutil.which("signstudio")
    return [found] if found else [sys.executable, "-m", "signstudio"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*signstudio_cmd(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.gui
def test_screenshot_and_quit(sample_file: Path, tmp_path: Path) -> None:
    from PySide6 import QtGui

    out = tmp_path / "shots" / "x.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    proc = run_cli("app", str(sample_file), "--frame", "5", "--screenshot", str(out), "--quit", env=env)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()
    img = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    assert img.width() >= 640 and img.height() >= 400
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * img.height())
    assert buf.std() > 5, "blank screenshot"
    assert not list(out.parent.glob("*.part")), "a partial file was left behind"


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.pose", b"this is not a pose file"), ("empty.pose", b""), ("missing.pose", None)],
)
def test_bad_file_exits_2_with_one_line(tmp_path: Path, name: str, content: bytes | None) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "never.png"
    proc = run_cli("app", str(path), "--screenshot", str(out), "--quit")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and name in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_bad_reference_exits_2(sample_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "gt.pose"
    bad.write_bytes(b"\x00\x01garbage")
    proc = run_cli("app", str(sample_file), "--gt", str(bad), "--quit")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "gt.pose" in proc.stderr


def test_no_display_is_a_clear_message_not_a_crash(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from signstudio.cli.main import main

    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["app", "--quit"]) == 1
    err = capsys.readouterr().err
    assert "no display" in err and "xvfb-run" in err


def test_app_parser_follows_the_cli_contract() -> None:
    from signstudio.cli.main import build_parser

    argv = ["app", "f.pose", "--gt", "g.pose", "--frame", "3", "--screenshot", "s.png", "--quit"]
    args = build_parser().parse_args(argv)
    assert (args.file, args.gt, args.frame, args.screenshot, args.quit) == (
        "f.pose",
        "g.pose",
        3,
        "s.png",
        True,
    )
    bare = build_parser().parse_args(["app"])
    assert bare.file is None and bare.frame is None and not bare.quit
