"""SignStudio's own ``.npz``: one sequence per file, exact round trips.

Members (each a ``.npy`` inside the zip, written with ``numpy.savez_compressed``, never pickled):

=====================  ==========================  ===========================================
key                    array                       meaning
=====================  ==========================  ===========================================
``signstudio_format``  () int64                    format version (`NPZ_VERSION`)
``data``               (F, J, 3) float32           coordinates
``confidence``         (F, J) float32              0 = missing
``filled``             (F, J) bool                 True where a point was interpolated
``fps``                () float64                  frames per second
``skeleton``           () bytes                    UTF-8 JSON of ``Skeleton.to_dict()``
``meta``               () bytes                    UTF-8 JSON of ``meta``
=====================  ==========================  ===========================================

Every array is stored as it is in memory, so write → read gives bit-identical ``data``,
``confidence`` and ``filled``, the same fps and skeleton, and ``meta`` as JSON gives it back
(tuples come back as lists) — including the ``format``, ``source`` and ``convention`` of the
file the sequence first came from, so that e.g. .pose → .npz → .pose keeps the .pose header.
``meta`` must be JSON-serialisable (numpy scalars and arrays are turned into numbers and lists);
anything else makes the writer raise `FormatError`.

It is told apart from an AMASS ``.npz`` (see ``amass.py``) by its member names: ours has
``signstudio_format``, AMASS has ``poses``/``trans``. The zip is read member by member, unpacked
step by step (``_zipstream.py``: zipfile's own stream unpacks 4 KB of bzip2 or lzma input at once,
which can be hundreds of MB), never trusting the sizes the zip declares: each ``.npy`` header's shape × dtype
is checked against the file's byte budget (`signstudio.pose.limits`: 64× the file size, at least
32 MiB, shared by all members) before its array is allocated, and the stream is read only up to
the bytes that shape needs, so a small hostile file (a zip bomb) is refused in one line instead of
unpacking gigabytes.

This module also holds the small helpers the other binary formats share (meta as JSON, array
checks, the safe ``.npz`` loader).
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.formats._zipstream import MemberStream
from signstudio.pose.limits import Budget, check_points
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import Skeleton

NPZ_VERSION = 1
ZIP_MAGIC = b"PK\x03\x04"
#: Keys whose presence marks an AMASS / SMPL-family motion file.
AMASS_KEYS = frozenset({"poses", "trans", "mocap_framerate", "mocap_frame_rate", "root_orient", "pose_body"})
_REQUIRED = ("signstudio_format", "data", "confidence", "filled", "fps", "skeleton", "meta")


# ---- shared helpers ----------------------------------------------------------------------------


def _jsonable(value: Any, where: str) -> Any:
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: key {k!r} is not a string")
            out[k] = _jsonable(v, f"{where}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [_jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), where)
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{where} is a {type(value).__name__}, which JSON cannot hold")


def meta_to_json(path: str | Path, meta: Mapping[str, Any], where: str | None = None) -> str:
    """``meta`` as a JSON string; numpy values become numbers/lists, other objects are refused."""
    try:
        return json.dumps(meta, ensure_ascii=False, allow_nan=True)  # the common, fast case
    except (TypeError, ValueError):
        pass
    try:
        return json.dumps(_jsonable(meta, "meta"), ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise FormatError(path, f"cannot store meta as JSON: {exc}", where) from None


def meta_from_json(path: str | Path, text: Any, where: str) -> dict[str, Any]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise FormatError(path, f"meta is not UTF-8 text (invalid byte at {exc.start})", where) from None
    if not isinstance(text, str):
        raise FormatError(path, f"meta is a {type(text).__name__}, not JSON text", where)
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            path, f"meta is not valid JSON (it breaks off at character {exc.pos})", where
        ) from None
    except (ValueError, RecursionError):
        raise FormatError(path, "meta is not valid JSON", where) from None
    if not isinstance(meta, dict):
        raise FormatError(path, f"meta is a JSON {type(meta).__name__}, not an object", where)
    return meta


def skeleton_from_json(path: str | Path, text: Any, where: str) -> Skeleton:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="strict")
    if not isinstance(text, str):
        raise FormatError(path, f"skeleton is a {type(text).__name__}, not JSON text", where)
    try:
        return Skeleton.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FormatError(
            path, f"skeleton JSON is not a valid skeleton ({type(exc).__name__}: {exc})", where
        ) from None


def first_nonfinite(arr: np.ndarray) -> tuple[int, ...] | None:
    """Index of the first NaN/inf entry of ``arr``, or None."""
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    return tuple(int(i) for i in np.argwhere(bad)[0])


def check_finite(path: str | Path, arr: np.ndarray, what: str, where: str = "") -> None:
    """Raise `FormatError` naming the frame of the first NaN/inf in ``arr`` (frames on axis 0)."""
    idx = first_nonfinite(arr)
    if idx is not None:
        place = f"{where}, frame {idx[0]}" if where else f"frame {idx[0]}"
        if len(idx) > 1:
            place += f", joint {idx[1]}"
        raise FormatError(path, f"{what} is NaN or infinite", place)


def check_writable(path: str | Path, seq: PoseSequence, index: int) -> None:
    """What every writer refuses: zero frames and non-finite values (they could not be read back)."""
    where = f"sequence {index}"
    if seq.num_frames == 0:
        raise FormatError(path, "cannot write a sequence with zero frames", where)
    check_finite(path, seq.data, "a coordinate", where)
    check_finite(path, seq.confidence, "a confidence", where)


def parse_fps(path: str | Path, value: Any, where: str) -> float:
    try:
        fps = float(np.asarray(value).reshape(()))
    except (TypeError, ValueError):
        raise FormatError(path, f"fps is not one number ({np.asarray(value).dtype} value)", where) from None
    if not math.isfinite(fps) or fps <= 0:
        raise FormatError(path, f"fps must be a positive number, got {fps}", where)
    return fps


def option_fps(path: str | Path, fps: Any, default: float) -> tuple[float, bool]:
    """The ``fps=`` read option (or ``default``), and whether it was given."""
    if fps is None:
        return float(default), False
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise FormatError(path, f"option fps={fps!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise FormatError(path, f"option fps={fps!r} must be positive")
    return value, True


def guarded(name: str, reader: Callable[..., list[PoseSequence]]) -> Callable[..., list[PoseSequence]]:
    """``reader`` wrapped so that bad input can only ever raise `FormatError`.

    numpy floating-point warnings are silenced inside (readers check finiteness themselves), and
    anything a library raises on hostile bytes (MemoryError, RecursionError, struct.error ...)
    becomes a one-line `FormatError` naming the format, in our words (never the library's text).
    """

    def read(path: Path, **options: Any) -> list[PoseSequence]:
        try:
            with np.errstate(all="ignore"):
                return reader(path, **options)
        except FormatError:
            raise
        except MemoryError:
            raise FormatError(path, f"too large to read into memory (read as {name})") from None
        except RecursionError:
            raise FormatError(path, f"nested too deeply to read (read as {name})") from None
        except Exception:
            raise FormatError(
                path, f"cannot read as {name}: the content is damaged or not of this format"
            ) from None

    read.__doc__ = reader.__doc__
    read.__name__ = getattr(reader, "__name__", name)
    return read


# ---- safe .npz loading ---------------------------------------------------------------------------


def _zip_problem(exc: BaseException) -> str:
    """A zip library error in our words (never its text)."""
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return "is damaged: its checksum does not match its data"
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "is damaged or cut short: not a complete zip archive"
    if isinstance(exc, NotImplementedError):
        return "uses a zip compression SignStudio cannot unpack"
    if isinstance(exc, RuntimeError):
        return "is encrypted"
    if isinstance(exc, OSError):
        return f"cannot be read ({exc.strerror or 'input/output error'})"
    return "is damaged: its compressed data cannot be unpacked"


def npz_members(path: Path) -> list[str]:
    """The array names in an .npz (zip) file; raises `FormatError` if it is not a zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except Exception as exc:  # BadZipFile, OSError, ValueError, EOFError, NotImplementedError ...
        raise FormatError(
            path, f"not a valid .npz: the archive {_zip_problem(exc)}", "zip directory"
        ) from None
    return [n[:-4] for n in names if n.endswith(".npy")]


#: Bytes read from a member per step, so that a lying member stops at the budget.
_STEP = 1 << 22


def _read_header(path: Path, fp: Any, where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise FormatError(path, f"unsupported .npy version {version[0]}.{version[1]}", where)
    if dtype.hasobject:
        raise FormatError(path, "holds Python objects (pickled data is never loaded)", where)
    return tuple(int(s) for s in shape), bool(fortran), dtype


def _read_member(path: Path, zf: zipfile.ZipFile, key: str, budget: Budget) -> np.ndarray:
    """One member, its .npy header checked against the budget before anything is allocated.

    The zip's declared sizes are not trusted: the member is unpacked by `MemberStream` (deflate,
    bzip2, lzma or stored) in steps of at most 4 MB of output, never past the bytes its header's
    shape needs, and those must be what the zip declares (its CRC is checked at the end).
    """
    where = f"key {key}"
    info = zf.getinfo(f"{key}.npy")
    try:
        with open(path, "rb") as fh:
            fp = MemberStream(fh, info)
            shape, fortran, dtype = _read_header(path, fp, where)
            count = math.prod(shape)
            nbytes = count * dtype.itemsize
            # every element costs a byte at least, so a zero-size dtype cannot declare 10^12 of them
            budget.take(max(nbytes, count), f"member '{key}'", where)
            if fp.total + nbytes != info.file_size:
                raise FormatError(
                    path,
                    f"member '{key}' holds {info.file_size} bytes but its array needs {fp.total + nbytes}",
                    where,
                )
            arr = np.empty(count, dtype)
            view = arr.view(np.uint8).data if nbytes else memoryview(b"")
            done = 0
            while done < nbytes:
                got = fp.readinto(view[done : min(nbytes, done + _STEP)])  # checks the CRC at the end
                if not got:
                    raise FormatError(path, f"array data is cut short ({done} of {nbytes} bytes)", where)
                done += got
    except FormatError:
        raise
    except Exception as exc:  # zlib/bz2/lzma errors, BadZipFile (CRC), bad .npy headers
        problem = _zip_problem(exc) if not isinstance(exc, ValueError) else "has a damaged .npy header"
        raise FormatError(path, f"member '{key}' {problem}", where) from None
    return arr.reshape(shape, order="F" if fortran else "C")


def load_npz(path: Path, keys: Iterable[str], budget: Budget | None = None) -> dict[str, np.ndarray]:
    """The named arrays of an .npz (only those present), loaded without pickle, within the
    file's byte budget (`signstudio.pose.limits`; pass ``budget`` to share one across calls)."""
    out: dict[str, np.ndarray] = {}
    if budget is None:
        budget = Budget(path, path.stat().st_size)
    try:
        with zipfile.ZipFile(path) as zf:
            present = {n[:-4] for n in zf.namelist() if n.endswith(".npy")}
            for key in keys:
                if key in present:
                    out[key] = _read_member(path, zf, key, budget)
    except FormatError:
        raise
    except Exception as exc:
        raise FormatError(
            path, f"not a valid .npz: the archive {_zip_problem(exc)}", "zip directory"
        ) from None
    return out


def text_scalar(path: Path, arr: np.ndarray, key: str) -> str:
    if arr.shape != () or arr.dtype.kind not in "US":
        raise FormatError(
            path, f"expected a text scalar, got {arr.dtype} array of shape {arr.shape}", f"key {key}"
        )
    value = arr.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                path, f"text is not UTF-8 (invalid byte at {exc.start})", f"key {key}"
            ) from None
    return str(value)


def build_sequence(
    path: str | Path,
    data: np.ndarray,
    confidence: np.ndarray,
    filled: np.ndarray | None,
    fps: float,
    skeleton: Skeleton,
    meta: dict[str, Any],
    where: str,
) -> PoseSequence:
    """Validate stored arrays (shapes, dtypes, finiteness, zero frames) and make the sequence."""
    for name, arr, kinds in (("data", data, "fiu"), ("confidence", confidence, "fiu")):
        if arr.dtype.kind not in kinds:
            raise FormatError(path, f"{name} has dtype {arr.dtype}, not numbers", f"{where}{name}")
    if data.ndim != 3 or data.shape[2] != 3:
        raise FormatError(path, f"data has shape {data.shape}, expected (F, J, 3)", f"{where}data")
    if data.shape[0] == 0:
        raise FormatError(path, "holds zero frames", f"{where}data")
    check_points(path, data.shape[0], data.shape[1], f"{where}data")
    if confidence.shape != data.shape[:2]:
        raise FormatError(
            path, f"confidence has shape {confidence.shape}, expected {data.shape[:2]}", f"{where}confidence"
        )
    if filled is not None and (filled.shape != data.shape[:2] or filled.dtype.kind not in "bui"):
        raise FormatError(
            path,
            f"filled has shape {filled.shape} ({filled.dtype}), expected {data.shape[:2]} bool",
            f"{where}filled",
        )
    if data.shape[1] != skeleton.num_joints:
        raise FormatError(
            path,
            f"data has {data.shape[1]} joints but its skeleton {skeleton.layout!r} has {skeleton.num_joints}",
            f"{where}data",
        )
    check_finite(path, data, "a coordinate", f"{where}data")
    check_finite(path, confidence, "a confidence", f"{where}confidence")
    filled_bool = np.zeros(confidence.shape, bool) if filled is None else filled.astype(bool)
    return PoseSequence(
        data.astype(np.float32, copy=False),
        confidence.astype(np.float32, copy=False),
        fps,
        skeleton,
        meta,
        filled_bool,
    )


# ---- our own .npz --------------------------------------------------------------------------------


def read_npz(path: Path, **_: Any) -> list[PoseSequence]:
    """Read a SignStudio ``.npz`` (see the module docstring for the members)."""
    if path.stat().st_size == 0:
        raise FormatError(path, "file is empty")
    names = set(npz_members(path))
    if "signstudio_format" not in names:
        if names & AMASS_KEYS:
            raise FormatError(path, "is an AMASS/SMPL motion file, not a SignStudio .npz (read it as amass)")
        listed = ", ".join(sorted(names)) or "none"
        raise FormatError(
            path,
            f"not a SignStudio .npz: missing key 'signstudio_format' (it has: {listed})",
            "key signstudio_format",
        )
    arrays = load_npz(path, _REQUIRED)
    for key in _REQUIRED:
        if key not in arrays:
            raise FormatError(path, f"missing key '{key}'", f"key {key}")
    version_arr = arrays["signstudio_format"]
    if version_arr.shape != () or version_arr.dtype.kind not in "iu":
        raise FormatError(path, "format version is not an integer", "key signstudio_format")
    version = int(version_arr)
    if version > NPZ_VERSION or version < 1:
        raise FormatError(
            path,
            f"format version {version} is not supported (reads 1..{NPZ_VERSION})",
            "key signstudio_format",
        )
    fps = parse_fps(path, arrays["fps"], "key fps")
    skeleton = skeleton_from_json(path, text_scalar(path, arrays["skeleton"], "skeleton"), "key skeleton")
    meta = meta_from_json(path, text_scalar(path, arrays["meta"], "meta"), "key meta")
    seq = build_sequence(
        path, arrays["data"], arrays["confidence"], arrays["filled"], fps, skeleton, meta, "key "
    )
    return [seq]


def _npz_arrays(path: Path, seq: PoseSequence) -> dict[str, np.ndarray]:
    assert seq.filled is not None
    return {
        "signstudio_format": np.asarray(NPZ_VERSION, dtype=np.int64),
        "data": np.ascontiguousarray(seq.data, dtype=np.float32),
        "confidence": np.ascontiguousarray(seq.confidence, dtype=np.float32),
        "filled": np.ascontiguousarray(seq.filled, dtype=bool),
        "fps": np.asarray(seq.fps, dtype=np.float64),
        "skeleton": np.asarray(np.bytes_(json.dumps(seq.skeleton.to_dict()).encode("utf-8"))),
        "meta": np.asarray(np.bytes_(meta_to_json(path, seq.meta, "key meta").encode("utf-8"))),
    }


def write_npz(path: Path, seqs: list[PoseSequence], **_: Any) -> None:
    """Write one sequence as a SignStudio ``.npz`` (atomically)."""
    if len(seqs) != 1:
        raise FormatError(
            path, f"a SignStudio .npz holds one sequence, got {len(seqs)} (use .h5 for several)"
        )
    check_writable(path, seqs[0], 0)
    arrays = _npz_arrays(path, seqs[0])
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)


def _sniff(path: Path, head: bytes) -> float:
    try:
        if not head.startswith(ZIP_MAGIC):
            # Not a zip: claim it only by extension, so the reader can say what is wrong.
            return 0.55 if path.suffix.lower() == ".npz" and path.is_file() else 0.0
        names = set(npz_members(path))
    except Exception:
        return 0.55 if path.suffix.lower() == ".npz" else 0.0
    if "signstudio_format" in names:
        return 0.95
    if names & AMASS_KEYS:
        return 0.0
    return 0.55 if path.suffix.lower() == ".npz" else 0.0


SPEC = register(
    FormatSpec(
        "npz",
        "SignStudio .npz (data, confidence, filled, fps, skeleton, meta; exact)",
        (".npz",),
        _sniff,
        guarded("npz", read_npz),
        write_npz,
    )
)
