"""``signstudio bench --only avatar``: what an avatar costs, per frame, against baselines of the same run.

On real lexicon recordings (upper50 from the spoken-to-signed lexicon):

* **IK** — `ik.solve` with its default 150 optimisation steps, ms per frame, against the analytic
  start alone (0 steps) on the same frames; on the CPU (one thread), and on the GPU when torch
  sees one. The fit's mean keypoint error (arms, hands; mm at the body's 0.316 m shoulders) is
  reported with it.
* **Posing** — the convex mannequin's vertices for every frame plus our vectorised normals, ms per
  frame, against posing alone (what the normals add) and against the skinned ``wooden``
  mannequin's posing (the richer body, measured on a few frames).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

SHOULDER_MM = 316.0  # the mannequin's shoulder width: errors in mm are at this scale


def _clips(count: int) -> list[Any]:
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    words = corpus.words("ase", "test")[:count]
    return [corpus.word_sequence("ase", w, "upper50") for w in words]


def run(quick: bool = False) -> dict[str, Any]:
    import torch

    from signstudio.avatar.bodies import MannequinBody
    from signstudio.avatar.ik import IKSettings, solve
    from signstudio.avatar.mesh import vertex_normals

    torch.set_num_threads(1)
    clips = _clips(2 if quick else 6)
    if quick:
        clips = [
            c.replace(data=c.data[:30], confidence=c.confidence[:30], filled=c.filled[:30]) for c in clips
        ]
    frames = sum(c.num_frames for c in clips)
    body = MannequinBody()
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    ik: dict[str, Any] = {}
    fits = []
    for device in devices:
        for steps in (0, 150):
            solve(clips[0], body.skeleton, IKSettings(iterations=min(steps, 5), device=device))  # warm-up
            t0 = time.perf_counter()
            out = [solve(c, body.skeleton, IKSettings(iterations=steps, device=device)) for c in clips]
            ms = 1000 * (time.perf_counter() - t0) / frames
            arms = float(np.mean([f.mean_error("arms") for f in out])) * 1000
            hands = float(np.mean([f.mean_error("hands") for f in out])) * 1000
            ik[f"{device}/{steps}"] = {"ms_per_frame": ms, "arms_mm": arms, "hands_mm": hands}
            if device == "cpu" and steps == 150:
                fits = out
    t0 = time.perf_counter()
    verts = [body.posed_vertices(f) for f in fits]
    pose_ms = 1000 * (time.perf_counter() - t0) / frames
    t0 = time.perf_counter()
    for v in verts:
        vertex_normals(v, body.faces)
    normals_ms = 1000 * (time.perf_counter() - t0) / frames
    wooden = MannequinBody("wooden")
    few = 3 if quick else 10
    sub = fits[0]
    part = type(sub)(
        sub.body_pose[:few], sub.hand_pose[:few], sub.global_rotation[:few], sub.translation[:few],
        sub.keypoint_error[:few], sub.groups, sub.scale, 0.0, sub.fps,
    )  # fmt: skip
    t0 = time.perf_counter()
    wooden.posed_vertices(part)
    wooden_ms = 1000 * (time.perf_counter() - t0) / few
    return {
        "name": "avatar",
        "frames": frames,
        "clips": len(clips),
        "ik": ik,
        "devices": devices,
        "convex_vertices": body.num_vertices,
        "wooden_vertices": wooden.num_vertices,
        "pose_ms_per_frame": pose_ms,
        "normals_ms_per_frame": normals_ms,
        "wooden_pose_ms_per_frame": wooden_ms,
    }


def format_table(r: dict[str, Any]) -> str:
    lines = [f"avatar ({r['clips']} real ASL words, {r['frames']} frames; one CPU thread)"]
    for device in r["devices"]:
        base, full = r["ik"][f"{device}/0"], r["ik"][f"{device}/150"]
        lines.append(
            f"  IK on {device}: {full['ms_per_frame']:.1f} ms/frame with 150 steps "
            f"({full['ms_per_frame'] / max(base['ms_per_frame'], 1e-9):.1f}x the analytic start alone, "
            f"{base['ms_per_frame']:.1f} ms); error arms {full['arms_mm']:.1f} mm "
            f"({full['arms_mm'] / SHOULDER_MM:.3f} shoulder widths), hands {full['hands_mm']:.1f} mm "
            f"({full['hands_mm'] / SHOULDER_MM:.3f}) "
            f"(analytic start: {base['arms_mm']:.1f} / {base['hands_mm']:.1f} mm)"
        )
    pose, normals = r["pose_ms_per_frame"], r["normals_ms_per_frame"]
    lines.append(
        f"  mesh: convex mannequin ({r['convex_vertices']} vertices) {pose:.2f} ms/frame to pose + "
        f"{normals:.2f} ms/frame for normals ({(pose + normals) / max(pose, 1e-9):.2f}x posing alone); "
        f"the skinned wooden one ({r['wooden_vertices']} vertices) "
        f"{r['wooden_pose_ms_per_frame']:.1f} ms/frame "
        f"({r['wooden_pose_ms_per_frame'] / max(pose, 1e-9):.0f}x the convex)"
    )
    return "\n".join(lines)


__all__ = ["format_table", "run"]
