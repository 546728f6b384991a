"""Per-frame metrics of a scored pair, for a spreadsheet or a script (numpy only, no Qt).

One row per generated frame, from what `signstudio.runner.scoring.score_pair` measured
(`PairScores`), in corpus units (``upper50``, shoulder width 1):

=================  ==========================================================================
frame              index of the generated frame (0 = first)
time_s             its time, frame / fps
ref_frame          the reference frame it is compared with (the time-warped reference,
                   `signstudio.metrics.overlay.aligned_table`): the joint errors use this one
ref_first/ref_last the first and last reference frames DTW paired it with (the path is
                   monotone, so these two bound every pair of this frame)
dtw_cost           mean per-joint distance to those reference frames (shoulder widths): the
                   timeline's DTW row; its mean over the path is the ``dtw-mje`` score
fgd_window         the windowed FGD-style score (34-frame windows, squared feature units)
joint_error        mean distance of the 50 joints to the same joints of ``ref_frame``
body_error, left_hand_error, right_hand_error
                   the same mean over each part's joints (8 body, 21 per hand)
flag, note         the frame's flag / note text from the studio (`PoseDocument.flags/notes`)
=================  ==========================================================================

A value that cannot be computed (no reference, every joint of a part missing, no FGD encoder) is
``None``: an empty cell in CSV, ``null`` in JSON. Files are written atomically (a temporary file
beside the target, renamed when complete), floats as ``repr`` so that reading back gives the same
float bit for bit (`read_frame_metrics`).

CSV holds only the frame rows (one header row, then one row per frame). JSON also holds the
whole pair's scores: ``{"summary": {...}, "frames": [{...}, ...]}``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.runner.scoring import PairScores

#: Column order of the CSV file and key order of every row.
COLUMNS: tuple[str, ...] = (
    "frame",
    "time_s",
    "ref_frame",
    "ref_first",
    "ref_last",
    "dtw_cost",
    "fgd_window",
    "joint_error",
    "body_error",
    "left_hand_error",
    "right_hand_error",
    "flag",
    "note",
)
INT_COLUMNS = frozenset({"frame", "ref_frame", "ref_first", "ref_last"})
TEXT_COLUMNS = frozenset({"flag", "note"})
FLOAT_COLUMNS = frozenset(COLUMNS) - INT_COLUMNS - TEXT_COLUMNS
#: The parts whose mean joint error gets a column (``<part>_error``).
PARTS: tuple[str, ...] = ("body", "left_hand", "right_hand")
SUFFIXES = (".csv", ".json")


def _num(x: Any) -> float | None:
    """A finite number as a Python float (float32 widened exactly), else None."""
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def _mean_finite(values: np.ndarray) -> np.ndarray:
    """(N, K) -> (N,) mean of the finite values of each row, NaN where a row has none."""
    v = np.asarray(values, np.float64)
    ok = np.isfinite(v)
    count = ok.sum(axis=1)
    total = np.where(ok, v, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _part_joints(num_joints: int) -> dict[str, np.ndarray]:
    """Joint indices of each of `PARTS` in the joint-error layout (``upper50``: 8 + 21 + 21)."""
    from signstudio.pose.skeleton import get_layout

    skeleton = get_layout("upper50")
    if skeleton.num_joints != num_joints:
        return {}  # joint errors in some other layout: no part columns rather than wrong ones
    return {part: idx for part, idx in skeleton.groups.items() if part in PARTS}


def frame_metrics_rows(
    scores: PairScores,
    fps: float | None = None,
    flags: Mapping[int, str] | None = None,
    notes: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """One dict per generated frame (``scores.n_gen`` rows), keys `COLUMNS` in that order.

    ``fps``: the generated sequence's frame rate (None: ``n_gen / duration``, which `PairScores`
    was made from). ``flags`` / ``notes``: frame -> text (frames outside the sequence are
    ignored). Ints are ``int``, numbers ``float``, texts ``str``; missing values ``None``.
    """
    n = int(scores.n_gen)
    if fps is None:
        fps = n / scores.duration if scores.duration > 0 else 25.0
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    first = last = None
    if scores.path is not None and len(scores.path):
        path = np.asarray(scores.path, np.int64)
        # -1: a frame the path does not reach (never on a full DTW path, but say so if it is)
        first = np.full(n, np.iinfo(np.int64).max, np.int64)
        last = np.full(n, -1, np.int64)
        np.minimum.at(first, path[:, 0], path[:, 1])
        np.maximum.at(last, path[:, 0], path[:, 1])
        first[last < 0] = -1
    errors = None if scores.joint_errors is None else np.asarray(scores.joint_errors, np.float64)
    mean_error = None if errors is None else _mean_finite(errors)
    parts = (
        {}
        if errors is None
        else {p: _mean_finite(errors[:, ix]) for p, ix in _part_joints(errors.shape[1]).items()}
    )
    flags = flags or {}
    notes = notes or {}
    rows: list[dict[str, Any]] = []
    for i in range(n):

        def at(values: np.ndarray | None, i: int = i) -> float | None:
            return None if values is None else _num(values[i])

        def index(values: np.ndarray | None, i: int = i) -> int | None:
            return None if values is None or values[i] < 0 else int(values[i])

        row: dict[str, Any] = {
            "frame": i,
            "time_s": i / fps,
            "ref_frame": index(scores.table),
            "ref_first": index(first),
            "ref_last": index(last),
            "dtw_cost": at(scores.dtw_curve),
            "fgd_window": at(scores.fgd_curve),
            "joint_error": at(mean_error),
        }
        for part in PARTS:
            row[f"{part}_error"] = at(parts.get(part))
        row["flag"] = flags.get(i) or None  # "" is no flag: a CSV cannot tell "" from missing
        row["note"] = notes.get(i) or None
        rows.append(row)
    return rows


def summary(scores: PairScores, fps: float | None = None) -> dict[str, Any]:
    """The whole pair's scores (JSON-ready): ``dtw_mje``, ``pt_dtw``, ``fgd_mean``, durations,
    DurACC, the back-translation (text, units, chrF, unit errors) and the notes."""
    reading = scores.reading
    out: dict[str, Any] = {
        "frames": int(scores.n_gen),
        "fps": fps if fps is not None else (scores.n_gen / scores.duration if scores.duration > 0 else None),
        "dtw_mje": _num(scores.dtw_mje),
        "pt_dtw": _num(scores.pt_dtw),
        "fgd_mean": _num(scores.fgd_mean),
        "duration_s": _num(scores.duration),
        "reference_duration_s": _num(scores.reference_duration),
        "duration_ok": scores.duration_ok,
        "reading": None,
        "notes": list(scores.notes),
    }
    if reading is not None:
        out["reading"] = {
            "text": reading.text,
            "tokens": reading.tokens,
            "expected": reading.expected,
            "chrf": _num(reading.chrf),
            "unit_errors": reading.unit_errors,
        }
    return out


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    return str(value)


def write_frame_metrics(
    path: str | Path,
    scores: PairScores,
    meta: Mapping[str, Any] | None = None,
    *,
    fps: float | None = None,
    flags: Mapping[int, str] | None = None,
    notes: Mapping[int, str] | None = None,
) -> Path:
    """Write `frame_metrics_rows` to ``path`` (``.csv`` or ``.json``), atomically.

    ``meta`` (JSON only): anything describing the pair (files, text, sign language), stored as
    ``summary["meta"]``. FormatError (one line) for another suffix or a file that cannot be written:
    a missing folder (never created), a full or read-only disk; no ``.part`` is left behind.
    """
    from signstudio.pose.formats._atomic import atomic_path

    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise FormatError(
            out, f"per-frame metrics are written as .csv or .json, not {suffix or 'no extension'}"
        )
    rows = frame_metrics_rows(scores, fps, flags, notes)
    try:
        with atomic_path(out) as tmp:
            if suffix == ".csv":
                with open(tmp, "w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(COLUMNS)
                    for row in rows:
                        writer.writerow([_csv_cell(row[c]) for c in COLUMNS])
            else:
                head = summary(scores, fps)
                if meta:
                    head["meta"] = dict(meta)
                with open(tmp, "w", encoding="utf-8") as fh:
                    # allow_nan=False: a NaN here is a bug (missing values are None), not "NaN"
                    json.dump(
                        {"summary": head, "frames": rows},
                        fh,
                        indent=1,
                        allow_nan=False,
                        default=_json_default,
                    )
                    fh.write("\n")
    except OSError as exc:
        raise FormatError(out, f"cannot write the metrics: {exc.strerror or exc}") from None
    return out


def _json_default(value: Any) -> Any:
    """numpy scalars and arrays in ``meta`` as plain JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _csv_value(column: str, text: str, where: str, path: Path) -> Any:
    if text == "":
        return None
    try:
        if column in INT_COLUMNS:
            return int(text)
        if column in FLOAT_COLUMNS:
            return float(text)
    except ValueError:
        raise FormatError(path, f"{column} is not a number: {text!r}", where) from None
    return text


