"""AMASS-style SMPL-X motion files: hands kept, re-read exactly, bad files named in one line."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from signstudio.avatar.build import from_fit
from signstudio.avatar.ik import IKResult
from signstudio.pose.errors import FormatError
from signstudio.pose.formats.amass import SMPLX_POSE_SIZE as POSE_SIZE
from signstudio.pose.formats.amass import read_motion as read_amass
from signstudio.pose.formats.amass import write_amass


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
    motion = from_fit(fit, np.zeros(3), betas=np.arange(10) / 10, gender="female")
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
    assert np.allclose(back.trans, fit.translation)  # a pelvis at the origin: the same translation


def test_translation_turns_about_the_pelvis_for_smplx(smplx_folder):
    """Posed by the SMPL-X loader with the written parameters, the body stands where IK put it."""
    import torch

    from signstudio.avatar.bodies import SMPLXBody
    from signstudio.avatar.ik import _local_from_params, axis_angle_to_matrix, forward_kinematics

    body = SMPLXBody(smplx_folder)
    fit = _fit(3)
    motion = from_fit(fit, body.skeleton.offsets[0])
    assert np.allclose(motion.trans, body.smplx_translation(fit), atol=1e-5)
    local = _local_from_params(
        body.skeleton, torch.as_tensor(fit.body_pose).double(), torch.as_tensor(fit.hand_pose).double()
    )
    pos, _ = forward_kinematics(
        body.skeleton,
        local,
        axis_angle_to_matrix(torch.as_tensor(fit.global_rotation).double()),
        torch.as_tensor(fit.translation).double(),
    )
    with torch.no_grad():
        out = body._model(
            betas=torch.zeros(3, 10),
            global_orient=torch.as_tensor(motion.global_orient, dtype=torch.float32),
            body_pose=torch.as_tensor(motion.poses[:, 3:66], dtype=torch.float32),
            left_hand_pose=torch.as_tensor(motion.poses[:, 75:120], dtype=torch.float32),
            right_hand_pose=torch.as_tensor(motion.poses[:, 120:], dtype=torch.float32),
            transl=torch.as_tensor(motion.trans, dtype=torch.float32),
            jaw_pose=torch.zeros(3, 3),
            leye_pose=torch.zeros(3, 3),
            reye_pose=torch.zeros(3, 3),
            expression=torch.zeros(3, 10),
        )
    assert np.abs(out.joints[:, :55].numpy() - pos.numpy()).max() < 1e-4


def test_bad_files_say_what_is_wrong(tmp_path):
    # one AMASS reader (signstudio.pose.formats.amass): FormatError naming file, problem, place
    with pytest.raises(FormatError, match=r"missing\.npz: no such file"):
        read_amass(tmp_path / "missing.npz")
    np.savez(tmp_path / "a.npz", poses=np.zeros((3, 156)), trans=np.zeros((3, 3)), betas=np.zeros(10),
             mocap_frame_rate=30.0)  # fmt: skip
    with pytest.raises(FormatError, match=r"a\.npz: 'poses' has 156 values per frame.*\(at key poses\)"):
        read_amass(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", poses=np.zeros((3, POSE_SIZE)))
    with pytest.raises(FormatError, match=r"b\.npz: missing key 'trans' \(at key trans\)"):
        read_amass(tmp_path / "b.npz")
    (tmp_path / "c.npz").write_bytes(b"not a zip")
    with pytest.raises(FormatError, match=r"c\.npz: "):
        read_amass(tmp_path / "c.npz")


def test_our_pose_reader_reads_the_export_exactly(tmp_path):
    """The export is an AMASS file to the studio's own reader (`signstudio.pose.formats`): the
    parameters come back exactly, and the joints are SMPL-X's."""
    from signstudio.pose.formats import read_one

    fit = _fit(4)
    path = write_amass(tmp_path / "motion.npz", from_fit(fit, np.zeros(3)))
    seq = read_one(path)
    assert seq.layout == "smplx" and seq.num_frames == 4 and seq.fps == 25.0
    params = seq.meta["smplx_params"]
    assert np.array_equal(np.asarray(params["poses"]), read_amass(path).poses)
    assert np.array_equal(np.asarray(params["trans"]), read_amass(path).trans)
