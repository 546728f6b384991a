"""`.pose` files (v0.1 / v0.2) through the pose-format library; never parsed by hand.

Reading keeps the first person, the header's components (names, limbs, colours, point format)
and dimensions, so that writing the sequence back gives the same header and body. Masked points
become confidence 0. 2D files (``XYC``) get z = 0 and ``convention.dims = 2``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import Component, Skeleton, get_layout, infer_group, infer_links


def _layout_name(components: tuple[Component, ...]) -> str:
    names = {c.name for c in components}
    if {"POSE_LANDMARKS", "LEFT_HAND_LANDMARKS", "RIGHT_HAND_LANDMARKS"} <= names:
        return "holistic"
    for layout in ("upper50", "openpose137", "smplx", "p2s128"):
        if tuple(c.points for c in components) == tuple(c.points for c in get_layout(layout).components):
            return layout
    return "custom"


def skeleton_from_header(header: Any) -> Skeleton:
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
    elif layout in ("upper50", "openpose137", "smplx", "p2s128"):
        ref = get_layout(layout)
        return Skeleton(layout, comps, ref.mirror_index, ref.links)
    return Skeleton(layout, comps, mirror, infer_links(comps))


def from_pose(pose: Any, source: str | None = None) -> PoseSequence:
    """A pose-format ``Pose`` as a `PoseSequence` (first person)."""
    header, body = pose.header, pose.body
    raw = np.ma.getdata(body.data)
    frames = raw.shape[0]
    skel = skeleton_from_header(header)
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
    meta = {
        "format": "pose",
        "source": source,
        "convention": {
            "layout": skel.layout,
            "version": float(np.float32(header.version)),
            "dimensions": [int(d.width), int(d.height), int(d.depth)],
            "dims": int(dims),
            "people": int(raw.shape[1]) if frames else 1,
        },
    }
    return PoseSequence(data, conf, float(body.fps), skel, meta)


def to_pose(seq: PoseSequence) -> Any:
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions

    conv = seq.meta.get("convention", {}) if seq.meta.get("format") == "pose" else {}
    dims = int(conv.get("dims", 3))
    comps = [
        PoseHeaderComponent(
            name=c.name,
            points=list(c.points),
            limbs=[tuple(x) for x in c.limbs],
            colors=[tuple(x) for x in c.colors] or [(255, 255, 255)],
            point_format=("XYZC" if dims == 3 else "XYC"),
        )
        for c in seq.skeleton.components
    ]
    width, height, depth = conv.get("dimensions", [1000, 1000, 0])
    header = PoseHeader(version=0.2, dimensions=PoseHeaderDimensions(width, height, depth), components=comps)
    data = seq.data[:, None, :, :dims].astype(np.float32)
    conf = seq.confidence[:, None].astype(np.float32)
    mask = np.repeat((conf <= 0)[..., None], dims, axis=-1)
    body = NumPyPoseBody(fps=seq.fps, data=np.ma.masked_array(data, mask=mask), confidence=conf)
    return Pose(header, body)


def read_pose(path: Path, **_: Any) -> list[PoseSequence]:
    from pose_format import Pose

    buffer = path.read_bytes()
    if not buffer:
        raise FormatError(path, "file is empty")
    try:
        pose = Pose.read(buffer)
    except Exception as exc:  # pose-format raises struct/index/value errors on bad bytes
        raise FormatError(path, f"not a valid .pose file ({type(exc).__name__}: {exc})") from None
    seq = from_pose(pose, str(path))
    if seq.num_frames == 0:
        raise FormatError(path, "holds zero frames")
    return [seq]


def write_pose(path: Path, seqs: list[PoseSequence], **_: Any) -> None:
    if len(seqs) != 1:
        raise FormatError(path, f".pose holds one sequence, got {len(seqs)}")
    pose = to_pose(seqs[0])
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pose.write(fh)


def _sniff(path: Path, head: bytes) -> float:
    if len(head) < 8 or path.is_dir():
        return 0.0
    version = np.frombuffer(head[:4], "<f4")[0]
    return 0.9 if np.isclose(version, 0.1) or np.isclose(version, 0.2) else 0.0


SPEC = register(
    FormatSpec("pose", "pose-format .pose (v0.1/v0.2)", (".pose",), _sniff, read_pose, write_pose)
)
