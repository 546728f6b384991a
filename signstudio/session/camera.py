"""The viewport's camera as a model (Qt-free): where it looks from, presets, framing, picking.

Napari style, like `signstudio.session.clock.Clock`: the `Camera` owns the pose and emits
events; the GL views subscribe and apply it. The side-by-side views of the viewport share one
`Camera`, which is what links them: a view that the user orbits, pans or zooms reports the new
pose with ``camera.set_pose(pose, source=view, by_user=True)`` and every other view follows.

    camera = Camera()
    camera.changed.connect(lambda pose, source: print("look from", pose.azimuth))
    camera.set_preset("side")                   # the direction a `fit_pose` frames from next
    camera.set_pose(fit_pose(lo, hi, PRESETS["side"], fov=60, width=640, height=400))
    camera.orbit(15, 0)                          # a user move: ``user_moved`` turns True

Display space is z-up (see `signstudio.session.geometry`). The pose follows pyqtgraph's
``GLViewWidget`` convention: the camera sits ``distance`` from ``center`` at azimuth ``a`` around
the z axis (0 = on +x, -90 = on -y, the front) and elevation ``e`` above the floor plane; ``fov``
is the horizontal field of view in degrees.

The default framing (`signing_space`, then `fit_pose`) is on the signing space: head to waist,
both hands in, the avatar's head and flesh included.

Picking (`camera_ray`, `pick_point`, `drag_point`) casts rays through a pose in display space,
so joint editing is tested without a display.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from signstudio.session.events import Event

#: Distance added around the content when framing it (1.08: 8 % margin).
FRAME_MARGIN = 1.08
#: Drag axis locks in display space (x left-right, y depth, z up), by key.
AXES = {"X": (1.0, 0.0, 0.0), "Y": (0.0, 1.0, 0.0), "Z": (0.0, 0.0, 1.0)}
AXIS_NAMES = {"X": "left–right", "Y": "front–back", "Z": "up–down"}


@dataclass(frozen=True)
class Preset:
    """A camera direction: elevation and azimuth in degrees (the pose's convention)."""

    label: str
    elevation: float
    azimuth: float
    shortcut: str


PRESETS: dict[str, Preset] = {
    "front": Preset("Front", 8.0, -90.0, "1"),
    # from the signer's right side: they face the right of the screen
    "side": Preset("Side", 8.0, 180.0, "2"),
    # from above, the signer's front towards the bottom of the screen
    "top": Preset("Top", 90.0, -90.0, "3"),
    # behind and above the signer's right shoulder, looking where the signer looks
    "signer": Preset("Signer's view", 20.0, 112.0, "4"),
}
#: The reset view.
DEFAULT_PRESET = "front"


@dataclass(frozen=True)
class CameraPose:
    """Where a camera is: ``center`` (3,) it looks at, ``distance`` from it, ``elevation`` and
    ``azimuth`` in degrees, ``fov`` the horizontal field of view in degrees."""

    center: tuple[float, float, float] = (0.0, 0.0, 0.0)
    distance: float = 10.0
    elevation: float = 30.0
    azimuth: float = 45.0
    fov: float = 60.0

    @classmethod
    def from_dict(cls, camera: Mapping[str, Any]) -> CameraPose:
        """From the views' dict form (center, distance, elevation, azimuth, fov)."""
        cx, cy, cz = (float(v) for v in camera["center"])
        return cls(
            (cx, cy, cz),
            float(camera["distance"]),
            float(camera["elevation"]),
            float(camera["azimuth"]),
            float(camera["fov"]),
        )

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def forward(self) -> np.ndarray:
        """(3,) unit vector the camera looks along."""
        return camera_forward(self)


class Camera:
    """One camera, shared by the views that show it (linked views).

    State: ``pose`` (`CameraPose`), ``preset`` (the direction framing uses: a key of `PRESETS`)
    and ``user_moved`` (the user orbited, panned or zoomed since the last framing: the viewport
    then keeps the pose when a view is resized).

    Events: ``changed(pose, source)`` on every `set_pose` (``source``: the view that made the
    move, which has it already, or None), ``preset_changed(preset)`` when the preset changes.
    """

    def __init__(self, pose: CameraPose | None = None, preset: str = DEFAULT_PRESET) -> None:
        self.changed = Event("changed")
        self.preset_changed = Event("preset_changed")
        self._pose = pose if pose is not None else CameraPose()
        self._preset = _checked_preset(preset)
        self.user_moved = False

    @property
    def pose(self) -> CameraPose:
        return self._pose

    @property
    def preset(self) -> str:
        return self._preset

    def set_preset(self, preset: str) -> None:
        preset = _checked_preset(preset)
        if preset != self._preset:
            self._preset = preset
            self.preset_changed.emit(preset)

    def set_pose(self, pose: CameraPose, source: object = None, by_user: bool = False) -> None:
        """Move the camera; every subscriber but ``source`` applies it (always emitted: a view
        repaints even when the pose is the same)."""
        self._pose = pose
        self.user_moved = bool(by_user)
        self.changed.emit(pose, source)

    def orbit(self, d_azimuth: float, d_elevation: float) -> None:
        """Turn around the centre as a mouse drag does (elevation stays within ±90°)."""
        p = self._pose
        elevation = min(max(p.elevation + d_elevation, -90.0), 90.0)
        self.set_pose(
            dataclasses.replace(p, azimuth=p.azimuth + d_azimuth, elevation=elevation), by_user=True
        )

    def zoom(self, factor: float) -> None:
        """Move closer (``factor`` < 1) or further away (> 1) from the centre."""
        if not math.isfinite(factor) or factor <= 0:
            raise ValueError(f"zoom factor must be positive, got {factor}")
        self.set_pose(dataclasses.replace(self._pose, distance=self._pose.distance * factor), by_user=True)

    def pan_to(self, center: tuple[float, float, float]) -> None:
        """Look at ``center`` from the same direction and distance."""
        cx, cy, cz = (float(v) for v in center)
        self.set_pose(dataclasses.replace(self._pose, center=(cx, cy, cz)), by_user=True)

    def __repr__(self) -> str:
        p = self._pose
        where = f"elevation {p.elevation:g}, azimuth {p.azimuth:g}, distance {p.distance:.3g}"
        return f"Camera({self._preset}, {where})"


def _checked_preset(preset: str) -> str:
    if preset not in PRESETS:
        raise ValueError(f"camera preset must be one of {tuple(PRESETS)}, got {preset!r}")
    return preset


# ---- framing -------------------------------------------------------------------------------

#: The signing space in normalised display units (neck at the origin, shoulder width 1, z up):
#: the default framing reaches from the top of the head (the avatar's skull, above the face's
#: keypoints) down to just below the waist, where hands rest; legs and feet are left out.
HEAD_TOP = 1.25
WAIST = 1.8
#: Room around the joints for the avatar's flesh (arms and hands are that thick around the bones).
BODY_PAD = 0.12
#: At least the shoulders and upper arms across, even for a sequence whose hands stay in.
MIN_HALF_WIDTH = 0.8


def mesh_box(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of an avatar's (N, 3) normalised display-space vertices above the waist (`WAIST`):
    its skull, arms and hands, not its legs."""
    p = np.asarray(points, np.float64)
    p = p[p[:, 2] > -WAIST]
    if not len(p):
        return np.full(3, np.inf), np.full(3, -np.inf)  # nothing: changes no box
    return p.min(0), p.max(0)


def signing_space(
    lo: np.ndarray, hi: np.ndarray, meshes: list[tuple[np.ndarray, np.ndarray]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The box the default camera frames for joints spanning (``lo``, ``hi``) in normalised
    display space and avatars spanning ``meshes`` (`mesh_box`): everything the hands reach
    (the joints padded by `BODY_PAD`), from above the head (`HEAD_TOP`) down to the waist
    (`WAIST`) at most: the head and both hands are in, the legs are not."""
    lo = np.asarray(lo, np.float64) - BODY_PAD
    hi = np.asarray(hi, np.float64) + BODY_PAD
    for mesh_lo, mesh_hi in meshes or ():
        lo, hi = np.minimum(lo, mesh_lo), np.maximum(hi, mesh_hi)
    lo[0], hi[0] = min(lo[0], -MIN_HALF_WIDTH), max(hi[0], MIN_HALF_WIDTH)
    hi[2] = max(hi[2], HEAD_TOP)
    lo[2] = min(max(lo[2], -WAIST), hi[2] - 0.5)
    return lo, hi


def fit_pose(
    lo: np.ndarray,
    hi: np.ndarray,
    preset: Preset,
    fov: float,
    width: int,
    height: int,
    reserved: tuple[int, int] = (0, 0),
) -> CameraPose:
    """The pose looking from ``preset``'s direction at the box (``lo``, ``hi``) in a view
    ``width`` x ``height`` pixels, fitted into the band left free by ``reserved`` (pixels at the
    top and bottom, where captions and legend sit), with `FRAME_MARGIN` around it."""
    elevation, azimuth = preset.elevation, preset.azimuth
    centre = (lo + hi) / 2
    e, a = math.radians(elevation), math.radians(azimuth)
    fwd = -np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)], np.float64)
    right = np.array([-math.sin(a), math.cos(a), 0.0], np.float64)
    up = np.cross(right, fwd)
    corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
    rel = corners - centre
    w, h = max(width, 1), max(height, 1)
    top, bottom = reserved
    band = max(h - top - bottom, h * 0.3)
    tan_h = math.tan(math.radians(fov) / 2)
    tan_v = tan_h * h / w
    tan_band = tan_v * band / h
    depth = rel @ fwd
    need = np.maximum(np.abs(rel @ right) / tan_h, np.abs(rel @ up) / tan_band) - depth
    dist = max(float(need.max()) * FRAME_MARGIN, 1e-3)
    # Put the content's centre in the middle of the free band rather than of the view.
    offset_px = (top + band / 2) - h / 2
    centre = centre + up * (offset_px / h * 2 * dist * tan_v)
    cx, cy, cz = (float(v) for v in centre)
    return CameraPose((cx, cy, cz), dist, elevation, azimuth, fov)


