"""BVH (Biovision Hierarchy): a pose sequence as a rotation rig that Blender imports, and back.

**Rigs** (``rig=``). ``full`` (default): every joint of the sequence, rooted at the neck. A
skeleton without a neck joint but with both shoulders (MediaPipe ``holistic``) gets one, the
midpoint of the shoulders joined to them and to the nose (component ``SIGNSTUDIO_NECK``, point
``Neck``; present where both shoulders are); a reader drops it again, so a holistic file reads
back as ``holistic``. ``compact``: body and hands only, the sequence converted to ``upper50``
(`signstudio.pose.convert`: neck, nose, shoulders, elbows, wrists and 2 × 21 hand points, no
face mesh) — 50 joints instead of a holistic recording's 500-odd, for an animator's rig.

**Hierarchy.** The joints are the skeleton's bones made a tree: a breadth-first spanning tree of
the bone graph from the root (the joint named ``Neck``, as in ``upper50``, ``openpose137`` and
every ``full`` rig with shoulders; else the body joint at the centre of the largest connected
part), so cycles such as the hand's knuckle line are dropped and
every joint hangs from the joint nearest the root (``upper50``: Neck → Nose and the shoulders →
elbows → wrists → hand wrist → five fingers). Joint names are ours (``BODY:Neck``,
``RIGHT_HAND:WRIST``; whitespace becomes ``_``). A joint with several children (Neck, each hand
wrist) gets one *branch* joint per child, named ``<joint>><child point>``
(``RIGHT_HAND:WRIST>INDEX_FINGER_MCP``), at the joint (OFFSET 0) and with its own rotation, so
each bone turns on its own and every bone direction is reproduced exactly (one rotation for a
joint cannot follow several non-rigid children). Leaves end in an ``End Site`` a quarter of
their bone beyond them. Parts of the skeleton no bone connects to the root (a face mesh, world
landmarks) hang from the root with their own position channels.

**Rest pose (OFFSETs).** Each bone's direction is taken from the first frame with the most
points present (or the first frame where the bone is present; a bone never present takes its
mirror bone's, mirrored, else length 0); its length is the *median* of its per-frame lengths.

**Motion.** Per frame: the root position (6 channels ``Xposition Yposition Zposition Zrotation
Xrotation Yrotation``), then per joint ``Zrotation Xrotation Yrotation`` in degrees (local
matrix Rz·Rx·Ry). A joint with one child turns by the shortest arc that takes the rest bone to
the frame's bone, in its parent's frame (so a bone's twist follows its parent); a joint with
several children turns by the least-squares (Kabsch) fit of its children's rest directions to
theirs, and the branch joints add each child's remaining shortest arc. Forward kinematics then
puts every joint where the data has it **up to bone-length changes**: BVH bone lengths are fixed,
so a joint is off by at most the sum, over the bones from the root to it, of how far that
frame's bone length is from the median (exact for a sequence with constant bone lengths; the
tests check exactly this bound). Missing points (confidence 0): a bone whose ends are not both
present (or a branching joint with fewer than two such children) **holds its last rotation**
(the first known one before it is first seen; the rest pose if never), so a lost hand follows
its arm; a missing root holds its last position. BVH cannot say "missing": a file read back has
every point present (confidence 1), at the rotations held.

**Axes and units.** Our data is in image convention (x right, y down, z away from the camera);
BVH and Blender expect y up, so the file holds (x, −y, −z) (right-handed, the signer facing
+z). ``units="display"`` (default) writes the studio's display units: neck at the origin and
shoulder width 1 (`signstudio.pose.transforms.normalise`; a sequence in those units already, as
every model output and corpus sequence is — median neck within `DISPLAY_TOLERANCE` of the
origin, shoulder width within it of 1 — is written exactly as it is); ``units="file"`` writes
the coordinates as they are. ``scale`` multiplies them on writing and divides on reading (e.g.
``scale=0.4`` for metres at an average adult shoulder width).

**Reading** parses the hierarchy and motion (any channel order, position channels on any
joint, which replace the joint's OFFSET as in Blender's importer), runs forward kinematics and
gives the joints other than branch joints and End Sites: in a named layout when the names are
exactly that layout's (``upper50``, ``holistic``, ``openpose137``, ``smplx``; or ``layout=``),
else in a ``bvh`` layout built from the file (components from ``COMPONENT:point`` names, bones
from the hierarchy), so any BVH (e.g. CMU motion capture) can be viewed. Bad input raises
`FormatError` naming the line. Reading is linear in the file (``_bvh_parse.py``) and bounded as
`signstudio.pose.limits` says: at most 4 096 joints, and no more frames × joints than the text
can describe (one joint-frame per 2 bytes, at least 1 M), refused at the ``Frames:`` line before
the motion is allocated; the forward kinematics runs in chunks of frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.formats._bvh_parse import _Parsed, parse_bvh, world_positions
from signstudio.pose.formats._options import scale_option
from signstudio.pose.formats.npz import check_writable, guarded, option_fps
from signstudio.pose.kinematics import (
    euler_zxy,
    kabsch,
    shortest_arc,
    unit_vectors,
)
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import LAYOUTS, Component, Skeleton, get_layout, infer_group

#: Image convention (y down, z away) <-> BVH (y up, z towards the viewer): its own inverse.
AXES = np.asarray([1.0, -1.0, -1.0])
#: Separates a branch joint's parent name from its child's point name.
BRANCH = ">"
ROTATION_CHANNELS = ("Zrotation", "Xrotation", "Yrotation")
POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")
_EPS = 1e-9
#: A sequence whose neck is this close to the origin and shoulder width this close to 1 is
#: taken to be in display units already and written exactly as it is.
DISPLAY_TOLERANCE = 0.05
#: The component of the neck joint a rig is rooted at where the skeleton has none (`with_neck`).
NECK_COMPONENT = "SIGNSTUDIO_NECK"
#: ``rig=`` choices: every joint, or body and hands (``upper50``).
RIGS = ("full", "compact")


def _hold(valid: np.ndarray) -> np.ndarray | None:
    """(F,) index of the frame whose value each frame takes: itself where valid, else the last
    valid one before it (the first valid one before any); None when none is valid."""
    if not valid.any():
        return None
    idx = np.where(valid, np.arange(len(valid)), -1)
    idx = np.maximum.accumulate(idx)
    idx[idx < 0] = int(np.argmax(valid))
    return idx


# ---- the rig -----------------------------------------------------------------------------------


@dataclass
class _Node:
    """One BVH joint: a skeleton joint (``joint`` >= 0) or a branch joint towards ``child``."""

    name: str
    parent: int  # node index, -1 for the root
    joint: int = -1  # skeleton joint index; -1 for a branch joint
    child: int = -1  # branch joint: the skeleton joint it turns towards
    offset: np.ndarray = field(default_factory=lambda: np.zeros(3))
    free: bool = False  # has position channels (root, unconnected parts)
    end_site: np.ndarray | None = None
    children: list[int] = field(default_factory=list)


def _bvh_name(name: str) -> str:
    return re.sub(r"[\s{}]", "_", name)


def _root_joint(skeleton: Skeleton, adjacent: list[list[int]]) -> int:
    """The joint named Neck; else the body joint at the centre (fewest bone steps to its farthest
    joint) of the largest part of the bone graph that holds a body joint; else joint 0."""
    for i, name in enumerate(skeleton.joints):
        if name.rsplit(":", 1)[-1].lower() == "neck":
            return i
    body = set(skeleton.groups.get("body", np.zeros(0, np.int64)).tolist())
    part = np.full(skeleton.num_joints, -1)
    best: list[int] = []
    for start in range(skeleton.num_joints):
        if part[start] >= 0:
            continue
        members, stack = [], [start]
        part[start] = start
        while stack:
            j = stack.pop()
            members.append(j)
            for k in adjacent[j]:
                if part[k] < 0:
                    part[k] = start
                    stack.append(k)
        if body & set(members) and len(members) > len(best):
            best = sorted(members)
    if not best:
        return 0

    def eccentricity(j: int) -> int:  # bone steps to the farthest joint of the part
        dist = {j: 0}
        queue = [j]
        for k in queue:
            for m in adjacent[k]:
                if m not in dist:
                    dist[m] = dist[k] + 1
                    queue.append(m)
        return max(dist.values())

    return min((j for j in best if j in body), key=lambda j: (eccentricity(j), -len(adjacent[j]), j))


def spanning_tree(skeleton: Skeleton) -> tuple[np.ndarray, list[int]]:
    """(J,) parent of each joint in the breadth-first spanning tree of the bones (-1: a root) and
    the roots: the main root first, then one per part no bone connects to it."""
    n = skeleton.num_joints
    adjacent: list[list[int]] = [[] for _ in range(n)]
    for a, b in skeleton.bones.tolist():
        if a != b:
            adjacent[a].append(b)
            adjacent[b].append(a)
    parent = np.full(n, -1, np.int64)
    seen = np.zeros(n, bool)
    roots = []
    for start in [_root_joint(skeleton, adjacent), *range(n)]:
        if seen[start]:
            continue
        roots.append(start)
        seen[start] = True
        queue = [start]
        while queue:
            nxt = []
            for j in queue:
                for k in adjacent[j]:
                    if not seen[k]:
                        seen[k] = True
                        parent[k] = j
                        nxt.append(k)
            queue = nxt
    return parent, roots


def _rest_vectors(seq: PoseSequence, pts: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """(J, 3) rest bone vector parent -> joint (zero for roots); see the module docstring."""
    present = seq.present
    reference = int(np.argmax(present.sum(axis=1)))
    rest = np.zeros((seq.num_joints, 3))
    known = np.zeros(seq.num_joints, bool)
    for j, p in enumerate(parent.tolist()):
        if p < 0:
            continue
        both = present[:, j] & present[:, p]
        if not both.any():
            continue
        vectors = pts[both, j] - pts[both, p]
        frame = reference if both[reference] else int(np.argmax(both))
        direction, norm = unit_vectors(pts[frame, j] - pts[frame, p])
        rest[j] = direction * float(np.median(np.linalg.norm(vectors, axis=-1)))
        known[j] = norm > _EPS
    mirror = seq.skeleton.mirror
    for j, p in enumerate(parent.tolist()):
        mj, mp = int(mirror[j]), int(mirror[p]) if p >= 0 else -1
        if p >= 0 and not known[j] and known[mj] and parent[mj] == mp:
            rest[j] = rest[mj] * [-1.0, 1.0, 1.0]  # mirrored across the body's midline (x)
    return rest


def _build_rig(seq: PoseSequence, pts: np.ndarray) -> tuple[list[_Node], np.ndarray]:
    parent, roots = spanning_tree(seq.skeleton)
    rest = _rest_vectors(seq, pts, parent)
    names = [_bvh_name(n) for n in seq.skeleton.joints]
    children: list[list[int]] = [[] for _ in names]
    for j, p in enumerate(parent.tolist()):
        if p >= 0:
            children[p].append(j)
    nodes: list[_Node] = []

    def add(node: _Node) -> int:
        nodes.append(node)
        if node.parent >= 0:
            nodes[node.parent].children.append(len(nodes) - 1)
        return len(nodes) - 1

    def grow(joint: int, node_parent: int, free: bool) -> None:
        me = add(
            _Node(names[joint], node_parent, joint, offset=np.zeros(3) if free else rest[joint], free=free)
        )
        kids = children[joint]
        if not kids:
            incoming = rest[joint] if np.linalg.norm(rest[joint]) > _EPS else np.asarray([0.0, 0.1, 0.0])
            nodes[me].end_site = 0.25 * incoming
        elif len(kids) == 1:
            grow(kids[0], me, False)
        else:
            for k in kids:
                point = seq.skeleton.joints[k].rsplit(":", 1)[-1]
                branch = add(_Node(f"{names[joint]}{BRANCH}{_bvh_name(point)}", me, -1, k))
                grow(k, branch, False)

    grow(roots[0], -1, True)
    for extra in roots[1:]:
        grow(extra, 0, True)
    bvh_names = [n.name for n in nodes]
    if len(set(bvh_names)) != len(bvh_names):
        first: dict[str, int] = {}
        for second, name in enumerate(bvh_names):
            if name in first:
                problem = f"joint name {name!r} occurs twice once written as a BVH name"
                raise FormatError(None, problem, f"skeleton, joints {first[name]} and {second}")
            first[name] = second
    return nodes, rest


def _motion(seq: PoseSequence, pts: np.ndarray, nodes: list[_Node], rest: np.ndarray) -> np.ndarray:
    """(F, C) channel values: positions of free nodes, then ZXY Euler degrees, in node order."""
    frames = seq.num_frames
    present = seq.present
    world: list[np.ndarray] = []
    local: list[np.ndarray] = []
    eye = np.broadcast_to(np.eye(3), (frames, 3, 3))

    def bone(j: int, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Frame bone directions (F, 3) parent -> j and where they are known."""
        direction, norm = unit_vectors(pts[:, j] - pts[:, p])
        return direction, present[:, j] & present[:, p] & (norm > _EPS)

    def held(rot: np.ndarray, valid: np.ndarray) -> np.ndarray:
        idx = _hold(valid)
        return eye.copy() if idx is None else rot[idx]

    for node in nodes:
        parent_world = eye if node.parent < 0 else world[node.parent]
        if node.joint < 0:  # branch: the remaining shortest arc towards its child
            owner = nodes[node.parent].joint
            rest_dir, rest_len = unit_vectors(rest[node.child])
            target, valid = bone(node.child, owner)
            target_local = np.einsum("fji,fj->fi", parent_world, target)  # R^T v
            rot = shortest_arc(np.broadcast_to(rest_dir, target_local.shape), target_local)
            rot = held(rot, valid & (rest_len > _EPS))
        else:
            kids = [nodes[c] for c in node.children if not nodes[c].free]  # free parts move alone
            targets = [(c.child if c.joint < 0 else c.joint) for c in kids]
            if not targets:
                rot = eye.copy()
            elif len(targets) == 1:
                rest_dir, rest_len = unit_vectors(rest[targets[0]])
                target, valid = bone(targets[0], node.joint)
                target_local = np.einsum("fji,fj->fi", parent_world, target)
                rot = shortest_arc(np.broadcast_to(rest_dir, target_local.shape), target_local)
                rot = held(rot, valid & (rest_len > _EPS))
            else:
                rest_dirs, rest_lens = unit_vectors(rest[targets])
                dirs, valids = zip(*(bone(t, node.joint) for t in targets), strict=True)
                target = np.einsum("fji,fkj->fki", parent_world, np.stack(dirs, axis=1))
                weight = (np.stack(valids, axis=1) & (rest_lens > _EPS)).astype(np.float64)
                rot, ok = kabsch(rest_dirs, target, weight)
                rot = held(rot, ok)
        local.append(rot)
        world.append(parent_world @ rot)

    columns = []
    root_joint = nodes[0].joint
    for i, node in enumerate(nodes):
        if node.free:
            where = _hold(present[:, node.joint])
            pos = np.zeros((frames, 3)) if where is None else pts[where, node.joint]
            if i > 0:  # a part hanging from the root: its position in the root's frame
                root_at = _hold(present[:, root_joint])
                root_pos = np.zeros((frames, 3)) if root_at is None else pts[root_at, root_joint]
                pos = np.einsum("fji,fj->fi", world[0], pos - root_pos)
            columns.append(pos)
        columns.append(euler_zxy(local[i]))
    return np.concatenate(columns, axis=1)


