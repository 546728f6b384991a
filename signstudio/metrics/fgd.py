"""Fréchet distances between sets of motion features (numpy only): FGD's arithmetic.

    wins = windows(frames, size=34, stride=8)          # frames: (F, D) -> (W, 34, D)
    ref = FeatureStats.fit(reference_features)        # features: (N, K) from an encoder
    gen = FeatureStats.fit(generated_features)
    fgd = frechet_distance(gen, ref)                  # float, in squared feature units

Fréchet Gesture Distance (Yoon et al. 2020, GENEA) is the Fréchet distance between two Gaussians
fitted to an autoencoder's features of fixed-length motion windows (34 frames):

    FD = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)

computed in float64. The matrix square root is taken through eigenvalues of symmetric matrices
only: Σ₁^½ from ``eigh(Σ₁)``, then tr((Σ₁^½ Σ₂ Σ₁^½)^½) = Σ √λᵢ over the eigenvalues of the
symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½ (negative rounding clipped to 0). That is exact for PSD inputs
and avoids scipy's ``sqrtm`` of a non-symmetric product (complex parts, occasional NaN).

The features come from `signstudio.modeling.evaluation.fgd_encoder` (torch); this module never imports it.
A score always travels with its window counts (`FGDResult`): a Gaussian fitted to few windows is
noisy, and the count says how much to trust it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

WINDOW = 34  # frames per window (Yoon et al.; GENEA)


def windows(frames: np.ndarray, size: int = WINDOW, stride: int = 8) -> np.ndarray:
    """(F, D) -> (W, size, D): windows every ``stride`` frames, the last one ending at the last
    frame; a sequence shorter than ``size`` is padded by repeating its last frame (one window)."""
    frames = np.asarray(frames)
    if frames.ndim != 2 or len(frames) == 0:
        raise ValueError(f"frames must be a non-empty (F, D) array, got shape {frames.shape}")
    if len(frames) < size:
        pad = np.repeat(frames[-1:], size - len(frames), axis=0)
        return np.concatenate([frames, pad])[None]
    starts = list(range(0, len(frames) - size + 1, stride))
    if starts[-1] != len(frames) - size:
        starts.append(len(frames) - size)
    return np.stack([frames[s : s + size] for s in starts])


@dataclass(frozen=True)
class FeatureStats:
    """Mean (K,) and covariance (K, K), float64, of ``count`` feature vectors."""

    mean: np.ndarray
    cov: np.ndarray
    count: int

    @classmethod
    def fit(cls, features: np.ndarray) -> FeatureStats:
        f = np.asarray(features, np.float64)
        if f.ndim != 2 or len(f) < 2:
            raise ValueError(f"need at least 2 feature vectors (N, K), got shape {f.shape}")
        return cls(f.mean(0), np.cov(f, rowvar=False), len(f))

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean.tolist(), "cov": self.cov.tolist(), "count": self.count}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureStats:
        return cls(np.asarray(d["mean"], np.float64), np.asarray(d["cov"], np.float64), int(d["count"]))


def _sqrt_psd(m: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(a: FeatureStats, b: FeatureStats) -> float:
    """The Fréchet distance between the Gaussians of ``a`` and ``b`` (float64, ≥ 0)."""
    if a.mean.shape != b.mean.shape:
        raise ValueError(f"feature sizes differ: {a.mean.shape} vs {b.mean.shape}")
    root = _sqrt_psd(a.cov)
    inner = root @ b.cov @ root
    eig = np.linalg.eigvalsh((inner + inner.T) / 2)
    trace_sqrt = float(np.sqrt(np.clip(eig, 0, None)).sum())
    diff = a.mean - b.mean
    value = float(diff @ diff + np.trace(a.cov) + np.trace(b.cov) - 2 * trace_sqrt)
    return max(value, 0.0)


@dataclass(frozen=True)
class FGDResult:
    """score: the Fréchet distance; windows / reference_windows: how many windows each side's
    Gaussian was fitted to; sequences: how many sequences gave the windows."""

    score: float
    windows: int
    reference_windows: int
    sequences: int

    @property
    def label(self) -> str:
        return f"FGD {self.score:.3f} ({self.windows} windows of {WINDOW} frames vs {self.reference_windows})"


def shared_joints(present_a: np.ndarray, present_b: np.ndarray, min_share: float = 0.5) -> np.ndarray:
    """(J,) bool: the joints both sides have — present in at least ``min_share`` of the frames of
    each. (F, J) presence masks in; a joint one side never has (a pipeline without a nose point)
    must not count against it."""
    a = np.asarray(present_a, bool)
    b = np.asarray(present_b, bool)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"presence masks must be (F, J) with the same J, got {a.shape} and {b.shape}")
    share_a = a.mean(0) if len(a) else np.zeros(a.shape[1])
    share_b = b.mean(0) if len(b) else np.zeros(b.shape[1])
    return (share_a >= min_share) & (share_b >= min_share)


def keep_joints(frames: np.ndarray, keep: np.ndarray, fill: np.ndarray, dims: int = 3) -> np.ndarray:
    """(F, J·dims) frames with every joint not in ``keep`` set to ``fill`` (J·dims,): the same
    neutral value on both sides of a comparison (an encoder's training mean: z-score 0), so the
    features compare only the joints both sides have."""
    out = np.array(frames, np.float32, copy=True)
    drop = np.repeat(~np.asarray(keep, bool), dims)
    if drop.size != out.shape[1]:
        raise ValueError(f"{len(keep)} joints × {dims} != {out.shape[1]} values per frame")
    out[:, drop] = np.asarray(fill, np.float32)[drop]
    return out


__all__ = [
    "WINDOW",
    "FGDResult",
    "FeatureStats",
    "frechet_distance",
    "keep_joints",
    "shared_joints",
    "windows",
]
