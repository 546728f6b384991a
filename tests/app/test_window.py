"""The studio window: default sample, frame stepping, playback, side-by-side reference, screenshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def image_array(path_or_image) -> np.ndarray:  # type: ignore[no-untyped-def]
    from PySide6 import QtGui

    img = QtGui.QImage(str(path_or_image)) if isinstance(path_or_image, (str, Path)) else path_or_image
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return buf[:, : 3 * w].reshape(h, w, 3).copy()


def test_window_opens_on_the_default_sample(window) -> None:
    from pyqtgraph.opengl import GLLinePlotItem, GLScatterPlotItem

    assert window.windowTitle() == "SignStudio"
    assert window.seq.meta.get("reference_kind")  # a real recording of the built-in corpus
    assert window.clock.num_frames == window.seq.num_frames
    view = window.viewport.view
    lines = [i for i in view.items if isinstance(i, GLLinePlotItem)]
    points = [i for i in view.items if isinstance(i, GLScatterPlotItem)]
    # One line item and one point item per skeleton, never one per bone (the grid's own
    # line item is its child, not a top-level item).
    assert len(lines) == 1 and len(points) == 1
    assert lines[0].mode == "lines" and lines[0].pos.shape[0] % 2 == 0 and len(lines[0].pos) > 0
    caption = window.viewport.caption.text()
    assert "American Sign Language" in caption and "holistic" in caption
    assert window.timeline.label.text().startswith(f"frame 0 / {window.seq.num_frames}")


def test_missing_joints_are_not_drawn(window) -> None:
    layer = window.viewport.layers[0]
    seq = layer.seq
    frame = layer.items.geometry.frame(0)
    drawn_groups = np.isin(seq.skeleton.joint_groups(), ("body", "left_hand", "right_hand", "face"))
    expected = int(((seq.confidence[0] > 0) & drawn_groups).sum())
    assert frame.num_points == expected
    assert np.isfinite(frame.line_pos).all()


def test_frame_stepping_updates_the_line_data(window, qtbot) -> None:
    from PySide6 import QtCore

    items = window.viewport.layers[0].items
    before = items.lines.pos.copy()
    uploads = items.uploads
    qtbot.keyClick(window, QtCore.Qt.Key.Key_End)
    assert window.clock.frame == window.seq.num_frames - 1
    assert items.uploads == uploads + 1
    assert not np.array_equal(before, items.lines.pos)
    assert window.timeline.slider.value() == window.clock.frame

    qtbot.keyClick(window, QtCore.Qt.Key.Key_Left)
    assert window.clock.frame == window.seq.num_frames - 2
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Home)
    assert window.clock.frame == 0
    np.testing.assert_array_equal(items.lines.pos, before)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    assert window.clock.frame == 1

    # Same frame again: nothing is uploaded (geometry goes to the GPU only when dirty).
    uploads = items.uploads
    window.clock.frame = 1
    window.viewport.show_time(window.clock.time)
    assert items.uploads == uploads


def test_slider_moves_the_clock(window) -> None:
    window.timeline.slider.setValue(7)
    assert window.clock.frame == 7
    assert window.viewport.layers[0].items.shown_frame == 7
    assert window.timeline.label.text().startswith("frame 7 /")


def test_space_plays_and_pauses(window, qtbot) -> None:
    from PySide6 import QtCore

    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert window.clock.playing
    qtbot.waitUntil(lambda: window.clock.frame > 0, timeout=3000)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Space)
    assert not window.clock.playing


def test_reference_stands_beside_the_sequence(qtbot, sample_file) -> None:
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.lexicon import alphabet, load_clip
    from signstudio.pose.formats import read_one

    seq = read_one(sample_file)
    gt = load_clip(alphabet("ase")["b"])
    win = StudioWindow(seq, gt)
    qtbot.addWidget(win)
    win.show()
    assert win.wait_painted()
    main, ref = win.viewport.layers
    assert ref.name == "reference"
    _, hi_main = main.items.geometry.bounds()
    lo_ref, _ = ref.items.geometry.bounds()
    assert lo_ref[0] > hi_main[0], "the reference stands to the right, not overlapping"
    assert "reference" in win.viewport.caption.text()
    # The clock covers the longer of the two.
    assert win.clock.num_frames >= max(seq.num_frames, round(gt.duration * seq.fps))
    win.clock.last()
    assert ref.items.shown_frame == gt.num_frames - 1


def test_screenshot_is_written_and_not_blank(window, tmp_path) -> None:
    out = window.save_screenshot(tmp_path / "sub" / "shot.png")
    assert out.is_file() and out.stat().st_size > 10_000
    img = image_array(out)
    assert img.shape[1] == window.width() and img.shape[0] == window.height()
    view = window.viewport.view
    top_left = view.mapTo(window, view.rect().topLeft())
    region = img[top_left.y() : top_left.y() + view.height(), top_left.x() : top_left.x() + view.width()]
    assert region.std() > 5, "the viewport is blank"
    # The skeleton itself was rendered: pixels in the body colour (80, 160, 255) exist.
    body = (np.abs(region.astype(int) - (80, 160, 255)).sum(axis=2) < 60).sum()
    assert body > 50, f"only {body} body-coloured pixels"


def test_bad_file_in_the_open_window_shows_a_dialog(window, tmp_path, monkeypatch) -> None:
    from PySide6 import QtWidgets

    shown: list[str] = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "critical", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    bad = tmp_path / "broken.pose"
    bad.write_bytes(b"this is not a pose file")
    before = window.seq
    assert window.open_file(bad) is False
    assert len(shown) == 1 and "broken.pose" in shown[0] and "\n" not in shown[0]
    assert window.seq is before


def test_open_file_replaces_the_sequence(window, sample_file) -> None:
    assert window.open_file(sample_file)
    assert window.seq.meta["reference_kind"] == "user file"
    assert window.clock.frame == 0
    assert window.viewport.layers[0].items.shown_frame == 0