def _in_units(path: Path, seq: PoseSequence, units: str) -> PoseSequence:
    if units not in ("display", "file"):
        raise FormatError(path, f"option units={units!r}: use 'display' or 'file'")
    if units == "file":
        return seq
    from signstudio.pose.transforms import normalisation_of, normalise

    try:
        origin, scale = normalisation_of(seq)
    except (ValueError, KeyError):
        return seq  # no shoulders to normalise by: written as it is
    if np.abs(origin).max() < DISPLAY_TOLERANCE and abs(scale - 1.0) < DISPLAY_TOLERANCE:
        return seq  # in display units already (a model output, a corpus word): kept exactly
    return normalise(seq)


def _fmt(values: np.ndarray) -> str:
    return " ".join(f"{v:.9g}" for v in values.tolist())


def _shoulders(skeleton: Skeleton) -> tuple[int, int] | None:
    """(left, right) shoulder joints of the body, by name; None when there are not both."""
    body = set(skeleton.groups.get("body", np.zeros(0, np.int64)).tolist())
    found: dict[str, int] = {}
    for i, name in enumerate(skeleton.joints):
        point = name.rsplit(":", 1)[-1].lower().replace("_", "")
        if i in body and point in ("leftshoulder", "lshoulder", "rightshoulder", "rshoulder"):
            found.setdefault("left" if point[0] == "l" else "right", i)
    return (found["left"], found["right"]) if len(found) == 2 else None


