"""What the studio window shows of the controller's answers besides the pair itself: how a
generation went (input panel, status bar), avatars being fitted, arriving or failing, and the
body on screen.

    window.controller = StudioController(window.state, window.bridge, window.settings)
    window.feedback = ControllerFeedback(window)       # subscribes to the controller's events
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6 import QtCore, QtWidgets

from signstudio.app.metrics_panel import MetricsPanel
from signstudio.app.runner_bridge import RunnerBridge
from signstudio.app.text_panel import TextPromptPanel
from signstudio.app.viewport import Viewport
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
from signstudio.modeling.text.spelling import prompt_hint, spelling_note
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.service import GenerateResponse
from signstudio.session.clock import Clock
from signstudio.session.controller import StudioController
from signstudio.session.studio import StudioState

if TYPE_CHECKING:
    from signstudio.avatar.mesh import AvatarMesh

TABLE_DELAY_MS = 20  # a new pair's metrics table repaints this much after its views


class FeedbackWindow(Protocol):
    """What the feedback reaches of the studio window (`signstudio.app.window.StudioWindow`)."""

    state: StudioState
    clock: Clock
    controller: StudioController
    viewport: Viewport
    text_panel: TextPromptPanel
    metrics: MetricsPanel
    _status_device: QtWidgets.QLabel
    bridge: RunnerBridge
    generation_finished: QtCore.SignalInstance
    avatar_ready: QtCore.SignalInstance

    def statusBar(self) -> QtWidgets.QStatusBar: ...

    def _sync_checks(self) -> None: ...


def answer_note(response: GenerateResponse) -> str:
    """One line on a generated answer: what was signed, in which language, that it was spelled
    letter by letter when the words are another spoken language's (`spelling_note`), what was
    left out (the letters the alphabet lacks, named), and why there is no reference."""
    note = f"Signed “{response.text}” in {SIGN_LANGUAGE_NAMES.get(response.lang, response.lang)}"
    if response.request.prompt_mode:
        note += " (read from the prompt)"
    # another spoken language's words (English in DGS) are fingerspelled: say so (issue 21)
    hint = prompt_hint(response.request.text) if response.request.prompt_mode else None
    spelled = spelling_note(response.text, response.lang, hint)
    if spelled:
        note += f"; {spelled}"
    # what was left out or cut ("not signed: 👋 (...)") before why there is no reference: of a
    # line too long for the panel's two lines, the start is what is read
    if response.sequence is not None:
        note += "".join(f"; {extra}" for extra in response.sequence.meta.get("notes", ()))
    if response.reference is None and response.reference_reason:
        note += f"; no reference: {response.reference_reason}"
    return note


class ControllerFeedback:
    """Subscribes ``window`` to the controller's answers other than the pair (the window shows
    that one itself)."""

    def __init__(self, window: FeedbackWindow) -> None:
        self.window = window
        controller = window.controller
        controller.generation_finished.connect(self.generation_answered)
        controller.avatar_requested.connect(self.avatar_requested)
        controller.avatar_fitted.connect(self.avatar_fitted)
        controller.avatar_failed.connect(self.avatar_failed)
        controller.avatars_dropped.connect(self.avatars_dropped)
        controller.avatars_cancelled.connect(self.avatars_cancelled)
        window.bridge.avatar_progress.connect(self.avatar_progress)
        controller.body_changed.connect(self.body_changed)

    def _say(self, text: str, ms: int = 0) -> None:
        self.window.statusBar().showMessage(text, ms)

    def generation_answered(self, response: GenerateResponse) -> None:
        """The newest answer, its pair (if any) already shown: say how it went. The window's
        `generation_finished` follows the pair's metrics table."""
        window, panel = self.window, self.window.text_panel
        if response.cancelled:
            panel.set_busy(False, "Cancelled.", done=False)  # the bar empties: nothing was made
            self._say("Generation cancelled.", 5000)
        elif response.error:
            panel.show_error(response.error)
            self._say(f"Generation failed: {response.error}", 10000)
        if not response.ok:
            window.generation_finished.emit(response)
            return
        note = answer_note(response)
        panel.set_busy(False, f"{note} · {response.seconds:.2f} s")
        if response.lang_from_prompt:
            panel.set_language(response.lang)
        window.clock.pause()
        self._say(note, 8000)
        window._status_device.setText(f"model {response.request.model_id} on {response.device or 'cpu'}")
        # Queued after the window's table slice with the same delay: Qt runs them in that order.
        finished = window.generation_finished
        QtCore.QTimer.singleShot(TABLE_DELAY_MS, window.metrics, lambda: finished.emit(response))

    def avatar_requested(self, body: str) -> None:
        self._say(f"Fitting the {body} avatar to the keypoints (IK)…", 10000)

    def avatar_progress(self, token: int, fraction: float, message: str) -> None:
        """A fit's progress in the status bar, while it is still wanted."""
        if self.window.controller.fitting(token):
            self._say(f"{message}… {100 * fraction:.0f}% (Esc cancels)", 10000)

    def avatars_cancelled(self) -> None:
        # after the window's own "Cancelling…" for the same Esc
        QtCore.QTimer.singleShot(
            0, lambda: self._say("Avatar fit cancelled (View → Avatar fits it again).", 8000)
        )

    def avatar_fitted(self, seq: PoseSequence, mesh: AvatarMesh) -> None:
        vp = self.window.viewport
        if seq is not vp.generated and seq is not vp.reference:
            # an edit's avatar (a mirror's, made at once) comes before the views take the edit
            QtCore.QTimer.singleShot(0, lambda: self._show_avatar(seq, mesh))
            return
        self._show_avatar(seq, mesh)

    def _show_avatar(self, seq: PoseSequence, mesh: AvatarMesh) -> None:
        vp = self.window.viewport
        if seq is not vp.generated and seq is not vp.reference:
            return  # replaced meanwhile
        vp.set_avatar(seq, mesh)
        self._say(
            f"Avatar fitted in {mesh.seconds:.1f} s (IK error: arms {1000 * mesh.arm_error_m:.0f} mm, "
            f"hands {1000 * mesh.hand_error_m:.0f} mm)",
            8000,
        )
        self.window.avatar_ready.emit(seq)

    def avatar_failed(self, message: str, fell_back: bool) -> None:
        self._say(f"No avatar: {message}", 10000)
        if fell_back:  # SMPL-X could not load: the mannequin is back
            parent = self.window if isinstance(self.window, QtWidgets.QWidget) else None
            QtWidgets.QMessageBox.warning(parent, "SMPL-X body", f"{message}\nThe mannequin is used instead.")

    def avatars_dropped(self) -> None:
        for seq in (self.window.state.sequence, self.window.state.reference):
            if seq is not None:
                self.window.viewport.set_avatar(seq, None)

    def body_changed(self) -> None:
        self.window.viewport.set_body_mode(self.window.controller.body_mode)
        self.window._sync_checks()


__all__ = ["TABLE_DELAY_MS", "ControllerFeedback", "FeedbackWindow", "answer_note"]
