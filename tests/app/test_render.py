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
    from signstudio.corpus.lexicon import default_sample
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
