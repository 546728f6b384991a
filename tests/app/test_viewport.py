"""The viewport on a real display: its GL items, the pictures they make, cameras, labels, screenshots."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUP_COLORS

pytestmark = pytest.mark.gui


def image_array(img) -> np.ndarray:  # type: ignore[no-untyped-def]
    from PySide6 import QtGui

    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def colour_mask(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 60) -> np.ndarray:
    return np.abs(img.astype(int) - rgb).sum(axis=2) < tol


def clip(sign_language: str, letter: str) -> PoseSequence:
    from signstudio.corpus.lexicon import alphabet, load_clip

    return load_clip(alphabet(sign_language)[letter])


def as_generated(seq: PoseSequence) -> PoseSequence:
    from signstudio.pose.convert import convert

    return convert(seq, "upper50").replace(meta_update={"reference_kind": "generated"})


@pytest.fixture
def viewport(qtbot) -> Iterator:  # type: ignore[no-untyped-def]
    from signstudio.app.viewport import Viewport

    vp = Viewport()
    vp.set_dark(True)
    vp.resize(640, 400)
    qtbot.addWidget(vp)
    vp.show()
    qtbot.waitExposed(vp)
    assert vp.wait_painted(), "the GL view did not paint"
    yield vp


def frame_of(vp, view=None) -> np.ndarray:  # type: ignore[no-untyped-def]
    assert vp.wait_painted()
    return image_array((view or vp.view).grabFramebuffer())


def test_two_items_per_skeleton_and_no_stock_items(viewport) -> None:
    from pyqtgraph.opengl import GLLinePlotItem, GLScatterPlotItem

    from signstudio.app.viewport.skeleton_items import GLBonesItem, GLJointsItem

    ref = clip("ase", "a")
    viewport.set_sequences(as_generated(clip("ase", "b")), ref)
    for view in (viewport.view, viewport.view_b):
        shown = [i for i in view.items if i.visible()]
        assert sum(isinstance(i, GLBonesItem) for i in shown) == 1
        assert sum(isinstance(i, GLJointsItem) for i in shown) == 1
        assert not any(isinstance(i, GLLinePlotItem | GLScatterPlotItem) for i in view.items)
    # the bones item draws every visible bone of the skeleton from one element buffer
    side = viewport.side
    assert side.cloud.num_joints == ref.num_joints
    frame_pixels = frame_of(viewport, viewport.view_b)
    present = ref.confidence[side.cloud.frame] > 0
    drawn = present[side.display.bones.astype(int)].all(axis=1)
    assert 0 < drawn.sum() < len(drawn)  # the left hand is not in the recording
    assert side.cloud.num_indices == 2 * drawn.sum()
    assert frame_pixels.std() > 5


def test_hand_colours_are_drawn_and_missing_points_hidden(viewport) -> None:
    seq = clip("ase", "a")  # the right hand fingerspells; the left hand is not in the recording
    viewport.set_sequences(None, seq)
    viewport.set_frames(0, 10)
    img = frame_of(viewport)
    right = colour_mask(img, GROUP_COLORS["right_hand"]).sum()
    body = colour_mask(img, GROUP_COLORS["body"]).sum()
    assert right > 100 and body > 100, (right, body)
    assert colour_mask(img, GROUP_COLORS["left_hand"]).sum() < 5

    conf = seq.confidence.copy()
    conf[10, seq.skeleton.groups["right_hand"]] = 0.0
    viewport.set_sequences(None, seq.replace(confidence=conf))
    viewport.set_frames(0, 10)
    img = frame_of(viewport)
    assert colour_mask(img, GROUP_COLORS["right_hand"]).sum() < 5, "a missing hand (and its bones) is drawn"
    assert colour_mask(img, GROUP_COLORS["body"]).sum() > 100


def test_low_confidence_is_drawn_faint(viewport) -> None:
    seq = clip("ase", "a")
    viewport.set_sequences(None, seq)
    viewport.set_frames(0, 10)
    full = colour_mask(frame_of(viewport), GROUP_COLORS["right_hand"], tol=40).sum()
    conf = seq.confidence.copy()
    conf[10, seq.skeleton.groups["right_hand"]] = 0.2
    viewport.set_sequences(None, seq.replace(confidence=conf))
    viewport.set_frames(0, 10)
    img = frame_of(viewport)
    assert colour_mask(img, GROUP_COLORS["right_hand"], tol=40).sum() < full / 10, "faint joints look solid"
    # ... but still drawn: a dimmed green, not the background
    dim = (img[..., 1].astype(int) - img[..., 0] > 25).sum()
    assert dim > 50


def test_geometry_uploads_only_when_the_frame_changes(viewport) -> None:
    seq = clip("ase", "b")
    viewport.set_sequences(None, seq)
    viewport.wait_painted()
    cloud = viewport.main.cloud
    uploads = cloud.uploads
    assert viewport.set_frames(0, 5) == 1
    viewport.wait_painted()
    assert cloud.uploads == uploads + 1
    # repaints and the same frame again: nothing new goes to the GPU
    assert viewport.set_frames(0, 5) == 0
    viewport.wait_painted()
    viewport.wait_painted()
    assert cloud.uploads == uploads + 1
    index_uploads = cloud.index_uploads
    viewport.set_frames(0, 6)
    viewport.wait_painted()
    assert cloud.index_uploads == index_uploads, "same joints present: the bone list is not re-sent"
    # a frame past the end is clamped to the last one
    viewport.set_frames(0, 10_000)
    assert cloud.frame == seq.num_frames - 1


def test_side_by_side_views_differ_and_cameras_are_linked(viewport) -> None:
    gen = as_generated(clip("ase", "b"))
    ref = clip("ase", "v")
    viewport.set_sequences(gen, ref)
    viewport.set_reference_mode("side-by-side")
    assert viewport.view_b.isVisible()
    viewport.set_frames(12, 12)
    left, right = frame_of(viewport, viewport.view), frame_of(viewport, viewport.view_b)
    assert left.shape == right.shape
    assert np.abs(left.astype(int) - right).mean() > 1.0, "different sequences, same picture"

    # the same sequence on both sides: the same picture (normalised alike, one camera)
    viewport.set_sequences(ref.replace(meta_update={"reference_kind": "generated"}), ref)
    viewport.set_frames(12, 12)
    left, right = frame_of(viewport, viewport.view), frame_of(viewport, viewport.view_b)
    assert np.abs(left.astype(int) - right).mean() < 0.5

    # orbit one view (as a mouse drag does): the other follows
    viewport.view.orbit(35, 12)
    assert viewport.view_b.camera() == viewport.view.camera()
    viewport.view_b.pan(10, 5, 0, relative="view")
    assert viewport.view.camera() == viewport.view_b.camera()
    assert viewport.view.user_moved_camera
    viewport.frame_camera()  # reset
    cam = viewport.view.camera()
    assert (cam["elevation"], cam["azimuth"]) == (8.0, -90.0)
    assert not viewport.view.user_moved_camera
    assert viewport.view_b.camera() == cam


def test_mouse_drag_orbits_both_views(viewport, qtbot) -> None:
    from PySide6 import QtCore

    ref = clip("ase", "a")
    viewport.set_sequences(as_generated(clip("ase", "b")), ref)
    before = viewport.view_b.camera()
    view = viewport.view
    centre = view.rect().center()
    qtbot.mousePress(view, QtCore.Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseMove(view, centre + QtCore.QPoint(60, 20))
    qtbot.mouseRelease(view, QtCore.Qt.MouseButton.LeftButton, pos=centre + QtCore.QPoint(60, 20))
    assert viewport.view_b.camera()["azimuth"] != before["azimuth"]
    assert viewport.view_b.camera() == view.camera()


def test_ghost_overlays_the_reference_translucent(viewport) -> None:
    gen = as_generated(clip("ase", "b"))
    ref = clip("ase", "v")
    viewport.set_sequences(gen, None)
    viewport.set_frames(12, 12)
    alone = frame_of(viewport)
    viewport.set_sequences(gen, ref)
    viewport.set_reference_mode("ghost")
    assert not viewport.view_b.isVisible()
    viewport.set_frames(12, 12)
    ghost = frame_of(viewport)
    assert viewport.ghost.joints.opacity == pytest.approx(0.35)
    diff = np.abs(ghost.astype(int) - alone).sum(axis=2) > 30
    assert diff.sum() > 200, "the reference does not show"
    # the generated skeleton is still there, solid
    assert colour_mask(ghost, GROUP_COLORS["right_hand"]).sum() > 50
    # the ghost's own pixels are dimmer than solid joints would be
    only_ghost = (
        diff & ~colour_mask(ghost, GROUP_COLORS["right_hand"]) & ~colour_mask(ghost, GROUP_COLORS["body"])
    )
    assert ghost[only_ghost].max(axis=1).mean() < 160
    # the face of the holistic reference (grey points) is drawn in the ghost
    assert "translucent" in viewport.title.text()


def test_labels_name_generated_and_reference_kind(viewport) -> None:
    gen = as_generated(clip("ase", "b"))
    ref = clip("ase", "a")
    viewport.set_sequences(gen, ref)
    viewport.set_reference_mode("side-by-side")
    assert "GENERATED" in viewport.title.text()
    assert "REFERENCE · RECORDED CLIP" in viewport.title_b.text()
    assert viewport.title_b.isVisible()
    viewport.set_reference_mode("ghost")
    text = viewport.title.text()
    assert "GENERATED" in text and "REFERENCE · RECORDED CLIP" in text and "translucent" in text
    assert not viewport.title_b.isVisible()

    joined = ref.replace(meta_update={"reference_kind": "lexicon join"})
    viewport.set_sequences(gen, joined)
    assert "LEXICON JOIN" in viewport.title.text()
    user = ref.replace(meta_update={"reference_kind": "user file"})
    viewport.set_sequences(None, user)
    assert "USER FILE" in viewport.title.text() and "GENERATED" not in viewport.title.text()
    # an opened recording in the main view (nothing generated) says what it is, never GENERATED
    viewport.set_sequences(user, ref)
    assert "USER FILE" in viewport.title.text() and "GENERATED" not in viewport.title.text()
    assert "REFERENCE · RECORDED CLIP" in viewport.title_b.text()
    viewport.set_reference_mode("ghost")
    assert "GENERATED" not in viewport.title.text() and "USER FILE" in viewport.title.text()
    viewport.set_reference_mode("side-by-side")
    viewport.set_sequences(gen, None)
    assert "GENERATED" in viewport.title.text()
    viewport.set_sequences(None, None)
    assert "NOTHING TO SHOW" in viewport.title.text()
    with pytest.raises(ValueError):
        viewport.set_reference_mode("overlay")


def test_presets_front_and_signers_view_mirror_the_hands(viewport) -> None:
    seq = clip("csq", "a")  # a two-handed alphabet: both hands in view
    viewport.set_sequences(None, seq)
    viewport.set_frames(0, 12)
    xs = {}
    for preset in ("front", "signer", "top"):  # (recorded in 2D: from the side the hands overlap)
        viewport.set_camera(preset)
        img = frame_of(viewport)
        right = np.nonzero(colour_mask(img, GROUP_COLORS["right_hand"]))[1]
        left = np.nonzero(colour_mask(img, GROUP_COLORS["left_hand"]))[1]
        assert len(right) > 20 and len(left) > 20, preset
        xs[preset] = (right.mean(), left.mean())
    # front: the signer faces us, their right hand on our left; signer's view: on the right
    assert xs["front"][0] < xs["front"][1]
    assert xs["signer"][0] > xs["signer"][1]
    cam = viewport.view.camera()
    assert cam["elevation"] == 90.0  # top was last
    with pytest.raises(ValueError):
        viewport.set_camera("bottom")


def test_actions_switch_presets(viewport) -> None:
    viewport.set_sequences(None, clip("ase", "a"))
    actions = {a.objectName(): a for a in viewport.camera_actions()}
    assert set(actions) == {"camera_front", "camera_side", "camera_top", "camera_signer", "camera_reset"}
    actions["camera_side"].trigger()
    assert viewport.preset == "side" and viewport.view.camera()["azimuth"] == 180.0
    actions["camera_reset"].trigger()
    assert viewport.preset == "front"


def test_camera_frames_the_content(viewport) -> None:
    """All confident joints of every frame fit inside the view, below the caption."""
    seq = clip("ase", "a")
    viewport.set_sequences(None, seq)
    for frame in (0, seq.num_frames // 2, seq.num_frames - 1):
        viewport.set_frames(0, frame)
        img = frame_of(viewport)
        ys, xs = np.nonzero(
            colour_mask(img, GROUP_COLORS["right_hand"]) | colour_mask(img, GROUP_COLORS["body"])
        )
        w = img.shape[1]
        assert xs.min() > 2 and xs.max() < w - 3 and ys.min() > viewport.title.geometry().bottom() - 5


def test_grab_image_includes_overlays_and_saves_png(viewport, tmp_path, qtbot) -> None:
    viewport.set_sequences(as_generated(clip("ase", "b")), clip("ase", "a"))
    with qtbot.waitSignal(viewport.painted, timeout=5000):
        viewport.set_frames(5, 5)
        viewport.update_views()
    image = viewport.grab_image()
    assert (image.width(), image.height()) == (viewport.width(), viewport.height())
    img = image_array(image)
    # both views' GL content and the reference view's label are in the picture
    title = viewport.title_b.geometry().translated(viewport.view_b.pos())
    patch = img[title.top() : title.bottom(), title.left() : title.right()]
    assert patch.std() > 20, "the label is not in the screenshot"
    half = img.shape[1] // 2
    assert colour_mask(img[:, half:], GROUP_COLORS["right_hand"]).sum() > 50

    (tmp_path / "sub").mkdir()  # writers never create a missing folder
    out = viewport.save_screenshot(tmp_path / "sub" / "shot.png")
    assert out.is_file() and out.stat().st_size > 5_000 and not list(out.parent.glob("*.part"))


def test_light_theme_background_and_face_colour(viewport) -> None:
    viewport.set_sequences(None, clip("ase", "a"))
    viewport.set_dark(False)
    img = frame_of(viewport)
    assert img[5, img.shape[1] // 2].mean() > 200, "light theme keeps a dark background"
    viewport.set_dark(True)
    img = frame_of(viewport)
    assert img[5, img.shape[1] // 2].mean() < 60


def test_follows_the_application_palette(viewport, qtbot) -> None:
    from PySide6 import QtGui, QtWidgets

    viewport.set_dark(None)
    app = QtWidgets.QApplication.instance()
    old = app.palette()
    try:
        light = QtGui.QPalette(old)
        light.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(240, 240, 240))
        app.setPalette(light)
        qtbot.waitUntil(lambda: frame_of(viewport)[5, 5].mean() > 200, timeout=3000)
    finally:
        app.setPalette(old)


def test_normalised_sizes_match_across_layouts(viewport) -> None:
    """A holistic recording in pixels and its upper50 conversion stand the same size."""
    ref = clip("ase", "a")
    viewport.set_sequences(as_generated(ref), ref)
    a, b = viewport.main.display, viewport.side.display
    assert a is not None and b is not None
    assert a.how == b.how == "shoulders"
    from signstudio.pose.transforms import shoulders

    for disp in (a, b):
        left, right, ok = shoulders(disp.seq)
        width = np.linalg.norm(disp.to_display(left[ok]) - disp.to_display(right[ok]), axis=1)
        assert np.median(width) == pytest.approx(1.0, rel=1e-4)
        neck = disp.to_display((left[ok] + right[ok]) / 2)
        assert np.abs(np.median(neck, axis=0)).max() < 1e-4
    # the same recording in two layouts: the same wrist in the same place on screen
    wa = a.to_display(a.seq.data[10, a.seq.skeleton.index("BODY:RWrist")])
    wb = b.to_display(b.seq.data[10, b.seq.skeleton.index("POSE_LANDMARKS:RIGHT_WRIST")])
    np.testing.assert_allclose(wa, wb, atol=1e-3)


def test_survives_moving_to_another_window(viewport, qtbot) -> None:
    """Reparented into another top-level window (a floating dock), the view keeps drawing."""
    from PySide6 import QtWidgets

    seq = clip("ase", "a")
    viewport.set_sequences(None, seq)
    viewport.set_frames(0, 10)
    before = colour_mask(frame_of(viewport), GROUP_COLORS["right_hand"]).sum()
    host = QtWidgets.QWidget()
    qtbot.addWidget(host)
    QtWidgets.QVBoxLayout(host).addWidget(viewport)
    host.resize(640, 400)
    host.show()
    qtbot.waitExposed(host)
    assert viewport.wait_painted()
    viewport.set_frames(0, 11)
    after = colour_mask(frame_of(viewport), GROUP_COLORS["right_hand"]).sum()
    viewport.setParent(None)  # give it back to the fixture, which closes it
    assert after > 0.5 * before > 50


def test_gl_objects_are_rebuilt_after_the_context_lets_them_go(viewport) -> None:
    """What runs when a view's GL context is destroyed (Qt may re-create it when the view changes
    window): the items free their buffers and VAOs, and build them again on the next paint."""
    seq = clip("ase", "a")
    viewport.set_sequences(None, seq)
    viewport.set_frames(0, 10)
    before = colour_mask(frame_of(viewport), GROUP_COLORS["right_hand"]).sum()
    viewport.view._release_gl()
    assert viewport.main.cloud._gl_key is None and viewport.main.joints._vao == 0
    viewport.view.doneCurrent()
    viewport.set_frames(0, 11)
    after = colour_mask(frame_of(viewport), GROUP_COLORS["right_hand"]).sum()
    assert viewport.main.cloud._gl_key is not None
    assert after > 0.5 * before > 50
    # buffers alone re-created (VAOs kept): the VAOs are re-pointed at the new buffers
    viewport.view.makeCurrent()
    viewport.main.cloud.release_gl()
    viewport.view.doneCurrent()
    viewport.set_frames(0, 12)
    assert colour_mask(frame_of(viewport), GROUP_COLORS["right_hand"]).sum() > 0.5 * before


def test_overlays_and_camera_buttons_can_be_hidden(viewport) -> None:
    viewport.set_sequences(None, clip("ase", "a"))
    assert viewport.camera_bar.isVisible() and viewport.legend.isVisible()
    viewport.set_camera_buttons_visible(False)
    assert not viewport.camera_bar.isVisible() and viewport.legend.isVisible()
    viewport.set_overlays_visible(False)
    assert not viewport.title.isVisible() and not viewport.legend.isVisible()
    viewport.set_overlays_visible(True)
    assert viewport.title.isVisible() and not viewport.camera_bar.isVisible()
    viewport.set_camera_buttons_visible(True)
    assert viewport.camera_bar.isVisible()


def test_set_frames_alone_repaints_and_routes_frames_by_role(viewport, qtbot) -> None:
    seq = clip("ase", "b")
    viewport.set_sequences(seq, seq)  # the same object on both sides: frames still go by role
    viewport.wait_painted()
    with qtbot.waitSignal(viewport.painted, timeout=5000):
        assert viewport.set_frames(3, 7) == 2  # no explicit update: changing the frame repaints
    assert viewport.main.cloud.frame == 3 and viewport.side.cloud.frame == 7
    viewport.set_reference_mode("ghost")
    viewport.set_frames(4, 9)
    assert viewport.main.cloud.frame == 4 and viewport.ghost.cloud.frame == 9
    viewport.set_sequences(None, seq)
    viewport.set_frames(2, 6)  # the reference alone runs on its own frame number
    assert viewport.main.cloud.frame == 6


def test_the_heat_map_recolours_joints_without_resending_the_frame(viewport) -> None:
    seq = clip("ase", "b")
    viewport.set_sequences(seq, None)
    viewport.set_frames(5, 0)
    viewport.wait_painted()
    red = (230, 50, 40)
    assert colour_mask(frame_of(viewport), red, tol=30).sum() < 20
    cloud = viewport.main.cloud
    uploads = cloud.uploads
    errors = np.full(seq.num_joints, np.nan)
    errors[seq.skeleton.groups["right_hand"]] = 1.0  # far off: red
    viewport.set_joint_heat(errors, "worst over the sequence: right index tip 1.00")
    assert (
        "joint error vs reference" in viewport.legend.text() and "right index tip" in viewport.legend.text()
    )
    img = frame_of(viewport)
    assert colour_mask(img, red, tol=30).sum() > 100, "the right hand is not drawn red"
    assert cloud.uploads == uploads, "recolouring re-sent the joint positions"
    viewport.set_joint_heat(None)
    assert colour_mask(frame_of(viewport), red, tol=30).sum() < 20
    assert "joint error" not in viewport.legend.text()


def test_the_avatar_is_drawn_around_or_instead_of_the_skeleton(viewport) -> None:
    pytest.importorskip("torch")
    from signstudio.avatar.build import build_avatar
    from signstudio.corpus.store import default_sample

    seq = default_sample()
    mesh = build_avatar(seq)
    viewport.set_sequences(seq, None)
    viewport.set_frames(seq.num_frames // 2, 0)

    def wood(img: np.ndarray) -> int:  # the lit mannequin: warm, light, not a group colour
        r, g, b = (img[..., i].astype(int) for i in range(3))
        return int(((r - b > 35) & (r > 110) & (g > 80) & (np.abs(r - g) < 60)).sum())

    viewport.set_body_mode("avatar")
    assert wood(frame_of(viewport)) < 200, "no avatar until one is given"
    viewport.set_avatar(seq, mesh)
    body_only = frame_of(viewport)
    assert wood(body_only) > 5000
    assert not viewport.main.bones.visible() and viewport.main.mesh.visible()
    viewport.set_body_mode("both")
    assert viewport.main.bones.visible() and viewport.main.mesh.opacity < 1.0
    assert wood(frame_of(viewport)) > 2000
    # the mesh follows the clock: a new frame uploads once
    uploads = viewport.main.mesh.uploads
    viewport.set_frames(seq.num_frames // 2 + 5, 0)
    frame_of(viewport)
    assert viewport.main.mesh.uploads == uploads + 1 and viewport.main.mesh.frame == seq.num_frames // 2 + 5
    viewport.set_body_mode("skeleton")
    assert not viewport.main.mesh.visible() and wood(frame_of(viewport)) < 200
    with pytest.raises(ValueError, match="frames"):
        viewport.set_avatar(
            seq.replace(data=seq.data[:5], confidence=seq.confidence[:5], filled=seq.filled[:5]), mesh
        )


def test_a_2d_pose_file_is_drawn_flat_and_says_so(viewport) -> None:
    from pathlib import Path

    from signstudio.pose import formats

    data = Path(__file__).resolve().parents[1] / "data" / "pose-format"
    flat = formats.read_one(data / "openpose.pose")  # pose-format's own OpenPose file, 2D
    viewport.set_sequences(None, flat)
    assert "2D: drawn flat" in viewport.title.text()
    img = frame_of(viewport)
    assert colour_mask(img, GROUP_COLORS["body"]).sum() > 50  # drawn, on the z = 0 plane
    viewport.set_sequences(None, formats.read_one(data / "mediapipe.pose"))  # 3D
    assert "2D" not in viewport.title.text()
