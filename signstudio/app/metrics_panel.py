"""The Metrics dock: facts about what is shown, generated beside reference.

Every row says what it measures and on what. Quality scores (DTW, FGD, back-translation) join
this table when the evaluation work lands; until then it shows what can be measured honestly:
length, duration and its difference, missing points and hand speed.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

from signstudio.pose.sequence import PoseSequence

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


class MetricsPanel(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MetricsPanel")
        self.table = QtWidgets.QTableWidget(len(ROWS) + 2, 2)
        self.table.setObjectName("metrics_table")
        self.table.setHorizontalHeaderLabels(["generated", "reference"])
        self.table.setVerticalHeaderLabels([name for name, _ in ROWS] + ["duration difference", "DTW"])
        for i, (_, help_text) in enumerate(ROWS):
            header = self.table.verticalHeaderItem(i)
            if header is not None:
                header.setToolTip(help_text)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.note)

    def show_sequences(
        self,
        generated: PoseSequence | None,
        reference: PoseSequence | None,
        score: tuple[str, float] | None = None,
    ) -> None:
        """Fill the table; ``score`` is (label, value) of the DTW of generated against reference."""
        for col, seq in enumerate((generated, reference)):
            values = facts(seq) if seq is not None else {}
            for row, (name, _) in enumerate(ROWS):
                self.table.setItem(row, col, QtWidgets.QTableWidgetItem(values.get(name, "—")))
        diff = "—"
        if generated is not None and reference is not None:
            d = generated.duration - reference.duration
            diff = f"{d:+.2f} s ({'within' if abs(d) <= 1 else 'over'} 1 s)"
        diff_item = QtWidgets.QTableWidgetItem(diff)
        diff_item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.table.setItem(len(ROWS), 0, diff_item)
        self.table.setSpan(len(ROWS), 0, 1, 2)
        # The short name in the cell; what the score measures in the tooltip.
        dtw_text = f"{score[1]:.3f} {score[0].split(' (')[0]}" if score is not None else "—"
        dtw_item = QtWidgets.QTableWidgetItem(dtw_text)
        dtw_item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        what = f"{score[0]}; " if score is not None else ""
        dtw_item.setToolTip(f"{what}exact DTW of generated against reference, both as normalised upper50")
        self.table.setItem(len(ROWS) + 1, 0, dtw_item)
        self.table.setSpan(len(ROWS) + 1, 0, 1, 2)
        kind = reference.meta.get("reference_kind", "user file") if reference is not None else None
        self.note.setText(
            f"Reference: {kind}." if kind else "No reference: open one with File → Open reference…"
        )
