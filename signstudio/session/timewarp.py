"""Which reference frame goes with a generated frame (numpy only).

Two sequences of different length play together in one of two ways:

* **own clock** — the same wall time: generated frame ``i`` is shown at ``t = i / fps_gen``,
  and the reference shows the frame that covers ``t`` (``floor(t * fps_ref)``), held on its
  last frame when it is shorter;
* **warped** — the generated span is mapped onto the reference span: linearly
  (``j = round(i * (N_ref - 1) / (N_gen - 1))``) until an alignment is known, or through an
  alignment path such as DTW's: a (K, 2) array of (generated frame, reference frame) pairs,
  monotone in both columns. A generated frame matched to several reference frames takes their
  mean (rounded); a frame the path skips is interpolated between its neighbours.

Every function takes a frame index or an array of them and returns the same shape (int64),
clamped to ``[0, N_ref - 1]``. `frame_map` gives the whole (N_gen,) table at once.
"""

from __future__ import annotations

from typing import Literal, overload

import numpy as np

TimingMode = Literal["own-clock", "warped"]
TIMING_MODES: tuple[TimingMode, ...] = ("own-clock", "warped")

# A frame that starts exactly at t must not land one frame early through rounding (e.g. 3 / 30 * 30).
_EPS = 1e-9


@overload
def own_clock(frame: int, fps_gen: float, fps_ref: float, n_ref: int) -> int: ...
@overload
def own_clock(frame: np.ndarray, fps_gen: float, fps_ref: float, n_ref: int) -> np.ndarray: ...
def own_clock(frame: int | np.ndarray, fps_gen: float, fps_ref: float, n_ref: int) -> int | np.ndarray:
    """The reference frame at the wall time of generated frame ``frame`` (clamped)."""
    _check(n_ref, "n_ref")
    if fps_gen <= 0 or fps_ref <= 0:
        raise ValueError(f"frame rates must be positive, got {fps_gen} and {fps_ref}")
    f = np.asarray(frame, dtype=np.float64)
    j = np.floor(f * (fps_ref / fps_gen) + _EPS).astype(np.int64)
    return _out(np.clip(j, 0, n_ref - 1), frame)


@overload
def linear_warp(frame: int, n_gen: int, n_ref: int) -> int: ...
@overload
def linear_warp(frame: np.ndarray, n_gen: int, n_ref: int) -> np.ndarray: ...
def linear_warp(frame: int | np.ndarray, n_gen: int, n_ref: int) -> int | np.ndarray:
    """First frame to first frame, last to last, linear in between (clamped)."""
    _check(n_gen, "n_gen")
    _check(n_ref, "n_ref")
    f = np.asarray(frame, dtype=np.float64)
    scale = (n_ref - 1) / (n_gen - 1) if n_gen > 1 else 0.0
    j = np.floor(f * scale + 0.5).astype(np.int64)  # round half up, unlike np.round's half-to-even
    return _out(np.clip(j, 0, n_ref - 1), frame)


def validate_path(path: np.ndarray, n_gen: int, n_ref: int) -> np.ndarray:
    """``path`` as a (K, 2) int64 array, checked: in range and non-decreasing in both columns."""
    p = np.asarray(path)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] == 0:
        raise ValueError(f"a warp path is a non-empty (K, 2) array, got shape {p.shape}")
    if not np.issubdtype(p.dtype, np.integer) and not np.all(np.equal(np.mod(p, 1), 0)):
        raise ValueError("a warp path holds frame indices (integers)")
    p = p.astype(np.int64)
    if p[:, 0].min() < 0 or p[:, 0].max() >= n_gen or p[:, 1].min() < 0 or p[:, 1].max() >= n_ref:
        raise ValueError(f"warp path indices out of range for {n_gen} generated and {n_ref} reference frames")
    if np.any(np.diff(p, axis=0) < 0):
        raise ValueError("a warp path must be non-decreasing in both columns")
    return p


def path_table(path: np.ndarray, n_gen: int, n_ref: int) -> np.ndarray:
    """(n_gen,) int64: the reference frame of every generated frame through an alignment path."""
    from signstudio.metrics.overlay import aligned_table

    return aligned_table(validate_path(path, n_gen, n_ref), n_gen, n_ref)


@overload
def path_warp(frame: int, path: np.ndarray, n_gen: int, n_ref: int) -> int: ...
@overload
def path_warp(frame: np.ndarray, path: np.ndarray, n_gen: int, n_ref: int) -> np.ndarray: ...
def path_warp(frame: int | np.ndarray, path: np.ndarray, n_gen: int, n_ref: int) -> int | np.ndarray:
    """The reference frame of generated frame(s) through an alignment path."""
    table = path_table(path, n_gen, n_ref)
    f = np.clip(np.asarray(frame, dtype=np.int64), 0, n_gen - 1)
    return _out(table[f], frame)


def frame_map(
    mode: TimingMode,
    n_gen: int,
    fps_gen: float,
    n_ref: int,
    fps_ref: float,
    path: np.ndarray | None = None,
) -> np.ndarray:
    """(n_gen,) int64 reference frame for every generated frame, in timing ``mode``.

    ``path`` (K, 2), used in ``warped`` mode when given, replaces the linear warp.
    """
    if mode not in TIMING_MODES:
        raise ValueError(f"timing mode must be one of {TIMING_MODES}, got {mode!r}")
    frames = np.arange(n_gen)
    if mode == "own-clock":
        return own_clock(frames, fps_gen, fps_ref, n_ref)
    if path is not None:
        return path_table(path, n_gen, n_ref)
    return linear_warp(frames, n_gen, n_ref)


def _check(n: int, name: str) -> None:
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")


def _out(values: np.ndarray, like: int | np.ndarray) -> int | np.ndarray:
    return values if isinstance(like, np.ndarray) else int(values)
