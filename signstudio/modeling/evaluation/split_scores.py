"""Score a split of predictions against its references: ``signstudio score PRED REF``.

    pred, ref = open_dataset("pred.skels"), open_dataset("dev.skels")   # signstudio.session
    pairing = plan_pairs(pred, ref).split_pairing(pred, ref)   # Pairing: (key, pred, ref) per pair
    report = score_split(pairing, evaluators)             # dict: rows per sequence + corpus means

Pairing (by key: ``.files`` lines, ``.h5`` keys, file paths; or by index) is done by
`signstudio.session.pairing.plan_pairs` only, which ``signstudio score`` calls (it sits above
this layer); this module scores the pairs it is given.

The metric definitions are the built-in report's (`signstudio.modeling.evaluation.report`, SLRTP
conventions), computed in corpus units (``upper50``, neck at the origin, shoulder width 1):

* ``pt_dtw`` — Progressive Transformers' DTW, L1 frame cost, D[N, M] / N_ref;
* ``dtw_mje`` — mean per-joint L2 error over the DTW alignment, shoulder widths (SLRTP 2025);
* ``duration_diff_s`` — prediction minus reference duration, seconds; ``dur_ok`` (DurACC: within
  1 s). Durations use each file's frame rate; ``.skels`` has none, the reader assumes 25 fps and
  the report says so (``fps_assumed``);
* ``fgd`` — with window counts, only when an FGD encoder that fits the data is given or shipped
  (`evaluator_fit`); the corpus value is the Fréchet distance between the predictions' and the
  references' windows, per sequence the same for its own windows (noisy: few windows);
* BLEU-1..4, ROUGE-L, chrF, WER of the back-translation (`signstudio.metrics.translation`) of
  the predictions against the references' ``.text`` (or ``.gloss``, the reader's target), only
  when a back-translation model that fits is given. The references' own reading is the ceiling.

FGD compares only the joints both sides have (`signstudio.metrics.fgd.shared_joints`): a point one
pipeline never writes does not count against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.modeling.evaluation.evaluator_fit import (
    DataDomain,
    EvaluatorDomain,
    data_domain,
    evaluator_domain,
    fit_problem,
)
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence

DURATION_TOLERANCE_S = 1.0
CORPUS_FPS = 25.0
POSE_SUFFIXES = (".pose", ".h5", ".npz", ".skels", ".bvh")


@dataclass
class Pairing:
    """Pairs (key, prediction, reference), as `signstudio.session.pairing.plan_pairs` made them
    (the one place sequences are paired: ``signstudio score`` and the studio alike)."""

    by: str
    pairs: list[tuple[str, PoseSequence, PoseSequence]]
    unmatched_pred: list[str] = field(default_factory=list)
    unmatched_ref: list[str] = field(default_factory=list)


def check_layouts(pairing: Pairing, pred_path: Path, ref_path: Path) -> None:
    """Both sides in one layout (a FormatError naming the first pair that differs)."""
    for key, p, r in pairing.pairs:
        if p.layout != r.layout:
            raise FormatError(
                pred_path,
                f"layout {p.layout} but {ref_path} has {r.layout} (convert both to the models' layout "
                f"first: `signstudio convert {pred_path} PRED.pose --layout upper50`, and the same for "
                "the references)",
                f"key {key}",
            )


# ---- evaluators ------------------------------------------------------------------------------


@dataclass
class Evaluators:
    """The FGD encoder and back-translation to use (None: not given), with their domains."""

    fgd: Any = None
    fgd_domain: EvaluatorDomain = field(default_factory=lambda: evaluator_domain("fgd-encoder"))
    bt: Any = None
    bt_domain: EvaluatorDomain = field(default_factory=lambda: evaluator_domain("backtranslation"))
    shipped_fgd: bool = True  # no --fgd-encoder: the shipped one, loaded only when it fits
    shipped_bt: bool = True


def load_evaluators(
    fgd_path: str | Path | None, bt_path: str | Path | None, device: str = "cpu"
) -> Evaluators:
    """The given checkpoints (a ModelError naming the file when one is missing, unreadable or of
    another family); without a path, the shipped one's domain (it is loaded only if it fits)."""
    from signstudio.modeling.base import ModelError

    ev = Evaluators()
    if fgd_path is not None:
        from signstudio.modeling.evaluation.fgd_encoder import FGDEncoder

        enc = FGDEncoder(fgd_path, device=device)
        ev.fgd, ev.shipped_fgd = enc, False
        ev.fgd_domain = _domain_of(Path(fgd_path), "fgd-encoder", enc.meta)
    if bt_path is not None:
        from signstudio.modeling.evaluation.backtranslation import BackTranslator

        if not Path(bt_path).exists():
            raise ModelError(f"no backtranslation checkpoint at {bt_path}")
        reader = BackTranslator(bt_path, device=device)
        ev.bt, ev.shipped_bt = reader, False
        ev.bt_domain = _domain_of(
            Path(bt_path), "backtranslation", {"sign_languages": list(reader.languages)}
        )
    return ev