def with_neck(seq: PoseSequence) -> PoseSequence:
    """``seq`` with a neck joint (`NECK_COMPONENT`: the midpoint of the shoulders, present where
    both are, joined to them and to the nose) when it has none (MediaPipe Holistic), so that the
    rig is rooted at the neck as in ``upper50``; unchanged when it has a neck or no shoulders."""
    skeleton = seq.skeleton
    if any(name.rsplit(":", 1)[-1].lower() == "neck" for name in skeleton.joints):
        return seq
    pair = _shoulders(skeleton)
    if pair is None:
        return seq
    left, right = pair
    neck = skeleton.num_joints
    links = [(neck, left), (neck, right)]
    nose = [i for i, n in enumerate(skeleton.joints) if n.rsplit(":", 1)[-1].lower() == "nose"]
    links += [(neck, nose[0])] if nose else []
    mirror = (*(int(m) for m in skeleton.mirror), neck)
    skel = Skeleton(
        skeleton.layout,
        (*skeleton.components, Component(NECK_COMPONENT, ("Neck",), group="body")),
        mirror,
        (*skeleton.links, *links),
    )
    both = (seq.confidence[:, left] > 0) & (seq.confidence[:, right] > 0)
    mid = np.where(both[:, None], 0.5 * (seq.data[:, left] + seq.data[:, right]), 0.0)
    conf = np.where(both, np.minimum(seq.confidence[:, left], seq.confidence[:, right]), 0.0)
    return seq.replace(
        data=np.concatenate([seq.data, mid[:, None]], axis=1),
        confidence=np.concatenate([seq.confidence, conf[:, None]], axis=1),
        filled=np.concatenate([seq.filled, np.zeros((seq.num_frames, 1), bool)], axis=1),
        skeleton=skel,
    )


