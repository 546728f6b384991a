"""Pose file formats: one registry, sniffing by extension and content.

    read(path)            -> list[PoseSequence]   (a file may hold many: .skels lines, .h5 keys)
    read_one(path)        -> PoseSequence         (the first, or the one named by ``key``)
    write(path, seqs)     writes atomically; ``format=`` overrides the extension

Each family lives in its own module and registers a `FormatSpec`. Every reader raises
`FormatError` (file, problem, place) for bad input and nothing else.

`read` keeps that contract for every family at once:

* a file that reads is valid all the way down: at least one frame, finite values, and a skeleton
  that `signstudio.pose.skeleton.validate_skeleton` accepts (bone indices in range, no self-loops,
  a mirror map that is a permutation and its own inverse, unique component names, names with a
  UTF-8 form, the data's joint count). Otherwise one `FormatError` at read time, placed in the
  header (``.pose``) or the stored skeleton (``header, component 'POSE_LANDMARKS', limb 7``), so
  that `info`, `convert`, `render` and the app refuse the file alike instead of crashing later;
* whatever a library raised on hostile bytes (UnicodeDecodeError, struct.error, BadZipFile,
  zlib/bz2 errors, KeyError, MemoryError ...), raised or wrapped by a reader, is said in our
  words (`signstudio.pose.errors.in_our_words`) with the reader's place; where no reader knew a
  place, the place is ``whole file``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signstudio.pose.errors import FormatError, SkeletonError, in_our_words
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import validate_skeleton

Reader = Callable[..., list[PoseSequence]]
Writer = Callable[..., None]


@dataclass(frozen=True)
class FormatSpec:
    """One file format family.

    name: registry id (``pose``, ``pt-skels``, ``p2s-legacy``, ``p2s-2025``, ``h5``, ``openpose``,
    ``amass``, ``npz``).
    extensions: lower-case suffixes it claims (``.skels``); a directory format uses ``"/"``.
    sniff: (path, first 4 KiB) -> confidence 0..1 that the file is of this format.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    sniff: Callable[[Path, bytes], float]
    read: Reader | None = None
    write: Writer | None = None
    options: dict[str, str] = field(default_factory=dict)


_REGISTRY: dict[str, FormatSpec] = {}


def register(spec: FormatSpec) -> FormatSpec:
    _REGISTRY[spec.name] = spec
    return spec


def formats() -> dict[str, FormatSpec]:
    _load_all()
    return dict(_REGISTRY)


def _load_all() -> None:
    # Import the family modules for their registrations (cheap: heavy deps import lazily).
    from signstudio.pose.formats import (  # noqa: F401
        amass,
        bvh,
        eaf,
        h5,
        npz,
        openpose,
        poseformat,
        skels,
    )


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with open(path, "rb") as fh:
        return fh.read(4096)


def detect(path: str | Path, for_writing: bool = False) -> FormatSpec:
    """The format of ``path``: by content for existing files (extension breaks ties)."""
    _load_all()
    p = Path(path)
    # Writing, the extension decides (a folder named like a file is the writer's to refuse).
    suffix = "/" if p.is_dir() and not for_writing else "".join(p.suffixes[-1:]).lower()
    candidates = [s for s in _REGISTRY.values() if (s.write if for_writing else s.read)]
    if for_writing or not p.exists():
        by_ext = [s for s in candidates if suffix in s.extensions]
        if not by_ext:
            raise FormatError(p, f"unknown file type {suffix or '(no extension)'!r}")
        return by_ext[0]
    try:
        head = _head(p)
    except OSError as exc:
        raise FormatError(p, f"cannot open: {exc.strerror or exc}") from None
    scored = sorted(
        ((s.sniff(p, head) + (0.01 if suffix in s.extensions else 0.0), s) for s in candidates),
        key=lambda x: -x[0],
    )
    best_score, best = scored[0]
    if best_score < 0.5:
        if p.is_file() and p.stat().st_size == 0:
            raise FormatError(p, "file is empty", "byte 0")
        place = "folder" if p.is_dir() else "first 4 KiB"
        raise FormatError(p, "not a pose file SignStudio can read (no format recognised its content)", place)
    return best


