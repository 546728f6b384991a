"""The runner's worker-thread callbacks as Qt signals on the GUI thread.

`signstudio.runner.service.Runner` calls ``on_progress`` and ``on_done`` on its worker thread;
emitting a signal of a QObject that lives on the GUI thread queues the call there, so slots run
on the GUI thread and the window never touches a half-made result. A finished generation's
display geometry (`signstudio.session.geometry.prepare_display`), timeline curves
(`signstudio.app.analysis_view.prepare_curves`) and Metrics facts
(`signstudio.app.metrics_panel.prepare_facts`) are computed here, on the worker thread, before
the window is told, so applying it costs the GUI thread less. They are plain numbers and
strings made fresh and never changed after; nothing Qt is made or touched on this thread.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future

from PySide6 import QtCore

from signstudio.app.analysis_view import prepare_curves
from signstudio.app.metrics_panel import prepare_facts
from signstudio.modeling.base import Cancelled
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.service import GenerateRequest, GenerateResponse, Runner
from signstudio.session.geometry import prepare_display


class RunnerBridge(QtCore.QObject):
    """Signals: ``progress(request_id, fraction, message)``, ``finished(response)``,
    ``scored(token, PairScores | str)``, ``avatar_progress(token, fraction, message)`` and
    ``avatar_ready(token, AvatarMesh | str)`` (a str is the one-line error; a cancelled fit
    answers nothing)."""

    progress = QtCore.Signal(int, float, str)
    finished = QtCore.Signal(object)
    scored = QtCore.Signal(int, object)
    avatar_ready = QtCore.Signal(int, object)  # (token, AvatarMesh | one-line error)
    avatar_progress = QtCore.Signal(int, float, str)

    def __init__(self, runner: Runner | None = None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner if runner is not None else Runner()
        self._fits: dict[int, Future] = {}  # avatar token -> its fit, until it answers

    def submit(self, request: GenerateRequest) -> int:
        return self.runner.submit(request, self._on_progress, self._on_done)

    def score(
        self,
        token: int,
        sequence: PoseSequence,
        reference: PoseSequence | None,
        text: str | None,
        lang: str | None,
    ) -> None:
        """Score the pair off the GUI thread; `scored` brings ``token`` back with the result."""

        def done(future: Future) -> None:
            self._deliver("scored", token, future)

        try:
            self.runner.score(sequence, reference, text, lang).add_done_callback(done)
        except RuntimeError as exc:  # shut down
            self.scored.emit(token, str(exc))

    def _deliver(self, signal: str, token: int, future: Future) -> None:
        """Emit ``signal`` with the future's result, or its error as one line (from the runner's
        thread); nothing when the bridge is already gone (the window closed meanwhile)."""
        try:
            value: object = future.result()
        except Exception as exc:  # a ModelError's line, or what went wrong
            value = str(exc) or type(exc).__name__
        with contextlib.suppress(RuntimeError):  # "Signal source has been deleted": the window is gone
            getattr(self, signal).emit(token, value)

    def avatar(
        self,
        token: int,
        sequence: PoseSequence,
        body: str = "mannequin",
        folder: str | None = None,
        shape: tuple[float, ...] | None = None,
    ) -> None:
        """Build ``sequence``'s avatar off the GUI thread; `avatar_ready` brings ``token`` back."""

        def done(future: Future) -> None:
            self._fits.pop(token, None)
            if not future.cancelled() and not isinstance(future.exception(), Cancelled):
                self._deliver("avatar_ready", token, future)

        def progress(fraction: float, message: str) -> None:
            with contextlib.suppress(RuntimeError):  # the window is gone
                self.avatar_progress.emit(token, float(fraction), str(message))

        try:
            future = self.runner.avatar(sequence, body, folder, shape, progress)
        except RuntimeError as exc:
            self.avatar_ready.emit(token, str(exc))
            return
        self._fits[token] = future
        future.add_done_callback(done)

    def cancel_avatar(self, token: int | None = None) -> bool:
        """Stop the fit asked for under ``token`` (default: every one); it answers nothing."""
        if token is None:
            return self.runner.cancel_avatar()
        future = self._fits.pop(token, None)
        return future is not None and self.runner.cancel_avatar(future)

    def cancel(self) -> bool:
        return self.runner.cancel()

    def is_current(self, response: GenerateResponse) -> bool:
        return not response.stale and self.runner.is_current(response.request_id)

    def shutdown(self) -> None:
        self.runner.shutdown(wait=False)

    # worker thread -> queued signal
    def _on_progress(self, request_id: int, fraction: float, message: str) -> None:
        self.progress.emit(request_id, float(fraction), str(message))

    def _on_done(self, response: GenerateResponse) -> None:
        # The views' normalisation and bounds of the pair, its curves and its table's facts, here
        # rather than on the GUI thread; if one fails the window still hears of the answer (and
        # works that part out itself, or reports it, as before).
        seq, ref = response.sequence, response.reference
        with contextlib.suppress(Exception):
            prepare_display(seq, ref)
        with contextlib.suppress(Exception):
            prepare_curves(seq, ref, response.scores)
        with contextlib.suppress(Exception):
            prepare_facts(seq, ref)
        self.finished.emit(response)