def rigged(path: Path, seq: PoseSequence, rig: str) -> PoseSequence:
    """The sequence the rig is built from: ``full`` every joint (a neck added where there is
    none, `with_neck`), ``compact`` body and hands only (``upper50``: neck, nose, shoulders,
    elbows, wrists and 2 × 21 hand points; no face points)."""
    if rig == "full":
        return with_neck(seq)
    if rig != "compact":
        raise FormatError(path, f"option rig={rig!r}: use 'full' or 'compact'")
    if seq.layout == "upper50":
        return seq
    from signstudio.pose.convert import can_convert, convert

    if not can_convert(seq.layout, "upper50"):
        raise FormatError(path, f"no compact rig for layout {seq.layout} (it does not convert to upper50)")
    return convert(seq, "upper50")


def bvh_text(
    seq: PoseSequence, units: str = "display", scale: float = 1.0, path: Path | None = None, rig: str = "full"
) -> str:
    """The BVH file of ``seq`` (data (F, J, 3)) as text; see the module docstring."""
    where = path or Path(str(seq.meta.get("source", "sequence")))
    seq = rigged(where, _in_units(where, seq, units), rig)
    pts = seq.data.astype(np.float64) * AXES * scale  # (F, J, 3) in BVH axes
    try:
        nodes, rest = _build_rig(seq, pts)
    except FormatError as exc:
        raise FormatError(where, exc.problem, exc.where) from None
    values = _motion(seq, pts, nodes, rest)
    lines = ["HIERARCHY"]

    def emit(i: int, depth: int) -> None:
        node, pad = nodes[i], "\t" * depth
        lines.append(f"{pad}{'ROOT' if i == 0 else 'JOINT'} {node.name}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}\tOFFSET {_fmt(node.offset)}")
        channels = (POSITION_CHANNELS if node.free else ()) + ROTATION_CHANNELS
        lines.append(f"{pad}\tCHANNELS {len(channels)} {' '.join(channels)}")
        for c in node.children:
            emit(c, depth + 1)
        if node.end_site is not None:
            end = [f"{pad}\tEnd Site", f"{pad}\t{{", f"{pad}\t\tOFFSET {_fmt(node.end_site)}", f"{pad}\t}}"]
            lines.extend(end)
        lines.append(f"{pad}}}")

    emit(0, 0)
    lines += ["MOTION", f"Frames: {seq.num_frames}", f"Frame Time: {1.0 / seq.fps:.12g}"]
    lines += [_fmt(row) for row in values]
    return "\n".join(lines) + "\n"


