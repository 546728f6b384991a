"""Bombs: small files that declare (or unpack to) far more than they hold, built by code.

Each builder writes a real file first (the pose-format test recording, the PHOENIX14T sample) and
then makes it hostile, so everything but the bomb reads as it would in a user's file. Sizes are
chosen so that the readers before issue 18 passed 500 MB (most passed 1 GB) on each one, while a
build takes at most a couple of seconds (zeros compress fast; HDF5 chunks are compressed once and
written many times).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_POSE = DATA / "pose-format" / "openpose.pose"  # 93 frames x 137 points (openpose137)
REAL_SKELS = DATA / "phoenix14t-pt" / "dev.skels"
_ZEROS = bytes(1 << 24)


@cache
def _real() -> object:
    from signstudio.pose import formats

    return formats.read_one(REAL_POSE)


def _npy_header(shape: tuple[int, ...], descr: str) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _zero_member(zf: zipfile.ZipFile, key: str, shape: tuple[int, ...], descr: str, method: int) -> None:
    """Member ``key.npy``: an honest header and that many zero bytes, compressed by ``method``."""
    info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = method
    left = int(np.prod(shape)) * np.dtype(descr).itemsize
    with zf.open(info, "w", force_zip64=True) as fh:
        fh.write(_npy_header(shape, descr))
        while left:
            step = min(left, len(_ZEROS))
            fh.write(_ZEROS[:step])
            left -= step


def _npz_bomb(tmp: Path, name: str, method: int) -> Path:
    """Our .npz of the real recording whose ``data`` unpacks to 320 MB of zeros."""
    from signstudio.pose import formats

    real = tmp / "real.npz"
    formats.write(real, _real())
    out = tmp / name
    frames = (320 << 20) // (137 * 3 * 4)
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "data.npy":
                dst.writestr(item, src.read(item))
        _zero_member(dst, "data", (frames, 137, 3), "<f4", method)
    return out


def npz_deflate(tmp: Path) -> Path:
    return _npz_bomb(tmp, "deflate_bomb.npz", zipfile.ZIP_DEFLATED)


def npz_bzip2(tmp: Path) -> Path:
    return _npz_bomb(tmp, "bzip2_bomb.npz", zipfile.ZIP_BZIP2)


def amass(tmp: Path) -> Path:
    """An AMASS SMPL-X file of 250 000 frames of zero pose (330 MB of float64) in a few KB."""
    out = tmp / "amass_bomb.npz"
    frames = 250_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        _zero_member(zf, "poses", (frames, 165), "<f8", zipfile.ZIP_BZIP2)
        _zero_member(zf, "trans", (frames, 3), "<f8", zipfile.ZIP_BZIP2)
        for key, arr in (("betas", np.zeros(10)), ("mocap_framerate", np.asarray(120.0))):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arr, allow_pickle=False)
            zf.writestr(f"{key}.npy", buf.getvalue())
        zf.writestr("gender.npy", _npy_header((), "<U7") + "neutral".encode("utf-32-le"))
    return out


def _zero_dataset(
    group: object, name: str, shape: tuple[int, ...], chunk: tuple[int, ...], dtype: str
) -> None:
    """A gzip'd dataset of zeros whose every chunk is written (compressed once, stored many times)."""
    ds = group.create_dataset(name, shape=shape, chunks=chunk, dtype=dtype, compression="gzip")  # type: ignore[attr-defined]
    packed = zlib.compress(bytes(int(np.prod(chunk)) * np.dtype(dtype).itemsize), 9)
    for start in range(0, shape[0], chunk[0]):
        ds.id.write_direct_chunk((start, *([0] * (len(shape) - 1))), packed)


def p2s_h5(tmp: Path) -> Path:
    """A Prompt2Sign .h5: the real recording's clip and one of 1.2 M frames (720 MB) in ~0.8 MB."""
    import h5py

    from signstudio.pose import formats

    out = tmp / "prompt2sign_bomb.h5"
    formats.write(out, _real(), variant="p2s-2d")
    with h5py.File(out, "a") as f:
        _zero_dataset(f, "bomb_clip", (1_200_000, 150), (8192, 150), "float32")
    return out


