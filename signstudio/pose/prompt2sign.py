"""SignLLM's Prompt2Sign data pipeline (SignLLM supplementary C.2), vectorised over frames and clips.

Step (a), "json to h5": each folder of OpenPose ``*_keypoints.json`` files is one clip; its key is
the folder's name. The clip is converted to ``upper50`` and stored as one ``(T, 150)`` dataset of
the ``.h5`` file (50 joints × x, y, likelihood; missing points ``0 0 0``), as Prompt2Sign's
``pipeline_demo_01_json2h5_*.py`` does. Like it, frames where the nose (joint 0, the root of the
lifting tree) was not detected are dropped (this includes frames with nobody in them).

Step (b), "h5 to 3D": all clips are lifted together with `signstudio.pose.lifting.lift`
(Algorithm 1; missing points filled as documented there), after a per-clip 2D normalisation:

* ``normalisation="neck"`` (default; the project's convention, DESIGN.md §3): before lifting,
  the 2D neck (shoulder midpoint) is moved to the origin and the shoulder width scaled to 1
  (medians over the frames where both shoulders were measured); after lifting, the same in 3D
  (as `signstudio.pose.transforms.normalise` does; ``meta["normalisation"]`` undoes it). The
  paper gives no normalisation, so sigma, the 0.001 z nudge and the 1e-6 length floor of
  Algorithm 1 are in shoulder widths here.
* ``normalisation="p2s"``: Prompt2Sign's own ``pose2D.normalization`` before lifting (x and y
  centred on their means, both divided by their pooled standard deviation; here over the
  measured points only, where Prompt2Sign also counts the zeros of missing ones), nothing after.

Step (c), "txt to skels": one line per clip of 151 values per frame (the 150 coordinates and a
counter), through the ``.skels`` writers: ``counter="legacy"`` writes Prompt2Sign's legacy
convention (format ``p2s-legacy``: values / 9, counter i/T for i = 1..T), ``counter="pt"`` the
Progressive Transformers one (format ``pt-skels``: values / 3, counter i/T for i = 0..T-1).

Bounds: the ``.h5`` is read within the limits of `signstudio.pose.limits` (a dataset's shape is
checked before it is read, and all of them against the file's byte budget); the lifting pads
all clips to the longest, so ``clips × longest × 50`` points must be within ``MAX_POINTS`` too
(`check_batch`), else one line asks to split the file.

Output points: measured points keep their likelihood as confidence; points filled by the lifting's
median step are marked in ``filled`` and get their joint's mean likelihood in the clip; joints
never seen in a clip are missing (confidence 0, coordinates 0). Prompt2Sign's second stage, the
TensorFlow "backpropagation-based filtering" of the lifted poses, is not part of Algorithm 1 and
is not done here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose import limits
from signstudio.pose.errors import FormatError
from signstudio.pose.lifting import UPPER50_STRUCTURE, Lifting, lift, masked_median
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

P2S_VALUES = 150
SKELS_VALUES = 151
NOSE, R_SHOULDER, L_SHOULDER = 0, 2, 5
#: counter option -> ``.skels`` format name of the registry, and the divisor of its coordinates.
COUNTERS = {"legacy": ("p2s-legacy", 9.0), "pt": ("pt-skels", 3.0)}
NORMALISATIONS = ("neck", "p2s")

#: ``progress(step, done, total)``; steps are ``"json to h5"``, ``"h5 to 3D"``, ``"3D to skels"``.
Progress = Callable[[str, int, int], None]


# ---- (T, 150) rows <-> arrays ----------------------------------------------------------------


def to_upper50(seq: PoseSequence) -> PoseSequence:
    from signstudio.pose.convert import convert

    return convert(seq, "upper50")


def p2s_rows(seq: PoseSequence) -> np.ndarray:
    """(T, 150) float32 Prompt2Sign 2D rows of ``seq`` (converted to ``upper50``).

    Joint-major ``x y likelihood``; a missing point is ``0 0 0``.
    """
    seq = to_upper50(seq)
    rows = np.zeros((seq.num_frames, 50, 3), np.float32)
    present = seq.present
    rows[..., :2] = np.where(present[..., None], seq.data[..., :2], 0.0)
    rows[..., 2] = np.where(present, seq.confidence, 0.0)
    return rows.reshape(seq.num_frames, P2S_VALUES)


def split_rows(rows: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Xx, Xy, Xw lists of (T_i, 50) from (T_i, 150) rows (Prompt2Sign's ``X[:, 0::3]`` ...)."""
    xs, ys, ws = [], [], []
    for r in rows:
        r = np.asarray(r, np.float64)
        if r.ndim != 2 or r.shape[1] != P2S_VALUES:
            raise ValueError(f"rows must be (T, {P2S_VALUES}), got {r.shape}")
        xs.append(r[:, 0::3])
        ys.append(r[:, 1::3])
        ws.append(r[:, 2::3])
    return xs, ys, ws


