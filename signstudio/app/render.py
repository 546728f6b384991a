"""``signstudio render FILE [--gt FILE] [--avatar mannequin|smplx|none] --out VIDEO``: a video, headless.

The viewport draws every frame off screen (the same GL items as the studio: under Xvfb, Mesa's
llvmpipe), each frame is read back and piped to ffmpeg (`imageio-ffmpeg`'s own binary): H.264 in
``.mp4`` (yuv420p, plays everywhere) or a palette ``.gif``. With ``--gt`` the reference plays
beside the sequence on its own clock; with ``--avatar`` both are on a body fitted by IK (in this
process; ``smplx`` needs ``--smplx-folder``). The video runs at the sequence's fps. The file is
written atomically: a failed render leaves no half video behind.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

SIZES = {"small": (640, 360), "hd": (1280, 720)}


def _frames_rgb(image: Any) -> np.ndarray:
    from PySide6 import QtGui

    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return np.ascontiguousarray(buf[:, : 3 * w].reshape(h, w, 3))


def render(
    sequence: Any,
    out: Path,
    reference: Any = None,
    avatar: str = "none",
    size: tuple[int, int] = SIZES["small"],
    smplx_folder: str | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Render ``sequence`` (and ``reference`` beside it) to ``out`` (.mp4 or .gif). Returns what
    was written: frames, fps, size, seconds, and the IK errors when an avatar was fitted."""
    import imageio_ffmpeg
    from PySide6 import QtWidgets

    from signstudio.app.main import prepare_qt
    from signstudio.app.viewport import Viewport
    from signstudio.pose.formats._atomic import atomic_path
    from signstudio.session.timewarp import own_clock

    suffix = out.suffix.lower()
    if suffix not in (".mp4", ".gif"):
        raise ValueError(f"{out}: render writes .mp4 or .gif, not {suffix or 'no extension'}")
    prepare_qt()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["signstudio-render"])
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
    n, fps = sequence.num_frames, float(sequence.fps)
    w, h = size
    with atomic_path(out) as tmp:
        # the temporary file's name ends in .part: the container is named, not guessed
        writer = imageio_ffmpeg.write_frames(
            str(tmp),
            (w, h),
            fps=fps,
            codec="gif" if suffix == ".gif" else "libx264",
            pix_fmt_out="rgb8" if suffix == ".gif" else "yuv420p",
            macro_block_size=2,  # even sizes suffice for yuv420p
            output_params=["-f", "gif" if suffix == ".gif" else "mp4"],
        )
        writer.send(None)
        for i in range(n):
            j = 0 if reference is None else own_clock(i, fps, reference.fps, reference.num_frames)
            vp.set_frames(i, j)
            vp.update_views()
            frame = _frames_rgb(vp.grab_image())
            if frame.shape[:2] != (h, w):
                frame = np.ascontiguousarray(frame[:h, :w])
            writer.send(frame)
            if progress is not None:
                progress(i + 1, n)
        writer.close()
    vp.close()
    return {
        "out": str(out),
        "frames": n,
        "fps": fps,
        "size": [w, h],
        "seconds": time.perf_counter() - t0,
        **info,
    }


__all__ = ["SIZES", "render"]
