"""The convex mannequin made legible: a clean head, fingers thick enough to read, smooth shading.

mannequin-x's ``convex`` body is 80 rigid convex hulls. As drawn it read badly at the studio's
default zoom: low-poly hulls shaded with averaged face normals looked faceted, the head's six
overlapping hulls (skull, jaw, nose, ears) read as a broken mask, and the finger hulls (about
14 mm across at a 0.32 m shoulder width) were a few pixels wide. So, once per body:

* **head** — the head's hulls are replaced by one smooth ellipsoid (`HEAD_SEGMENTS` UV sphere)
  through their common box, a clean mannequin head;
* **fingers** — every finger hull is thickened `FINGER_THICKNESS` times across its bone (the
  direction to the next joint; the last phalanx continues its own), through its centroid: the
  bones and joint positions stay, so IK's fit and the handshape are unchanged, only easier to see;
* **shading** — each hull's vertex normals are its ellipsoid's (the gradient of the ellipsoid
  through the hull's principal axes and extents, p / s²), not the average of its faces': round,
  smooth shading on every link. Links are rigid, so the normals are made once in the link's frame
  and only turned with it per frame (`pose_rigid`), no per-frame normal computation.

The geometry stays in each link's own frame (link-local vertices and normals) and is posed by the
body's link transforms: v = R·p + t, n = R·n₀.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FINGER_THICKNESS = 1.7  # finger hulls this many times thicker across (not longer)
HEAD_SEGMENTS = (32, 20)  # the head ellipsoid's segments around and from pole to pole
FINGERS = ("Index", "Middle", "Ring", "Pinky", "Thumb")


@dataclass(frozen=True)
class RigidGeometry:
    """Geometry in the links' frames: link (V,) the link of each vertex, local (V, 3) and normals
    (V, 3) in that link's frame, faces (T, 3) uint32."""

    link: np.ndarray
    local: np.ndarray
    normals: np.ndarray
    faces: np.ndarray

    @property
    def num_vertices(self) -> int:
        return len(self.local)


