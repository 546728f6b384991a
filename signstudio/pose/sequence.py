"""`PoseSequence`: the one in-memory pose type every layer passes around.

Coordinates follow the image convention of OpenPose and MediaPipe: x to the right, y *down*,
z away from the camera. Readers of y-up formats convert on the way in and record it in
``meta`` so that writers convert back; the viewport flips y for display.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from signstudio.pose.skeleton import Skeleton

#: Keys of ``meta`` with a fixed meaning (others are allowed and carried along).
META_KEYS = {
    "text": "the spoken-language text the sequence signs",
    "gloss": "gloss sequence, space separated",
    "sign_language": "ISO 639-3 code of the sign language (ase, gsg, ...)",
    "spoken_language": "ISO 639-1 code of the spoken language (en, de, ...)",
    "source": "path or id the sequence came from",
    "format": "reader that produced it (pose, pt-skels, p2s-legacy, p2s-2025, h5, openpose, amass, npz)",
    "convention": "dict: layout, scale, counter, dims ... of the file it came from (exact round trips)",
    "normalisation": "dict: origin (3,), scale, per_frame: how to undo `normalise`",
    "reference_kind": "recorded clip | lexicon join | user file | generated",
}


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """A sequence of poses in one skeleton layout.

    data: (F, J, 3) float32 coordinates.
    confidence: (F, J) float32, 0 = missing (its coordinates mean nothing and are kept at 0).
    fps: frames per second (> 0).
    skeleton: the layout of the J joints.
    meta: text, gloss, languages, source and the file convention (see ``META_KEYS``).
    filled: (F, J) bool, True where a point was filled by interpolation rather than measured.
    """

    data: np.ndarray
    confidence: np.ndarray
    fps: float
    skeleton: Skeleton
    meta: dict[str, Any] = field(default_factory=dict)
    filled: np.ndarray = None  # type: ignore[assignment]  # None -> all False

    def __post_init__(self) -> None:
        data = np.ascontiguousarray(self.data, dtype=np.float32)
        conf = np.ascontiguousarray(self.confidence, dtype=np.float32)
        if data.ndim != 3 or data.shape[2] != 3:
            raise ValueError(f"data must be (F, J, 3), got {data.shape}")
        if conf.shape != data.shape[:2]:
            raise ValueError(f"confidence must be {data.shape[:2]}, got {conf.shape}")
        if data.shape[1] != self.skeleton.num_joints:
            raise ValueError(
                f"data has {data.shape[1]} joints but layout {self.skeleton.layout} has "
                f"{self.skeleton.num_joints}"
            )
        if not np.isfinite(self.fps) or self.fps <= 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        filled = self.filled
        if filled is None:
            filled = np.zeros(conf.shape, dtype=bool)
        filled = np.ascontiguousarray(filled, dtype=bool)
        if filled.shape != conf.shape:
            raise ValueError(f"filled must be {conf.shape}, got {filled.shape}")
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "fps", float(self.fps))
        object.__setattr__(self, "filled", filled)
        object.__setattr__(self, "meta", dict(self.meta))

    # ---- basic facts ---------------------------------------------------------------------
    @property
    def num_frames(self) -> int:
        return int(self.data.shape[0])

    @property
    def num_joints(self) -> int:
        return int(self.data.shape[1])

    def __len__(self) -> int:
        return self.num_frames

    @property
    def duration(self) -> float:
        """Seconds."""
        return self.num_frames / self.fps

    @property
    def layout(self) -> str:
        return self.skeleton.layout

    @property
    def present(self) -> np.ndarray:
        """(F, J) bool: measured or filled, i.e. confidence > 0."""
        return self.confidence > 0

    def missing_ratio(self) -> float:
        return float(1.0 - self.present.mean()) if self.confidence.size else 0.0

    # ---- new objects ---------------------------------------------------------------------
    def replace(self, **changes: Any) -> PoseSequence:
        """A copy with some fields replaced; ``meta`` is merged, not replaced, if given as a dict."""
        fields: dict[str, Any] = {
            "data": self.data,
            "confidence": self.confidence,
            "fps": self.fps,
            "skeleton": self.skeleton,
            "meta": copy.deepcopy(self.meta),
            "filled": self.filled,
        }
        meta_update = changes.pop("meta_update", None)
        fields.update(changes)
        if meta_update:
            fields["meta"] = {**fields["meta"], **meta_update}
        return PoseSequence(**fields)

    def frames(self, start: int | None = None, stop: int | None = None) -> PoseSequence:
        """Frames ``[start, stop)`` as a new sequence (letter segments follow their frames)."""
        sl = slice(start, stop)
        out = self.replace(data=self.data[sl], confidence=self.confidence[sl], filled=self.filled[sl])
        if "segments" in self.meta:
            out.meta["segments"] = remap_segments(self.meta["segments"], np.arange(self.num_frames)[sl])
        return out

    def copy(self) -> PoseSequence:
        return self.replace(
            data=self.data.copy(), confidence=self.confidence.copy(), filled=self.filled.copy()
        )

    # ---- comparison ----------------------------------------------------------------------
    def equals(self, other: PoseSequence, atol: float = 0.0, meta_keys: tuple[str, ...] = ()) -> bool:
        """Same layout, frames, fps, and (masked) coordinates within ``atol``."""
        if self.skeleton.joints != other.skeleton.joints or self.data.shape != other.data.shape:
            return False
        if not np.isclose(self.fps, other.fps, rtol=0, atol=1e-6):
            return False
        if not np.array_equal(self.confidence, other.confidence):
            return False
        mask = self.present
        if not np.allclose(self.data[mask], other.data[mask], rtol=0, atol=atol):
            return False
        return all(self.meta.get(k) == other.meta.get(k) for k in meta_keys)

    def summary(self) -> Mapping[str, Any]:
        """The facts `signstudio info` prints."""
        groups = {g: len(ix) for g, ix in self.skeleton.groups.items()}
        return {
            "frames": self.num_frames,
            "fps": round(self.fps, 3),
            "duration_s": round(self.duration, 3),
            "layout": self.layout,
            "joints": self.num_joints,
            "groups": groups,
            "missing_ratio": round(self.missing_ratio(), 4),
            "filled_points": int(np.count_nonzero(self.filled)),
            "meta": {k: _brief(v) for k, v in self.meta.items()},
        }


def remap_segments(segments: list[dict[str, Any]], index: np.ndarray) -> list[dict[str, Any]]:
    """Letter segments (``meta["segments"]``: ``start``, ``end`` exclusive, in frames) after the
    frames were rearranged so that new frame k shows old frame ``index[k]``: each segment keeps
    the new frames that came from inside it; one left without frames is dropped."""
    out = []
    for seg in segments:
        inside = np.flatnonzero((index >= seg["start"]) & (index < seg["end"]))
        if len(inside):
            out.append({**seg, "start": int(inside[0]), "end": int(inside[-1]) + 1})
    return out


def _brief(value: Any, limit: int = 200) -> Any:
    """Large metadata (e.g. raw SMPL-X parameter lists) shown by size, not in full."""
    text = repr(value)
    if len(text) <= limit:
        return value
    if isinstance(value, dict):
        return {k: _brief(v, limit // 2) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return f"<{type(value).__name__} of {len(value)} items>"
    return text[: limit - 3] + "..."


def empty_like(seq: PoseSequence, num_frames: int) -> PoseSequence:
    """A sequence of ``num_frames`` missing frames in ``seq``'s layout and fps."""
    return seq.replace(
        data=np.zeros((num_frames, seq.num_joints, 3), np.float32),
        confidence=np.zeros((num_frames, seq.num_joints), np.float32),
        filled=np.zeros((num_frames, seq.num_joints), bool),
    )
