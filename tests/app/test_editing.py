"""Editing in the studio under Xvfb: pick and drag a joint in the viewport (one drag = one undo
step, bone lengths kept, camera still), undo/redo through the undo stack, keyframes and flags on
the timeline, the smoothing preview, and recovery after the studio is killed mid-edit."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    """A window on a real word (upper50, with its lexicon reference) at 1300×850, its own settings
    and autosave folder (the shared corpus cache: it reads the word), an in-thread runner."""
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    word = corpus.words("ase", "test")[0]
    ref = corpus.word_sequence("ase", word, "upper50")
    return open_studio(ref, ref, size=(1300, 850), own_data=False)


def _mouse(view, kind: str, pos) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.pointer import send_mouse

    send_mouse(view, kind, pos)


def _bones(seq) -> np.ndarray:  # type: ignore[no-untyped-def]
    b = np.asarray(seq.skeleton.bones)
    return np.linalg.norm(seq.data[:, b[:, 1]] - seq.data[:, b[:, 0]], axis=-1)


def _drag(studio, qtbot, joint: int, dx: float, dy: float, steps: int = 6) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    view = studio.viewport.view
    start = studio.viewport.joint_pixel(joint)
    _mouse(view, "press", start)
    for k in range(1, steps + 1):
        _mouse(view, "move", start + QtCore.QPointF(dx * k / steps, dy * k / steps))
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):  # the drag's end re-scores the pair
        _mouse(view, "release", start + QtCore.QPointF(dx, dy))


def test_picking_hits_the_joint_drawn_under_the_pointer(studio) -> None:
    vp = studio.viewport
    studio.clock.frame = 30
    disp = vp.editable_display()
    assert disp is not None
    seq = disp.seq
    wrist = seq.skeleton.index("RWrist", "BODY")
    p = vp.joint_pixel(wrist)
    assert 0 < p.x() < vp.view.width() and 0 < p.y() < vp.view.height()
    assert vp.joint_at(p.x(), p.y()) == wrist
    # the ray through that pixel passes through the joint (the same matrices as the GL items)
    ray = vp.joint_ray(p.x(), p.y())
    point = disp.to_display(seq.data[30, wrist]).astype(np.float64)
    off = np.linalg.norm(np.cross(point - ray.origin, ray.direction))
    assert off < 1e-3 * np.linalg.norm(point - ray.origin)
    assert vp.joint_at(5, 5) is None  # the corner: nothing there


def test_dragging_a_wrist_is_one_undo_step_keeps_bones_and_camera(studio, qtbot) -> None:
    studio.set_editing(True)
    studio.clock.frame = 30
    before = studio.state.sequence
    wrist = before.skeleton.index("RWrist", "BODY")
    elbow = before.skeleton.index("RElbow", "BODY")
    camera = studio.viewport.view.camera()
    _drag(studio, qtbot, wrist, 40, -30)
    after = studio.state.sequence
    assert studio.viewport.view.camera() == camera  # the view did not jump while editing
    moved = np.abs(after.data - before.data).max(axis=(1, 2)) > 0
    assert moved[30] and moved.sum() == 1  # "this frame only", the default
    # it went right and up on screen: +x and -y in image coordinates
    delta = after.data[30, wrist] - before.data[30, wrist]
    assert delta[0] > 0 and delta[1] < 0
    assert not np.array_equal(after.data[30, elbow], before.data[30, elbow])  # the arm bent (IK)
    scale = float(np.abs(before.data).max())
    assert np.abs(_bones(after) - _bones(before)).max() < 1e-5 * max(1.0, scale)
    assert studio.undo_action.text() == "Undo move right wrist, frame 30"
    assert studio.editor.undo_stack.count() == 1  # six mouse moves, one step
    assert studio.windowTitle().startswith("• ")
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        qtbot.keyClick(studio, "z", modifier=_ctrl())
    assert np.array_equal(studio.state.sequence.data, before.data)
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        qtbot.keyClick(studio, "y", modifier=_ctrl())
    assert np.array_equal(studio.state.sequence.data, after.data)


def _ctrl():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt.KeyboardModifier.ControlModifier


def test_a_finger_fixed_on_three_frames_spreads_between_keyframes(studio, qtbot) -> None:
    """The done-when story: fix a fingertip on three frames, keyframes pin the frames around."""
    studio.set_editing(True)
    seq = studio.state.sequence
    tip = seq.skeleton.index("INDEX_FINGER_TIP", "RIGHT_HAND")
    studio.editor.set_spread("keyframes")
    for f in (20, 23, 26):
        studio.clock.frame = f
        studio.keyframe_action.trigger()
    assert studio.document.keyframes == {20, 23, 26}
    assert studio.timeline.slider.keyframes == [20, 23, 26]
    for f in (21, 22, 24):
        studio.clock.frame = f
        _drag(studio, qtbot, tip, 0, -12)
    after = studio.state.sequence
    moved = np.flatnonzero(np.abs(after.data - seq.data).max(axis=(1, 2)) > 0)
    assert set(moved.tolist()) <= {21, 22, 24, 25} and {21, 22, 24} <= set(moved.tolist())
    assert studio.document.keyframes == {20, 21, 22, 23, 24, 26}
    steps = studio.editor.undo_stack.count()
    for _ in range(3):
        studio.undo()
    assert studio.editor.undo_stack.count() == steps and studio.editor.undo_stack.index() == steps - 3
    assert np.array_equal(studio.state.sequence.data, seq.data)
    assert studio.document.keyframes == {20, 23, 26}


def test_escape_cancels_a_drag_and_flags_show_on_the_timeline(studio, qtbot) -> None:
    from PySide6 import QtCore

    studio.set_editing(True)
    studio.clock.frame = 10
    seq = studio.state.sequence
    wrist = seq.skeleton.index("LWrist", "BODY")
    view = studio.viewport.view
    start = studio.viewport.joint_pixel(wrist)
    _mouse(view, "press", start)
    _mouse(view, "move", start + QtCore.QPointF(30, 30))
    assert not np.array_equal(studio.state.sequence.data, seq.data)  # the views follow the drag
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Escape)
    _mouse(view, "release", start + QtCore.QPointF(30, 30))
    assert np.array_equal(studio.state.sequence.data, seq.data) and not studio.undo_action.isEnabled()
    studio.actions_by_name["flag_this_frame"].trigger()
    assert studio.timeline.slider.flags == {10: ""}  # no note: the tooltip says "flagged" alone
    assert studio.timeline.slider.mark_at(studio.timeline.slider.value_x(10)) == "frame 10 flagged"


def test_smoothing_is_previewed_then_applied_or_cancelled(studio, qtbot) -> None:
    from PySide6 import QtCore, QtWidgets

    seq = studio.state.sequence
    studio.clock.frame = 30

    def answer(apply: bool) -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "smooth_dialog"
        shown = studio.viewport.generated
        assert shown is not studio.state.sequence and not np.array_equal(shown.data, seq.data)  # preview
        assert np.array_equal(studio.state.sequence.data, seq.data)  # nothing applied yet
        (dialog.accept if apply else dialog.reject)()

    QtCore.QTimer.singleShot(300, lambda: answer(False))
    studio.actions_by_name["smooth"].trigger()
    assert np.array_equal(studio.viewport.generated.data, seq.data) and not studio.undo_action.isEnabled()
    QtCore.QTimer.singleShot(300, lambda: answer(True))
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        studio.actions_by_name["smooth"].trigger()
    assert studio.undo_action.text() == "Undo smooth, frames 18–42"  # the range around frame 30, named
    assert QtWidgets.QApplication.activeModalWidget() is None


def test_save_makes_the_document_clean_and_reopens_equal(studio, tmp_path) -> None:
    from signstudio.pose.formats import read_one

    studio.actions_by_name["fill_missing_points"].trigger()
    assert studio.document.dirty and studio.editor.autosave() is not None
    path = studio.save_document(tmp_path / "fixed.pose")
    assert path is not None and not studio.document.dirty and not studio.windowTitle().startswith("•")
    assert studio.editor.pending_recoveries() == []  # saved work needs no autosave
    back = read_one(path)
    assert np.allclose(back.data, studio.state.sequence.data, atol=1e-6)


CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from PySide6 import QtWidgets
    from signstudio.app.qt_boot import prepare_qt
    prepare_qt()
    app = QtWidgets.QApplication([])
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.store import open_corpus
    from signstudio.runner.service import Runner
    corpus = open_corpus(quiet=True)
    ref = corpus.word_sequence("ase", corpus.words("ase", "test")[0], "upper50")
    win = StudioWindow(ref, ref, bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    win.show()
    app.processEvents()
    doc = win.document
    wrist = ref.skeleton.index("RWrist", "BODY")
    doc.move_joint(12, wrist, ref.data[12, wrist] + 0.2, falloff=2)
    doc.flag(12, "wrist fixed")
    win.editor.autosave()
    # after the last autosave: journalled as each is committed, so kept (issue 18.7)
    doc.move_joint(40, wrist, ref.data[40, wrist] - 0.2)
    doc.flag(41, "undone")
    win.editor.undo()   # undo is an edit too: the flag is gone after recovery
    s = doc.sequence
    np.savez(sys.argv[1], data=s.data, confidence=s.confidence, filled=s.filled)
    doc.begin_batch("a drag in progress")   # not released when the studio dies: lost
    doc.move_joint(60, wrist, ref.data[60, wrist] + 0.3)
    print("autosaved", flush=True)
    while True:
        app.processEvents()
        time.sleep(0.02)
    """
)


