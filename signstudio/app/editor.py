"""Pose editing in the studio: the document of the shown sequence, its undo stack, joint dragging
in the viewport, the Edit menu's tools, autosave and recovery.

The edit model is Qt-free (`signstudio.session.document.PoseDocument`); this module connects it to
the widgets:

* **Undo.** A `QUndoStack` mirrors the document's history: every new undo step of the document
  (``pushed``) becomes one `QUndoCommand` whose undo/redo call the document's. The Edit menu's
  Undo/Redo and the History panel (a `QUndoView`) go through the stack, so they agree.
* **Dragging.** With *Edit joints* on (E), a click on a joint of the generated skeleton picks it
  (ray picking in `Viewport`) and a drag moves it in the view plane — X, Y or Z lock the move to
  that axis, Esc cancels. A drag is one batch of the document: every mouse move takes back the
  batch and applies one move from where the drag began, and the release makes it one undo step.
  How far the move reaches in time is the *Drag reaches* choice: this frame, neighbouring frames
  with a linear falloff, or up to the neighbouring keyframes. A dragged wrist bends the elbow
  (two-bone IK) when *Wrist drags bend the elbow* is on; any other joint turns its bone and the
  joints below follow. Bone lengths never change. On a small figure (shoulders drawn under
  `FINE_BODY_PX` wide: zoomed out, a 1366×768 window) a drag moves the joint that share of the
  pointer's move (`_gain`, from the pixel size at the joint), so a 30-px drag stays a small,
  controllable move instead of swinging the hand into the face.
* **History.** Each step names its frame ("move right wrist, frame 12", "flag frame 30");
  undo and redo — menu, keys or a click in History — take the clock to the frame the step
  edited (`Command.focus`), so the change is in view.
* **Live update.** While a drag goes on, the window shows each new pose in place (same camera,
  same normalisation: `Viewport.replace_generated`); when it ends, the pair is re-scored off the
  GUI thread (signal ``sequence_edited(seq, final)``).
* **Autosave.** Every ``autosave_seconds`` (default 30) unsaved work is written atomically to
  the autosave folder (`signstudio.session.autosave`). A document with unsaved work that is
  replaced (a new generation, an opened file) or left open at quit is autosaved once more and
  kept; at the next start the window offers to restore it (`pending_recoveries`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui

from signstudio.pose.sequence import PoseSequence
from signstudio.session.actions import SPREADS
from signstudio.session.autosave import Autosaver, Recovery
from signstudio.session.document import Command, PoseDocument
from signstudio.session.geometry import joint_label

AUTOSAVE_SECONDS = 30
#: The reason Edit → Flag this frame gives a flag (the tooltip shows the frame's note instead).
DEFAULT_FLAG = "flagged"
#: Shoulder width on screen (pixels) below which a drag moves a joint less than the pointer.
FINE_BODY_PX = 250.0


class _Step(QtGui.QUndoCommand):
    """One undo step of the document, already done when it is pushed (the first redo is skipped)."""

    def __init__(self, doc: PoseDocument, label: str) -> None:
        super().__init__(label)
        self._doc = doc
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._doc.redo()

    def undo(self) -> None:
        self._doc.undo()


class PoseEditor(QtCore.QObject):
    """See the module docstring. ``status(text, ms)`` shows a line in the window's status bar."""

    #: (sequence, final): the edited sequence to show; final is False while a drag goes on
    sequence_edited = QtCore.Signal(object, bool)
    #: (keyframes sorted, flags {frame: text}) of the document, for the timeline's marks
    marks_changed = QtCore.Signal(object, object)
    #: a document was adopted or restored (None: nothing to edit)
    document_changed = QtCore.Signal(object)
    #: the document's unsaved state changed (for the window title)
    dirty_changed = QtCore.Signal(bool)

    def __init__(
        self,
        viewport: Any,
        clock: Any,
        settings: Any,
        status: Callable[[str, int], None],
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.viewport = viewport
        self.clock = clock
        self.settings = settings
        self._status = status
        self.document: PoseDocument | None = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.autosaver = Autosaver()
        self.autosave_name = "untitled"
        self.saved_path: Path | None = None  # where Save writes (None: ask)
        self.saved_format: str | None = None  # the format id it was saved as (None: by extension)
        self._source: PoseSequence | None = None  # the sequence on screen that the document made
        self._drag_joint: int | None = None
        self._drag_offset = np.zeros(3)
        self._drag_start = np.zeros(3)  # the dragged joint where the drag began (raw)
        self._drag_gain = 1.0  # share of the pointer's move applied (`_gain`)
        spread = str(settings.get("edit_spread", "frame"))
        self.spread = spread if spread in SPREADS else "frame"
        self.falloff = int(settings.get("edit_falloff", 6))
        self.arm_ik = bool(settings.get("edit_arm_ik", True))
        self.autosave_timer = QtCore.QTimer(self)
        self.autosave_timer.setInterval(int(float(settings.get("autosave_seconds", AUTOSAVE_SECONDS)) * 1000))
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

        viewport.joint_picked.connect(self._on_picked)
        viewport.joint_drag_started.connect(self._on_drag_started)
        viewport.joint_dragged.connect(self._on_dragged)
        viewport.joint_drag_finished.connect(self._on_drag_finished)
        viewport.drag_axis_changed.connect(self._on_axis)

    # ---- documents -------------------------------------------------------------------------
    def adopt(self, seq: PoseSequence | None, reference: PoseSequence | None, name: str = "untitled") -> None:
        """The sequence now on screen: the document's own edit (kept), or a new sequence from
        outside (a new document; unsaved work of the old one is autosaved and kept)."""
        if seq is not None and seq is self._source and self.document is not None:
            self.document.reference = reference
            return
        self._keep_unsaved()
        if seq is None:
            self._set_document(None)
            return
        self._set_document(PoseDocument(seq, reference))
        self._source = seq
        self.saved_path = None
        self.autosave_name = f"{_slug(name)}-{time.strftime('%Y%m%d-%H%M%S')}"

    def restore(self, recovery: Recovery) -> PoseDocument:
        """Load an autosave as the document (the window then shows ``document.sequence``)."""
        doc = self.autosaver.restore(recovery.path)
        self._keep_unsaved()
        self._set_document(doc)
        self._source = None  # the window shows doc.sequence next; `claim` ties it to the document
        self.autosave_name = recovery.name
        self.saved_path = None
        return doc

    def claim(self, seq: PoseSequence) -> None:
        """``seq`` (made from the document, e.g. after `restore`) is the document on screen."""
        self._source = seq

    def _set_document(self, doc: PoseDocument | None) -> None:
        self.undo_stack.clear()
        self.document = doc
        if doc is not None:
            doc.pushed.connect(lambda label, d=doc: self._on_pushed(d, label))
            doc.changed.connect(lambda frames, d=doc: self._on_changed(d, frames, final=True))
            doc.edited.connect(lambda frames, d=doc: self._on_changed(d, frames, final=False))
            doc.dirty_changed.connect(lambda dirty, d=doc: self._on_dirty(d, dirty))
            doc.selection_changed.connect(lambda joint, d=doc: self._on_selection(d, joint))
            doc.committed.connect(lambda op, cmd, d=doc: self._on_committed(d, op, cmd))
        self.viewport.set_selected_joint(None)
        self.document_changed.emit(doc)
        self.dirty_changed.emit(doc is not None and doc.dirty)
        self._emit_marks()

    def _on_dirty(self, doc: PoseDocument, dirty: bool) -> None:
        if doc is self.document:
            self.dirty_changed.emit(dirty)

    def _on_selection(self, doc: PoseDocument, joint: int | None) -> None:
        if doc is self.document:
            self.viewport.set_selected_joint(joint)

    def _on_committed(self, doc: PoseDocument, op: str, cmd: Command) -> None:
        """Undo and redo (menu, keys or a click in History) take the clock to the frame the step
        edited, so the change is in view."""
        if doc is not self.document or op == "edit":
            return
        frame = cmd.focus()
        if frame is not None and frame != self.clock.frame:
            self.clock.pause()
            self.clock.seek(frame)

    def _keep_unsaved(self) -> None:
        doc = self.document
        if doc is not None and doc.dirty:
            if doc.in_batch:
                doc.end_batch()
            try:
                self.autosaver.save(doc, self.autosave_name, force=True)
            except OSError as exc:
                self._status(f"Autosave failed: {exc}", 10000)
        elif doc is not None:
            self.autosaver.discard(self.autosaver.path_for(self.autosave_name))

    def _on_pushed(self, doc: PoseDocument, label: str) -> None:
        if doc is self.document:
            self.undo_stack.push(_Step(doc, label))

    def _on_changed(self, doc: PoseDocument, _frames: object, final: bool) -> None:
        if doc is not self.document:
            return
        if not final and not doc.in_batch:
            return  # a single edit: its `changed` follows at once and shows it
        seq = doc.sequence
        self._source = seq
        self.sequence_edited.emit(seq, final)
        if final:
            self._emit_marks()

    def _emit_marks(self) -> None:
        """The timeline's marks: keyframes, and each flag with what a person wrote about the frame
        (the flag's own reason unless it is the default, and the frame's note) for its tooltip."""
        doc = self.document
        if doc is None:
            self.marks_changed.emit([], {})
            return
        tips = {}
        for f, reason in doc.flags.items():
            said = [t for t in (reason if reason != DEFAULT_FLAG else "", doc.notes.get(f, "")) if t]
            tips[f] = " — ".join(dict.fromkeys(said))
        self.marks_changed.emit(sorted(doc.keyframes), tips)

    # ---- undo ------------------------------------------------------------------------------
    def undo(self) -> bool:
        if not self.undo_stack.canUndo():
            return False
        self.undo_stack.undo()
        return True

    def redo(self) -> bool:
        if not self.undo_stack.canRedo():
            return False
        self.undo_stack.redo()
        return True

    def apply(self, tool: Callable[[PoseDocument, int], object]) -> bool:
        """Run an edit tool on the document at the current frame; a refused edit says why."""
        if self.document is None:
            self._status("Nothing to edit: generate or open a sequence first", 6000)
            return False
        try:
            tool(self.document, self.clock.frame)
        except ValueError as exc:
            self._status(f"Cannot edit: {exc}", 8000)
            return False
        return True

    # ---- dragging --------------------------------------------------------------------------
    def set_spread(self, spread: str) -> None:
        if spread not in SPREADS:
            raise ValueError(f"spread must be one of {tuple(SPREADS)}, got {spread!r}")
        self.spread = spread
        self.settings.set("edit_spread", spread)

    def set_falloff(self, frames: int) -> None:
        self.falloff = max(1, int(frames))
        self.settings.set("edit_falloff", self.falloff)

    def set_arm_ik(self, on: bool) -> None:
        self.arm_ik = bool(on)
        self.settings.set("edit_arm_ik", self.arm_ik)

    def _name(self, joint: int) -> str:
        doc = self.document
        return joint_label(doc.sequence.skeleton.joints[joint]) if doc is not None else str(joint)

    def _on_picked(self, joint: int) -> None:
        if self.document is None:
            return
        self.document.select(joint)
        self._status(
            f"Picked {self._name(joint)} · drag to move it ({SPREADS[self.spread].lower()}); "
            "X/Y/Z lock an axis, Esc cancels",
            8000,
        )

    def _handle(self, joint: int) -> int:
        """The joint a drag of ``joint`` moves: a hand's wrist point that sits on the body's wrist
        (a bone far shorter than the one above it) moves with that wrist, arm and all."""
        doc = self.document
        assert doc is not None
        parents = doc.parents
        parent = int(parents[joint])
        if parent < 0 or parents[parent] < 0:
            return joint
        x = doc.frame_data(self.clock.frame)
        bone = np.linalg.norm(x[joint] - x[parent])
        above = np.linalg.norm(x[parent] - x[parents[parent]])
        return parent if bone < 0.25 * above else joint

    def _on_drag_started(self, joint: int) -> None:
        doc = self.document
        if doc is None:
            return
        self.clock.pause()
        handle = self._handle(joint)
        x = doc.frame_data(self.clock.frame)
        self._drag_joint = handle
        self._drag_offset = (x[handle] - x[joint]).astype(np.float64)
        self._drag_start = x[joint].astype(np.float64)
        self._drag_gain = self._gain(doc, joint)
        doc.begin_batch(f"move {self._name(handle)}, frame {self.clock.frame}")

    def _on_dragged(self, joint: int, target: np.ndarray) -> None:
        doc = self.document
        if doc is None or self._drag_joint is None or not doc.in_batch:
            return
        handle = self._drag_joint
        reach = self.arm_ik and "wrist" in self._name(handle) and "hand" not in self._name(handle)
        doc.rollback_batch()
        step = (np.asarray(target, np.float64) - self._drag_start) * self._drag_gain
        try:
            doc.move_joint(
                self.clock.frame,
                handle,
                self._drag_start + step + self._drag_offset,
                falloff=self.falloff if self.spread == "falloff" else 0,
                between_keyframes=self.spread == "keyframes",
                reach=reach,
            )
        except ValueError as exc:
            self._status(f"Cannot move {self._name(handle)}: {exc}", 6000)

    def _gain(self, doc: PoseDocument, joint: int) -> float:
        """How much of the pointer's move a drag applies: 1 (the joint follows the pointer) while
        the shoulders are drawn at least `FINE_BODY_PX` wide; on a smaller figure (zoomed out, a
        small window) less, so that a pixel never moves the joint more than
        1 / `FINE_BODY_PX` of the shoulder width — a 30-px drag on a figure 100 px wide moves the
        wrist 0.12 shoulder widths, not 0.3 (which swings the hand into the face)."""
        from signstudio.app.pointer import pixel_size
        from signstudio.pose.transforms import normalisation_of

        try:
            pixel = pixel_size(self.viewport, joint)
            _origin, shoulders = normalisation_of(doc.sequence)
        except (ValueError, AttributeError, np.linalg.LinAlgError):
            return 1.0  # no shoulders, nothing shown: the joint follows the pointer
        if pixel is None:
            return 1.0
        drawn = shoulders / pixel  # shoulder width on screen, pixels
        return float(min(1.0, drawn / FINE_BODY_PX))

    def _on_drag_finished(self, _joint: int, committed: bool) -> None:
        doc = self.document
        self._drag_joint = None
        if doc is None or not doc.in_batch:
            return
        if not committed:
            doc.rollback_batch()
            self._status("Move cancelled", 4000)
        doc.end_batch()

    def _on_axis(self, axis: str) -> None:
        from signstudio.session.camera import AXIS_NAMES

        where = f"along {axis} ({AXIS_NAMES[axis]})" if axis else "in the view plane"
        self._status(f"Dragging {where} · X/Y/Z lock an axis (again: unlock), Esc cancels", 6000)

    # ---- autosave and recovery -------------------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the document's unsaved work now (nothing when it is saved or mid-drag)."""
        doc = self.document
        if doc is None or not doc.dirty or doc.in_batch:
            return None
        try:
            path = self.autosaver.save(doc, self.autosave_name)
        except OSError as exc:
            self._status(f"Autosave failed: {exc}", 10000)
            return None
        return path

    def pending_recoveries(self) -> list[Recovery]:
        return self.autosaver.pending()

    def saved(self, path: Path, format_name: str | None = None) -> None:
        """The document was written to ``path`` (as ``format_name``) by the user: clean, its
        autosave gone, and the sequence on screen now says it is that file (the view's caption
        and the export dialogs' names follow a Save as)."""
        doc = self.document
        if doc is not None:
            doc.mark_saved()
            if format_name is not None:
                doc.set_origin({"source": str(path), "format": format_name})
                seq = doc.sequence
                self._source = seq
                self.sequence_edited.emit(seq, False)  # shown in place, not scored again
        self.autosaver.discard(self.autosaver.path_for(self.autosave_name))
        self.saved_path = path

    def closing(self) -> None:
        """The window closes: unsaved work stays in an autosave for the next start."""
        self.autosave_timer.stop()
        self._keep_unsaved()


def _slug(name: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in name.strip().lower())
    return "-".join(p for p in keep.split("-") if p)[:40] or "untitled"


__all__ = ["SPREADS", "PoseEditor"]
