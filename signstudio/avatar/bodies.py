"""Body backends: a mesh posed by the SMPL-X parameters that IK found (numpy, batched over frames).

    body = MannequinBody()                         # mannequin-x: Apache-2.0, no licensed files
    fit = solve(seq, body.skeleton)                # signstudio.avatar.ik
    mesh = body.mesh(fit, seq)                     # AvatarMesh: vertices (F, V, 3) in seq's raw
                                                   # coordinates, normals (F, V, 3), faces (T, 3)

``mannequin`` is the built-in body: `mannequin-x`'s ``convex`` mannequin (rigid convex links,
5466 vertices at level of detail 0: about 1.4 ms per frame to pose in numpy here) or its
``wooden`` one (skinned, 24256 vertices, about 90 ms per frame: for renders, not for playback).
Both follow SMPL-X's kinematic tree and take SMPL-X's ten shape coefficients (betas).
The convex one is drawn legible (`signstudio.avatar.legible`: one clean head, fingers 1.7x
thicker across, smooth ellipsoid normals per link turned with it), posed from its link transforms:
5214 vertices, vertices and normals in about 1.6 ms per frame together on a loaded 2-core machine
(mannequin-x's own posing 1.1 ms plus the area-weighted normals 5.5 ms there before).

`AvatarMesh` carries the mesh back into the sequence's own raw coordinates (the inverse of what
IK did to the keypoints: body axes -> image axes, metres -> the sequence's units, and its
normalisation undone), so the viewport draws it with the skeleton's own transform, inside it.
Normals are smooth (area-weighted face normals summed per vertex through one sparse product for
every frame at once; no Python loop over vertices).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from signstudio.avatar.ik import IMAGE_TO_BODY, BodySkeleton, IKResult
from signstudio.avatar.legible import legible_geometry, pose_rigid
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
        self._geometry = legible_geometry(self._body) if kind == "convex" else None
        faces = self._body.faces if self._geometry is None else self._geometry.faces
        self.faces = np.ascontiguousarray(faces, np.uint32)
        self._incidence = incidence_matrix(self.faces, self.num_vertices) if self._geometry is None else None

    @property
    def num_vertices(self) -> int:
        return int(self._body.num_vertices if self._geometry is None else self._geometry.num_vertices)

    def posed_vertices(self, fit: IKResult, batch: int = 64) -> np.ndarray:
        """(F, V, 3) float32 vertices in body metres and axes, posed frame by frame by ``fit``."""
        return self._posed(fit, batch)[0]

    def _posed(self, fit: IKResult, batch: int = 64) -> tuple[np.ndarray, np.ndarray | None]:
        """Vertices and (for the legible convex body) normals (F, V, 3) in body axes."""
        f = len(fit.body_pose)
        out = np.empty((f, self.num_vertices, 3), np.float32)
        normals = None if self._geometry is None else np.empty_like(out)
        for i in range(0, f, batch):
            n = min(batch, f - i)
            pose = self._body.rest_pose(batch_dims=(n,))
            pose.update(
                body_pose=fit.body_pose[i : i + n],
                hand_pose=fit.hand_pose[i : i + n],
                global_rotation=fit.global_rotation[i : i + n],
                global_translation=fit.translation[i : i + n],
            )
            if self._geometry is None or normals is None:
                out[i : i + n] = self._body.vertices(pose)
            else:
                out[i : i + n], normals[i : i + n] = pose_rigid(
                    self._geometry, self._body.link_transforms(pose)
                )
        return out, normals

    def mesh(self, fit: IKResult, seq: PoseSequence) -> AvatarMesh:
        """The posed mesh in ``seq``'s raw coordinates (see the module docstring)."""
        posed, normals = self._posed(fit)
        verts = to_sequence_coordinates(posed, fit.scale, seq)
        if normals is None:
            normals = vertex_normals(verts, self.faces, self._incidence)
        else:  # a rotation (det +1) and a uniform scale: directions only turn
            normals = (normals @ IMAGE_TO_BODY.T.astype(np.float32)).astype(np.float32)
        return AvatarMesh(verts, normals, self.faces, self.id)


SMPLX_FILE = "SMPLX_{gender}.npz"
SMPLX_SITE = "https://smpl-x.is.tue.mpg.de"


def smplx_name(name: str) -> str:
    """SMPL-X's joint name as mannequin-x (and `ik`) spell it: ``left_index1`` -> ``L_Index1``."""
    for side, tag in (("left_", "L_"), ("right_", "R_")):
        if name.startswith(side):
            return tag + name[len(side) :].replace("_smplhf", "").capitalize()
    return name.capitalize()