def _ellipsoid(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre (3,), principal axes (3, 3) as rows, and half extents (3,) of ``points`` (N, 3)."""
    centre = (points.min(0) + points.max(0)) / 2
    rel = points - points.mean(0)
    _, _, axes = np.linalg.svd(rel, full_matrices=False) if len(points) >= 3 else (None, None, np.eye(3))
    proj = (points - centre) @ axes.T
    half = np.maximum(np.abs(proj).max(0), 1e-4)
    return centre, axes, half


def ellipsoid_normals(points: np.ndarray) -> np.ndarray:
    """(N, 3) unit normals of the ellipsoid through ``points``' principal axes and extents, at
    each point: the gradient p / s² of Σ (p_i / s_i)² in the principal frame."""
    centre, axes, half = _ellipsoid(points)
    p = (points - centre) @ axes.T
    n = (p / half**2) @ axes
    norm = np.linalg.norm(n, axis=1, keepdims=True)
    fallback = np.broadcast_to(axes[0], n.shape)
    return np.where(norm > 1e-9, n / np.maximum(norm, 1e-12), fallback).astype(np.float32)


def thickened(points: np.ndarray, factor: float, axis: np.ndarray) -> np.ndarray:
    """``points`` (N, 3) scaled by ``factor`` across ``axis`` (3,) (the bone), about their
    centroid: thicker, not longer."""
    u = np.asarray(axis, np.float64) / max(float(np.linalg.norm(axis)), 1e-12)
    rel = points - points.mean(0)
    along = (rel @ u)[:, None] * u
    return (points.mean(0) + along + factor * (rel - along)).astype(np.float32)


def bone_axis(body: Any, link: int) -> np.ndarray:
    """The direction of link ``link``'s bone at rest (link frames are world-aligned at rest):
    towards its joint's child, or for a last phalanx the direction from its parent."""
    weights = body._weights
    joint = weights.link_joint_indices[link]
    children = [j for j, p in enumerate(body.parents) if p == joint]
    offsets = np.asarray(weights.local_offsets, np.float64)
    return offsets[children[0]] if children else offsets[joint]


def uv_ellipsoid(centre: np.ndarray, half: np.ndarray, segments: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """An axis-aligned ellipsoid: vertices (V, 3), unit normals (V, 3), faces (T, 3) outward."""
    around, rings = segments
    theta = np.linspace(0, np.pi, rings + 1)[:, None]  # from +y (top) to -y
    phi = np.linspace(0, 2 * np.pi, around, endpoint=False)[None, :]
    unit = np.stack(
        [np.sin(theta) * np.cos(phi), np.cos(theta) * np.ones_like(phi), np.sin(theta) * np.sin(phi)], -1
    ).reshape(-1, 3)
    verts = centre + unit * half
    normals = unit / half**2
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    faces = []
    for r in range(rings):
        for a in range(around):
            i, j = r * around + a, r * around + (a + 1) % around
            faces += [(i, i + around, j), (j, i + around, j + around)]
    f = np.asarray(faces, np.int64)
    # outward winding: the face normal agrees with the vertex normals
    v = verts[f]
    fn = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    flip = (fn * normals[f].sum(1)).sum(1) < 0
    f[flip] = f[flip][:, ::-1]
    return verts.astype(np.float32), normals.astype(np.float32), f


def legible_geometry(body: Any) -> RigidGeometry | None:
    """The convex mannequin ``body``'s geometry made legible (see the module docstring), in its
    links' frames; None for a body that is not made of rigid links (the skinned ``wooden``)."""
    weights = getattr(body, "_weights", None)
    if weights is None or body.skinned:
        return None
    names = list(weights.link_names)
    rest = body.link_transforms(body.rest_pose())  # (L, 4, 4)
    world = np.asarray(body.vertices(body.rest_pose()), np.float64)
    faces = np.asarray(body.faces, np.int64)
    links, locals_, normals, out_faces = [], [], [], []
    count = 0
    head = [i for i, n in enumerate(names) if n.startswith("Head_")]
    for li, (start, n) in enumerate(zip(weights.link_vertex_starts, weights.link_vertex_counts, strict=True)):
        if li in head:
            continue
        rot, t = rest[li, :3, :3].astype(np.float64), rest[li, :3, 3].astype(np.float64)
        local = (world[start : start + n] - t) @ rot  # R^T (v - t), row-wise
        if any(names[li].startswith(f"{side}_{f}") for side in "LR" for f in FINGERS):
            local = thickened(local, FINGER_THICKNESS, bone_axis(body, li))
        fs, fc = weights.link_face_starts[li], weights.link_face_counts[li]
        links.append(np.full(n, li))
        locals_.append(local.astype(np.float32))
        normals.append(ellipsoid_normals(local))
        out_faces.append(faces[fs : fs + fc] - start + count)
        count += n
    if head:
        li = head[0]
        rot, t = rest[li, :3, :3].astype(np.float64), rest[li, :3, 3].astype(np.float64)
        pts = np.concatenate(
            [
                (world[s : s + n] - t) @ rot
                for i, (s, n) in enumerate(
                    zip(weights.link_vertex_starts, weights.link_vertex_counts, strict=True)
                )
                if i in head
            ]
        )
        lo, hi = pts.min(0), pts.max(0)
        v, nrm, f = uv_ellipsoid((lo + hi) / 2, (hi - lo) / 2, HEAD_SEGMENTS)
        links.append(np.full(len(v), li))
        locals_.append(v)
        normals.append(nrm)
        out_faces.append(f + count)
    return RigidGeometry(
        np.concatenate(links),
        np.concatenate(locals_),
        np.concatenate(normals),
        np.ascontiguousarray(np.concatenate(out_faces), np.uint32),
    )


def pose_rigid(geometry: RigidGeometry, transforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(F, L, 4, 4) link transforms -> vertices and normals (F, V, 3) float32: v = R·p + t, n = R·n₀."""
    tr = np.asarray(transforms, np.float32)[:, geometry.link]  # (F, V, 4, 4)
    rot = tr[..., :3, :3]
    verts = np.einsum("fvij,vj->fvi", rot, geometry.local) + tr[..., :3, 3]
    normals = np.einsum("fvij,vj->fvi", rot, geometry.normals)
    return verts.astype(np.float32), normals.astype(np.float32)


__all__ = [
    "FINGER_THICKNESS",
    "HEAD_SEGMENTS",
    "RigidGeometry",
    "bone_axis",
    "ellipsoid_normals",
    "legible_geometry",
    "pose_rigid",
    "thickened",
    "uv_ellipsoid",
]
