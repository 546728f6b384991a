"""The studio's main window: named docks around the viewport, menus, toolbar, status bar.

Model/view as in napari: the window owns Qt-free models — a `StudioState` (what is on screen:
generated + reference, their display and timing modes, language, model, recent files) and a
`Clock` (the current frame) — and the docks subscribe to them. Generation is a request to the
runner, answered on the GUI thread through `RunnerBridge`; a stale answer is dropped.

The window wires; its collaborators do the rest: `dock_layout` (docks, saved layout), `input_binding`
(text and files panels), `edit_binding` (the edited document), `view_modes` (View menu modes and
check marks), `analysis_view` (curves, heat map), `capture` (screenshots).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app import capture, dock_layout
from signstudio.app.analysis_view import JointHeatOverlay, timeline_curves
from signstudio.app.curves import Curve
from signstudio.app.edit_binding import EditBinding
from signstudio.app.edit_binding import title_of as _title_of
from signstudio.app.editor import PoseEditor
from signstudio.app.files_panel import FilesPanel
from signstudio.app.images import save_png
from signstudio.app.input_binding import DEFAULT_LANGUAGE, InputBinding
from signstudio.app.menus import MenuBuilder
from signstudio.app.metrics_panel import MetricsPanel
from signstudio.app.runner_bridge import RunnerBridge
from signstudio.app.settings import Settings
from signstudio.app.text_panel import TextPromptPanel
from signstudio.app.timeline import PlaybackDriver, Timeline
from signstudio.app.view_modes import ViewModes
from signstudio.app.viewport import Viewport
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.session.actions import FILE, VIEW
from signstudio.session.clock import Clock
from signstudio.session.document import PoseDocument
from signstudio.session.studio import StudioState

HINTS = (
    "Space play/pause · ←/→ step · Home/End · drag to orbit, Ctrl+drag to pan, wheel to zoom · P screenshot"
)


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
        self._build_views()
        self._make_menus()
        self._build_bars()
        self._connect_views()
        self.modes.restore()
        dock_layout.restore_layout(self, self.settings)
        self.recovery_bar.hide()  # shown only with something to offer, never from the saved layout
        if sequence is not None:
            self.set_pair(sequence, reference)
        else:  # real signing at once: the built-in "hello" as the reference, its generation started
            self.set_pair(None, self.inputs.default_sample())
            if auto_generate:
                self.text_panel.generate_button.click()
        QtCore.QTimer.singleShot(0, self.edits, self.edits.offer_recovery)

    def _wire_controller(self) -> None:
        """STUB on the win branch (the ctl branch's `_wire_controller` replaces it): the
        generation/scoring/avatar bookkeeping the handlers of this branch still use."""
        self._pending: int | None = None
        self._generation_started = 0.0
        self._scores: PairScores | None = None  # of the pair on screen, once scored
        self._avatar_requests: dict[int, PoseSequence] = {}  # token -> the sequence being fitted
        self._avatar_tokens = 0

    # ---- construction ------------------------------------------------------------------------
    def _build_views(self) -> None:
        """The views, their docks, and the collaborators that bind them to the models."""
        self.viewport = Viewport(self)
        self.text_panel = TextPromptPanel(self)
        self.timeline = Timeline(self.clock, self)
        self.metrics = MetricsPanel(self)
        self.files = FilesPanel(self)
        self.setCentralWidget(self.viewport)
        self.editor = PoseEditor(self.viewport, self.clock, self.settings, self._status, self)
        self.history = dock_layout.history_view(self.editor.undo_stack, self)
        panels = (self.text_panel, self.files, self.metrics, self.timeline, self.history)
        self.docks = dock_layout.add_docks(self, *panels)
        self.viewport_dock_name = "Viewport"  # the viewport is the central widget, named for menus
        self.inputs = InputBinding(self.text_panel, self.files, self.state, self.settings)
        self.edits = EditBinding(self, self.editor, self.state, self.clock, self.viewport, self.set_pair)
        self.recovery_bar = self.edits.recovery_bar
        self.heat = JointHeatOverlay(self, self.viewport, self.state, self.settings, lambda: self._scores)
        self.modes = ViewModes(
            self.state, self.clock, self.viewport, self.timeline, self.settings, self.body_model, self._curves
        )

    def _build_bars(self) -> None:
        """The recovery offer under the toolbar; the status bar's hints and device."""
        self.addToolBarBreak()
        self.addToolBar(QtCore.Qt.ToolBarArea.TopToolBarArea, self.recovery_bar)
        self._status_device = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self._status_device)
        self.statusBar().showMessage(HINTS)

    def _connect_views(self) -> None:
        """Inputs -> requests, models -> views."""
        tp = self.text_panel
        tp.generate_requested.connect(self.generate)
        tp.cancel_requested.connect(self.cancel_generation)
        tp.height_needed.connect(self._fit_text_dock)
        self.inputs.connect_panels()
        self.files.open_requested.connect(self.open_file)
        self.files.word_requested.connect(self._sign_corpus_word)
        self.bridge.progress.connect(self._on_progress)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.scored.connect(self._on_scored)
        self.bridge.avatar_ready.connect(self._on_avatar)
        self.editor.sequence_edited.connect(self._on_sequence_edited)
        self.editor.marks_changed.connect(self.timeline.set_marks)
        self.editor.undo_stack.indexChanged.connect(self._on_history_index)

        self._applying = False  # set while a (sequence, reference) pair is replaced as one
        self.state.sequence_changed.connect(lambda _s: self._pair_changed())
        self.state.reference_changed.connect(lambda _s: self._pair_changed())
        self.state.reference_timing_changed.connect(lambda _m: self._on_frame(self.clock.frame))
        self.state.recent_files_changed.connect(self._on_recent)
        self.clock.frame_changed.connect(self._on_frame)

    def _fit_text_dock(self, need: int) -> None:
        dock_layout.fit_dock_height(self, self.docks[dock_layout.TEXT_DOCK], need)

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

    # ---- editing (signstudio.app.edit_binding) ------------------------------------------------
    @property
    def document(self) -> PoseDocument | None:
        """The shown generated sequence as an editable document (None: nothing shown)."""
        return self.editor.document

    def _status(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    def _adopt_document(self) -> None:
        self.edits.adopt()

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
        self.edits.sync_actions()

    def _on_history_index(self, _index: int) -> None:
        self.edits.sync_actions()  # a window slot: disconnected as the window goes (the stack's are not)

    def _title_for_files(self) -> str:
        return self.edits.title_for_files()

    def undo(self) -> bool:
        return self.editor.undo()

    def redo(self) -> bool:
        return self.editor.redo()

    def _edit(self, tool: Callable[[PoseDocument, int], object]) -> None:
        self.editor.apply(tool)

    def set_editing(self, on: bool) -> None:
        """Joint editing in the viewport (E): click a joint to pick it, drag to move it."""
        self.edits.set_editing(on)

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

    # ---- analysis (signstudio.app.analysis_view) ----------------------------------------------
    def _curves(self, gen: PoseSequence | None, ref: PoseSequence | None) -> dict[str, Curve]:
        """The timeline's rows of the pair."""
        return timeline_curves(self.state, gen, ref, self._scores)

    def _on_frame(self, frame: int) -> None:
        self.modes.show_frame(frame)
        self.heat.show(frame)

    def toggle_heat(self) -> None:
        self.heat.toggle(self.clock.frame)

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
        """Menus and toolbar from the action table; the collaborators get the actions they keep."""
        builder = MenuBuilder(self, {"camera": self.viewport.camera_actions()})
        self.actions_by_name = builder.build()
        for attr, name in self.NAMED_ACTIONS.items():
            setattr(self, attr, self.actions_by_name[name])
        groups = builder.groups
        self.spread_actions, self.body_model_actions = groups["spread"], groups["body_model"]
        self.edit_tools = list(groups["edit_tools"].values())
        self.recent_menu = builder.menus[(FILE, "Open recent")]
        for dock in self.docks.values():
            builder.menus[(VIEW, "Panels")].addAction(dock.toggleViewAction())
        self.spread_actions[self.editor.spread].setChecked(True)
        self.arm_ik_action.setChecked(self.editor.arm_ik)
        self.heat.attach(self.heat_action)
        builder.toolbar()
        self._fill_recent_menu()
        self.modes.attach(self.actions_by_name, groups)
        self.edits.attach(self.actions_by_name, self.edit_tools)

    def toggle_loop(self) -> None:
        self.modes.toggle_loop()

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
        self.modes.sync()

    def set_display(self, mode: str) -> None:
        self.modes.set_display(mode)

    def set_timing(self, mode: str) -> None:
        self.modes.set_timing(mode)

    def set_theme(self, choice: str) -> None:
        self.modes.set_theme(choice)

    def _fill_recent_menu(self) -> None:
        if hasattr(self, "recent_menu"):
            self.inputs.fill_recent_menu(self.recent_menu, self.open_file)

    # ---- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.editor.closing()
        dock_layout.save_layout(self, self.settings)
        self.clock.pause()
        self.bridge.shutdown()
        super().closeEvent(event)

    # ---- screenshots (CLI --screenshot, tests; `signstudio.app.capture`) ----------------------
    def wait_painted(self, timeout: float = 10.0) -> bool:
        return self.viewport.wait_painted(timeout)

    def wait_generated(self, timeout: float = 60.0) -> bool:
        """Process events until no generation is pending (False on timeout)."""
        return capture.process_events_until(lambda: self._pending is None, timeout)

    def grab_image(self) -> QtGui.QImage:
        """The whole window, with the GL views' current frames rendered into it."""
        return capture.grab_window(self, self.viewport)

    def save_screenshot(self, path: str | Path) -> Path:
        """Save the whole window as PNG (written atomically); FormatError if it cannot be written."""
        return save_png(self.grab_image(), path)
