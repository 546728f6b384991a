"""Compare models A/B/C on one text: what was asked, what each model gave, and its numbers (Qt-free).

    plan = ComparePlan("hello", "ase", ("lookup", "nar-kd", "diffusion"))
    state = CompareState(plan)
    state.add(model_id, sequence, scores)           # or state.fail(model_id, "one line")
    state.metric_table()  -> [(row name, tooltip, {model: "0.052"}), ...]
    state.dtw_rows(n)     -> {"DTW cost · nar-kd": CurveData, ...}   (the timeline's rows)

Decisions. The first model (``--model``) is the window's own generation: its view is the studio's
main view, the lexicon join is the one reference all models are scored against (every response
carries the same join for the same text and language). The models are generated one after the
other (the runner's newest-wins contract would cancel a model still running if the next one were
submitted at once). At most three models: four views side by side (three models and the
reference) is what a 1366-pixel screen still shows legibly. The numbers are
`signstudio.runner.scoring.score_pair`'s, computed with each generation (``response.scores``), so
the table and ``signstudio score`` agree. In ghost mode each compared model's view draws the
reference over it, timed against that model (`reference_tables`: the same wall time, or warped
through the model's own ``dtw-mje`` path), not against the first model's timing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.session.analysis import CurveData
from signstudio.session.timewarp import TimingMode, frame_map

#: models compared at once, the window's own (``--model``) included
MAX_MODELS = 3
#: one colour per model for its DTW row (the first is the studio's usual DTW red)
MODEL_COLORS = ("#e0503c", "#3c9be0", "#e0b03c")
#: the Metrics table's rows: name, what it measures
METRIC_ROWS = (
    ("dtw-mje", "DTW mean joint error against the reference, shoulder widths (lower is better)"),
    ("pt-dtw", "DTW of the progressive-transformer evaluation, shoulder widths (lower is better)"),
    ("frames", "number of frames generated"),
    ("duration", "seconds at the sequence's own fps"),
    ("duration diff", "generated minus reference duration, seconds (DurACC: within 1 s)"),
    ("FGD-style", "mean windowed feature distance to the reference (n/a where no encoder fits)"),
)


def check_models(first: str | None, compare: Sequence[str], known: Sequence[str]) -> str | None:
    """What is wrong with ``--model first --compare *compare`` (one line), or None. ``known``: the
    registered model ids (a checkpoint id ``family@/path`` is accepted as it is)."""
    if not compare:
        return None
    if len(compare) > MAX_MODELS - 1:
        return f"--compare takes one or two models besides --model, not {len(compare)}"
    for model_id in compare:
        if model_id not in known and "@" not in model_id:
            return f"--compare {model_id}: no such model (known: {', '.join(known)})"
    everyone = [first, *compare] if first else list(compare)
    twice = sorted({m for m in everyone if everyone.count(m) > 1})
    if twice:
        return f"--compare: {', '.join(twice)} given twice (compare different models)"
    return None


@dataclass(frozen=True)
class ComparePlan:
    """text and lang signed by every model of ``models`` (the first is the window's own)."""

    text: str
    lang: str
    models: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ModelResult:
    """What one model gave: its sequence and scores against the reference, or why not (error)."""

    model_id: str
    sequence: PoseSequence | None = None
    scores: PairScores | None = None
    error: str | None = None


@dataclass
class CompareState:
    """The results of a `ComparePlan`, in the plan's model order."""

    plan: ComparePlan
    results: dict[str, ModelResult] = field(default_factory=dict)

    def add(self, model_id: str, sequence: PoseSequence, scores: PairScores | None) -> None:
        self.results[model_id] = ModelResult(model_id, sequence, scores)

    def fail(self, model_id: str, error: str) -> None:
        self.results[model_id] = ModelResult(model_id, error=error)

    @property
    def done(self) -> bool:
        return all(m in self.results for m in self.plan.models)

    def waiting(self) -> list[str]:
        """Models not answered yet, in order."""
        return [m for m in self.plan.models if m not in self.results]

    def ordered(self) -> list[ModelResult]:
        return [self.results[m] for m in self.plan.models if m in self.results]

    def sequences(self) -> list[PoseSequence]:
        return [r.sequence for r in self.ordered() if r.sequence is not None]

    def longest(self) -> int:
        """Frames of the longest generated sequence (the one clock's length), at least 1."""
        return max([s.num_frames for s in self.sequences()] or [1])

    def metric_table(self) -> list[tuple[str, str, dict[str, str]]]:
        """One row per `METRIC_ROWS` entry, one cell per model (in plan order): the text shown."""
        rows = []
        for name, tip in METRIC_ROWS:
            cells = {}
            for model_id in self.plan.models:
                result = self.results.get(model_id)
                cells[model_id] = cell_text(name, result)
            rows.append((name, tip, cells))
        return rows

    def dtw_rows(self) -> dict[str, CurveData]:
        """The timeline's DTW rows, one per model with a DTW curve, each on its own frame axis
        (the clock spans the longest sequence; a shorter one's row ends where it ends). The first
        model's row replaces the studio's usual "DTW cost" row, so no row is shown twice."""
        rows: dict[str, CurveData] = {}
        for i, result in enumerate(self.ordered()):
            curve = result.scores.dtw_curve if result.scores is not None else None
            if curve is None:
                continue
            key = "DTW cost" if result.model_id == self.plan.models[0] else f"DTW cost · {result.model_id}"
            rows[key] = CurveData(
                np.asarray(curve, np.float64),
                MODEL_COLORS[i % len(MODEL_COLORS)],
                unit="sh. w.",
                group=f"DTW {result.model_id}",
                label=f"{result.model_id} dtw-mje cost",
            )
        return rows


def reference_tables(
    results: Sequence[ModelResult], reference: PoseSequence | None, timing: TimingMode
) -> list[np.ndarray]:
    """For the ghost views: per result with a sequence, (n_i,) int64, the reference frame shown
    with each of its frames in ``timing`` — the same wall time (``own-clock``), or warped through
    that model's own ``dtw-mje`` path (linearly where it has none). Empty without a reference."""
    if reference is None:
        return []
    tables = []
    for result in results:
        seq = result.sequence
        if seq is None:
            continue
        path = result.scores.path if result.scores is not None else None
        n_ref = reference.num_frames
        tables.append(frame_map(timing, seq.num_frames, seq.fps, n_ref, reference.fps, path))
    return tables


def metric_value(name: str, result: ModelResult | None) -> float | None:
    """The number behind a cell of the table (None: not computed)."""
    if result is None or result.sequence is None:
        return None
    scores, seq = result.scores, result.sequence
    if name == "frames":
        return float(seq.num_frames)
    if name == "duration":
        return float(seq.duration)
    if scores is None:
        return None
    if name == "dtw-mje":
        return scores.dtw_mje
    if name == "pt-dtw":
        return scores.pt_dtw
    if name == "duration diff":
        ref = scores.reference_duration
        return None if ref is None else float(seq.duration - ref)
    if name == "FGD-style":
        return scores.fgd_mean
    raise KeyError(name)


def cell_text(name: str, result: ModelResult | None) -> str:
    """The table's text for ``name`` of ``result``: "…" while waiting, the error's first words on
    failure, "n/a" when the score could not be computed."""
    if result is None:
        return "…"
    if result.error is not None:
        return "failed"
    value = metric_value(name, result)
    if value is None or not math.isfinite(value):
        return "n/a"
    if name == "frames":
        return str(int(value))
    if name in ("duration", "duration diff"):
        return f"{value:+.2f} s" if name == "duration diff" else f"{value:.2f} s"
    if name == "FGD-style":
        return f"{value:.2f}"
    return f"{value:.4f}"


__all__ = [
    "MAX_MODELS",
    "METRIC_ROWS",
    "ComparePlan",
    "CompareState",
    "ModelResult",
    "cell_text",
    "check_models",
    "metric_value",
    "reference_tables",
]
