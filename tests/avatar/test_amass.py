"""AMASS-style SMPL-X motion files: hands kept, re-read exactly, bad files named in one line."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from signstudio.avatar.amass import POSE_SIZE, from_fit, read_amass, write_amass
from signstudio.avatar.ik import IKResult


def _fit(frames: int = 6) -> IKResult:
    rng = np.random.default_rng(0)
    return IKResult(
        rng.normal(size=(frames, 21, 3)).astype(np.float32),
        rng.normal(size=(frames, 30, 3)).astype(np.float32),
        rng.normal(size=(frames, 3)).astype(np.float32),
        rng.normal(size=(frames, 3)).astype(np.float32),
        np.zeros((frames, 49)),
        ("arms",) * 49,
        0.316,
        0.1,
        25.0,
    )


def test_round_trip_with_hands(tmp_path):
    fit = _fit()
    motion = from_fit(fit, betas=np.arange(10) / 10, gender="female")
    path = write_amass(tmp_path / "word.npz", motion)
    back = read_amass(path)
    assert back.poses.shape == (6, POSE_SIZE) and np.array_equal(back.poses, motion.poses)
    assert np.array_equal(back.trans, motion.trans) and np.array_equal(back.betas, motion.betas)
    assert (back.gender, back.fps, back.surface_model_type, back.hand_pose_convention) == (
        "female", 25.0, "smplx", "flat"
    )  # fmt: skip
    assert np.allclose(back.hand_pose, fit.hand_pose) and np.allclose(back.body_pose, fit.body_pose)
    assert np.allclose(back.global_orient, fit.global_rotation)
    assert np.all(back.poses[:, 66:75] == 0)  # jaw and eyes
    assert not list(tmp_path.glob("*.part"))  # written atomically


def test_bad_files_say_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match=r"not a readable \.npz"):
        read_amass(tmp_path / "missing.npz")
    np.savez(tmp_path / "a.npz", poses=np.zeros((3, 156)), trans=np.zeros((3, 3)), mocap_frame_rate=30.0)
    with pytest.raises(ValueError, match=r"a.npz: poses is \(3, 156\)"):
        read_amass(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", poses=np.zeros((3, POSE_SIZE)))
    with pytest.raises(ValueError, match=r"b\.npz: an AMASS motion needs trans, mocap_frame_rate"):
        read_amass(tmp_path / "b.npz")
