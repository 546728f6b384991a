"""``.h5`` files: SignStudio's own 3D variant, and Prompt2Sign's 2D keypoint files.

**SignStudio variant** (the default for writing; ``variant="signstudio"``). File attribute
``signstudio_format`` = `H5_VERSION` (int) and ``count`` = number of sequences. Sequence ``i``
is the group ``seq{i:06d}`` (so keys with ``/`` in them need no escaping) holding

* datasets ``data`` (F, J, 3) float32, ``confidence`` (F, J) float32, ``filled`` (F, J) bool,
  stored uncompressed with Fletcher-32 checksums;
* attributes ``fps`` (float64), ``layout`` (str), ``skeleton`` (JSON of ``Skeleton.to_dict()``),
  ``meta`` (JSON of ``meta``) and, for convenience, ``key`` (``meta["key"]`` when there is one).

Files are written with HDF5 1.10 object formats (readable by HDF5 >= 1.10), whose metadata is
checksummed too, so corruption is reported instead of read as numbers. A file is built in memory
and its bytes written atomically (`atomic_h5`): on a full or read-only disk that is one line,
where HDF5 writing there itself segfaulted and left its temporary file behind. Write → read is exact:
the arrays are bit-identical and ``meta`` comes back as JSON gives it (tuples become lists).

**Prompt2Sign 2D** (``variant="p2s-2d"``; read whenever the file has no ``signstudio_format``
attribute): one ``(T, 150)`` float32 dataset per video key at the root, each row 50 joints of
the ``upper50`` layout × ``(x, y, likelihood)``, joint-major (``x0 y0 c0 x1 y1 c1 ...``), as the
Prompt2Sign 2D→3D pipeline writes them (``2Dto3D/pipeline_demo_01_json2h5_*.py``). Reading gives a
2D sequence: z = 0, confidence = likelihood; a joint with x = y = 0 (OpenPose's "not detected")
or likelihood <= 0 is missing (confidence 0, coordinates 0). These files have no frame rate:
fps defaults to 25 (read option ``fps=``). Written only on request (``variant="p2s-2d"``):
sequences are converted to ``upper50``, z is dropped, missing joints are written as ``0 0 0``;
each dataset also gets the attributes ``fps`` and ``signstudio_meta`` (JSON) so that SignStudio
reads text, gloss and key back exactly (the Prompt2Sign tools ignore them). x, y and confidence
of present joints round-trip exactly; a present joint at exactly (0, 0) reads back as missing.
Keys with ``/`` would become HDF5 sub-groups, so ``/`` is written as ``|`` in the dataset name
(the original key is kept in ``signstudio_meta``).

**Reading hostile files.** Before a dataset is read, its shape × dtype is checked: an
uncompressed dataset cannot hold more than the file (more means unwritten fill-value chunks), and
all datasets of a file together may not unpack beyond its byte budget (64× the file size, at
least 32 MiB; `signstudio.pose.limits`), nor a sequence hold more points than the limit there.
A 1 MB file of gzip'd zeros declaring gigabytes is refused in one line, before any read.

``meta``: the SignStudio variant gives it back exactly as written, including the ``format``,
``source`` and ``convention`` of the file the sequence first came from (so .pose → .h5 → .pose
keeps the .pose header). A Prompt2Sign file gives ``format`` "h5", ``source``, ``key`` and
``convention`` = ``layout`` (upper50), ``variant`` (p2s-2d), ``scale`` (1), ``dims`` (2),
``values_per_frame`` (150), ``order``, ``fps`` and ``fps_assumed``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose import convert, limits
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.formats.npz import (
    build_sequence,
    check_writable,
    guarded,
    meta_from_json,
    meta_to_json,
    option_fps,
    parse_fps,
    skeleton_from_json,
)
from signstudio.pose.limits import Budget
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

H5_VERSION = 1
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
P2S_VALUES = 150
DEFAULT_FPS = 25.0
_LIBVER = ("v110", "v110")
_VARIANTS = ("signstudio", "p2s-2d")
_P2S_META = ("text", "gloss", "key", "sign_language", "spoken_language")


def _h5py() -> Any:
    import h5py

    return h5py


def _attr_text(path: Path, attrs: Any, name: str, where: str) -> str:
    if name not in attrs:
        raise FormatError(path, f"missing attribute '{name}'", where)
    value = attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                path, f"attribute '{name}' is not UTF-8 text (invalid byte at {exc.start})", where
            ) from None
    if not isinstance(value, str):
        raise FormatError(path, f"attribute '{name}' is not text", where)
    return value


def _read_dataset(path: Path, group: Any, name: str, where: str, budget: Budget) -> np.ndarray:
    """A numeric dataset, its shape × dtype checked against the file's budget before reading."""
    h5py = _h5py()
    if name not in group:
        raise FormatError(path, f"missing dataset '{name}'", where)
    ds = group[name]
    if not isinstance(ds, h5py.Dataset):
        raise FormatError(path, f"'{name}' is not a dataset", where)
    if ds.dtype.kind not in "fiub":
        raise FormatError(path, f"dataset has dtype {ds.dtype}, not numbers", where)
    nbytes = int(ds.size) * ds.dtype.itemsize
    if not ds.compression and nbytes > budget.file_size + 4096:
        # uncompressed data is stored as it is: more than the file means unwritten (fill) chunks
        raise FormatError(path, f"dataset claims {limits.human(nbytes)}, more than the file can hold", where)
    budget.take(nbytes, f"dataset '{ds.name.lstrip('/')}'", where)
    try:
        return np.asarray(ds[()])
    except MemoryError:
        raise FormatError(path, "dataset is too large to read into memory", where) from None
    except Exception as exc:  # a damaged chunk: name the dataset it belongs to
        raise FormatError(path, _h5_problem(exc), where) from None


