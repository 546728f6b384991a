"""A video for a lesson (issue 20, item 7): speed, size, loops, mirror and a burned-in caption,
from `signstudio render` and from File → Export → Video with real key and mouse events; the mp4
is read back (`imageio_ffmpeg.count_frames_and_secs`, its codec and pixel format)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.session.render_plan import lesson_frames

FRAMES = 12  # 0.48 s at 25 fps


def _video(path):  # type: ignore[no-untyped-def]
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]
    return meta, frames, imageio_ffmpeg.count_frames_and_secs(str(path))


def _plays_anywhere(meta) -> None:  # type: ignore[no-untyped-def]
    w, h = meta["size"]
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p") and w % 2 == 0 and h % 2 == 0


def _caption_pixels(frame: np.ndarray, rows: int) -> int:
    """White text pixels in the middle third of the bottom ``rows`` of ``frame`` (the caption
    band's centred text; the legend, bottom left, stays out)."""
    w = frame.shape[1]
    band = frame[-rows:, w // 3 : 2 * w // 3].astype(int)
    return int(((band > 200).all(axis=2)).sum())


@pytest.fixture(scope="module")
def short_file(tmp_path_factory):  # type: ignore[no-untyped-def]
    from signstudio.corpus.store import default_sample
    from signstudio.pose.formats import write

    seq = default_sample()
    seq = seq.replace(data=seq.data[:FRAMES], confidence=seq.confidence[:FRAMES], filled=seq.filled[:FRAMES])
    path = tmp_path_factory.mktemp("lesson") / "short.pose"
    write(path, seq)
    return path


def test_lesson_frames_repeat_and_skip() -> None:
    slow = lesson_frames(range(10), 0.25, 2)
    assert len(slow) == 80 and slow[:8] == [0, 0, 0, 0, 1, 1, 1, 1] and slow[40:44] == [0, 0, 0, 0]
    assert slow[39] == 9
    assert lesson_frames(range(10), 2.0) == [0, 2, 4, 6, 8]
    assert lesson_frames(range(5, 8), 1.0, 3) == [5, 6, 7] * 3
    for bad in ((0.0, 1), (9.0, 1), (1.0, 0), (float("nan"), 1)):
        with pytest.raises(ValueError):
            lesson_frames(range(10), *bad)


@pytest.mark.gui
def test_render_a_slow_looped_captioned_720p_lesson(short_file, tmp_path, capsys, qapp) -> None:
    from signstudio.app.render import caption_height

    out = tmp_path / "lesson.mp4"
    argv = ["render", str(short_file), "--speed", "0.25", "--loops", "2", "--size", "720p"]
    assert main([*argv, "--caption", "hello", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "96 frames at 25 fps, 1280x720, 3.84 s long" in said
    meta, frames, (count, secs) = _video(out)
    _plays_anywhere(meta)
    # duration = 12 frames / 25 fps / 0.25 speed * 2 loops
    assert count == 96 and secs == pytest.approx(FRAMES / 25 / 0.25 * 2, abs=0.04)
    assert frames[0].shape == (720, 1280, 3)
    rows = caption_height(720)
    assert _caption_pixels(frames[10], rows) > 300  # "hello" in white on the band
    assert frames[10][-rows:, :40].mean() < 30  # the band is dark where there is no text
    # at 0.25x each pose is held for 4 video frames, and the second loop starts over
    assert np.abs(frames[4].astype(int) - frames[5].astype(int)).mean() < 1.0
    assert np.abs(frames[0].astype(int) - frames[48].astype(int)).mean() < 1.0

    plain = tmp_path / "plain.mp4"
    assert main(["render", str(short_file), "--size", "720p", "--out", str(plain)]) == 0
    meta, frames, (count, secs) = _video(plain)
    assert count == FRAMES and secs == pytest.approx(FRAMES / 25, abs=0.04)
    assert _caption_pixels(frames[2], rows) < 50  # no caption asked for, none drawn


@pytest.mark.gui
def test_a_long_1080p_lesson_streams_its_frames(short_file, tmp_path) -> None:
    """192 frames of 1080p (1.2 GB of raw RGB) go to the encoder one at a time: the render's
    peak memory stays near a Qt process's own (about 570 MB measured), in its own process."""
    import os
    import subprocess
    import sys
    import time

    out = tmp_path / "long.mp4"
    argv = [
        "render",
        str(short_file),
        "--size",
        "1080p",
        "--speed",
        "0.25",
        "--loops",
        "4",
        "--out",
        str(out),
    ]
    start = time.perf_counter()
    # the child reports its own peak (VmHWM): wait4's ru_maxrss also counts the forked copy of
    # this pytest process before exec, gigabytes late in a full run
    code = (
        "import sys\nfrom signstudio.cli.main import main\nrc = main(sys.argv[1:])\n"
        "print(next(ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM:')))\n"
        "sys.exit(rc)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, *argv], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0
    peak_kib = min(usage.ru_maxrss, int(child.stdout.read().split()[-1]))  # type: ignore[union-attr]
    assert peak_kib / 1024 < 1000, f"peak {peak_kib / 1024:.0f} MB"
    assert wall < 180, f"{wall:.0f} s"
    meta, _, (count, secs) = _video(out)
    _plays_anywhere(meta)
    assert meta["size"] == (1920, 1080) and count == 192 and secs == pytest.approx(7.68, abs=0.04)


@pytest.mark.gui
def test_mirror_swaps_the_figure(short_file, tmp_path, qapp) -> None:
    out, mirrored = tmp_path / "a.mp4", tmp_path / "b.mp4"
    assert main(["render", str(short_file), "--frames", "6:7", "--out", str(out)]) == 0
    assert main(["render", str(short_file), "--frames", "6:7", "--mirror", "--out", str(mirrored)]) == 0
    a, b = _video(out)[1][0].astype(int), _video(mirrored)[1][0].astype(int)

    def hand(frame: np.ndarray, colour: str) -> np.ndarray:
        """Pixels of the right hand's green or the left hand's orange, above the legend."""
        r, g, bl = frame[:-60, :, 0], frame[:-60, :, 1], frame[:-60, :, 2]
        if colour == "green":
            return (g > r + 40) & (g > bl + 10) & (g > 120)
        return (r > 180) & (r > g + 40) & (g > bl + 30)

    w = a.shape[1]
    right_hand, left_hand = hand(a, "green"), hand(b, "orange")
    # the signing (right, green) hand becomes the left (orange) one, on the other side
    assert right_hand.sum() > 50 and left_hand.sum() > 50
    assert hand(b, "green").sum() < right_hand.sum() / 4
    assert np.nonzero(right_hand)[1].mean() < w / 2 < np.nonzero(left_hand)[1].mean()


@pytest.mark.gui
def test_the_avatar_alone(short_file, tmp_path, qapp) -> None:
    """``--body avatar``: the mannequin without the skeleton's blue lines over it."""
    out = tmp_path / "avatar.mp4"
    argv = ["render", str(short_file), "--avatar", "mannequin", "--body", "avatar", "--frames", "6:7"]
    assert main([*argv, "--out", str(out)]) == 0
    frame = _video(out)[1][0][:-60].astype(int)  # above the legend (its "body" dot is blue)
    r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
    assert ((r - b > 35) & (r > 110)).sum() > 2000  # the wooden body
    assert ((b > 180) & (b > r + 80) & (b > g + 30)).sum() < 20  # no blue bones


@pytest.mark.gui
def test_bad_lesson_requests_end_with_one_line(short_file, tmp_path, capsys, qapp) -> None:
    for extra, words in ((["--speed", "0"], "--speed 0.0"), (["--loops", "0"], "--loops 0")):
        assert main(["render", str(short_file), *extra, "--out", str(tmp_path / "v.mp4")]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"error: {words}") and len(err.splitlines()) == 1
    from signstudio.pose.formats import read, write

    # a .pose keeps its word (its sidecar): a caption asked of a file that names none is an error
    seq = read(short_file)[0]
    nameless = tmp_path / "nameless.pose"
    write(
        nameless, seq.replace(meta={k: v for k, v in seq.meta.items() if k not in ("word", "text", "gloss")})
    )
    assert main(["render", str(nameless), "--caption", "--out", str(tmp_path / "v.mp4")]) == 2
    assert "names no word" in capsys.readouterr().err
    assert not (tmp_path / "v.mp4").exists()


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.clock.pause()
    win.close()


@pytest.mark.gui
def test_export_dialog_at_the_playback_speed(studio, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """File → Export → Video: the speed is preset to the clock's 0.25x, loops typed in, 720p and
    the caption (the word) kept, OK clicked; the mp4 lasts duration / 0.25 x 2."""
    from PySide6 import QtCore, QtWidgets

    from signstudio.app.dialogs.video_export import VideoExportDialog
    from signstudio.app.render import caption_height
    from signstudio.corpus.store import default_sample

    seq = default_sample()
    seq = seq.replace(data=seq.data[:FRAMES], confidence=seq.confidence[:FRAMES], filled=seq.filled[:FRAMES])
    seq = seq.replace(meta_update={"text": "hello"})
    studio.set_pair(seq, None)
    studio.clock.speed = 0.25
    out = tmp_path / "export.mp4"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    seen: dict[str, object] = {}

    def answer() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dialog, VideoExportDialog)
        seen["speed"] = dialog.speed.currentData()
        seen["size"] = dialog.size_box.currentData()
        seen["caption"] = dialog.caption.text() if dialog.caption_on.isChecked() else None
        dialog.loops.setFocus()
        qtbot.keyClick(dialog.loops, QtCore.Qt.Key.Key_A, QtCore.Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(dialog.loops, "2")
        seen["length"] = dialog.length.text()
        box = dialog.findChild(QtWidgets.QDialogButtonBox)
        ok = box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, QtCore.Qt.MouseButton.LeftButton)

    QtCore.QTimer.singleShot(0, answer)
    studio.actions_by_name["video_(.mp4,_.gif)"].trigger()  # File → Export → Video (.mp4, .gif)…
    assert seen["speed"] == 0.25 and seen["size"] == "720p" and seen["caption"] == "hello"
    assert "3.84 s" in str(seen["length"])  # 0.48 s / 0.25 x 2 loops
    meta, frames, (count, secs) = _video(out)
    _plays_anywhere(meta)
    assert meta["size"] == (1280, 720) and count == 96
    assert secs == pytest.approx(FRAMES / 25 / 0.25 * 2, abs=0.04)
    assert _caption_pixels(frames[20], caption_height(720)) > 300


@pytest.mark.gui
def test_the_caption_falls_back_to_the_typed_word(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A sequence that does not say its word (a .pose read back): the caption is the panel's
    text; in prompt mode the prompt is no word, and the caption starts off."""
    from PySide6 import QtCore

    from signstudio.app.dialogs.video_export import VideoExportDialog
    from signstudio.corpus.store import default_sample

    seq = default_sample()
    seq = seq.replace(meta_update={"text": ""})
    studio.set_pair(seq, None)
    studio.state.text = "thank you"
    dialog = VideoExportDialog(studio, "video")
    qtbot.addWidget(dialog)
    assert dialog.caption_on.isChecked() and dialog.caption.text() == "thank you"
    assert dialog.options()["caption"] == "thank you"
    dialog.show()
    qtbot.mouseClick(dialog.caption_on, QtCore.Qt.MouseButton.LeftButton)  # caption off
    assert dialog.options()["caption"] is None and not dialog.caption.isEnabled()
    studio.state.prompt_mode = True
    prompt = VideoExportDialog(studio, "frames")
    qtbot.addWidget(prompt)
    assert not prompt.caption_on.isChecked() and not prompt.speed.isEnabled() and not prompt.loops.isEnabled()


@pytest.mark.gui
def test_a_fitted_avatar_is_reused(short_file, tmp_path, monkeypatch, qapp) -> None:
    """The studio's fit goes into the video as it is (File → Export passes it); a mirrored pair
    is other sequences, fitted anew."""
    import signstudio.avatar.build as build
    from signstudio.app.render import render
    from signstudio.pose.formats import read

    seq = read(short_file)[0]
    mesh = build.build_avatar(seq, "mannequin")

    def no_second_fit(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("fitted again")

    monkeypatch.setattr(build, "build_avatar", no_second_fit)
    out = tmp_path / "reused.mp4"
    render(seq, out, avatar="mannequin", body="avatar", frames=(6, 7), fitted={id(seq): mesh})
    frame = _video(out)[1][0][:-60].astype(int)
    assert ((frame[..., 0] - frame[..., 2] > 35) & (frame[..., 0] > 110)).sum() > 2000
    with pytest.raises(AssertionError, match="fitted again"):
        render(seq, tmp_path / "m.mp4", avatar="mannequin", mirror=True, fitted={id(seq): mesh})