def ours_h5(tmp: Path) -> Path:
    """Our .h5 with the real sequence and a second of 400 000 frames (660 MB of data) in ~1.2 MB."""
    import h5py

    from signstudio.pose import formats

    out = tmp / "ours_bomb.h5"
    formats.write(out, _real())
    frames, joints = 400_000, 137
    with h5py.File(out, "a") as f:
        g = f.create_group("seq000001")
        for key, value in f["seq000000"].attrs.items():
            g.attrs[key] = value
        _zero_dataset(g, "data", (frames, joints, 3), (4096, joints, 3), "float32")
        _zero_dataset(g, "confidence", (frames, joints), (4096, joints), "float32")
        _zero_dataset(g, "filled", (frames, joints), (4096, joints), "bool")
        f.attrs["count"] = np.int64(2)
    return out


def _real_hierarchy(tmp: Path) -> list[str]:
    from signstudio.pose import formats

    path = tmp / "real.bvh"
    formats.write(path, _real())
    text = path.read_text(encoding="utf-8")
    return text[: text.index("MOTION")].splitlines()


def bvh_frames(tmp: Path) -> Path:
    """The real recording's BVH rig with its joints' channels taken away (legal: they hold their
    rest pose) and 60 000 frames of one value: 16 M joint-frames from ~140 KB."""
    lines = []
    for line in _real_hierarchy(tmp):
        if "CHANNELS" in line:
            if lines and "ROOT" in lines[-3]:
                lines.append(line.split("CHANNELS")[0] + "CHANNELS 1 Xposition")
            continue
        lines.append(line)
    frames = 60_000
    out = tmp / "frames_bomb.bvh"
    out.write_text(
        "\n".join([*lines, "MOTION", f"Frames: {frames}", "Frame Time: 0.04", *(["0"] * frames)]) + "\n"
    )
    return out


def bvh_joints(tmp: Path) -> Path:
    """32 000 joints under the root, each its own component (``C17:nose``, after the real
    layout's points; the reader before issue 18 was quadratic in components), one frame: ~1 MB."""
    points = [j.split(":")[-1].replace(" ", "_") for j in _real().skeleton.joints]  # type: ignore[attr-defined]
    parts = ["HIERARCHY", "ROOT BODY:Neck", "{", "OFFSET 0 0 0", "CHANNELS 3 Xposition Yposition Zposition"]
    for k in range(32_000):
        parts.append(f"JOINT C{k}:{points[k % len(points)]}\n{{\nOFFSET 0 1 0\n}}")
    parts += ["}", "MOTION", "Frames: 1", "Frame Time: 0.04", "0 0 0"]
    out = tmp / "joints_bomb.bvh"
    out.write_text("\n".join(parts) + "\n")
    return out


def skels_line(tmp: Path) -> Path:
    """PHOENIX14T's first dev line, then a line of 12 M zeros (24 MB) that is no whole number of
    151-value frames."""
    first = REAL_SKELS.read_bytes().split(b"\n", 1)[0]
    out = tmp / "absurd_line.skels"
    with out.open("wb") as fh:
        fh.write(first + b"\n")
        fh.write(b"0 " * 12_000_001 + b"\n")
    return out


def pose_counts(tmp: Path) -> Path:
    """The real .pose with its body declaring 65 535 frames and 65 535 people."""
    from pose_format.pose_header import PoseHeader
    from pose_format.utils.reader import BufferReader

    buf = bytearray(REAL_POSE.read_bytes())
    reader = BufferReader(bytes(buf))
    PoseHeader.read(reader)
    body = reader.read_offset  # fps (float32), frames (uint16), then per frame: people (uint16)
    buf[body + 4 : body + 6] = (65535).to_bytes(2, "little")
    buf[body + 6 : body + 8] = (65535).to_bytes(2, "little")
    out = tmp / "huge_counts.pose"
    out.write_bytes(bytes(buf))
    return out


CASES: dict[str, Callable[[Path], Path]] = {
    "npz_deflate": npz_deflate,
    "npz_bzip2": npz_bzip2,
    "amass": amass,
    "prompt2sign_h5": p2s_h5,
    "ours_h5": ours_h5,
    "bvh_frames": bvh_frames,
    "bvh_joints": bvh_joints,
    "skels_absurd_line": skels_line,
    "pose_huge_counts": pose_counts,
}

__all__ = ["CASES"]
