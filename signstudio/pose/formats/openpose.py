"""OpenPose per-frame JSON folders (read only).

A folder of ``*_keypoints.json`` files, one per frame, as ``openpose --write_json`` writes them.
Frames are ordered by the number before ``_keypoints.json`` (``video_000000000012_keypoints.json``
→ 12), or by file name when some name has no number. One file is one frame; when the numbers are
not consecutive they are kept in ``meta["convention"]["frame_numbers"]``.

Each file: ``{"people": [{"pose_keypoints_2d": [...], "face_keypoints_2d": [...],
"hand_left_keypoints_2d": [...], "hand_right_keypoints_2d": [...]}, ...]}`` with ``x, y, c`` per
point (the ``*_3d`` keys: ``x, y, z, c``). The first person is read (option ``person=k``); a
frame with no (such) person is all missing. A point with ``c <= 0`` (OpenPose writes
``0, 0, 0`` for undetected points) is missing: confidence 0, coordinates 0. An empty or absent
list makes all points of that part missing.

Body models, decided by the first frame with a body:

* BODY_25 (25 points) → layout ``openpose137``: BODY_25, face 70, left hand 21, right hand 21.
* COCO-18 (18 points) → layout ``p2s128`` (``get_layout("p2s128")``): COCO-18 body, left
  hand, right hand, face 68 — OpenPose's two pupil points (face points 68, 69) are dropped.

Coordinates are pixels as OpenPose writes them (x right, y down). 2D unless the frames carry
``pose_keypoints_3d`` (then x, y, z; force with ``dims=2`` or ``dims=3``); 2D gives z = 0.
The files hold no frame rate: fps defaults to 25 (option ``fps=``). ``meta["convention"]``
records ``layout``, ``body_model``, ``dims``, ``fps``, ``fps_assumed``, ``person`` and
``first_frame_number``.

Bad input — malformed JSON, wrong list lengths, NaN/inf, mixed body models — raises
`FormatError` naming that frame's file and the frame index (0-based position in the folder).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats.npz import guarded, option_fps
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

DEFAULT_FPS = 25.0
SUFFIX = "_keypoints.json"
_NUMBER = re.compile(r"(\d+)_keypoints\.json$")
_PARTS = ("pose", "face", "hand_left", "hand_right")
# (layout, points per part in the JSON, points kept per part in the layout's order)
_MODELS = {
    25: ("openpose137", "BODY_25", {"pose": 25, "face": 70, "hand_left": 21, "hand_right": 21},
         ("pose", "face", "hand_left", "hand_right")),
    18: ("p2s128", "COCO_18", {"pose": 18, "face": 68, "hand_left": 21, "hand_right": 21},
         ("pose", "hand_left", "hand_right", "face")),
}  # fmt: skip


def keypoint_files(folder: Path) -> list[tuple[int | None, Path]]:
    """The folder's ``*_keypoints.json`` files in frame order, with their frame numbers."""
    files = [p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()]
    numbered = [(int(m.group(1)) if (m := _NUMBER.search(p.name)) else None, p) for p in files]
    if all(n is not None for n, _ in numbered):
        return sorted(numbered, key=lambda x: (x[0], x[1].name))
    return sorted(numbered, key=lambda x: x[1].name)


def _load_frame(path: Path, index: int) -> dict[str, Any]:
    where = f"frame {index}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(path, f"cannot read: {exc.strerror or exc}", where) from None
    if not raw.strip():
        raise FormatError(path, "empty JSON file", where)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"not UTF-8 text ({exc.reason})", f"{where}, byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            path, f"malformed JSON: {exc.msg}", f"{where}, line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise FormatError(path, "malformed JSON: nested too deeply", where) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise FormatError(path, "not an OpenPose keypoint file (no 'people' list)", where)
    return doc


def _part(path: Path, person: dict[str, Any], key: str, index: int) -> np.ndarray:
    value = person.get(key)
    if value is None:
        return np.zeros(0)
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise FormatError(path, f"'{key}' is not a flat list of numbers", f"frame {index}, key {key}")
    arr = np.asarray(value, dtype=np.float64)
    if not np.isfinite(arr).all():
        k = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise FormatError(path, "NaN or infinite value", f"frame {index}, key {key}, value {k + 1}")
    return arr


def _dims_and_model(
    people: list[dict[str, Any] | None], paths: list[Path], dims: int | None
) -> tuple[int, int]:
    """2D or 3D, and the body model (25 or 18 points), from the first frame that has a body."""
    use_dims = dims
    model = None
    for i, (p, fpath) in enumerate(zip(people, paths, strict=True)):
        if p is None:
            continue
        if use_dims is None:
            use_dims = 3 if _part(fpath, p, "pose_keypoints_3d", i).size else 2
        stride = 4 if use_dims == 3 else 3
        body = _part(fpath, p, f"pose_keypoints_{use_dims}d", i)
        if body.size:
            if body.size % stride or body.size // stride not in _MODELS:
                want = f"{25 * stride} (BODY_25) or {18 * stride} (COCO-18)"
                raise FormatError(
                    fpath, f"pose_keypoints_{use_dims}d has {body.size} values; expected {want}", f"frame {i}"
                )
            model = body.size // stride
            break
    # no frame has a body: assume BODY_25
    return use_dims or 2, 25 if model is None else model