def keep_p2s_frames(seq: PoseSequence) -> PoseSequence:
    """``seq`` (upper50) without the frames whose nose was not detected, as Prompt2Sign keeps them."""
    keep = seq.confidence[:, NOSE] > 0
    if keep.all():
        return seq
    assert seq.filled is not None
    return seq.replace(data=seq.data[keep], confidence=seq.confidence[keep], filled=seq.filled[keep],
                       meta_update={"dropped_frames": int((~keep).sum())})  # fmt: skip


# ---- step (b): 2D normalisation, lifting, 3D normalisation -------------------------------------


@dataclass
class Normalised2D:
    """Per-clip 2D normalisation: x' = (x - origin_x) / scale, y' = (y - origin_y) / scale.

    origin: (N, 2); scale: (N,); ok: (N,) bool, False where the clip could not be normalised.
    """

    kind: str
    origin: np.ndarray
    scale: np.ndarray
    ok: np.ndarray
    reasons: list[str] = field(default_factory=list)


def normalisation_2d(
    xs: np.ndarray, ys: np.ndarray, measured: np.ndarray, kind: str = "neck"
) -> Normalised2D:
    """Per-clip origin and scale of padded 2D clips.

    xs, ys, measured: (N, T, J). ``kind="neck"``: median shoulder midpoint and median shoulder
    width over frames with both shoulders measured; ``"p2s"``: Prompt2Sign's means and pooled
    standard deviation over the measured points.
    """
    n_clips = xs.shape[0]
    if kind == "neck":
        both = measured[..., L_SHOULDER] & measured[..., R_SHOULDER]  # (N, T)
        mid_x = (xs[..., L_SHOULDER] + xs[..., R_SHOULDER]) / 2
        mid_y = (ys[..., L_SHOULDER] + ys[..., R_SHOULDER]) / 2
        width = np.hypot(xs[..., L_SHOULDER] - xs[..., R_SHOULDER], ys[..., L_SHOULDER] - ys[..., R_SHOULDER])
        origin = np.stack([masked_median(mid_x, both), masked_median(mid_y, both)], axis=-1)
        scale = masked_median(width, both)
        ok = both.any(axis=1) & (scale > 0)
        reasons = ["" if good else "no frame with both shoulders apart" for good in ok]
    elif kind == "p2s":
        count = measured.sum(axis=(1, 2)).astype(np.float64)
        safe = np.maximum(count, 1.0)
        sx = np.where(measured, xs, 0.0).sum(axis=(1, 2))
        sy = np.where(measured, ys, 0.0).sum(axis=(1, 2))
        sxx = np.where(measured, xs * xs, 0.0).sum(axis=(1, 2))
        syy = np.where(measured, ys * ys, 0.0).sum(axis=(1, 2))
        origin = np.stack([sx / safe, sy / safe], axis=-1)
        mu = (sx + sy) / (2 * safe)
        var = (sxx + syy) / (2 * safe) - mu * mu
        scale = np.sqrt(np.maximum(var, 1e-10))
        ok = count > 0
        reasons = ["" if good else "no measured point" for good in ok]
    else:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {kind!r}")
    origin = np.where(ok[:, None], origin, 0.0)
    scale = np.where(ok, scale, 1.0)
    assert origin.shape == (n_clips, 2)
    return Normalised2D(kind, origin, scale, ok, reasons)


