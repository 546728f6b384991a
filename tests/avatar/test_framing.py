"""The default camera on an avatar frames the signing space: projected through the pose the viewport
uses (`signstudio.session.camera.fit_pose` on `signing_space` of the joints and the avatar's
`mesh_box`), the avatar's head (its skull, above the face's keypoints), both wrists and every
vertex of the body down to the hips lie inside the view, in every frame of a real word, in the
view sizes people have."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from signstudio.avatar.build import build_avatar
from signstudio.session.camera import PRESETS, WAIST, CameraPose, fit_pose, mesh_box, signing_space
from signstudio.session.geometry import display_skeleton


def project(pose: CameraPose, points: np.ndarray, width: int, height: int) -> np.ndarray:
    """(N, 3) display-space points -> (N, 2) widget pixels through ``pose`` (the inverse of
    `signstudio.session.camera.camera_ray`)."""
    e, a = np.radians(pose.elevation), np.radians(pose.azimuth)
    toward_eye = np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
    eye = np.asarray(pose.center) + pose.distance * toward_eye
    fwd = -toward_eye
    right = np.array([-np.sin(a), np.cos(a), 0.0])
    up = np.cross(right, fwd)
    rel = np.asarray(points, np.float64) - eye
    depth = rel @ fwd
    assert (depth > 0).all(), "a point behind the camera"
    tan_h = np.tan(np.radians(pose.fov) / 2)
    nx = (rel @ right) / depth / tan_h
    ny = (rel @ up) / depth / (tan_h * height / width)
    return np.stack([(nx + 1) * width / 2, (1 - ny) * height / 2], 1)


@pytest.fixture(scope="module")
def signing():  # type: ignore[no-untyped-def]
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    word = next(w for w in corpus.words("ase", "test") if w.text == "making")
    seq = corpus.word_sequence("ase", word, "holistic")
    seq = seq.replace(data=seq.data[::3], confidence=seq.confidence[::3], filled=seq.filled[::3])
    return seq, build_avatar(seq, "mannequin", "cpu", threads=1)


@pytest.mark.parametrize(("width", "height"), [(800, 640), (560, 420), (420, 600)])
def test_the_head_and_both_hands_are_in_the_default_view(signing, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    seq, mesh = signing
    disp = display_skeleton(seq)
    assert disp.how == "shoulders" and disp.lo is not None and disp.hi is not None
    verts = disp.to_display(mesh.vertices.reshape(-1, 3)).astype(np.float64)
    lo, hi = signing_space(disp.lo, disp.hi, [mesh_box(verts[::4])])  # as the viewport does
    pose = fit_pose(lo, hi, PRESETS["front"], 60.0, width, height, reserved=(40, 30))
    body = verts[verts[:, 2] > -WAIST + 0.4]  # down to the hips (the waist's edge is in perspective)
    px = project(pose, body, width, height)
    inside = (px[:, 0] >= 0) & (px[:, 0] <= width) & (px[:, 1] >= 0) & (px[:, 1] <= height)
    assert inside.all(), f"{(~inside).sum()} of {len(body)} avatar vertices above the hips are cut"
    skull = verts[np.argmax(verts[:, 2])]
    names = list(seq.skeleton.joints)
    wrists = [names.index(n) for n in ("POSE_LANDMARKS:LEFT_WRIST", "POSE_LANDMARKS:RIGHT_WRIST")]
    joints = disp.to_display(seq.data[:, wrists].reshape(-1, 3))[seq.confidence[:, wrists].reshape(-1) > 0]
    for point in (skull[None], joints):
        p = project(pose, point, width, height)
        assert ((p >= 0) & (p <= (width, height))).all()
    # the skull is above every keypoint: framing the joints alone cut it off
    plain = fit_pose(disp.lo, disp.hi, PRESETS["front"], 60.0, width, height, reserved=(40, 30))
    assert project(plain, skull[None], width, height)[0, 1] < project(pose, skull[None], width, height)[0, 1]


def test_the_legs_are_left_out() -> None:
    lo, hi = signing_space(np.array([-1.0, -0.3, -5.0]), np.array([1.0, 0.3, 0.7]))
    assert lo[2] == -WAIST and hi[2] >= 1.2  # knees and feet out; the top of the head in