# ---- picking and dragging (ray casting in display space) -----------------------------------


@dataclass(frozen=True)
class Ray:
    """A ray from the camera through a pixel, in display space: ``origin`` (3,), unit ``direction``
    (3,), and ``pixel`` — the size of one pixel at unit distance along the ray, so that a distance
    ``d`` off the ray at depth ``t`` is ``d / (t * pixel)`` pixels on screen."""

    origin: np.ndarray
    direction: np.ndarray
    pixel: float


def camera_forward(pose: CameraPose) -> np.ndarray:
    """(3,) unit vector ``pose`` looks along."""
    e, a = np.radians(pose.elevation), np.radians(pose.azimuth)
    return -np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])


def camera_ray(pose: CameraPose, width: int, height: int, x: float, y: float) -> Ray:
    """The ray through widget pixel (x, y) of a view ``width`` x ``height`` looking from ``pose``
    (``fov`` is the horizontal field of view, as the projection uses it)."""
    e, a = np.radians(pose.elevation), np.radians(pose.azimuth)
    toward_eye = np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
    eye = np.asarray(pose.center, np.float64) + pose.distance * toward_eye
    forward = -toward_eye
    right = np.array([-np.sin(a), np.cos(a), 0.0])
    up = np.cross(right, forward)
    tan_h = np.tan(np.radians(pose.fov) / 2)
    nx, ny = 2.0 * x / width - 1.0, 1.0 - 2.0 * y / height
    d = forward + nx * tan_h * right + ny * tan_h * (height / width) * up
    norm = float(np.linalg.norm(d))
    # one pixel spans 2 tan_h / width at unit depth along forward; along the ray, depth shrinks by
    # the cosine to forward (1 / norm)
    return Ray(eye, d / norm, float(2 * tan_h / width / norm))


