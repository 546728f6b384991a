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
    # a missing folder is said before the window opens, never created
    assert proc.returncode == 2 and proc.stderr.strip() == f"error: {out}: folder {out.parent} does not exist"
    out.parent.mkdir()
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
    assert main(["app", "--quit"]) == 2
    err = capsys.readouterr().err
    assert "no display" in err and "xvfb-run" in err and len(err.strip().splitlines()) == 1


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


# ---- flags that set the studio up (the user guide's pictures are made with them) ------------------
def test_app_parser_takes_the_setup_flags() -> None:
    from signstudio.cli.main import build_parser

    argv = [
        "app", "--text", "would", "--lang", "ase", "--model", "nar-kd", "--prompt",
        "--reference", "ghost", "--timing", "warped", "--body", "both", "--heat", "--camera", "signer",
        "--speed", "0.5", "--loop", "--panel", "history", "--size", "1400x860", "--theme", "light",
        "--mirror", "--keyframe", "3", "--keyframe", "9", "--flag", "5", "--edit", "--reach", "keyframes",
        "--drag", "right wrist", "-40", "-50",
    ]  # fmt: skip
    a = build_parser().parse_args(argv)
    assert (a.text, a.lang, a.model, a.prompt) == ("would", "ase", "nar-kd", True)
    assert (a.reference, a.timing, a.body, a.heat, a.camera) == ("ghost", "warped", "both", True, "signer")
    assert (a.speed, a.loop, a.panel, a.size, a.theme) == (0.5, True, "History", (1400, 860), "light")
    assert (a.mirror, a.keyframe, a.flag, a.edit, a.reach) == (True, [3, 9], [5], True, "keyframes")
    assert a.drag == ["right wrist", "-40", "-50"]
    bare = build_parser().parse_args(["app"])
    assert bare.text is None and bare.body is None and bare.keyframe == [] and not bare.mirror


@pytest.mark.parametrize(
    "argv",
    [
        ["--size", "big"],
        ["--size", "10x10"],
        ["--speed", "0"],
        ["--panel", "Nowhere"],
        ["--body", "robot"],
        ["--reference", "above"],
    ],
)
def test_app_parser_refuses_bad_values(argv: list[str]) -> None:
    from signstudio.cli.main import build_parser

    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["app", *argv])
    assert info.value.code == 2


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["f.pose", "--text", "hello"], "not both"),
        (["--lang", "ase"], "go with --text"),
        (["--model", "lookup", "--prompt"], "go with --text"),
        (["--text", "  "], "empty"),
        (["--drag", "right wrist", "up", "10"], "pixels"),
        (["--keyframe", "-1"], "count from 0"),
    ],
)
def test_conflicting_setup_flags_exit_2_with_one_line(argv: list[str], says: str, tmp_path: Path) -> None:
    out = tmp_path / "never.png"
    proc = run_cli("app", *argv, "--screenshot", str(out), "--quit")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], proc.stderr
    assert not out.exists()


