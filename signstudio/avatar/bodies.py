"""Body backends: a mesh posed by the SMPL-X parameters that IK found (numpy, batched over frames).

    body = MannequinBody()                         # mannequin-x: Apache-2.0, no licensed files
    fit = solve(seq, body.skeleton)                # signstudio.avatar.ik
    mesh = body.mesh(fit, seq)                     # AvatarMesh: vertices (F, V, 3) in seq's raw
                                                   # coordinates, normals (F, V, 3), faces (T, 3)

``mannequin`` is the built-in body: `mannequin-x`'s ``convex`` mannequin (rigid convex links,
5466 vertices at level of detail 0: about 1.4 ms per frame to pose in numpy here) or its
``wooden`` one (skinned, 24256 vertices, about 90 ms per frame: for renders, not for playback).
Both follow SMPL-X's kinematic tree and take SMPL-X's ten shape coefficients (betas).

`AvatarMesh` carries the mesh back into the sequence's own raw coordinates (the inverse of what
IK did to the keypoints: body axes -> image axes, metres -> the sequence's units, and its
normalisation undone), so the viewport draws it with the skeleton's own transform, inside it.
Normals are smooth (area-weighted face normals summed per vertex through one sparse product for
every frame at once; no Python loop over vertices).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from signstudio.avatar.ik import IMAGE_TO_BODY, BodySkeleton, IKResult
from signstudio.avatar.mesh import AvatarMesh, incidence_matrix, vertex_normals
from signstudio.pose.sequence import PoseSequence

MannequinKind = Literal["convex", "wooden"]


class MannequinBody:
    """The built-in body (`mannequin-x`), in the flat-hand convention IK solves in."""

    id = "mannequin"

    def __init__(self, kind: MannequinKind = "convex", shape: np.ndarray | None = None) -> None:
        from mannequin import Mannequin

        betas = np.zeros(10, np.float32) if shape is None else np.asarray(shape, np.float32)
        if betas.shape != (10,):
            raise ValueError(f"shape takes the 10 SMPL-X coefficients (betas), got {betas.shape}")
        self.kind = kind
        self.shape = betas
        self._body = Mannequin(kind, flat_hand_mean=True, shape=betas)
        self.skeleton = BodySkeleton.mannequin(betas)
        self.faces = np.ascontiguousarray(self._body.faces, np.uint32)
        self._incidence = incidence_matrix(self.faces, self._body.num_vertices)

    @property
    def num_vertices(self) -> int:
        return int(self._body.num_vertices)

    def posed_vertices(self, fit: IKResult, batch: int = 64) -> np.ndarray:
        """(F, V, 3) float32 vertices in body metres and axes, posed frame by frame by ``fit``."""
        out = np.empty((len(fit.body_pose), self.num_vertices, 3), np.float32)
        for i in range(0, len(out), batch):
            n = min(batch, len(out) - i)
            pose = self._body.rest_pose(batch_dims=(n,))
            pose.update(
                body_pose=fit.body_pose[i : i + n],
                hand_pose=fit.hand_pose[i : i + n],
                global_rotation=fit.global_rotation[i : i + n],
                global_translation=fit.translation[i : i + n],
            )
            out[i : i + n] = self._body.vertices(pose)
        return out

    def mesh(self, fit: IKResult, seq: PoseSequence) -> AvatarMesh:
        """The posed mesh in ``seq``'s raw coordinates (see the module docstring)."""
        verts = to_sequence_coordinates(self.posed_vertices(fit), fit.scale, seq)
        return AvatarMesh(verts, vertex_normals(verts, self.faces, self._incidence), self.faces, self.id)


def to_sequence_coordinates(vertices: np.ndarray, scale: float, seq: PoseSequence) -> np.ndarray:
    """Body metres and axes -> ``seq``'s raw coordinates: undo the scale to shoulder widths, the
    axis change and the normalisation IK's targets went through (`ik.keypoint_targets`)."""
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalisation_of

    origin, width = normalisation_of(convert(seq, "upper50"))
    units = (np.asarray(vertices, np.float64) / scale) @ IMAGE_TO_BODY.T  # IMAGE_TO_BODY is its own inverse
    return (units * width + np.asarray(origin)).astype(np.float32)


__all__ = ["MannequinBody", "to_sequence_coordinates"]
