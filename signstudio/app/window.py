"""The studio's main window: named docks around the viewport, menus, toolbar, status bar.

Model/view as in napari: the window owns Qt-free models — a `StudioState` (what is on screen:
generated + reference, their display and timing modes, language, model, recent files) and a
`Clock` (the current frame) — and the docks subscribe to them. Generation is a request to the
runner, answered on the GUI thread through `RunnerBridge`; a stale answer is dropped.

Docks: Text & Prompt, Viewport, Timeline, Metrics, Files. QSettings keep geometry, dock state,
recent files and the last language/model/mode/theme.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.controller_feedback import TABLE_DELAY_MS, ControllerFeedback
from signstudio.app.curves import Curve
from signstudio.app.dialogs import ask
from signstudio.app.editor import PoseEditor, ask_int
from signstudio.app.exports import export_dialog
from signstudio.app.files_panel import FilesPanel
from signstudio.app.menus import MenuBuilder
from signstudio.app.metrics_panel import MetricsPanel
from signstudio.app.recovery import RecoveryBar
from signstudio.app.runner_bridge import RunnerBridge
from signstudio.app.settings import Settings
from signstudio.app.text_panel import TextPromptPanel
from signstudio.app.theme import Theme
from signstudio.app.timeline import PlaybackDriver, Timeline
from signstudio.app.viewport import Viewport
from signstudio.app.welcome import Spot, WelcomeOverlay
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, sign_languages
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.runner.service import GenerateResponse
from signstudio.session.actions import FILE, HELP, VIEW
from signstudio.session.analysis import joint_heat, pair_curves
from signstudio.session.autosave import Recovery
from signstudio.session.clock import Clock
from signstudio.session.controller import SAVE_FORMATS, StudioController, save_format_for
from signstudio.session.document import PoseDocument
from signstudio.session.geometry import joint_label
from signstudio.session.studio import StudioState

STATE_VERSION = 4  # bump when the dock layout changes, so an old saved layout is not restored
DEFAULT_TEXT = "hello"
DEFAULT_LANGUAGE = "ase"
HINTS = (
    "Space play/pause · ←/→ step · Home/End · drag to orbit, Ctrl+drag to pan, wheel to zoom · P screenshot"
)


def _title_of(seq: PoseSequence) -> str:
    """What a person calls a sequence: its text, else its file's name."""
    text = seq.meta.get("text")
    if text:
        return str(text)
    source = seq.meta.get("source") or seq.meta.get("path")
    return Path(str(source)).stem if source else "untitled"


def language_list() -> list[tuple[str, str, str]]:
    """(code, name, spoken language) of every sign language with a lexicon or a model."""
    from signstudio.modeling.registry import available_models

    spoken = sign_languages()
    codes = set(spoken)
    for info in available_models():
        codes.update(info.languages)
    return [(c, SIGN_LANGUAGE_NAMES.get(c, c.upper()), spoken.get(c, "")) for c in sorted(codes)]


