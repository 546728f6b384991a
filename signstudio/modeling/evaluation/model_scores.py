"""``signstudio evaluate``: models against the corpus references, every number with its data size.

    report = evaluate_models(["signllm-mlsf", "mean", "random"], langs=["ase"], split="dev")
    Path("report.md").write_text(to_markdown(report))

For each model and sign language the words of a split (all of them unless ``limit``) are
generated from their text alone and compared with their lexicon-join references (upper50, the
corpus' normalised units: neck at the origin, shoulder width 1, 25 fps):

* ``pt_dtw`` — Progressive Transformers' DTW: L1 frame cost, D[N, M] / N_ref (lower is better);
* ``dtw_mje`` — mean per-joint L2 error over the DTW-aligned frame pairs (SLRTP 2025), in
  shoulder widths;
* ``length_ratio`` — mean generated / reference duration (pt-dtw divides by the reference
  length only, so an output far too short can still score well: read the two together);
* ``dur_acc`` — DurACC: the share of outputs whose duration is within 1 s of the reference's.

The ``lookup`` baseline signs with spoken-to-signed's own pipeline from the same recordings (its
own trimming and joining), so it lands close to the references without matching them: a
reference point for "the real letters", not a competitor.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from signstudio.corpus.store import Corpus, open_corpus
from signstudio.modeling.base import ModelError
from signstudio.modeling.data import FPS, load_examples
from signstudio.modeling.registry import load_model

DURATION_TOLERANCE_S = 1.0


@dataclass(frozen=True)
class Row:
    model: str
    lang: str
    split: str
    n: int
    pt_dtw: float
    dtw_mje: float
    length_ratio: float
    dur_acc: float
    seconds: float  # generation wall time for the n texts (batch of 16)
    fgd: float | None = None  # Fréchet distance of the outputs' windows to the references' windows
    fgd_windows: int = 0  # windows on the generated side (the reference side: ref_windows)
    ref_windows: int = 0


def evaluate_models(
    models: Sequence[str],
    langs: Sequence[str] | None = None,
    split: str = "dev",
    limit: int | None = None,
    corpus: Corpus | None = None,
    device: str = "cpu",
    checkpoints: dict[str, str] | None = None,
    options: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Rows for every (model, sign language) the model covers; languages default to those of the
    first neural model (else ase). options: per-call generate options per model id."""
    from signstudio.metrics.dtw import dtw

    corpus = corpus or open_corpus(quiet=True)
    loaded = {m: load_model(m, device, (checkpoints or {}).get(m)) for m in models}
    encoder = fgd_encoder()
    if langs is None:
        neural = [m for m in loaded.values() if m.info.kind == "neural"]
        langs = neural[0].languages() if neural else ("ase",)
    rows = []
    for lang in langs:
        examples = load_examples(corpus, [lang], split)[lang][:limit]
        if not examples:
            raise ModelError(f"no {split} words for {lang!r} in {corpus.path}")
        texts = [e.text for e in examples]
        # the references' windows, encoded once per language for every model's FGD
        ref_features = None if encoder is None else encoder.features([e.frames for e in examples])
        for model_id, model in loaded.items():
            if lang not in model.languages():
                continue
            t0 = time.perf_counter()
            seqs = generate_all(model, texts, lang, (options or {}).get(model_id, {}))
            seconds = time.perf_counter() - t0
            pt, mje, ratio, dur = [], [], [], []
            for seq, ex in zip(seqs, examples, strict=True):
                gen = _upper50(seq)
                ref = ex.reference()
                pt.append(dtw(gen, ref, metric="pt-dtw").score)
                mje.append(dtw(gen, ref, metric="dtw-mje").score)
                ratio.append((len(gen) / seq.fps) / (ex.num_frames / FPS))
                dur.append(abs(len(gen) / seq.fps - ex.num_frames / FPS) <= DURATION_TOLERANCE_S)
            rows.append(
                Row(
                    model_id,
                    lang,
                    split,
                    len(examples),
                    float(np.mean(pt)),
                    float(np.mean(mje)),
                    float(np.mean(ratio)),
                    float(np.mean(dur)),
                    round(seconds, 3),
                    *_fgd(encoder, seqs, ref_features),
                )
            )
    for m in loaded.values():
        m.close()
    return {
        "corpus": str(corpus.path),
        "corpus_version": corpus.version_key,
        "split": split,
        "limit": limit,
        "device": device,
        "checkpoints": dict(checkpoints or {}),
        "options": dict(options or {}),
        "fgd_encoder": None if encoder is None else str(encoder.path),
        "rows": [asdict(r) for r in rows],
    }


