"""SMPL-X motion as an AMASS-style ``.npz``, hands included, and its exact reader.

    write_amass("word.npz", fit)                 # fit: signstudio.avatar.ik.IKResult
    motion = read_amass("word.npz")              # SMPLXMotion; motion.poses (F, 165)

Keys (AMASS's SMPL-X files): ``poses`` (F, 165) axis-angle — global orientation (3), 21 body
joints (63), jaw and eyes (9, zero here), 15 left-hand then 15 right-hand joints (90) —, ``trans``
(F, 3) metres, ``betas`` (10,), ``gender``, ``mocap_frame_rate``, ``surface_model_type``
(``smplx``). aitviewer's export drops the hands; this one does not. ``hand_pose_convention``
says that the hand rotations are the finger rotations themselves (SMPL-X ``flat_hand_mean=True``),
so a loader with the relaxed-hand default must subtract its hand mean. The file is written
atomically; a file that lacks a key or has the wrong shapes fails with one line naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

POSE_SIZE = 165  # 55 joints x 3


@dataclass(frozen=True, eq=False)
class SMPLXMotion:
    poses: np.ndarray  # (F, 165)
    trans: np.ndarray  # (F, 3)
    betas: np.ndarray  # (10,)
    gender: str
    fps: float
    surface_model_type: str = "smplx"
    hand_pose_convention: str = "flat"

    @property
    def global_orient(self) -> np.ndarray:
        return self.poses[:, :3]

    @property
    def body_pose(self) -> np.ndarray:
        return self.poses[:, 3:66].reshape(-1, 21, 3)

    @property
    def hand_pose(self) -> np.ndarray:
        """(F, 30, 3): left hand's 15 joints, then the right's."""
        return self.poses[:, 75:165].reshape(-1, 30, 3)


def from_fit(
    fit: object, pelvis: np.ndarray, betas: np.ndarray | None = None, gender: str = "neutral"
) -> SMPLXMotion:
    """An `IKResult` as SMPL-X motion. ``pelvis``: the body's rest pelvis position
    (``BodySkeleton.offsets[0]``). IK's root turns about the origin, SMPL-X's about the pelvis, so
    SMPL-X's ``trans`` is t + R·J0 − J0."""
    from scipy.spatial.transform import Rotation

    body = np.asarray(fit.body_pose, np.float64)  # type: ignore[attr-defined]
    f = len(body)
    j0 = np.asarray(pelvis, np.float64)
    rot = Rotation.from_rotvec(np.asarray(fit.global_rotation, np.float64)).as_matrix()  # type: ignore[attr-defined]
    trans = np.asarray(fit.translation, np.float64) + rot @ j0 - j0  # type: ignore[attr-defined]
    poses = np.zeros((f, POSE_SIZE))
    poses[:, :3] = fit.global_rotation  # type: ignore[attr-defined]
    poses[:, 3:66] = body.reshape(f, -1)
    poses[:, 75:] = np.asarray(fit.hand_pose).reshape(f, -1)  # type: ignore[attr-defined]
    return SMPLXMotion(
        poses,
        trans,
        np.zeros(10) if betas is None else np.asarray(betas, np.float64),
        gender,
        float(fit.fps),  # type: ignore[attr-defined]
    )


def write_amass(path: str | Path, motion: SMPLXMotion) -> Path:
    from signstudio.pose.formats._atomic import atomic_path

    path = Path(path)
    if motion.poses.ndim != 2 or motion.poses.shape[1] != POSE_SIZE:
        raise ValueError(f"{path}: poses must be (F, {POSE_SIZE}), got {motion.poses.shape}")
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        np.savez(
            fh,
            poses=motion.poses.astype(np.float64),
            trans=motion.trans.astype(np.float64),
            betas=motion.betas.astype(np.float64),
            gender=np.array(motion.gender),
            mocap_frame_rate=np.array(motion.fps),
            surface_model_type=np.array(motion.surface_model_type),
            hand_pose_convention=np.array(motion.hand_pose_convention),
        )
    return path


def read_amass(path: str | Path) -> SMPLXMotion:
    path = Path(path)
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable .npz ({exc})") from None
    with data:
        missing = [k for k in ("poses", "trans", "mocap_frame_rate") if k not in data]
        if missing:
            raise ValueError(f"{path}: an AMASS motion needs {', '.join(missing)}")
        poses = np.asarray(data["poses"], np.float64)
        if poses.ndim != 2 or poses.shape[1] != POSE_SIZE:
            raise ValueError(f"{path}: poses is {poses.shape}, SMPL-X motion has (frames, {POSE_SIZE})")
        trans = np.asarray(data["trans"], np.float64)
        if trans.shape != (len(poses), 3):
            raise ValueError(f"{path}: trans is {trans.shape}, expected ({len(poses)}, 3)")

        def text(key: str, default: str) -> str:
            return str(data[key]) if key in data else default

        betas = np.asarray(data["betas"], np.float64)[:10] if "betas" in data else np.zeros(10)
        return SMPLXMotion(
            poses,
            trans,
            betas,
            text("gender", "neutral"),
            float(data["mocap_frame_rate"]),
            text("surface_model_type", "smplx"),
            text("hand_pose_convention", "flat"),
        )


__all__ = ["POSE_SIZE", "SMPLXMotion", "from_fit", "read_amass", "write_amass"]
