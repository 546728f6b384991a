"""The Metrics dock: facts about what is shown, generated beside reference.

Every row says what it measures and on what (tooltips on the row names): facts of each sequence
(length, duration, missing points, hand speed), then the pair's scores from
`signstudio.runner.scoring.score_pair` — DurACC's duration difference, both DTW scores, the
windowed FGD-style score and the back-translated text — recomputed whenever the pair changes.
A value never gets cut in a narrow dock: it wraps at spaces, rows take its height, and a fact
column is at least as wide as its longest word (narrower than that, the table scrolls sideways).

A new result costs the GUI thread little: each sequence's facts (its hand speeds are the costly
part) are worked out on the runner's worker thread (`prepare_facts`, from
`signstudio.app.runner_bridge`) and kept per sequence while it lives, and a cell is written only
when its text changed (a new cell re-measures its row).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from PySide6 import QtCore, QtWidgets

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores

ROWS = (
    ("frames", "number of frames"),
    ("duration", "seconds at the sequence's own fps"),
    ("fps", "frames per second"),
    ("layout", "skeleton layout"),
    ("missing", "share of points not measured (confidence 0)"),
    ("filled", "points filled by interpolation"),
    ("left hand speed", "median left wrist speed, shoulder widths per second"),
    ("right hand speed", "median right wrist speed, shoulder widths per second"),
)


def _hand_speeds(seq: PoseSequence) -> dict[str, float]:
    try:
        from signstudio.metrics.kinematics import hand_speed
    except ImportError:  # pragma: no cover - metrics layer not installed
        return {}
    try:
        speeds = hand_speed(seq)
    except (KeyError, ValueError):
        return {}
    out = {}
    for side, values in speeds.items():
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        out[side] = float(np.median(v)) if v.size else math.nan
    return out


def facts(seq: PoseSequence) -> dict[str, str]:
    speeds = _hand_speeds(seq)

    def speed(side: str) -> str:
        value = next((v for k, v in speeds.items() if k.startswith(side)), math.nan)
        return "—" if not math.isfinite(value) else f"{value:.2f}"

    return {
        "frames": str(seq.num_frames),
        "duration": f"{seq.duration:.2f} s",
        "fps": f"{seq.fps:g}",
        "layout": f"{seq.layout} ({seq.num_joints} joints)",
        "missing": f"{100 * seq.missing_ratio():.1f} %",
        "filled": str(int(np.count_nonzero(seq.filled))),
        "left hand speed": speed("left"),
        "right hand speed": speed("right"),
    }


#: Facts worked out ahead (`prepare_facts`, on the runner's worker thread), per sequence while it
#: lives; read-only mappings, never changed once made. The lock: two threads fill and read it.
_FACTS: weakref.WeakKeyDictionary[PoseSequence, Mapping[str, str]] = weakref.WeakKeyDictionary()
_FACTS_LOCK = threading.Lock()


def prepare_facts(*seqs: PoseSequence | None) -> None:
    """Work out the facts of ``seqs`` now (any thread; nothing Qt), for `facts_of` to find."""
    for seq in seqs:
        if seq is None:
            continue
        with _FACTS_LOCK:
            if seq in _FACTS:
                continue
        made = MappingProxyType(facts(seq))
        with _FACTS_LOCK:
            _FACTS.setdefault(seq, made)


def facts_of(seq: PoseSequence) -> Mapping[str, str]:
    """``seq``'s facts: those prepared, else worked out now (and kept while ``seq`` lives)."""
    with _FACTS_LOCK:
        found = _FACTS.get(seq)
    if found is None:
        prepare_facts(seq)
        with _FACTS_LOCK:
            found = _FACTS[seq]
    return found


#: Scores of the pair (one value across both columns): (row name, what it measures).
SCORE_ROWS = (
    ("duration difference", "generated minus reference duration; DurACC counts it right within 1 s"),
    ("DTW (dtw-mje)", "mean per-joint distance over the exact DTW alignment, shoulder widths (SLRTP 2025)"),
    ("DTW (pt-dtw)", "accumulated L1 DTW cost / reference frames (Progressive Transformers' evaluation)"),
    ("FGD-style", "mean over frames of the windowed FGD-style score: squared distance of the FGD "
     "encoder's features of the 34-frame windows around a frame and its aligned reference frame"),
    ("read back", "the back-translation model's reading of the generated signing (units of the "
     "fingerspelling alphabet), and the units of the text asked for"),
    ("read-back chrF", "chrF of the reading against the text asked for (percent; 100 = read exactly), "
     "and the number of unit edits between them"),
)  # fmt: skip


