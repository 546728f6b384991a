"""What the viewport draws, in numpy (no GL): display space, normalisation, styles, bounds.

`DisplaySkeleton` is what the viewport's own GL items need (see
`signstudio.app.viewport.skeleton_items`): per joint a colour and a point size, the drawn bones
as index pairs, and one 4x4 matrix that takes the sequence's raw coordinates to display space.
The items upload the raw frame as it is and the GPU applies the matrix, so showing a frame costs
no array building on the CPU. Picking through the camera lives in `signstudio.session.camera`.

`prepare_display` computes the colour-free part of a `DisplaySkeleton` (normalisation, drawn
joints, bones, bounds) on any thread; the runner bridge calls it on its worker thread for a
finished generation, and `display_skeleton` on the GUI thread then only colours it (each
prepared entry is used once, and held weakly: a result that is never shown frees it).

Display normalisation (`display_normalisation`): every sequence is shown with its neck (the
median shoulder midpoint) at the origin and its median shoulder width as the unit
(`signstudio.pose.transforms.normalise`), so a holistic recording in pixels and an upper50
sequence in shoulder units stand the same size side by side or overlaid. A layout without
known shoulders falls back to the median of its present points as the origin and a third of
their robust height as the unit (a shoulder is roughly a third of the upper body).

`SkeletonGeometry` turns a `PoseSequence` into the per-frame vertex arrays that pyqtgraph's stock
``GLLinePlotItem`` (``mode='lines'``, two vertices per visible bone) and ``GLScatterPlotItem``
(one vertex per visible joint) need. The viewport no longer draws with those; the benchmark
(`benchmarks.viewport`) feeds them through it to compare, and it documents the same
drawing rules on plain arrays.

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
  outside the image) are drawn faint, so uncertain data is shown but not mistaken for measured;
* (`DisplaySkeleton`) a body's own coarse finger points are not drawn when the skeleton has
  the detailed hand (`BODY_HAND_POINTS`).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUP_COLORS

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


# ---- what the viewport's GL items draw ----------------------------------------------------------

#: Raw image-convention coordinates (x right, y down, z away) -> z-up display space; the same map
#: as `to_display` as a matrix.
IMAGE_TO_DISPLAY = np.asarray([[1, 0, 0], [0, 0, 1], [0, -1, 0]], np.float64)


def display_normalisation(seq: PoseSequence) -> tuple[np.ndarray, float, str]:
    """Origin (3,) and unit of ``seq`` for display, and how they were found.

    ``"shoulders"``: neck at the origin, shoulder width 1 (`signstudio.pose.transforms.normalise`;
    a sequence that is normalised already comes back unchanged). ``"extent"``: no shoulders
    (unknown layout, or never both present): the median present point and a third of the
    5-95 percentile height of the present points. ``"none"``: nothing is present.
    """
    from signstudio.pose.transforms import normalisation_of

    try:
        origin, scale = normalisation_of(seq)
        return np.asarray(origin, np.float64), float(scale), "shoulders"
    except (ValueError, KeyError):
        pass
    pts = seq.data[seq.confidence > 0]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if not len(pts):
        return np.zeros(3), 1.0, "none"
    origin = np.median(pts, axis=0).astype(np.float64)
    lo, hi = np.percentile(pts[:, 1], [5, 95])
    height = float(hi - lo)
    return origin, (height / 3.0 if height > 0 else 1.0), "extent"


@dataclass(frozen=True)
class DisplaySkeleton:
    """What the viewport needs to draw one sequence (see the module docstring).

    matrix: (4, 4) float64, raw coordinates -> normalised display space (column vectors).
    rgb: (J, 3) float32 in 0..1; size: (J,) float32 point size in pixels, 0 = never drawn (group
    ``other``, and body fingers that a hand component draws: `BODY_HAND_POINTS`).
    bones: (B, 2) uint32 drawn bones (parent, child): a bone takes its child's colour.
    lo, hi: (3,) display-space box of the confident drawn joints over all frames (None: none).
    floor: display-space height of the lowest present drawn joint (None: none).
    how: how the normalisation was found (`display_normalisation`).
    """

    seq: PoseSequence
    matrix: np.ndarray
    rgb: np.ndarray
    size: np.ndarray
    bones: np.ndarray
    lo: np.ndarray | None
    hi: np.ndarray | None
    floor: float | None
    how: str

    @property
    def num_frames(self) -> int:
        return self.seq.num_frames

    def clamp(self, frame: int) -> int:
        return min(max(int(frame), 0), self.seq.num_frames - 1)

    def to_display(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) raw coordinates -> display space with this sequence's normalisation."""
        p = np.asarray(points, np.float64)
        return (p @ self.matrix[:3, :3].T + self.matrix[:3, 3]).astype(np.float32)


