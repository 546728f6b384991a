"""Inverse kinematics: the torch forward kinematics equals mannequin-x's own, a known pose of the
mannequin is recovered from its keypoints, and real lexicon recordings are fitted closely."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.avatar.ik import (  # noqa: E402
    IMAGE_TO_BODY,
    SOLVED_BODY,
    BodySkeleton,
    IKSettings,
    _local_from_params,
    axis_angle_to_matrix,
    body_points,
    forward_kinematics,
    matrix_to_axis_angle,
    solve,
    targets,
)
from signstudio.pose.sequence import PoseSequence  # noqa: E402
from signstudio.pose.skeleton import get_layout  # noqa: E402


@pytest.fixture(scope="module")
def skeleton() -> BodySkeleton:
    return BodySkeleton.mannequin()


def _params(rng: np.random.Generator, frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plausible signing poses: arms raised and bent, fingers curled about their flexion axis,
    two key poses blended over the frames (smooth motion)."""
    keys = []
    for _ in range(2):
        body = np.zeros((21, 3))
        for j in SOLVED_BODY:
            body[j - 1] = rng.normal(0, 0.25, 3)
        body[15, 2] += -1.0  # left shoulder (joint 16) down from the T-pose
        body[16, 2] += 1.0  # right shoulder (17)
        body[17, 1] += 1.0  # left elbow (18) bent
        body[18, 1] -= 1.0  # right elbow (19)
        hands = np.zeros((30, 3))
        hands[:15, 2] = -np.abs(rng.normal(0.4, 0.3, 15))  # left fingers curl (negative z)
        hands[15:, 2] = np.abs(rng.normal(0.4, 0.3, 15))
        hands[:, :2] += rng.normal(0, 0.05, (30, 2))
        keys.append((body, hands))
    w = np.linspace(0, 1, frames)[:, None, None]
    body = keys[0][0] * (1 - w) + keys[1][0] * w
    hands = keys[0][1] * (1 - w) + keys[1][1] * w
    root = np.zeros((frames, 3))
    return body, hands, root


def _as_keypoints(skeleton: BodySkeleton, body, hands, root) -> PoseSequence:  # type: ignore[no-untyped-def]
    t = targets(skeleton)
    f = len(body)
    local = _local_from_params(skeleton, torch.from_numpy(body), torch.from_numpy(hands))
    pos, rot = forward_kinematics(
        skeleton, local, axis_angle_to_matrix(torch.from_numpy(root)), torch.zeros(f, 3).double()
    )
    pts = body_points(skeleton, t, pos, rot).numpy()
    data = np.zeros((f, 50, 3))
    data[:, list(t.keypoint)] = pts @ IMAGE_TO_BODY.T  # back to image axes (the scale: any)
    head = skeleton.index("Head")
    data[:, 0] = pos[:, head].numpy() @ IMAGE_TO_BODY.T  # a nose, never a target
    return PoseSequence(data.astype(np.float32), np.ones((f, 50), np.float32), 25.0, get_layout("upper50"))


def test_forward_kinematics_is_mannequins(skeleton):
    from mannequin import Mannequin

    body = Mannequin("convex", flat_hand_mean=True)
    rng = np.random.default_rng(0)
    pose = body.rest_pose(batch_dims=(3,))
    pose.update(
        body_pose=rng.normal(0, 0.4, (3, 21, 3)).astype(np.float32),
        hand_pose=rng.normal(0, 0.4, (3, 30, 3)).astype(np.float32),
        global_rotation=rng.normal(0, 0.4, (3, 3)).astype(np.float32),
        global_translation=rng.normal(0, 0.1, (3, 3)).astype(np.float32),
    )
    expected = body.forward_skeleton(**pose)[..., :3, 3]
    local = _local_from_params(
        skeleton, torch.from_numpy(pose["body_pose"]).double(), torch.from_numpy(pose["hand_pose"]).double()
    )
    pos, _ = forward_kinematics(
        skeleton,
        local,
        axis_angle_to_matrix(torch.from_numpy(pose["global_rotation"]).double()),
        torch.from_numpy(pose["global_translation"]).double(),
    )
    assert np.abs(pos.numpy() - expected).max() < 1e-5


def test_the_relaxed_hand_mean_is_mannequins(skeleton):
    from mannequin import Mannequin

    flat, relaxed = Mannequin("convex", flat_hand_mean=True), Mannequin("convex", flat_hand_mean=False)
    pose = flat.rest_pose()
    pose["hand_pose"] = skeleton.hand_mean.astype(np.float32)
    a = flat.forward_skeleton(**pose)[:, :3, 3]
    b = relaxed.forward_skeleton(**relaxed.rest_pose())[:, :3, 3]
    assert np.abs(a - b).max() < 1e-5


