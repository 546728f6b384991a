"""The mannequin body posed by IK: smooth normals, the mesh back in the sequence's own
coordinates around its keypoints, and one call from a sequence to its avatar."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from signstudio.avatar.bodies import MannequinBody
from signstudio.avatar.build import build_avatar
from signstudio.avatar.mesh import vertex_normals


def test_normals_of_an_octahedron_point_outwards():
    verts = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
    faces = []
    for x in (0, 1):
        for y in (2, 3):
            for z in (4, 5):
                a, b, c = verts[x], verts[y], verts[z]
                outward = np.dot(np.cross(b - a, c - a), a + b + c) > 0
                faces.append([x, y, z] if outward else [x, z, y])
    n = vertex_normals(np.stack([verts, verts * 2 + 5]), np.array(faces))
    assert n.shape == (2, 6, 3)
    assert np.allclose(n[0], verts, atol=1e-6) and np.allclose(n[1], verts, atol=1e-6)
    assert np.allclose(vertex_normals(verts, np.array(faces)), verts, atol=1e-6)


def test_the_avatar_wraps_the_keypoints():
    from signstudio.corpus.store import default_sample

    seq = default_sample()  # a real holistic recording, in its own (pixel-like) coordinates
    mesh = build_avatar(seq)
    assert mesh.vertices.shape == (seq.num_frames, MannequinBody().num_vertices, 3)
    assert mesh.normals.shape == mesh.vertices.shape and mesh.faces.dtype == np.uint32
    assert mesh.arm_error_m < 0.03 and mesh.hand_error_m < 0.03 and mesh.seconds > 0
    # every present right-hand keypoint lies near the body's surface, in the sequence's units
    hand = seq.skeleton.groups["right_hand"]
    frame = seq.num_frames // 2
    pts = seq.data[frame, hand][seq.confidence[frame, hand] > 0]
    verts = mesh.vertices[frame]
    nearest = np.min(np.linalg.norm(pts[:, None] - verts[None], axis=-1), axis=1)
    left, right = (
        seq.data[frame, seq.skeleton.index("LEFT_SHOULDER", "POSE_LANDMARKS")],
        seq.data[frame, seq.skeleton.index("RIGHT_SHOULDER", "POSE_LANDMARKS")],
    )
    shoulder_width = np.linalg.norm(left - right)
    assert np.median(nearest) < 0.15 * shoulder_width


def test_a_sequence_without_shoulders_says_so():
    from signstudio.corpus.store import default_sample

    seq = default_sample()
    conf = seq.confidence.copy()
    conf[:, seq.skeleton.groups["body"]] = 0.0
    with pytest.raises(ValueError, match="no avatar for"):
        build_avatar(seq.replace(confidence=conf))


def test_shape_takes_ten_betas():
    with pytest.raises(ValueError, match="10 SMPL-X coefficients"):
        MannequinBody(shape=np.zeros(3))
    tall = MannequinBody(shape=np.r_[2.0, np.zeros(9)])
    assert tall.skeleton.offsets.shape == MannequinBody().skeleton.offsets.shape
    assert not np.allclose(tall.skeleton.offsets, MannequinBody().skeleton.offsets)
