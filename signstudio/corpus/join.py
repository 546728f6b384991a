"""Join sign clips into one sequence, the way the sign.mt pipeline (spoken-to-signed) joins signs.

For each pair of consecutive clips:

1. *cut* at the closest pair of frames: among the last 0.3 s of one clip and the first 0.3 s of
   the next (or 30 % of a clip, whichever is shorter), pick the pair with the smallest
   confidence-weighted distance over the points present in both, face excluded
   (spoken-to-signed's ``find_best_connection_point``);
2. *bridge* the cut with ``bridge_seconds`` (0.2 s) of frames interpolated linearly between the
   two cut frames; bridge points are marked ``filled``, never passed off as measured;
3. *smooth* the joined sequence with a zero-phase Butterworth low-pass (6 Hz, order 4) on every
   non-face point (spoken-to-signed's ``pose_butterworth_filter``; a 3-frame Savitzky–Golay for
   sequences too short for it). Missing points stay missing.

Letter segments: ``join`` records where each clip lies in the joined sequence as
``meta["segments"]``, a list of ``{"start": int, "end": int, "label": str, "hand": str}`` in
frames of the joined sequence (``end`` exclusive), in order, never overlapping; the bridges lie
between them. A clip that carries segments itself (a joined word) contributes its own segments,
shifted and clipped to the part of it that was kept, so joining words keeps their letters. The
label is the clip's ``meta["text"]`` in upper case (the letter, as the gloss writes it). The hand
is `signing_hand` of the segment's frames: the hands *present* in at least half of them. The
lexicon recordings keep the hand that is not signing out of the picture or at rest below it, where
MediaPipe does not track it, so presence tells which hand signs: ``"right"`` (most
one-handed alphabets), ``"left"`` (a left-handed signer, e.g. the LIS clips) or ``"both"`` (the
two-handed alphabets: the Czech and Turkish clips; BSL would be one).

This is a numpy re-implementation rather than a call into spoken-to-signed because it must run on
any layout (upper50 has no face component, which their smoothing requires) and on machines that
carry only our compact letter cache; ``tests/corpus/test_join.py`` checks it against
spoken-to-signed's own functions on real recordings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from signstudio.pose.sequence import PoseSequence

CONNECTION_WINDOW_S = 0.3
BRIDGE_S = 0.2
BUTTER_CUTOFF_HZ = 6.0
BUTTER_ORDER = 4
#: A hand signs in a segment when it is present in at least this share of its frames.
HAND_PRESENT_SHARE = 0.5
HANDS = ("right", "left", "both")


@dataclass(frozen=True)
class Cut:
    """Where clip ``i`` ends (exclusive) and clip ``i + 1`` starts, in their own frame indices."""

    end: int
    next_start: int


def _non_face(seq: PoseSequence) -> np.ndarray:
    keep = np.ones(seq.num_joints, dtype=bool)
    face = seq.skeleton.groups.get("face")
    if face is not None:
        keep[face] = False
    other = seq.skeleton.groups.get("other")
    if other is not None:
        keep[other] = False
    return keep


def best_connection(a: PoseSequence, b: PoseSequence, window_s: float = CONNECTION_WINDOW_S) -> Cut:
    """The closest pair of frames between the end of ``a`` and the start of ``b``.

    Returns ``Cut(end, next_start)``: keep ``a[:end]`` and ``b[next_start:]``... as in
    spoken-to-signed, the chosen frame of ``a`` is *excluded* and the chosen frame of ``b``
    starts the next clip.
    """
    n_a = math.ceil(min(window_s * a.fps, a.num_frames * window_s))
    n_b = math.ceil(min(window_s * b.fps, b.num_frames * window_s))
    keep = _non_face(a)
    last = a.data[a.num_frames - n_a :][:, keep].astype(np.float64)  # (n_a, J', 3)
    first = b.data[:n_b][:, keep].astype(np.float64)  # (n_b, J', 3)
    last_conf = a.confidence[a.num_frames - n_a :][:, keep].astype(np.float64)
    first_conf = b.confidence[:n_b][:, keep].astype(np.float64)
    squared = ((last[:, None] - first[None, :]) ** 2).sum(-1)  # (n_a, n_b, J')
    weight = last_conf[:, None] * first_conf[None, :]
    total = weight.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.where(total > 0, np.sqrt((weight * squared).sum(-1) / np.maximum(total, 1e-8)), np.inf)
    i, j = np.unravel_index(int(np.argmin(dist)), dist.shape)
    return Cut(end=a.num_frames - n_a + int(i), next_start=int(j))


def plan_cuts(clips: Sequence[PoseSequence]) -> list[Cut]:
    return [best_connection(clips[i], clips[i + 1]) for i in range(len(clips) - 1)]


def _bridge(a_last: PoseSequence, b_first: PoseSequence, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(frames, J, 3) data and (frames, J) confidence interpolated strictly between two frames."""
    w = (np.arange(1, frames + 1) / (frames + 1)).astype(np.float32)[:, None, None]
    data = a_last.data[0] * (1 - w) + b_first.data[0] * w
    both = (a_last.confidence[0] > 0) & (b_first.confidence[0] > 0)
    conf = np.where(both, np.minimum(a_last.confidence[0], b_first.confidence[0]), 0.0)
    conf = np.broadcast_to(conf, (frames, conf.shape[0])).astype(np.float32)
    data = np.where(conf[..., None] > 0, data, 0.0).astype(np.float32)
    return data, conf