def _check_part_size(
    fpath: Path, arr: np.ndarray, part: str, count: int, stride: int, model: int, i: int
) -> None:
    key_dims = 3 if stride == 4 else 2
    key = f"{part}_keypoints_{key_dims}d"
    allowed = {count * stride}
    if part == "face" and model == 18:
        allowed.add(70 * stride)  # OpenPose's 70-point face; pupils dropped
    if arr.size not in allowed:
        want = " or ".join(str(a) for a in sorted(allowed))
        raise FormatError(
            fpath, f"'{key}' has {arr.size} values, expected {want} or none", f"frame {i}, key {key}"
        )


def read_openpose(
    path: Path, fps: Any = None, person: int = 0, dims: int | None = None, **_: Any
) -> list[PoseSequence]:
    """Read an OpenPose JSON folder (see the module docstring)."""
    if not path.is_dir():
        raise FormatError(path, "an OpenPose sequence is a folder of *_keypoints.json files, not a file")
    fps_value, fps_given = option_fps(path, fps, DEFAULT_FPS)
    if dims not in (None, 2, 3):
        raise FormatError(path, f"option dims={dims!r} must be 2 or 3")
    if not isinstance(person, int) or person < 0:
        raise FormatError(path, f"option person={person!r} must be a non-negative integer")
    try:
        files = keypoint_files(path)
    except OSError as exc:
        raise FormatError(path, f"cannot list folder: {exc.strerror or exc}") from None
    if not files:
        raise FormatError(path, f"no *{SUFFIX} files in the folder (zero frames)")
    numbers = [n for n, _ in files]
    if all(n is not None for n in numbers) and len(set(numbers)) != len(numbers):
        dup = next(n for n, k in Counter(numbers).items() if k > 1)
        names = [fp.name for num, fp in files if num == dup]
        raise FormatError(path, f"two files for frame number {dup}: {', '.join(names[:2])}")
    people: list[dict[str, Any] | None] = []
    for i, (_num, fpath) in enumerate(files):
        plist = _load_frame(fpath, i)["people"]
        chosen = plist[person] if len(plist) > person else None
        if chosen is not None and not isinstance(chosen, dict):
            raise FormatError(fpath, f"person {person} is not a JSON object", f"frame {i}")
        people.append(chosen)
    paths = [f for _n, f in files]
    use_dims, model = _dims_and_model(people, paths, dims)
    stride = 4 if use_dims == 3 else 3
    layout, body_model, sizes, order = _MODELS[model]
    skeleton = get_layout(layout)
    n_frames, n_joints = len(files), skeleton.num_joints
    data = np.zeros((n_frames, n_joints, 3), np.float32)
    conf = np.zeros((n_frames, n_joints), np.float32)
    for i, (p, fpath) in enumerate(zip(people, paths, strict=True)):
        if p is None:
            continue
        start = 0
        for part in order:
            count = sizes[part]
            key = f"{part}_keypoints_{use_dims}d"
            arr = _part(fpath, p, key, i)
            if arr.size:
                _check_part_size(fpath, arr, part, count, stride, model, i)
                pts = arr.reshape(-1, stride)[:count]
                c = pts[:, -1].astype(np.float32)
                present = c > 0
                block = np.zeros((count, 3), np.float32)
                block[:, :use_dims] = pts[:, :use_dims]
                block[~present] = 0.0
                data[i, start : start + count] = block
                conf[i, start : start + count] = np.where(present, c, 0.0)
            start += count
    first = numbers[0] if numbers[0] is not None else 0
    convention: dict[str, Any] = {
        "layout": layout,
        "body_model": body_model,
        "dims": use_dims,
        "fps": fps_value,
        "fps_assumed": not fps_given,
        "person": person,
        "first_frame_number": first,
    }
    if all(n is not None for n in numbers) and numbers != list(range(first, first + n_frames)):
        convention["frame_numbers"] = numbers
    meta = {"format": "openpose", "source": str(path), "convention": convention}
    return [PoseSequence(data, conf, fps_value, skeleton, meta)]


def _sniff(path: Path, head: bytes) -> float:
    try:
        if not path.is_dir():
            return 0.0
        # Any folder is claimed weakly, so its reader can say what is missing.
        return 0.95 if any(p.name.endswith(SUFFIX) for p in path.iterdir()) else 0.55
    except OSError:
        return 0.0


SPEC = register(
    FormatSpec(
        "openpose",
        "OpenPose per-frame JSON folder (BODY_25 → openpose137, COCO-18 → p2s128); read only",
        ("/",),
        _sniff,
        guarded("openpose", read_openpose),
        None,
        options={"fps": "frame rate (default 25)", "person": "which person (default 0)", "dims": "2 or 3"},
    )
)