def fgd_encoder() -> Any:
    """The shipped FGD encoder, or None where it is not shipped (the FGD column stays empty)."""
    from signstudio.modeling.evaluation.fgd_encoder import FGD_CHECKPOINT, FGDEncoder

    return FGDEncoder(FGD_CHECKPOINT) if FGD_CHECKPOINT.exists() else None


def _fgd(encoder: Any, seqs: Sequence[Any], ref: np.ndarray | None) -> tuple[float | None, int, int]:
    """(FGD, generated windows, reference windows): the outputs' windows against ``ref``, the
    encoder's features of the very references they are scored against (this split)."""
    if encoder is None or ref is None:
        return None, 0, 0
    from signstudio.metrics.fgd import FeatureStats, frechet_distance

    gen = encoder.features([_fgd_frames(s) for s in seqs])
    if len(gen) < 2 or len(ref) < 2:
        return None, len(gen), len(ref)
    return frechet_distance(FeatureStats.fit(gen), FeatureStats.fit(ref)), len(gen), len(ref)


def _fgd_frames(seq: Any) -> np.ndarray:
    """(F, 150) upper50 values in the corpus' units, prepared as the corpus prepares its
    references (what the encoder learned): gaps filled by interpolation in time, points still
    missing at 0. (DTW instead skips missing points.) A point a pipeline never produces stays at
    0: spoken-to-signed's output has no nose point, which weighs on lookup's FGD."""
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import fill_missing, normalise, resample

    if not (seq.layout == "upper50" and seq.meta.get("reference_kind") == "generated"):
        seq = fill_missing(normalise(convert(seq, "upper50")))
    if abs(seq.fps - FPS) > 1e-6:
        seq = resample(seq, FPS)
    data = np.where((seq.confidence > 0)[..., None], np.nan_to_num(seq.data), 0.0)
    return data.reshape(len(data), -1).astype(np.float32)


def generate_all(
    model: Any, texts: Sequence[str], lang: str, options: dict[str, Any] | None = None
) -> list[Any]:
    """``model.generate`` over ``texts`` in batches of 16."""
    seqs: list[Any] = []
    for i in range(0, len(texts), 16):
        seqs += model.generate(list(texts[i : i + 16]), lang, **(options or {}))
    return seqs


#: reference-length buckets in frames at 25 fps (the corpus' words last 50 to 250 frames)
LENGTH_BUCKETS = (50, 75, 100, 125, 150, 175, 200, 250)
#: prefixes for false decoding initiation: the first k frames of output and reference
PREFIXES = (20, 40, 60, 80)