def smooth(seq: PoseSequence) -> PoseSequence:
    """Zero-phase low-pass of every non-face trajectory; missing points stay missing."""
    import scipy.signal  # lazily: importing it costs ~1 s, and the studio's first paint does not need it

    from signstudio.pose.transforms import fill_missing

    keep = _non_face(seq)
    nyquist = seq.fps / 2
    wn = min(max(BUTTER_CUTOFF_HZ / nyquist, 1e-3), 0.99)
    b, a = scipy.signal.butter(BUTTER_ORDER, wn, btype="low")
    # filtfilt needs a sequence longer than its edge padding.
    if seq.num_frames <= 3 * max(len(a), len(b)):
        if seq.num_frames < 3:
            return seq

        def filt(x: np.ndarray) -> np.ndarray:
            return scipy.signal.savgol_filter(x, window_length=3, polyorder=1, axis=0)
    else:

        def filt(x: np.ndarray) -> np.ndarray:
            return scipy.signal.filtfilt(b, a, x, axis=0)

    # Filter through gaps on temporarily interpolated points, then restore what was missing.
    tmp = fill_missing(seq)
    data = seq.data.copy()
    data[:, keep] = filt(tmp.data[:, keep].astype(np.float64)).astype(np.float32)
    data[~seq.present] = 0.0
    return seq.replace(data=data)


def signing_hand(seq: PoseSequence, start: int = 0, end: int | None = None) -> str:
    """Which hand signs in frames ``[start, end)``: ``"right"``, ``"left"`` or ``"both"``.

    A hand counts when any of its points (group ``right_hand`` / ``left_hand``) is present in at
    least `HAND_PRESENT_SHARE` of the frames. When neither reaches it, the hand present in more
    frames; ``"right"`` when that does not decide (no hand present, or a layout without hands).
    """
    end = seq.num_frames if end is None else end
    # only these frames: ``seq.present`` would compare every frame, once per segment (quadratic)
    present = seq.confidence[start:end] > 0
    share: dict[str, float] = {}
    for hand in ("right", "left"):
        idx = seq.skeleton.groups.get(f"{hand}_hand")
        share[hand] = float(present[:, idx].any(axis=1).mean()) if idx is not None and len(present) else 0.0
    signing = [h for h in ("right", "left") if share[h] >= HAND_PRESENT_SHARE]
    if len(signing) == 2:
        return "both"
    if signing:
        return signing[0]
    return "left" if share["left"] > share["right"] else "right"


def _label(clip: PoseSequence, index: int) -> str:
    text = clip.meta.get("text") or clip.meta.get("gloss")
    return str(text).upper() if text else str(index + 1)


