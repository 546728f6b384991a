"""Per-sequence scores in the Dataset panel: a reference dataset paired with the open one.

    scoring = PairScoring(browser, panel, window, parent)   # made by `DatasetBinding`
    scoring.set_reference(open_dataset("dev.skels"))   # plan, summary line, scores in the background

Where the reference comes from: ``app PRED --gt REF`` with REF multi-sequence (`follow_launch`),
File → Open reference… on a multi-sequence file while a dataset is open, or File → Score
against… / the panel's "Score against…" button (a file dialog). Decisions (user-visible):

* The open dataset is the predictions, the chosen file the references; they are paired by
  `signstudio.session.pairing.plan_pairs` (by key when both sides have keys, else by index), so
  the numbers are ``signstudio score``'s. The plan's summary — or its warning, in the error colour,
  when keys differ or none match — is the line above the table and the status bar's message.
* `DatasetScores` computes on its own thread; its events are re-emitted as queued Qt signals and
  handled on the GUI thread. Rows are gathered and put in the table at most every
  `FLUSH_MS` (one re-order per batch, not per row), with "scored 3 of 5" beside the summary.
* Columns: dtw-mje, pt-dtw, \\|dur diff\\| s (absolute, seconds: higher is worse everywhere), and FGD /
  BLEU-4 only when an evaluator fits the data (BLEU: lower is worse for "Next worst").
* A new dataset, a new reference, or a single-file reference cancels the run (the worker stops
  before its next pair; rows it still sends are dropped) and clears the score columns. Closing
  the window cancels it and waits briefly for the pair in progress.
* While a reference dataset is set, each sequence shown has its partner as the reference (the
  heat map, the DTW row and the Metrics panel compare that pair); no partner: none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6 import QtCore, QtWidgets

from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.controller import user_file
from signstudio.session.dataset import Dataset
from signstudio.session.dataset_browser import DatasetBrowser
from signstudio.session.pairing import LOWER_IS_WORSE, DatasetScores, PairPlan, plan_pairs, score_columns

FLUSH_MS = 150  # rows reach the table in batches: a 7 000-row split is not re-sorted per row
SCORE_ACTION = "score_against"


class ScoresView(Protocol):
    """What this uses of the Dataset panel (a protocol: the panel's module makes this one)."""

    def show_pairing(self, line: str | None, warning: str | None) -> None: ...

    def show_progress(self, line: str) -> None: ...

    def widen_scores(self) -> None: ...


class _Relay(QtCore.QObject):
    """`DatasetScores`' events as signals (emitted on the worker, delivered queued)."""

    row = QtCore.Signal(int)  # run
    progress = QtCore.Signal(int, int, int)  # run, done, total
    finished = QtCore.Signal(int, bool)  # run, cancelled
    failed = QtCore.Signal(int, str)  # run, one line


class PairScoring(QtCore.QObject):
    """The reference dataset of the open one, and its scores filling the panel (module docstring)."""

    def __init__(
        self,
        browser: DatasetBrowser,
        panel: ScoresView,
        window: QtWidgets.QMainWindow,
        parent: QtCore.QObject,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.browser = browser
        self.panel = panel
        self.browser.lower_is_worse = LOWER_IS_WORSE
        self.reference: Dataset | None = None
        self.plan: PairPlan | None = None
        self.scores: DatasetScores | None = None
        self._run = 0
        self._relay = _Relay(self)
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self._relay.row.connect(self._on_row, queued)
        self._relay.progress.connect(self._on_progress, queued)
        self._relay.finished.connect(self._on_finished, queued)
        self._relay.failed.connect(self._on_failed, queued)
        self._flush_timer = QtCore.QTimer(self, singleShot=True, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self.browser.dataset_changed.connect(self.drop)
        window.installEventFilter(self)

    # ---- setting the reference ---------------------------------------------------------------
    def set_reference(self, reference: Dataset) -> PairPlan | None:
        """Pair the open dataset with ``reference`` and start scoring; the plan (None: no dataset
        open, nothing done). A `FormatError` (pairing refused) leaves the previous state dropped."""
        pred = self.browser.dataset
        if pred is None:
            return None
        self.drop()
        plan = plan_pairs(pred, reference)
        self.reference, self.plan = reference, plan
        self.panel.show_pairing(
            plan.warning or f"{plan.summary} · against {reference.path.name}", plan.warning
        )
        self._say(plan.warning or plan.summary, 15000)
        if not plan.pairs:
            self.panel.show_progress("nothing to score")
            return plan
        scores = DatasetScores(plan, pred, reference)
        run = self._run
        relay = self._relay
        scores.row_ready.connect(lambda _pos, _row: relay.row.emit(run))
        scores.progress.connect(lambda done, total: relay.progress.emit(run, done, total))
        scores.finished.connect(lambda cancelled: relay.finished.emit(run, cancelled))
        scores.failed.connect(lambda message: relay.failed.emit(run, message))
        self.scores = scores
        self.panel.show_progress(f"scoring {len(plan.pairs)} pairs…")
        scores.start()
        return plan

    def drop(self) -> None:
        """Cancel a run (its late rows are ignored) and forget the reference and its columns."""
        self._run += 1
        if self.scores is not None:
            self.scores.cancel()
        self.scores, self.reference, self.plan = None, None, None
        self._flush_timer.stop()
        self.browser.clear_scores()
        self.panel.show_pairing(None, None)
        self.panel.show_progress("")

    def partner(self, index: int) -> PoseSequence | None:
        """The reference sequence paired with sequence ``index`` (None: none, or it did not read)."""
        if self.plan is None or self.reference is None:
            return None
        at = self.plan.partner_of(index)
        if at is None:
            return None
        try:
            return user_file(self.reference.sequence(at))
        except FormatError as exc:
            self._say(str(exc), 15000)
            return None

    def _say(self, line: str, ms: int = 15000) -> None:
        """The status bar's message, after the caller's own ("Opened …"), so this is what stays."""
        QtCore.QTimer.singleShot(0, self, lambda: self.window.statusBar().showMessage(line, ms))

    # ---- worker -> GUI (queued) --------------------------------------------------------------
    def _on_row(self, run: int) -> None:
        if run == self._run and not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Put the rows scored so far in the table (one re-order)."""
        if self.scores is None or self.plan is None:
            return
        first = not self.browser.scores
        self.browser.update_scores(score_columns(self.plan, self.scores.rows))
        if first:
            self.panel.widen_scores()

    def _on_progress(self, run: int, done: int, total: int) -> None:
        if run == self._run:
            self.panel.show_progress(f"scored {done} of {total}")

    def _on_finished(self, run: int, cancelled: bool) -> None:
        if run != self._run or self.scores is None:
            return
        self.flush()
        scores = self.scores
        if scores.state == "failed":
            return
        total = len(scores.plan.pairs)
        done = len(scores.rows)
        cached = done - scores.computed
        note = f" ({cached} from the cache)" if cached else ""
        self.panel.show_progress(
            f"cancelled after {done} of {total}" if cancelled else f"scored {done} of {total}{note}"
        )

    def _on_failed(self, run: int, message: str) -> None:
        if run == self._run:
            self.panel.show_progress("")
            self.panel.show_pairing(message, message)
            self._say(message, 15000)

    # ---- window ------------------------------------------------------------------------------
    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """The window closing: stop the worker before the widgets it reports to go away."""
        if event.type() == QtCore.QEvent.Type.Close and self.scores is not None:
            self._run += 1
            self.scores.cancel()
            self.scores.wait(10.0)
        return super().eventFilter(watched, event)

    def dialog(self) -> None:
        """File → Score against…: a multi-sequence reference chosen in a file dialog."""
        if self.browser.dataset is None:
            self._say(
                "Open a dataset first (a .skels set, an .h5 or a folder), then score it against another", 8000
            )
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.window, "Score against references", "", "Pose datasets (*.skels *.h5);;All files (*)"
        )
        if path:
            self.open_reference(path)

    def open_reference(self, path: str | Path) -> bool:
        """``path`` as the open dataset's references; False (and the problem in the status bar) when
        it does not open or cannot be paired."""
        from signstudio.session.dataset import open_dataset

        try:
            self.set_reference(open_dataset(Path(path)))
        except FormatError as exc:
            self.panel.show_pairing(str(exc), str(exc))
            self._say(str(exc), 15000)
            return False
        return True


__all__ = ["FLUSH_MS", "SCORE_ACTION", "PairScoring"]