def write_bvh(
    path: Path,
    seqs: list[PoseSequence],
    units: str = "display",
    scale: Any = 1.0,
    rig: str = "full",
    **_: Any,
) -> None:
    """Write one sequence as BVH (atomically); see the module docstring for the rig."""
    if len(seqs) != 1:
        raise FormatError(path, f"a BVH file holds one sequence, got {len(seqs)}")
    check_writable(path, seqs[0], 0)
    factor = scale_option(path, scale)
    text = bvh_text(seqs[0], units=units, scale=factor, path=path, rig=rig)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


# ---- reading -----------------------------------------------------------------------------------


def _generic_skeleton(names: list[str], parents: list[int]) -> tuple[Skeleton, list[int]]:
    """A skeleton from the file's joints (parents: index into ``names`` or -1), and the order of
    ``names`` in it (components from ``COMPONENT:point`` names, each kept together). Linear in
    the joints: one pass groups them by component."""
    prefixes = [n.split(":", 1)[0] if ":" in n else "BVH" for n in names]
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(prefixes):
        groups.setdefault(p, []).append(i)
    order = [i for members in groups.values() for i in members]
    position = {old: new for new, old in enumerate(order)}
    components, links = [], []
    for c, members in groups.items():
        start = position[members[0]]
        limbs = tuple(
            (position[parents[i]] - start, position[i] - start)
            for i in members
            if parents[i] >= 0 and prefixes[parents[i]] == c
        )
        points = tuple(names[i].split(":", 1)[1] if ":" in names[i] else names[i] for i in members)
        components.append(Component(c, points, limbs, group=infer_group(c)))
    for i in order:
        if parents[i] >= 0 and prefixes[parents[i]] != prefixes[i]:
            links.append((position[parents[i]], position[i]))
    return Skeleton("bvh", tuple(components), links=tuple(links)), order