def normalisation_3d(Y: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per clip: origin (N, 3) median shoulder midpoint, scale (N,) median shoulder width, ok (N,).

    Y: (N, T, J, 3); present: (N, T, J). The same statistics as
    `signstudio.pose.transforms.normalisation_of`, for a batch.
    """
    left, right = Y[:, :, L_SHOULDER], Y[:, :, R_SHOULDER]
    both = present[..., L_SHOULDER] & present[..., R_SHOULDER]  # (N, T)
    mid = (left + right) / 2
    origin = np.stack([masked_median(mid[..., k], both) for k in range(3)], axis=-1)
    scale = masked_median(np.linalg.norm(left - right, axis=-1), both)
    ok = both.any(axis=1) & (scale > 0)
    return np.where(ok[:, None], origin, 0.0), np.where(ok, scale, 1.0), ok


@dataclass
class Lifted:
    """Result of `lift_sequences`: the 3D sequences, the raw lifting, and the clips left out."""

    sequences: list[PoseSequence]
    lifting: Lifting | None
    skipped: list[tuple[str, str]]  # (key, reason)


def _key(seq: PoseSequence, i: int) -> str:
    key = seq.meta.get("key")
    return str(key) if key not in (None, "") else f"clip{i:06d}"


def _padded_batch(seqs: Sequence[PoseSequence]) -> tuple[np.ndarray, ...]:
    """x, y, confidence (N, T_max, 50) zero-padded, and the (N,) frame counts."""
    frames = max(s.num_frames for s in seqs)
    xs = np.zeros((len(seqs), frames, 50))
    ys = np.zeros((len(seqs), frames, 50))
    ws = np.zeros((len(seqs), frames, 50))
    lengths = np.zeros(len(seqs), np.int64)
    for row, s in enumerate(seqs):
        t = s.num_frames
        xs[row, :t], ys[row, :t], ws[row, :t] = s.data[..., 0], s.data[..., 1], s.confidence
        lengths[row] = t
    return xs, ys, ws, lengths


def _lifted_confidence(
    measured: np.ndarray, ws: np.ndarray, observed: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, filled), (N, T, J): measured -> its likelihood; filled (a joint seen elsewhere
    in the clip) -> the joint's mean likelihood; never seen -> missing."""
    count = measured.sum(axis=1)  # (n, J)
    mean_w = np.where(measured, ws, 0.0).sum(axis=1) / np.maximum(count, 1)
    filled = ~measured & observed[:, None, :] & mask[..., None]
    conf = np.where(measured, ws, np.where(filled, mean_w[:, None, :], 0.0))
    return conf, filled


def lift_sequences(
    seqs: Sequence[PoseSequence],
    *,
    seed: int | np.random.Generator = 0,
    percentile: float = 0.5,
    sigma: float = 0.001,
    normalisation: str = "neck",
) -> Lifted:
    """2D sequences (any layout convertible to ``upper50``; z ignored) -> 3D ``upper50`` sequences.

    All clips are lifted in one batch. Clips that cannot be normalised (see `normalisation_2d`)
    or have no frame are skipped and listed in ``skipped``.
    """
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    upper = [to_upper50(s) for s in seqs]
    keys = [_key(s, i) for i, s in enumerate(upper)]
    skipped = [(keys[i], "no frame") for i, s in enumerate(upper) if s.num_frames == 0]
    use = [i for i, s in enumerate(upper) if s.num_frames > 0]
    if not use:
        return Lifted([], None, skipped)
    xs, ys, ws, lengths = _padded_batch([upper[i] for i in use])
    mask = np.arange(xs.shape[1])[None] < lengths[:, None]
    measured = (ws > 0) & mask[..., None]
    norm2d = normalisation_2d(xs, ys, measured, normalisation)
    skipped += [(keys[use[r]], norm2d.reasons[r]) for r in np.flatnonzero(~norm2d.ok)]
    good = np.flatnonzero(norm2d.ok)
    if not len(good):
        return Lifted([], None, skipped)
    origin, scale = norm2d.origin[good], norm2d.scale[good]
    xs = (xs[good] - origin[:, None, None, 0]) / scale[:, None, None]
    ys = (ys[good] - origin[:, None, None, 1]) / scale[:, None, None]
    ws, measured, lengths = ws[good], measured[good], lengths[good]

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    res = lift(xs, ys, ws, UPPER50_STRUCTURE, sigma=sigma, rng=rng, percentile=percentile, lengths=lengths)

    conf, filled = _lifted_confidence(measured, ws, res.observed, mask[good])
    Y = np.array(res.Y)  # (n, T, J, 3), a copy: the lifting keeps its own
    present = conf > 0
    if normalisation == "neck":
        o3, s3, ok3 = normalisation_3d(Y, present)
        Y = (Y - o3[:, None, None, :]) / s3[:, None, None, None]
    else:
        ok3 = np.ones(len(good), bool)
    Y[~present] = 0.0

    skel = get_layout("upper50")
    out = []
    for row, r in enumerate(good):
        src = upper[use[r]]
        t = int(lengths[row])
        if not ok3[row]:
            skipped.append((keys[use[r]], "no lifted frame with both shoulders"))
            continue
        meta = {k: v for k, v in src.meta.items() if k not in ("convention", "normalisation")}
        lifting = {
            "method": "SignLLM Algorithm 1 (Prompt2Sign 2D to 3D)",
            "sigma": float(sigma),
            "percentile": float(percentile),
            "root": int(res.root),
            "lines": [float(v) for v in res.lines[row]],
            "input_normalisation": {
                "kind": normalisation,
                "origin": [float(v) for v in origin[row]],
                "scale": float(scale[row]),
            },
        }
        meta.update(
            {
                "key": keys[use[r]],
                "lifting": lifting,
                "reference_kind": meta.get("reference_kind", "user file"),
            }
        )
        if normalisation == "neck":
            meta["normalisation"] = {"origin": [float(v) for v in o3[row]], "scale": float(s3[row])}
        out.append(PoseSequence(Y[row, :t], conf[row, :t], src.fps, skel, meta, filled[row, :t]))
    return Lifted(out, res, skipped)


# ---- step (c): 151 values per frame --------------------------------------------------------------


def skels_rows(seq: PoseSequence, counter: str = "legacy") -> np.ndarray:
    """(T, 151) values of one ``.skels`` line: the 150 coordinates (joint-major x y z) and a counter.

    ``counter="legacy"`` (Prompt2Sign): coordinates / 9, counter i/T for i = 1..T;
    ``counter="pt"`` (Progressive Transformers): coordinates / 3, counter i/T for i = 0..T-1.
    """
    if counter not in COUNTERS:
        raise ValueError(f"counter must be one of {tuple(COUNTERS)}, got {counter!r}")
    seq = to_upper50(seq)
    frames = seq.num_frames
    scale = COUNTERS[counter][1]
    first = 1 if counter == "legacy" else 0
    out = np.empty((frames, SKELS_VALUES), np.float64)
    out[:, :P2S_VALUES] = seq.data.reshape(frames, P2S_VALUES) / scale
    out[:, P2S_VALUES] = (np.arange(frames) + first) / max(frames, 1)
    return out


# ---- files -------------------------------------------------------------------------------------


def openpose_folders(root: str | Path) -> list[Path]:
    """Folders under ``root`` (itself included) that hold OpenPose ``*_keypoints.json`` files, sorted."""
    root = Path(root)
    found = {p.parent for p in root.rglob("*_keypoints.json")}
    return sorted(found)


def json_to_h5(
    src_dir: str | Path, out_h5: str | Path, *, progress: Progress | None = None
) -> tuple[list[PoseSequence], list[tuple[str, str]]]:
    """Step (a): every OpenPose folder under ``src_dir`` -> one dataset of ``out_h5`` (its key: the
    folder's name). Returns the 2D ``upper50`` sequences written, and the (key, reason) of the
    folders left out (no frame with a detected nose)."""
    from signstudio.pose import formats

    folders = openpose_folders(src_dir)
    if not folders:
        raise FormatError(src_dir, "no OpenPose *_keypoints.json files found")
    names = [f.name for f in folders]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FormatError(src_dir, f"several folders share the key {dupes[0]!r} (keys are folder names)")
    seqs, skipped = [], []
    for i, folder in enumerate(folders):
        seq = to_upper50(formats.read_one(folder, format="openpose"))
        seq = keep_p2s_frames(seq).replace(meta_update={"key": folder.name})
        if seq.num_frames:
            seqs.append(seq)
        else:
            skipped.append((folder.name, "no frame with a detected nose"))
        if progress:
            progress("json to h5", i + 1, len(folders))
    if not seqs:
        raise FormatError(src_dir, "no folder has a frame with a detected nose (nothing to write)")
    formats.write(out_h5, seqs, format="h5", variant="p2s-2d")
    return seqs, skipped


def check_batch(path: str | Path, seqs: Sequence[PoseSequence]) -> None:
    """`FormatError` when lifting ``seqs`` together would pass the points limit.

    The lifting pads every clip to the longest (`lift_sequences`, ~100 bytes per padded point),
    so many short clips and one long one cost clips × longest × 50 points, not the file's sum.
    """
    if not seqs:
        return
    longest = max(s.num_frames for s in seqs)
    if len(seqs) * longest * 50 > limits.MAX_POINTS:
        raise FormatError(
            path,
            f"lifting pads its {len(seqs)} clips to the longest ({longest} frames): "
            f"{len(seqs) * longest * 50} points, more than the {limits.MAX_POINTS // 1_000_000} million "
            "SignStudio lifts at once (split the file)",
        )


def read_p2s_h5(path: str | Path) -> list[PoseSequence]:
    """The 2D sequences of a Prompt2Sign ``.h5`` (one per key)."""
    from signstudio.pose import formats

    return formats.read(path, format="h5", variant="p2s-2d")


def write_skels(path: str | Path, seqs: Sequence[PoseSequence], counter: str = "legacy") -> None:
    """Step (c): the sequences as one ``.skels`` file (plus the writer's parallel files)."""
    from signstudio.pose import formats

    if counter not in COUNTERS:
        raise ValueError(f"counter must be one of {tuple(COUNTERS)}, got {counter!r}")
    formats.write(path, list(seqs), format=COUNTERS[counter][0])


def run_pipeline(
    src_dir_or_file: str | Path,
    out_path: str | Path,
    *,
    seed: int = 0,
    percentile: float = 0.5,
    sigma: float = 0.001,
    counter: str = "legacy",
    normalisation: str = "neck",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """OpenPose folders (or a Prompt2Sign ``.h5``) -> ``.h5`` -> 3D -> ``out_path`` ``.skels``.

    A folder source first becomes ``out_path`` with the suffix ``.h5`` (step a). Returns a summary:
    clips, frames, skipped clips with reasons, the files written, the settings and seconds per step.
    """
    if counter not in COUNTERS:
        raise ValueError(f"counter must be one of {tuple(COUNTERS)}, got {counter!r}")
    src, out = Path(src_dir_or_file), Path(out_path)
    seconds: dict[str, float] = {}
    skipped: list[tuple[str, str]] = []
    h5_path = src
    if src.is_dir():
        t0 = time.perf_counter()
        h5_path = out.with_suffix(".h5")
        _, skipped = json_to_h5(src, h5_path, progress=progress)
        seconds["json to h5"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    seqs_2d = read_p2s_h5(h5_path)
    check_batch(h5_path, seqs_2d)
    if progress:
        progress("h5 to 3D", 0, len(seqs_2d))
    lifted = lift_sequences(
        seqs_2d, seed=seed, percentile=percentile, sigma=sigma, normalisation=normalisation
    )
    if progress:
        progress("h5 to 3D", len(seqs_2d), len(seqs_2d))
    seconds["h5 to 3D"] = time.perf_counter() - t1
    skipped += lifted.skipped
    if not lifted.sequences:
        reasons = "; ".join(f"{k}: {r}" for k, r in skipped[:3])
        raise FormatError(h5_path, f"no clip could be lifted ({reasons})")
    t2 = time.perf_counter()
    write_skels(out, lifted.sequences, counter)
    if progress:
        progress("3D to skels", len(lifted.sequences), len(lifted.sequences))
    seconds["3D to skels"] = time.perf_counter() - t2
    return {
        "source": str(src),
        "h5": str(h5_path),
        "skels": str(out),
        "format": COUNTERS[counter][0],
        "clips": len(lifted.sequences),
        "frames": int(sum(s.num_frames for s in lifted.sequences)),
        "keys": [s.meta["key"] for s in lifted.sequences],
        "skipped": [{"key": k, "reason": r} for k, r in skipped],
        "missing_ratio": float(np.mean([s.missing_ratio() for s in lifted.sequences])),
        "filled_points": int(sum(int(np.count_nonzero(s.filled)) for s in lifted.sequences)),
        "settings": {
            "seed": seed,
            "percentile": percentile,
            "sigma": sigma,
            "counter": counter,
            "normalisation": normalisation,
        },
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
    }
