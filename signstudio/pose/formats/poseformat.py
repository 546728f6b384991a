"""`.pose` files (every version pose-format reads: 0.0, 0.1, 0.2) through the pose-format
library; never parsed by hand (sniffing looks at the version and, for 0.0, the first component).

Reading keeps the first person, the header's components (names, limbs, colours, point format)
and dimensions, so that writing the sequence back gives the same header and body. Masked points
become confidence 0. 2D files (``XYC``) get z = 0 and ``convention.dims = 2``; the studio draws
them on a plane and says so.

Layouts are recognised by component names and point counts:

* ``holistic``: MediaPipe Holistic (``POSE_LANDMARKS``, ``LEFT/RIGHT_HAND_LANDMARKS``, any face:
  468 or 478 points, or a reduced set); the file's own names are kept.
* ``upper50``, ``openpose137``, ``smplx``, ``p2s128``: the same components by group and point
  count, with the body's point names equal (ignoring case). So OpenPose as pose-format writes it
  (``pose_keypoints_2d`` BODY_25, ``face_keypoints_2d`` 70, ``hand_left/right_keypoints_2d`` 21
  with OpenPose's hand names) is ``openpose137``. Such a file is read under the layout's names
  (hand and face points by position) so conversions find its joints; its own names are kept in
  ``meta["convention"]["header_names"]`` and written back to a ``.pose``.
* ``coco18`` (OpenPose's COCO-18 body, ``pose_keypoints_2d`` with 18 points, with or without
  the 70-point face and the hands) and ``wholebody133`` (COCO-WholeBody as MMPose and AlphaPose
  write it through pose-format: ``BODY``/``BODY_133`` with 23 points, ``FACE`` 68,
  ``LEFT_HAND``/``RIGHT_HAND`` 21): the body by its point names, every other component by group
  and point count; a file may hold a subset of the components (e.g. the body alone). Read under
  the layout's names, the file's own kept as above.
* anything else is ``custom`` (groups from the component names, e.g. a hand-only file is one
  ``right_hand`` group); it is shown and written as itself but not converted to another layout.

Bad bytes: the file is read with pose-format's own header, component and body readers one after
the other (`parse_pose`), so an error names its place in our words: ``a name in the header is
not valid UTF-8 text (at header, component 0, byte 17)``, ``the file ends early or a binary field
is malformed (at body, byte 40960)``. A point format of other than 2 or 3 dimensions, a body with
no person and a frame rate that is not a positive number are refused at read time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path, atomic_paths, recover
from signstudio.pose.formats._sidecar import read_sidecar, sidecar_path, sidecar_text
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import Component, Skeleton, get_layout, infer_group, infer_links

_NAMED = ("upper50", "openpose137", "smplx", "p2s128")
#: Layouts whose files may hold a subset of the components (the body is required).
_PARTIAL = ("coco18", "wholebody133")


def _canonical(layout: str, comps: tuple[Component, ...]) -> bool:
    """Whether ``comps`` are ``layout``'s components under other names.

    Same number of components, each of the same group with the same number of points, and the
    body's point names equal (ignoring case): OpenPose's ``pose_keypoints_2d`` (BODY_25 names)
    with ``face_keypoints_2d`` (70) and ``hand_left/right_keypoints_2d`` (21, named ``BASE``,
    ``T_STT`` ...) is ``openpose137``. Hand and face points are taken by position: OpenPose's
    and MediaPipe's hand orders are the same (wrist, then thumb, index, middle, ring, pinky from
    the palm out), and OpenPose's face is iBUG-68 plus the two pupils.
    """
    ref = get_layout(layout).components
    if len(ref) != len(comps):
        return False
    for a, b in zip(ref, comps, strict=True):
        if a.group != b.group or len(a.points) != len(b.points):
            return False
        if a.group == "body" and [p.upper() for p in a.points] != [p.upper() for p in b.points]:
            return False
    return True


def _partial_match(layout: str, comps: tuple[Component, ...]) -> list[Component] | None:
    """For each of ``comps``, the component of ``layout`` it is (or None if they are not).

    The body's point names must equal the layout's (ignoring case); every other component is
    matched by group and point count, each at most once.
    """
    ref = {c.group: c for c in get_layout(layout).components}
    out: list[Component] = []
    for c in comps:
        r = ref.get(c.group)
        if r is None or r in out or len(r.points) != len(c.points):
            return None
        if c.group == "body" and [p.upper() for p in r.points] != [p.upper() for p in c.points]:
            return None
        out.append(r)
    return out if ref["body"] in out else None


def _layout_name(components: tuple[Component, ...]) -> str:
    names = {c.name for c in components}
    if {"POSE_LANDMARKS", "LEFT_HAND_LANDMARKS", "RIGHT_HAND_LANDMARKS"} <= names:
        return "holistic"  # any face size (468 or 478 points, or a reduced one)
    for layout in _NAMED:
        if _canonical(layout, components):
            return layout
    for layout in _PARTIAL:
        if _partial_match(layout, components):
            return layout
    return "custom"


def _partial_skeleton(layout: str, comps: tuple[Component, ...]) -> tuple[Skeleton, list[Any]]:
    """``comps`` under ``layout``'s names (limbs kept), mirrored as the layout mirrors them."""
    ref = get_layout(layout)
    matched = _partial_match(layout, comps) or []
    renamed = tuple(
        Component(r.name, r.points, c.limbs, c.colors, c.format, r.group)
        for r, c in zip(matched, comps, strict=True)
    )
    same = all(r.name == c.name and r.points == c.points for r, c in zip(renamed, comps, strict=True))
    own = [] if same else [[c.name, list(c.points)] for c in comps]
    if renamed == tuple(ref.components):
        return Skeleton(layout, renamed, ref.mirror_index, ref.links), own
    # Flat index in the full layout of each joint of the file, and back.
    starts = dict(zip((c.name for c in ref.components), ref.offsets, strict=True))
    full = [starts[c.name] + i for c in renamed for i in range(len(c.points))]
    back = {f: i for i, f in enumerate(full)}
    mirror = tuple(back.get(int(ref.mirror[f]), i) for i, f in enumerate(full))
    return Skeleton(layout, renamed, mirror, infer_links(renamed)), own