def evaluate_by_length(
    models: Sequence[str],
    langs: Sequence[str],
    split: str = "test",
    corpus: Corpus | None = None,
    device: str = "cpu",
    checkpoints: dict[str, str] | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Hwang et al. Table 2's analogue with DTW: pt-dtw per reference-length bucket (error
    propagation: does the error grow with the length?) and pt-dtw of the first k frames only
    (false decoding initiation: is the start wrong?), per model, every language of ``langs``
    pooled; n per cell. Models generate with their own predicted lengths."""
    from signstudio.metrics.dtw import dtw

    corpus = corpus or open_corpus(quiet=True)
    loaded = {m: load_model(m, device, (checkpoints or {}).get(m)) for m in models}
    scores: dict[str, list[tuple[int, float, dict[int, float]]]] = {m: [] for m in models}
    for lang in langs:
        examples = load_examples(corpus, [lang], split)[lang][:limit]
        texts = [e.text for e in examples]
        for model_id, model in loaded.items():
            if lang not in model.languages():
                raise ModelError(f"model {model_id!r} does not cover {lang!r}: compare on shared languages")
            for seq, ex in zip(generate_all(model, texts, lang), examples, strict=True):
                gen, ref = _upper50(seq), ex.reference()
                prefix = {
                    k: dtw(gen[:k], ref[:k], metric="pt-dtw").score
                    for k in PREFIXES
                    if len(gen) >= k and len(ref) >= k
                }
                scores[model_id].append((ex.num_frames, dtw(gen, ref, metric="pt-dtw").score, prefix))
    for m in loaded.values():
        m.close()
    buckets = []
    for lo, hi in itertools.pairwise(LENGTH_BUCKETS):
        cell: dict[str, Any] = {"frames": [lo, hi], "seconds": [lo / FPS, hi / FPS]}
        for model_id, rows in scores.items():
            vals = [s for n, s, _ in rows if lo <= n < hi]
            cell[model_id] = {"n": len(vals), "pt_dtw": float(np.mean(vals)) if vals else None}
        buckets.append(cell)
    prefixes = []
    for k in PREFIXES:
        cell = {"frames": k, "seconds": k / FPS}
        for model_id, rows in scores.items():
            vals = [p[k] for _, _, p in rows if k in p]
            cell[model_id] = {"n": len(vals), "pt_dtw": float(np.mean(vals)) if vals else None}
        prefixes.append(cell)
    return {
        "corpus": str(corpus.path),
        "corpus_version": corpus.version_key,
        "split": split,
        "langs": list(langs),
        "models": list(models),
        "device": device,
        "buckets": buckets,
        "prefixes": prefixes,
    }


def by_length_markdown(report: dict[str, Any]) -> str:
    models = report["models"]

    def cell(c: dict[str, Any]) -> str:
        return "–" if c["pt_dtw"] is None else f"{c['pt_dtw']:.2f} ({c['n']})"

    head = "| " + " | ".join(models) + " |"
    lines = [
        f"Split `{report['split']}` of `{report['corpus']}`, languages {', '.join(report['langs'])} "
        f"pooled; pt-dtw (lower is better), word count in brackets.",
        "",
        "**Error propagation: by reference length**",
        "",
        "| frames (s at 25 fps) " + head,
        "|---" * (len(models) + 1) + "|",
    ]
    for b in report["buckets"]:
        lo, hi = b["frames"]
        lines.append(
            f"| {lo}–{hi} ({lo / FPS:.0f}–{hi / FPS:.0f} s) | "
            + " | ".join(cell(b[m]) for m in models)
            + " |"
        )
    lines += [
        "",
        "**Decoding initiation: the first k frames only**",
        "",
        "| first k frames " + head,
        "|---" * (len(models) + 1) + "|",
    ]
    for p in report["prefixes"]:
        lines.append(
            f"| {p['frames']} ({p['seconds']:.1f} s) | " + " | ".join(cell(p[m]) for m in models) + " |"
        )
    return "\n".join(lines) + "\n"


def _upper50(seq: Any) -> np.ndarray:
    """(F, 50, 3) in the corpus' units (models already generate those; others are converted)."""
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise

    if seq.layout == "upper50" and seq.meta.get("reference_kind") == "generated":
        return np.asarray(seq.data, np.float32)
    return np.asarray(normalise(convert(seq, "upper50")).data, np.float32)


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Split `{report['split']}` of `{report['corpus']}` (version {report['corpus_version']}); "
        f"device {report['device']}.",
        "",
        "| model | lang | n | FGD ↓ (windows) | pt-dtw ↓ | dtw-mje ↓ | gen/ref length | DurACC ↑ | gen s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["rows"]:
        fgd = "–" if r.get("fgd") is None else f"{r['fgd']:.2f} ({r['fgd_windows']})"
        lines.append(
            f"| {r['model']} | {r['lang']} | {r['n']} | {fgd} | {r['pt_dtw']:.2f} | {r['dtw_mje']:.3f} | "
            f"{r['length_ratio']:.2f} | {r['dur_acc']:.2f} | {r['seconds']:.1f} |"
        )
    lines += [
        "",
        "FGD: Fréchet distance between the fgd-encoder features of the outputs' 34-frame windows "
        "and those of the references (windows: the generated side's count; – where the encoder is "
        "not shipped). "
        "pt-dtw: L1 frame cost, D[N,M]/N_ref (Progressive Transformers). dtw-mje: mean per-joint "
        "L2 error over aligned pairs, shoulder widths (SLRTP 2025). DurACC: duration within 1 s "
        "of the reference. `lookup`: spoken-to-signed's pipeline on the same recordings (close to the "
        "references by construction, not identical).",
    ]
    return "\n".join(lines) + "\n"