@pytest.fixture
def word_window(qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A window on a real test word (upper50) and its lexicon reference, its own settings and
    autosave folder, an in-thread runner; no generation."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.store import open_corpus
    from signstudio.runner.service import Runner

    corpus = open_corpus(quiet=True)
    word = corpus.words("ase", "test")[0]
    made: list = []

    def make(with_reference: bool = True):  # type: ignore[no-untyped-def]
        from signstudio.app.launch import Arrivals

        seq = corpus.word_sequence("ase", word, "upper50")
        ref = corpus.word_sequence("ase", word, "holistic") if with_reference else None
        win = StudioWindow(seq, ref, bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
        win.quiet_errors = True
        watch = Arrivals(win)
        qtbot.addWidget(win)
        win.resize(1300, 850)
        win.show()
        qtbot.waitExposed(win)
        assert win.wait_painted()
        made.append(win)
        return win, watch, seq

    yield make
    for win in made:
        win.clock.pause()
        win.close()


def _app_args(*argv: str):  # type: ignore[no-untyped-def]
    from signstudio.cli.main import build_parser

    return build_parser().parse_args(["app", *argv])


@pytest.mark.gui
def test_setup_flags_apply_to_the_window(word_window) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.launch import apply_flags
    from signstudio.pose.transforms import mirror

    win, watch, seq = word_window()
    args = _app_args(
        "--mirror", "--keyframe", "10", "--flag", "20", "--reference", "ghost", "--timing", "warped",
        "--speed", "0.5", "--loop", "--camera", "side", "--panel", "History", "--edit", "--frame", "30",
    )  # fmt: skip
    assert apply_flags(win, watch, args) == 0
    # Edit → Mirror left and right: the signer's hands swapped
    np.testing.assert_allclose(win.state.sequence.data, mirror(seq).data, atol=1e-6)
    assert win.document.keyframes == {10} and 20 in win.document.flags
    assert win.editor.undo_stack.count() == 3  # mirror, keyframe, flag: one undo step each
    assert win.ghost_action.isChecked() and win.warped_action.isChecked()
    assert win.clock.speed == 0.5 and win.clock.loop and win.clock.frame == 30
    assert win.viewport.preset == "side" and win.viewport.editing and win.edit_joints_action.isChecked()
    # --panel History: its tab is the one in front, the Metrics tab behind it
    history, metrics = win.docks["History"], win.docks["Metrics"]
    assert not history.visibleRegion().isEmpty() and metrics.visibleRegion().isEmpty()


@pytest.mark.gui
def test_drag_flag_moves_the_joint_as_a_mouse_drag_does(word_window) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.launch import apply_flags

    win, watch, seq = word_window()
    wrist = seq.skeleton.index("RWrist", "BODY")
    frame = seq.num_frames // 2
    before = win.state.sequence.data[frame, wrist].copy()
    assert apply_flags(win, watch, _app_args("--reach", "frame", "--frame", str(frame),
                                             "--drag", "right wrist", "-30", "-40")) == 0  # fmt: skip
    after = win.state.sequence.data[frame, wrist]
    assert np.linalg.norm(after - before) > 0.05
    assert win.editor.undo_stack.text(win.editor.undo_stack.count() - 1) == f"move right wrist, frame {frame}"
    np.testing.assert_array_equal(win.state.sequence.data[frame + 2], seq.data[frame + 2])  # this frame only
    with pytest.raises(ValueError, match="no joint"):
        apply_flags(win, watch, _app_args("--drag", "left tail", "1", "1"))


@pytest.mark.gui
@pytest.mark.slow
def test_body_flag_with_screenshot_waits_for_the_avatar(word_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.launch import apply_flags

    win, watch, _seq = word_window(with_reference=False)
    args = _app_args("--body", "both", "--heat", "--screenshot", str(tmp_path / "x.png"))
    assert apply_flags(win, watch, args) == 0
    assert win.viewport.body_mode == "both"
    assert win.viewport.avatar_of(win.state.sequence) is not None, "the avatar is not drawn yet"
    assert watch.scores_shown()
    assert win.save_screenshot(tmp_path / "x.png").is_file()


@pytest.mark.gui
def test_screenshot_with_setup_flags_leaves_the_settings_alone(sample_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    config = tmp_path / "config"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "SIGNSTUDIO_CONFIG_DIR": str(config),
        "SIGNSTUDIO_AUTOSAVE_DIR": str(tmp_path / "autosave"),
    }
    proc = run_cli(
        "app", str(sample_file), "--gt", str(sample_file), "--reference", "ghost", "--timing", "warped",
        "--panel", "History", "--mirror", "--speed", "0.5", "--size", "1200x800", "--theme", "dark",
        "--frame", "5", "--screenshot", str(out), "--quit", env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()
    written = "".join(p.read_text() for p in config.rglob("*.ini")) if config.exists() else ""
    assert "ghost" not in written and "geometry" not in written, written
    # the mirrored sequence was unsaved work: kept in the autosave folder, as at every quit
    assert list((tmp_path / "autosave").glob("*.autosave.npz"))


@pytest.mark.gui
def test_text_flag_generates_before_the_screenshot(tmp_path: Path) -> None:
    out = tmp_path / "hello.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "SIGNSTUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "SIGNSTUDIO_AUTOSAVE_DIR": str(tmp_path / "autosave"),
    }
    proc = run_cli("app", "--text", "hi", "--lang", "ase", "--model", "lookup", "--screenshot", str(out),
                   "--quit", env=env, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()
    bad = run_cli("app", "--text", "hi", "--lang", "xx", "--quit", env=env, timeout=300)
    assert bad.returncode == 2 and "--lang xx" in bad.stderr, bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
