"""How much a pose file may make SignStudio allocate: bounds by what a real file of its size holds.

A reader must not trust the sizes a file declares (a zip member's size, an ``.npy`` header's
shape, an HDF5 dataset's shape, a BVH's joint and frame counts): a few kilobytes can declare
gigabytes. Every reader checks the declared size against these limits *before* allocating, and
decompresses through a stream that stops at the limit, so memory and time grow with the file's
size, never with what it claims. One exceeded limit is one `FormatError` naming the limit, e.g.
``x.npz: member 'data' would decompress beyond 32 MB (the limit for a 17 KB file) (at member
data.npy)``.

What real data needs (and the margins taken):

* Points per frame: the largest layouts hold ~576 points (SMPL-X 55 joints + hands + face;
  MediaPipe holistic 543-553). A BVH rig adds one branch joint per child of a branching joint
  (holistic written as BVH: ~1 100 joints). `MAX_JOINTS` = 4 096.
* Frames: PHOENIX14T train is 7 096 sequences in 1.15 GB (~100-300 frames each); long
  recordings run to tens of thousands of frames (30 minutes at 30 fps = 54 000). One sequence
  may hold `MAX_POINTS` = 64 M points (frames × joints): 110 000 frames of 576 points, 768 MB of
  float32 coordinates.
* Compression: our ``.npz`` of real recordings is 2.0-2.4× smaller than its arrays; HDF5 and
  AMASS files are usually stored uncompressed (≤ 1×). A file may unpack to `MAX_EXPANSION` = 64×
  its size (well above real data; zip's deflate tops out near 1 032×, bzip2 beyond 10⁶×), and
  any file to at least `MIN_BUDGET` = 32 MiB (a small file of mostly-missing points compresses
  better than real data), never beyond `MAX_BUDGET` = 4 GiB. The budget counts every array a
  reader unpacks from one file together.
* Text: a BVH frame holds at least two bytes ("0 ") per channel and every moving joint has a
  channel, so a BVH cannot describe more than one joint-frame per `TEXT_BYTES_PER_POINT` = 2
  bytes of file; joints without channels (legal, rare) are allowed up to `MIN_TEXT_POINTS` =
  1 M joint-frames whatever the size.

``python -c "import signstudio.pose.limits as l; print(l.byte_budget(17_000))"`` shows a limit.
"""

from __future__ import annotations

from pathlib import Path

from signstudio.pose.errors import FormatError

MiB = 1 << 20
#: Joints (points) per frame of one sequence; for BVH, the joints of the hierarchy.
MAX_JOINTS = 4096
#: Frames × joints of one sequence.
MAX_POINTS = 64_000_000
#: Bytes a compressed file may unpack to, per byte of file.
MAX_EXPANSION = 64
#: Bytes any file may unpack to, however small.
MIN_BUDGET = 32 * MiB
#: Bytes no file may unpack to, however large.
MAX_BUDGET = 4096 * MiB
#: Bytes of a text file per joint-frame it can describe (BVH).
TEXT_BYTES_PER_POINT = 2
#: Joint-frames any text file may describe, however small.
MIN_TEXT_POINTS = 1_000_000


def human(nbytes: int | float) -> str:
    """``17 KB``, ``32 MB``, ``4.0 GB`` (powers of 1024, as file managers show them)."""
    value = float(nbytes)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def byte_budget(file_size: int) -> int:
    """Bytes a file of ``file_size`` bytes may unpack to: clip(64 × size, 32 MiB, 4 GiB)."""
    return int(min(MAX_BUDGET, max(MIN_BUDGET, MAX_EXPANSION * max(0, file_size))))


def text_points(file_size: int) -> int:
    """Joint-frames a text file of ``file_size`` bytes may describe: max(size / 2, 1 M)."""
    return max(MIN_TEXT_POINTS, file_size // TEXT_BYTES_PER_POINT)


class Budget:
    """The bytes one file may still unpack to; `take` before allocating each array.

    ``what`` names the thing that would pass the limit (``member 'data'``, ``dataset 'clip'``).
    """

    def __init__(self, path: str | Path, file_size: int):
        self.path = path
        self.file_size = file_size
        self.limit = byte_budget(file_size)
        self.used = 0

    def take(self, nbytes: int, what: str, where: str | None = None) -> None:
        if nbytes < 0 or self.used + nbytes > self.limit:
            raise FormatError(
                self.path,
                f"{what} would decompress beyond {human(self.limit)} "
                f"(the limit for a {human(self.file_size)} file)",
                where,
            )
        self.used += nbytes


def check_points(path: str | Path, frames: int, joints: int, where: str | None = None) -> None:
    """`FormatError` unless joints <= `MAX_JOINTS` and frames × joints <= `MAX_POINTS`."""
    if joints > MAX_JOINTS:
        raise FormatError(
            path, f"has {joints} joints per frame, more than the {MAX_JOINTS} SignStudio reads", where
        )
    if frames * joints > MAX_POINTS:
        raise FormatError(
            path,
            f"holds {frames} frames of {joints} joints, more than the {MAX_POINTS // 1_000_000} million "
            "points per sequence SignStudio reads",
            where,
        )


__all__ = [
    "MAX_BUDGET",
    "MAX_EXPANSION",
    "MAX_JOINTS",
    "MAX_POINTS",
    "MIN_BUDGET",
    "MIN_TEXT_POINTS",
    "TEXT_BYTES_PER_POINT",
    "Budget",
    "byte_budget",
    "check_points",
    "human",
    "text_points",
]