def test_killed_mid_edit_the_next_start_offers_the_last_committed_edit(qtbot, tmp_path, monkeypatch) -> None:
    """The studio is killed (SIGKILL) mid-drag, after edits, an undo and a flag since its last
    30-second autosave: the next start offers the document as it was after the last committed
    edit (journal replayed onto the autosave), even with damaged files in the autosave folder."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    expected = tmp_path / "expected.npz"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(expected)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 180)  # never hang the suite on a stuck child
        line = child.stdout.readline() if ready else ""
        assert line.strip() == "autosaved", f"the studio did not start: {line!r}"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    (tmp_path / "autosave" / "cut.autosave.npz").write_bytes(b"PK\x03\x04 half an autosave")
    (tmp_path / "autosave" / "folder.autosave.npz").mkdir()

    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.recovery_bar.isVisible(), timeout=5000)
    assert (
        "frames" in win.recovery_bar.label.text() and "more after this" not in win.recovery_bar.label.text()
    )
    status = win.statusBar().currentMessage()
    assert "damaged autosave, skipped (at " in status and "(and 1 more damaged files)" in status
    with qtbot.waitSignal(win.scores_ready, timeout=60000):  # the restored pair is scored again
        win.recovery_bar.restore_button.click()
    assert not win.recovery_bar.isVisible()
    doc = win.document
    assert doc is not None and doc.dirty and doc.flags == {12: "wrist fixed"}
    want = np.load(expected)
    got = win.state.sequence
    for name in ("data", "confidence", "filled"):
        assert np.array_equal(getattr(got, name), want[name]), name
    assert win.state.reference is not None  # the pair comes back, not just the edited side
    win.close()
    # closing with unsaved work keeps it for the next start
    assert [p.name for p in Path(tmp_path / "autosave").iterdir()]


def test_an_edit_shows_in_the_generated_view_only(studio, qtbot) -> None:
    """The studio often shows a sequence beside itself (lookup's output is its reference): an
    edit must move the generated skeleton and leave the reference as it was."""
    vp = studio.viewport
    assert studio.state.sequence is studio.state.reference
    ref = studio.state.reference
    studio.set_editing(True)
    studio.clock.frame = 30
    _drag(studio, qtbot, ref.skeleton.index("RWrist", "BODY"), -50, -40)
    assert vp.main.display.seq is studio.state.sequence and vp.side.display.seq is ref
    assert vp.side.cloud._data is ref.data and vp.main.cloud._data is studio.state.sequence.data


def test_fix_a_finger_then_export_pose_eaf_mp4_bvh_metrics_and_reopen(studio, qtbot, tmp_path) -> None:
    """The issue's story end to end: fix a fingertip on three frames by dragging, undo and redo,
    export .pose, .eaf, mp4 (with the reference and the metric strip), BVH and per-frame
    metrics, and read each back with our readers (ELAN with pympi-ling)."""
    import imageio_ffmpeg
    from pympi import Elan

    from signstudio.app.dialogs.exports import export
    from signstudio.pose.formats import read_one
    from signstudio.runner.frame_metrics import read_frame_metrics

    seq = studio.state.sequence
    tip = seq.skeleton.index("INDEX_FINGER_TIP", "RIGHT_HAND")
    studio.set_editing(True)
    for f in (24, 25, 26):
        studio.clock.frame = f
        _drag(studio, qtbot, tip, 8, -10)
    fixed = studio.state.sequence
    moved = np.flatnonzero(np.abs(fixed.data - seq.data).max(axis=(1, 2)) > 0)
    assert moved.tolist() == [24, 25, 26]
    for _ in range(3):
        with qtbot.waitSignal(studio.scores_ready, timeout=30000):
            assert studio.undo()
    assert np.array_equal(studio.state.sequence.data, seq.data)
    for _ in range(3):
        with qtbot.waitSignal(studio.scores_ready, timeout=30000):
            assert studio.redo()
    assert np.array_equal(studio.state.sequence.data, fixed.data)

    pose = studio.save_document(tmp_path / "fixed.pose")
    assert pose is not None
    back = read_one(pose)
    assert back.num_frames == fixed.num_frames
    assert np.abs(back.data[24:27, tip] - fixed.data[24:27, tip]).max() < 1e-5

    eaf = export(studio, "eaf", tmp_path / "fixed.eaf")
    doc = Elan.Eaf(str(eaf))
    assert set(doc.get_tier_names()) >= {"text", "right hand", "left hand"}
    [(start, end, text)] = doc.get_annotation_data_for_tier("text")
    assert text == fixed.meta["text"] and start == 0 and end > 0
    letters = [a[2] for a in sorted(doc.get_annotation_data_for_tier("right hand"))]
    assert "".join(letters).lower() == str(fixed.meta["text"]).replace(" ", "").lower()
    assert any(Path(m.get("LINK_URL", "") or m.get("RELATIVE_LINK_URL", "")).name == "fixed.pose"
               for m in doc.linked_file_descriptors + doc.media_descriptors)  # fmt: skip

    video = export(studio, "video", tmp_path / "fixed.mp4", reference=True, strip=True)
    reader = imageio_ffmpeg.read_frames(str(video))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    assert frames == fixed.num_frames and meta["size"][1] > 360  # taller than the view: the strip

    bvh = export(studio, "bvh", tmp_path / "fixed.bvh")
    assert read_one(bvh).num_frames == fixed.num_frames

    csv = export(studio, "metrics", tmp_path / "fixed.csv")
    _summary, rows = read_frame_metrics(csv)
    assert len(rows) == fixed.num_frames and rows[25]["dtw_cost"] is not None


def test_save_as_skels_in_the_convention_asked_for(studio, tmp_path) -> None:
    from signstudio.pose.formats import read_one

    path = studio.save_document(tmp_path / "word.skels", format="p2s-legacy")
    assert path is not None
    back = read_one(path)
    assert back.meta.get("format") == "p2s-legacy" and back.num_frames == studio.state.sequence.num_frames
    studio.actions_by_name["flag_this_frame"].trigger()
    assert studio.save_document() == path  # Save again: same file, same convention
    assert read_one(path).meta.get("format") == "p2s-legacy"


def test_cut_frames_asks_for_the_range_and_is_one_undo_step(studio, qtbot) -> None:
    from PySide6 import QtCore, QtWidgets

    n = studio.state.sequence.num_frames
    studio.clock.frame = 10

    def answer() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dialog, QtWidgets.QDialog)
        first, last = dialog.findChildren(QtWidgets.QSpinBox)
        first.setValue(10)
        last.setValue(19)  # included: ten frames
        dialog.accept()

    QtCore.QTimer.singleShot(300, answer)
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        studio.actions_by_name["cut_frames"].trigger()
    assert studio.state.sequence.num_frames == n - 10 and studio.clock.num_frames == n - 10
    assert studio.undo_action.text() == "Undo cut, frames 10–19"
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        studio.undo()
    assert studio.state.sequence.num_frames == n