def test_axis_angle_round_trip():
    rng = np.random.default_rng(1)
    aa = torch.from_numpy(rng.normal(0, 1, (100, 3)))
    aa = aa[aa.norm(dim=-1) < 3.0]
    back = matrix_to_axis_angle(axis_angle_to_matrix(aa))
    assert torch.allclose(back, aa, atol=1e-6)
    assert torch.allclose(axis_angle_to_matrix(torch.zeros(2, 3)), torch.eye(3).expand(2, 3, 3))


def test_a_known_pose_is_recovered(skeleton):
    body, hands, root = _params(np.random.default_rng(2), 12)
    seq = _as_keypoints(skeleton, body, hands, root)
    fit = solve(seq, skeleton, IKSettings(iterations=300))
    # positions: the keypoints come back to within a few millimetres
    assert fit.mean_error("arms") < 0.005 and fit.mean_error("hands") < 0.005

    # rotations, where identifiable: the hands' world orientation (the elbow's twist and the
    # wrist's are not told apart by positions, their product is) and the fingers' flexion
    def world(b, h, r):  # type: ignore[no-untyped-def]
        local = _local_from_params(skeleton, torch.as_tensor(b).double(), torch.as_tensor(h).double())
        return forward_kinematics(
            skeleton,
            local,
            axis_angle_to_matrix(torch.as_tensor(r).double()),
            torch.zeros(len(b), 3).double(),
        )[1]

    got, want = world(fit.body_pose, fit.hand_pose, fit.global_rotation), world(body, hands, root)
    for j in (skeleton.index("L_Wrist"), skeleton.index("R_Wrist")):
        rel = want[:, j].transpose(-1, -2) @ got[:, j]
        angle = torch.acos(((rel.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2).clamp(-1, 1))
        assert float(angle.max()) < 0.1
    distal = [i for i in range(30) if i % 3 != 0 and (i // 3) % 5 != 4]  # joints 2, 3; no thumbs
    got_flex, want_flex = fit.hand_pose[:, distal, 2].ravel(), hands[:, distal, 2].ravel()
    # a phalanx is 2-3 cm: a few millimetres of tolerance leave the flexion loosely determined
    assert np.corrcoef(got_flex, want_flex)[0, 1] > 0.8
    assert np.mean(np.abs(got_flex - want_flex)) < 0.3
    # the legs stay at rest
    assert np.all(fit.body_pose[:, [0, 1, 3, 4, 6, 7, 9, 10]] == 0.0)


def test_real_lexicon_recordings_fit_closely(skeleton):
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    word = corpus.words("ase", "test")[2]
    seq = corpus.word_sequence("ase", word, "upper50")
    fit = solve(seq, skeleton)
    assert fit.body_pose.shape == (seq.num_frames, 21, 3) and fit.hand_pose.shape == (seq.num_frames, 30, 3)
    # at a shoulder width of 0.316 m: within 25 mm on average for arms and for hands
    assert fit.scale == pytest.approx(0.316, abs=0.01)
    assert fit.mean_error("arms") < 0.025 and fit.mean_error("hands") < 0.025
    # smooth: no joint flips between neighbouring frames
    assert np.abs(np.diff(fit.hand_pose, axis=0)).max() < 1.0


def test_forward_kinematics_gives_the_old_numbers(skeleton):
    """ik's chain through the shared `signstudio.pose.kinematics` is the one it had."""
    rng = np.random.default_rng(1)
    local = axis_angle_to_matrix(torch.from_numpy(rng.normal(0, 0.4, (3, len(skeleton.parents), 3))))
    root = axis_angle_to_matrix(torch.from_numpy(rng.normal(0, 0.4, (3, 3))))
    translation = torch.from_numpy(rng.normal(0, 0.1, (3, 3)))
    offsets = torch.as_tensor(skeleton.offsets, dtype=local.dtype)
    rots, pos = [root], [translation + root @ offsets[0]]
    for j in range(1, len(skeleton.parents)):
        p = skeleton.parents[j]
        pos.append(pos[p] + (rots[p] @ offsets[j][:, None]).squeeze(-1))
        rots.append(rots[p] @ local[:, j])
    new_pos, new_rot = forward_kinematics(skeleton, local, root, translation)
    assert torch.equal(new_pos, torch.stack(pos, 1)) and torch.equal(new_rot, torch.stack(rots, 1))