def find_smplx_file(folder: str | Path, gender: str = "neutral") -> Path:
    """The SMPL-X model file in ``folder`` (or its ``smplx/`` subfolder, the layout of the
    download); ValueError with one line saying where to put it otherwise."""
    folder = Path(folder)
    name = SMPLX_FILE.format(gender=gender.upper())
    for candidate in (folder / name, folder / "smplx" / name):
        if candidate.is_file():
            return candidate
    if not folder.is_dir():
        raise ValueError(f"SMPL-X folder {folder} does not exist; choose the folder that holds {name}")
    raise ValueError(
        f"no {name} in {folder} (nor in {folder / 'smplx'}): download SMPL-X from {SMPLX_SITE} "
        f"and choose the folder that holds {name}"
    )


class SMPLXBody:
    """SMPL-X (the `smplx` package) from the user's licensed model file, 45-d hands
    (``use_pca=False``) in the flat-hand convention IK solves in."""

    id = "smplx"

    def __init__(self, folder: str | Path, gender: str = "neutral", shape: np.ndarray | None = None) -> None:
        import torch

        path = find_smplx_file(folder, gender)
        try:
            import smplx
        except ImportError:  # pragma: no cover - a dependency
            raise ValueError("the smplx package is not installed (pip install smplx)") from None
        betas = np.zeros(10, np.float32) if shape is None else np.asarray(shape, np.float32)
        if betas.shape != (10,):
            raise ValueError(f"shape takes the 10 SMPL-X coefficients (betas), got {betas.shape}")
        try:
            self._model = smplx.SMPLX(
                str(path), gender=gender, use_pca=False, flat_hand_mean=True, num_betas=10, ext="npz"
            )
        except Exception as exc:  # a wrong or damaged file: say which and why, in one line
            raise ValueError(f"{path}: not a usable SMPL-X model ({type(exc).__name__}: {exc})") from None
        self.path, self.shape, self.kind = path, betas, "smplx"
        self._betas = torch.from_numpy(betas)[None]
        with torch.no_grad():
            rest = self._model(betas=self._betas, return_verts=True)
        joints = rest.joints[0, :55].double().numpy()
        parents = tuple(int(p) for p in self._model.parents[:55])
        offsets = joints.copy()
        for j, p in enumerate(parents):
            if p >= 0:
                offsets[j] = joints[j] - joints[p]
        from smplx.joint_names import JOINT_NAMES

        mean = np.concatenate(
            [self._model.left_hand_mean.numpy(), self._model.right_hand_mean.numpy()]
        ).reshape(30, 3)
        self.skeleton = BodySkeleton(tuple(smplx_name(n) for n in JOINT_NAMES[:55]), parents, offsets, mean)
        self._pelvis = joints[0]
        self.faces = np.ascontiguousarray(self._model.faces, np.uint32)
        self._incidence = incidence_matrix(self.faces, self.num_vertices)

    @property
    def num_vertices(self) -> int:
        return int(self._model.v_template.shape[0])

    def smplx_translation(self, fit: IKResult) -> np.ndarray:
        """IK's translation (the root rotates about the origin) as SMPL-X's ``transl`` (the root
        rotates about the pelvis): transl = t + R·J0 − J0."""
        import torch

        from signstudio.avatar.ik import axis_angle_to_matrix

        rot = axis_angle_to_matrix(torch.as_tensor(fit.global_rotation, dtype=torch.float64)).numpy()
        return (fit.translation + rot @ self._pelvis - self._pelvis).astype(np.float32)

    def posed_vertices(self, fit: IKResult, batch: int = 64) -> np.ndarray:
        import torch

        f = len(fit.body_pose)
        out = np.empty((f, self.num_vertices, 3), np.float32)
        transl = self.smplx_translation(fit)
        with torch.no_grad():
            for i in range(0, f, batch):
                n = min(batch, f - i)
                sl = slice(i, i + n)
                res = self._model(
                    betas=self._betas.expand(n, -1),
                    global_orient=torch.as_tensor(fit.global_rotation[sl]),
                    body_pose=torch.as_tensor(fit.body_pose[sl]).reshape(n, 63),
                    left_hand_pose=torch.as_tensor(fit.hand_pose[sl, :15]).reshape(n, 45),
                    right_hand_pose=torch.as_tensor(fit.hand_pose[sl, 15:]).reshape(n, 45),
                    jaw_pose=torch.zeros(n, 3),
                    leye_pose=torch.zeros(n, 3),
                    reye_pose=torch.zeros(n, 3),
                    expression=torch.zeros(n, 10),
                    transl=torch.as_tensor(transl[sl]),
                    return_verts=True,
                )
                out[sl] = res.vertices.numpy()
        return out

    def mesh(self, fit: IKResult, seq: PoseSequence) -> AvatarMesh:
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


__all__ = ["MannequinBody", "SMPLXBody", "find_smplx_file", "smplx_name", "to_sequence_coordinates"]
