"""Score what is on screen: a generated sequence against its reference, and read it back.

`score_pair` is the studio's evaluation of one (sequence, reference) pair — the same metrics
``signstudio evaluate`` reports over a split, here for one sequence, plus the per-frame curves
(`signstudio.metrics.overlay`) the timeline and the heat map draw. It runs where the models run
(the model process, or a worker thread), never on the GUI thread: it loads the shipped
``fgd-encoder`` and ``backtranslation`` checkpoints once (tens of ms per call afterwards).

Everything is computed in corpus units (``upper50``, neck at the origin, shoulder width 1); the
encoders also need the corpus' 25 fps, so a sequence at another rate is resampled for them and
each of its frames takes the feature of the window at its time. A score that cannot be computed (no
reference, a layout with no ``upper50`` conversion, an encoder not shipped) is left out and
`PairScores.notes` says why, in one line each. FGD-style and back-translation figures are computed
only where the shipped evaluators fit the data (`evaluator_fit`: the built-in corpus' domain, a
sign language they know); otherwise the note says "n/a", why, and the command that trains one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from signstudio.pose.sequence import PoseSequence

log = logging.getLogger(__name__)

CORPUS_FPS = 25.0
DURATION_TOLERANCE_S = 1.0  # DurACC: within 1 s of the reference


@dataclass(frozen=True, eq=False)
class Reading:
    """The back-translation of a sequence: ``text`` as read; ``tokens`` the units (``w a t e r``);
    ``expected`` the units of the text asked for (None when unknown); ``chrf`` (percent) and
    ``unit_errors`` (edit distance in units) against it."""

    text: str
    tokens: str
    expected: str | None = None
    chrf: float | None = None
    unit_errors: int | None = None


@dataclass(frozen=True, eq=False)
class PairScores:
    """What `score_pair` found. Arrays are on the generated sequence's frame axis (N frames).

    dtw_mje / pt_dtw: the two DTW scores (module `signstudio.metrics.dtw`); path: (K, 2) the
    ``dtw-mje`` alignment; table: (N,) the reference frame matched with each generated frame;
    dtw_curve: (N,) mean per-joint distance to the matched reference frame(s), shoulder widths;
    joint_errors: (N, 50) per ``upper50`` joint distance to the matched reference frame;
    fgd_curve: (N,) the windowed FGD-style score; fgd_mean: its mean;
    duration / reference_duration (s) and duration_ok (DurACC: within 1 s);
    reading: the back-translation; notes: why anything is missing.
    """

    n_gen: int
    dtw_mje: float | None = None
    pt_dtw: float | None = None
    path: np.ndarray | None = None
    table: np.ndarray | None = None
    dtw_curve: np.ndarray | None = None
    joint_errors: np.ndarray | None = None
    fgd_curve: np.ndarray | None = None
    fgd_mean: float | None = None
    duration: float = 0.0
    reference_duration: float | None = None
    duration_ok: bool | None = None
    reading: Reading | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


_LOCK = threading.Lock()
_ENCODERS: dict[str, Any] = {}


def _encoder(name: str) -> Any:
    """The shipped fgd-encoder / backtranslation, loaded once (a ModelError if not shipped)."""
    with _LOCK:
        if name not in _ENCODERS:
            if name == "fgd":
                from signstudio.modeling.evaluation.fgd_encoder import FGDEncoder

                _ENCODERS[name] = FGDEncoder()
            else:
                from signstudio.modeling.evaluation.backtranslation import BackTranslator

                _ENCODERS[name] = BackTranslator()
        return _ENCODERS[name]


def _units(seq: PoseSequence) -> PoseSequence:
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise

    return normalise(convert(seq, "upper50"))


def _corpus_frames(seq: PoseSequence) -> np.ndarray:
    """(F', 150) at the corpus' fps, missing points at 0 (what the encoders were trained on)."""
    from signstudio.pose.transforms import resample

    s = seq if abs(seq.fps - CORPUS_FPS) < 1e-6 else resample(seq, CORPUS_FPS)
    data = np.where(s.confidence[..., None] > 0, s.data, 0.0)
    return np.nan_to_num(data.reshape(s.num_frames, -1)).astype(np.float32)


def _corpus_index(frames: np.ndarray, fps: float, n: int) -> np.ndarray:
    """Frame indices at ``fps`` -> the nearest of ``n`` frames at the corpus' fps."""
    return np.clip(np.floor(np.asarray(frames) * CORPUS_FPS / fps + 0.5).astype(np.int64), 0, n - 1)


def read_back(sequence: PoseSequence, lang: str, text: str | None = None) -> Reading:
    """The back-translation of one sequence (a ModelError when it cannot be read)."""
    from signstudio.metrics.translation import translation_scores
    from signstudio.modeling.evaluation.backtranslation import text_units

    bt = _encoder("bt")
    [units] = bt.read_units([_corpus_frames(_units(sequence))], [lang])
    tokens = " ".join(units)
    expected = text_units(text, lang) if text else None
    if not expected:
        return Reading("".join(units), tokens)
    ref = " ".join(expected)
    scores = translation_scores([tokens], [ref])
    return Reading("".join(units), tokens, ref, scores.chrf, round(scores.wer * len(expected)))


def score_pair(
    sequence: PoseSequence,
    reference: PoseSequence | None,
    text: str | None = None,
    lang: str | None = None,
    method: Literal["numba", "matmul"] = "numba",
    max_bytes: int | None = None,
) -> PairScores:
    """Every score of `PairScores` that can be computed for this pair (see the module docstring).
    Both DTW scores come from one pass (`signstudio.metrics.dtw.dtw_pair`); ``method="matmul"``
    takes the whole-matrix route for both instead (the long-pair benchmark's baseline). max_bytes:
    the DTW memory budget (default `signstudio.metrics.dtw.DEFAULT_MAX_BYTES`); a pair above it is
    scored on the banded route, and a note says so."""
    from signstudio.metrics.dtw import DEFAULT_MAX_BYTES, dtw_pair
    from signstudio.metrics.overlay import aligned_table, joint_errors
    from signstudio.modeling.base import ModelError

    notes: list[str] = []
    out: dict[str, Any] = {"n_gen": sequence.num_frames, "duration": sequence.duration}
    try:
        gen = _units(sequence)
    except (KeyError, ValueError) as exc:
        return PairScores(notes=(f"cannot score a {sequence.layout} sequence: {exc}",), **out)
    ref = None
    if reference is None:
        notes.append("no reference: DTW, FGD and DurACC need one")
    else:
        try:
            ref = _units(reference)
        except (KeyError, ValueError) as exc:
            notes.append(f"cannot compare with a {reference.layout} reference: {exc}")
    if ref is not None and reference is not None:
        mje, pt = dtw_pair(gen, ref, method=method, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
        if mje.route != "exact":
            notes.append(f"DTW: {mje.route_note}")
        table = aligned_table(mje.path, gen.num_frames, ref.num_frames)
        g = np.where(gen.present[..., None], gen.data, np.nan)
        r = np.where(ref.present[..., None], ref.data, np.nan)
        out.update(
            dtw_mje=mje.score,
            pt_dtw=pt.score,
            path=mje.path,
            table=table,
            dtw_curve=mje.generated_frame_costs(),
            joint_errors=joint_errors(g, r, table),
            reference_duration=reference.duration,
            duration_ok=abs(sequence.duration - reference.duration) <= DURATION_TOLERANCE_S,
        )
        problem = fit_note("fgd-encoder", [sequence, reference], lang)
        if problem:
            notes.append(f"FGD-style n/a: {problem}")
        else:
            try:
                out.update(_fgd_curve(gen, ref, table))
            except ModelError as exc:
                notes.append(f"no FGD-style curve: {exc}")
    lang = lang or sequence.meta.get("sign_language") or None
    problem = fit_note("backtranslation", [sequence], lang)
    if problem:
        notes.append(f"back-translation n/a: {problem}")
    elif lang:
        try:
            out["reading"] = read_back(sequence, lang, text)
        except ModelError as exc:
            notes.append(f"no back-translation: {exc}")
    return PairScores(notes=tuple(notes), **out)


def _fgd_curve(gen: PoseSequence, ref: PoseSequence, table: np.ndarray) -> dict[str, Any]:
    """The FGD-style curve on the joints both sides have (a joint one side lacks, such as a
    pipeline's missing nose, is set to the encoder's mean on both sides: it cannot count)."""
    from signstudio.metrics.fgd import keep_joints, shared_joints
    from signstudio.metrics.overlay import window_feature_distance

    enc = _encoder("fgd")
    keep = shared_joints(gen.present, ref.present)
    gf = enc.frame_features(keep_joints(_corpus_frames(gen), keep, enc.norm.mean))
    rf = enc.frame_features(keep_joints(_corpus_frames(ref), keep, enc.norm.mean))
    # features on the corpus' clock, looked up at each frame's time on its own clock
    gi = _corpus_index(np.arange(gen.num_frames), gen.fps, len(gf))
    ri = _corpus_index(table, ref.fps, len(rf))
    curve = window_feature_distance(gf[gi], rf, ri)
    return {"fgd_curve": curve, "fgd_mean": float(curve.mean())}


def fit_note(kind: str, seqs: list[PoseSequence], lang: str | None) -> str | None:
    """Why the shipped ``kind`` evaluator does not fit these sequences (None: it fits;
    `signstudio.modeling.evaluation.evaluator_fit`)."""
    from signstudio.modeling.evaluation.evaluator_fit import data_domain, evaluator_domain, fit_problem

    return fit_problem(evaluator_domain(kind), [data_domain(s, lang) for s in seqs])


__all__ = [
    "DURATION_TOLERANCE_S",
    "PairScores",
    "Reading",
    "fit_note",
    "read_back",
    "score_pair",
]