class MetricsPanel(QtWidgets.QWidget):
    """The Metrics dock: facts per sequence (two columns), then the pair's scores (one column
    each row), then a note saying what the reference is and what could not be scored."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MetricsPanel")
        # The scores first (what a teacher looks for), then the facts of each sequence.
        self.table = QtWidgets.QTableWidget(len(SCORE_ROWS) + len(ROWS), 2)
        self.table.setObjectName("metrics_table")
        self.table.setHorizontalHeaderLabels(["generated", "reference"])
        self.table.setVerticalHeaderLabels([name for name, _ in (*SCORE_ROWS, *ROWS)])
        for i, (_, help_text) in enumerate((*SCORE_ROWS, *ROWS)):
            header = self.table.verticalHeaderItem(i)
            if header is not None:
                header.setToolTip(help_text)
        for i in range(len(SCORE_ROWS)):
            self.table.setSpan(i, 0, 1, 2)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        # A long fact ("holistic (178 joints)") wraps onto a second line in a narrow dock instead
        # of being cut: rows take the height of their text.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)
        self.table.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("metrics_note")
        self.note.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.note)

    def value(self, row: str) -> str:
        """The text shown for a row (its first column), e.g. ``value("DTW (dtw-mje)")``."""
        names = [name for name, _ in (*SCORE_ROWS, *ROWS)]
        item = self.table.item(names.index(row), 0)
        return item.text() if item is not None else ""

    def show_sequences(
        self,
        generated: PoseSequence | None,
        reference: PoseSequence | None,
        scores: PairScores | None = None,
        *,
        scoring: bool = False,
        error: str | None = None,
    ) -> None:
        """Fill the table. ``scores``: the pair's (`score_pair`); ``scoring``: they are being
        computed (the rows say so); ``error``: why scoring failed (one line)."""
        words: set[str] = set()
        for col, seq in enumerate((generated, reference)):
            values = facts_of(seq) if seq is not None else {}
            for row, (name, _) in enumerate(ROWS, start=len(SCORE_ROWS)):
                text = values.get(name, "—")
                words.update(text.split())
                self._set_cell(row, col, text)
        self._fit_columns(words)
        pending = "scoring…" if scoring and scores is None and error is None else "—"
        cells = dict.fromkeys((name for name, _ in SCORE_ROWS), pending)
        if generated is not None and reference is not None:
            d = generated.duration - reference.duration
            cells["duration difference"] = f"{d:+.2f} s ({'within' if abs(d) <= 1 else 'over'} 1 s)"
        if scores is not None:
            cells.update(score_cells(scores))
        for i, (name, help_text) in enumerate(SCORE_ROWS):
            self._set_cell(i, 0, cells[name], help_text)
        kind = reference.meta.get("reference_kind", "user file") if reference is not None else None
        lines = [f"Reference: {kind}." if kind else "No reference: open one with File → Open reference…"]
        if error:
            lines.append(f"Scoring failed: {error}")
        if scores is not None:
            lines.extend(n for n in scores.notes if not n.startswith("no reference"))
        note = "\n".join(lines)
        if note != self.note.text():
            self.note.setText(note)

    def _set_cell(self, row: int, col: int, text: str, tip: str | None = None) -> None:
        """Cell (row, col) shows ``text`` (a score row, with ``tip``, centred over both columns);
        written only when it changed: each write re-measures the row's height."""
        item = self.table.item(row, col)
        if item is not None:
            if item.text() != text:
                item.setText(text)
            return
        item = QtWidgets.QTableWidgetItem(text)
        if tip is not None:
            item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            item.setToolTip(tip)
        self.table.setItem(row, col, item)

    def _fit_columns(self, words: set[str]) -> None:
        """A fact column is never narrower than its longest word (a fact wraps at spaces, never
        inside a word; a dock narrower than that scrolls sideways instead of cutting it)."""
        metrics = self.table.fontMetrics()
        margin = 2 * (self.table.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        widest = max((metrics.horizontalAdvance(w) for w in words), default=0)
        header = self.table.horizontalHeader()
        if header.minimumSectionSize() != widest + margin + 2:
            header.setMinimumSectionSize(widest + margin + 2)


def score_cells(scores: PairScores) -> dict[str, str]:
    """The score rows' texts for ``scores`` (rows it cannot fill are left out)."""
    cells: dict[str, str] = {}
    if scores.dtw_mje is not None:
        cells["DTW (dtw-mje)"] = f"{scores.dtw_mje:.3f} shoulder widths"
    if scores.pt_dtw is not None:
        cells["DTW (pt-dtw)"] = f"{scores.pt_dtw:.2f}"
    if scores.fgd_mean is not None:
        cells["FGD-style"] = f"{scores.fgd_mean:.1f} (mean over {scores.n_gen} frames)"
    elif any(n.startswith("FGD-style n/a") for n in scores.notes):
        cells["FGD-style"] = "n/a: encoder does not fit this data (see the note)"
    if scores.reading is None and any(n.startswith("back-translation n/a") for n in scores.notes):
        cells["read back"] = "n/a: reader does not fit this data (see the note)"
    r = scores.reading
    if r is not None:
        asked = f" · asked “{r.expected.replace(' ', '')}”" if r.expected else ""
        cells["read back"] = f"“{r.text}”{asked}"
        if r.chrf is not None:
            cells["read-back chrF"] = (
                f"{r.chrf:.1f} · {r.unit_errors} unit edit{'s' if r.unit_errors != 1 else ''}"
            )
    return cells
