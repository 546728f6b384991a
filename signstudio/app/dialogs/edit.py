"""The Edit menu's tools and the dialogs that ask for their numbers: fill, mirror, flag, keyframe,
falloff, trim/cut a frame range, insert a hold, a note, smoothing with a live preview.

Each tool is one undo step of the document (`PoseEditor.apply`), on the current frame of the
window's clock or a range asked for (frames as the timeline shows them, the last one included).

    smooth_dialog(window)       # the views preview the smoothed range until Apply or Cancel
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from PySide6 import QtGui, QtWidgets

from signstudio.app.dialogs.common import as_parent, ask, ask_int
from signstudio.app.editor import DEFAULT_FLAG, PoseEditor
from signstudio.app.viewport import Viewport
from signstudio.session.clock import Clock
from signstudio.session.document import PoseDocument
from signstudio.session.studio import StudioState

Tool = Callable[[PoseDocument, int], object]  # (document, current frame) -> anything


class EditHost(Protocol):
    """What the edit tools use of the studio window (`signstudio.app.window.StudioWindow`)."""

    editor: PoseEditor
    clock: Clock
    viewport: Viewport
    state: StudioState
    keyframe_action: QtGui.QAction
    spread_actions: dict[str, QtGui.QAction]


#: The one-step tools on the whole sequence or the current frame, by the name the menu passes.
ONE_STEP_TOOLS: dict[str, Tool] = {
    "fill_missing": lambda d, _f: d.fill_missing(),
    "mirror": lambda d, _f: d.mirror(0, d.num_frames),
    "flag": lambda d, f: d.flag(f, DEFAULT_FLAG),
}


def edit_tool(window: EditHost, name: str) -> None:
    """Edit → Fill missing points / Mirror left and right / Flag this frame."""
    window.editor.apply(ONE_STEP_TOOLS[name])


def toggle_keyframe(window: EditHost) -> None:
    """Edit → Keyframe this frame: pin or unpin the current frame (the menu's check follows)."""
    doc = window.editor.document
    if doc is None:
        return
    on = window.clock.frame not in doc.keyframes
    window.editor.apply(lambda d, f: d.set_keyframe(f, on))
    window.keyframe_action.setChecked(window.clock.frame in doc.keyframes)


def falloff_dialog(window: EditHost) -> None:
    """Edit → Drag reaches → Falloff frames…: the reach, and falloff becomes the spread."""
    editor = window.editor
    frames = ask_int(
        as_parent(window), "Falloff", "Frames on either side a move reaches:", editor.falloff, 1, 500
    )
    if frames is not None:
        editor.set_falloff(frames)
        editor.set_spread("falloff")
        window.spread_actions["falloff"].setChecked(True)


def frame_range(
    parent: QtWidgets.QWidget | None, num_frames: int, title: str, label: str, start: int, stop: int
) -> tuple[int, int] | None:
    """Ask for frames [from, to] (inclusive, as shown on the timeline), offering [start, stop);
    the answer as a half-open range, None when cancelled."""
    dialog = QtWidgets.QDialog(parent)
    dialog.setWindowTitle(title)
    form = QtWidgets.QFormLayout(dialog)
    first, last = QtWidgets.QSpinBox(dialog), QtWidgets.QSpinBox(dialog)
    for box, value in ((first, start), (last, stop - 1)):
        box.setRange(0, num_frames - 1)
        box.setValue(min(max(value, 0), num_frames - 1))
    form.addRow(QtWidgets.QLabel(label, dialog))
    form.addRow("From frame", first)
    form.addRow("To frame (included)", last)
    if not ask(dialog, form):
        return None
    a, b = sorted((first.value(), last.value()))
    return a, b + 1


def range_tool(window: EditHost, title: str) -> None:
    """Trim or Cut over a range of frames asked for (from this frame on, ten by default)."""
    label, tool = {
        "Trim": ("Keep frames", lambda d, a, b: d.trim(a, b)),
        "Cut": ("Remove frames", lambda d, a, b: d.cut(a, b)),
    }[title]
    clock = window.clock
    f = clock.frame
    picked = frame_range(as_parent(window), clock.num_frames, title, label, f, min(f + 10, clock.num_frames))
    if picked is not None:
        window.editor.apply(lambda d, _f: tool(d, *picked))


def hold_dialog(window: EditHost) -> None:
    """Edit → Insert hold…: repeat the current frame for a number of frames asked for."""
    prompt = f"Hold frame {window.clock.frame} for how many more frames?"
    frames = ask_int(as_parent(window), "Insert hold", prompt, 5, 1, 1000)
    if frames is not None:
        window.editor.apply(lambda d, f: d.insert_hold(f, frames))


def note_dialog(window: EditHost) -> None:
    """Edit → Note on this frame…: a free-text note (an empty one removes it)."""
    doc = window.editor.document
    if doc is None:
        return
    f = window.clock.frame
    text, ok = QtWidgets.QInputDialog.getMultiLineText(
        as_parent(window), "Note", f"Note on frame {f}:", doc.notes.get(f, "")
    )
    if ok:
        window.editor.apply(lambda d, _f: d.note(f, text.strip() or None))


class SmoothForm(QtWidgets.QDialog):
    """Smooth's dialog (object name ``smooth_dialog``): frames from/to (inclusive), the window
    (odd), a line saying what the preview changes, Apply and Cancel."""

    def __init__(self, parent: QtWidgets.QWidget | None, frame: int, num_frames: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Smooth (preview)")
        self.setObjectName("smooth_dialog")
        form = QtWidgets.QFormLayout(self)
        self.first, self.last, self.length = (QtWidgets.QSpinBox(self) for _ in range(3))
        self.first.setRange(0, num_frames - 1)
        self.last.setRange(0, num_frames - 1)
        self.first.setValue(max(0, frame - 12))
        self.last.setValue(min(num_frames - 1, frame + 12))
        self.length.setRange(3, 51)
        self.length.setSingleStep(2)
        self.length.setValue(7)
        form.addRow("From frame", self.first)
        form.addRow("To frame (included)", self.last)
        form.addRow("Window (frames, odd)", self.length)
        self.note = QtWidgets.QLabel(self)
        form.addRow(self.note)
        std = QtWidgets.QDialogButtonBox.StandardButton
        buttons = QtWidgets.QDialogButtonBox(std.Apply | std.Cancel)
        buttons.button(std.Apply).clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> tuple[int, int, int]:
        """(start, stop, window): the half-open frame range and the odd window length."""
        a, b = sorted((self.first.value(), self.last.value()))
        return a, b + 1, self.length.value() | 1


def smooth_dialog(window: EditHost) -> None:
    """Smoothing with a preview: the views show the smoothed range while the dialog is open;
    Apply makes it one undo step, Cancel puts the sequence back as it was."""
    doc = window.editor.document
    if doc is None:
        return
    dialog = SmoothForm(as_parent(window), window.clock.frame, window.clock.num_frames)
    original = doc.sequence

    def preview() -> None:
        try:
            frames, data = doc.smoothed(*dialog.chosen())
        except ValueError as exc:
            dialog.note.setText(str(exc))
            return
        shown = original.data.copy()
        shown[frames] = data
        moved = float(np.abs(data - original.data[frames]).max()) if len(frames) else 0.0
        dialog.note.setText(f"Preview: {len(frames)} frames, largest change {moved:.3g}")
        window.viewport.replace_generated(original.replace(data=shown))

    for box in (dialog.first, dialog.last, dialog.length):
        box.valueChanged.connect(lambda _v: preview())
    preview()
    accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
    window.viewport.replace_generated(window.state.sequence or original)  # the preview ends
    if accepted:
        start, stop, length = dialog.chosen()
        window.editor.apply(lambda d, _f: d.smooth(start, stop, length))


__all__ = [
    "ONE_STEP_TOOLS",
    "EditHost",
    "SmoothForm",
    "edit_tool",
    "falloff_dialog",
    "frame_range",
    "hold_dialog",
    "note_dialog",
    "range_tool",
    "smooth_dialog",
    "toggle_keyframe",
]
