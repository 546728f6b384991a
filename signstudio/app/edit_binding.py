"""The edited document on the studio window (`signstudio.app.editor.PoseEditor` does the editing):
the shown sequence adopted as the document, the undo/redo and edit-tool actions kept in step with
it, the window title with its dirty mark, joint-editing mode, and unsaved work of an earlier
session offered back.

Every committed edit of the document (an edit, a drag on release, an undo, a redo) is journalled
beside its autosave as it is committed (`signstudio.session.autosave`): a crash loses at most the
drag in progress, not the edits since the last 30-second snapshot. Damaged files in the autosave
folder are skipped; the status bar names them in one line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.editor import PoseEditor
from signstudio.app.recovery import RecoveryBar
from signstudio.app.viewport import Viewport
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.autosave import Recovery
from signstudio.session.clock import Clock
from signstudio.session.controller import SAVE_FORMATS, save_format_for
from signstudio.session.document import Command, PoseDocument
from signstudio.session.studio import StudioState

EDIT_JOINTS_HINT = (
    "Edit joints: click a joint of the generated skeleton, drag to move it; "
    "elsewhere the mouse turns the camera as usual"
)


def title_of(seq: PoseSequence) -> str:
    """What a person calls a sequence: its text, else its file's name."""
    text = seq.meta.get("text")
    if text:
        return str(text)
    source = seq.meta.get("source") or seq.meta.get("path")
    return Path(str(source)).stem if source else "untitled"


