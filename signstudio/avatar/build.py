"""One call from a pose sequence to its avatar mesh: IK, then the body (where the models run).

    mesh = build_avatar(seq, "mannequin")     # AvatarMesh in seq's raw coordinates, every frame

Bodies are made once per (body, shape) and kept for the life of the process. Raises ValueError
(one readable line) for a sequence IK cannot use (no shoulders, a layout with no upper50).
"""

from __future__ import annotations

import threading
import time

from signstudio.avatar.bodies import MannequinBody
from signstudio.avatar.mesh import AvatarMesh
from signstudio.pose.sequence import PoseSequence

BODIES = ("mannequin",)
_LOCK = threading.Lock()
_CACHE: dict[str, MannequinBody] = {}


def body(name: str = "mannequin") -> MannequinBody:
    if name not in BODIES:
        raise ValueError(f"unknown body {name!r}; known: {', '.join(BODIES)}")
    with _LOCK:
        if name not in _CACHE:
            _CACHE[name] = MannequinBody()
        return _CACHE[name]


def build_avatar(seq: PoseSequence, name: str = "mannequin", device: str = "cpu") -> AvatarMesh:
    """IK on ``seq`` and the posed mesh of body ``name`` for every frame (see the module docstring)."""
    from signstudio.avatar.ik import IKSettings, solve

    b = body(name)
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