def _placed_segments(clip: PoseSequence, kept: tuple[int, int], offset: int) -> list[dict[str, Any]] | None:
    """The clip's own segments inside its kept frames ``[kept[0], kept[1])``, moved to start at
    ``offset``; None when the clip has none (it is one segment itself)."""
    own = clip.meta.get("segments")
    if not own:
        return None
    out = []
    for seg in own:
        start, end = max(int(seg["start"]), kept[0]), min(int(seg["end"]), kept[1])
        if end > start:
            out.append({**seg, "start": start - kept[0] + offset, "end": end - kept[0] + offset})
    return out


def _segments(
    joined: PoseSequence,
    clips: Sequence[PoseSequence],
    labels: Sequence[str],
    kept: Sequence[tuple[int, int]],
    offsets: Sequence[int],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for clip, label, span, offset in zip(clips, labels, kept, offsets, strict=True):
        placed = _placed_segments(clip, span, offset)
        if placed is None:
            start, end = offset, offset + span[1] - span[0]
            placed = (
                []
                if end <= start
                else [{"start": start, "end": end, "label": label, "hand": signing_hand(joined, start, end)}]
            )
        out.extend(placed)
    return out


def join(
    clips: Sequence[PoseSequence],
    cuts: Sequence[Cut] | None = None,
    bridge_s: float = BRIDGE_S,
    smoothing: bool = True,
    labels: Sequence[str] | None = None,
) -> PoseSequence:
    """One sequence from several clips of the same layout and fps (see the module docstring).

    clips: each (F_i, J, 3). labels: one per clip for ``meta["segments"]`` (default: each clip's
    ``meta["text"]`` in upper case, else its gloss, else its number from 1).
    Returns (F, J, 3) with ``meta["segments"]`` (see the module docstring).
    """
    if not clips:
        raise ValueError("nothing to join")
    labels = [_label(c, i) for i, c in enumerate(clips)] if labels is None else list(labels)
    if len(labels) != len(clips):
        raise ValueError(f"{len(labels)} labels for {len(clips)} clips")
    fps = clips[0].fps
    for c in clips[1:]:
        if c.skeleton.joints != clips[0].skeleton.joints:
            raise ValueError("clips have different layouts")
        if not np.isclose(c.fps, fps):
            raise ValueError(f"clips have different frame rates ({fps} and {c.fps}); resample first")
    if len(clips) == 1:
        out = clips[0].copy()
        out = out.replace(meta_update={"segments": _segments(out, clips, labels, [(0, out.num_frames)], [0])})
        return smooth(out) if smoothing else out
    cuts = list(cuts) if cuts is not None else plan_cuts(clips)
    bridge_frames = int(bridge_s * fps)
    parts_data, parts_conf, parts_filled = [], [], []
    kept: list[tuple[int, int]] = []  # each clip's frames [start, end) that were kept
    offsets: list[int] = []  # where they start in the joined sequence
    length = 0
    start = 0
    for i, clip in enumerate(clips):
        end = cuts[i].end if i < len(clips) - 1 else clip.num_frames
        piece = clip.frames(start, end)
        kept.append((start, max(start, end)))
        offsets.append(length)
        length += piece.num_frames
        parts_data.append(piece.data)
        parts_conf.append(piece.confidence)
        parts_filled.append(piece.filled)
        if i < len(clips) - 1:
            nxt = cuts[i].next_start
            if bridge_frames > 0:
                last_frame = clip.frames(max(end - 1, 0), max(end, 1))
                first_frame = clips[i + 1].frames(nxt, nxt + 1)
                bridge_data, bridge_conf = _bridge(last_frame, first_frame, bridge_frames)
                parts_data.append(bridge_data)
                parts_conf.append(bridge_conf)
                parts_filled.append(bridge_conf > 0)
                length += bridge_frames
            start = nxt
    first = clips[0]
    joined = first.replace(
        data=np.concatenate(parts_data),
        confidence=np.concatenate(parts_conf),
        filled=np.concatenate(parts_filled),
        meta_update={"reference_kind": "lexicon join", "joined_from": len(clips)},
    )
    joined = joined.replace(meta_update={"segments": _segments(joined, clips, labels, kept, offsets)})
    return smooth(joined) if smoothing else joined