# ---- reading -------------------------------------------------------------------------------------


def _read_signstudio(path: Path, f: Any, budget: Budget) -> list[PoseSequence]:
    try:
        version = int(np.asarray(f.attrs["signstudio_format"]).reshape(()))
    except (TypeError, ValueError):
        raise FormatError(path, "attribute 'signstudio_format' is not an integer version", "key /") from None
    if not 1 <= version <= H5_VERSION:
        raise FormatError(path, f"format version {version} is not supported (reads 1..{H5_VERSION})", "key /")
    names = sorted(n for n in f if n.startswith("seq"))
    if not names:
        raise FormatError(path, "holds no sequence (no seq* groups)", "key /")
    return [read_signstudio_group(path, f, name, budget) for name in names]


def read_signstudio_group(path: Path, f: Any, name: str, budget: Budget) -> PoseSequence:
    """One ``seq*`` group of an open SignStudio ``.h5`` (a dataset reads one on demand)."""
    h5py = _h5py()
    group = f[name]
    where = f"key {name}"
    if not isinstance(group, h5py.Group):
        raise FormatError(path, "is not a group", where)
    shape = getattr(group.get("data"), "shape", None)
    if shape is not None and len(shape) == 3:  # before any read: a few KB may claim terabytes
        limits.check_points(path, int(shape[0]), int(shape[1]), f"key {name}/data")
    data = _read_dataset(path, group, "data", f"key {name}/data", budget)
    conf = _read_dataset(path, group, "confidence", f"key {name}/confidence", budget)
    filled = _read_dataset(path, group, "filled", f"key {name}/filled", budget)
    if "fps" not in group.attrs:
        raise FormatError(path, "missing attribute 'fps'", f"{where}/@fps")
    fps = parse_fps(path, group.attrs["fps"], f"{where}/@fps")
    skeleton = skeleton_from_json(
        path, _attr_text(path, group.attrs, "skeleton", f"{where}/@skeleton"), f"{where}/@skeleton"
    )
    meta = meta_from_json(path, _attr_text(path, group.attrs, "meta", f"{where}/@meta"), f"{where}/@meta")
    return build_sequence(path, data, conf, filled, fps, skeleton, meta, f"{where}/")


def _read_p2s(path: Path, f: Any, budget: Budget, fps_option: Any) -> list[PoseSequence]:
    names = list(f)
    if not names:
        raise FormatError(path, "holds no datasets (a Prompt2Sign .h5 has one (T, 150) dataset per video)")
    return [read_p2s_dataset(path, f, name, budget, fps_option) for name in names]


