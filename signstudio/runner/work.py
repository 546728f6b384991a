"""One generation's work, the same in a worker thread and in the model process: model, generate, reference."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from signstudio.modeling.base import CancelToken, ProgressCallback, SignModel, check_cancel, report
from signstudio.modeling.registry import load_model, model_info, resolve_device
from signstudio.pose.sequence import PoseSequence

if TYPE_CHECKING:
    from signstudio.corpus.store import Corpus

log = logging.getLogger(__name__)

Loader = Callable[[str, str], SignModel]

# Shares of the progress bar: loading a model (when not cached), generating, the reference.
LOAD_SHARE, GENERATE_END = 0.15, 0.85


class ModelCache:
    """Model instances keyed by (model id, resolved device), each loaded once."""

    def __init__(self, loader: Loader | None = None) -> None:
        self._loader: Loader = loader or (lambda model_id, device: load_model(model_id, device))
        self._models: dict[tuple[str, str], SignModel] = {}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(model_id: str, device: str) -> tuple[str, str]:
        return model_id, resolve_device(device, model_info(model_id).needs_torch)

    def is_loaded(self, model_id: str, device: str) -> bool:
        with self._lock:
            return self.key(model_id, device) in self._models

    def get(self, model_id: str, device: str) -> SignModel:
        key = self.key(model_id, device)
        with self._lock:
            model = self._models.get(key)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        if model is not None:
            return model
        with key_lock:  # two workers asking for the same model load it once
            with self._lock:
                model = self._models.get(key)
            if model is None:
                model = self._loader(*key)
                with self._lock:
                    self._models[key] = model
        return model

    def loaded(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._models)

    def close(self) -> None:
        with self._lock:
            models, self._models = list(self._models.values()), {}
        for m in models:
            try:
                m.close()
            except Exception:  # closing one must not stop the others from closing
                log.exception("closing %r", m)


@dataclass(frozen=True)
class Task:
    """What the work needs (picklable: it crosses into the model process)."""

    text: str
    lang: str
    model_id: str
    device: str
    options: Mapping[str, Any]
    reference: bool
    reference_layout: str
    lexicons: tuple[Path, ...] = ()  # for a model that ``uses_lexicons`` (lookup); others ignore them
    variant_choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Alignment:
    """DTW of the generated sequence against its reference (both as normalised upper50).

    path: (K, 2) int64 (generated frame, reference frame); score: the ``metric`` score;
    label: what the score is, for display.
    """

    path: Any
    score: float
    metric: str
    label: str


@dataclass(frozen=True)
class Outcome:
    sequence: PoseSequence
    reference: PoseSequence | None
    reference_reason: str | None
    device: str
    alignment: Alignment | None = None
    text: str = ""  # what was signed (read from the prompt when the task asked the model to)
    lang: str = ""
    lang_from_prompt: bool = False
    scores: Any = None  # signstudio.runner.scoring.PairScores: DTW, FGD-style curve, reading


def align(
    sequence: PoseSequence, reference: PoseSequence, metric: Literal["pt-dtw", "dtw-mje"] = "dtw-mje"
) -> Alignment | None:
    """Align a generated sequence to its reference by exact DTW, in the models' units (upper50,
    neck at the origin, shoulder width 1), so layouts and pixel scales do not matter. None when
    either lacks the joints (shoulders, hands) this needs."""
    from signstudio.metrics.dtw import dtw
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise

    try:
        a = normalise(convert(sequence, "upper50"))
        b = normalise(convert(reference, "upper50"))
        result = dtw(a, b, metric=metric)
    except (ValueError, KeyError):
        return None
    return Alignment(result.path, float(result.score), metric, result.label)


def execute(
    task: Task,
    models: ModelCache,
    corpus: Corpus | Path | None,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> Outcome:
    """Load (or reuse) the model, generate ``task.text``, look up its reference. Raises `Cancelled`
    at the next slice of work once ``cancel`` is set, and `ModelError` for user-fixable problems."""
    loaded = models.is_loaded(task.model_id, task.device)
    base = 0.0 if loaded else LOAD_SHARE
    if not loaded:
        report(progress, 0.0, f"loading model {task.model_id!r}")
    model = models.get(task.model_id, task.device)
    check_cancel(cancel)
    span = GENERATE_END - base

    def on_model_progress(fraction: float, message: str) -> None:
        report(progress, base + span * fraction, message)

    text, lang, lang_from_prompt = task.text, task.lang, False
    options = dict(task.options)
    if (task.lexicons or task.variant_choices) and getattr(model, "uses_lexicons", False):
        options.update(lexicons=task.lexicons, variant_choices=task.variant_choices)
    [sequence] = model.generate([text], lang, progress=on_model_progress, cancel=cancel, **options)
    check_cancel(cancel)
    reference, reason = None, None
    signs = lexicon_glosses(sequence)
    if task.reference and signs:
        # the built-in reference spells every word: no ground truth for a lexicon sign
        # (no "no reference:" in front: whoever shows the reason says that, as for the others)
        reason = f"signed with lexicon signs ({', '.join(signs)}), which the corpus does not spell"
    elif task.reference:
        report(progress, GENERATE_END, "looking up the reference")
        from signstudio.runner.reference import find_reference

        found = find_reference(text, lang, task.reference_layout, corpus)
        reference, reason = found.sequence, found.reason
        check_cancel(cancel)
    report(progress, 0.96, "scoring: DTW against the reference, reading it back")
    from signstudio.metrics.dtw import LABELS
    from signstudio.runner.scoring import score_pair

    scores = score_pair(sequence, reference, text, lang)
    alignment = None
    if scores.path is not None and scores.dtw_mje is not None:
        alignment = Alignment(scores.path, scores.dtw_mje, "dtw-mje", LABELS["dtw-mje"])
    report(progress, 1.0, "done")
    return Outcome(sequence, reference, reason, model.device, alignment, text, lang, lang_from_prompt, scores)


def lexicon_glosses(sequence: PoseSequence) -> list[str]:
    """The glosses of the lexicon signs in ``sequence`` (its segments of kind ``sign``), in order."""
    segments = sequence.meta.get("segments") or []
    return list(dict.fromkeys(str(s.get("gloss")) for s in segments if s.get("kind") == "sign"))


def one_line(exc: BaseException) -> str:
    """A user-readable single line for an exception (the traceback goes to the log)."""
    from signstudio.modeling.base import ModelError
    from signstudio.pose.errors import FormatError

    if isinstance(exc, ModelError | FormatError):
        text = str(exc)
    elif isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."
