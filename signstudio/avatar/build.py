"""One call from a pose sequence to its avatar mesh: IK, then the body (where the models run).

    mesh = build_avatar(seq, "mannequin")     # AvatarMesh in seq's raw coordinates, every frame

Bodies are made once per (body, shape) and kept for the life of the process. Raises ValueError
(one readable line) for a sequence IK cannot use (no shoulders, a layout with no upper50).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from signstudio.avatar.bodies import MannequinBody, SMPLXBody
from signstudio.avatar.mesh import AvatarMesh
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
) -> AvatarMesh:
    """IK on ``seq`` and the posed mesh of body ``name`` for every frame (see the module
    docstring). ``device``: ``auto`` (the GPU when torch sees one), ``cpu`` or ``cuda``."""
    import torch

    from signstudio.avatar.ik import IKSettings, solve

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    b = body(name, folder, shape)
    t0 = time.perf_counter()
    try:
        fit = solve(seq, b.skeleton, IKSettings(device=device))
    except (KeyError, ValueError) as exc:
        where = seq.meta.get("text") or seq.meta.get("source") or "sequence"
        raise ValueError(f"no avatar for {where}: {exc}") from None
    from signstudio.avatar.amass import from_fit

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


__all__ = ["BODIES", "body", "build_avatar"]
