"""The line index of a ``.skels`` file: one fast scan, cached by (absolute path, size, mtime_ns).

The scan reads the file line by line as bytes and counts the values of each line without parsing
a float: a line of only ``0-9 . - + e E`` and single spaces has ``spaces + 1`` values; any other
line (tabs, runs of spaces, ``nan``, letters, non-ASCII bytes) is counted as the reader would
count it (``len(text.split())`` of the UTF-8 text; -1 when it is not UTF-8). So a sequence's
frames are ``values / values_per_frame`` without reading it (151 = 50 joints × 3 + the counter
for ``pt-skels``/``p2s-legacy``, 385 for ``p2s-2025``).

The index (family, byte offset and value count of every line) is kept as JSON under
``<data dir>/dataset-index/`` (``$SIGNSTUDIO_DATA_DIR``), named by a hash of the absolute path
and holding the path, size and mtime_ns it was made from: a file that changed is scanned again.
A cache that cannot be read is rebuilt; one that cannot be written (full or read-only disk) is
skipped: the dataset opens either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signstudio.pose.errors import FormatError

#: What ``str.split()`` also splits at, besides the space (each looked for at memchr speed).
_OTHER_WHITESPACE = (b"\t", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f")
INDEX_VERSION = 2  # 2: the fast count takes any ASCII line (cached indexes of 1 are rebuilt)


@dataclass(frozen=True)
class LineIndex:
    """offsets (N,) int64: byte offset of line i+1; lengths (N,) int64: its bytes, line end
    included; values (N,) int64: its value count (-1: not UTF-8); family: the registry name."""

    family: str
    offsets: np.ndarray
    lengths: np.ndarray
    values: np.ndarray
    from_cache: bool = False


def count_values(raw: bytes, per_frame: int = 1) -> int:
    """How many whitespace-separated values one line holds, as ``text.split()`` counts them.

    Fast path (C-speed ``count`` and ``find`` within the line's bounds, no copy, no float parsed):
    an ASCII line of values separated by single spaces, with no other whitespace, has
    ``spaces + 1`` values. Runs of spaces in its first 4 KiB (files padded by a ``%10.5f``-style
    writer have them everywhere) take the exact path, and so does a count that is not whole frames;
    a stray run of spaces further on is only miscounted when its extra spaces are a multiple of
    ``per_frame``, and then only the index's frame count is off, never the read (a letter among the
    numbers is found there too).
    """
    end = raw.find(b"\n")
    return _count_in(raw, 0, len(raw) if end < 0 else end, per_frame, raw.isascii())


def _count_in(data: bytes, start: int, end: int, per_frame: int, ascii_block: bool) -> int:
    """`count_values` of ``data[start:end]`` (a line without its ``\n``), read in place;
    ``ascii_block``: the whole of ``data`` is ASCII (checked once per block)."""
    while end > start and data[end - 1] == 13:  # "\r" of a "\r\n" line end
        end -= 1
    if end == start:
        return 0
    spaces = data.count(b" ", start, end)
    if (
        data[start] != 32
        and data[end - 1] != 32
        and (spaces + 1) % per_frame == 0
        and data.find(b"  ", start, min(end, start + 4096)) < 0
        and not any(data.find(other, start, end) >= 0 for other in _OTHER_WHITESPACE)
        and (ascii_block or data[start:end].isascii())
    ):
        return spaces + 1
    try:
        return len(data[start:end].decode("utf-8").split())
    except UnicodeDecodeError:
        return -1


#: Bytes read at a time by `scan` (lines are found in place, not copied one by one).
SCAN_BLOCK = 4 << 20


def scan(path: Path, family: str, per_frame: int = 1) -> LineIndex:
    """Offsets, lengths and value counts of every line of ``path`` (split at ``\n`` only, as
    `signstudio.pose.formats.skels.read_family` splits them), read in blocks of `SCAN_BLOCK`."""
    found: tuple[list[int], list[int], list[int]] = ([], [], [])
    pos = 0  # file offset of the block's first byte
    carry = b""  # the start of a line the previous block ended in
    try:
        with open(path, "rb") as fh:
            while block := fh.read(SCAN_BLOCK):
                first = block.find(b"\n")
                if carry and first >= 0:  # the line across the boundary: its one small copy
                    _add_line(found, carry + block[: first + 1], 0, pos - len(carry), per_frame)
                    carry, begin = b"", first + 1
                else:
                    begin = 0
                begin = _scan_block(found, block, begin, pos, per_frame)
                carry = carry + block[begin:]
                pos += len(block)
        if carry:  # a last line without a line end
            _add_line(found, carry, 0, pos - len(carry), per_frame)
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or 'input/output error'}"
        raise FormatError(path, problem, f"byte {pos}") from None
    offsets, lengths, values = (np.asarray(column, np.int64) for column in found)
    return LineIndex(family, offsets, lengths, values)


def _scan_block(
    found: tuple[list[int], list[int], list[int]], block: bytes, begin: int, pos: int, per_frame: int
) -> int:
    """Index the whole lines of ``block`` from ``begin``; where the unfinished last one starts."""
    ascii_block = block.isascii()
    while (nl := block.find(b"\n", begin)) >= 0:
        found[0].append(pos + begin)
        found[1].append(nl + 1 - begin)
        found[2].append(_count_in(block, begin, nl, per_frame, ascii_block))
        begin = nl + 1
    return begin


def _add_line(
    found: tuple[list[int], list[int], list[int]], line: bytes, start: int, offset: int, per_frame: int
) -> None:
    end = line.find(b"\n")
    found[0].append(offset)
    found[1].append(len(line))
    found[2].append(_count_in(line, start, len(line) if end < 0 else end, per_frame, line.isascii()))


def cache_path(path: Path, cache_dir: Path) -> Path:
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_dir / f"{digest}.json"


def _stamp(path: Path) -> dict[str, object]:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def load_cached(path: Path, cache_dir: Path) -> LineIndex | None:
    """The cached index of ``path`` if one was made from this very file (path, size, mtime)."""
    try:
        blob = json.loads(cache_path(path, cache_dir).read_text("utf-8"))
        if blob.get("version") != INDEX_VERSION or blob.get("file") != _stamp(path):
            return None
        offsets = np.asarray(blob["offsets"], np.int64)
        values = np.asarray(blob["values"], np.int64)
        size = int(blob["file"]["size"])
        family = str(blob["family"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing or damaged: scan again
    if offsets.ndim != 1 or offsets.shape != values.shape or (len(offsets) and offsets[0] != 0):
        return None
    lengths = np.diff(np.append(offsets, size))
    if (lengths <= 0).any():
        return None
    return LineIndex(family, offsets, lengths, values, from_cache=True)


def save_cached(path: Path, index: LineIndex, cache_dir: Path) -> None:
    """Keep ``index`` for the next open; a disk that refuses it is not the dataset's problem."""
    from signstudio.pose.formats._atomic import atomic_path

    blob = {
        "version": INDEX_VERSION,
        "file": _stamp(path),
        "family": index.family,
        "offsets": index.offsets.tolist(),
        "values": index.values.tolist(),
    }
    target = cache_path(path, cache_dir)
    with contextlib.suppress(FormatError, OSError), atomic_path(target, make_parents=True) as tmp:
        tmp.write_text(json.dumps(blob, separators=(",", ":")), "utf-8")


def default_cache_dir() -> Path:
    from signstudio.corpus.store import data_dir

    return data_dir() / "dataset-index"


def line_index(
    path: Path, family_of: Callable[[], tuple[str, int]], cache_dir: Path | None = None
) -> LineIndex:
    """The index of ``path``, from the cache when it is current, else scanned (and cached).

    ``family_of``: a callable giving the family's registry name and values per frame (called on
    a scan only).
    """
    folder = default_cache_dir() if cache_dir is None else cache_dir
    cached = load_cached(path, folder)
    if cached is not None:
        return cached
    index = scan(path, *family_of())
    save_cached(path, index, folder)
    return index
