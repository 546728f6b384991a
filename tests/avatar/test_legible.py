"""The legible convex mannequin: one clean head, fingers thicker across (not longer), smooth normals
(neighbouring vertices' normals turn less than with averaged face normals), and posing by the
link transforms equals mannequin-x's own posing for every link left as it was."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.avatar.legible import FINGER_THICKNESS, bone_axis, legible_geometry, pose_rigid
from signstudio.avatar.mesh import vertex_normals


@pytest.fixture(scope="module")
def body():  # type: ignore[no-untyped-def]
    from mannequin import Mannequin

    return Mannequin("convex", flat_hand_mean=True)


def flat_shaded(vertices: np.ndarray, normals: np.ndarray, faces: np.ndarray) -> float:
    """The share of the surface whose triangles are shaded flat: their three vertex normals
    within 5° of each other (a hull's big flat sides with averaged face normals)."""
    f = np.asarray(faces, np.int64)
    tri = vertices[f]
    area = np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    n = normals[f]
    cos = np.minimum.reduce(
        [(n[:, 0] * n[:, 1]).sum(1), (n[:, 1] * n[:, 2]).sum(1), (n[:, 0] * n[:, 2]).sum(1)]
    )
    return float((area * (cos > np.cos(np.radians(5)))).sum() / area.sum())


def test_the_head_is_one_ellipsoid_and_the_rest_is_posed_as_mannequin_x_poses_it(body) -> None:  # type: ignore[no-untyped-def]
    geo = legible_geometry(body)
    assert geo is not None
    names = body.link_names
    heads = {i for i, n in enumerate(names) if n.startswith("Head_")}
    assert len(heads) > 1  # the hulls that read as a broken mask
    assert len(set(geo.link.tolist()) & heads) == 1  # now one piece
    pose = body.rest_pose(batch_dims=(2,))
    rng = np.random.default_rng(0)
    pose["body_pose"] = rng.normal(0, 0.3, pose["body_pose"].shape).astype(np.float32)
    verts, normals = pose_rigid(geo, body.link_transforms(pose))
    assert np.allclose(np.linalg.norm(normals, axis=-1), 1, atol=1e-5)
    # a link left as it was (an upper arm) sits exactly where mannequin-x puts it
    theirs = body.vertices(pose)
    w = body._weights
    arm = names.index(next(n for n in names if n.startswith("L_Shoulder")))
    start, count = w.link_vertex_starts[arm], w.link_vertex_counts[arm]
    mine = verts[:, geo.link == arm]
    np.testing.assert_allclose(mine, theirs[:, start : start + count], atol=1e-5)


def test_fingers_are_thicker_not_longer(body) -> None:  # type: ignore[no-untyped-def]
    geo = legible_geometry(body)
    names = body.link_names
    w = body._weights
    rest = body.vertices(body.rest_pose())
    finger = names.index(next(n for n in names if n.startswith("R_Index2")))
    start, count = w.link_vertex_starts[finger], w.link_vertex_counts[finger]
    rest_geo, _ = pose_rigid(geo, body.link_transforms(body.rest_pose(batch_dims=(1,))))

    u = bone_axis(body, finger)
    u = u / np.linalg.norm(u)

    def extents(p: np.ndarray) -> tuple[float, float]:
        c = p - p.mean(0)
        along = c @ u
        across = np.linalg.norm(c - along[:, None] * u, axis=1)
        return float(np.ptp(along)), float(across.max())

    before = extents(rest[start : start + count])
    after = extents(rest_geo[0, geo.link == finger])
    assert after[0] == pytest.approx(before[0], rel=1e-3)  # as long
    assert after[1] == pytest.approx(before[1] * FINGER_THICKNESS, rel=1e-3)  # thicker across


def test_shading_is_smooth(body) -> None:  # type: ignore[no-untyped-def]
    geo = legible_geometry(body)
    pose = body.rest_pose(batch_dims=(1,))
    verts, ours = pose_rigid(geo, body.link_transforms(pose))
    theirs_v = body.vertices(body.rest_pose())
    theirs = vertex_normals(theirs_v, np.asarray(body.faces))
    # averaged face normals leave 4 % of the body flat-shaded; ellipsoid normals round it all
    assert flat_shaded(verts[0], ours[0], geo.faces) < flat_shaded(theirs_v, theirs, body.faces) / 5
