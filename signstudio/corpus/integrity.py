"""The corpus cache's seal: a format number and a sha256 of the payload, inside the cache file.

The cache is an HDF5 file written with a 512-byte *user block*, which HDF5 leaves to the
application (every HDF5 reader, h5py included, finds the superblock at byte 512 by itself). After
the file is complete, `seal` writes into that block, in ASCII padded with NUL bytes:

    SIGNSTUDIO CORPUS CACHE
    format 2
    bytes <length of the payload, bytes 512..end>
    sha256 <hex digest of the payload>

`check` runs on every open (`signstudio.corpus.store.Corpus`): it reads the block, compares the
length and hashes the payload: ~30 ms for the 48 MB default cache (sha256 with the CPU's SHA
instructions; the HDF5 open itself is ~1 ms). Any changed byte is found: in the payload by the
digest, in the block because it must be byte for byte the block its own values make.

What a problem is called (`CacheError.kind`), each one line naming the file, with the remedy:

* ``damaged``: checksum mismatch, a payload shorter or longer than sealed, or an unreadable block
  that still looks like ours (at most a few bytes of the first line differ);
* ``old``: an HDF5 corpus cache without the block, built before format 2. Decision: refused like a
  damaged one with the same remedy (rebuild), because nothing can tell it is intact; the default
  cache's name carries the format (`CorpusSettings.version_key`), so a default cache of an older
  version is simply "not built" and ``signstudio corpus build`` (bootstrap runs it) makes the
  sealed one beside it;
* ``foreign``: another program's file (e.g. a pose ``.h5`` given as ``--corpus``).
"""

from __future__ import annotations

import hashlib
import mmap
from pathlib import Path

from signstudio.pose.errors import FormatError

FORMAT = 2
BLOCK = 512  # the HDF5 user block: a power of two >= 512
MAGIC = b"SIGNSTUDIO CORPUS CACHE\n"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class CacheError(FormatError):
    """A corpus cache that cannot be used: ``kind`` is damaged, old, foreign or missing."""

    def __init__(self, path: Path, kind: str, problem: str):
        super().__init__(path, problem)
        self.kind = kind


def _block(length: int, digest: str) -> bytes:
    text = MAGIC + f"format {FORMAT}\nbytes {length}\nsha256 {digest}\n".encode("ascii")
    return text.ljust(BLOCK, b"\0")


def _payload_digest(path: Path) -> tuple[int, str]:
    """(length, sha256) of bytes BLOCK..end; mapped, not read in chunks (32 ms, not 41, for 48 MB)."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        view = memoryview(mapped)[BLOCK:]
        try:
            return len(view), hashlib.sha256(view).hexdigest()
        finally:
            view.release()


def sealed(image: bytes) -> bytes:
    """A cache built in memory, sealed: our block, then the HDF5 image (built WITHOUT a user
    block: the core driver's image starts at its superblock; HDF5 finds it at offset BLOCK and
    takes that as the file's base address, as for a file written with ``userblock_size=BLOCK``)."""
    return _block(len(image), hashlib.sha256(image).hexdigest()) + image


def seal(path: Path) -> None:
    """Write the block of a complete cache written with ``userblock_size=BLOCK``."""
    length, digest = _payload_digest(path)
    with path.open("r+b") as fh:
        fh.write(_block(length, digest))


def _parse(block: bytes) -> tuple[int, str] | None:
    """(length, digest) of a block that is exactly the canonical block for them, else None."""
    try:
        lines = block.rstrip(b"\0").decode("ascii").split("\n")
        if len(lines) != 5 or lines[1] != f"format {FORMAT}" or lines[4]:
            return None
        length = int(lines[2].removeprefix("bytes "))
        digest = lines[3].removeprefix("sha256 ")
    except (UnicodeDecodeError, ValueError):
        return None
    return (length, digest) if _block(length, digest) == block else None


def _looks_like_ours(block: bytes) -> bool:
    """A block whose first line is MAGIC but for a few flipped bytes (damage, not another file)."""
    differing = sum(a != b for a, b in zip(block[: len(MAGIC)], MAGIC, strict=True))
    return differing <= 3 or b"\nsha256 " in block


def _unsealed(path: Path, remedy: str) -> CacheError:
    """An HDF5 file without our block: a cache of an older version, or another program's file."""
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            ours = "version_key" in h5.attrs and "letters" in h5
    except Exception:  # h5py raises OSError and others for damaged files: either way not usable
        ours = True  # our suffix and HDF5's signature: most likely an old cache, damaged too
    if ours:
        return CacheError(
            path,
            "old",
            "the corpus cache was built by an older version of SignStudio (no checksum); "
            f"rebuild it with: {remedy}",
        )
    return CacheError(path, "foreign", "not a SignStudio corpus cache (an HDF5 file without its version key)")


def check(path: Path, remedy: str) -> None:
    """Raise `CacheError` unless ``path`` is a sealed cache whose payload matches its digest.

    remedy: the command that rebuilds this cache, quoted in the message."""
    path = Path(path)
    if path.is_dir():
        raise CacheError(path, "foreign", "a folder, not a corpus cache file")
    try:
        with path.open("rb") as fh:
            block = fh.read(BLOCK)
        size = path.stat().st_size
    except OSError as exc:
        raise CacheError(path, "damaged", f"cannot read the corpus cache ({exc.strerror or exc})") from None
    damaged = f"the corpus cache is damaged ({{}}); rebuild it with: {remedy}"
    if not block.startswith(MAGIC):
        if block.startswith(HDF5_SIGNATURE):
            raise _unsealed(path, remedy)
        if len(block) == BLOCK and _looks_like_ours(block):
            raise CacheError(path, "damaged", damaged.format("header unreadable"))
        raise CacheError(path, "foreign", "not a SignStudio corpus cache (no cache header at byte 0)")
    sealed = _parse(block)
    if sealed is None:
        raise CacheError(path, "damaged", damaged.format("header unreadable"))
    length, digest = sealed
    if size - BLOCK != length:
        what = "truncated" if size - BLOCK < length else "longer than written"
        raise CacheError(path, "damaged", damaged.format(f"{what}: {size} bytes, {length + BLOCK} written"))
    if _payload_digest(path)[1] != digest:
        raise CacheError(path, "damaged", damaged.format("checksum mismatch"))
