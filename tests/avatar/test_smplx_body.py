"""The SMPL-X backend through the real `smplx` loader, on a model file the tests build themselves:
it loads, IK solves on its skeleton, the mesh follows the keypoints, and a missing or wrong
folder says where SMPLX_NEUTRAL.npz belongs."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("smplx")

from signstudio.avatar.bodies import SMPLXBody, find_smplx_file, smplx_name
from signstudio.avatar.ik import solve


def test_names_follow_mannequins():
    assert smplx_name("left_index1") == "L_Index1" and smplx_name("spine3") == "Spine3"
    assert smplx_name("right_eye_smplhf") == "R_Eye" and smplx_name("pelvis") == "Pelvis"


def test_the_model_folder_and_its_layouts(smplx_folder, tmp_path):
    assert find_smplx_file(smplx_folder) == smplx_folder / "SMPLX_NEUTRAL.npz"
    nested = tmp_path / "models"
    (nested / "smplx").mkdir(parents=True)
    (nested / "smplx" / "SMPLX_NEUTRAL.npz").write_bytes((smplx_folder / "SMPLX_NEUTRAL.npz").read_bytes())
    assert find_smplx_file(nested) == nested / "smplx" / "SMPLX_NEUTRAL.npz"
    with pytest.raises(ValueError, match=r"no SMPLX_NEUTRAL\.npz in .*download SMPL-X from https://smpl-x"):
        find_smplx_file(tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        find_smplx_file(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "SMPLX_NEUTRAL.npz").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a usable SMPL-X model"):
        SMPLXBody(broken)


def test_ik_and_mesh_on_smplx(smplx_folder):
    from signstudio.corpus.store import default_sample

    body = SMPLXBody(smplx_folder)
    assert body.num_vertices == 9930 and len(body.skeleton.parents) == 55
    seq = default_sample()
    seq = seq.replace(data=seq.data[:20], confidence=seq.confidence[:20], filled=seq.filled[:20])
    fit = solve(seq, body.skeleton)
    assert fit.mean_error("arms") < 0.03 and fit.mean_error("hands") < 0.03
    mesh = body.mesh(fit, seq)
    assert mesh.vertices.shape == (20, 9930, 3) and mesh.body == "smplx"
    # each joint's tetrahedron sits on the posed joint: the right wrist's on the keypoint wrist
    wrist = seq.skeleton.index("WRIST", "RIGHT_HAND_LANDMARKS")
    j = body.skeleton.index("R_Wrist")
    centre = mesh.vertices[:, 4 * j : 4 * j + 4].mean(axis=1)
    left, right = (seq.skeleton.index(n, "POSE_LANDMARKS") for n in ("LEFT_SHOULDER", "RIGHT_SHOULDER"))
    width = np.linalg.norm(seq.data[:, left] - seq.data[:, right], axis=-1).mean()
    ok = seq.confidence[:, wrist] > 0
    assert np.median(np.linalg.norm(centre[ok] - seq.data[ok, wrist], axis=-1)) < 0.15 * width


def test_shape_changes_the_body(smplx_folder):
    tall = SMPLXBody(smplx_folder, shape=np.r_[3.0, np.zeros(9)])
    plain = SMPLXBody(smplx_folder)
    head = plain.skeleton.index("Head")
    assert not np.allclose(tall.skeleton.offsets[head], plain.skeleton.offsets[head])
