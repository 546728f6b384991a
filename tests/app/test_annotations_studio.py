"""Annotations in the studio, with real key and mouse events under Xvfb (issue 20, items 4 and
9): a flag and a note survive Save as .pose and reopening; the flag's tooltip is the note; a
save to a format that drops them asks first; after Save as the view's caption and the .eaf
dialog's name follow; undo and redo go to the edited frame and History names it; a wrist drag on
a small figure moves the wrist less than the pointer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    """A window on a real word (upper50, with its lexicon reference), its own settings and
    autosave folder, an in-thread runner; modal questions are asked (quiet_errors off)."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.store import open_corpus
    from signstudio.runner.service import Runner

    corpus = open_corpus(quiet=True)
    word = corpus.words("ase", "test")[0]
    ref = corpus.word_sequence("ase", word, "upper50")
    gen = ref.replace(meta_update={"reference_kind": "generated", "model": "nar-kd"})
    win = StudioWindow(gen, ref, bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    assert win.wait_painted()
    # the pair's first scores are in (they come from a worker thread and change the layout: a
    # test that starts before them races their repaint)
    qtbot.waitUntil(lambda: win.controller.scores is not None, timeout=60000)
    qtbot.wait(50)
    yield win
    win.clock.pause()
    win.close()


def _answer_modal(qtbot, act: Callable[[QtWidgets.QWidget], None], seen: list) -> None:  # type: ignore[no-untyped-def]
    """Answer the next modal dialog with ``act`` (from a timer: the dialog runs its own loop)."""

    def poll() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():  # answered before it is shown, it may ignore it
            QtCore.QTimer.singleShot(50, poll)
            return
        seen.append(dialog)
        act(dialog)

    QtCore.QTimer.singleShot(50, poll)


def _key(qtbot, studio, key, modifier=QtCore.Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(studio.viewport.view, key, modifier)


def _flag_and_note(qtbot, studio, frame: int, note: str) -> None:  # type: ignore[no-untyped-def]
    studio.clock.frame = frame
    _key(qtbot, studio, QtCore.Qt.Key.Key_F)  # Edit → Flag this frame
    seen: list = []

    def write_note(dialog: QtWidgets.QWidget) -> None:
        assert isinstance(dialog, QtWidgets.QInputDialog)
        dialog.setTextValue(note)
        dialog.accept()

    _answer_modal(qtbot, write_note, seen)
    studio.actions_by_name["note_on_this_frame"].trigger()
    assert seen


def _save_as(qtbot, studio, path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list = []

    def choose(dialog: QtWidgets.QWidget) -> None:
        assert isinstance(dialog, QtWidgets.QFileDialog)
        dialog.selectFile(str(path))
        dialog.accept()

    # a window shortcut needs the window active again after the note's dialog (no window manager
    # under Xvfb hands the activation back at once)
    studio.activateWindow()
    qtbot.waitUntil(studio.isActiveWindow, timeout=5000)
    _answer_modal(qtbot, choose, seen)
    _key(
        qtbot,
        studio,
        QtCore.Qt.Key.Key_S,
        QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)  # a cold first start takes its time
    assert seen, "Ctrl+Shift+S opened no dialog"


def test_flag_and_note_survive_save_as_pose_and_reopening(studio, qtbot, tmp_path) -> None:
    from signstudio.app.viewport.captions import describe

    _flag_and_note(qtbot, studio, 12, "the thumb crosses the palm")
    slider = studio.timeline.slider
    assert slider.mark_at(slider.value_x(12)) == "frame 12 flagged: the thumb crosses the palm"
    assert studio.windowTitle().startswith("• ")
    path = tmp_path / "mine.pose"
    _save_as(qtbot, studio, path)
    assert path.is_file() and (tmp_path / "mine.pose.signstudio.json").is_file()
    assert not studio.windowTitle().startswith("• ")  # the unsaved mark clears ...
    # ... and the view now says which file it is
    assert "saved file mine.pose" in describe(studio.viewport.generated)
    assert "mine.pose" in studio.viewport.title.text()

    studio.open_file(path)
    qtbot.waitUntil(
        lambda: studio.document is not None and studio.document.sequence.meta.get("source") == str(path)
    )
    doc = studio.document
    assert doc.flags == {12: "flagged"} and doc.notes == {12: "the thumb crosses the palm"}
    assert not doc.dirty
    assert slider.mark_at(slider.value_x(12)) == "frame 12 flagged: the thumb crosses the palm"
    seq = studio.state.sequence
    assert seq.meta["model"] == "nar-kd" and seq.meta["segments"] and seq.meta["text"]
    assert "generated · nar-kd" in describe(seq)[0]  # not "user file": the word and model came back


def test_eaf_dialog_offers_the_saved_name_and_holds_the_flag(studio, qtbot, tmp_path) -> None:
    from pympi.Elan import Eaf

    _flag_and_note(qtbot, studio, 20, "check the handshape")
    studio.save_document(tmp_path / "lesson.pose")
    offered: list[str] = []

    def take_name(dialog: QtWidgets.QWidget) -> None:
        assert isinstance(dialog, QtWidgets.QFileDialog)
        line = dialog.findChild(QtWidgets.QLineEdit)
        offered.append(line.text())
        dialog.selectFile(str(tmp_path / "lesson.eaf"))
        dialog.accept()

    _answer_modal(qtbot, take_name, [])
    studio.actions_by_name["elan_annotations_(.eaf)"].trigger()
    assert offered == ["lesson.eaf"]  # the Save-as name, not the word's
    eaf = Eaf(str(tmp_path / "lesson.eaf"))
    [(start, end, text)] = eaf.get_annotation_data_for_tier("flags")
    fps = studio.state.sequence.fps
    assert text == "check the handshape" and start == round(1000 * 20 / fps) and end == round(1000 * 21 / fps)


def test_saving_to_a_format_that_drops_annotations_asks_first(studio, qtbot, tmp_path) -> None:
    _flag_and_note(qtbot, studio, 5, "keep me")
    target = tmp_path / "w.skels"
    seen: list = []

    def cancel(dialog: QtWidgets.QWidget) -> None:
        assert dialog.objectName() == "lossy_save_dialog"
        assert isinstance(dialog, QtWidgets.QMessageBox)
        assert "1 flag" in dialog.text() and "1 note" in dialog.text() and "letter segment" in dialog.text()
        dialog.button(QtWidgets.QMessageBox.StandardButton.Cancel).click()

    _answer_modal(qtbot, cancel, seen)
    assert studio.save_document(target) is None
    assert seen and not target.exists() and studio.document.dirty
    assert "Not saved" in studio.statusBar().currentMessage()

    def save(dialog: QtWidgets.QWidget) -> None:
        dialog.button(QtWidgets.QMessageBox.StandardButton.Save).click()

    _answer_modal(qtbot, save, seen)
    assert studio.save_document(target) == target and target.exists()
    assert "without 1 flag" in studio.statusBar().currentMessage()
    # .pose keeps everything: no question
    assert studio.save_document(tmp_path / "w.pose") == tmp_path / "w.pose" and len(seen) == 2


def test_undo_and_redo_go_to_the_edited_frame_and_history_names_it(studio, qtbot) -> None:
    from signstudio.app.pointer import drag

    studio.clock.frame = 12
    _key(qtbot, studio, QtCore.Qt.Key.Key_F)
    studio.set_editing(True)
    studio.clock.frame = 30
    seq = studio.state.sequence
    wrist = seq.skeleton.index("RWrist", "BODY")
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        drag(studio.viewport.view, studio.viewport.joint_pixel(wrist), 20, -20)
    stack = studio.editor.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["flag frame 12", "move right wrist, frame 30"]
    _key(qtbot, studio, QtCore.Qt.Key.Key_Home)
    assert studio.clock.frame == 0
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        _key(qtbot, studio, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert studio.clock.frame == 30 and np.array_equal(studio.state.sequence.data, seq.data)
    _key(qtbot, studio, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert studio.clock.frame == 12 and studio.document.flags == {}
    _key(qtbot, studio, QtCore.Qt.Key.Key_End)
    _key(qtbot, studio, QtCore.Qt.Key.Key_Y, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert studio.clock.frame == 12 and studio.document.flags == {12: "flagged"}
    assert studio.undo_action.text() == "Undo flag frame 12"
    assert studio.redo_action.text() == "Redo move right wrist, frame 30"


def _shoulders_px(studio) -> float:  # type: ignore[no-untyped-def]
    seq = studio.state.sequence
    a = studio.viewport.joint_pixel(seq.skeleton.index("RShoulder", "BODY"))
    b = studio.viewport.joint_pixel(seq.skeleton.index("LShoulder", "BODY"))
    return float(np.hypot(a.x() - b.x(), a.y() - b.y()))


def test_a_30px_wrist_drag_on_a_small_figure_moves_the_wrist_less(studio, qtbot) -> None:
    from signstudio.app.editor import FINE_BODY_PX
    from signstudio.app.pointer import drag

    studio.set_editing(True)
    studio.clock.frame = 30
    seq = studio.state.sequence
    wrist = seq.skeleton.index("RWrist", "BODY")
    view = studio.viewport.view
    for _ in range(40):  # zoom out with the wheel until the figure is small
        if _shoulders_px(studio) < 0.5 * FINE_BODY_PX:
            break
        pos = QtCore.QPointF(view.width() / 2, view.height() / 2)
        event = _wheel(view, pos, -120)
        QtWidgets.QApplication.sendEvent(view, event)
        qtbot.wait(10)
    drawn = _shoulders_px(studio)
    assert drawn < 0.5 * FINE_BODY_PX, f"the wheel did not zoom out ({drawn:.0f} px)"
    start = studio.viewport.joint_pixel(wrist)
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        drag(view, start, 30, 0)
        # measured at once, in the projection the drag was made in: the new scores may change the
        # layout (and so the view's size and every pixel) before they are in
        end = studio.viewport.joint_pixel(wrist)
    moved = float(np.hypot(end.x() - start.x(), end.y() - start.y()))
    expected = 30 * drawn / FINE_BODY_PX
    assert abs(moved - expected) < 0.25 * expected + 1.0, (moved, expected, drawn)
    width = np.linalg.norm(seq.data[30, 2] - seq.data[30, 5])
    step = np.linalg.norm(studio.state.sequence.data[30, wrist] - seq.data[30, wrist]) / width
    assert step < 30 / FINE_BODY_PX * 1.25  # at most 0.15 shoulder widths for 30 px


def _wheel(view, pos, delta: int):  # type: ignore[no-untyped-def]
    from PySide6 import QtGui

    return QtGui.QWheelEvent(
        pos,
        view.mapToGlobal(pos),
        QtCore.QPoint(0, 0),
        QtCore.QPoint(0, delta),
        QtCore.Qt.MouseButton.NoButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
        QtCore.Qt.ScrollPhase.NoScrollPhase,
        False,
    )
