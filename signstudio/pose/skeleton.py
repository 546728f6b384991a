"""Skeletons: joint names, bones, groups and colours, and the named layouts.

A skeleton is a list of *components* (as in pose-format: ``POSE_LANDMARKS``, ``FACE_LANDMARKS``,
``LEFT_HAND_LANDMARKS`` ...), each with its own points and limbs. Joints are the points of all
components in order; bones are the limbs with indices shifted into that flat order. Keeping the
components lets a `.pose` file be written back exactly as it was read.

Named layouts (see DESIGN.md §3):

* ``holistic``    MediaPipe Holistic as pose-format names it: 33 pose, 478 face, 21 + 21 hands.
                  The table is taken from a real lexicon file of spoken-to-signed
                  (``layouts/holistic.json``, made by ``python -m signstudio.pose.layouts``).
* ``openpose137`` OpenPose BODY_25 + 70 face + 21 left hand + 21 right hand.
* ``upper50``     BODY_25 points 0–7, then the left hand (21), then the right hand (21): the
                  150-value layout of Progressive Transformers and SignLLM.
* ``smplx``       the 55 SMPL-X joints (22 body, jaw, 2 eyes, 2 × 15 hand joints).
* ``p2s128``      Prompt2Sign 2025 (DWPose): COCO-18 body, left hand 21, right hand 21, iBUG-68
                  face; component names ``BODY_18``, ``LEFT_HAND``, ``RIGHT_HAND``, ``FACE_68``
                  (``layouts/p2s128.json``; see ``signstudio.pose.formats.skels``).
* ``coco18``      OpenPose's COCO-18 body (``BODY_18``, the names of p2s128's body), OpenPose's
                  70-point face (``FACE_70``), ``LEFT_HAND`` and ``RIGHT_HAND``; a file may hold the
                  body alone or with any of the others.
* ``wholebody133`` COCO-WholeBody (MMPose, AlphaPose-133): ``BODY`` (17 COCO points, then 6 foot
                  points, pose-format's names), ``FACE`` (iBUG-68), ``LEFT_HAND``, ``RIGHT_HAND``.
                  COCO has no neck.

A skeleton read from a file is checked by `validate_skeleton` (every reader, through
``formats.read``); the mirror by name (`_mirror_by_name`) pairs only names that are unique and
mirror each other, so it is always a permutation that is its own inverse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources

import numpy as np

from signstudio.pose.errors import SkeletonError

GROUPS = ("body", "left_hand", "right_hand", "face")

#: Default colour (RGB, 0–255) of each group; the viewport and renderers use these.
GROUP_COLORS: dict[str, tuple[int, int, int]] = {
    "body": (80, 160, 255),
    "left_hand": (255, 140, 40),
    "right_hand": (40, 200, 120),
    "face": (200, 200, 200),
    "other": (130, 130, 130),
}


@dataclass(frozen=True)
class Component:
    """One block of points, as a pose-format header component."""

    name: str
    points: tuple[str, ...]
    limbs: tuple[tuple[int, int], ...] = ()
    colors: tuple[tuple[int, int, int], ...] = ((255, 255, 255),)
    format: str = "XYZC"
    group: str = "body"


@dataclass(frozen=True)
class Skeleton:
    """Joint names, bones, groups and colours of a layout.

    ``joints``: (J,) names, ``component:point`` when the skeleton has several components.
    ``bones``: (B, 2) parent/child joint indices into ``joints``.
    ``groups``: group name -> joint indices (``body``, ``left_hand``, ``right_hand``, ``face``,
    and ``other`` for points not drawn by default, e.g. MediaPipe's world landmarks).
    ``mirror``: (J,) index of each joint's left/right counterpart (itself on the midline).
    """

    layout: str
    components: tuple[Component, ...]
    mirror_index: tuple[int, ...] = field(default=(), compare=False)
    #: Bones joining two components (flat joint indices), e.g. body wrist -> hand wrist.
    links: tuple[tuple[int, int], ...] = ()

    # ---- derived views -------------------------------------------------------------------
    @property
    def joints(self) -> tuple[str, ...]:
        return _joint_names(self.components)

    @property
    def num_joints(self) -> int:
        return sum(len(c.points) for c in self.components)

    @property
    def offsets(self) -> tuple[int, ...]:
        """Start index of each component in the flat joint order."""
        starts, total = [], 0
        for c in self.components:
            starts.append(total)
            total += len(c.points)
        return tuple(starts)

    @cached_property
    def bones(self) -> np.ndarray:
        """(B, 2) int array of joint index pairs (read-only: built once per skeleton, since a
        holistic face has thousands of limbs and the studio asks on every new pair)."""
        pairs = [
            (start + a, start + b)
            for start, c in zip(self.offsets, self.components, strict=True)
            for a, b in c.limbs
        ]
        pairs.extend(self.links)
        out = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        out.setflags(write=False)
        return out

    @property
    def groups(self) -> dict[str, np.ndarray]:
        out: dict[str, list[int]] = {}
        for start, c in zip(self.offsets, self.components, strict=True):
            out.setdefault(c.group, []).extend(range(start, start + len(c.points)))
        return {g: np.asarray(v, dtype=np.int64) for g, v in out.items()}

    def joint_groups(self) -> np.ndarray:
        """(J,) group name of every joint."""
        names = np.empty(self.num_joints, dtype=object)
        for start, c in zip(self.offsets, self.components, strict=True):
            names[start : start + len(c.points)] = c.group
        return names

    def joint_colors(self) -> np.ndarray:
        """(J, 3) uint8 colour of every joint by group."""
        return np.asarray([GROUP_COLORS.get(g, GROUP_COLORS["other"]) for g in self.joint_groups()], np.uint8)

    def index(self, name: str, component: str | None = None) -> int:
        """Index of a joint by flat name, or by point name within a component."""
        if component is not None:
            for start, c in zip(self.offsets, self.components, strict=True):
                if c.name == component:
                    return start + c.points.index(name)
            raise KeyError(f"no component {component!r} in layout {self.layout}")
        try:
            return self.joints.index(name)
        except ValueError:
            raise KeyError(f"no joint {name!r} in layout {self.layout}") from None

    def component(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(f"no component {name!r} in layout {self.layout}")

    @property
    def mirror(self) -> np.ndarray:
        if self.mirror_index:
            return np.asarray(self.mirror_index, dtype=np.int64)
        return _mirror_by_name(self.joints)

    def subset(self, groups: Iterable[str], layout: str | None = None) -> tuple[Skeleton, np.ndarray]:
        """The skeleton restricted to whole components of the given groups, and the kept indices."""
        wanted = set(groups)
        keep_components: list[Component] = []
        keep_idx: list[int] = []
        for start, c in zip(self.offsets, self.components, strict=True):
            if c.group in wanted:
                keep_components.append(c)
                keep_idx.extend(range(start, start + len(c.points)))
        idx = np.asarray(keep_idx, dtype=np.int64)
        mirror: tuple[int, ...] = ()
        if self.mirror_index:
            remap = {int(old): new for new, old in enumerate(idx)}
            full = self.mirror
            mirror = tuple(remap.get(int(full[i]), n) for n, i in enumerate(idx))
        remap_all = {int(old): new for new, old in enumerate(idx)}
        links = tuple(
            (remap_all[a], remap_all[b]) for a, b in self.links if a in remap_all and b in remap_all
        )
        name = layout or f"{self.layout}[{'+'.join(sorted(wanted))}]"
        return Skeleton(name, tuple(keep_components), mirror, links), idx

    # ---- (de)serialisation ---------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "layout": self.layout,
            "components": [
                {
                    "name": c.name,
                    "points": list(c.points),
                    "limbs": [list(x) for x in c.limbs],
                    "colors": [list(x) for x in c.colors],
                    "format": c.format,
                    "group": c.group,
                }
                for c in self.components
            ],
            "mirror": list(self.mirror_index),
            "links": [list(x) for x in self.links],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Skeleton:
        """The skeleton of `to_dict`'s mapping; `SkeletonError` (our words, a place) if it is not one.

        Only the structure and types are checked here; `validate_skeleton` checks the indices.
        """
        if not isinstance(d, Mapping):
            raise SkeletonError(f"is a JSON {type(d).__name__}, not an object", "skeleton")
        layout = d.get("layout")
        if not isinstance(layout, str):
            raise SkeletonError("has no layout name", "skeleton, field 'layout'")
        raw = d.get("components")
        if not isinstance(raw, list) or not raw:
            raise SkeletonError("has no list of components", "skeleton, field 'components'")
        comps = tuple(_component_from_dict(c, k) for k, c in enumerate(raw))
        links = _int_pairs(d.get("links", []), "skeleton, link")
        mirror = d.get("mirror", [])
        if not isinstance(mirror, list) or not all(_is_int(i) for i in mirror):
            raise SkeletonError("mirror map is not a list of joint indices", "skeleton, field 'mirror'")
        return cls(layout, comps, tuple(int(i) for i in mirror), links)


#: Largest value of a component colour (pose-format stores colours as unsigned 16-bit numbers).
MAX_COLOR = 65535
#: Most components, points, limbs or colours of a component, and bytes of a name: what a ``.pose``
#: header can hold (unsigned 16-bit counts), so a skeleton that reads can be written as ``.pose``.
MAX_COUNT = 65535
#: Groups a component may belong to (``other``: not drawn by default).
KNOWN_GROUPS = (*GROUPS, "other")


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _int_pairs(raw: object, where: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(raw, list | tuple):
        raise SkeletonError("is not a list of joint index pairs", where.rsplit(",", 1)[0])
    for k, pair in enumerate(raw):
        if not isinstance(pair, list | tuple) or len(pair) != 2 or not all(_is_int(v) for v in pair):
            raise SkeletonError("is not a pair of joint indices", f"{where} {k}")
    return tuple((int(a), int(b)) for a, b in raw)


def _component_from_dict(c: object, k: int) -> Component:
    where = f"skeleton, component {k}"
    if not isinstance(c, Mapping):
        raise SkeletonError("is not a JSON object", where)
    name, points = c.get("name"), c.get("points")
    if not isinstance(name, str):
        raise SkeletonError("has no name", where)
    where = f"skeleton, component {name!r}"
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        raise SkeletonError("points are not a list of names", where)
    colors = c.get("colors", [[255, 255, 255]])
    if not isinstance(colors, list) or not all(
        isinstance(rgb, list) and len(rgb) == 3 and all(_is_int(v) for v in rgb) for rgb in colors
    ):
        raise SkeletonError("colours are not a list of [r, g, b] integers", where)
    fmt, group = c.get("format", "XYZC"), c.get("group", "body")
    if not isinstance(fmt, str) or not isinstance(group, str):
        raise SkeletonError("point format or group is not text", where)
    return Component(
        name=name,
        points=tuple(points),
        limbs=_int_pairs(c.get("limbs", []), f"{where}, limb"),
        colors=tuple((int(r), int(g), int(b)) for r, g, b in colors),
        format=fmt,
        group=group,
    )


def validate_skeleton(skel: Skeleton, num_joints: int | None = None) -> None:
    """Raise `SkeletonError` unless everything that uses a skeleton can trust it.

    Names (layout, components, points) are text with a UTF-8 form of at most 65535 bytes, and
    there are at most 65535 components, and points, limbs and colours per component (what a
    ``.pose`` header holds, so every skeleton that reads can be written as ``.pose``).
    Every limb joins two different points of its component (0 <= a, b < points, a != b); every
    link two different joints (0 <= a, b < J); component names are unique, groups known, colours
    in 0..65535; the joints (J >= 1) are exactly ``num_joints`` when given (the data's joint axis);
    the mirror map is a permutation of the J joints that is its own inverse. Groups are made of
    whole components, so they cover every joint once by construction.
    """
    if len(skel.components) > MAX_COUNT:
        raise SkeletonError(f"has {len(skel.components)} components, more than {MAX_COUNT}", "skeleton")
    _check_name(skel.layout, "skeleton, layout name")
    seen: set[str] = set()
    for k, c in enumerate(skel.components):
        _check_name(c.name, f"component {k}, name")
        where = f"component {c.name!r}"
        for i, point in enumerate(c.points):
            _check_name(point, f"{where}, point {i}")
        for what, items in (("points", c.points), ("limbs", c.limbs), ("colours", c.colors)):
            if len(items) > MAX_COUNT:
                raise SkeletonError(f"has {len(items)} {what}, more than {MAX_COUNT}", where)
        if c.name in seen:
            raise SkeletonError("a second component has the same name", where)
        seen.add(c.name)
        if c.group not in KNOWN_GROUPS:
            raise SkeletonError(f"unknown group {c.group!r} (known: {', '.join(KNOWN_GROUPS)})", where)
        if any(not 0 <= v <= MAX_COLOR for rgb in c.colors for v in rgb):
            raise SkeletonError(f"a colour value is outside 0..{MAX_COLOR}", where)
        _check_pairs(c.limbs, len(c.points), f"{where}, limb", "point")
    total = skel.num_joints
    if total == 0:
        raise SkeletonError("has no joints", "skeleton")
    if num_joints is not None and num_joints != total:
        raise SkeletonError(f"has {total} joints but the data has {num_joints}", "skeleton")
    _check_pairs(skel.links, total, "link", "joint")
    mirror = skel.mirror
    if len(mirror) != total:
        raise SkeletonError(f"mirror map has {len(mirror)} entries for {total} joints", "mirror map")
    out = np.flatnonzero((mirror < 0) | (mirror >= total))
    if len(out):
        j = int(out[0])
        raise SkeletonError(f"joint {j} mirrors to {int(mirror[j])}, not a joint", f"mirror map, joint {j}")
    twice = np.flatnonzero(mirror[mirror] != np.arange(total))
    if len(twice):
        j = int(twice[0])
        raise SkeletonError(
            f"mirroring twice does not give joint {j} back ({j} -> {int(mirror[j])} -> "
            f"{int(mirror[mirror[j]])})",
            f"mirror map, joint {j}",
        )


def _check_name(name: str, where: str) -> None:
    if not isinstance(name, str):
        raise SkeletonError("a name is not text", where)
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise SkeletonError(
            "a name holds characters that are not valid text (no UTF-8 form)", where
        ) from None
    if size > MAX_COUNT:
        raise SkeletonError(f"a name is {size} bytes long, more than {MAX_COUNT}", where)


def _check_pairs(pairs: Sequence[tuple[int, int]], size: int, where: str, what: str) -> None:
    for k, (a, b) in enumerate(pairs):
        for v in (a, b):
            if not 0 <= v < size:
                raise SkeletonError(f"joins {what} {v}, outside 0..{size - 1}", f"{where} {k}")
        if a == b:
            raise SkeletonError(f"joins {what} {a} to itself", f"{where} {k}")


def _joint_names(components: Sequence[Component]) -> tuple[str, ...]:
    if len(components) == 1:
        return components[0].points
    return tuple(f"{c.name}:{p}" for c in components for p in c.points)


_SIDE_WORDS = {
    "LEFT": "RIGHT",
    "RIGHT": "LEFT",
    "left": "right",
    "right": "left",
    "Left": "Right",
    "Right": "Left",
}
_SIDE_WORD = re.compile(r"(?<![A-Za-z])(LEFT|RIGHT|left|right|Left|Right)(?![a-z])")
# OpenPose/SMPL-style prefixes: "LShoulder", "R_Hip" (but not "RING_FINGER", "WRIST").
_SIDE_PREFIX = re.compile(r"^([LR])(?=_|[A-Z][a-z])")


def _swap_side_part(part: str) -> str:
    swapped = _SIDE_WORD.sub(lambda m: _SIDE_WORDS[m.group(1)], part)
    if swapped != part:
        return swapped
    return _SIDE_PREFIX.sub(lambda m: "R" if m.group(1) == "L" else "L", part)


def _swap_side(name: str) -> str:
    """The counterpart of a joint name (``LEFT_WRIST`` ↔ ``RIGHT_WRIST``, ``LShoulder`` ↔ ...).

    Component and point names swap independently: ``LEFT_HAND:RING_FINGER_MCP`` ↔
    ``RIGHT_HAND:RING_FINGER_MCP``, ``SMPLX_LEFT_HAND:left_index1`` ↔ ``SMPLX_RIGHT_HAND:right_index1``.
    """
    head, sep, point = name.rpartition(":")
    return f"{_swap_side_part(head)}{sep}{_swap_side_part(point)}" if sep else _swap_side_part(point)


def _mirror_by_name(joints: Sequence[str]) -> np.ndarray:
    """Each joint's counterpart by name; a joint whose counterpart is missing, not unique or not
    mirrored back to it (a file with repeated names) stays itself, so the map is always a
    permutation that is its own inverse."""
    lookup: dict[str, int] = {}
    repeated: set[str] = set()
    for i, n in enumerate(joints):
        if n in lookup:
            repeated.add(n)
        lookup[n] = i
    out = np.arange(len(joints), dtype=np.int64)
    for i, n in enumerate(joints):
        other = _swap_side(n)
        j = lookup.get(other)
        if j is None or n in repeated or other in repeated or _swap_side(joints[j]) != n:
            continue
        out[i] = j
    return out


# ---- named layouts ---------------------------------------------------------------------------

HAND_POINTS = (
    "WRIST",
    "THUMB_CMC", "THUMB_MCP", "THUMB_IP", "THUMB_TIP",
    "INDEX_FINGER_MCP", "INDEX_FINGER_PIP", "INDEX_FINGER_DIP", "INDEX_FINGER_TIP",
    "MIDDLE_FINGER_MCP", "MIDDLE_FINGER_PIP", "MIDDLE_FINGER_DIP", "MIDDLE_FINGER_TIP",
    "RING_FINGER_MCP", "RING_FINGER_PIP", "RING_FINGER_DIP", "RING_FINGER_TIP",
    "PINKY_MCP", "PINKY_PIP", "PINKY_DIP", "PINKY_TIP",
)  # fmt: skip
# Five finger chains from the wrist plus the knuckle line across the palm.
HAND_LIMBS = tuple(
    [(0, 1), (1, 2), (2, 3), (3, 4)]
    + [(0 if k == 0 else base + k - 1, base + k) for base in (5, 9, 13, 17) for k in range(4)]
    + [(5, 9), (9, 13), (13, 17)]
)

BODY_25_POINTS = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "MidHip", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
    "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel",
)  # fmt: skip
BODY_25_LIMBS = (
    (1, 0), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (10, 11),
    (8, 12), (12, 13), (13, 14), (0, 15), (15, 17), (0, 16), (16, 18), (14, 19), (19, 20),
    (14, 21), (11, 22), (22, 23), (11, 24),
)  # fmt: skip

# OpenPose's 70-point face: iBUG-68 plus two pupils.
FACE70_LIMBS = tuple(
    [(i, i + 1) for i in range(16)]  # jaw line
    + [(i, i + 1) for i in range(17, 21)]  # right brow
    + [(i, i + 1) for i in range(22, 26)]  # left brow
    + [(i, i + 1) for i in range(27, 30)]  # nose bridge
    + [(i, i + 1) for i in range(31, 35)]  # nostrils
    + [(i, i + 1) for i in range(36, 41)]
    + [(41, 36)]  # right eye
    + [(i, i + 1) for i in range(42, 47)]
    + [(47, 42)]  # left eye
    + [(i, i + 1) for i in range(48, 59)]
    + [(59, 48)]  # outer lip
    + [(i, i + 1) for i in range(60, 67)]
    + [(67, 60)]  # inner lip
)
FACE70_MIRROR = (
    list(range(16, -1, -1))
    + list(range(26, 21, -1)) + list(range(21, 16, -1))
    + [27, 28, 29, 30] + [35, 34, 33, 32, 31]
    + [45, 44, 43, 42, 47, 46] + [39, 38, 37, 36, 41, 40]
    + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55]
    + [64, 63, 62, 61, 60, 67, 66, 65]
    + [69, 68]
)  # fmt: skip

UPPER50_BODY = BODY_25_POINTS[:8]
UPPER50_BODY_LIMBS = ((1, 0), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7))

COCO18_POINTS = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
)  # fmt: skip
COCO18_LIMBS = (
    (1, 0), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
    (11, 12), (12, 13), (0, 14), (14, 16), (0, 15), (15, 17),
)  # fmt: skip

# COCO-WholeBody's body as pose-format (``cocowholebody133_header``) and MMPose name it.
WHOLEBODY_BODY_POINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle", "left_big_toe", "left_small_toe", "left_heel",
    "right_big_toe", "right_small_toe", "right_heel",
)  # fmt: skip
WHOLEBODY_BODY_LIMBS = (
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
    (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (15, 17), (15, 18),
    (15, 19), (16, 20), (16, 21), (16, 22),
)  # fmt: skip

SMPLX_JOINTS = (
    "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2", "left_ankle",
    "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar", "right_collar", "head",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "jaw",
    "left_eye_smplhf", "right_eye_smplhf",
    *(f"left_{f}{k}" for f in ("index", "middle", "pinky", "ring", "thumb") for k in (1, 2, 3)),
    *(f"right_{f}{k}" for f in ("index", "middle", "pinky", "ring", "thumb") for k in (1, 2, 3)),
)  # fmt: skip
SMPLX_PARENTS = (
    -1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 15, 15, 15,
    *(p for f in range(5) for p in (20, 25 + 3 * f, 26 + 3 * f)),
    *(p for f in range(5) for p in (21, 40 + 3 * f, 41 + 3 * f)),
)  # fmt: skip
_SMPLX_GROUPS = ["body"] * 22 + ["face"] * 3 + ["left_hand"] * 15 + ["right_hand"] * 15


def _smplx_components() -> tuple[Component, ...]:
    # Group-pure components so groups and subsets work as in every other layout; the bones
    # that cross components (wrist -> finger roots, head -> jaw/eyes) are SMPLX_LINKS.
    spans = {"body": (0, 22), "face": (22, 25), "left_hand": (25, 40), "right_hand": (40, 55)}
    comps = []
    for group, (a, b) in spans.items():
        limbs = tuple((SMPLX_PARENTS[j] - a, j - a) for j in range(a, b) if SMPLX_PARENTS[j] >= a)
        comps.append(Component(f"SMPLX_{group.upper()}", SMPLX_JOINTS[a:b], limbs, group=group))
    return tuple(comps)


SMPLX_LINKS = tuple(
    (SMPLX_PARENTS[j], j) for j in range(1, 55) if _SMPLX_GROUPS[j] != _SMPLX_GROUPS[SMPLX_PARENTS[j]]
)


def _face_hands_layout(name: str, body: Component, face: Component) -> Skeleton:
    """``body``, ``face``, then both hands; mirrored by name, the face by iBUG-68's symmetry."""
    hands = tuple(
        Component(f"{s}_HAND", HAND_POINTS, HAND_LIMBS, group=f"{s.lower()}_hand") for s in ("LEFT", "RIGHT")
    )
    comps = (body, face, *hands)
    mirror = _mirror_by_name(_joint_names(comps))
    start = len(body.points)
    mirror[start : start + len(face.points)] = np.asarray(FACE70_MIRROR[: len(face.points)]) + start
    left = start + len(face.points)
    wrists = [
        body.points.index(p) for p in body.points if p.upper().replace("_", "") in ("LWRIST", "LEFTWRIST")
    ]
    wrists += [
        body.points.index(p) for p in body.points if p.upper().replace("_", "") in ("RWRIST", "RIGHTWRIST")
    ]
    links = ((wrists[0], left), (wrists[1], left + len(HAND_POINTS)))
    return Skeleton(name, comps, tuple(int(i) for i in mirror), links)


@cache
def _builtin(name: str) -> Skeleton:
    if name in DATA_LAYOUTS:
        text = resources.files("signstudio.pose").joinpath(f"layouts/{name}.json").read_text("utf-8")
        return Skeleton.from_dict(json.loads(text))
    if name == "upper50":
        comps = (
            Component("BODY", UPPER50_BODY, UPPER50_BODY_LIMBS, group="body"),
            Component("LEFT_HAND", HAND_POINTS, HAND_LIMBS, group="left_hand"),
            Component("RIGHT_HAND", HAND_POINTS, HAND_LIMBS, group="right_hand"),
        )
        # body LWrist (7) -> left hand WRIST (8); body RWrist (4) -> right hand WRIST (29)
        return Skeleton("upper50", comps, links=((7, 8), (4, 29)))
    if name == "openpose137":
        face_mirror_offset = 25
        mirror = (
            list(_mirror_by_name(BODY_25_POINTS))
            + [face_mirror_offset + i for i in FACE70_MIRROR]
            + list(range(95 + 21, 95 + 42))
            + list(range(95, 95 + 21))
        )
        comps_op = (
            Component("BODY_25", BODY_25_POINTS, BODY_25_LIMBS, group="body"),
            Component("FACE_70", tuple(str(i) for i in range(70)), FACE70_LIMBS, group="face"),
            Component("LEFT_HAND", HAND_POINTS, HAND_LIMBS, group="left_hand"),
            Component("RIGHT_HAND", HAND_POINTS, HAND_LIMBS, group="right_hand"),
        )
        links = ((7, 95), (4, 116))  # body wrists -> hand wrists
        return Skeleton("openpose137", comps_op, tuple(int(i) for i in mirror), links)
    if name == "smplx":
        return Skeleton("smplx", _smplx_components(), links=SMPLX_LINKS)
    if name == "coco18":
        body = Component("BODY_18", COCO18_POINTS, COCO18_LIMBS, group="body")
        face70 = Component("FACE_70", tuple(str(i) for i in range(70)), FACE70_LIMBS, group="face")
        return _face_hands_layout("coco18", body, face70)
    if name == "wholebody133":
        body = Component("BODY", WHOLEBODY_BODY_POINTS, WHOLEBODY_BODY_LIMBS, group="body")
        face = Component("FACE", tuple(f"face-{i}" for i in range(68)), FACE70_LIMBS, group="face")
        return _face_hands_layout("wholebody133", body, face)
    raise KeyError(f"unknown layout {name!r}; known: {', '.join((*LAYOUTS, *FAMILY_LAYOUTS))}")


LAYOUTS = ("holistic", "openpose137", "upper50", "smplx")
#: Layouts only some format families use (Prompt2Sign 2025's 128 points; OpenPose COCO-18 and
#: COCO-WholeBody, recognised in ``.pose`` files); known to `get_layout` but not among the general
#: `LAYOUTS` that readers guess from and the studio offers.
FAMILY_LAYOUTS = ("p2s128", "coco18", "wholebody133")
#: Layouts kept as data, ``layouts/<name>.json``.
DATA_LAYOUTS = ("holistic", "p2s128")


def get_layout(name: str) -> Skeleton:
    """The named layout's skeleton (``holistic``, ``openpose137``, ``upper50``, ``smplx``, and
    ``p2s128``, the layout of Prompt2Sign 2025 files)."""
    return _builtin(name)


def infer_group(component_name: str) -> str:
    """The group of a pose-format component, from its name."""
    upper = component_name.upper()
    if "WORLD" in upper:
        return "other"
    if "FACE" in upper:
        return "face"
    if "HAND" in upper and "LEFT" in upper:
        return "left_hand"
    if "HAND" in upper and "RIGHT" in upper:
        return "right_hand"
    return "body"


def infer_links(components: Sequence[Component]) -> tuple[tuple[int, int], ...]:
    """Bones from a body component's wrists to the hand components' wrists, where both exist."""
    starts, total = {}, 0
    for c in components:
        starts[c.name] = total
        total += len(c.points)
    body = next((c for c in components if c.group == "body"), None)
    if body is None:
        return ()
    links = []
    for side, group in (("LEFT", "left_hand"), ("RIGHT", "right_hand")):
        hand = next((c for c in components if c.group == group), None)
        wrist_names = [
            p for p in body.points if p.upper().replace("_", "") in (f"{side}WRIST", f"{side[0]}WRIST")
        ]
        if hand is None or not wrist_names or "WRIST" not in hand.points:
            continue
        links.append(
            (
                starts[body.name] + body.points.index(wrist_names[0]),
                starts[hand.name] + hand.points.index("WRIST"),
            )
        )
    return tuple(links)