class EditBinding(QtCore.QObject):
    """Binds ``editor`` to ``window``: ``state.sequence`` is the document being edited.
    ``show_pair(sequence, reference)`` shows a restored document with its reference.
    A QObject child of the window, so its slots go with it; the window calls `sync_actions`
    when the undo stack moves."""

    def __init__(
        self,
        window: QtWidgets.QMainWindow,
        editor: PoseEditor,
        state: StudioState,
        clock: Clock,
        viewport: Viewport,
        show_pair: Callable[[PoseSequence | None, PoseSequence | None], object],
    ) -> None:
        super().__init__(window)
        self.window, self.editor, self.state, self.clock = window, editor, state, clock
        self.viewport, self.show_pair = viewport, show_pair
        self.actions: Mapping[str, QtGui.QAction] = {}  # by action id, once the menus exist
        self.edit_tools: list[QtGui.QAction] = []
        self.recovery_bar = RecoveryBar(window)
        self.recovery_bar.restore_requested.connect(self.restore_recovery)
        self.recovery_bar.discard_requested.connect(self.discard_recovery)
        editor.dirty_changed.connect(self.update_title)
        editor.document_changed.connect(self.sync_actions)
        self._journalled: PoseDocument | None = None
        #: "save": save to a lossy format without asking (scripts); "": ask (`_confirm_kept`)
        self.lossy_answer = ""
        self.dropped: list[str] = []  # what the last save could not keep
        editor.document_changed.connect(self._journal)
        # The undo stack's indexChanged goes to the window, not here: the stack emits it while it
        # is deleted, after this binding (created later) is still alive to answer.

    def attach(self, actions: Mapping[str, QtGui.QAction], edit_tools: list[QtGui.QAction]) -> None:
        """The menus' actions this binding enables, checks and names."""
        self.actions, self.edit_tools = actions, edit_tools
        self.sync_actions()

    def save(
        self,
        write: Callable[[PoseSequence, Path, str | None], Path],
        path: str | Path | None,
        ask: bool,
        format: str | None,
        on_error: Callable[[str, str], None],
    ) -> Path | None:
        """Write the edited sequence with ``write`` (`StudioController.save`: atomic) to ``path``,
        the last path saved to, or a path asked for (``format``: a format id, else by extension;
        the chosen file type when asked); the document is then clean and its autosave removed."""
        doc = self.editor.document
        if doc is None:
            self.status("Nothing to save: generate or open a sequence first", 6000)
            return None
        target = Path(path) if path is not None else (None if ask else self.editor.saved_path)
        if target is None:
            chosen, picked = QtWidgets.QFileDialog.getSaveFileName(
                self.window, "Save sequence", f"{title_of(doc.sequence)}.pose", ";;".join(SAVE_FORMATS)
            )
            if not chosen:
                return None
            target = Path(chosen)
            format = save_format_for(target, picked)
        elif path is None:
            format = self.editor.saved_format
        try:
            kept = self._confirm_kept(doc.sequence, target, format)
            if kept is None:
                return None
            write(doc.sequence, target, format)
        except FormatError as exc:
            on_error("Cannot save", str(exc))
            return None
        self.editor.saved(target, kept)
        self.editor.saved_format = format
        self.sync_actions()
        dropped = f" (without {', '.join(self.dropped)}: {kept} cannot keep them)" if self.dropped else ""
        self.status(f"Saved {target}{dropped}", 8000)
        return target

    def _confirm_kept(self, seq: PoseSequence, target: Path, format: str | None) -> str | None:
        """The format ``target`` is written in, once the user agreed to what it drops (flags,
        notes, keyframes, segments, the model: `signstudio.pose.annotations.lost_in`); None when
        they cancelled. FormatError for a file type nothing writes."""
        from signstudio.pose import formats
        from signstudio.pose.annotations import lost_in

        name = format or formats.detect(target, for_writing=True).name
        own = formats.formats().get(str(seq.meta.get("format", "")))
        if (
            format is None
            and own is not None
            and own.write is not None
            and target.suffix.lower() in own.extensions
        ):
            name = own.name  # `formats.write` keeps a file's own family for its extension
        lost = lost_in(seq, name)
        self.dropped = lost
        if not lost or self.lossy_answer == "save" or getattr(self.window, "quiet_errors", False):
            return name  # scripts and tests save without a modal question; the status line says it
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Warning,
            "Save without annotations?",
            f"{target.name}: a {target.suffix or name} file cannot keep {', '.join(lost)}. "
            "Save as .pose, .h5 or .npz to keep them.",
            QtWidgets.QMessageBox.StandardButton.Save | QtWidgets.QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("lossy_save_dialog")
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        if box.exec() != QtWidgets.QMessageBox.StandardButton.Save:
            self.status(f"Not saved: {target.name} would drop {', '.join(lost)}", 8000)
            return None
        return name

    def status(self, text: str, ms: int = 5000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def adopt(self) -> None:
        """A new sequence from outside (generated, opened) becomes the document being edited;
        the document's own edits come back as `PoseEditor.sequence_edited`, not as new ones."""
        seq = self.state.sequence
        self.editor.adopt(seq, self.state.reference, name=title_of(seq) if seq is not None else "")
        self.sync_actions()

    def sync_actions(self, *_: object) -> None:
        """Undo/redo (enabled, named after the step), edit tools, keyframe mark, title."""
        if not self.actions:
            return
        doc = self.editor.document
        stack = self.editor.undo_stack
        undo, redo = self.actions["undo"], self.actions["redo"]
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        undo.setText(f"Undo {stack.undoText()}" if stack.canUndo() else "Undo")
        redo.setText(f"Redo {stack.redoText()}" if stack.canRedo() else "Redo")
        for action in self.edit_tools:
            action.setEnabled(doc is not None)
        if doc is not None:
            self.actions["keyframe_this_frame"].setChecked(self.clock.frame in doc.keyframes)
        self.update_title()

    def title_for_files(self) -> str:
        """The shown sequence's title as a file name stem."""
        seq = self.state.sequence
        title = title_of(seq) if seq is not None else "untitled"
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in title)[:60] or "untitled"

    def update_title(self, *_: object) -> None:
        doc = self.editor.document
        name = self.editor.saved_path.name if self.editor.saved_path is not None else None
        if name is None and self.state.sequence is not None:
            name = title_of(self.state.sequence)
        title = f"{name} — SignStudio" if name else "SignStudio"
        self.window.setWindowTitle(("• " if doc is not None and doc.dirty else "") + title)

    def set_editing(self, on: bool) -> None:
        """Joint editing in the viewport (E): click a joint to pick it, drag to move it."""
        self.viewport.set_editing(on)
        self.actions["edit_joints"].setChecked(on)
        if on:
            self.status(EDIT_JOINTS_HINT, 10000)

    def _journal(self, doc: PoseDocument | None) -> None:
        """Journal the committed edits of ``doc``, the document now edited (once per document)."""
        if doc is None or doc is self._journalled:
            return
        self._journalled = doc
        doc.committed.connect(lambda op, cmd, d=doc: self._record(d, op, cmd))

    def _record(self, doc: PoseDocument, op: str, cmd: Command) -> None:
        if doc is not self.editor.document:
            return  # a document no longer edited (replaced, its unsaved work kept)
        saver, name = self.editor.autosaver, self.editor.autosave_name
        try:
            saver.record(doc, name, op, cmd)
        except OSError as exc:
            self.status(f"{saver.path_for(name)}: autosave failed ({exc.strerror or exc})", 10000)

    def offer_recovery(self) -> None:
        """Unsaved work autosaved by an earlier session that ended without saving: offer it;
        damaged files in the autosave folder are named in the status bar."""
        found = self.editor.pending_recoveries()
        own = self.editor.autosaver.path_for(self.editor.autosave_name)
        self.recovery_bar.offer([r for r in found if r.path != own])
        skipped = self.editor.autosaver.skipped
        if skipped:
            more = f" (and {len(skipped) - 1} more damaged files)" if len(skipped) > 1 else ""
            self.status(skipped[0] + more, 15000)

    def restore_recovery(self, recovery: Recovery) -> None:
        """Show the autosaved document (with its reference) as the document being edited."""
        try:
            doc = self.editor.restore(recovery)
        except ValueError as exc:
            self.status(str(exc), 10000)
            return
        seq = doc.sequence
        self.editor.claim(seq)
        self.show_pair(seq, doc.reference)
        self.editor.document_changed.emit(doc)
        self.sync_actions()
        self.status(f"Restored unsaved edits of {recovery.name} ({recovery.frames} frames)", 8000)

    def discard_recovery(self, recovery: Recovery) -> None:
        self.editor.autosaver.discard(recovery.path)


__all__ = ["EditBinding", "title_of"]
