"""Files whose errors used to leak a library's text ("not a valid .pose file (UnicodeDecodeError:
'utf-8' codec can't decode ...)", "struct.error: unpack requires a buffer of 4 bytes",
"BadZipFile", "zlib.error") or named no place. Each is a real file with a few bytes damaged;
every command must say what is wrong in our words, with the place, in one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MEDIAPIPE = REPO / "tests/data/pose-format/mediapipe.pose"
PHOENIX = REPO / "tests/data/phoenix14t-pt/dev.skels"


def _clip() -> object:
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.formats import read_one

    return read_one(lexicon_index()[0].path).frames(0, 5)


def _written(tmp: Path, name: str, **options: object) -> Path:
    from signstudio.pose.formats import write

    path = tmp / name
    write(path, _clip(), **options)  # type: ignore[arg-type]
    return path


def _pose_name_not_utf8(tmp: Path) -> Path:
    """A component name in the header with a byte that is not UTF-8 (pose-format decodes it)."""
    data = bytearray(MEDIAPIPE.read_bytes())
    at = data.index(b"POSE_LANDMARKS")
    data[at + 3] = 0xFF
    path = tmp / "name.pose"
    path.write_bytes(bytes(data))
    return path


def _pose_point_name_not_utf8(tmp: Path) -> Path:
    data = bytearray(MEDIAPIPE.read_bytes())
    at = data.index(b"RIGHT_SHOULDER")
    data[at : at + 2] = b"\xc3\x28"  # a two-byte sequence cut short
    path = tmp / "point.pose"
    path.write_bytes(bytes(data))
    return path


def _cut(src: Path, dst: Path, keep: int) -> Path:
    dst.write_bytes(src.read_bytes()[:keep])
    return dst


def _header_size() -> int:
    from pose_format.pose_header import PoseHeader
    from pose_format.utils.reader import BufferReader

    reader = BufferReader(MEDIAPIPE.read_bytes())
    PoseHeader.read(reader)
    return reader.read_offset


def _pose_no_people(tmp: Path) -> Path:
    """A body that declares 0 people (the file is v0.1: fps, frames, then people, 16 bits each)."""
    data = bytearray(MEDIAPIPE.read_bytes())
    at = _header_size() + 4
    data[at : at + 2] = b"\x00\x00"
    path = tmp / "nobody.pose"
    path.write_bytes(bytes(data))
    return path


def _npz_member_damaged(tmp: Path) -> Path:
    """A byte of the compressed ``data`` member flipped: inflating fails or the CRC does not match."""
    path = _written(tmp, "crc.npz", format="npz")
    data = bytearray(path.read_bytes())
    at = data.index(b"data.npy") + 200
    data[at] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def _npz_directory_cut(tmp: Path) -> Path:
    path = _written(tmp, "cut.npz", format="npz")
    return _cut(path, path, path.stat().st_size - 30)


def _h5_superblock(tmp: Path) -> Path:
    path = _written(tmp, "super.h5", format="h5")
    data = bytearray(path.read_bytes())
    for at in range(8, 48):
        data[at] ^= 0xA5
    path.write_bytes(bytes(data))
    return path


def _skels_not_utf8(tmp: Path) -> Path:
    lines = PHOENIX.read_bytes().split(b"\n")
    lines[1] = lines[1][:100] + b"\xff\xfe" + lines[1][102:]
    path = tmp / "dev.skels"
    path.write_bytes(b"\n".join(lines))
    return path


def _openpose_not_utf8(tmp: Path) -> Path:
    folder = tmp / "openpose"
    folder.mkdir()
    person = {"pose_keypoints_2d": [1.0, 2.0, 0.9] * 25}
    for t in range(3):
        (folder / f"clip_{t:012d}_keypoints.json").write_text(json.dumps({"people": [person]}))
    frame = folder / "clip_000000000001_keypoints.json"
    frame.write_bytes(frame.read_bytes().replace(b"people", b"peo\xe9le"))
    return folder


CASES: dict[str, Callable[[Path], Path]] = {
    "pose_component_name_not_utf8": _pose_name_not_utf8,
    "pose_point_name_not_utf8": _pose_point_name_not_utf8,
    "pose_header_truncated": lambda tmp: _cut(MEDIAPIPE, tmp / "header.pose", 300),
    "pose_body_truncated": lambda tmp: _cut(MEDIAPIPE, tmp / "body.pose", _header_size() + 6),
    "pose_body_no_people": _pose_no_people,
    "npz_member_damaged": _npz_member_damaged,
    "npz_zip_directory_cut": _npz_directory_cut,
    "h5_superblock_damaged": _h5_superblock,
    "skels_line_not_utf8": _skels_not_utf8,
    "openpose_frame_not_utf8": _openpose_not_utf8,
}
