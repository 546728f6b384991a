"""`signstudio render`: a real recording to mp4 and gif, headless, read back frame by frame."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.cli.main import main

pytestmark = pytest.mark.gui


def _read(path):  # type: ignore[no-untyped-def]
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return meta, [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


@pytest.fixture(scope="module")
def short_file(tmp_path_factory):  # type: ignore[no-untyped-def]
    from signstudio.corpus.store import default_sample
    from signstudio.pose.formats import write

    seq = default_sample()
    seq = seq.replace(data=seq.data[:12], confidence=seq.confidence[:12], filled=seq.filled[:12])
    path = tmp_path_factory.mktemp("render") / "short.pose"
    write(path, seq)
    return path


def test_mp4_with_the_mannequin_and_a_reference(short_file, tmp_path, capsys, qapp) -> None:
    out = tmp_path / "video.mp4"
    argv = ["render", str(short_file), "--gt", str(short_file), "--avatar", "mannequin", "--out", str(out)]
    assert main(argv) == 0
    assert "12 frames at 25 fps, 640x360" in capsys.readouterr().out
    meta, frames = _read(out)
    assert meta["fps"] == 25.0 and len(frames) == 12 and frames[0].shape == (360, 640, 3)
    # the wooden body is on screen, and the frames differ (the signing moves)
    r, b = frames[6][..., 0].astype(int), frames[6][..., 2].astype(int)
    assert ((r - b > 35) & (r > 110)).sum() > 2000
    assert np.abs(frames[0].astype(int) - frames[11].astype(int)).mean() > 0.1
    assert not list(tmp_path.glob("*.part"))


def test_gif_of_the_skeleton(short_file, tmp_path, qapp) -> None:
    out = tmp_path / "video.gif"
    assert main(["render", str(short_file), "--out", str(out)]) == 0
    assert out.read_bytes()[:6] in (b"GIF89a", b"GIF87a")
    _, frames = _read(out)
    assert len(frames) == 12


def test_bad_requests_end_with_one_line(short_file, tmp_path, capsys, qapp) -> None:
    assert main(["render", str(short_file), "--out", str(tmp_path / "video.avi")]) == 2
    assert "writes .mp4 or .gif" in capsys.readouterr().err
    bad = tmp_path / "bad.pose"
    bad.write_bytes(b"nope")
    assert main(["render", str(bad), "--out", str(tmp_path / "v.mp4")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "bad.pose" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "v.mp4").exists()


def test_the_smplx_body_needs_its_folder(short_file, tmp_path, capsys, qapp, smplx_folder) -> None:
    out = tmp_path / "smplx.mp4"
    assert main(["render", str(short_file), "--avatar", "smplx", "--out", str(out)]) == 2
    assert "needs its model folder" in capsys.readouterr().err and not out.exists()
    argv = [
        "render",
        str(short_file),
        "--avatar",
        "smplx",
        "--smplx-folder",
        str(smplx_folder),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert len(_read(out)[1]) == 12


# ---- the metric strip, PNG frames, --frames ------------------------------------------------


def _cursor_x(strip: np.ndarray) -> int:
    """The strip's cursor: the column with the most near-white pixels (the theme's text colour)."""
    bright = (strip.astype(int).min(axis=2) > 170).sum(axis=0)
    return int(np.argmax(bright))


def test_mp4_with_the_metric_strip(short_file, sample_file, tmp_path, capsys, qapp) -> None:
    out = tmp_path / "strip.mp4"
    argv = ["render", str(short_file), "--gt", str(sample_file), "--strip", "--out", str(out)]
    assert main(argv) == 0
    assert "12 frames at 25 fps, 640x450" in capsys.readouterr().out  # 90 px more at 640x360
    meta, frames = _read(out)
    assert meta["size"] == (640, 450) and len(frames) == 12
    strip = [f[360:] for f in frames]
    # curves, labels and a panel: far from one flat colour, and the curves' colours are there
    assert strip[6].std() > 15
    r, g, b = (strip[6][..., c].astype(int) for c in range(3))
    assert ((r > 180) & (g < 110) & (b < 100)).sum() > 150  # the DTW row's red
    assert ((b > 180) & (r > 120) & (g < 140)).sum() > 150  # the FGD-style row's purple
    # the cursor follows the frame: further right on a later frame, the rest of the strip unchanged
    assert _cursor_x(strip[9]) - _cursor_x(strip[2]) > 200
    assert np.abs(frames[2][:360].astype(int) - frames[9][:360].astype(int)).mean() > 0.1
    assert not list(tmp_path.glob("*.part"))


def test_the_strip_moves_only_its_cursor(qapp) -> None:
    from signstudio.app.metric_strip import MetricStrip, strip_height
    from signstudio.corpus.store import default_sample
    from signstudio.runner.scoring import score_pair

    full = default_sample()
    short = full.replace(data=full.data[:30], confidence=full.confidence[:30], filled=full.filled[:30])
    scores = score_pair(short, full)
    assert strip_height(360) == 90 and strip_height(720) == 180
    strip = MetricStrip(scores, 640, 90, fps=25.0)
    a, b = strip.rgb(3), strip.rgb(25)
    assert a.shape == (90, 640, 3) and a.dtype == np.uint8
    assert abs(_cursor_x(a) - strip.frame_x(3)) <= 2 and abs(_cursor_x(b) - strip.frame_x(25)) <= 2
    # the plots between the two cursors' neighbourhoods are the same pixels: only the cursor moved
    lo, hi = round(strip.frame_x(3)) + 12, round(strip.frame_x(25)) - 12
    assert np.array_equal(a[:70, lo:hi], b[:70, lo:hi])
    # a pair with no FGD-style curve still draws, saying so
    bare = MetricStrip(score_pair(short, None), 640, 90)
    assert bare.rgb(0).std() > 5


def test_png_frames_of_a_range(short_file, sample_file, tmp_path, capsys, qapp) -> None:
    from PySide6 import QtGui

    folder = tmp_path / "frames"
    argv = ["render", str(short_file), "--gt", str(sample_file), "--strip", "--frames", "2:7"]
    assert main([*argv, "--out", f"{folder}/"]) == 0
    assert "5 PNG files" in capsys.readouterr().out
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"frame_{i:05d}.png" for i in range(2, 7)]  # numbered by the sequence's frames
    sizes = {(img.width(), img.height()) for img in (QtGui.QImage(str(folder / n)) for n in names)}
    assert sizes == {(640, 450)}
    # a pattern, no strip: the viewport's size
    assert main(["render", str(short_file), "--frames=-2:", "--out", str(tmp_path / "f%03d.png")]) == 0
    assert sorted(p.name for p in tmp_path.glob("f*.png")) == ["f010.png", "f011.png"]
    assert QtGui.QImage(str(tmp_path / "f010.png")).size().toTuple() == (640, 360)


def test_frames_of_a_video(short_file, tmp_path, capsys, qapp) -> None:
    out = tmp_path / "part.mp4"
    assert main(["render", str(short_file), "--frames", "3:8", "--out", str(out)]) == 0
    assert len(_read(out)[1]) == 5
    assert main(["render", str(short_file), "--frames", "5:40", "--out", str(out)]) == 2
    assert "has 12 frames" in capsys.readouterr().err
    assert main(["render", str(short_file), "--frames", "5", "--out", str(out)]) == 2
    assert "START:STOP" in capsys.readouterr().err
