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

from signstudio.app.curves import Curve
from signstudio.app.editor import PoseEditor
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
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, sign_languages
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.session.actions import FILE, HELP, VIEW
from signstudio.session.analysis import joint_heat, pair_curves
from signstudio.session.autosave import Recovery
from signstudio.session.clock import Clock
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
        self._pending: int | None = None
        self._generation_started = 0.0
        self._scores: PairScores | None = None  # of the pair on screen, once scored
        self._heat_cache: tuple[np.ndarray, str] | tuple[()] | None = None  # () = nothing to show
        self._avatar_requests: dict[int, PoseSequence] = {}  # token -> the sequence being fitted
        self._avatar_tokens = 0

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
        """Ask the runner for signing of ``text``; the answer arrives in `_on_finished`."""
        from signstudio.runner.service import GenerateRequest

        request = GenerateRequest(
            text=text,
            lang=lang,
            model_id=model_id or "lookup",
            prompt_mode=prompt_mode,
            options=self.text_panel.model_options() if model_id == self.text_panel.current_model() else {},
        )
        self.state.text = text
        self._generation_started = time.perf_counter()
        self._pending = self.bridge.submit(request)
        self.text_panel.set_busy(True, f"Generating with {model_id}…")
        self.statusBar().showMessage(f"Generating “{text}” ({lang}, {model_id})…")
        return self._pending

    def escape(self) -> None:
        """Esc: cancel a joint drag in progress, else the generation."""
        if not self.viewport.cancel_drag():
            self.cancel_generation()

    def cancel_generation(self) -> None:
        if self.bridge.cancel():
            self.statusBar().showMessage("Cancelling…")

    @QtCore.Slot(int, float, str)
    def _on_progress(self, request_id: int, fraction: float, message: str) -> None:
        if request_id == self._pending:
            self.text_panel.set_progress(fraction, message)

    @QtCore.Slot(object)
    def _on_finished(self, response: object) -> None:
        from signstudio.runner.service import GenerateResponse

        assert isinstance(response, GenerateResponse)
        if not self.bridge.is_current(response):
            return  # a newer request was made: this answer must not overwrite it
        self._pending = None
        if response.cancelled:
            self.text_panel.set_busy(False, "Cancelled.")
            self.statusBar().showMessage("Generation cancelled.", 5000)
        elif response.error:
            self.text_panel.show_error(response.error)
            self.statusBar().showMessage(f"Generation failed: {response.error}", 10000)
        else:
            assert response.sequence is not None
            note = f"Signed “{response.text}” in {SIGN_LANGUAGE_NAMES.get(response.lang, response.lang)}"
            if response.request.prompt_mode:
                note += " (read from the prompt)"
            if response.reference is None and response.reference_reason:
                note += f"; no reference: {response.reference_reason}"
            self.text_panel.set_busy(False, f"{note} · {response.seconds:.2f} s")
            if response.lang_from_prompt:
                self.text_panel.set_language(response.lang)
            self.clock.pause()
            alignment = response.alignment
            self.set_pair(
                response.sequence,
                response.reference,
                warp_path=alignment.path if alignment is not None else None,
                scores=response.scores,
                then=lambda: self.generation_finished.emit(response),
            )
            self.statusBar().showMessage(note, 8000)
            self._status_device.setText(f"model {response.request.model_id} on {response.device or 'cpu'}")
            return
        self.generation_finished.emit(response)

    def _sign_corpus_word(self, text: str, lang: str) -> None:
        self.text_panel.set_prompt_mode(False)
        self.text_panel.set_text(text)
        self.text_panel.set_language(lang)
        self.text_panel.generate_button.click()

    # ---- files -------------------------------------------------------------------------------
    def open_file(self, path: str | Path, as_reference: bool = False) -> bool:
        """Read a pose file and show it (or use it as the reference); errors go to a dialog."""
        from signstudio.pose.formats import read_one

        try:
            seq = read_one(path)
        except FormatError as exc:
            QtWidgets.QMessageBox.critical(self, "Cannot open file", str(exc))
            return False
        seq = seq.replace(meta_update={"reference_kind": seq.meta.get("reference_kind", "user file")})
        self.clock.pause()
        if as_reference:
            self.state.reference = seq
        else:
            self.set_pair(seq, None)
        self.state.add_recent_file(str(Path(path).resolve()))
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
        then: Callable[[], object] | None = None,
    ) -> None:
        """Show a new (generated, reference) pair: viewport, clock and curves at once, the metrics
        table in a later turn of the event loop, so the two repaints do not add up into one
        long stall; ``then`` runs after both. ``scores`` (from the generation) are the pair's;
        without them the pair is scored off the GUI thread and the curves follow."""
        self._applying = True
        try:
            self.state.set_result(sequence, reference)
            if warp_path is not None and sequence is not None and reference is not None:
                self.state.warp_path = warp_path  # "warped" timing follows the DTW alignment
        finally:
            self._applying = False
        self._scores = scores
        self._sync_checks()
        self._show_pair(then=then, rescore=scores is None)

    def _pair_changed(self) -> None:
        if not self._applying:
            self._scores = None
            self._show_pair(rescore=True)

    def _show_pair(self, then: Callable[[], object] | None = None, rescore: bool = False) -> None:
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
        self._pair_token = getattr(self, "_pair_token", 0) + 1
        token = self._pair_token
        if rescore and gen is not None:
            self._request_scores(token, gen, ref)
        self._request_avatars()

        def second_slice() -> None:
            if token == self._pair_token:  # a newer pair replaced this one meanwhile
                self.metrics.show_sequences(gen, ref, self._scores, scoring=rescore and gen is not None)
            if then is not None:
                then()

        # The table repaints in a later turn of the event loop, apart from the views.
        QtCore.QTimer.singleShot(20, self.metrics, second_slice)  # dropped if the window is gone

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
        self._applying = True  # not a new pair: `_pair_changed` stays out of it
        try:
            self.state.sequence = seq
        finally:
            self._applying = False
        self.viewport.replace_generated(seq)
        if self.clock.num_frames != seq.num_frames:
            self.clock.num_frames = seq.num_frames
        if final:
            ref = self.state.reference
            self._scores = None
            self._heat_cache = None
            self.timeline.set_curves(self._curves(seq, ref))
            self._pair_token = getattr(self, "_pair_token", 0) + 1
            self._request_scores(self._pair_token, seq, ref)
            self.metrics.show_sequences(seq, ref, None, scoring=True)
            self._request_avatars()
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
        self.viewport.set_body_mode(mode)
        self.settings.set("body_mode", mode)
        self._sync_checks()
        self._request_avatars()

    def _request_avatars(self) -> None:
        if self.viewport.body_mode == "skeleton":
            return
        for seq in (self.state.sequence, self.state.reference):
            if seq is None or self.viewport.avatar_of(seq) is not None:
                continue
            if any(s is seq for s in self._avatar_requests.values()):
                continue
            self._avatar_tokens += 1
            self._avatar_requests[self._avatar_tokens] = seq
            name, folder = self.body_model()
            self.statusBar().showMessage(f"Fitting the {name} avatar to the keypoints (IK)…", 10000)
            self.bridge.avatar(self._avatar_tokens, seq, name, folder, self.body_shape())

    def export_motion(self, path: str | Path) -> Path:
        """Write the shown sequence's SMPL-X parameters (from its avatar's IK) as AMASS ``.npz``.
        ValueError (one line) when there is no fitted avatar yet."""
        from signstudio.pose.formats.amass import write_amass

        seq = self.state.sequence if self.state.sequence is not None else self.state.reference
        mesh = self.viewport.avatar_of(seq)
        if seq is None or mesh is None or mesh.motion is None:
            raise ValueError("no avatar fitted yet: choose View → Avatar and skeleton first")
        return write_amass(path, mesh.motion)

    def body_shape(self) -> tuple[float, ...]:
        """The 10 SMPL-X shape coefficients (betas) of the avatar, as set and remembered."""
        raw = self.settings.get("body_shape") or [0.0] * 10
        values = [float(v) for v in list(raw)[:10]]
        return tuple(values + [0.0] * (10 - len(values)))

    def set_body_shape(self, betas: tuple[float, ...] | list[float]) -> None:
        """New shape coefficients (each clamped to ±3): avatars on screen are fitted again."""
        values = [min(3.0, max(-3.0, float(b))) for b in list(betas)[:10]]
        self.settings.set("body_shape", values + [0.0] * (10 - len(values)))
        self._avatar_requests.clear()
        for seq in (self.state.sequence, self.state.reference):
            if seq is not None:
                self.viewport.set_avatar(seq, None)
        self._request_avatars()

    def body_model(self) -> tuple[str, str | None]:
        """(``mannequin`` | ``smplx``, the SMPL-X folder or None), as chosen and remembered."""
        name = str(self.settings.get("body_model", "mannequin"))
        folder = self.settings.get("smplx_folder")
        if name == "smplx" and folder:
            return "smplx", str(folder)
        return "mannequin", None

    def set_body_model(self, name: str, folder: str | None = None) -> bool:
        """Use the built-in mannequin, or SMPL-X from ``folder`` (checked here: a folder without
        SMPLX_NEUTRAL.npz is refused with a message saying where it belongs, and the mannequin
        stays). Avatars on screen are fitted again with the new body."""
        if name == "smplx":
            from signstudio.avatar.bodies import find_smplx_file

            try:
                find_smplx_file(folder or "")
            except ValueError as exc:
                QtWidgets.QMessageBox.warning(self, "SMPL-X body", str(exc))
                self._sync_checks()
                return False
            self.settings.set("smplx_folder", str(folder))
        self.settings.set("body_model", name)
        self._avatar_requests.clear()
        for seq in (self.state.sequence, self.state.reference):
            if seq is not None:
                self.viewport.set_avatar(seq, None)
        self._sync_checks()
        if self.viewport.body_mode == "skeleton":
            self.set_body_mode("both")
        else:
            self._request_avatars()
        return True

    @QtCore.Slot(int, object)
    def _on_avatar(self, token: int, result: object) -> None:
        seq = self._avatar_requests.pop(token, None)
        if seq is None or seq not in (self.state.sequence, self.state.reference):
            return  # the pair changed meanwhile
        if isinstance(result, str):
            self.statusBar().showMessage(f"No avatar: {result}", 10000)
            if self.body_model()[0] == "smplx":  # the mannequin stays when SMPL-X cannot load
                QtWidgets.QMessageBox.warning(
                    self, "SMPL-X body", f"{result}\nThe mannequin is used instead."
                )
                self.settings.set("body_model", "mannequin")
                self._sync_checks()
                self._request_avatars()
            return
        self.viewport.set_avatar(seq, result)  # type: ignore[arg-type]
        err = getattr(result, "hand_error_m", float("nan"))
        self.statusBar().showMessage(
            f"Avatar fitted in {getattr(result, 'seconds', 0.0):.1f} s "
            f"(IK error: arms {1000 * getattr(result, 'arm_error_m', float('nan')):.0f} mm, "
            f"hands {1000 * err:.0f} mm)",
            8000,
        )
        self.avatar_ready.emit(seq)

    def _request_scores(self, token: int, gen: PoseSequence, ref: PoseSequence | None) -> None:
        text = str(gen.meta.get("text") or (ref.meta.get("text") if ref is not None else "") or "") or None
        lang = str(gen.meta.get("sign_language") or (ref.meta.get("sign_language") if ref else "") or "")
        self.bridge.score(token, gen, ref, text, lang or None)

    @QtCore.Slot(int, object)
    def _on_scored(self, token: int, result: object) -> None:
        """Scores of the pair made under ``token`` (dropped when a newer pair replaced it)."""
        if token != getattr(self, "_pair_token", None):
            return
        gen, ref = self.state.sequence, self.state.reference
        if isinstance(result, str):
            self.metrics.show_sequences(gen, ref, None, error=result)
            return
        assert isinstance(result, PairScores)
        self._scores = result
        if result.path is not None and gen is not None and ref is not None:
            self._applying = True
            try:
                self.state.warp_path = result.path
            finally:
                self._applying = False
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

    def toggle_loop(self) -> None:
        self.timeline.set_loop(not self.clock.loop)

    # ---- saving ------------------------------------------------------------------------------
    #: Save as…'s file types and the format each writes (the .skels families differ in scale and
    #: counter convention: the file type chooses it)
    SAVE_FORMATS: ClassVar[dict[str, str]] = {
        "Pose file (*.pose)": "pose",
        "SignStudio arrays (*.npz)": "npz",
        "Progressive Transformers / Phoenix14T (*.skels)": "pt-skels",
        "Prompt2Sign legacy (*.skels)": "p2s-legacy",
        "Prompt2Sign 2025 (*.skels)": "p2s-2025",
        "HDF5 (*.h5)": "h5",
    }

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
                self, "Save sequence", suggested, ";;".join(self.SAVE_FORMATS)
            )
            if not chosen:
                return None
            target = Path(chosen)
            format = self.SAVE_FORMATS.get(picked) if target.suffix.lower() == ".skels" else None
        elif path is None:
            format = self.editor.saved_format
        from signstudio.pose.formats import write

        try:
            write(target, doc.sequence, format=format)
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
