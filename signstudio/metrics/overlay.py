"""Per-frame quality for the timeline and the viewport (numpy only): where a sequence goes wrong.

Sequence scores (DTW, FGD, back-translation) say *how much*; these say *where*. All are on the
generated sequence's frame axis, through a DTW alignment (K, 2) of (generated, reference) frame
pairs, in corpus units (``upper50``, neck at the origin, shoulder width 1):

* `aligned_table` — the reference frame each generated frame is matched with (the time warp).
* the DTW cost along the path, mapped to generated frames, is `DTWResult.generated_frame_costs`:
  the mean frame cost of the pairs each generated frame takes part in. With the ``dtw-mje`` cost
  it is the mean per-joint distance (shoulder widths) to the reference frame(s) DTW matched it
  with; its mean over the path is the ``dtw-mje`` score.
* `joint_errors` — (N, J) the distance of every joint to the same joint of the matched
  reference frame (the time-warped reference): the heat map colours joints by it.
* `window_feature_distance` — the windowed FGD-style score. A Fréchet distance compares two
  *distributions* and a single frame has none, so there is no per-frame FGD. What is defined: the
  34-frame window centred on generated frame i and the window centred on its matched reference
  frame, each encoded by FGD's own encoder into a feature vector; each window is a point mass, and
  the Fréchet distance between two point masses is the squared Euclidean distance of the points:

      s(i) = ‖ φ(G[i-17 : i+17]) − φ(R[j(i)-17 : j(i)+17]) ‖²,   j(i) = the aligned reference frame

  in the same squared feature units as FGD's mean term ‖μ_g − μ_r‖² (windows at the ends are
  padded with the end frame). High where the motion around frame i looks unlike the reference's
  motion at the matching moment, to the encoder FGD uses.
"""

from __future__ import annotations

import numpy as np

from signstudio.metrics.fgd import WINDOW


def aligned_table(path: np.ndarray, n_gen: int, n_ref: int) -> np.ndarray:
    """(n_gen,) int64: for each generated frame the mean of the reference frames it is paired with
    on a monotone (K, 2) path, rounded half up (the time-warped reference); a frame the path skips
    is interpolated between its neighbours, the ends held. Clamped to ``[0, n_ref - 1]``."""
    p = np.asarray(path, np.int64)
    gen, first = np.unique(p[:, 0], return_index=True)
    sums = np.add.reduceat(p[:, 1].astype(np.float64), first)
    counts = np.diff(np.append(first, len(p)))
    table = np.interp(np.arange(n_gen), gen, sums / counts)
    return np.clip(np.floor(table + 0.5).astype(np.int64), 0, n_ref - 1)


def joint_errors(generated: np.ndarray, reference: np.ndarray, table: np.ndarray) -> np.ndarray:
    """generated (N, J, 3), reference (M, J, 3) (NaN: missing), table (N,) reference frame per
    generated frame -> (N, J) float32 distances; NaN where either joint is missing."""
    g = np.asarray(generated, np.float64)
    r = np.asarray(reference, np.float64)[np.asarray(table, np.int64)]
    if g.shape != r.shape:
        raise ValueError(f"generated {g.shape} and aligned reference {r.shape} differ")
    return np.linalg.norm(g - r, axis=-1).astype(np.float32)


def centred_windows(frames: np.ndarray, size: int = WINDOW) -> np.ndarray:
    """(F, D) -> (F, size, D): the window centred on every frame, ends padded with the end frame."""
    f = np.asarray(frames)
    if f.ndim != 2 or len(f) == 0:
        raise ValueError(f"frames must be a non-empty (F, D) array, got shape {f.shape}")
    before = size // 2
    padded = np.concatenate([np.repeat(f[:1], before, 0), f, np.repeat(f[-1:], size - before - 1, 0)])
    idx = np.arange(len(f))[:, None] + np.arange(size)[None]
    return padded[idx]


def window_feature_distance(
    gen_features: np.ndarray, ref_features: np.ndarray, table: np.ndarray
) -> np.ndarray:
    """gen_features (N, K) and ref_features (M, K): the encoder's feature of the window centred on
    every frame; table (N,) -> (N,) float64 s(i) of the module docstring."""
    g = np.asarray(gen_features, np.float64)
    r = np.asarray(ref_features, np.float64)[np.asarray(table, np.int64)]
    return np.sum((g - r) ** 2, axis=1)


__all__ = [
    "aligned_table",
    "centred_windows",
    "joint_errors",
    "window_feature_distance",
]
