"""The camera model without Qt: presets, linked views through events, framing, picking."""

from __future__ import annotations

import math

import numpy as np
import pytest

from signstudio.session.camera import (
    PRESETS,
    Camera,
    CameraPose,
    camera_ray,
    drag_point,
    fit_pose,
    pick_point,
)


class FakeView:
    """What a GL view does with the model: applies every pose it did not make itself."""

    def __init__(self, camera: Camera) -> None:
        self.pose: CameraPose | None = None
        self.applied = 0
        camera.changed.connect(self.show)

    def show(self, pose: CameraPose, source: object) -> None:
        if source is not self:
            self.pose = pose
            self.applied += 1


def test_presets_and_their_directions() -> None:
    assert set(PRESETS) == {"front", "side", "top", "signer"}
    assert [p.shortcut for p in PRESETS.values()] == ["1", "2", "3", "4"]
    # front looks along +y (from -y, where the signer faces), top straight down
    front = CameraPose(elevation=PRESETS["front"].elevation, azimuth=PRESETS["front"].azimuth)
    assert CameraPose(elevation=0.0, azimuth=-90.0).forward == pytest.approx([0.0, 1.0, 0.0], abs=1e-12)
    assert CameraPose(elevation=90.0, azimuth=-90.0).forward == pytest.approx([0.0, 0.0, -1.0], abs=1e-12)
    assert np.linalg.norm(front.forward) == pytest.approx(1.0)


def test_preset_changes_emit_once_and_bad_names_fail() -> None:
    camera = Camera()
    seen: list[str] = []
    camera.preset_changed.connect(seen.append)
    camera.set_preset("side")
    camera.set_preset("side")
    assert camera.preset == "side" and seen == ["side"]
    with pytest.raises(ValueError, match="preset"):
        camera.set_preset("bottom")


def test_linked_views_follow_a_user_move_but_the_mover_is_not_told_again() -> None:
    camera = Camera()
    left, right = FakeView(camera), FakeView(camera)
    moved = CameraPose((1.0, 2.0, 3.0), 5.0, 10.0, 20.0, 60.0)
    camera.set_pose(moved, source=left, by_user=True)
    assert right.pose == moved and left.applied == 0
    assert camera.user_moved and camera.pose == moved
    camera.set_pose(CameraPose())  # framing: every view, the user's move forgotten
    assert left.pose == right.pose == CameraPose() and not camera.user_moved


def test_orbit_zoom_and_pan_are_user_moves() -> None:
    camera = Camera(CameraPose(elevation=80.0, azimuth=10.0, distance=4.0))
    view = FakeView(camera)
    camera.orbit(30.0, 25.0)
    assert (camera.pose.azimuth, camera.pose.elevation) == (40.0, 90.0)  # clamped at the top
    camera.zoom(0.5)
    assert camera.pose.distance == 2.0
    camera.pan_to((1, 2, 3))
    assert camera.pose.center == (1.0, 2.0, 3.0) and view.pose == camera.pose and camera.user_moved
    with pytest.raises(ValueError):
        camera.zoom(0.0)


def test_pose_round_trips_through_the_views_dict() -> None:
    pose = CameraPose((0.5, -1.0, 2.0), 3.0, 8.0, -90.0, 45.0)
    assert CameraPose.from_dict(pose.as_dict()) == pose
    assert pose.as_dict()["center"] == (0.5, -1.0, 2.0)


def test_fit_pose_frames_the_box_in_the_free_band() -> None:
    lo, hi = np.array([-1.0, -0.5, -2.0]), np.array([1.0, 0.5, 1.0])
    full = fit_pose(lo, hi, PRESETS["front"], fov=60.0, width=640, height=400)
    banded = fit_pose(lo, hi, PRESETS["front"], fov=60.0, width=640, height=400, reserved=(80, 40))
    assert (full.elevation, full.azimuth, full.fov) == (8.0, -90.0, 60.0)
    assert banded.distance > full.distance  # less room: further away
    # every corner projects inside the view
    for pose in (full, banded):
        eye = np.asarray(pose.center) - pose.distance * pose.forward
        a = math.radians(pose.azimuth)
        right = np.array([-math.sin(a), math.cos(a), 0.0])
        up = np.cross(right, pose.forward)
        tan_h = math.tan(math.radians(pose.fov) / 2)
        tan_v = tan_h * 400 / 640
        for x in (lo[0], hi[0]):
            for y in (lo[1], hi[1]):
                for z in (lo[2], hi[2]):
                    to = np.array([x, y, z]) - eye
                    depth = float(to @ pose.forward)
                    assert abs(float(to @ right)) / depth < tan_h
                    assert abs(float(to @ up)) / depth < tan_v


def test_a_ray_through_the_centre_pixel_hits_the_centre_and_picks_the_nearest_point() -> None:
    pose = CameraPose((0.0, 0.0, 0.0), 10.0, 0.0, -90.0, 60.0)
    ray = camera_ray(pose, 200, 100, 100, 50)
    np.testing.assert_allclose(ray.origin, [0.0, -10.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(ray.direction, [0.0, 1.0, 0.0], atol=1e-9)
    points = np.array([[0.0, 2.0, 0.0], [0.0, -2.0, 0.0], [3.0, 0.0, 0.0]])
    assert pick_point(ray, points, np.array([True, True, True])) == 1  # nearest to the eye
    assert pick_point(ray, points, np.array([True, False, True])) == 0
    assert pick_point(ray, points[2:], np.array([True])) is None  # far off the ray


def test_drag_point_stays_on_the_view_plane_or_the_locked_axis() -> None:
    pose = CameraPose((0.0, 0.0, 0.0), 10.0, 0.0, -90.0, 60.0)
    ray = camera_ray(pose, 200, 100, 150, 50)  # right of the centre
    start = np.zeros(3)
    on_plane = drag_point(ray, start, pose.forward)
    assert on_plane[1] == pytest.approx(0.0) and on_plane[0] > 0
    along_z = drag_point(ray, start, pose.forward, axis=np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(along_z, [0.0, 0.0, 0.0], atol=1e-9)