def spec_named(name: str, path: str | Path | None = None) -> FormatSpec:
    known = formats()
    if name not in known:
        raise FormatError(path, f"unknown format {name!r} (known: {', '.join(sorted(known))})")
    return known[name]


def read(path: str | Path, format: str | None = None, **options: Any) -> list[PoseSequence]:
    p = Path(path)
    if not p.exists():
        raise FormatError(p, "no such file or folder")
    spec = spec_named(format, p) if format else detect(p)
    assert spec.read is not None
    try:
        seqs = spec.read(p, **options)
    except FormatError as exc:
        raise in_our_words(p, exc) from None
    except Exception as exc:
        # Library errors on malformed content (struct.error, MemoryError, zipfile/zlib errors
        # included) become one-line FormatErrors in our words.
        raise in_our_words(p, exc) from None
    _check_read(p, spec.name, seqs)
    return seqs


def _check_read(path: Path, name: str, seqs: list[PoseSequence]) -> None:
    """The contract every reader keeps, enforced once more: frames > 0, finite values, and a
    skeleton that everything downstream can trust (`validate_skeleton`)."""
    for i, seq in enumerate(seqs):
        check_sequence(path, name, seq, f"sequence {i}" if len(seqs) > 1 else None)


def check_sequence(path: str | Path, name: str, seq: PoseSequence, where: str | None = None) -> None:
    """`read`'s contract for one sequence read on its own (a dataset's on-demand read): the same
    checks, the same one-line `FormatError`; ``where`` names the sequence (``sequence 3``)."""
    import numpy as np

    if seq.num_frames == 0:
        raise FormatError(path, "holds zero frames", where or "sequence 0")
    for what, arr in (("a coordinate", seq.data), ("a confidence", seq.confidence)):
        bad = ~np.isfinite(arr)
        if bad.any():
            frame = int(np.argwhere(bad)[0][0])
            place = f"{where}, frame {frame}" if where else f"frame {frame}"
            raise FormatError(path, f"{what} is NaN or infinite (read as {name})", place)
    try:
        validate_skeleton(seq.skeleton, seq.num_joints)
    except SkeletonError as exc:
        # A .pose file's skeleton is its header; the other formats store it as a skeleton.
        head = "header" if name == "pose" else "skeleton"
        inner = exc.where.removeprefix("skeleton").lstrip(", ")
        key = seq.meta.get("key")
        seq_place = f"key {key}" if isinstance(key, str) and key else where
        place = ", ".join(x for x in (seq_place, head, inner) if x)
        raise FormatError(path, f"the skeleton is not valid: {exc.problem}", place) from None


def read_one(path: str | Path, key: str | int | None = None, **options: Any) -> PoseSequence:
    seqs = read(path, **options)
    if not seqs:
        raise FormatError(path, "holds no sequence")
    if key is None:
        return seqs[0]
    if isinstance(key, int):
        if not 0 <= key < len(seqs):
            raise FormatError(path, f"has {len(seqs)} sequences, no index {key}")
        return seqs[key]
    for s in seqs:
        if s.meta.get("key") == key:
            return s
    raise FormatError(path, f"no sequence with key {key!r}")


def write(
    path: str | Path, seqs: PoseSequence | Sequence[PoseSequence], format: str | None = None, **options: Any
) -> None:
    items_ = [seqs] if isinstance(seqs, PoseSequence) else list(seqs)
    if format is None and items_:
        # A sequence read from, say, a Prompt2Sign legacy .skels goes back to that family when the
        # extension fits, so its convention (scale 9, counter 1/T..1) survives the round trip.
        own = formats().get(str(items_[0].meta.get("format", "")))
        suffix = Path(path).suffix.lower()
        if own is not None and own.write is not None and suffix in own.extensions:
            format = own.name
    spec = spec_named(format, path) if format else detect(path, for_writing=True)
    if spec.write is None:
        raise FormatError(path, f"format {spec.name} can be read but not written")
    items = [seqs] if isinstance(seqs, PoseSequence) else list(seqs)
    if not items:
        raise FormatError(path, "nothing to write (no sequence)")
    spec.write(Path(path), items, **options)


__all__ = [
    "FormatError",
    "FormatSpec",
    "check_sequence",
    "detect",
    "formats",
    "read",
    "read_one",
    "register",
    "write",
]