#: Body points that a hand component shows in detail (MediaPipe's pose has a coarse pinky,
#: index and thumb per hand): not drawn when the skeleton has that hand, so that they do not
#: clutter it with a second, blue hand.
BODY_HAND_POINTS = ("PINKY", "INDEX", "THUMB")


def _duplicate_hand_points(seq: PoseSequence) -> np.ndarray:
    """(J,) True for body joints named like a finger of a hand the skeleton also has."""
    groups = seq.skeleton.joint_groups()
    out = np.zeros(len(groups), bool)
    sides = {side for side in ("left", "right") if f"{side}_hand" in set(groups)}
    for j, name in enumerate(seq.skeleton.joints):
        if groups[j] != "body":
            continue
        point = name.rsplit(":", 1)[-1].upper()
        for side in sides:
            if point in {f"{side.upper()}_{finger}" for finger in BODY_HAND_POINTS}:
                out[j] = True
    return out


@dataclass(frozen=True)
class _Shape:
    """The colour-free part of a `DisplaySkeleton` (all of it but ``rgb``)."""

    groups: np.ndarray
    size: np.ndarray
    bones: np.ndarray
    matrix: np.ndarray
    lo: np.ndarray | None
    hi: np.ndarray | None
    floor: float | None
    how: str


#: Shapes made ahead of time by `prepare_display` (on the runner's thread), taken once by
#: `display_skeleton`; weak, so a sequence dropped before it is shown frees its entry. Two
#: threads fill and take it: the lock.
_PREPARED: weakref.WeakKeyDictionary[PoseSequence, _Shape] = weakref.WeakKeyDictionary()
_PREPARED_LOCK = threading.Lock()


def prepare_display(*seqs: PoseSequence | None) -> None:
    """Compute the normalisation, drawn joints and bounds of ``seqs`` now (any thread), so that
    `display_skeleton` on the GUI thread only colours them: applying a result then does not
    stall the window for the ~10 ms per sequence this takes."""
    for seq in seqs:
        if seq is None:
            continue
        with _PREPARED_LOCK:
            if seq in _PREPARED:
                continue
        shape = _shape(seq)  # fresh arrays, never changed after
        with _PREPARED_LOCK:
            _PREPARED.setdefault(seq, shape)


def display_skeleton(
    seq: PoseSequence, colors: dict[str, tuple[int, int, int]] | None = None
) -> DisplaySkeleton:
    """The `DisplaySkeleton` of ``seq``; ``colors`` overrides `GROUP_COLORS` per group."""
    with _PREPARED_LOCK:
        prepared = _PREPARED.pop(seq, None)
    shape = prepared or _shape(seq)
    palette = {**GROUP_COLORS, **(colors or {})}
    groups = shape.groups
    rgb = np.asarray([palette.get(g, palette["other"]) for g in groups], np.float32).reshape(-1, 3) / 255.0
    return DisplaySkeleton(
        seq, shape.matrix, rgb, shape.size, shape.bones, shape.lo, shape.hi, shape.floor, shape.how
    )