def _renamed(comps: tuple[Component, ...], layout: str) -> tuple[tuple[Component, ...], list[Any]]:
    """``comps`` under ``layout``'s component and point names, and the file's own names
    (``[[component, [points]], ...]``) when they differ, for writing the header back."""
    ref = get_layout(layout).components
    own = [[c.name, list(c.points)] for c in comps]
    if all(a.name == b.name and a.points == b.points for a, b in zip(ref, comps, strict=True)):
        return comps, []
    pairs = zip(ref, comps, strict=True)
    renamed = tuple(Component(a.name, a.points, b.limbs, b.colors, b.format, a.group) for a, b in pairs)
    return renamed, own


def _header_names(seq: PoseSequence) -> list[Any]:
    """The file's own names kept by `from_pose`, when they still fit ``seq``'s components."""
    conv = seq.meta.get("convention", {}) if seq.meta.get("format") == "pose" else {}
    names = conv.get("header_names") or []
    if conv.get("layout") != seq.layout or len(names) != len(seq.skeleton.components):
        return []
    for (_, points), comp in zip(names, seq.skeleton.components, strict=True):
        if len(points) != len(comp.points):
            return []
    return list(names)


def skeleton_from_header(header: Any) -> Skeleton:
    return _skeleton_and_names(header)[0]


def _skeleton_and_names(header: Any) -> tuple[Skeleton, list[Any]]:
    comps = tuple(
        Component(
            c.name,
            tuple(c.points),
            tuple((int(a), int(b)) for a, b in c.limbs),
            tuple(tuple(int(v) for v in rgb) for rgb in np.asarray(c.colors).reshape(-1, 3)),  # type: ignore[misc]
            c.format,
            infer_group(c.name),
        )
        for c in header.components
    )
    layout = _layout_name(comps)
    mirror: tuple[int, ...] = ()
    if layout == "holistic":
        # Reuse the face symmetry of the shipped table for the components it shares.
        ref = get_layout("holistic")
        if tuple(c.points for c in ref.components) == tuple(c.points for c in comps[: len(ref.components)]):
            extra = sum(len(c.points) for c in comps[len(ref.components) :])
            base = ref.num_joints
            tail = Skeleton("x", comps[len(ref.components) :]).mirror + base if extra else np.array([], int)
            mirror = tuple(int(i) for i in np.concatenate([ref.mirror, tail]))
    elif layout in _PARTIAL:
        return _partial_skeleton(layout, comps)
    elif layout in _NAMED:
        ref = get_layout(layout)
        comps, own = _renamed(comps, layout)
        return Skeleton(layout, comps, ref.mirror_index, ref.links), own
    return Skeleton(layout, comps, mirror, infer_links(comps)), []