def _domain_of(path: Path, kind: str, fallback: dict[str, Any]) -> EvaluatorDomain:
    from signstudio.modeling.checkpoint import load_checkpoint

    ck = load_checkpoint(path)
    return evaluator_domain(kind, ck.get("meta"), ck.get("extra"), ck.get("config"), fallback)


# ---- scoring ---------------------------------------------------------------------------------


def corpus_units(seq: PoseSequence) -> PoseSequence:
    """``upper50``, neck at the origin, shoulder width 1 (a ValueError/KeyError when impossible)."""
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise

    return normalise(convert(seq, "upper50"))


def encoder_frames(units: PoseSequence) -> tuple[np.ndarray, np.ndarray]:
    """(F', 150) frames at 25 fps, gaps filled in time (what the encoders learned), and the (F', 50)
    presence before filling."""
    from signstudio.pose.transforms import fill_missing, resample

    s = units if abs(units.fps - CORPUS_FPS) < 1e-6 else resample(units, CORPUS_FPS)
    present = s.confidence > 0
    filled = fill_missing(s)
    data = np.where((filled.confidence > 0)[..., None], np.nan_to_num(filled.data), 0.0)
    return data.reshape(len(data), -1).astype(np.float32), present


def score_split(
    pairing: Pairing, evaluators: Evaluators, sign_language: str | None = None, device: str = "cpu"
) -> dict[str, Any]:
    """Per-pair rows and corpus means (module docstring); every figure that cannot be computed is
    None with its reason in ``notes``."""
    from signstudio.metrics.dtw import dtw_pair

    rows: list[dict[str, Any]] = []
    units: list[tuple[PoseSequence, PoseSequence]] = []
    fps_assumed = False
    for key, pred, ref in pairing.pairs:
        try:
            g, r = corpus_units(pred), corpus_units(ref)
        except (KeyError, ValueError) as exc:
            raise FormatError(
                pred.meta.get("source"), f"cannot score a {pred.layout} pair: {exc}", f"key {key}"
            ) from None
        units.append((g, r))
        fps_assumed |= any(_fps_assumed(s) for s in (pred, ref))
        diff = pred.duration - ref.duration
        mje, pt = dtw_pair(g, r)  # both scores in one pass
        rows.append(
            {
                "key": key,
                "pred_frames": pred.num_frames,
                "ref_frames": ref.num_frames,
                "pt_dtw": pt.score,
                "dtw_mje": mje.score,
                "duration_diff_s": float(diff),
                "dur_ok": bool(abs(diff) <= DURATION_TOLERANCE_S),
            }
        )
    # references first: the hint of an evaluator that does not fit names their files to train on
    domains = [
        data_domain(s, sign_language) for side in (2, 1) for s in (pair[side] for pair in pairing.pairs)
    ]
    notes: list[str] = []
    fgd = _fgd_block(units, rows, evaluators, domains, device, notes)
    bt = _bt_block(pairing, units, rows, evaluators, domains, sign_language, device, notes)
    means = {
        "pt_dtw": _mean(r["pt_dtw"] for r in rows),
        "dtw_mje": _mean(r["dtw_mje"] for r in rows),
        "duration_diff_s": _mean(r["duration_diff_s"] for r in rows),
        "dur_acc": _mean(float(r["dur_ok"]) for r in rows),
    }
    if fps_assumed:
        notes.append(
            f"frame rate assumed {CORPUS_FPS:g} fps where a file has none (.skels): durations use it"
        )
    return {
        "by": pairing.by,
        "pairs": len(rows),
        "unmatched_pred": pairing.unmatched_pred,
        "unmatched_ref": pairing.unmatched_ref,
        "fps_assumed": fps_assumed,
        "corpus": {**means, **fgd, **bt},
        "rows": rows,
        "notes": notes,
    }


def _fps_assumed(seq: PoseSequence) -> bool:
    conv = seq.meta.get("convention") or {}
    return bool(seq.meta.get("fps_assumed") or (isinstance(conv, dict) and conv.get("fps_assumed")))


def _mean(values: Any) -> float | None:
    vals = [float(v) for v in values]
    return float(np.mean(vals)) if vals else None


def _resolve(
    kind: str, given: Any, shipped: bool, domain: EvaluatorDomain, domains: Sequence[DataDomain], device: str
) -> tuple[Any, str | None]:
    """(the evaluator to use or None, why not)."""
    problem = fit_problem(domain, domains)
    if problem:
        return None, problem
    if given is not None or not shipped:
        return given, None
    from signstudio.modeling.base import ModelError

    try:
        if kind == "fgd-encoder":
            from signstudio.modeling.evaluation.fgd_encoder import FGDEncoder

            return FGDEncoder(device=device), None
        from signstudio.modeling.evaluation.backtranslation import BackTranslator

        return BackTranslator(device=device), None
    except ModelError as exc:
        return None, str(exc)


