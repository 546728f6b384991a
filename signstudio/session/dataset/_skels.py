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

    Fast path (C-speed ``isascii``, ``count`` and ``in``; no float parsed, 2 GB/s here against
    1 GB/s for a ``translate`` pass): an ASCII line of values separated by single spaces, with no
    other whitespace, has ``spaces + 1`` values. Runs of spaces in its first 4 KiB (files padded by
    a ``%10.5f``-style writer have them everywhere) take the exact path, and so does a count that
    is not whole frames; a stray run of spaces further on is only miscounted when its extra spaces
    are a multiple of ``per_frame``, and then only the index's frame count is off, never the read
    (a letter among the numbers is found there too).
    """
    body = raw.rstrip(b"\n").rstrip(b"\r")
    if not body:
        return 0
    spaces = body.count(b" ")
    if (
        body.isascii()
        and body[:1] != b" "
        and body[-1:] != b" "
        and b"  " not in body[:4096]
        and (spaces + 1) % per_frame == 0
        and not any(other in body for other in _OTHER_WHITESPACE)
    ):
        return spaces + 1
    try:
        return len(raw.decode("utf-8").split())
    except UnicodeDecodeError:
        return -1


def scan(path: Path, family: str, per_frame: int = 1) -> LineIndex:
    """Offsets, lengths and value counts of every line of ``path`` (split at ``\\n`` only, as
    `signstudio.pose.formats.skels.read_family` splits them)."""
    offsets: list[int] = []
    lengths: list[int] = []
    values: list[int] = []
    pos = 0
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                offsets.append(pos)
                lengths.append(len(raw))
                values.append(count_values(raw, per_frame))
                pos += len(raw)
    except OSError as exc:
        raise FormatError(
            path, f"cannot read: {exc.strerror or 'input/output error'}", f"byte {pos}"
        ) from None
    return LineIndex(
        family,
        np.asarray(offsets, np.int64),
        np.asarray(lengths, np.int64),
        np.asarray(values, np.int64),
    )


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
