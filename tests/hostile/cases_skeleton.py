"""Hostile skeletons: files that used to read and then crash `app`, `convert` and `render`.

Each case builds, from real data, a file whose bytes are well formed but whose skeleton is not:
bone (limb/link) indices out of range or negative, self-loops, repeated component names, bad
groups, a mirror map that is not a permutation or not its own inverse, names that are not text —
in a ``.pose`` header and in the skeleton JSON inside our ``.npz`` and ``.h5``. Every command
must refuse them at read time with one line naming the place (``header, component
'POSE_LANDMARKS', limb 7``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
MEDIAPIPE = REPO / "tests/data/pose-format/mediapipe.pose"
OPENPOSE = REPO / "tests/data/pose-format/openpose.pose"


def _pose_with(src: Path, dst: Path, change: Callable[[list], None]) -> Path:
    """``src`` (a real .pose file, first 5 frames) with its header components changed, via
    pose-format (the header is written as pose-format writes it; only its content is hostile)."""
    from pose_format import Pose

    pose = Pose.read(src.read_bytes())
    # pose-format caches the header it read: change a copy, never the cached one
    pose = Pose(copy.deepcopy(pose.header), pose.body[:5])
    change(pose.header.components)
    with open(dst, "wb") as fh:
        pose.write(fh)
    return dst


def _set_limb(index: int, limb: tuple[int, int], component: int = 0) -> Callable[[list], None]:
    def change(comps: list) -> None:
        comps[component].limbs[index] = limb

    return change


def _clip() -> object:
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.formats import read_one

    return read_one(lexicon_index()[0].path).frames(0, 5)


def _npz_with(tmp: Path, name: str, change: Callable[[dict], None]) -> Path:
    """Our .npz of a real lexicon clip with its skeleton JSON changed."""
    from signstudio.pose.formats import write

    path = tmp / name
    write(path, _clip(), format="npz")  # type: ignore[arg-type]
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    skel = json.loads(bytes(arrays["skeleton"].item()).decode())
    change(skel)
    arrays["skeleton"] = np.array(json.dumps(skel).encode())
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def _h5_with(tmp: Path, name: str, change: Callable[[dict], None]) -> Path:
    """Our .h5 of a real lexicon clip with the skeleton attribute changed."""
    import h5py

    from signstudio.pose.formats import write

    path = tmp / name
    write(path, _clip(), format="h5")  # type: ignore[arg-type]
    with h5py.File(path, "r+") as f:
        group = next(g for g in f.values() if "skeleton" in g.attrs)
        skel = json.loads(group.attrs["skeleton"])
        change(skel)
        group.attrs["skeleton"] = json.dumps(skel)
    return path


def _limb(value: int, at: int = 1) -> Callable[[dict], None]:
    def change(skel: dict) -> None:
        skel["components"][0]["limbs"][7][at] = value

    return change


def _self_loop(skel: dict) -> None:
    limb = skel["components"][0]["limbs"][7]
    limb[0] = limb[1]


def _mirror(change_map: Callable[[list[int]], None]) -> Callable[[dict], None]:
    def change(skel: dict) -> None:
        total = sum(len(c["points"]) for c in skel["components"])
        mirror = list(skel.get("mirror") or range(total))
        change_map(mirror)
        skel["mirror"] = mirror

    return change


def _three_cycle(m: list[int]) -> None:
    m[0], m[1], m[2] = m[1], m[2], m[0]


def _out_of_range(m: list[int]) -> None:
    m[3] = len(m) + 10


def _link(skel: dict) -> None:
    skel["links"] = [*skel.get("links", []), [0, 100000]]


def _same_name(skel: dict) -> None:
    skel["components"][1]["name"] = skel["components"][0]["name"]


def _bad_group(skel: dict) -> None:
    skel["components"][0]["group"] = "hands"


def _points_not_text(skel: dict) -> None:
    skel["components"][0]["points"][2] = 17


def _surrogate_name(skel: dict) -> None:
    skel["components"][0]["points"][0] = "\udcb9"  # JSON "\udcb9": no UTF-8 form


def _pose_same_name(comps: list) -> None:
    comps[1].name = comps[0].name


CASES: dict[str, Callable[[Path], Path]] = {
    # .pose headers (limbs are unsigned 16-bit in the file: out of range, never negative)
    "pose_limb_out_of_range": lambda tmp: _pose_with(MEDIAPIPE, tmp / "limb.pose", _set_limb(7, (0, 60000))),
    "pose_limb_just_past_end": lambda tmp: _pose_with(OPENPOSE, tmp / "past.pose", _set_limb(3, (1, 25))),
    "pose_limb_self_loop": lambda tmp: _pose_with(MEDIAPIPE, tmp / "loop.pose", _set_limb(2, (4, 4))),
    "pose_component_name_twice": lambda tmp: _pose_with(MEDIAPIPE, tmp / "twice.pose", _pose_same_name),
    # the skeleton JSON inside our .npz
    "npz_limb_negative": lambda tmp: _npz_with(tmp, "neg.npz", _limb(-1)),
    "npz_limb_out_of_range": lambda tmp: _npz_with(tmp, "far.npz", _limb(5000)),
    "npz_limb_self_loop": lambda tmp: _npz_with(tmp, "loop.npz", _self_loop),
    "npz_link_out_of_range": lambda tmp: _npz_with(tmp, "link.npz", _link),
    "npz_mirror_not_an_involution": lambda tmp: _npz_with(tmp, "cycle.npz", _mirror(_three_cycle)),
    "npz_mirror_out_of_range": lambda tmp: _npz_with(tmp, "mirror.npz", _mirror(_out_of_range)),
    "npz_component_name_twice": lambda tmp: _npz_with(tmp, "twice.npz", _same_name),
    "npz_points_not_text": lambda tmp: _npz_with(tmp, "points.npz", _points_not_text),
    # the skeleton attribute of our .h5
    "h5_limb_negative": lambda tmp: _h5_with(tmp, "neg.h5", _limb(-3)),
    "h5_mirror_not_an_involution": lambda tmp: _h5_with(tmp, "cycle.h5", _mirror(_three_cycle)),
    "h5_unknown_group": lambda tmp: _h5_with(tmp, "group.h5", _bad_group),
    "h5_name_without_utf8_form": lambda tmp: _h5_with(tmp, "name.h5", _surrogate_name),
}
