"""``signstudio render FILE [--gt FILE] [--avatar mannequin|smplx|none] --out VIDEO``: a video, headless.

The viewport draws every frame off screen (the same GL items as the studio: under Xvfb, Mesa's
llvmpipe), each frame is read back and piped to ffmpeg (`imageio-ffmpeg`'s own binary): H.264 in
``.mp4`` (yuv420p, plays everywhere) or a palette ``.gif``. With ``--gt`` the reference plays
beside the sequence on its own clock; with ``--avatar`` both are on a body fitted by IK (in this
process; ``smplx`` needs ``--smplx-folder``). The video runs at the sequence's fps. The file is
written atomically: a failed render leaves no half video behind. Its folder must exist and be
writable, checked before the first frame (`check_destination`); a disk that fills up while ffmpeg
writes is one `FormatError` line ("cannot write: the disk is full"), not ffmpeg's text.

Also:

* ``strip=True`` stacks the metric strip (`signstudio.app.metric_strip`: the timeline's DTW and
  FGD-style rows with a cursor) under every frame; the pair is scored once, before the first frame.
* ``out`` a folder (existing, or written with a trailing ``/``), a ``%d`` pattern or a ``.png``
  name: one PNG per frame instead of a video (`signstudio.session.render_plan.png_pattern` says
  which names), each written atomically and numbered by the sequence's own frame index; a
  render that fails half way removes the frames it wrote.
* ``frames=(A, B)``: only frames A .. B-1 (Python slice rules: either may be None or negative).

A lesson (issue 20, File → Export → Video and ``signstudio render``):

* ``speed`` (0.05-8; the studio's dialog offers the current playback speed) and ``loops``: the
  video keeps the sequence's frame rate and shows each frame 1/speed times
  (`signstudio.session.render_plan.lesson_frames`), so it lasts
  ``frames / fps / speed * loops`` seconds and plays in any player. PNG frames are one per
  sequence frame: speed and loops time a video only.
* ``size``: 360p, 720p or 1080p (`SIZES`); the mp4 is H.264, yuv420p, even sizes.
* ``avatar``: ``none`` (the skeleton) or a body fitted here, drawn with the skeleton over it
  (``body="both"``) or alone (``body="avatar"``); ``mirror``: the pair left-right mirrored
  (`signstudio.pose.transforms.mirror`), as a learner facing a mirror sees it.
* ``caption``: the word (or any text), burned in: white bold text on a near-black band of the
  frame's bottom 12 % (`caption_band`); the views above it are that much shorter, so the frame
  keeps its size and the band hides neither the figure nor the legend; the strip comes under it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6 import QtGui

from signstudio.app.qt_boot import offscreen_application
from signstudio.pose.errors import FormatError
from signstudio.pose.formats._atomic import check_destination
from signstudio.pose.sequence import PoseSequence
from signstudio.session.render_plan import SIZES, check_output, frame_range, lesson_frames, pair_scores

if TYPE_CHECKING:
    from signstudio.app.metric_strip import MetricStrip
    from signstudio.app.viewport import Viewport
    from signstudio.avatar.mesh import AvatarMesh
    from signstudio.runner.scoring import PairScores

Progress = Callable[[int, int], Any]


def _frames_rgb(image: QtGui.QImage) -> np.ndarray:
    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    # a copy, always: when the stride has no padding the slice is a view of ``img``'s memory,
    # which Qt frees when ``img`` goes out of scope
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def render(
    sequence: PoseSequence,
    out: str | Path,
    reference: PoseSequence | None = None,
    avatar: str = "none",
    size: tuple[int, int] = SIZES["small"],
    smplx_folder: str | None = None,
    progress: Progress | None = None,
    *,
    strip: bool = False,
    scores: PairScores | None = None,
    frames: tuple[int | None, int | None] | None = None,
    speed: float = 1.0,
    loops: int = 1,
    mirror: bool = False,
    caption: str | None = None,
    body: str = "both",
    fitted: Mapping[int, AvatarMesh] | None = None,
) -> dict[str, Any]:
    """Render ``sequence`` (and ``reference`` beside it) to ``out``: an .mp4 or .gif video, or PNG
    frames (`png_pattern`). ``strip``: the metric strip under each frame (needs ``reference``;
    ``scores`` is `score_pair`'s result for the pair, computed here when None). ``frames``: a
    ``(start, stop)`` slice (`frame_range`). ``progress(done, total)`` after every frame.
    A lesson (the module docstring): ``speed``, ``loops`` (videos only), ``mirror``, ``caption``;
    ``body``: with an avatar, ``both`` or ``avatar`` alone. ``fitted``: avatars fitted already
    (the studio's) by ``id`` of their sequence, used instead of a fit (a mirrored pair is refitted).

    Returns what was written: out, frames (count), first_frame, fps, size [w, h] (h includes the
    strip), seconds, duration (of the video, s), speed, loops, files (PNG paths, PNG output only)
    and the IK errors when an avatar was fitted.
    ValueError for a request that cannot be rendered (nothing is written then).
    """
    pattern = check_output(out)
    if pattern is None:  # a missing folder or a full disk fails here, not after the frames
        check_destination(out)
    out = Path(out)
    if strip and reference is None:
        raise ValueError("the metric strip compares with a reference: give one (--gt FILE)")
    n, fps = sequence.num_frames, float(sequence.fps)
    picked = frame_range(frames, n)
    shown = lesson_frames(picked, speed, loops) if pattern is None else list(picked)
    w, h = size
    if strip:
        scores = scores if scores is not None else pair_scores(sequence, reference)
        if scores.n_gen != n:
            raise ValueError(f"the scores are of a {scores.n_gen}-frame sequence, this one has {n} frames")
    if mirror:  # the signer as in a mirror: a learner copies the signing with the same hand
        sequence, reference = _mirrored(sequence, reference)
    app = offscreen_application()
    metric_strip = _metric_strip(scores, size, fps) if strip and scores is not None else None
    height = h + (metric_strip.height if metric_strip is not None else 0)
    # the caption takes the bottom rows of the frame: the views are that much shorter
    band = caption_band(caption, w, caption_height(h)) if caption else None
    view_size = (w, h - (len(band) if band is not None else 0))
    t0 = time.perf_counter()
    vp, info = _offscreen_viewport(
        app, (sequence, reference), (avatar, body), view_size, smplx_folder, fitted or {}
    )
    frame_rgb = _frame_source(vp, sequence, reference, view_size, metric_strip, band)

    try:
        if pattern is not None:
            info["files"] = _write_pngs(pattern, shown, frame_rgb, progress)
        else:
            _write_video(out, (w, height), fps, shown, frame_rgb, progress)
    finally:
        vp.close()
    return {
        "out": str(out),
        "frames": len(shown),
        "first_frame": picked[0],
        "fps": fps,
        "size": [w, height],
        "seconds": time.perf_counter() - t0,
        "duration": len(shown) / fps,
        "speed": float(speed),
        "loops": loops if pattern is None else 1,
        **info,
    }


def _mirrored(
    sequence: PoseSequence, reference: PoseSequence | None
) -> tuple[PoseSequence, PoseSequence | None]:
    from signstudio.pose.transforms import mirror

    return mirror(sequence), mirror(reference) if reference is not None else None


def _frame_source(
    vp: Viewport,
    sequence: PoseSequence,
    reference: PoseSequence | None,
    size: tuple[int, int],
    metric_strip: MetricStrip | None,
    band: np.ndarray | None,
) -> Callable[[int], np.ndarray]:
    """``frame_rgb(i)``: frame ``i`` of the pair as (H, W, 3) uint8, the caption band and the
    strip under it. A frame asked for again at once (a slowed lesson shows each several times) is
    not drawn again."""
    from signstudio.session.timewarp import own_clock

    w, h = size
    fps = float(sequence.fps)
    last: list[Any] = [None, None]

    def frame_rgb(i: int) -> np.ndarray:
        if last[0] == i:
            return last[1]
        j = 0 if reference is None else own_clock(i, fps, reference.fps, reference.num_frames)
        vp.set_frames(i, j)
        vp.update_views()
        frame = _frames_rgb(vp.grab_image())
        if frame.shape[:2] != (h, w):
            frame = np.ascontiguousarray(frame[:h, :w])
        parts = [frame, *(p for p in (band,) if p is not None)]
        if metric_strip is not None:
            parts.append(metric_strip.rgb(i))
        frame = np.concatenate(parts, axis=0) if len(parts) > 1 else frame
        last[:] = [i, frame]
        return frame

    return frame_rgb


#: The caption band's height as a share of the frame's height.
CAPTION_SHARE = 0.12
_BAND_RGB = (12, 13, 16)


def caption_height(height: int) -> int:
    """Rows of a frame of ``height`` that the caption band takes (even: yuv420p halves rows)."""
    return max(24, 2 * round(height * CAPTION_SHARE / 2))


def caption_band(text: str, width: int, rows: int) -> np.ndarray:
    """The caption as (rows, width, 3) uint8: ``text`` in white bold, centred (cut with "…" when
    too wide), on a near-black band. It sits under the views, so it covers neither the figure
    nor the legend; painted once and stacked under every frame."""
    from PySide6 import QtCore

    image = QtGui.QImage(width, rows, QtGui.QImage.Format.Format_RGB888)
    image.fill(QtGui.QColor(*_BAND_RGB))
    painter = QtGui.QPainter(image)
    try:
        font = QtGui.QFont()
        font.setPixelSize(max(12, round(rows * 0.55)))
        font.setBold(True)
        painter.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        shown = metrics.elidedText(" ".join(text.split()), QtCore.Qt.TextElideMode.ElideRight, width - rows)
        painter.setPen(QtGui.QColor(255, 255, 255))
        painter.drawText(QtCore.QRect(0, 0, width, rows), QtCore.Qt.AlignmentFlag.AlignCenter, shown)
    finally:
        painter.end()
    return _frames_rgb(image)


def _metric_strip(scores: PairScores, size: tuple[int, int], fps: float) -> MetricStrip:
    # made after the QApplication: painting text needs its fonts
    from signstudio.app.metric_strip import MetricStrip, strip_height

    w, h = size
    return MetricStrip(scores, w, strip_height(h), fps)


def _offscreen_viewport(
    app: Any,
    pair: tuple[PoseSequence, PoseSequence | None],
    bodies: tuple[str, str],
    size: tuple[int, int],
    smplx_folder: str | None,
    fitted: Mapping[int, AvatarMesh],
) -> tuple[Viewport, dict[str, Any]]:
    """A dark, buttonless viewport of ``size`` showing the pair (on avatars fitted here unless
    ``bodies``' avatar is ``none``, drawn in its body mode), and the IK errors of the fits
    (``ik_error_mm``)."""
    avatar, body = bodies
    sequence, reference = pair
    from signstudio.app.viewport import Viewport

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
            mesh = fitted.get(id(seq)) or build_avatar(seq, avatar, folder=smplx_folder)
            vp.set_avatar(seq, mesh)
            info.setdefault("ik_error_mm", []).append(
                {"arms": 1000 * mesh.arm_error_m, "hands": 1000 * mesh.hand_error_m}
            )
        vp.set_body_mode(body)
    vp.set_camera("front")
    return vp, info


def _write_video(
    out: Path,
    size: tuple[int, int],
    fps: float,
    picked: list[int],
    frame_rgb: Callable[[int], np.ndarray],
    progress: Progress | None,
) -> None:
    """The frames of ``picked`` piped to ffmpeg as ``out`` (.mp4 or .gif), written atomically."""
    from signstudio.pose.formats._atomic import atomic_path

    def frames() -> Iterator[np.ndarray]:
        for k, i in enumerate(picked):
            yield frame_rgb(i)
            if progress is not None:
                progress(k + 1, len(picked))

    with atomic_path(out) as tmp:
        # the temporary file's name ends in .part: the container is named, not guessed
        _encode(ffmpeg_command(tmp, size, fps, gif=out.suffix.lower() == ".gif"), frames(), out)


def ffmpeg_command(path: Path, size: tuple[int, int], fps: float, gif: bool) -> list[str]:
    """ffmpeg (`imageio-ffmpeg`'s own binary) reading raw RGB frames on stdin: the command
    imageio-ffmpeg's ``write_frames`` builds (H.264 at its quality 5, crf 25, yuv420p; or a
    palette gif), but with ffmpeg's messages kept to errors, which `_encode` reads itself."""
    import imageio_ffmpeg

    w, h = size
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{w}x{h}"]
    cmd += ["-pix_fmt", "rgb24", "-r", str(Fraction(fps).limit_denominator()), "-i", "-", "-an"]
    cmd += ["-vcodec", "gif", "-pix_fmt", "rgb8", "-qscale:v", "16"] if gif else []
    cmd += [] if gif else ["-vcodec", "libx264", "-pix_fmt", "yuv420p", "-crf", "25"]
    if w % 2 or h % 2:  # yuv420p needs even sizes
        cmd += ["-vf", f"scale={w + w % 2}:{h + h % 2}"]
    return [*cmd, "-v", "error", "-f", "gif" if gif else "mp4", str(path)]


#: ffmpeg's words for a failing disk, as the OSError the atomic writer turns into our words.
_FFMPEG_DISK_ERRORS = (
    ("no space left on device", errno.ENOSPC),
    ("disk quota exceeded", errno.EDQUOT),
    ("read-only file system", errno.EROFS),
    ("permission denied", errno.EACCES),
)


def _encode(cmd: list[str], frames: Iterator[np.ndarray], out: Path) -> None:
    """Pipe ``frames`` into ``cmd``; its exit status is checked (imageio-ffmpeg's writer ignores
    it: a full disk gave a broken video, "written", and ffmpeg's text on stderr)."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        assert proc.stdin is not None
        try:
            for frame in frames:
                proc.stdin.write(np.ascontiguousarray(frame, np.uint8).tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its status and its log say why
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            status = proc.wait()
        if status != 0:
            log.seek(0)
            text = log.read().decode("utf-8", "replace").lower()
            for words, code in _FFMPEG_DISK_ERRORS:
                if words in text:
                    raise OSError(code, os.strerror(code), str(out))
            raise FormatError(out, "the video encoder (ffmpeg) failed", f"exit status {status}")


def _write_pngs(
    pattern: str,
    picked: list[int],
    frame_rgb: Callable[[int], np.ndarray],
    progress: Progress | None,
) -> list[str]:
    """One PNG per frame of ``picked``, named ``pattern % frame``, each written atomically; when
    one fails (a full disk) the ones this render wrote are removed again: all frames or none."""
    from signstudio.app.images import save_png

    files: list[str] = []
    try:
        for k, i in enumerate(picked):
            rgb = frame_rgb(i)
            hh, ww = rgb.shape[:2]
            # QImage wraps the array's memory without copying: save before it goes away
            image = QtGui.QImage(rgb.data, ww, hh, 3 * ww, QtGui.QImage.Format.Format_RGB888)
            files.append(str(save_png(image, pattern % i)))
            if progress is not None:
                progress(k + 1, len(picked))
    except BaseException:
        for name in files:
            with contextlib.suppress(OSError):
                Path(name).unlink()
        raise
    return files


__all__ = ["render"]
