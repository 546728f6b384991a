"""Line-per-sequence text files: Progressive Transformers and Prompt2Sign ``.skels``.

One line of the ``.skels`` file is one sequence: all frames concatenated, values separated by
whitespace. Parallel files with the same stem hold one line per sequence too:
``<stem>.text`` (spoken text → ``meta["text"]``), ``<stem>.gloss`` (→ ``meta["gloss"]``) and
``<stem>.files`` (the video key → ``meta["key"]``). They are read when present (their line count
must match) and always written, all four files atomically together; an empty line means "none".
The four renames commit through a journal (``.<stem>.skels.commit``, `signstudio.pose.formats.
_atomic`): a write killed between them is finished by the next read or write of the set (one
note on stderr), so a set is always the old one or the new one, never a mix.

Three families (registry names), told apart by content (see `classify`):

``pt-skels``  Progressive Transformers / Phoenix14T. 151 values per frame: the ``upper50``
    layout, 50 joints × (x, y, z), joint-major (``x0 y0 z0 x1 y1 z1 ...``), each value the
    coordinate divided by 3, then the counter ``i/T`` (frame ``i`` from 0 of ``T``).
``p2s-legacy``  Prompt2Sign's first release (``2Dto3D/pipeline_demo_03_txt2skels.py``): the same
    151-value frames but divided by 9 and with the counter ``(i+1)/T`` (``1/T .. 1``). That
    tool wrote ``0.016`` for every zero/NaN value; a joint stored as ``0.016 0.016 0.016`` is
    read as missing too.
``p2s-2025``  Prompt2Sign 2025 (DWPose; ``tools-new-2025/main/utils/preprocess_video.py``,
    ``process_npz_files``). 2D, 385 values per frame in the order that tool writes them, block
    by block, each block its coordinates then its scores:

    ====================  =========  ==========================================================
    values (0-based)      count      content
    ====================  =========  ==========================================================
    0 – 35                18 × 2     body x, y (COCO-18 / OpenPose-18 order, layout ``p2s128``)
    36 – 53               18         body scores
    54 – 137              42 × 2     hand x, y: left hand 21 points, then right hand 21
    138 – 179             42         hand scores (left 21, right 21)
    180 – 315             68 × 2     face x, y (iBUG-68 order)
    316 – 383             68         face scores
    384                   1          counter ``idx/(T−1)`` (0 when T = 1)
    ====================  =========  ==========================================================

    The 128 points form the layout ``p2s128`` (``get_layout("p2s128")``): body 18, left hand 21,
    right hand 21, face 68. The values are DWPose's normalised image coordinates, stored
    unscaled (scale 1). z = 0 and confidence = score; a point with score <= 0 is missing.
    (So not "all 128 x, y pairs, then all 128 scores": the tool writes block by block, and the
    files it made follow it.)

Reading (options: ``fps=`` (default 25: these files carry no frame rate), ``scale=`` to
override the family's scale, ``zeros_missing=`` (default True), ``skip_empty=`` (default False:
an empty line, i.e. a sequence with zero frames, is an error; True skips it while keeping the
parallel files aligned)):

* ``.skels`` has no confidence: every joint gets confidence 1, except that a joint whose
  stored x, y, z are all exactly 0 is missing (confidence 0) — zeros are how missing points are
  written (an undetected hand is 21 joints at 0). One exception, ``pt-skels`` only: PT
  normalise every frame so that their root, the neck (``upper50`` joint 1), is exactly
  (0, 0, 0); there a zero neck is a measured point (confidence 1) whenever some other joint of
  the frame is present (a frame of nothing but zeros is missing as a whole). So the 15 sample
  sentences of PHOENIX14T read with 0 % missing. Prompt2Sign legacy files do not get this
  rule: Zelinka's 2D→3D lifting they come from leaves the root where the fit puts it, and that
  tool writes ``0.016`` for missing values. (So any other real joint at exactly the origin reads
  as missing; ``zeros_missing=False`` keeps every joint.)
* coordinates are ``float32(stored * scale)`` where ``stored`` is the value parsed as float32.
* the counter is checked against the family's convention; when it deviates (e.g. a model's
  predicted counter) the read values are kept in ``meta["convention"]["counter_values"]`` and
  written back unchanged.

``meta`` of each sequence: ``format`` (the family), ``source`` (the path), ``line`` (1-based),
``text``/``gloss``/``key`` from the parallel files, and ``convention``: ``layout``, ``scale``,
``counter`` (``"i/T"``, ``"(i+1)/T"`` or ``"i/(T-1)"``), ``values_per_frame``, ``dims``,
``fps`` and ``fps_assumed``.

Writing (``write(path, seqs, format=...)``; a bare ``.skels`` path gets ``pt-skels``) converts
to the family's layout first (``holistic``, ``openpose137``, ``smplx`` and ``p2s128`` →
``upper50`` through ``signstudio.pose.convert``; ``openpose137``, ``holistic`` and ``upper50`` →
``p2s128`` through `to_p2s128`; points without a source are missing), writes missing joints as
zeros (``p2s-2025``: x = y = score = 0) and every value as the shortest decimal that reads back
as the same float32. Stored values are ``float32(coordinate / scale)``, or the neighbouring
float32 for which ``float32(stored * scale)`` gives the coordinate back when that one does not.

Exactness: **read → write → read is bit-exact** (data, confidence, counter, text, gloss, key),
though the decimals written for a file made elsewhere may differ from its own; **write → read**
of any sequence gives every present coordinate within one float32 ulp (|error| <=
ulp(coordinate)), exactly for ``p2s-2025``'s x, y and scores (scale 1). Not stored: confidence
(``pt-skels``/``p2s-legacy``: 1 or 0), z (``p2s-2025``), a present joint other than the
``pt-skels`` neck at exactly (0, 0, 0) (reads back missing), a missing ``pt-skels`` neck in a
frame with other joints present (reads back present at the origin, PT's root), newlines inside
text/gloss/key (written as spaces). A text file cut
exactly at a frame boundary is indistinguishable from a shorter, valid one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose import convert
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_paths, recover
from signstudio.pose.formats._options import scale_option
from signstudio.pose.formats.npz import check_writable, guarded, option_fps
from signstudio.pose.limits import check_points
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

DEFAULT_FPS = 25.0
PARALLEL = (("text", ".text"), ("gloss", ".gloss"), ("key", ".files"))
#: Prompt2Sign legacy wrote this for every zero/NaN value (0.144 / 9 after its division by 9).
LEGACY_PLACEHOLDER = 0.016
_F32_MAX = float(np.finfo(np.float32).max)
_SNIFF_LIMIT = 64 << 20  # bytes of the first line looked at when sniffing
#: Index of the neck in ``upper50``: Progressive Transformers' root, at (0, 0, 0) in every frame.
PT_ROOT = 1

P2S128 = "p2s128"
#: Layouts `to_p2s128` converts from.
_TO_P2S128 = ("openpose137", "holistic", "upper50")


def to_p2s128(seq: PoseSequence) -> PoseSequence:
    """``seq`` in the ``p2s128`` layout (from ``openpose137``, ``holistic`` or ``upper50``).

    Built joint by joint by ``signstudio.pose.convert.convert``, strictly: a target point is the
    mean of its source points, missing if any of them is; points without a source (holistic's
    face) are missing; a source joint absent by name is a KeyError.
    """
    if seq.layout == P2S128:
        return seq
    if seq.layout not in _TO_P2S128:
        raise ValueError(f"no conversion from {seq.layout} to {P2S128} (known: {', '.join(_TO_P2S128)})")
    return convert.convert(seq, P2S128, strict=True)


# ---- families ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    name: str
    values_per_frame: int
    scale: float
    counter: str  # "i/T" | "(i+1)/T" | "i/(T-1)"
    layout: str
    dims: int


FAMILIES = {
    "pt-skels": Family("pt-skels", 151, 3.0, "i/T", "upper50", 3),
    "p2s-legacy": Family("p2s-legacy", 151, 9.0, "(i+1)/T", "upper50", 3),
    "p2s-2025": Family("p2s-2025", 385, 1.0, "i/(T-1)", P2S128, 2),
}


def counter_values(kind: str, frames: int) -> np.ndarray:
    """(T,) float64 counter of a convention: ``i/T``, ``(i+1)/T`` or ``i/(T-1)``."""
    i = np.arange(frames, dtype=np.float64)
    if kind == "i/T":
        return i / frames
    if kind == "(i+1)/T":
        return (i + 1) / frames
    if kind == "i/(T-1)":
        return i / (frames - 1) if frames > 1 else np.zeros(frames)
    raise ValueError(f"unknown counter convention {kind!r}")


def _counter_fit(values: np.ndarray, per_frame: int, kind: str) -> float | None:
    """Mean |counter - expected| if the first counter matches ``kind`` (within a quarter step)."""
    if len(values) == 0 or len(values) % per_frame:
        return None
    frames = len(values) // per_frame
    counters = values[per_frame - 1 :: per_frame]
    expected = counter_values(kind, frames)
    step = 1.0 / max(frames - 1 if kind == "i/(T-1)" else frames, 1)
    if abs(counters[0] - expected[0]) > step / 4:
        return None
    err = float(np.mean(np.abs(counters - expected)))
    return err if err < 0.05 else None


def classify(values: np.ndarray) -> str | None:
    """The family whose frame size and counter pattern fit one line's values, or None.

    A 151-value family is chosen by its first counter (0 → ``pt-skels``, 1/T → ``p2s-legacy``);
    ``p2s-2025`` needs 385 values per frame and a counter from 0 rising to 1. Where several fit
    (possible only for lines of 151 × 385 × k values) the closest counter wins.
    """
    fits = []
    for fam in FAMILIES.values():
        err = _counter_fit(values, fam.values_per_frame, fam.counter)
        if err is not None:
            fits.append((err, fam.name))
    return min(fits)[1] if fits else None


def _doubles(a: float, b: float) -> bool:
    return 0 < a <= 1 and abs(b - 2 * a) < 1e-3


def guess_family(values: Sequence[float]) -> str | None:
    """A guess from the first counters of a line that does not parse as a whole (for messages).

    ``p2s-2025``: 0 at value 385, then 1/(T−1), 2/(T−1); ``pt-skels``: 0 at value 151, then 1/T,
    2/T; ``p2s-legacy``: 1/T at value 151, then 2/T.
    """
    v = list(values)
    if len(v) >= 1155 and v[384] == 0 and _doubles(v[769], v[1154]):
        return "p2s-2025"
    if len(v) >= 453 and v[150] == 0 and _doubles(v[301], v[452]):
        return "pt-skels"
    if len(v) >= 302 and _doubles(v[150], v[301]):
        return "p2s-legacy"
    return None


@lru_cache(maxsize=64)
def _classify_file(path: str, mtime_ns: int, size: int, head: bytes) -> tuple[str | None, str | None]:
    """(the family of the first non-empty line, or None; a guess when it is None).

    Cached per (path, mtime, size, first 4 KiB), so the three families' sniffs read it once.
    """
    del mtime_ns, size, head  # cache keys only
    with open(path, "rb") as fh:
        line = b""
        while not line:
            raw = fh.readline(_SNIFF_LIMIT)
            if not raw:
                return None, None
            line = raw.strip()
    tokens = line.split()
    try:
        values = np.array([t.decode("ascii") for t in tokens], dtype=np.float64)
    except (UnicodeDecodeError, ValueError):
        prefix = []
        for tok in tokens[:1200]:
            try:
                prefix.append(float(tok))
            except ValueError:
                break
        return None, guess_family(prefix)
    if not np.isfinite(values).all():
        return None, guess_family(values[:1200].tolist())
    return classify(values), guess_family(values[:1200].tolist())


def _sniff_family(name: str) -> Callable[[Path, bytes], float]:
    def sniff(path: Path, head: bytes) -> float:
        try:
            if not path.is_file() or not head:
                return 0.0
            st = path.stat()
            fam, guess = _classify_file(str(path), st.st_mtime_ns, st.st_size, head)
        except Exception:
            return 0.0
        if fam == name:
            return 0.95
        if fam is None and guess == name:
            return 0.6  # its reader says what is wrong
        # A .skels file no family recognises goes to pt-skels, whose reader says what is wrong.
        if fam is None and guess is None and name == "pt-skels" and path.suffix.lower() == ".skels":
            return 0.55
        return 0.0

    return sniff


# ---- float text ---------------------------------------------------------------------------------


def format_values(values: np.ndarray) -> str:
    """float32 values as the shortest decimals that parse back to the same float32."""
    return " ".join(np.asarray(values, dtype=np.float32).ravel().astype(str).tolist())


def encode_scaled(coords: np.ndarray, scale: float) -> np.ndarray:
    """float32 ``stored`` with ``float32(stored * scale) == coords`` wherever a float32 allows.

    Starts from ``float32(coords / scale)`` and tries its two float32 neighbours where that
    does not reproduce the coordinate.
    """
    coords = np.asarray(coords, dtype=np.float32)
    if scale == 1.0:
        return coords.copy()
    stored = (coords.astype(np.float64) / scale).astype(np.float32)
    bad = decode_scaled(stored, scale) != coords
    if bad.any():
        for direction in (np.inf, -np.inf):
            cand = np.nextafter(stored, np.float32(direction))
            ok = bad & (decode_scaled(cand, scale) == coords)
            stored[ok] = cand[ok]
            bad &= ~ok
    return stored


def decode_scaled(stored: np.ndarray, scale: float) -> np.ndarray:
    """``float32(stored * scale)``, correctly rounded: the float64 product of a float32 and 3 or 9
    (or any scale with at most 29 significant bits) is exact."""
    return (np.asarray(stored, dtype=np.float32).astype(np.float64) * scale).astype(np.float32)


# ---- reading ------------------------------------------------------------------------------------


def _parse_line(path: Path, text: str, lineno: int, per_frame: int = 1, joints: int = 1) -> np.ndarray:
    tokens = text.split()
    # before converting (the slow part, ~4 M values/s): a line that cannot be whole frames, or
    # holds more points than a sequence may (`signstudio.pose.limits`), is refused at once
    if len(tokens) % per_frame:
        raise FormatError(
            path,
            f"{len(tokens)} values is not a whole number of {per_frame}-value frames "
            f"({len(tokens) // per_frame} frames and {len(tokens) % per_frame} values left over)",
            f"line {lineno}",
        )
    check_points(path, len(tokens) // per_frame, joints, f"line {lineno}")
    try:
        return np.array(tokens, dtype=np.float64)
    except ValueError:
        for k, tok in enumerate(tokens):
            try:
                float(tok)
            except ValueError:
                shown = tok if len(tok) <= 40 else tok[:40] + "..."
                raise FormatError(path, f"not a number: {shown!r}", f"line {lineno}, value {k + 1}") from None
        raise FormatError(path, "cannot parse the numbers", f"line {lineno}") from None


def _read_lines(path: Path, data: bytes, what: str) -> list[str]:
    """UTF-8 lines without their line ends (a final newline ends the last line)."""
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    out = []
    for n, raw in enumerate(raw_lines, 1):
        try:
            out.append(raw.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as exc:
            raise FormatError(
                path, f"{what} is not UTF-8 text ({exc.reason})", f"line {n}, byte {exc.start + 1}"
            ) from None
    return out


def parallel_paths(path: Path) -> dict[str, Path]:
    return {key: path.with_suffix(suffix) for key, suffix in PARALLEL}


def _read_parallel(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, ppath in parallel_paths(path).items():
        if ppath == path or not ppath.is_file():
            continue
        try:
            lines = _read_lines(ppath, ppath.read_bytes(), f"parallel {ppath.suffix} file")
        except OSError as exc:
            raise FormatError(
                ppath, f"cannot read parallel file: {exc.strerror or 'input/output error'}", "byte 0"
            ) from None
        out[key] = lines
    return out


def _decode_151(
    path: Path, frames: np.ndarray, fam: Family, scale: float, zeros_missing: bool, lineno: int
) -> tuple[np.ndarray, np.ndarray]:
    stored = frames[:, :150].astype(np.float32).reshape(-1, 50, 3)
    missing = np.zeros(stored.shape[:2], bool)
    if zeros_missing:
        missing = (stored == 0).all(axis=-1)
        if fam.name == "p2s-legacy":
            missing |= (frames[:, :150].reshape(-1, 50, 3) == LEGACY_PLACEHOLDER).all(axis=-1)
        if fam.name == "pt-skels":
            # PT's root (the neck) is the origin of every frame: a zero there is measured,
            # unless nothing else of the frame is (an all-zero frame is missing as a whole).
            others = np.delete(missing, PT_ROOT, axis=1)
            missing[:, PT_ROOT] &= others.all(axis=1)
    data = decode_scaled(stored, scale)
    bad = np.argwhere(~np.isfinite(data))
    if len(bad):
        f, j = (int(v) for v in bad[0][:2])
        raise FormatError(
            path,
            f"coordinate overflows float32 after scaling by {scale:g}",
            f"line {lineno}, frame {f}, joint {j}",
        )
    data[missing] = 0.0
    conf = np.where(missing, 0.0, 1.0).astype(np.float32)
    return data, conf


def _decode_385(path: Path, frames: np.ndarray, scale: float, lineno: int) -> tuple[np.ndarray, np.ndarray]:
    t = frames.shape[0]
    f32 = frames.astype(np.float32)
    xy = np.concatenate(
        [f32[:, 0:36].reshape(t, 18, 2), f32[:, 54:138].reshape(t, 42, 2), f32[:, 180:316].reshape(t, 68, 2)],
        axis=1,
    )
    score = np.concatenate([f32[:, 36:54], f32[:, 138:180], f32[:, 316:384]], axis=1)
    data = np.zeros((t, 128, 3), np.float32)
    data[..., :2] = decode_scaled(xy, scale)
    bad = np.argwhere(~np.isfinite(data))
    if len(bad):
        f, j = (int(v) for v in bad[0][:2])
        raise FormatError(
            path,
            f"coordinate overflows float32 after scaling by {scale:g}",
            f"line {lineno}, frame {f}, point {j}",
        )
    missing = score <= 0
    conf = np.where(missing, np.float32(0), score).astype(np.float32)
    data[missing] = 0.0
    return data, conf


def read_family(
    path: Path,
    family: str,
    fps: Any = None,
    scale: Any = None,
    zeros_missing: bool = True,
    skip_empty: bool = False,
    **_: Any,
) -> list[PoseSequence]:
    """Read every line of a ``.skels`` file of ``family`` (see the module docstring)."""
    fam = FAMILIES[family]
    fps_value, fps_given = option_fps(path, fps, DEFAULT_FPS)
    scale_value = fam.scale if scale is None else scale_option(path, scale)
    if path.stat().st_size == 0:
        raise FormatError(path, "file is empty", "byte 0")
    parallel = _read_parallel(path)
    seqs = []
    n = 0
    with open(path, "rb") as fh:  # line by line: Phoenix14T's train.skels is gigabytes
        for n, raw in enumerate(fh, 1):
            seq = _read_sequence(path, raw, n, fam, scale_value, fps_value, fps_given, zeros_missing)
            if seq is None:
                if skip_empty:
                    continue
                raise FormatError(path, "empty line: a sequence with zero frames", f"line {n}")
            for key, plines in parallel.items():
                if n <= len(plines) and plines[n - 1]:
                    seq.meta[key] = plines[n - 1]
            seqs.append(seq)
    for key, plines in parallel.items():
        if len(plines) != n:
            raise FormatError(
                parallel_paths(path)[key],
                f"has {len(plines)} lines but {path.name} has {n} sequences (parallel files must match)",
                f"line {min(len(plines), n) + 1}",
            )
    if not seqs:
        raise FormatError(path, "holds no sequence (every line is empty)", f"lines 1-{n}")
    return seqs


def read_line(
    path: Path,
    family: str,
    offset: int,
    length: int,
    lineno: int,
    parallel: dict[str, str] | None = None,
    fps: Any = None,
    scale: Any = None,
    zeros_missing: bool = True,
    **_: Any,
) -> PoseSequence:
    """Sequence ``lineno`` (1-based) of a ``.skels`` file, read from its ``length`` bytes at byte
    ``offset`` (an index of the line offsets: `signstudio.session.dataset`), with ``parallel``'s
    text/gloss/key: the same sequence, bit for bit, as `read_family` gives for that line."""
    fam = FAMILIES[family]
    fps_value, fps_given = option_fps(path, fps, DEFAULT_FPS)
    scale_value = fam.scale if scale is None else scale_option(path, scale)
    with open(path, "rb") as fh:
        fh.seek(offset)
        raw = fh.read(length)
    if len(raw) != length:
        raise FormatError(
            path, "the file is shorter than its index says (changed while open?)", f"line {lineno}"
        )
    seq = _read_sequence(path, raw, lineno, fam, scale_value, fps_value, fps_given, zeros_missing)
    if seq is None:
        raise FormatError(path, "empty line: a sequence with zero frames", f"line {lineno}")
    for key, value in (parallel or {}).items():
        if value:
            seq.meta[key] = value
    return seq


def _read_sequence(
    path: Path,
    raw: bytes,
    n: int,
    fam: Family,
    scale_value: float,
    fps_value: float,
    fps_given: bool,
    zeros_missing: bool,
) -> PoseSequence | None:
    """One line as a sequence; None for an empty line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            path, f"file is not UTF-8 text ({exc.reason})", f"line {n}, byte {exc.start + 1}"
        ) from None
    if not text.strip():
        return None
    skeleton = get_layout(fam.layout)
    per_frame = fam.values_per_frame
    values = _parse_line(path, text, n, per_frame, skeleton.num_joints)
    if len(values) % per_frame:
        raise FormatError(
            path,
            f"{len(values)} values is not a whole number of {per_frame}-value frames "
            f"({len(values) // per_frame} frames and {len(values) % per_frame} values left over)",
            f"line {n}",
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        k = int(bad[0])
        place = f"line {n}, frame {k // per_frame}, value {k % per_frame + 1}"
        raise FormatError(path, f"NaN or infinite value ({text.split()[k]!r})", place)
    big = np.flatnonzero(np.abs(values) > _F32_MAX)
    if len(big):
        k = int(big[0])
        place = f"line {n}, frame {k // per_frame}, value {k % per_frame + 1}"
        raise FormatError(path, f"value {text.split()[k]!r} is out of float32 range", place)
    frames = values.reshape(-1, per_frame)
    if per_frame == 151:
        data, conf = _decode_151(path, frames, fam, scale_value, zeros_missing, n)
    else:
        data, conf = _decode_385(path, frames, scale_value, n)
    counters = frames[:, -1].astype(np.float32)
    expected = counter_values(fam.counter, len(frames)).astype(np.float32)
    convention: dict[str, Any] = {
        "layout": fam.layout,
        "scale": scale_value,
        "counter": fam.counter,
        "values_per_frame": per_frame,
        "dims": fam.dims,
        "fps": fps_value,
        "fps_assumed": not fps_given,
    }
    if np.max(np.abs(counters.astype(np.float64) - expected)) > 1e-4:
        convention["counter_values"] = [float(v) for v in counters]
    meta: dict[str, Any] = {"format": fam.name, "source": str(path), "line": n, "convention": convention}
    return PoseSequence(data, conf, fps_value, skeleton, meta)


# ---- writing ------------------------------------------------------------------------------------


def _in_layout(path: Path, seq: PoseSequence, fam: Family, index: int) -> PoseSequence:
    if seq.layout == fam.layout:
        return seq
    try:
        return to_p2s128(seq) if fam.layout == P2S128 else convert.convert(seq, fam.layout)
    except (ValueError, KeyError) as exc:
        raise FormatError(
            path, f"cannot write layout {seq.layout} as {fam.name} ({fam.layout}): {exc}", f"sequence {index}"
        ) from None


def _counters_for(seq: PoseSequence, fam: Family) -> np.ndarray:
    conv = seq.meta.get("convention") or {}
    kept = conv.get("counter_values") if seq.meta.get("format") == fam.name else None
    if isinstance(kept, list) and len(kept) == seq.num_frames:
        try:
            values = np.asarray(kept, dtype=np.float32)
            if np.isfinite(values).all():
                return values
        except (TypeError, ValueError):
            pass
    return counter_values(fam.counter, seq.num_frames).astype(np.float32)


def encode_line(path: Path, seq: PoseSequence, fam: Family, scale: float, index: int = 0) -> str:
    """One sequence as one line of ``fam`` (no newline)."""
    check_writable(path, seq, index)
    seq = _in_layout(path, seq, fam, index)
    present = seq.confidence > 0
    t = seq.num_frames
    if fam.values_per_frame == 151:
        coords = np.where(present[..., None], seq.data, np.float32(0))
        stored = encode_scaled(coords, scale).reshape(t, 150)
        rows = np.concatenate([stored, _counters_for(seq, fam)[:, None]], axis=1)
    else:
        xy = encode_scaled(np.where(present[..., None], seq.data[..., :2], np.float32(0)), scale)
        score = np.where(present, seq.confidence, np.float32(0)).astype(np.float32)
        rows = np.concatenate(
            [
                xy[:, 0:18].reshape(t, 36), score[:, 0:18],
                xy[:, 18:60].reshape(t, 84), score[:, 18:60],
                xy[:, 60:128].reshape(t, 136), score[:, 60:128],
                _counters_for(seq, fam)[:, None],
            ],
            axis=1,
        )  # fmt: skip
    if not np.isfinite(rows).all():
        raise FormatError(
            path, f"a coordinate overflows float32 when divided by {scale:g}", f"sequence {index}"
        )
    return format_values(rows)


def _one_line(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def write_family(path: Path, seqs: Sequence[PoseSequence], family: str, scale: Any = None, **_: Any) -> None:
    """Write sequences (one per line) and the parallel ``.text/.gloss/.files``, atomically."""
    fam = FAMILIES[family]
    scale_value = fam.scale if scale is None else scale_option(path, scale)
    targets = parallel_paths(path)
    if path in targets.values():
        raise FormatError(path, f"a .skels file cannot be named like its parallel files ({path.suffix})")
    lines = [encode_line(path, seq, fam, scale_value, i) for i, seq in enumerate(seqs)]
    texts = {key: [_one_line(seq.meta.get(key)) for seq in seqs] for key in targets}
    order = [path, *targets.values()]
    contents = ["\n".join(lines) + "\n", *("\n".join(texts[k]) + "\n" for k in targets)]
    with atomic_paths(order) as temps:
        for tmp, content in zip(temps, contents, strict=True):
            _write_text(tmp, content)


def _write_text(tmp: Path, content: str) -> None:
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:  # atomic_paths fsyncs it
        fh.write(content)


def _reader(family: str) -> Callable[..., list[PoseSequence]]:
    def read(path: Path, **options: Any) -> list[PoseSequence]:
        recover(path)  # a write of the four files killed mid-commit: finish it first
        return read_family(path, family, **options)

    return guarded(family, read)


def _writer(family: str) -> Callable[..., None]:
    def write(path: Path, seqs: list[PoseSequence], **options: Any) -> None:
        write_family(path, seqs, family, **options)

    return write


_OPTIONS = {
    "fps": "frame rate (the files have none; default 25)",
    "scale": "override the family's scale (read and write)",
    "zeros_missing": "read all-zero joints as missing (default True)",
    "skip_empty": "skip empty lines instead of failing (default False)",
}
for _fam in FAMILIES.values():
    register(
        FormatSpec(
            _fam.name,
            {
                "pt-skels": "Progressive Transformers / Phoenix14T .skels (151/frame, /3, counter i/T)",
                "p2s-legacy": "Prompt2Sign legacy .skels (151/frame, /9, counter (i+1)/T)",
                "p2s-2025": "Prompt2Sign 2025 DWPose lines (385/frame, 2D, counter i/(T-1))",
            }[_fam.name],
            (".skels",),
            _sniff_family(_fam.name),
            _reader(_fam.name),
            _writer(_fam.name),
            options=dict(_OPTIONS),
        )
    )
