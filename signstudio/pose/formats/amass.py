"""AMASS / SMPL-family motion ``.npz``: joint positions by forward kinematics; SMPL-X parameters.

The registered format reads joint positions (read only). `read_motion` / `write_amass` read and
write an SMPL-X file's parameters themselves (`SMPLXMotion`): the avatar's export, read back exactly.

Keys (``numpy.load`` names): ``poses`` (F, 165) SMPL-X, (F, 156) SMPL-H or (F, 72) SMPL
axis-angles; ``trans`` (F, 3) metres; ``betas`` (B,) shape; ``mocap_framerate`` *or*
``mocap_frame_rate`` (both spellings occur in AMASS releases); ``gender`` (optional, recorded
only). A missing required key raises `FormatError` naming it. The arrays are unpacked within the
file's byte budget and ``poses`` within the points limit of `signstudio.pose.limits` (checked
before the forward kinematics and the parameter lists in ``meta``, which cost ~5× the array).

``poses`` columns (SMPL-X): global orient 0:3, body 3:66 (21 joints), jaw 66:69, left eye
69:72, right eye 72:75, left hand 75:120 (15 joints), right hand 120:165. SMPL-H: global 0:3,
body 3:66, left hand 66:111, right hand 111:156. SMPL: global 0:3, body 3:66 (66:72, the two
hand joints, are ignored).

Joint positions come from the ``mannequin-x`` package (numpy forward kinematics on SMPL-X's
calibrated skeleton for the first ten betas; the body is gender-neutral). Its 54 joints map
by name onto the 55-joint ``smplx`` layout (`SMPLX_JOINTS`); its extra ``L_Hand``/``R_Hand``
joints (at the wrists) are dropped, and the joints it does not have — ``jaw`` and the two eyes —
are missing (confidence 0). For SMPL (72) files the finger joints are missing too. Hand poses
are taken as absolute (AMASS stores them so: ``flat_hand_mean=True``; pass
``flat_hand_mean=False`` for files that store them relative to SMPL-X's mean hand).

The mannequin rotates the whole body about the model origin, while SMPL-X (and AMASS's
``trans``) rotate it about the pelvis: every frame is shifted so that the pelvis lands at
``J_pelvis(betas) + trans``, as SMPL-X puts it.

Coordinates: AMASS's world is z-up, in metres. SignStudio's is x right, y down, z away from
the camera (see ``sequence.py``): with the camera on AMASS's −y side looking along +y,
``x' = x, y' = −z, z' = y`` (a proper rotation, ``meta["convention"]["rotation"]``; units stay
metres). ``meta["convention"]`` records ``layout`` (smplx), ``model``, ``units``, ``axes``,
``rotation``, ``root``, ``hand_mean``, ``fps``, ``fps_key``.

The raw parameters are kept so that a later writer can re-export them exactly:
``meta["smplx_params"]`` = ``{"model", "gender", "poses", "trans", "betas", "dtype",
"flat_hand_mean"}`` with the arrays as nested lists of Python floats (exact for float32 and
float64 data; ``dtype`` names the file's dtype). PoseSequence has no side field for them, and
lists keep ``meta`` JSON-serialisable for the ``.npz``/``.h5`` writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.formats.npz import AMASS_KEYS, ZIP_MAGIC, guarded, load_npz, npz_members, option_fps
from signstudio.pose.limits import Budget, check_points
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import SMPLX_JOINTS, get_layout

MODELS = {165: "smplx", 156: "smplh", 72: "smpl"}
SMPLX_POSE_SIZE = 165  # 55 joints x 3
#: AMASS z-up → SignStudio (x right, y down, z away from the camera).
Z_UP_TO_IMAGE = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
_FPS_KEYS = ("mocap_framerate", "mocap_frame_rate")
_CHUNK = 2048


def _our_name(mannequin_name: str) -> str:
    """``L_Index1`` → ``left_index1``, ``Spine1`` → ``spine1``, ``Pelvis`` → ``pelvis``."""
    name = mannequin_name
    for prefix, side in (("L_", "left_"), ("R_", "right_")):
        if name.startswith(prefix):
            name = side + name[len(prefix) :]
    return name.lower()


@cache
def _mannequin(flat_hand_mean: bool) -> Any:
    from mannequin import Mannequin

    return Mannequin("convex", lod=2, flat_hand_mean=flat_hand_mean)


@cache
def joint_map() -> tuple[np.ndarray, np.ndarray]:
    """(source indices into the mannequin's 54 joints, target indices into SMPLX_JOINTS)."""
    names = _mannequin(True).joint_names
    ours = {n: i for i, n in enumerate(SMPLX_JOINTS)}
    pairs = [(i, ours[_our_name(n)]) for i, n in enumerate(names) if _our_name(n) in ours]
    src, dst = zip(*pairs, strict=True)
    return np.asarray(src, np.int64), np.asarray(dst, np.int64)


def _numeric(path: Path, arrays: dict[str, np.ndarray], key: str, ndim: tuple[int, ...]) -> np.ndarray:
    if key not in arrays:
        raise FormatError(path, f"missing key '{key}'", f"key {key}")
    arr = arrays[key]
    if arr.dtype.kind not in "fiu":
        raise FormatError(path, f"'{key}' has dtype {arr.dtype}, not numbers", f"key {key}")
    if arr.ndim not in ndim:
        raise FormatError(path, f"'{key}' has shape {arr.shape}", f"key {key}")
    bad = np.argwhere(~np.isfinite(arr))
    if len(bad):
        place = f"key {key}" + (f", frame {int(bad[0][0])}" if arr.ndim == 2 else "")
        raise FormatError(path, "NaN or infinite value", place)
    return arr


def _text(path: Path, key: str, default: str) -> str:
    """A text entry such as ``gender``; ``default`` when absent or not one string."""
    try:
        arr = load_npz(path, [key]).get(key)
    except FormatError:
        return default  # e.g. a pickled string: never unpickled, and only recorded anyway
    if arr is None or arr.size != 1 or arr.dtype.kind not in "US":
        return default
    value = arr.reshape(()).item()
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def forward_kinematics(
    poses: np.ndarray, trans: np.ndarray, betas: np.ndarray, model: str, flat_hand_mean: bool = True
) -> np.ndarray:
    """(F, 54, 3) float64 mannequin joint positions in AMASS's world frame (pelvis-centred root).

    poses: (F, W) axis-angles (W = 165, 156 or 72); trans: (F, 3); betas: (B,).
    """
    frames = poses.shape[0]
    m = _mannequin(flat_hand_mean)
    shape = np.zeros(10)
    shape[: min(10, betas.size)] = betas.reshape(-1)[:10]
    zeros_body, zeros_head, zeros_hand = np.zeros((1, 21, 3)), np.zeros((1, 3, 3)), np.zeros((1, 30, 3))
    pelvis_rest = m.forward_skeleton(zeros_body, zeros_head, zeros_hand, shape=shape)[0, 0, :3, 3]
    out = np.empty((frames, 54, 3))
    for a in range(0, frames, _CHUNK):
        p = poses[a : a + _CHUNK].astype(np.float64)
        n = p.shape[0]
        body = p[:, 3:66].reshape(n, 21, 3)
        if model == "smplx":
            hands = p[:, 75:165].reshape(n, 30, 3)
        elif model == "smplh":
            hands = p[:, 66:156].reshape(n, 30, 3)
        else:
            hands = np.zeros((n, 30, 3))
        t = trans[a : a + _CHUNK].astype(np.float64)
        joints = m.forward_skeleton(
            body, np.zeros((n, 3, 3)), hands, global_rotation=p[:, 0:3], global_translation=t, shape=shape
        )[..., :3, 3]
        # mannequin: pelvis = R @ J0 + t; SMPL-X: pelvis = J0 + t.
        joints = joints + (pelvis_rest + t - joints[:, 0])[:, None, :]
        out[a : a + n] = joints
    return out


@dataclass(frozen=True)
class _Parameters:
    """The checked numbers of an AMASS file."""

    poses: np.ndarray  # (F, W)
    trans: np.ndarray  # (F, 3)
    betas: np.ndarray  # (B,)
    betas_stored: np.ndarray  # as in the file, (B,) or (1, B)
    fps_key: str
    fps: float
    members: set[str]  # the archive's array names


def _parameters(path: Path) -> _Parameters:
    """The file's poses, trans, betas and frame rate, checked (`FormatError` naming the key)."""
    if path.stat().st_size == 0:
        raise FormatError(path, "file is empty")
    members = set(npz_members(path))
    budget = Budget(path, path.stat().st_size)
    arrays = load_npz(path, ["poses"], budget)  # the big one first: its frames bound the others
    poses = _numeric(path, arrays, "poses", (2,))
    check_points(path, poses.shape[0], len(SMPLX_JOINTS), "key poses")
    arrays.update(load_npz(path, ["trans", "betas", *_FPS_KEYS], budget))
    width = poses.shape[1]
    if width not in MODELS:
        want = "165 (SMPL-X), 156 (SMPL-H) or 72 (SMPL)"
        raise FormatError(path, f"'poses' has {width} values per frame; expected {want}", "key poses")
    frames = poses.shape[0]
    if frames == 0:
        raise FormatError(path, "holds zero frames", "key poses")
    trans = _numeric(path, arrays, "trans", (2,))
    if trans.shape != (frames, 3):
        raise FormatError(path, f"'trans' has shape {trans.shape}, expected ({frames}, 3)", "key trans")
    betas = _numeric(path, arrays, "betas", (1, 2))
    fps_key = next((k for k in _FPS_KEYS if k in arrays), None)
    if fps_key is None:
        raise FormatError(
            path, "missing key 'mocap_framerate' (or 'mocap_frame_rate')", "key mocap_framerate"
        )
    rate = _numeric(path, arrays, fps_key, (0, 1))
    if rate.size != 1 or not float(rate.reshape(-1)[0]) > 0:
        raise FormatError(path, f"'{fps_key}' must be one positive number", f"key {fps_key}")
    betas_row = betas[0] if betas.ndim == 2 else betas
    return _Parameters(poses, trans, betas_row, betas, fps_key, float(rate.reshape(-1)[0]), members)


def read_amass(path: Path, fps: Any = None, flat_hand_mean: bool = True, **_: Any) -> list[PoseSequence]:
    """Read an AMASS / SMPL-X ``.npz`` as a ``smplx``-layout sequence (see the module docstring)."""
    params = _parameters(path)
    poses, trans, betas = params.poses, params.trans, params.betas
    frames, width, fps_key, file_fps = poses.shape[0], poses.shape[1], params.fps_key, params.fps
    names = params.members
    fps_value, fps_given = option_fps(path, fps, file_fps)
    model = MODELS[width]
    gender = _text(path, "gender", "unknown") if "gender" in names else "unknown"

    positions = forward_kinematics(poses, trans, betas, model, flat_hand_mean) @ Z_UP_TO_IMAGE.T
    if not np.isfinite(positions).all():
        f = int(np.argwhere(~np.isfinite(positions))[0][0])
        raise FormatError(
            path, "joint positions are not finite (extreme pose or translation values)", f"frame {f}"
        )
    skeleton = get_layout("smplx")
    src, dst = joint_map()
    data = np.zeros((frames, skeleton.num_joints, 3), np.float32)
    conf = np.zeros((frames, skeleton.num_joints), np.float32)
    data[:, dst] = positions[:, src]
    conf[:, dst] = 1.0
    if model == "smpl":
        fingers = [
            i for i, n in enumerate(SMPLX_JOINTS) if n.startswith(("left_", "right_")) and n[-1].isdigit()
        ]
        data[:, fingers] = 0.0
        conf[:, fingers] = 0.0
    meta: dict[str, Any] = {
        "format": "amass",
        "source": str(path),
        "gender": gender,
        "convention": {
            "layout": "smplx",
            "model": model,
            "units": "m",
            "scale": 1.0,
            "dims": 3,
            "axes": "from AMASS z-up: x' = x, y' = -z, z' = y",
            "rotation": Z_UP_TO_IMAGE.tolist(),
            "root": "SMPL-X: global orient about the pelvis, pelvis = J_pelvis(betas) + trans",
            "hand_mean": "flat" if flat_hand_mean else "relaxed",
            "fps": fps_value,
            "fps_key": fps_key if not fps_given else "option",
        },
        "smplx_params": {
            "model": model,
            "gender": gender,
            "dtype": str(poses.dtype),
            "poses": poses.tolist(),
            "trans": trans.tolist(),
            "betas": params.betas_stored.tolist(),
            "flat_hand_mean": bool(flat_hand_mean),
            "mocap_framerate": file_fps,
        },
    }
    return [PoseSequence(data, conf, fps_value, skeleton, meta)]


# ---- SMPL-X parameters (the avatar's export) -------------------------------------------------


@dataclass(frozen=True, eq=False)
class SMPLXMotion:
    """SMPL-X motion parameters as an AMASS file holds them (see `write_amass`)."""

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


def write_amass(path: str | Path, motion: SMPLXMotion) -> Path:
    """Write SMPL-X motion as an AMASS-style ``.npz``, hands included, atomically.

    Keys (AMASS's SMPL-X files): ``poses`` (F, 165) axis-angle — global orientation (3), 21 body
    joints (63), jaw and eyes (9), 15 left-hand then 15 right-hand joints (90) —, ``trans`` (F, 3)
    metres, ``betas`` (10,), ``gender``, ``mocap_frame_rate``, ``surface_model_type``
    (``smplx``). aitviewer's export drops the hands; this one does not. ``hand_pose_convention``
    says that the hand rotations are the finger rotations themselves (SMPL-X
    ``flat_hand_mean=True``), so a loader with the relaxed-hand default must subtract its hand mean.
    """
    path = Path(path)
    if motion.poses.ndim != 2 or motion.poses.shape[1] != SMPLX_POSE_SIZE:
        raise FormatError(path, f"poses must be (F, {SMPLX_POSE_SIZE}), got {motion.poses.shape}")
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


def read_motion(path: str | Path) -> SMPLXMotion:
    """An SMPL-X AMASS file's parameters, exactly as stored (float64), checked as `read_amass`
    checks them; `FormatError` for anything else, SMPL-H and SMPL files included."""
    path = Path(path)
    if not path.exists():
        raise FormatError(path, "no such file")
    params = _parameters(path)
    if params.poses.shape[1] != SMPLX_POSE_SIZE:
        width = params.poses.shape[1]
        raise FormatError(path, f"'poses' has {width} values per frame; SMPL-X motion has 165", "key poses")
    return SMPLXMotion(
        np.asarray(params.poses, np.float64),
        np.asarray(params.trans, np.float64),
        np.asarray(params.betas, np.float64)[:10],
        _text(path, "gender", "neutral"),
        params.fps,
        _text(path, "surface_model_type", "smplx"),
        _text(path, "hand_pose_convention", "flat"),
    )


def _sniff(path: Path, head: bytes) -> float:
    if not head.startswith(ZIP_MAGIC):
        return 0.0
    try:
        names = set(npz_members(path))
    except Exception:
        return 0.0
    if "signstudio_format" in names:
        return 0.0
    return 0.9 if names & AMASS_KEYS else 0.0


SPEC = register(
    FormatSpec(
        "amass",
        "AMASS / SMPL-X / SMPL-H motion .npz (joints by forward kinematics); read only",
        (".npz",),
        _sniff,
        guarded("amass", read_amass),
        None,
        options={
            "fps": "override the file's frame rate",
            "flat_hand_mean": "hand poses absolute (default True)",
        },
    )
)