def _kept_parents(nodes: list[_Parsed], keep: list[int]) -> list[int]:
    """Each kept joint's parent among the kept joints (a branch joint passes its parent on);
    one pass, parents come before their children."""
    kept_index = {node_i: k for k, node_i in enumerate(keep)}
    nearest = [-1] * len(nodes)  # per node: its kept index, else its nearest kept ancestor's
    for i, node in enumerate(nodes):
        nearest[i] = kept_index.get(i, -1 if node.parent < 0 else nearest[node.parent])
    return [-1 if nodes[i].parent < 0 else nearest[nodes[i].parent] for i in keep]


def _skeleton_of(path: Path, nodes: list[_Parsed], layout: str | None) -> tuple[Skeleton, list[int]]:
    """The skeleton of the file's joints (a named layout, or one built from the file) and, per
    skeleton joint, its index in ``nodes``."""
    # the neck a writer added (`with_neck`) is not a point of the sequence
    added = _bvh_name(f"{NECK_COMPONENT}:Neck")
    keep = [i for i, node in enumerate(nodes) if BRANCH not in node.name and node.name != added]
    by_name: dict[str, int] = {}
    for i in keep:
        if nodes[i].name in by_name:
            raise FormatError(
                path, f"joint name {nodes[i].name[:60]!r} occurs twice", f"line {nodes[i].line}"
            )
        by_name[nodes[i].name] = i
    for name in [layout] if layout else list(LAYOUTS):
        try:
            ref = get_layout(name)
        except KeyError:
            raise FormatError(path, f"unknown layout {name!r}") from None
        wanted = [_bvh_name(j) for j in ref.joints]
        if len(wanted) == len(by_name) and set(wanted) == set(by_name):
            return ref, [by_name[w] for w in wanted]
        if layout:
            missing = [w for w in wanted if w not in by_name][:3]
            raise FormatError(path, f"its joints are not those of layout {layout} (missing e.g. {missing})")
    names = [nodes[i].name for i in keep]
    skeleton, generic_order = _generic_skeleton(names, _kept_parents(nodes, keep))
    return skeleton, [keep[k] for k in generic_order]