def from_pose(pose: Any, source: str | None = None) -> PoseSequence:
    """A pose-format ``Pose`` as a `PoseSequence` (first person)."""
    header, body = pose.header, pose.body
    raw = np.ma.getdata(body.data)
    frames = raw.shape[0]
    skel, own_names = _skeleton_and_names(header)
    dims = raw.shape[-1]
    data = np.zeros((frames, skel.num_joints, 3), np.float32)
    data[..., :dims] = raw[:, 0, :, :3] if frames else 0
    conf = (
        np.asarray(body.confidence, dtype=np.float32)[:, 0]
        if frames
        else np.zeros((0, skel.num_joints), np.float32)
    )
    mask = (
        np.ma.getmaskarray(body.data)[:, 0].any(axis=-1) if frames else np.zeros((0, skel.num_joints), bool)
    )
    conf = np.where(mask, 0.0, conf).astype(np.float32)
    data[conf <= 0] = 0.0
    for what, arr in (("coordinates are", data), ("confidence is", conf)):
        if not np.isfinite(arr).all():
            f = int(np.argwhere(~np.isfinite(arr))[0][0])
            raise FormatError(source, f"{what} NaN or infinite", f"frame {f}")
    d = header.dimensions
    convention: dict[str, Any] = {
        "layout": skel.layout,
        "version": float(np.float32(header.version)),
        "dimensions": [int(d.width), int(d.height), int(d.depth)],
        "dims": int(dims),
        "people": int(raw.shape[1]) if frames else 1,
    }
    if own_names:
        convention["header_names"] = own_names
    meta = {"format": "pose", "source": source, "convention": convention}
    return PoseSequence(data, conf, float(body.fps), skel, meta)


def to_pose(seq: PoseSequence) -> Any:
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions

    conv = seq.meta.get("convention", {}) if seq.meta.get("format") == "pose" else {}
    dims = int(conv.get("dims", 3))
    names = _header_names(seq) or [[c.name, list(c.points)] for c in seq.skeleton.components]
    comps = [
        PoseHeaderComponent(
            name=name,
            points=list(points),
            limbs=[tuple(x) for x in c.limbs],
            colors=[tuple(x) for x in c.colors] or [(255, 255, 255)],
            point_format=("XYZC" if dims == 3 else "XYC"),
        )
        for (name, points), c in zip(names, seq.skeleton.components, strict=True)
    ]
    width, height, depth = conv.get("dimensions", [1000, 1000, 0])
    header = PoseHeader(version=0.2, dimensions=PoseHeaderDimensions(width, height, depth), components=comps)
    data = seq.data[:, None, :, :dims].astype(np.float32)
    conf = seq.confidence[:, None].astype(np.float32)
    mask = np.repeat((conf <= 0)[..., None], dims, axis=-1)
    body = NumPyPoseBody(fps=seq.fps, data=np.ma.masked_array(data, mask=mask), confidence=conf)
    return Pose(header, body)


def _parse_error(path: Path, exc: Exception, where: str, offset: int) -> FormatError:
    """What pose-format's exception at ``where`` (byte ``offset`` read so far) means, in our words."""
    if isinstance(exc, UnicodeDecodeError):
        # pose-format decodes a string after reading it: it started len(object) bytes back
        byte = offset - len(exc.object) + exc.start
        return FormatError(path, "a name in the header is not valid UTF-8 text", f"{where}, byte {byte}")
    if isinstance(exc, MemoryError):
        return FormatError(path, "too large to read (not enough memory for what the file declares)", where)
    if isinstance(exc, ZeroDivisionError):
        return FormatError(path, "the body declares no people or no points", where)
    if isinstance(exc, NotImplementedError):
        return FormatError(path, "is a .pose version SignStudio cannot read", "header, version")
    # struct.error, and numpy's "buffer is too small" for a body larger than the bytes left
    return FormatError(path, "the file ends early or a binary field is malformed", f"{where}, byte {offset}")