def read_p2s_dataset(path: Path, f: Any, name: str, budget: Budget, fps_option: Any = None) -> PoseSequence:
    """One ``(T, 150)`` dataset of an open Prompt2Sign ``.h5`` (a dataset reads one on demand)."""
    h5py = _h5py()
    where = f"key {name}"
    obj = f[name]
    if not isinstance(obj, h5py.Dataset):
        raise FormatError(path, "is a group, expected a (T, 150) dataset of 2D keypoints", where)
    if obj.ndim != 2 or obj.shape[1] != P2S_VALUES:
        raise FormatError(path, f"dataset has shape {obj.shape}, expected (T, {P2S_VALUES})", where)
    limits.check_points(path, int(obj.shape[0]), 50, where)
    # float32 as Prompt2Sign stores it: no float64 copy of a big clip
    raw = _read_dataset(path, f, name, where, budget).astype(np.float32, copy=False)
    if raw.shape[0] == 0:
        raise FormatError(path, "holds zero frames", where)
    bad = np.argwhere(~np.isfinite(raw))
    if len(bad):
        t, v = (int(i) for i in bad[0])
        raise FormatError(path, "NaN or infinite value", f"{where}, frame {t}, joint {v // 3}")
    meta: dict[str, Any] = {}
    if "signstudio_meta" in obj.attrs:
        meta = meta_from_json(
            path, _attr_text(path, obj.attrs, "signstudio_meta", where), f"{where}/@signstudio_meta"
        )
    fps, given = option_fps(path, fps_option, DEFAULT_FPS)
    if not given and "fps" in obj.attrs:
        fps, given = parse_fps(path, obj.attrs["fps"], f"{where}/@fps"), True
    vals = raw.reshape(raw.shape[0], 50, 3)
    data = np.zeros((raw.shape[0], 50, 3), np.float32)
    data[..., :2] = vals[..., :2]
    conf = vals[..., 2].copy()
    missing = ((vals[..., 0] == 0) & (vals[..., 1] == 0)) | (conf <= 0)
    conf[missing] = 0.0
    data[missing] = 0.0
    meta.setdefault("key", name)
    meta.update(
        {
            "format": "h5",
            "source": str(path),
            "convention": {
                "layout": "upper50",
                "variant": "p2s-2d",
                "scale": 1.0,
                "dims": 2,
                "values_per_frame": P2S_VALUES,
                "order": "joint-major x, y, likelihood",
                "fps": fps,
                "fps_assumed": not given,
            },
        }
    )
    return PoseSequence(data, conf, fps, get_layout("upper50"), meta)


def read_h5(path: Path, variant: str | None = None, fps: Any = None, **_: Any) -> list[PoseSequence]:
    """Read either variant (by the ``signstudio_format`` attribute, or forced with ``variant=``)."""
    if variant is not None and variant not in _VARIANTS:
        raise FormatError(path, f"unknown h5 variant {variant!r} (known: {', '.join(_VARIANTS)})")
    size = path.stat().st_size
    if size == 0:
        raise FormatError(path, "file is empty", "byte 0")
    with open(path, "rb") as fh:
        if fh.read(8) != HDF5_MAGIC:
            raise FormatError(path, "not an HDF5 file (bad signature)", "byte 0")
    h5py = _h5py()
    budget = Budget(path, size)
    # Where a library error without a place of its own happened: opening reads the superblock and
    # root group; after that, the objects the reader walks.
    where = "superblock (file structure)"
    try:
        with h5py.File(path, "r") as f:
            where = "object headers (file structure)"
            ours = "signstudio_format" in f.attrs
            if variant == "signstudio" or (variant is None and ours):
                if not ours:
                    raise FormatError(
                        path, "missing attribute 'signstudio_format' (not a SignStudio .h5)", "key /"
                    )
                return _read_signstudio(path, f, budget)
            return _read_p2s(path, f, budget, fps)
    except FormatError:
        raise
    except MemoryError:
        raise FormatError(path, "too large to read into memory (read as HDF5)") from None
    except Exception as exc:  # h5py raises OSError/KeyError/RuntimeError/... on damaged files
        raise FormatError(path, _h5_problem(exc), where) from None


def _h5_problem(exc: BaseException) -> str:
    """An HDF5 library error in our words (never its text, which runs to many lines)."""
    text = str(exc).lower()
    if "truncated" in text or "eof" in text:
        return "damaged HDF5 file: it is cut short"
    if "checksum" in text or "fletcher" in text:
        return "damaged HDF5 file: a checksum does not match (the bytes were changed)"
    if "filter" in text or "inflate" in text or "decompress" in text:
        return "damaged HDF5 file: compressed data cannot be unpacked"
    return "damaged or unreadable HDF5 file (HDF5 could not read its structure)"


# ---- writing -------------------------------------------------------------------------------------


def _write_signstudio_group(f: Any, index: int, seq: PoseSequence, path: Path) -> None:
    assert seq.filled is not None
    g = f.create_group(f"seq{index:06d}")
    for name, arr in (
        ("data", np.ascontiguousarray(seq.data, np.float32)),
        ("confidence", np.ascontiguousarray(seq.confidence, np.float32)),
        ("filled", np.ascontiguousarray(seq.filled, bool)),
    ):
        g.create_dataset(name, data=arr, fletcher32=True)
    g.attrs["fps"] = np.float64(seq.fps)
    g.attrs["layout"] = seq.layout
    g.attrs["skeleton"] = json.dumps(seq.skeleton.to_dict())
    g.attrs["meta"] = meta_to_json(path, seq.meta, f"sequence {index}")
    if isinstance(seq.meta.get("key"), str):
        g.attrs["key"] = seq.meta["key"]