class StudioWindow(QtWidgets.QMainWindow):
    """The studio. ``sequence``/``reference``: what to show first (None: the built-in sample)."""

    generation_finished = QtCore.Signal(object)  # the response, after it was applied (tests wait on it)
    scores_ready = QtCore.Signal(object)  # PairScores of the pair on screen, after they were drawn
    avatar_ready = QtCore.Signal(object)  # the sequence whose avatar is now drawn

    # actions set by `_make_menus` (NAMED_ACTIONS)
    undo_action: QtGui.QAction
    redo_action: QtGui.QAction
    edit_joints_action: QtGui.QAction
    arm_ik_action: QtGui.QAction
    keyframe_action: QtGui.QAction
    side_action: QtGui.QAction
    ghost_action: QtGui.QAction
    own_clock_action: QtGui.QAction
    warped_action: QtGui.QAction
    heat_action: QtGui.QAction
    loop_action: QtGui.QAction

    def __init__(
        self,
        sequence: PoseSequence | None = None,
        reference: PoseSequence | None = None,
        *,
        settings: Settings | None = None,
        bridge: RunnerBridge | None = None,
        auto_generate: bool = True,
    ) -> None:
        super().__init__()
        self.setWindowTitle("SignStudio")
        self.setObjectName("SignStudio")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.settings = settings or Settings()
        self.state = StudioState(
            language=str(self.settings.get("language", DEFAULT_LANGUAGE)),
            model_id=str(self.settings.get("model", "lookup")),
        )
        self.state.set_recent_files(self.settings.recent_files())
        self.clock = Clock(num_frames=1, fps=25.0, time_source=time.monotonic)
        self.driver = PlaybackDriver(self.clock, self)
        self.bridge = bridge or RunnerBridge(parent=self)
        self.bridge.setParent(self)
        self._wire_controller()
        self._heat_cache: tuple[np.ndarray, str] | tuple[()] | None = None  # () = nothing to show

        # ---- docks -------------------------------------------------------------------------
        self.viewport = Viewport(self)
        self.text_panel = TextPromptPanel(self)
        self.timeline = Timeline(self.clock, self)
        self.metrics = MetricsPanel(self)
        self.files = FilesPanel(self)
        self.setCentralWidget(self.viewport)
        self.editor = PoseEditor(self.viewport, self.clock, self.settings, self._status, self)
        self.docks: dict[str, QtWidgets.QDockWidget] = {}
        area = QtCore.Qt.DockWidgetArea
        self._dock("Text && Prompt", self.text_panel, area.LeftDockWidgetArea)
        self._dock("Files", self.files, area.LeftDockWidgetArea)
        self._dock("Metrics", self.metrics, area.RightDockWidgetArea)
        self._dock("Timeline", self.timeline, area.BottomDockWidgetArea)
        self.history = QtWidgets.QUndoView(self.editor.undo_stack, self)
        self.history.setEmptyLabel("(as opened)")
        self.history.setObjectName("history")
        self._dock("History", self.history, area.RightDockWidgetArea)
        self.tabifyDockWidget(self.docks["Files"], self.docks["Metrics"])
        self.tabifyDockWidget(self.docks["Metrics"], self.docks["History"])
        self.docks["Metrics"].raise_()
        # The input panel keeps its natural height; Files/Metrics share what is left.
        self.text_panel.setMinimumHeight(self.text_panel.sizeHint().height())
        self.resizeDocks([self.docks["Text && Prompt"]], [360], QtCore.Qt.Orientation.Horizontal)
        self.viewport_dock_name = "Viewport"  # the viewport is the central widget, named for menus

        self.text_panel.set_languages(language_list())
        self.text_panel.set_models(self._model_list())
        self.text_panel.set_prompt_readers(self._prompt_readers())
        self.text_panel.set_model_settings(self._model_settings())
        self.text_panel.restore_options(self._saved_options())
        self.text_panel.set_language(self.state.language)
        self.text_panel.set_model(self.state.model_id)
        self.text_panel.set_prompt_mode(bool(self.settings.get("prompt_mode", False)))
        self.files.set_recent(self.state.recent_files)
        self._load_corpus_browser()

        self._make_menus()
        self.recovery_bar = RecoveryBar(self)
        self.addToolBarBreak()
        self.addToolBar(QtCore.Qt.ToolBarArea.TopToolBarArea, self.recovery_bar)
        self.recovery_bar.restore_requested.connect(self.restore_recovery)
        self.recovery_bar.discard_requested.connect(lambda r: self.editor.autosaver.discard(r.path))
        self._status_device = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self._status_device)
        self.statusBar().showMessage(HINTS)

        # ---- wiring: inputs -> requests, models -> views ------------------------------------
        tp = self.text_panel
        tp.generate_requested.connect(self.generate)
        tp.cancel_requested.connect(self.cancel_generation)
        tp.language_changed.connect(self._on_language)
        tp.model_changed.connect(self._on_model)
        tp.height_needed.connect(self._fit_text_dock)
        tp.options_changed.connect(self._remember_options)
        tp.mode_changed.connect(lambda on: self.settings.set("prompt_mode", on))
        self.files.open_requested.connect(self.open_file)
        self.files.word_requested.connect(self._sign_corpus_word)
        self.bridge.progress.connect(self._on_progress)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.scored.connect(self._on_scored)
        self.bridge.avatar_ready.connect(self._on_avatar)
        self.editor.sequence_edited.connect(self._on_sequence_edited)
        self.editor.marks_changed.connect(self.timeline.set_marks)
        self.editor.dirty_changed.connect(lambda _d: self._update_title())
        self.editor.document_changed.connect(lambda _d: self._sync_edit_actions())
        self.editor.undo_stack.indexChanged.connect(self._on_history_index)

        self._applying = False  # set while a (sequence, reference) pair is replaced as one
        self.state.sequence_changed.connect(lambda _s: self._pair_changed())
        self.state.reference_changed.connect(lambda _s: self._pair_changed())
        self.state.reference_display_changed.connect(self._on_display_mode)
        self.state.reference_timing_changed.connect(lambda _m: self._on_frame(self.clock.frame))
        self.state.recent_files_changed.connect(self._on_recent)
        self.clock.frame_changed.connect(self._on_frame)

        self.state.reference_display = str(self.settings.get("reference_display", "side-by-side"))  # type: ignore[assignment]
        self.state.reference_timing = str(self.settings.get("reference_timing", "own-clock"))  # type: ignore[assignment]
        body_mode = str(self.settings.get("body_mode", "skeleton"))
        self.viewport.set_body_mode(body_mode if body_mode in ("skeleton", "avatar", "both") else "skeleton")
        self._restore_layout()

        if sequence is not None:
            self.set_pair(sequence, reference)
        else:
            self._show_default(auto_generate)
        QtCore.QTimer.singleShot(0, self, self._offer_recovery)

    def _wire_controller(self) -> None:
        """The Qt-free `StudioController` decides (generation, the pair on screen, its scores and
        avatars, the body); the window shows its pair and scores, `ControllerFeedback` the rest.
        The bridge's answers reach it on the GUI thread (`_on_finished`, `_on_scored`, `_on_avatar`)."""
        self.controller = StudioController(self.state, self.bridge, self.settings)
        self.controller.pair_changed.connect(self._show_pair)
        self.controller.scores_changed.connect(self._on_scores)
        self.feedback = ControllerFeedback(self)

    @property
    def _scores(self) -> PairScores | None:
        """The scores of the pair on screen, once scored (the controller's)."""
        return self.controller.scores

    @property
    def _pending(self) -> int | None:
        """The generation request whose answer is awaited (the controller's)."""
        return self.controller.pending

    # ---- construction helpers ----------------------------------------------------------------
    def _dock(self, name: str, widget: QtWidgets.QWidget, where: QtCore.Qt.DockWidgetArea) -> None:
        dock = QtWidgets.QDockWidget(name, self)
        dock.setObjectName(name.replace(" && ", "_").replace(" ", "_"))
        dock.setWidget(widget)
        self.addDockWidget(where, dock)
        self.docks[name] = dock

    @staticmethod
    def _model_list() -> list[tuple[str, str, str]]:
        from signstudio.modeling.registry import available_models

        return [(m.id, m.name, m.description) for m in available_models()]

    @staticmethod
    def _model_settings() -> dict[str, tuple[Any, ...]]:
        from signstudio.modeling.registry import available_models

        return {m.id: m.settings for m in available_models() if m.settings}

    @staticmethod
    def _prompt_readers() -> set[str]:
        from signstudio.modeling.registry import available_models

        return {m.id for m in available_models() if m.reads_prompts}

    def _load_corpus_browser(self) -> None:
        try:
            from signstudio.corpus.store import open_corpus

            corpus = open_corpus(build_if_missing=False)
        except (FileNotFoundError, FormatError, OSError):
            corpus = None
        self.files.set_corpus(corpus, SIGN_LANGUAGE_NAMES)
        self.files.select_corpus_language(self.state.language)

    def _show_default(self, auto_generate: bool) -> None:
        """First view without a file: the built-in corpus' "hello" (ASL) as the reference, and its
        generation started, so a newcomer sees real signing at once and the generated one beside it."""
        from signstudio.corpus.store import default_sample

        sample = default_sample(self.state.language)
        self.text_panel.set_text(str(sample.meta.get("text", DEFAULT_TEXT)).lower())
        lang = str(sample.meta.get("sign_language", DEFAULT_LANGUAGE))
        self.text_panel.set_language(lang)
        self.set_pair(None, sample)
        if auto_generate:
            self.text_panel.generate_button.click()

    # ---- generation --------------------------------------------------------------------------
    @QtCore.Slot(str, str, str, bool)
    def generate(self, text: str, lang: str, model_id: str, prompt_mode: bool) -> int:
        """Ask the runner for signing of ``text``; `ControllerFeedback` says how it went."""
        tp = self.text_panel
        options = tp.model_options() if model_id == tp.current_model() else {}
        request_id = self.controller.generate(text, lang, model_id, prompt_mode, options)
        tp.set_busy(True, f"Generating with {model_id}…")
        self.statusBar().showMessage(f"Generating “{text}” ({lang}, {model_id})…")
        return request_id

    def escape(self) -> None:
        """Esc: cancel a joint drag in progress, else the generation."""
        if not self.viewport.cancel_drag():
            self.cancel_generation()

    def cancel_generation(self) -> None:
        if self.controller.cancel():
            self.statusBar().showMessage("Cancelling…")

    @QtCore.Slot(int, float, str)
    def _on_progress(self, request_id: int, fraction: float, message: str) -> None:
        if request_id == self.controller.pending:
            self.text_panel.set_progress(fraction, message)

    @QtCore.Slot(object)
    def _on_finished(self, response: object) -> None:
        assert isinstance(response, GenerateResponse)
        self.controller.finish_generation(response)  # a stale answer is dropped there

    def _sign_corpus_word(self, text: str, lang: str) -> None:
        self.text_panel.set_prompt_mode(False)
        self.text_panel.set_text(text)
        self.text_panel.set_language(lang)
        self.text_panel.generate_button.click()

    # ---- files -------------------------------------------------------------------------------
    def open_file(self, path: str | Path, as_reference: bool = False) -> bool:
        """Read a pose file and show it (or use it as the reference); errors go to a dialog."""
        try:
            self.controller.open_file(path, as_reference)
        except FormatError as exc:
            QtWidgets.QMessageBox.critical(self, "Cannot open file", str(exc))
            return False
        self.clock.pause()
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def _on_recent(self, paths: list[str]) -> None:
        self.files.set_recent(paths)
        self.settings.set("recent_files", list(paths))
        self._fill_recent_menu()

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        # One file: show it. Two: the second is its reference.
        if self.open_file(paths[0]) and len(paths) > 1:
            self.open_file(paths[1], as_reference=True)
        event.acceptProposedAction()

    # ---- model -> views ----------------------------------------------------------------------
    def set_pair(
        self,
        sequence: PoseSequence | None,
        reference: PoseSequence | None,
        warp_path: np.ndarray | None = None,
        scores: PairScores | None = None,
    ) -> None:
        """Show a new (generated, reference) pair (`StudioController.show_pair`). ``scores`` (from
        the generation) are the pair's; without them the pair is scored off the GUI thread and
        the curves follow."""
        self.controller.show_pair(sequence, reference, warp_path=warp_path, scores=scores)

    def _pair_changed(self) -> None:
        """Nothing to do: the controller follows the state's pair itself (see `_wire_controller`)."""

    def _show_pair(self, rescore: bool = False) -> None:
        """The controller's new pair: viewport, clock and curves at once, the metrics table in a
        later turn of the event loop, so the two repaints do not add up into one long stall."""
        self._sync_checks()
        self._adopt_document()
        gen, ref = self.state.sequence, self.state.reference
        self.viewport.set_sequences(gen, ref)
        self.viewport.set_reference_mode(self.state.reference_display)
        main = gen if gen is not None else ref
        # New curves before the new length: the strip then repaints once, not twice.
        self.timeline.set_curves(self._curves(gen, ref))
        self.clock.fps = main.fps if main is not None else 25.0
        self.clock.num_frames = max(1, main.num_frames if main is not None else 1)
        self._heat_cache = None
        self._on_frame(self.clock.frame)
        self.timeline.refresh()
        token = self.controller.pair_token

        def second_slice() -> None:
            if token == self.controller.pair_token:  # else a newer pair replaced this one meanwhile
                self.metrics.show_sequences(gen, ref, self.controller.scores, scoring=rescore)

        # The table repaints in a later turn of the event loop, apart from the views.
        QtCore.QTimer.singleShot(TABLE_DELAY_MS, self.metrics, second_slice)  # dropped if the window is gone

    # ---- editing (signstudio.app.editor) -------------------------------------------------
    @property
    def document(self) -> PoseDocument | None:
        """The shown generated sequence as an editable document (None: nothing shown)."""
        return self.editor.document

    def _status(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    def _adopt_document(self) -> None:
        """A new sequence from outside (generated, opened) becomes the document being edited;
        the document's own edits come back through `_on_sequence_edited`, not as new ones."""
        seq = self.state.sequence
        self.editor.adopt(seq, self.state.reference, name=_title_of(seq) if seq is not None else "")
        self._sync_edit_actions()

    def _on_sequence_edited(self, seq: PoseSequence, final: bool) -> None:
        """An edit, undo or redo: the edited sequence replaces the shown one in place (camera and
        normalisation kept). While a drag goes on only the views follow; when it ends the pair
        is re-scored off the GUI thread and the curves, table and avatar follow."""
        self.controller.edit(seq, final)  # a final edit is scored again, its avatar fitted again
        self.viewport.replace_generated(seq)
        if self.clock.num_frames != seq.num_frames:
            self.clock.num_frames = seq.num_frames
        if final:
            ref = self.state.reference
            self._heat_cache = None
            self.timeline.set_curves(self._curves(seq, ref))
            self.metrics.show_sequences(seq, ref, None, scoring=True)
        self._on_frame(self.clock.frame)
        self._sync_edit_actions()

    def _sync_edit_actions(self) -> None:
        if not hasattr(self, "undo_action"):
            return
        doc = self.document
        stack = self.editor.undo_stack
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self.undo_action.setText(f"Undo {stack.undoText()}" if stack.canUndo() else "Undo")
        self.redo_action.setText(f"Redo {stack.redoText()}" if stack.canRedo() else "Redo")
        for action in self.edit_tools:
            action.setEnabled(doc is not None)
        if doc is not None:
            self.keyframe_action.setChecked(self.clock.frame in doc.keyframes)
        self._update_title()

    def _title_for_files(self) -> str:
        """The shown sequence's title as a file name stem."""
        seq = self.state.sequence
        title = _title_of(seq) if seq is not None else "untitled"
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in title)[:60] or "untitled"

    def _on_history_index(self, _index: int) -> None:
        self._sync_edit_actions()  # a bound slot: disconnected when the window goes (lambdas are not)

    def _update_title(self) -> None:
        doc = self.document
        name = self.editor.saved_path.name if self.editor.saved_path is not None else None
        if name is None and self.state.sequence is not None:
            name = _title_of(self.state.sequence)
        title = f"{name} — SignStudio" if name else "SignStudio"
        self.setWindowTitle(("• " if doc is not None and doc.dirty else "") + title)

    def undo(self) -> bool:
        return self.editor.undo()

    def redo(self) -> bool:
        return self.editor.redo()

    def _edit(self, tool: Callable[[PoseDocument, int], object]) -> None:
        self.editor.apply(tool)

    def set_editing(self, on: bool) -> None:
        """Joint editing in the viewport (E): click a joint to pick it, drag to move it."""
        self.viewport.set_editing(on)
        self.edit_joints_action.setChecked(on)
        if on:
            self._status(
                "Edit joints: click a joint of the generated skeleton, drag to move it; "
                "elsewhere the mouse turns the camera as usual",
                10000,
            )

    def _offer_recovery(self) -> None:
        """Unsaved work autosaved by an earlier session that ended without saving: offer it."""
        found = self.editor.pending_recoveries()
        own = self.editor.autosaver.path_for(self.editor.autosave_name)
        found = [r for r in found if r.path != own]
        self.recovery_bar.offer(found)

    def restore_recovery(self, recovery: Recovery) -> None:
        """Show the autosaved document (with its reference) as the document being edited."""
        try:
            doc = self.editor.restore(recovery)
        except ValueError as exc:
            self._status(str(exc), 10000)
            return
        seq = doc.sequence
        self.editor.claim(seq)
        self.set_pair(seq, doc.reference)
        self.editor.document_changed.emit(doc)
        self._sync_edit_actions()
        self._status(f"Restored unsaved edits of {recovery.name} ({recovery.frames} frames)", 8000)

    def set_body_mode(self, mode: str) -> None:
        """``skeleton``, ``avatar`` or ``both``: what represents each sequence (avatars are fitted
        off the GUI thread by IK, the skeleton shows meanwhile)."""
        self.controller.set_body_mode(mode)

    def export_motion(self, path: str | Path) -> Path:
        """Write the shown sequence's SMPL-X parameters (from its avatar's IK) as AMASS ``.npz``.
        ValueError (one line) when there is no fitted avatar yet."""
        return self.controller.export_motion(path)

    def export_motion_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export SMPL-X motion", str(Path.home() / "motion.npz"), "AMASS motion (*.npz)"
        )
        if not path:
            return
        try:
            out = self.export_motion(path)
        except (ValueError, OSError) as exc:
            QtWidgets.QMessageBox.warning(self, "Export SMPL-X motion", str(exc))
            return
        self.statusBar().showMessage(f"Wrote {out}", 6000)

    def body_shape(self) -> tuple[float, ...]:
        """The 10 SMPL-X shape coefficients (betas) of the avatar, as set and remembered."""
        return self.controller.body_shape()

    def set_body_shape(self, betas: tuple[float, ...] | list[float]) -> None:
        """New shape coefficients (each clamped to ±3): avatars on screen are fitted again."""
        self.controller.set_body_shape(betas)

    def shape_dialog(self) -> None:
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle("Body shape (SMPL-X betas)")
        form = QtWidgets.QFormLayout(dialog)
        form.addRow(QtWidgets.QLabel("Ten shape coefficients; 0 is the average body. β1 is mostly height."))
        boxes = []
        for i, value in enumerate(self.body_shape()):
            box = QtWidgets.QDoubleSpinBox(dialog)
            box.setRange(-3.0, 3.0)
            box.setSingleStep(0.25)
            box.setValue(value)
            form.addRow(f"β{i + 1}", box)
            boxes.append(box)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
            | QtWidgets.QDialogButtonBox.StandardButton.Reset
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        reset = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Reset)

        def zero() -> None:
            for b in boxes:
                b.setValue(0.0)

        reset.clicked.connect(zero)
        form.addRow(buttons)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.set_body_shape([b.value() for b in boxes])

    def body_model(self) -> tuple[str, str | None]:
        """(``mannequin`` | ``smplx``, the SMPL-X folder or None), as chosen and remembered."""
        return self.controller.body_model()

    def set_body_model(self, name: str, folder: str | None = None) -> bool:
        """Use the built-in mannequin, or SMPL-X from ``folder`` (a folder without
        SMPLX_NEUTRAL.npz is refused with a message saying where it belongs, and the body
        stays). Avatars on screen are fitted again with the new body."""
        try:
            self.controller.set_body_model(name, folder)
        except ValueError as exc:
            QtWidgets.QMessageBox.warning(self, "SMPL-X body", str(exc))
            self._sync_checks()
            return False
        return True

    def choose_smplx_folder(self) -> None:
        start = str(self.settings.get("smplx_folder") or Path.home())
        folder = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Folder that holds SMPLX_NEUTRAL.npz (from smpl-x.is.tue.mpg.de)", start
        )
        if folder:
            self.set_body_model("smplx", folder)
        else:
            self._sync_checks()

    @QtCore.Slot(int, object)
    def _on_avatar(self, token: int, result: object) -> None:
        self.controller.receive_avatar(token, result)  # type: ignore[arg-type]

    @QtCore.Slot(int, object)
    def _on_scored(self, token: int, result: object) -> None:
        """Scores of the pair made under ``token`` (the controller drops those of an old pair)."""
        self.controller.receive_scores(token, result)  # type: ignore[arg-type]

    def _on_scores(self, result: PairScores | str) -> None:
        """The scores (or why there are none) of the pair on screen: curves, heat and table."""
        gen, ref = self.state.sequence, self.state.reference
        if isinstance(result, str):
            self.metrics.show_sequences(gen, ref, None, error=result)
            return
        self.timeline.set_curves(self._curves(gen, ref))
        self._heat_cache = None
        self._on_frame(self.clock.frame)
        self.timeline.refresh()
        self.metrics.show_sequences(gen, ref, result)
        self.scores_ready.emit(result)

    def _curves(self, gen: PoseSequence | None, ref: PoseSequence | None) -> dict[str, Curve]:
        """The timeline's rows of the pair (`signstudio.session.analysis.pair_curves`)."""
        table = self.state.frame_table() if gen is not None and ref is not None else None
        found = pair_curves(gen, ref, self._scores, table)
        return {k: Curve(c.values, c.color, c.unit, c.group, c.label, c.y_range) for k, c in found.items()}

    def _on_frame(self, frame: int) -> None:
        if self.state.reference is None:
            ref_frame = 0
        elif self.state.sequence is None:
            ref_frame = frame  # only a reference on screen: it runs on the clock itself
        else:
            ref_frame = self.state.reference_frame_for(frame)
        self.viewport.set_frames(frame, ref_frame)
        self._show_heat(frame)

    def _heat_table(self) -> tuple[np.ndarray, str] | None:
        """(N, J) joint errors of the generated sequence and the legend note naming its worst
        joints (`signstudio.session.analysis.joint_heat`); None when there is nothing to show."""
        cached = self._heat_cache
        if cached is not None:
            return cached or None
        heat = joint_heat(self.state.sequence, self._scores)
        out: tuple[np.ndarray, str] | tuple[()] = ()
        if heat is not None:
            named = ", ".join(f"{joint_label(name)} {mean:.2f}" for name, mean in heat.worst)
            out = (heat.errors, "worst over the sequence: " + named)
        self._heat_cache = out
        return out or None

    def _show_heat(self, frame: int) -> None:
        if not hasattr(self, "heat_action"):
            return
        table = self._heat_table() if self.heat_action.isChecked() else None
        if table is None:
            self.viewport.set_joint_heat(None)
            return
        errors, note = table
        self.viewport.set_joint_heat(errors[min(max(frame, 0), len(errors) - 1)], note)

    def toggle_heat(self) -> None:
        self.settings.set("heat_map", self.heat_action.isChecked())
        self._show_heat(self.clock.frame)
        if self.heat_action.isChecked() and self._heat_table() is None:
            self.statusBar().showMessage(
                "Heat map: needs a generated sequence scored against a reference", 6000
            )

    def _on_display_mode(self, mode: str) -> None:
        self.viewport.set_reference_mode(mode)
        self.settings.set("reference_display", mode)
        self._sync_checks()

    def _on_language(self, code: str) -> None:
        if code:
            self.state.language = code
            self.settings.set("language", code)
            self.files.select_corpus_language(code)

    def _on_model(self, model_id: str) -> None:
        if model_id:
            self.state.model_id = model_id
            self.settings.set("model", model_id)

    def _saved_options(self) -> dict[str, dict[str, float]]:
        import json

        try:
            saved = json.loads(str(self.settings.get("model_options", "{}")))
        except ValueError:
            return {}
        return saved if isinstance(saved, dict) else {}

    def _remember_options(self, model_id: str, values: dict) -> None:
        import json

        self.settings.set("model_options", json.dumps({**self._saved_options(), model_id: values}))

    def _fit_text_dock(self, need: int) -> None:
        """A model's settings add rows to the text panel: give its dock the height they need."""
        dock = self.docks["Text && Prompt"]
        if self.text_panel.height() < need:
            self.resizeDocks(
                [dock], [need + dock.height() - self.text_panel.height()], QtCore.Qt.Orientation.Vertical
            )

    # ---- actions (signstudio.session.actions) -------------------------------------------------
    #: window attribute -> action id, for the actions the window (and its tests) reach by name
    NAMED_ACTIONS: ClassVar[dict[str, str]] = {
        "undo_action": "undo",
        "redo_action": "redo",
        "edit_joints_action": "edit_joints",
        "arm_ik_action": "wrist_drags_bend_the_elbow",
        "keyframe_action": "keyframe_this_frame",
        "side_action": "reference_side_by_side",
        "ghost_action": "reference_as_ghost",
        "own_clock_action": "reference_on_its_own_clock",
        "warped_action": "reference_time-warped_onto_generated",
        "heat_action": "joint_error_heat_map",
        "loop_action": "loop",
    }

    def _make_menus(self) -> None:
        slots = {"camera": self.viewport.camera_actions()}
        builder = MenuBuilder(self, slots)
        self.actions_by_name = builder.build()
        for attr, name in self.NAMED_ACTIONS.items():
            setattr(self, attr, self.actions_by_name[name])
        groups = builder.groups
        self.spread_actions, self.body_actions = groups["spread"], groups["body"]
        self.body_model_actions, self.theme_actions = groups["body_model"], groups["theme"]
        self.edit_tools = list(groups["edit_tools"].values())
        self.recent_menu = builder.menus[(FILE, "Open recent")]
        self.export_menu = builder.menus[(FILE, "Export")]
        self.help_menu = builder.menus[(HELP,)]
        for dock in self.docks.values():
            builder.menus[(VIEW, "Panels")].addAction(dock.toggleViewAction())
        self.spread_actions[self.editor.spread].setChecked(True)
        self.arm_ik_action.setChecked(self.editor.arm_ik)
        self.heat_action.setChecked(bool(self.settings.get("heat_map", False)))
        builder.toolbar()
        self._fill_recent_menu()
        self._sync_checks()
        self._sync_edit_actions()

    def export_dialog(self, kind: str) -> None:
        export_dialog(self, kind)

    def save_as(self) -> None:
        self.save_document(ask=True)

    def toggle_loop(self) -> None:
        self.timeline.set_loop(not self.clock.loop)

    def edit_tool(self, name: str) -> None:
        """The Edit menu's one-step tools on the whole sequence or the current frame."""
        tools: dict[str, Callable[[PoseDocument, int], object]] = {
            "fill_missing": lambda d, _f: d.fill_missing(),
            "mirror": lambda d, _f: d.mirror(0, d.num_frames),
            "flag": lambda d, f: d.flag(f, "flagged"),
        }
        self._edit(tools[name])

    def open_guide(self) -> None:
        from signstudio.app.guide_viewer import open_user_guide

        open_user_guide(self)

    def show_diagnostics(self) -> None:
        from signstudio.app.diagnostics_dialog import show_diagnostics

        show_diagnostics(self)

    # ---- first run -----------------------------------------------------------------------------
    def show_welcome(self, force: bool = False) -> WelcomeOverlay | None:
        """The welcome overlay (`signstudio.app.welcome`): on the first start only, unless
        ``force``; dismissing it is remembered."""
        if not force and bool(self.settings.get("welcome_done", False)):
            return None
        tb = self.findChild(QtWidgets.QToolBar, "main_toolbar")
        reference_button = tb.widgetForAction(self.side_action) if tb is not None else None
        tp = self.text_panel
        spots = [
            Spot(tp.input, "Type here", "a word or a request like “How do I sign water in DGS?”"),
            Spot(tp.language, "Sign language", "the language to sign in"),
            Spot(tp.generate_button, "Generate", "the model signs it (Enter)"),
            Spot(self.timeline, "Timeline", "play (Space), scrub, read the DTW and FGD curves"),
        ]
        if reference_button is not None:
            spots.append(Spot(reference_button, "Reference", "real signing beside it (S) or as a ghost (G)"))
        overlay = WelcomeOverlay(self, spots)
        overlay.dismissed.connect(lambda: self.settings.set("welcome_done", True))
        overlay.show()
        overlay.setFocus()
        self.welcome = overlay
        return overlay

    # ---- edit dialogs ------------------------------------------------------------------------
    def toggle_keyframe(self) -> None:
        doc = self.document
        if doc is not None:
            on = self.clock.frame not in doc.keyframes
            self._edit(lambda d, f: d.set_keyframe(f, on))
        self._sync_edit_actions()

    def falloff_dialog(self) -> None:
        n = ask_int(self, "Falloff", "Frames on either side a move reaches:", self.editor.falloff, 1, 500)
        if n is not None:
            self.editor.set_falloff(n)
            self.editor.set_spread("falloff")
            self.spread_actions["falloff"].setChecked(True)

    def _frame_range(self, title: str, label: str, start: int, stop: int) -> tuple[int, int] | None:
        """Ask for frames [from, to] (inclusive, as shown on the timeline); None when cancelled."""
        n = self.clock.num_frames
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle(title)
        form = QtWidgets.QFormLayout(dialog)
        first, last = QtWidgets.QSpinBox(dialog), QtWidgets.QSpinBox(dialog)
        for box, value in ((first, start), (last, stop - 1)):
            box.setRange(0, n - 1)
            box.setValue(min(max(value, 0), n - 1))
        form.addRow(QtWidgets.QLabel(label, dialog))
        form.addRow("From frame", first)
        form.addRow("To frame (included)", last)
        if not ask(dialog, form):
            return None
        a, b = sorted((first.value(), last.value()))
        return a, b + 1

    def range_tool(self, title: str) -> None:
        """Trim or Cut over a range of frames asked for (from this frame on, ten by default)."""
        label, tool = {
            "Trim": ("Keep frames", lambda d, a, b: d.trim(a, b)),
            "Cut": ("Remove frames", lambda d, a, b: d.cut(a, b)),
        }[title]
        f = self.clock.frame
        picked = self._frame_range(title, label, f, min(f + 10, self.clock.num_frames))
        if picked is not None:
            self._edit(lambda d, _f: tool(d, *picked))

    def hold_dialog(self) -> None:
        n = ask_int(
            self, "Insert hold", f"Hold frame {self.clock.frame} for how many more frames?", 5, 1, 1000
        )
        if n is not None:
            self._edit(lambda d, f: d.insert_hold(f, n))

    def note_dialog(self) -> None:
        doc = self.document
        if doc is None:
            return
        f = self.clock.frame
        text, ok = QtWidgets.QInputDialog.getMultiLineText(
            self, "Note", f"Note on frame {f}:", doc.notes.get(f, "")
        )
        if ok:
            self._edit(lambda d, _f: d.note(f, text.strip() or None))

    def smooth_dialog(self) -> None:
        """Smoothing with a preview: the views show the smoothed range while the dialog is open;
        Apply makes it one undo step, Cancel puts the sequence back as it was."""
        doc = self.document
        if doc is None:
            return
        f, n = self.clock.frame, self.clock.num_frames
        dialog = QtWidgets.QDialog(self)
        dialog.setWindowTitle("Smooth (preview)")
        form = QtWidgets.QFormLayout(dialog)
        first, last, window = (
            QtWidgets.QSpinBox(dialog),
            QtWidgets.QSpinBox(dialog),
            QtWidgets.QSpinBox(dialog),
        )
        first.setRange(0, n - 1)
        last.setRange(0, n - 1)
        first.setValue(max(0, f - 12))
        last.setValue(min(n - 1, f + 12))
        window.setRange(3, 51)
        window.setSingleStep(2)
        window.setValue(7)
        form.addRow("From frame", first)
        form.addRow("To frame (included)", last)
        form.addRow("Window (frames, odd)", window)
        note = QtWidgets.QLabel(dialog)
        form.addRow(note)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Apply | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Apply).clicked.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        original = doc.sequence

        def preview() -> None:
            a, b = sorted((first.value(), last.value()))
            try:
                frames, data = doc.smoothed(a, b + 1, window.value() | 1)
            except ValueError as exc:
                note.setText(str(exc))
                return
            shown = original.data.copy()
            shown[frames] = data
            moved = float(np.abs(data - original.data[frames]).max()) if len(frames) else 0.0
            note.setText(f"Preview: {len(frames)} frames, largest change {moved:.3g}")
            self.viewport.replace_generated(original.replace(data=shown))

        for box in (first, last, window):
            box.valueChanged.connect(lambda _v: preview())
        preview()
        dialog.setObjectName("smooth_dialog")
        self._smooth_preview: QtWidgets.QDialog | None = dialog  # tests drive it
        accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
        self._smooth_preview = None
        self.viewport.replace_generated(self.state.sequence or original)  # the preview ends
        if accepted:
            a, b = sorted((first.value(), last.value()))
            self._edit(lambda d, _f: d.smooth(a, b + 1, window.value() | 1))

    # ---- saving ------------------------------------------------------------------------------
    def save_document(
        self, path: str | Path | None = None, ask: bool = False, format: str | None = None
    ) -> Path | None:
        """Write the edited sequence (atomically) to ``path``, the last path saved to, or a path
        asked for (``format``: a format id, else by extension); the document is then clean and
        its autosave removed."""
        doc = self.document
        if doc is None:
            self._status("Nothing to save: generate or open a sequence first", 6000)
            return None
        target = Path(path) if path is not None else (None if ask else self.editor.saved_path)
        if target is None:
            suggested = f"{_title_of(doc.sequence)}.pose"
            chosen, picked = QtWidgets.QFileDialog.getSaveFileName(
                self, "Save sequence", suggested, ";;".join(SAVE_FORMATS)
            )
            if not chosen:
                return None
            target = Path(chosen)
            format = save_format_for(target, picked)
        elif path is None:
            format = self.editor.saved_format
        try:
            self.controller.save(doc.sequence, target, format)
        except FormatError as exc:
            self._error("Cannot save", str(exc))
            return None
        self.editor.saved(target)
        self.editor.saved_format = format
        self._sync_edit_actions()
        self._status(f"Saved {target}", 6000)
        return target

    def _error(self, title: str, text: str) -> None:
        self._status(text, 10000)
        if not getattr(self, "quiet_errors", False):
            QtWidgets.QMessageBox.warning(self, title, text)

    def _sync_checks(self) -> None:
        if not hasattr(self, "side_action"):
            return
        display, timing = self.state.reference_display, self.state.reference_timing
        self.side_action.setChecked(display == "side-by-side")
        self.ghost_action.setChecked(display == "ghost")
        self.own_clock_action.setChecked(timing == "own-clock")
        self.warped_action.setChecked(timing == "warped")
        how = "DTW alignment" if self.state.warp_path is not None else "linear stretch"
        self.warped_action.setToolTip(f"The reference time-warped onto the generated one ({how})")
        self.warped_action.setStatusTip(self.warped_action.toolTip())
        self.loop_action.setChecked(self.clock.loop)
        for mode, action in self.body_actions.items():
            action.setChecked(self.viewport.body_mode == mode)
        for name, action in self.body_model_actions.items():
            action.setChecked(self.body_model()[0] == name)
        theme = self._theme()
        for choice, action in self.theme_actions.items():
            action.setChecked(theme is not None and theme.choice == choice)

    def set_display(self, mode: str) -> None:
        self.state.reference_display = mode  # type: ignore[assignment]
        self._sync_checks()

    def set_timing(self, mode: str) -> None:
        self.state.reference_timing = mode  # type: ignore[assignment]
        self.settings.set("reference_timing", mode)
        self.timeline.set_curves(self._curves(self.state.sequence, self.state.reference))
        self._sync_checks()

    @staticmethod
    def _theme() -> Theme | None:
        """The app's `Theme` (None when the window runs without one, e.g. in some tests)."""

        app = QtWidgets.QApplication.instance()
        found = app.findChild(Theme) if app is not None else None
        return found if isinstance(found, Theme) else None

    def set_theme(self, choice: str) -> None:
        theme = self._theme()
        if theme is not None:
            theme.set_choice(choice)
        self.settings.set("theme", choice)
        self._sync_checks()

    def _fill_recent_menu(self) -> None:
        if not hasattr(self, "recent_menu"):
            return
        self.recent_menu.clear()
        for p in self.state.recent_files:
            action = self.recent_menu.addAction(Path(p).name)
            action.setToolTip(p)
            action.triggered.connect(lambda *_, p=p: self.open_file(p))
        self.recent_menu.setEnabled(bool(self.state.recent_files))

    def open_dialog(self, as_reference: bool = False) -> None:
        title = "Open reference" if as_reference else "Open pose file"
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, title, "", "Pose files (*.pose *.skels *.h5 *.hdf5 *.npz);;All files (*)"
        )
        if path:
            self.open_file(path, as_reference=as_reference)

    def screenshot_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save screenshot", "signstudio.png", "PNG (*.png)"
        )
        if path:
            try:
                self.viewport.save_screenshot(path)
                self.statusBar().showMessage(f"Saved {path}", 5000)
            except (FormatError, RuntimeError) as exc:
                QtWidgets.QMessageBox.critical(self, "Cannot save screenshot", str(exc))

    def show_shortcuts(self) -> None:
        rows = [
            (a.text().replace("&", ""), a.shortcut().toString())
            for a in self.actions_by_name.values()
            if not a.shortcut().isEmpty()
        ]
        html = "<table>" + "".join(f"<tr><td>{t}</td><td><b>{k}</b></td></tr>" for t, k in rows) + "</table>"
        QtWidgets.QMessageBox.information(self, "Keyboard shortcuts", html)

    def about(self) -> None:
        from signstudio import __version__

        QtWidgets.QMessageBox.about(
            self,
            "About SignStudio",
            f"<b>SignStudio {__version__}</b><br>Sign language production studio.<br>"
            "Built-in corpus: real fingerspelling recordings of 20 sign languages (spoken-to-signed).",
        )

    # ---- layout persistence ------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.get("geometry")
        if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = self.settings.get("window_state")
        if isinstance(state, QtCore.QByteArray) and not state.isEmpty():
            self.restoreState(state, STATE_VERSION)
        self.recovery_bar.hide()  # shown only with something to offer, never from the saved layout

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.editor.closing()
        self.settings.set("geometry", self.saveGeometry())
        self.settings.set("window_state", self.saveState(STATE_VERSION))
        self.settings.sync()
        self.clock.pause()
        self.bridge.shutdown()
        super().closeEvent(event)

    # ---- screenshots (CLI --screenshot, tests) -----------------------------------------------
    def wait_painted(self, timeout: float = 10.0) -> bool:
        return self.viewport.wait_painted(timeout)

    def wait_generated(self, timeout: float = 60.0) -> bool:
        """Process events until no generation is pending (False on timeout)."""
        app = QtWidgets.QApplication.instance()
        assert app is not None
        deadline = time.monotonic() + timeout
        while self._pending is not None and time.monotonic() < deadline:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)
        return self._pending is None

    def grab_image(self) -> QtGui.QImage:
        """The whole window, with the GL views' current frames rendered into it."""
        if not self.wait_painted():
            raise RuntimeError("the 3D view did not paint within 10 s (no OpenGL on this display?)")
        image = self.grab().toImage()
        view_image = self.viewport.grab_image()
        painter = QtGui.QPainter(image)
        try:
            top_left = self.viewport.mapTo(self, QtCore.QPoint(0, 0))
            painter.drawImage(QtCore.QRect(top_left, self.viewport.size()), view_image)
        finally:
            painter.end()
        return image

    def save_screenshot(self, path: str | Path) -> Path:
        """Save the whole window as PNG (written atomically); FormatError if it cannot be written."""
        from signstudio.app.images import save_png

        return save_png(self.grab_image(), path)
