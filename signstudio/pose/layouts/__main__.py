"""Regenerate ``holistic.json`` from a real lexicon recording of spoken-to-signed.

    python -m signstudio.pose.layouts

The component table (point names, limbs, colours) is copied from the file's pose-format header,
so it is exactly what MediaPipe Holistic files carry, without importing mediapipe. The face has
no left/right names, so its mirror map is computed from data: the mean frontal face of the
lexicon, reflected about its midline, matched point to point (Hungarian assignment).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from signstudio.pose.skeleton import Component, Skeleton, _mirror_by_name, infer_group, infer_links


def _lexicon_dir() -> Path:
    import spoken_to_signed

    return Path(spoken_to_signed.__file__).parent / "assets" / "fingerspelling_lexicon"


def build() -> Skeleton:
    from pose_format import Pose

    files = sorted(_lexicon_dir().glob("*/*.pose"))
    header = Pose.read(files[0].read_bytes()).header
    comps = tuple(
        Component(
            c.name,
            tuple(c.points),
            tuple((int(a), int(b)) for a, b in c.limbs),
            tuple(tuple(int(v) for v in rgb) for rgb in c.colors),  # type: ignore[misc]
            c.format,
            infer_group(c.name),
        )
        for c in header.components
        if "WORLD" not in c.name  # the named layout is the 543-point image-space holistic
    )
    skel = Skeleton("holistic", comps, links=infer_links(comps))
    mirror = _mirror_by_name(skel.joints)

    # Face symmetry from data: mean face over many frontal frames, centred on its own midline.
    face_start = skel.offsets[[c.name for c in comps].index("FACE_LANDMARKS")]
    n_face = len(skel.component("FACE_LANDMARKS").points)
    faces = []
    for f in files[::7]:
        body = Pose.read(f.read_bytes()).body
        conf = np.asarray(body.confidence[:, 0, face_start : face_start + n_face])
        data = np.asarray(np.ma.getdata(body.data[:, 0, face_start : face_start + n_face]))
        ok = conf.min(axis=1) > 0
        if ok.any():
            pts = data[ok][:, :, :2]
            pts = pts - pts.mean(axis=1, keepdims=True)
            pts = pts / np.linalg.norm(pts, axis=(1, 2), keepdims=True)
            faces.append(pts.mean(axis=0))
    mean_face = np.mean(faces, axis=0)
    reflected = mean_face * np.array([-1.0, 1.0])
    cost = np.linalg.norm(mean_face[:, None] - reflected[None], axis=-1)
    _, cols = linear_sum_assignment(cost)
    mirror[face_start : face_start + n_face] = face_start + cols
    return Skeleton("holistic", comps, tuple(int(i) for i in mirror), skel.links)


def main() -> None:
    skel = build()
    out = Path(__file__).with_name("holistic.json")
    out.write_text(json.dumps(skel.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({skel.num_joints} joints, {len(skel.bones)} bones)")


if __name__ == "__main__":
    main()
