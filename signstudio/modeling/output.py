"""What a text -> pose network's output becomes: an ``upper50`` `PoseSequence` whose joints the
network did not produce are *missing* (confidence 0), not points at the neck.

Why: the training targets (`signstudio.modeling.data`) keep a joint the recording lacks at exactly
0, which in the corpus' units (neck at the origin, shoulder width 1) is the neck. The networks
learn that convention, so where they have no hand to give (the left hand of most ASE, DGS and
SGG words: the corpus has it in 16 % of frames) they put its 21 points and often the body's wrist
at the origin, and the skeleton drew a bright bone from the elbow to the neck. The network's
output is the one place that knows this convention: readers never treat (0, 0, 0) as missing
(Progressive Transformers' ``.skels`` measure the neck at exactly the origin).

The rule, per frame (distances to the origin in shoulder widths; the thresholds sit below
what the corpus' 16.5 million measured points ever show):

* a **hand** (21 points) is missing when the median distance of its points is under
  ``HAND_RADIUS`` (0.05): a measured hand's median is at least 0.07 (0.09 at the 0.1 percentile),
  a hand the networks leave out sits at 0.005–0.02 (diffusion's noisier fingers up to 0.08 for
  single points, not for the median);
* a **body wrist** is missing when it lies within ``POINT_RADIUS`` (0.05), or within
  ``WRIST_RADIUS`` (0.2) while its hand is missing (the nearest measured left wrist is 0.195
  from the neck, the right's 1st percentile 0.27; ``signllm-p2lg`` leaves its absent left wrist
  up to 0.17 away);
* any other body joint but the neck is missing within ``POINT_RADIUS`` (shoulders, elbows and
  the nose never come that close); the neck *is* the origin and is always produced. A single
  finger point near the origin is not judged alone: a measured fingertip may touch the chin.

Missing joints get confidence 0 and coordinates 0 (`PoseSequence`'s convention), so the views,
the renders, DTW and the avatar all leave them out.
"""

from __future__ import annotations

import numpy as np

from signstudio.modeling.data import FPS, LAYOUT, NUM_JOINTS
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

HAND_RADIUS = 0.05
POINT_RADIUS = 0.05
WRIST_RADIUS = 0.2
NECK = 1
#: (body wrist, first hand point) of each side in ``upper50``: BODY 0-7, LEFT_HAND 8-28, RIGHT_HAND 29-49.
_SIDES = ((7, 8), (4, 29))
_HAND = 21
_BODY = 8


def produced(data: np.ndarray) -> np.ndarray:
    """data: (F, 50, 3) network output in corpus units -> (F, 50) bool, True where the network
    produced the joint (the module docstring's rule)."""
    dist = np.linalg.norm(np.nan_to_num(data.astype(np.float64)), axis=2)  # (F, 50)
    present = np.ones(dist.shape, bool)
    # body points one by one; a hand's fingers only as a whole (a measured fingertip may touch the chin)
    present[:, :_BODY] = dist[:, :_BODY] >= POINT_RADIUS
    present[:, NECK] = True
    for wrist, first in _SIDES:
        hand = slice(first, first + _HAND)
        hand_missing = np.median(dist[:, hand], axis=1) < HAND_RADIUS
        present[:, hand] &= ~hand_missing[:, None]
        present[:, wrist] &= ~(hand_missing & (dist[:, wrist] < WRIST_RADIUS))
    return present


def generated_sequence(
    frames: np.ndarray, text: str, lang: str, model_id: str, spoken: str | None = None
) -> PoseSequence:
    """(F, 150) corpus-unit values -> an ``upper50`` `PoseSequence` at 25 fps, meta as `SignModel`
    says, the joints the network did not produce missing (`produced`)."""
    data = frames.reshape(len(frames), NUM_JOINTS, 3).astype(np.float32)
    present = produced(data)
    data[~present] = 0.0
    meta = {
        "text": text,
        "sign_language": lang,
        "reference_kind": "generated",
        "model": model_id,
        "source": f"model:{model_id}",
    }
    if spoken:
        meta["spoken_language"] = spoken
    return PoseSequence(data, present.astype(np.float32), FPS, get_layout(LAYOUT), meta)


__all__ = ["HAND_RADIUS", "POINT_RADIUS", "WRIST_RADIUS", "generated_sequence", "produced"]