def pick_point(ray: Ray, points: np.ndarray, pickable: np.ndarray, tolerance_px: float = 10.0) -> int | None:
    """The index of the point (``points``: (J, 3) display space) the ray hits: among the
    ``pickable`` (J,) points in front of the camera within ``tolerance_px`` of the ray on screen,
    the closest on screen, and of those equally close (within a pixel) the nearest to the eye."""
    rel = np.asarray(points, np.float64) - ray.origin
    t = rel @ ray.direction
    off = np.linalg.norm(rel - t[:, None] * ray.direction, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        px = np.where(t > 0, off / (t * ray.pixel), np.inf)
    px[~np.asarray(pickable, bool)] = np.inf
    if not np.isfinite(px).any() or px.min() > tolerance_px:
        return None
    near = np.flatnonzero(px <= px.min() + 1.0)
    return int(near[np.argmin(t[near])])


def drag_point(ray: Ray, start: np.ndarray, normal: np.ndarray, axis: np.ndarray | None = None) -> np.ndarray:
    """Where a point dragged from ``start`` lies under ``ray``: on the plane through ``start``
    with ``normal`` (the view plane: normal = the camera's forward), or with ``axis`` (3,) on the
    line through ``start`` along it (the point of the line closest to the ray)."""
    start = np.asarray(start, np.float64)
    if axis is not None:
        u = np.asarray(axis, np.float64) / np.linalg.norm(axis)
        w0 = start - ray.origin
        b = float(u @ ray.direction)
        denom = 1.0 - b * b
        if denom < 1e-9:  # looking along the axis: it cannot move that way from here
            return start
        s = (b * float(ray.direction @ w0) - float(u @ w0)) / denom
        return start + s * u
    n = np.asarray(normal, np.float64)
    denom = float(n @ ray.direction)
    if abs(denom) < 1e-9:
        return start
    t = float(n @ (start - ray.origin)) / denom
    return ray.origin + t * ray.direction
