"""``signstudio render FILE [--gt FILE] [--avatar mannequin|smplx|none] --out VIDEO``: a video, headless.

The viewport draws every frame off screen (the same GL items as the studio: under Xvfb, Mesa's
llvmpipe), each frame is read back and piped to ffmpeg (`imageio-ffmpeg`'s own binary): H.264 in
``.mp4`` (yuv420p, plays everywhere) or a palette ``.gif``. With ``--gt`` the reference plays
beside the sequence on its own clock; with ``--avatar`` both are on a body fitted by IK (in this
process; ``smplx`` needs ``--smplx-folder``). The video runs at the sequence's fps. The file is
written atomically: a failed render leaves no half video behind.

Also:

* ``strip=True`` stacks the metric strip (`signstudio.app.metric_strip`: the timeline's DTW and
  FGD-style rows with a cursor) under every frame; the pair is scored once, before the first frame.
* ``out`` a folder (existing, or written with a trailing ``/``), a ``%d`` pattern or a ``.png``
  name: one PNG per frame instead of a video (`png_pattern` says which names), each written
  atomically and numbered by the sequence's own frame index.
* ``frames=(A, B)``: only frames A .. B-1 (Python slice rules: either may be None or negative).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from signstudio.runner.scoring import PairScores

SIZES = {"small": (640, 360), "hd": (1280, 720)}
VIDEO_SUFFIXES = (".mp4", ".gif")
#: The file names of PNG frames written into a folder.
FOLDER_PATTERN = "frame_%05d.png"
_PERCENT_D = re.compile(r"%0?\d*d")


def _frames_rgb(image: Any) -> np.ndarray:
    from PySide6 import QtGui

    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    # a copy, always: when the stride has no padding the slice is a view of ``img``'s memory,
    # which Qt frees when ``img`` goes out of scope
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def png_pattern(out: str | Path) -> str | None:
    """The ``%``-pattern of the PNG files ``out`` asks for, or None when it names a video.

    ``out`` is a folder (it exists, or the text ends in ``/``): ``out/frame_%05d.png``; it holds
    one ``%d``-style field (``shots/f%04d.png``; ``.png`` added when it has no suffix): itself; it
    ends in ``.png``: ``name_%05d.png`` beside it (every frame gets its own file, even a single
    one). ValueError for a pattern with two fields or another suffix.
    """
    text = str(out)
    path = Path(text)
    if text.endswith(("/", "\\")) or path.is_dir():
        folder, name = path, FOLDER_PATTERN
    else:
        folder, name = path.parent, path.name
        fields = _PERCENT_D.findall(name)
        if len(fields) > 1 or (not fields and "%" in name):
            raise ValueError(f"{text}: a frame pattern holds one %d field (e.g. frame_%05d.png)")
        if fields and path.suffix.lower() not in (".png", ""):
            raise ValueError(f"{text}: frames are written as PNG: end the pattern in .png")
        if fields:
            name = name if path.suffix else name + ".png"
        elif path.suffix.lower() == ".png":
            name = f"{path.stem}_%05d.png"
        else:
            return None
    # a "%" in a folder's name is a character, not a field
    return str(folder).replace("%", "%%") + "/" + name


def parse_frames(text: str) -> tuple[int | None, int | None]:
    """``"A:B"`` (either side may be empty or negative, as in a Python slice) -> ``(A, B)``."""
    head, sep, tail = text.partition(":")
    if not sep or ":" in tail:
        raise ValueError(f"--frames {text}: expected START:STOP, e.g. 10:50 (frames 10 to 49)")
    try:
        return (int(head) if head.strip() else None, int(tail) if tail.strip() else None)
    except ValueError:
        raise ValueError(f"--frames {text}: START and STOP are whole frame numbers") from None


def frame_range(frames: tuple[int | None, int | None] | None, n: int) -> range:
    """The frames of a ``(start, stop)`` slice of ``n`` frames; ValueError when it is empty or
    reaches past the end (a typo should not quietly render something else)."""
    if frames is None:
        return range(n)
    start, stop = frames
    for v in (start, stop):
        if v is not None and not -n <= v <= n:
            raise ValueError(f"frames {start}:{stop}: the sequence has {n} frames (0 to {n - 1})")
    picked = range(n)[slice(start, stop)]
    if not picked:
        raise ValueError(f"frames {start}:{stop}: no frames (the sequence has {n}, 0 to {n - 1})")
    return picked


def render(
    sequence: Any,
    out: str | Path,
    reference: Any = None,
    avatar: str = "none",
    size: tuple[int, int] = SIZES["small"],
    smplx_folder: str | None = None,
    progress: Callable[[int, int], Any] | None = None,
    *,
    strip: bool = False,
    scores: PairScores | None = None,
    frames: tuple[int | None, int | None] | None = None,
) -> dict[str, Any]:
    """Render ``sequence`` (and ``reference`` beside it) to ``out``: an .mp4 or .gif video, or PNG
    frames (`png_pattern`). ``strip``: the metric strip under each frame (needs ``reference``;
    ``scores`` is `score_pair`'s result for the pair, computed here when None). ``frames``: a
    ``(start, stop)`` slice (`frame_range`). ``progress(done, total)`` after every frame.

    Returns what was written: out, frames (count), first_frame, fps, size [w, h] (h includes the
    strip), seconds, files (PNG paths, PNG output only) and the IK errors when an avatar was fitted.
    ValueError for a request that cannot be rendered (nothing is written then).
    """
    import imageio_ffmpeg
    from PySide6 import QtWidgets

    from signstudio.app.main import prepare_qt
    from signstudio.app.viewport import Viewport
    from signstudio.pose.formats._atomic import atomic_path
    from signstudio.session.timewarp import own_clock

    pattern = png_pattern(out)
    out = Path(out)
    suffix = out.suffix.lower()
    if pattern is None and suffix not in VIDEO_SUFFIXES:
        raise ValueError(
            f"{out}: render writes .mp4 or .gif, not {suffix or 'no extension'} "
            "(or PNG frames: a folder/, a %05d pattern or a .png name)"
        )
    if strip and reference is None:
        raise ValueError("the metric strip compares with a reference: give one (--gt FILE)")
    n, fps = sequence.num_frames, float(sequence.fps)
    picked = frame_range(frames, n)
    w, h = size
    if strip:
        if scores is None:
            scores = pair_scores(sequence, reference)
        if scores.n_gen != n:
            raise ValueError(f"the scores are of a {scores.n_gen}-frame sequence, this one has {n} frames")

    prepare_qt()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["signstudio-render"])
    metric_strip = None
    if strip and scores is not None:
        from signstudio.app.metric_strip import MetricStrip, strip_height

        # after the QApplication: painting text needs its fonts
        metric_strip = MetricStrip(scores, w, strip_height(h), fps)
    height = h + (metric_strip.height if metric_strip is not None else 0)
    t0 = time.perf_counter()
    vp = Viewport()
    vp.set_dark(True)
    vp.set_camera_buttons_visible(False)  # a video has no buttons to press
    vp.setFixedSize(*size)
    vp.show()
    app.processEvents()
    vp.set_sequences(sequence, reference)
    info: dict[str, Any] = {}
    if avatar != "none":
        from signstudio.avatar.build import build_avatar

        for seq in (s for s in (sequence, reference) if s is not None):
            mesh = build_avatar(seq, avatar, folder=smplx_folder)
            vp.set_avatar(seq, mesh)
            info.setdefault("ik_error_mm", []).append(
                {"arms": 1000 * mesh.arm_error_m, "hands": 1000 * mesh.hand_error_m}
            )
        vp.set_body_mode("both")
    vp.set_camera("front")

    def frame_rgb(i: int) -> np.ndarray:
        j = 0 if reference is None else own_clock(i, fps, reference.fps, reference.num_frames)
        vp.set_frames(i, j)
        vp.update_views()
        frame = _frames_rgb(vp.grab_image())
        if frame.shape[:2] != (h, w):
            frame = np.ascontiguousarray(frame[:h, :w])
        if metric_strip is not None:
            frame = np.concatenate([frame, metric_strip.rgb(i)], axis=0)
        return frame

    try:
        if pattern is not None:
            info["files"] = _write_pngs(pattern, picked, frame_rgb, progress)
        else:
            with atomic_path(out) as tmp:
                # the temporary file's name ends in .part: the container is named, not guessed
                writer = imageio_ffmpeg.write_frames(
                    str(tmp),
                    (w, height),
                    fps=fps,
                    codec="gif" if suffix == ".gif" else "libx264",
                    pix_fmt_out="rgb8" if suffix == ".gif" else "yuv420p",
                    macro_block_size=2,  # even sizes suffice for yuv420p
                    output_params=["-f", "gif" if suffix == ".gif" else "mp4"],
                )
                writer.send(None)
                for k, i in enumerate(picked):
                    writer.send(frame_rgb(i))
                    if progress is not None:
                        progress(k + 1, len(picked))
                writer.close()
    finally:
        vp.close()
    return {
        "out": str(out),
        "frames": len(picked),
        "first_frame": picked[0],
        "fps": fps,
        "size": [w, height],
        "seconds": time.perf_counter() - t0,
        **info,
    }


def pair_text(sequence: Any, reference: Any = None) -> tuple[str | None, str | None]:
    """The text and sign language of a pair as the studio takes them: the sequence's ``meta``,
    else the reference's (None when neither says)."""
    meta, ref_meta = sequence.meta, reference.meta if reference is not None else {}
    text = str(meta.get("text") or ref_meta.get("text") or "") or None
    lang = str(meta.get("sign_language") or ref_meta.get("sign_language") or "") or None
    return text, lang


def pair_scores(sequence: Any, reference: Any) -> PairScores:
    """`score_pair` in this process (loads the shipped FGD encoder and back-translation model
    once), with the pair's `pair_text`: what ``strip`` and the per-frame metrics show."""
    from signstudio.runner.scoring import score_pair

    return score_pair(sequence, reference, *pair_text(sequence, reference))


def _write_pngs(
    pattern: str,
    picked: range,
    frame_rgb: Callable[[int], np.ndarray],
    progress: Callable[[int, int], Any] | None,
) -> list[str]:
    """One PNG per frame of ``picked``, named ``pattern % frame``, each written atomically."""
    from PySide6 import QtGui

    from signstudio.app.images import save_png

    files = []
    for k, i in enumerate(picked):
        rgb = frame_rgb(i)
        hh, ww = rgb.shape[:2]
        # QImage wraps the array's memory without copying: save before it goes away
        image = QtGui.QImage(rgb.data, ww, hh, 3 * ww, QtGui.QImage.Format.Format_RGB888)
        files.append(str(save_png(image, pattern % i)))
        if progress is not None:
            progress(k + 1, len(picked))
    return files


__all__ = [
    "FOLDER_PATTERN",
    "SIZES",
    "frame_range",
    "pair_scores",
    "pair_text",
    "parse_frames",
    "png_pattern",
    "render",
]
