"""What the viewport draws for one skeleton, one frame at a time (numpy only, no GL).

A `SkeletonGeometry` turns a `PoseSequence` into the arrays of exactly two GL items: one line
item in ``mode='lines'`` (two vertices per visible bone) and one point item (one vertex per
visible joint). It caches each frame's arrays as contiguous float32 so that the viewport hands
them to the GPU unchanged, and only when the frame changes.

Display space: the GL scene is z-up. Pose data is in image convention (x right, y *down*,
z away from the camera), so display = (x, z, -y): y is flipped, depth goes into the screen,
and the handedness is kept (no mirror image).

What is drawn:

* joints with confidence 0 are missing: not drawn, nor any bone touching them;
* joints of group ``other`` (e.g. MediaPipe's world landmarks, a second copy of the body in
  metres) are not drawn;
* the face is drawn as small points only. The holistic face mesh has 2564 limbs (a
  triangulation, not contours): drawn as lines it is a grey blot that hides the mouth and eyes
  and triples the vertices uploaded per frame, while 478 small points show the face shape,
  brows and mouth opening clearly;
* points and bones with low confidence (< ``LOW_CONFIDENCE``, e.g. MediaPipe's guessed legs
  outside the image) are drawn faint, so uncertain data is shown but not mistaken for measured.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from signstudio.pose.sequence import PoseSequence

LOW_CONFIDENCE = 0.5
FAINT_ALPHA = 0.22
#: Point size in pixels per group.
POINT_SIZE = {"body": 9.0, "left_hand": 6.0, "right_hand": 6.0, "face": 2.5}
#: Groups drawn, in order; everything else (``other``) is hidden.
DRAWN_GROUPS = ("body", "left_hand", "right_hand", "face")
#: Groups whose bones are drawn (the face is points only, see the module docstring).
BONE_GROUPS = ("body", "left_hand", "right_hand")


def to_display(points: np.ndarray) -> np.ndarray:
    """(..., 3) image-convention coordinates (x right, y down, z away) -> z-up display space."""
    p = np.asarray(points, dtype=np.float32)
    out = np.empty(p.shape, dtype=np.float32)
    out[..., 0] = p[..., 0]
    out[..., 1] = p[..., 2]
    out[..., 2] = -p[..., 1]
    return out


@dataclass(frozen=True)
class FrameGeometry:
    """The arrays of one frame, ready for ``setData``.

    line_pos (2B, 3), line_color (2B, 4): two vertices per visible bone.
    point_pos (P, 3), point_color (P, 4), point_size (P,): one per visible joint.
    """

    line_pos: np.ndarray
    line_color: np.ndarray
    point_pos: np.ndarray
    point_color: np.ndarray
    point_size: np.ndarray

    @property
    def num_bones(self) -> int:
        return self.line_pos.shape[0] // 2

    @property
    def num_points(self) -> int:
        return self.point_pos.shape[0]


class SkeletonGeometry:
    """Per-frame display arrays of one sequence, built lazily and cached (LRU).

    ``offset`` (3,) is added in display space (to stand a reference skeleton beside another).
    """

    def __init__(self, seq: PoseSequence, offset: np.ndarray | None = None, cache_frames: int = 4096) -> None:
        self.seq = seq
        skel = seq.skeleton
        groups = skel.joint_groups()
        self.offset = np.zeros(3, np.float32) if offset is None else np.asarray(offset, np.float32)
        self.display = to_display(seq.data) + self.offset  # (F, J, 3)

        drawn = np.isin(groups, DRAWN_GROUPS)
        self.joint_index = np.flatnonzero(drawn)  # joints that can be drawn
        rgb = skel.joint_colors().astype(np.float32) / 255.0
        self._joint_rgb = rgb[self.joint_index]
        self._joint_size = np.asarray(
            [POINT_SIZE.get(g, 4.0) for g in groups[self.joint_index]], dtype=np.float32
        )

        bones = skel.bones
        if len(bones):
            bone_groups = groups[bones]  # (B, 2)
            keep = np.isin(bone_groups, BONE_GROUPS).all(axis=1)
            bones = bones[keep]
        self.bones = bones.reshape(-1, 2)
        # A bone takes the colour of its child joint (a wrist link is drawn in the hand's colour).
        self._bone_rgb = rgb[self.bones[:, 1]] if len(self.bones) else np.zeros((0, 3), np.float32)

        self._cache: OrderedDict[int, FrameGeometry] = OrderedDict()
        self._cache_frames = max(1, int(cache_frames))

    @property
    def num_frames(self) -> int:
        return self.seq.num_frames

    def frame_at_time(self, seconds: float) -> int:
        """This sequence's frame shown at ``seconds`` (held on the last frame after its end)."""
        return min(max(round(seconds * self.seq.fps), 0), self.num_frames - 1)

    def frame(self, i: int) -> FrameGeometry:
        """The arrays of frame ``i`` (cached)."""
        geo = self._cache.get(i)
        if geo is not None:
            self._cache.move_to_end(i)
            return geo
        geo = self._build(i)
        self._cache[i] = geo
        if len(self._cache) > self._cache_frames:
            self._cache.popitem(last=False)
        return geo

    def _build(self, i: int) -> FrameGeometry:
        conf = self.seq.confidence[i]
        pts = self.display[i]

        j = self.joint_index
        cj = conf[j]
        vis = cj > 0
        point_pos = np.ascontiguousarray(pts[j[vis]], dtype=np.float32)
        point_alpha = np.where(cj[vis] >= LOW_CONFIDENCE, 1.0, FAINT_ALPHA).astype(np.float32)
        point_color = np.ascontiguousarray(
            np.concatenate([self._joint_rgb[vis], point_alpha[:, None]], axis=1), dtype=np.float32
        )
        point_size = np.ascontiguousarray(self._joint_size[vis], dtype=np.float32)

        if len(self.bones):
            cb = conf[self.bones]  # (B, 2)
            bvis = (cb > 0).all(axis=1)
            b = self.bones[bvis]
            line_pos = np.ascontiguousarray(pts[b].reshape(-1, 3), dtype=np.float32)
            alpha = np.where(cb[bvis].min(axis=1) >= LOW_CONFIDENCE, 1.0, FAINT_ALPHA).astype(np.float32)
            rgba = np.concatenate([self._bone_rgb[bvis], alpha[:, None]], axis=1)
            line_color = np.ascontiguousarray(np.repeat(rgba, 2, axis=0), dtype=np.float32)
        else:
            line_pos = np.zeros((0, 3), np.float32)
            line_color = np.zeros((0, 4), np.float32)
        return FrameGeometry(line_pos, line_color, point_pos, point_color, point_size)

    def bounds(self, confident_only: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
        """(lo, hi) display-space corners of the drawn joints over all frames, or None if none.

        With ``confident_only`` the box covers the joints with confidence >= ``LOW_CONFIDENCE``
        (falling back to every present joint), so that guessed limbs do not shrink the figure.
        """
        conf = self.seq.confidence[:, self.joint_index]
        pts = self.display[:, self.joint_index]
        for mask in ((conf >= LOW_CONFIDENCE) if confident_only else conf > 0, conf > 0):
            if mask.any():
                sel = pts[mask]
                return sel.min(axis=0), sel.max(axis=0)
        return None
