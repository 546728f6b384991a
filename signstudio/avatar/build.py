"""One call from a pose sequence to its avatar mesh: IK, then the body (where the models run).

    mesh = build_avatar(seq, "mannequin")     # AvatarMesh in seq's raw coordinates, every frame

Bodies are made once per (body, shape) and kept for the life of the process. Raises ValueError
(one readable line) for a sequence IK cannot use (no shoulders, a layout with no upper50).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from signstudio.avatar.bodies import MannequinBody, SMPLXBody
from signstudio.avatar.mesh import AvatarMesh
from signstudio.pose.sequence import PoseSequence

BODIES = ("mannequin", "smplx")
_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], Any] = {}


def body(name: str = "mannequin", folder: str | None = None) -> Any:
    """The body ``name`` (``smplx`` needs the ``folder`` that holds SMPLX_NEUTRAL.npz), made once."""
    if name not in BODIES:
        raise ValueError(f"unknown body {name!r}; known: {', '.join(BODIES)}")
    if name == "smplx" and not folder:
        raise ValueError("the SMPL-X body needs its model folder (View → Body → SMPL-X…)")
    key = (name, str(folder or ""))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = MannequinBody() if name == "mannequin" else SMPLXBody(str(folder))
        return _CACHE[key]


def build_avatar(
    seq: PoseSequence, name: str = "mannequin", device: str = "cpu", folder: str | None = None
) -> AvatarMesh:
    """IK on ``seq`` and the posed mesh of body ``name`` for every frame (see the module docstring)."""
    from signstudio.avatar.ik import IKSettings, solve

    b = body(name, folder)
    t0 = time.perf_counter()
    try:
        fit = solve(seq, b.skeleton, IKSettings(device=device))
    except (KeyError, ValueError) as exc:
        where = seq.meta.get("text") or seq.meta.get("source") or "sequence"
        raise ValueError(f"no avatar for {where}: {exc}") from None
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
    )


__all__ = ["BODIES", "body", "build_avatar"]
