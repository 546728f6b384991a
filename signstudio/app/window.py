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

from signstudio.app import capture, dataset_panel, dock_layout, gui_gc, lexicon_binding
from signstudio.app.analysis_view import JointHeatOverlay, timeline_curves
from signstudio.app.controller_feedback import TABLE_DELAY_MS, ControllerFeedback
from signstudio.app.curves import Curve
from signstudio.app.edit_binding import EditBinding
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
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.runner.service import GenerateResponse
from signstudio.session.actions import FILE, VIEW
from signstudio.session.clock import Clock
from signstudio.session.controller import StudioController
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
        gui_gc.take_over()  # Qt objects in garbage cycles must die on this thread, never a worker's
        self.recovery_bar.hide()  # shown only with something to offer, never from the saved layout
        if sequence is not None:
            self.set_pair(sequence, reference)
        else:  # real signing at once: the built-in "hello" as the reference, its generation started
            self.set_pair(None, self.inputs.default_sample())
            if auto_generate:
                self.text_panel.generate_button.click()
        QtCore.QTimer.singleShot(0, self.edits, self.edits.offer_recovery)

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
        self.datasets = dataset_panel.attach(self)  # the Dataset dock; opens paths (open_file)
        self.lexicon = lexicon_binding.install_lexicon(self)  # the Lexicon dock, menu, Lexicons setting
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

        self.state.reference_timing_changed.connect(lambda _m: self._on_frame(self.clock.frame))
        self.state.recent_files_changed.connect(self._on_recent)
        self.clock.frame_changed.connect(self._on_frame)

    def _fit_text_dock(self, need: int) -> None:
        dock_layout.fit_dock_height(self, self.docks[dock_layout.TEXT_DOCK], need)

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
            self.datasets.open_path(path, as_reference)  # a multi-sequence source opens as a dataset
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
        self._on_frame(self.clock.frame)
        self.timeline.refresh()
        token = self.controller.pair_token

        def second_slice() -> None:
            if token == self.controller.pair_token:  # else a newer pair replaced this one meanwhile
                self.metrics.show_sequences(gen, ref, self.controller.scores, scoring=rescore)

        # The table repaints in a later turn of the event loop, apart from the views.
        QtCore.QTimer.singleShot(TABLE_DELAY_MS, self.metrics, second_slice)  # dropped if the window is gone

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
        self.controller.edit(seq, final)  # a final edit is scored again, its avatar fitted again
        self.viewport.replace_generated(seq)
        if self.clock.num_frames != seq.num_frames:
            self.clock.num_frames = seq.num_frames
        if final:
            ref = self.state.reference
            self.timeline.set_curves(self._curves(seq, ref))
            self.metrics.show_sequences(seq, ref, None, scoring=True)
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
        self.controller.set_body_mode(mode)

    def export_motion(self, path: str | Path) -> Path:
        """Write the shown sequence's SMPL-X parameters (from its avatar's IK) as AMASS ``.npz``.
        ValueError (one line) when there is no fitted avatar yet."""
        return self.controller.export_motion(path)

    def body_shape(self) -> tuple[float, ...]:
        """The 10 SMPL-X shape coefficients (betas) of the avatar, as set and remembered."""
        return self.controller.body_shape()

    def set_body_shape(self, betas: tuple[float, ...] | list[float]) -> None:
        """New shape coefficients (each clamped to ±3): avatars on screen are fitted again."""
        self.controller.set_body_shape(betas)

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
    def save_document(
        self, path: str | Path | None = None, ask: bool = False, format: str | None = None
    ) -> Path | None:
        """Write the edited sequence (atomically) to ``path``, the last path saved to, or a path
        asked for (`EditBinding.save`)."""
        return self.edits.save(self.controller.save, path, ask, format, self._error)

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