def read_bvh(
    path: Path, layout: str | None = None, scale: Any = 1.0, fps: Any = None, **_: Any
) -> list[PoseSequence]:
    """Read a BVH file: one sequence, (F, J, 3), every point present; see the module docstring."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()[: exc.start]  # the line the bad byte is on, for the place
        line, column = raw.count(b"\n") + 1, exc.start - (raw.rfind(b"\n") + 1)
        place = f"line {line}, column {column} (byte {exc.start})"
        raise FormatError(path, "not a text file (a byte that is not UTF-8)", place) from None
    nodes, motion, frame_time = parse_bvh(path, text)
    del text
    factor = scale_option(path, scale)
    skeleton, order = _skeleton_of(path, nodes, layout)
    world = world_positions(nodes, motion, order)
    data = (world / factor * AXES).astype(np.float32)  # back to image convention
    rate, given = option_fps(path, fps, 1.0 / frame_time)
    if not given and abs(rate - round(rate)) < 1e-6 * rate:
        rate = float(round(rate))
    meta = {
        "format": "bvh",
        "source": str(path),
        "convention": {"layout": skeleton.layout, "axes": "x, -y, -z (y up)", "scale": factor},
    }
    return [PoseSequence(data, np.ones(data.shape[:2], np.float32), rate, skeleton, meta)]


def _sniff(path: Path, head: bytes) -> float:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:9].upper() == b"HIERARCHY":
        return 0.95
    return 0.55 if path.suffix.lower() == ".bvh" and path.is_file() else 0.0


SPEC = register(
    FormatSpec(
        "bvh",
        "BVH motion (rotation rig for Blender; positions exact up to bone-length changes)",
        (".bvh",),
        _sniff,
        guarded("bvh", read_bvh),
        write_bvh,
        options={
            "units": "write: 'display' (neck origin, shoulder width 1; default) or 'file' (as is)",
            "scale": "multiply coordinates by this on writing, divide on reading (default 1)",
            "layout": "read: the layout whose joint names the file uses (default: recognised)",
            "fps": "read: override the frame rate",
            "rig": "write: 'full' (every joint, rooted at the neck; default) or 'compact' (body and "
            "hands as upper50: 50 joints, no face points)",
        },
    )
)