def parse_pose(path: Path, buffer: bytes) -> Any:
    """The pose-format ``Pose`` of ``buffer``, read with pose-format's own header, component and
    body readers one after the other, so that a failure names its place (``header, component 2,
    byte 812``; ``body, byte 40960``)."""
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions
    from pose_format.utils.reader import BufferReader, ConstStructs

    reader = BufferReader(buffer)
    where = "header, version"
    try:
        version = reader.unpack(ConstStructs.float)
        where = "header, dimensions"
        dimensions = PoseHeaderDimensions.read(version, reader)
        where = "header, component count"
        count = reader.unpack(ConstStructs.ushort)
        components = []
        for k in range(count):
            where = f"header, component {k}"
            components.append(PoseHeaderComponent.read(version, reader))
        header = PoseHeader(version, dimensions, components)
        where = "body"
        body = NumPyPoseBody.read(header, reader)
    except Exception as exc:  # pose-format raises struct/unicode/numpy errors on bad bytes
        raise _parse_error(path, exc, where, reader.read_offset) from None
    return Pose(header, body)


def _check_body(path: Path, pose: Any) -> None:
    """What `from_pose` needs of a parsed file: 2 or 3 dimensions, a person, a frame rate."""
    for c in pose.header.components:
        if len(c.format) - 1 not in (2, 3):
            raise FormatError(
                path,
                f"point format {c.format!r} has {len(c.format) - 1} dimensions; SignStudio reads 2 or 3",
                f"header, component {c.name!r}",
            )
    raw = np.ma.getdata(pose.body.data)
    if raw.ndim != 4 or raw.shape[1] == 0:
        raise FormatError(path, "holds no person", "body")
    fps = float(pose.body.fps)
    if not np.isfinite(fps) or fps <= 0:
        raise FormatError(path, f"frame rate is {fps:g}, not a positive number", "body, fps")


def read_pose(path: Path, **_: Any) -> list[PoseSequence]:
    recover(path)  # a write of the file and its sidecar cut short: finish it first
    buffer = path.read_bytes()
    if not buffer:
        raise FormatError(path, "file is empty", "byte 0")
    pose = parse_pose(path, buffer)
    _check_body(path, pose)
    seq = from_pose(pose, str(path))
    if seq.num_frames == 0:
        raise FormatError(path, "holds zero frames", "body")
    stored = read_sidecar(path, seq.num_frames)
    if stored:
        seq = seq.replace(meta={**stored, **seq.meta})  # the file's own facts win
    return [seq]


def write_pose(path: Path, seqs: list[PoseSequence], **_: Any) -> None:
    """One sequence as ``.pose``; its ``meta`` (word, model, annotations...) in the sidecar,
    committed with it (`signstudio.pose.formats._sidecar`)."""
    if len(seqs) != 1:
        raise FormatError(path, f".pose holds one sequence, got {len(seqs)}")
    pose = to_pose(seqs[0])
    side = sidecar_path(path)
    text = sidecar_text(path, seqs[0], always=side.exists())
    if text is None:
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            pose.write(fh)
        return
    with atomic_paths([path, side]) as (tmp, tmp_side):
        with open(tmp, "wb") as fh:
            pose.write(fh)
        tmp_side.write_text(text, encoding="utf-8")


#: The file versions pose-format reads (``pose_format.pose_body.PoseBody.read``).
VERSIONS = (0.0, 0.1, 0.2)


def _first_component_looks_valid(head: bytes) -> bool:
    """The header after the version: dimensions, a component count, the first component's name
    and point format (``XYC``, ``XYZC`` ...). Only for sniffing v0.0, whose version is 4 zero
    bytes; reading is pose-format's."""
    import struct

    try:
        (count,) = struct.unpack_from("<H", head, 10)
        (n,) = struct.unpack_from("<H", head, 12)
        name = head[14 : 14 + n].decode("utf-8")
        (m,) = struct.unpack_from("<H", head, 14 + n)
        point_format = head[16 + n : 16 + n + m].decode("ascii")
    except (struct.error, UnicodeDecodeError):
        return False
    named = bool(name) and name.isprintable()
    return count > 0 and named and 2 <= m <= 5 and set(point_format) <= set("XYZC")


def _sniff(path: Path, head: bytes) -> float:
    if len(head) < 8 or path.is_dir():
        return 0.0
    if head[:4] == bytes(4):
        # pose-format's first files (e.g. its own OpenPose test file) are version 0.0.
        return 0.9 if _first_component_looks_valid(head) else 0.0
    version = float(np.frombuffer(head[:4], "<f4")[0])
    return 0.9 if any(np.isclose(version, v, rtol=0, atol=1e-6) for v in VERSIONS if v) else 0.0


SPEC = register(
    FormatSpec("pose", "pose-format .pose (v0.0/v0.1/v0.2)", (".pose",), _sniff, read_pose, write_pose)
)