def _shape(seq: PoseSequence) -> _Shape:
    skel = seq.skeleton
    groups = skel.joint_groups()
    drawn = np.isin(groups, DRAWN_GROUPS) & ~_duplicate_hand_points(seq)
    size = np.where(drawn, [POINT_SIZE.get(g, 4.0) for g in groups], 0.0).astype(np.float32)
    bones = skel.bones
    if len(bones):
        bones = bones[np.isin(groups[bones], BONE_GROUPS).all(axis=1) & drawn[bones].all(axis=1)]
    bones = np.ascontiguousarray(bones.reshape(-1, 2), np.uint32)

    origin, scale, how = display_normalisation(seq)
    matrix = np.eye(4)
    matrix[:3, :3] = IMAGE_TO_DISPLAY / scale
    matrix[:3, 3] = -(IMAGE_TO_DISPLAY @ origin) / scale

    lo = hi = None
    floor = None
    conf = seq.confidence[:, drawn]
    if conf.size:
        pts = seq.data[:, drawn]
        present = (conf > 0) & np.isfinite(pts).all(axis=2)
        if present.any():
            sure = present & (conf >= LOW_CONFIDENCE)
            sel = pts[sure] if sure.any() else pts[present]
            lo, hi = _extent(sel, matrix[:3])
            # height in display = row 2 of the matrix applied to the raw points
            floor = float(_extent(pts[present], matrix[2:3])[0][0])
    return _Shape(groups, size, bones, matrix, lo, hi, floor, how)


def _extent(points: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) raw points, (K, 4) affine rows -> the (K,) min and max of ``rows`` applied to them.

    Column by column on contiguous copies: an (N, 3) @ (3, 3) product goes to BLAS, whose threads
    cost ~10x this on a busy CPU (it was most of the stall when a result is applied)."""
    cols = np.ascontiguousarray(points.T, np.float64)  # (3, N)
    out = [r[0] * cols[0] + r[1] * cols[1] + r[2] * cols[2] + r[3] for r in rows]
    return np.array([o.min() for o in out]), np.array([o.max() for o in out])


# ---- joint error heat map ------------------------------------------------------------------

#: Error (shoulder widths) at which a joint turns fully red; half of it is yellow, 0 green.
HEAT_FULL = 0.5
_HEAT_STOPS = np.array([[40, 190, 90], [240, 200, 40], [230, 50, 40]], np.float32) / 255.0
_HEAT_NONE = np.array([110, 110, 118], np.float32) / 255.0  # no error known (missing joint)


def heat_colors(errors: np.ndarray, full: float = HEAT_FULL) -> np.ndarray:
    """(J,) errors (NaN: unknown) -> (J, 3) rgb 0..1: green at 0, yellow at ``full / 2``, red from
    ``full`` on; grey where the error is unknown. A fixed scale, so a colour means the same
    distance on every frame and every sequence."""
    e = np.asarray(errors, np.float64)
    t = np.clip(np.nan_to_num(e, nan=0.0) / full, 0.0, 1.0) * 2.0  # 0..2 over the two segments
    lo = np.minimum(t.astype(int), 1)
    w = (t - lo)[:, None]
    rgb = _HEAT_STOPS[lo] * (1 - w) + _HEAT_STOPS[lo + 1] * w
    rgb[~np.isfinite(e)] = _HEAT_NONE
    return rgb.astype(np.float32)


_SIDES = {"L": "left", "R": "right"}


def joint_label(name: str) -> str:
    """A joint's name as a person says it: ``RIGHT_HAND:INDEX_FINGER_TIP`` -> "right index tip",
    ``BODY:LWrist`` -> "left wrist", ``BODY:Nose`` -> "nose"."""
    component, _, point = name.rpartition(":")
    side = ""
    if component.startswith(("LEFT", "RIGHT")):
        side = component.split("_")[0].lower() + " "
        if point == "WRIST":
            return f"{side}hand wrist"
    elif len(point) > 2 and point[0] in _SIDES and point[1].isupper() and point[2].islower():
        side, point = _SIDES[point[0]] + " ", point[1:]
    words = point.replace("_FINGER", "").replace("_", " ").lower()
    return f"{side}{words}".strip()