def _p2s_rows(path: Path, seq: PoseSequence, index: int) -> np.ndarray:
    if seq.layout != "upper50":
        try:
            seq = convert.convert(seq, "upper50")
        except (ValueError, KeyError) as exc:
            raise FormatError(
                path, f"cannot write layout {seq.layout} as Prompt2Sign .h5: {exc}", f"sequence {index}"
            ) from None
    present = seq.confidence > 0
    rows = np.zeros((seq.num_frames, 50, 3), np.float32)
    rows[..., :2] = np.where(present[..., None], seq.data[..., :2], 0.0)
    rows[..., 2] = np.where(present, seq.confidence, 0.0)
    return rows.reshape(seq.num_frames, P2S_VALUES)


def write_h5(path: Path, seqs: list[PoseSequence], variant: str = "signstudio", **_: Any) -> None:
    """Write sequences atomically: ``variant="signstudio"`` (default, exact 3D) or ``"p2s-2d"``."""
    if variant not in _VARIANTS:
        raise FormatError(path, f"unknown h5 variant {variant!r} (known: {', '.join(_VARIANTS)})")
    for i, seq in enumerate(seqs):
        check_writable(path, seq, i)
    if variant == "p2s-2d":
        items = []
        seen: set[str] = set()
        for i, seq in enumerate(seqs):
            key = seq.meta.get("key")
            name = str(key).replace("/", "|") if key not in (None, "") else f"seq{i:06d}"
            if name in seen or name in (".", ".."):
                raise FormatError(path, f"duplicate or invalid dataset name {name!r}", f"sequence {i}")
            seen.add(name)
            extra = {k: v for k, v in seq.meta.items() if k in _P2S_META}
            items.append((name, _p2s_rows(path, seq, i), seq.fps, meta_to_json(path, extra, f"sequence {i}")))

        def fill_p2s(f: Any) -> None:
            for name, rows, fps, meta_json in items:
                ds = f.create_dataset(name, data=rows, dtype="float32")
                ds.attrs["fps"] = np.float64(fps)
                ds.attrs["signstudio_meta"] = meta_json

        write_h5_image(path, fill_p2s)
        return

    def fill(f: Any) -> None:
        f.attrs["signstudio_format"] = np.int64(H5_VERSION)
        f.attrs["count"] = np.int64(len(seqs))
        for i, seq in enumerate(seqs):
            _write_signstudio_group(f, i, seq, path)

    write_h5_image(path, fill)


_images = itertools.count()


def write_h5_image(path: str | Path, fill: Callable[[Any], None], make_parents: bool = False) -> None:
    """``fill(h5file)`` on an in-memory HDF5 file, then its bytes written atomically to ``path``
    (`atomic_h5`)."""
    with atomic_h5(path, make_parents) as f:
        fill(f)


@contextlib.contextmanager
def atomic_h5(path: str | Path, make_parents: bool = False, **kwargs: Any) -> Iterator[Any]:
    """An ``h5py.File`` built in memory (the core driver, no backing store); on success its
    image is written to ``path`` through the atomic writer, on an error nothing is written.

    HDF5 never touches the destination disk: writing there directly, a full disk made the C
    library fail mid-flush, print ~30 tracebacks, segfault (rc 139) and leave its ``.part`` behind
    (issue 18); here it is one `FormatError` line. Costs the file's size in memory.
    ``kwargs`` go to ``h5py.File`` (``libver`` defaults to HDF5 1.10's formats).
    """
    h5py = _h5py()
    name = f"signstudio-memory-{os.getpid()}-{threading.get_ident()}-{next(_images)}.h5"
    kwargs.setdefault("libver", _LIBVER)
    with h5py.File(name, "w", driver="core", backing_store=False, **kwargs) as f:
        yield f
        f.flush()
        image = f.id.get_file_image()
    with atomic_path(path, make_parents) as tmp, open(tmp, "wb") as fh:
        fh.write(image)


def _sniff(path: Path, head: bytes) -> float:
    if head.startswith(HDF5_MAGIC):
        return 0.95
    try:
        return 0.55 if path.suffix.lower() in (".h5", ".hdf5") and path.is_file() else 0.0
    except OSError:
        return 0.0


SPEC = register(
    FormatSpec(
        "h5",
        "HDF5: SignStudio 3D sequences (default) or Prompt2Sign (T, 150) 2D keypoints",
        (".h5", ".hdf5"),
        _sniff,
        guarded("h5", read_h5),
        write_h5,
        options={
            "variant": "signstudio (default for writing) | p2s-2d (Prompt2Sign (T,150) x,y,likelihood)",
            "fps": "frame rate of Prompt2Sign files (default 25)",
        },
    )
)
