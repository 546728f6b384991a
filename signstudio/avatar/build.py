"""One call from a pose sequence to its avatar mesh: IK, then the body (where the models run).

    mesh = build_avatar(seq, "mannequin")     # AvatarMesh in seq's raw coordinates, every frame

Bodies are made once per (body, shape) and kept for the life of the process. Raises ValueError
(one readable line) for a sequence IK cannot use (no shoulders, a layout with no upper50).

On the CPU the fit takes the threads `signstudio.avatar.threads` says are free (one on a 2-core
machine, never torch's default of every core: on a busy machine that stalled a fit from 3.6 s
to 38 s); ``progress(fraction, message)`` follows it and ``stop()`` cancels it (`FitCancelled`).

`mirrored` is the avatar of a mirrored sequence without a second fit: the mesh reflected with the
sequence (x about the same centre, triangles turned back outwards) and the SMPL-X motion mirrored
(left and right joints exchanged, rotations reflected: (x, y, z) -> (x, −y, −z) axis-angle).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from signstudio.avatar.bodies import MannequinBody, SMPLXBody
from signstudio.avatar.ik import FitCancelled
from signstudio.avatar.mesh import AvatarMesh
from signstudio.avatar.mirror import SMPLX_MIRROR, mirror_centre, mirrored, mirrored_motion
from signstudio.pose.formats.amass import SMPLX_POSE_SIZE, SMPLXMotion
from signstudio.pose.sequence import PoseSequence

BODIES = ("mannequin", "smplx")
_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str, tuple[float, ...]], Any] = {}


def body(name: str = "mannequin", folder: str | None = None, shape: Sequence[float] | None = None) -> Any:
    """The body ``name`` (``smplx`` needs the ``folder`` that holds SMPLX_NEUTRAL.npz) with the
    10 SMPL-X shape coefficients ``shape`` (default all 0), made once per (name, folder, shape)."""
    if name not in BODIES:
        raise ValueError(f"unknown body {name!r}; known: {', '.join(BODIES)}")
    if name == "smplx" and not folder:
        raise ValueError("the SMPL-X body needs its model folder (View → Body → SMPL-X…)")
    betas = np.zeros(10, np.float32) if shape is None else np.asarray(shape, np.float32)
    key = (name, str(folder or ""), tuple(float(b) for b in betas))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = (
                MannequinBody(shape=betas) if name == "mannequin" else SMPLXBody(str(folder), shape=betas)
            )
        return _CACHE[key]


def build_avatar(
    seq: PoseSequence,
    name: str = "mannequin",
    device: str = "auto",
    folder: str | None = None,
    shape: Sequence[float] | None = None,
    *,
    progress: Callable[[float, str], None] | None = None,
    stop: Callable[[], bool] | None = None,
    threads: int | None = None,
    size_threads: bool = False,
) -> AvatarMesh:
    """IK on ``seq`` and the posed mesh of body ``name`` for every frame (see the module
    docstring). ``device``: ``auto`` (the GPU when torch sees one), ``cpu`` or ``cuda``;
    ``threads``: torch's CPU threads (default: `threads.threads_now`, what is free).
    ``size_threads=True`` sizes torch's threads to what is free (`threads.threads_now`) for the
    fit; only a single-threaded process may ask it (the fit's own child, `runner.host`): resizing
    the pool while another thread is in a matrix product crashes the process (seen with the
    studio's in-thread runner and with `render` run in a process whose runner threads score)."""
    import torch

    from signstudio.avatar.threads import threads_now, torch_threads

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    b = body(name, folder, shape)
    if not size_threads:
        return _fit_and_pose(seq, b, device, progress, stop)
    with torch_threads(threads if threads is not None else threads_now()):
        return _fit_and_pose(seq, b, device, progress, stop)


def _fit_and_pose(
    seq: PoseSequence,
    b: Any,
    device: str,
    progress: Callable[[float, str], None] | None,
    stop: Callable[[], bool] | None,
) -> AvatarMesh:
    from signstudio.avatar.ik import IKSettings, solve

    t0 = time.perf_counter()
    told = (lambda f: progress(0.9 * f, "Fitting the avatar (IK)")) if progress is not None else None
    try:
        fit = solve(seq, b.skeleton, IKSettings(device=device), progress=told, stop=stop)
    except (KeyError, ValueError) as exc:
        where = seq.meta.get("text") or seq.meta.get("source") or "sequence"
        raise ValueError(f"no avatar for {where}: {exc}") from None
    if stop is not None and stop():
        raise FitCancelled
    if progress is not None:
        progress(0.9, "Posing the avatar")
    mesh = b.mesh(fit, seq)
    return AvatarMesh(
        mesh.vertices,
        mesh.normals,
        mesh.faces,
        mesh.body,
        ik_seconds=fit.seconds,
        seconds=time.perf_counter() - t0,
        arm_error_m=fit.mean_error("arms"),
        hand_error_m=fit.mean_error("hands"),
        motion=from_fit(fit, b.skeleton.offsets[0], betas=b.shape),
    )


def from_fit(
    fit: object, pelvis: np.ndarray, betas: np.ndarray | None = None, gender: str = "neutral"
) -> SMPLXMotion:
    """An `IKResult` as SMPL-X motion (for `signstudio.pose.formats.amass.write_amass`).

    ``pelvis``: the body's rest pelvis position (``BodySkeleton.offsets[0]``). IK's root turns
    about the origin, SMPL-X's about the pelvis, so SMPL-X's ``trans`` is t + R·J0 − J0."""
    from scipy.spatial.transform import Rotation

    body = np.asarray(fit.body_pose, np.float64)  # type: ignore[attr-defined]
    f = len(body)
    j0 = np.asarray(pelvis, np.float64)
    rot = Rotation.from_rotvec(np.asarray(fit.global_rotation, np.float64)).as_matrix()  # type: ignore[attr-defined]
    trans = np.asarray(fit.translation, np.float64) + rot @ j0 - j0  # type: ignore[attr-defined]
    poses = np.zeros((f, SMPLX_POSE_SIZE))
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


__all__ = [
    "BODIES",
    "SMPLX_MIRROR",
    "body",
    "build_avatar",
    "from_fit",
    "mirror_centre",
    "mirrored",
    "mirrored_motion",
]