def read_frame_metrics(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read a file `write_frame_metrics` wrote: ``(summary, rows)``, rows equal to what was written
    (a CSV has no summary: ``{}``). FormatError for a file that is not one."""
    src = Path(path)
    suffix = src.suffix.lower()
    if suffix not in SUFFIXES:
        raise FormatError(src, f"per-frame metrics are .csv or .json, not {suffix or 'no extension'}")
    try:
        # newline="": the csv module handles line ends itself (a note may hold a newline)
        with open(src, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(src, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if suffix == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(src, f"not JSON: {exc.msg}", f"line {exc.lineno}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("frames"), list):
            raise FormatError(src, "no 'frames' list: not a per-frame metrics file")
        return dict(doc.get("summary") or {}), list(doc["frames"])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        raise FormatError(src, f"the header is not {','.join(COLUMNS)}", "line 1")
    rows = []
    for lineno, cells in enumerate(reader, start=2):
        if len(cells) != len(COLUMNS):
            raise FormatError(src, f"{len(cells)} cells, expected {len(COLUMNS)}", f"line {lineno}")
        rows.append({c: _csv_value(c, v, f"line {lineno}", src) for c, v in zip(COLUMNS, cells, strict=True)})
    return {}, rows


__all__ = [
    "COLUMNS",
    "PARTS",
    "frame_metrics_rows",
    "read_frame_metrics",
    "summary",
    "write_frame_metrics",
]
