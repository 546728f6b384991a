"""A posed avatar mesh and its normals (numpy only: the GUI imports this, never torch).

`AvatarMesh` is what `signstudio.avatar.build.build_avatar` returns and the viewport draws.
`vertex_normals` computes smooth normals for every frame at once: area-weighted face normals
summed per vertex through one sparse (V, T) product, no Python loop over vertices.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np


def vertex_normals(vertices: np.ndarray, faces: np.ndarray, incidence: Any = None) -> np.ndarray:
    """(F, V, 3) or (V, 3) vertices, (T, 3) faces -> unit vertex normals of the same shape:
    the area-weighted sum of the normals of the faces around each vertex. ``incidence``: the
    (V, T) sparse vertex-face matrix (`incidence_matrix`), to reuse across calls."""
    v = np.asarray(vertices, np.float32)
    single = v.ndim == 2
    if single:
        v = v[None]
    f = np.asarray(faces, np.int64)
    m = incidence if incidence is not None else incidence_matrix(f, v.shape[1])
    a, b, c = v[:, f[:, 0]], v[:, f[:, 1]], v[:, f[:, 2]]
    face_n = np.cross(b - a, c - a)  # (F, T, 3), length = twice the area: area weighting
    summed = m @ np.moveaxis(face_n, 1, 0).reshape(len(f), -1)  # (V, F*3)
    n = np.moveaxis(np.asarray(summed).reshape(v.shape[1], v.shape[0], 3), 0, 1)
    n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-12)
    return (n[0] if single else n).astype(np.float32)


def incidence_matrix(faces: np.ndarray, num_vertices: int) -> Any:
    """(V, T) sparse matrix with a 1 where vertex v is a corner of face t."""
    from scipy.sparse import csr_matrix

    f = np.asarray(faces, np.int64)
    rows = f.reshape(-1)
    cols = np.repeat(np.arange(len(f)), 3)
    return csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(num_vertices, len(f)))


@dataclass(frozen=True, eq=False)
class AvatarMesh:
    """A posed mesh for every frame: vertices and normals (F, V, 3) float32 in the sequence's raw
    coordinates, faces (T, 3) uint32, and the body it came from."""

    vertices: np.ndarray
    normals: np.ndarray
    faces: np.ndarray
    body: str
    ik_seconds: float = 0.0  # IK's time for the whole sequence
    seconds: float = 0.0  # IK and posing
    arm_error_m: float = float("nan")  # IK's mean keypoint error, arms and hands (metres)
    hand_error_m: float = float("nan")
    motion: Any = None  # signstudio.pose.formats.amass.SMPLXMotion: the parameters, for export

    @property
    def num_frames(self) -> int:
        return int(self.vertices.shape[0])


def mirrored_mesh(mesh: AvatarMesh, centre_x: float) -> AvatarMesh:
    """``mesh`` reflected about the plane x = ``centre_x``: vertices x -> 2c − x, normals x -> −x,
    and each triangle's winding reversed (a reflection turns it inside out otherwise). The motion
    is left as it was (`signstudio.avatar.mirror.mirrored` mirrors it too)."""
    v = mesh.vertices.copy()
    v[..., 0] = 2 * np.float32(centre_x) - v[..., 0]
    n = mesh.normals.copy()
    n[..., 0] *= -1
    faces = np.ascontiguousarray(mesh.faces[:, ::-1])
    return dataclasses.replace(mesh, vertices=v, normals=n, faces=faces)


__all__ = ["AvatarMesh", "incidence_matrix", "mirrored_mesh", "vertex_normals"]