def _fgd_block(
    units: list[tuple[PoseSequence, PoseSequence]],
    rows: list[dict[str, Any]],
    ev: Evaluators,
    domains: Sequence[DataDomain],
    device: str,
    notes: list[str],
) -> dict[str, Any]:
    from signstudio.metrics.fgd import FeatureStats, frechet_distance, keep_joints, shared_joints

    enc, why = _resolve("fgd-encoder", ev.fgd, ev.shipped_fgd, ev.fgd_domain, domains, device)
    for row in rows:
        row.update(fgd=None, fgd_windows=0, fgd_ref_windows=0)
    if enc is None:
        notes.append(f"FGD n/a: {why}")
        return {"fgd": None, "fgd_windows": 0, "fgd_ref_windows": 0, "fgd_na": why}
    gen_all, ref_all = [], []
    for row, (g, r) in zip(rows, units, strict=True):
        gf, gp = encoder_frames(g)
        rf, rp = encoder_frames(r)
        keep = shared_joints(gp, rp)
        gw = enc.features([keep_joints(gf, keep, enc.norm.mean)])
        rw = enc.features([keep_joints(rf, keep, enc.norm.mean)])
        gen_all.append(gw)
        ref_all.append(rw)
        row.update(fgd_windows=len(gw), fgd_ref_windows=len(rw))
        if len(gw) >= 2 and len(rw) >= 2:
            row["fgd"] = frechet_distance(FeatureStats.fit(gw), FeatureStats.fit(rw))
    g_cat, r_cat = np.concatenate(gen_all), np.concatenate(ref_all)
    value = (
        frechet_distance(FeatureStats.fit(g_cat), FeatureStats.fit(r_cat))
        if min(len(g_cat), len(r_cat)) >= 2
        else None
    )
    return {"fgd": value, "fgd_windows": len(g_cat), "fgd_ref_windows": len(r_cat), "fgd_na": None}


def _bt_block(
    pairing: Pairing,
    units: list[tuple[PoseSequence, PoseSequence]],
    rows: list[dict[str, Any]],
    ev: Evaluators,
    domains: Sequence[DataDomain],
    sign_language: str | None,
    device: str,
    notes: list[str],
) -> dict[str, Any]:
    from signstudio.metrics.translation import translation_scores

    empty = {"bleu": None, "rouge_l": None, "chrf": None, "wer": None, "ceiling": None}
    for row in rows:
        row.update(reading=None, bt_reference=None)
    if ev.bt is None and not ev.shipped_bt:
        return {**empty, "bt_na": "no back-translation model given"}
    reader, why = _resolve("backtranslation", ev.bt, ev.shipped_bt, ev.bt_domain, domains, device)
    target = ev.bt_domain.target
    refs = [" ".join(str(r.meta.get(target) or "").lower().split()) for _, _, r in pairing.pairs]
    if reader is not None and not all(refs):
        missing = next(k for (k, _, _), t in zip(pairing.pairs, refs, strict=True) if not t)
        reader, why = None, f"the reference {missing!r} has no {target} (a .{target} beside the references)"
    if reader is None:
        notes.append(f"back-translation n/a: {why}")
        return {**empty, "bt_na": why}
    langs = reader.languages
    lang = sign_language if sign_language in langs else langs[0]
    if sign_language is None and len(langs) > 1:
        notes.append(f"sign language not given: read as {lang} (pass --lang)")
    gen = [_reader_frames(g) for g, _ in units]
    real = [_reader_frames(r) for _, r in units]
    hyps = [h.lower() for h in reader.read_tokens(gen, [lang] * len(gen))]
    ceiling = [h.lower() for h in reader.read_tokens(real, [lang] * len(real))]
    for row, h, ref in zip(rows, hyps, refs, strict=True):
        row.update(reading=h, bt_reference=ref)
    scores = translation_scores(hyps, refs)
    return {
        "bleu": {str(k): v for k, v in scores.bleu.items()},
        "rouge_l": scores.rouge_l,
        "chrf": scores.chrf,
        "wer": scores.wer,
        "ceiling": translation_scores(ceiling, refs).to_dict(),
        "bt_target": target,
        "bt_lang": lang,
        "bt_na": None,
    }


def _reader_frames(units: PoseSequence) -> np.ndarray:
    frames, _ = encoder_frames(units)
    return frames


__all__ = [
    "Evaluators",
    "Pairing",
    "check_layouts",
    "corpus_units",
    "encoder_frames",
    "load_evaluators",
    "score_split",
]
