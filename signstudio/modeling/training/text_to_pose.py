"""Training for ``nar-kd`` and ``diffusion`` (``signstudio train nar-kd|diffusion``), one process.

    result = train_generative(GenTrainConfig(model="nar-kd", langs=("ase", "gsg"), max_steps=4000))

Same conventions as the SignLLM trainer (`signstudio.modeling.training.signllm`): the corpus' train words
of every language (one shared network, the sign language a token), statistics and the character
vocabulary fitted on train and stored in every checkpoint; the learning-rate schedule of
`signstudio.modeling.training.signllm.learning_rate`; a dev evaluation every ``eval_every`` steps by exact
DTW (``pt-dtw``) of free generation (predicted length) against the references, with the
generated / reference length ratio; ``last.pt`` (resumable) and ``best.pt`` in ``out``;
``log.json``; ``export`` writes the best weights as fp16 plus the registry sidecar.

The frozen MiniLM states of every text are computed once at the start (`StateCache`).

``nar-kd`` trains in two stages (Hwang et al.): the frame VAE on single frames (``vae_steps``),
then, with the VAE frozen, the Latent Learning Module. ``vae_from`` takes the VAE of another run's
checkpoint instead, so the KD run and its no-KD ablation share one teacher and one PGM.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from signstudio.corpus.store import Corpus, open_corpus
from signstudio.modeling.checkpoint import load_checkpoint, save_checkpoint
from signstudio.modeling.data import CharVocab, Example, NormStats, epoch_order, load_examples
from signstudio.modeling.shipped_models import DIFFUSION_ID, NARKD_ID, sidecar
from signstudio.modeling.text.conditioner import TextInputs
from signstudio.modeling.text.sentence_encoder import SentenceEncoder, StateCache
from signstudio.modeling.training.signllm import TrainConfig, _interleave, _resolve_device, learning_rate

MODELS = (NARKD_ID, DIFFUSION_ID)


@dataclass
class GenTrainConfig:
    model: str = NARKD_ID
    langs: tuple[str, ...] = ("ase", "gsg")
    corpus: str | None = None
    out: str = "runs/nar-kd"
    seed: int = 0
    device: str = "auto"
    batch_size: int = 32
    lr: float = 5e-4
    schedule: str = "cosine"
    warmup: int = 200
    epochs: int = 1000
    max_steps: int | None = 4000
    max_minutes: float | None = None
    eval_every: int = 500
    dev_limit: int = 24
    distill: bool = True  # nar-kd: False = Table 3a's ablation
    vae_steps: int = 3000  # nar-kd: frame-VAE steps before the LLM
    vae_from: str | None = None  # nar-kd: take the frame VAE from this checkpoint
    model_overrides: dict[str, Any] = field(default_factory=dict)
    export: str | None = None
    progress: bool = True


@dataclass
class GenTrainResult:
    steps: int
    wall_s: float
    best_score: float | None
    log: list[dict[str, Any]]
    out: Path
    net: torch.nn.Module


class _Data:
    """Examples of every language as one list, with each row's language index, and the targets
    in the model's space (nar-kd: [0, 1] per value; diffusion: z-scored relative features)."""

    def __init__(self, examples: list[Example], langs: tuple[str, ...], targets: list[np.ndarray]):
        self.examples, self.targets = examples, targets
        self.lang_index = [langs.index(e.lang) for e in examples]


def _build(cfg: GenTrainConfig, vocab: CharVocab, langs: tuple[str, ...], train_ex: list[Example]) -> tuple:
    """(network, model config, stats dict for the checkpoint, target transform, output transform)."""
    if cfg.model == NARKD_ID:
        from signstudio.modeling.models.nar_kd import NARKD, NARKDConfig, UnitRange

        overrides = {"distill": cfg.distill, **cfg.model_overrides}
        rng = UnitRange.fit(train_ex)
        if cfg.vae_from:  # the teacher's shape and its [0, 1] range come with it
            teacher = load_checkpoint(cfg.vae_from)
            overrides |= {k: teacher["config"][k] for k in ("latent", "vae_hidden", "kl_weight")}
            rng = UnitRange.from_dict(teacher["stats"]["unit"])
        mcfg = NARKDConfig.from_dict(overrides)
        net = NARKD(mcfg, len(vocab), langs)
        return net, mcfg, {"unit": rng.to_dict()}, rng.to_unit, rng.from_unit
    if cfg.model == DIFFUSION_ID:
        from signstudio.modeling.models.diffusion import (
            Denoiser,
            DiffusionConfig,
            from_features,
            to_features,
            tree,
        )

        dcfg = DiffusionConfig.from_dict(dict(cfg.model_overrides))
        kt = tree()
        feats = [to_features(e.frames, kt) for e in train_ex]
        stats = NormStats(*_fit(feats))
        denoiser = Denoiser(dcfg, len(vocab), langs)
        return (
            denoiser,
            dcfg,
            {"relative": stats.to_dict()},
            lambda f: stats.normalise(to_features(f, kt)),
            lambda v: from_features(stats.denormalise(v), kt),
        )
    raise ValueError(f"cannot train {cfg.model!r} here; choose {' or '.join(MODELS)}")


def _fit(feats: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    allf = np.concatenate(feats).astype(np.float64)
    return allf.mean(0).astype(np.float32), np.maximum(allf.std(0), 1e-3).astype(np.float32)


def _pad(targets: list[np.ndarray], width: int) -> tuple[torch.Tensor, torch.Tensor]:
    out = np.zeros((len(targets), width, targets[0].shape[1]), np.float32)
    mask = np.zeros((len(targets), width), bool)
    for i, t in enumerate(targets):
        n = min(len(t), width)
        out[i, :n], mask[i, :n] = t[:n], True
    return torch.from_numpy(out), torch.from_numpy(mask)


def train_generative(cfg: GenTrainConfig, corpus: Corpus | None = None) -> GenTrainResult:
    from tqdm import tqdm

    from signstudio.metrics.dtw import dtw

    if cfg.model not in MODELS:
        raise ValueError(f"cannot train {cfg.model!r} here; choose {' or '.join(MODELS)}")
    device = _resolve_device(cfg.device, 0)
    torch.manual_seed(cfg.seed)
    corpus = corpus or (open_corpus(Path(cfg.corpus)) if cfg.corpus else open_corpus(quiet=True))
    langs = tuple(cfg.langs)
    per_train = load_examples(corpus, langs, "train")
    per_dev = load_examples(corpus, langs, "dev")
    dev_split = "dev"
    for lang in langs:
        if not per_train[lang]:
            raise ValueError(f"no training examples for {lang!r} in {corpus.path}")
        if not per_dev[lang]:
            per_dev[lang], dev_split = per_train[lang], "train"
    train_ex = [e for lang in langs for e in per_train[lang]]
    dev_ex = _interleave([per_dev[lang][: cfg.dev_limit] for lang in langs])
    vocab = CharVocab.build(e.text for e in train_ex)
    encoder = SentenceEncoder(device)
    cache = StateCache(encoder, [e.text for e in train_ex + dev_ex])
    net, mcfg, stats, to_target, from_output = _build(cfg, vocab, langs, train_ex)
    max_frames = int(mcfg.max_frames)
    data = _Data(train_ex, langs, [to_target(e.frames[:max_frames]) for e in train_ex])
    net.to(device)

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    last, best = out / "last.pt", out / "best.pt"
    step, elapsed_before, best_score, eval_seconds = 0, 0.0, math.inf, 0.0
    log: list[dict[str, Any]] = []
    vae_log: dict[str, Any] | None = None
    resumed = last.exists()
    if resumed:
        ck = load_checkpoint(last, map_location=device)
        net.load_state_dict(ck["state_dict"])
        ex = ck["extra"]
        step, elapsed_before = int(ex["step"]), float(ex["wall_s"])
        best_score, eval_seconds, log = float(ex["best_score"]), float(ex["eval_s"]), list(ex["log"])
        vae_log = ex.get("vae")
    started = time.perf_counter()

    def wall() -> float:
        return elapsed_before + time.perf_counter() - started

    if cfg.model == NARKD_ID and not resumed:
        vae_log = _vae_stage(cfg, net, data, device)
    if cfg.model == NARKD_ID:
        net.freeze_vae()
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    if resumed:
        opt.load_state_dict(ck["extra"]["optimizer"])
    n = len(train_ex)
    steps_per_epoch = max(1, math.ceil(n / cfg.batch_size))
    total_steps = cfg.epochs * steps_per_epoch
    if cfg.max_steps is not None:
        total_steps = min(total_steps, cfg.max_steps)
    sched = TrainConfig(lr=cfg.lr, schedule=cfg.schedule, warmup=cfg.warmup)
    meta_base = {
        "train_config": {k: v for k, v in asdict(cfg).items() if k != "model_overrides"},
        "languages": list(langs),
        "spoken_languages": {lang: corpus.spoken_language(lang) for lang in langs},
        "dev_split": dev_split,
        "corpus": str(corpus.path),
        "corpus_version": corpus.version_key,
        "device": device,
        "train_words": {lang: len(per_train[lang]) for lang in langs},
    }
    losses: list[dict[str, float]] = []

    def text_inputs(rows: list[int], examples: list[Example]) -> TextInputs:
        texts = [examples[i].text for i in rows]
        index = [langs.index(examples[i].lang) for i in rows]
        return TextInputs.build(texts, index, vocab, cache.batch(texts, device), device)

    def generate(rows: list[int]) -> list[np.ndarray]:
        text = text_inputs(rows, dev_ex)
        if cfg.model == NARKD_ID:
            outs = net.generate(text)
        else:
            gen = torch.Generator(device=device).manual_seed(0)
            outs = net.sample(text, mcfg.steps, mcfg.guidance, generator=gen)
        return [from_output(o.float().cpu().numpy()) for o in outs]

    def save(path: Path, extra: dict[str, Any] | None = None) -> None:
        save_checkpoint(
            path,
            model_id=cfg.model,
            config=mcfg,
            state_dict=net.state_dict(),
            stats=stats,
            vocab={"chars": vocab.to_list()},
            meta={
                **meta_base,
                "step": step,
                "wall_s": wall(),
                "best_dev": best_score,
                "metric": "pt-dtw",
                "vae": vae_log,
            },
            extra=extra,
        )

    def evaluate_and_save() -> None:
        nonlocal best_score, eval_seconds
        t0 = time.perf_counter()
        net.eval()
        scores, ratios = [], []
        with torch.no_grad():
            for start in range(0, len(dev_ex), 32):
                rows = list(range(start, min(start + 32, len(dev_ex))))
                for i, gen in zip(rows, generate(rows), strict=True):
                    e = dev_ex[i]
                    scores.append(dtw(gen.reshape(len(gen), -1, 3), e.reference(), metric="pt-dtw").score)
                    ratios.append(len(gen) / max(e.num_frames, 1))
        net.train()
        eval_seconds += time.perf_counter() - t0
        score = float(np.mean(scores))
        mean_terms = {k: float(np.mean([d[k] for d in losses])) for k in losses[0]} if losses else {}
        log.append(
            {
                "wall_s": round(wall(), 3),
                "train_s": round(wall() - eval_seconds, 3),
                "eval_s": round(time.perf_counter() - t0, 3),
                "step": step,
                "dev_score": score,
                "metric": "pt-dtw",
                "length_ratio": round(float(np.mean(ratios)), 4),
                "dev_examples": len(scores),
                "dev_split": dev_split,
                "train_loss": mean_terms,
            }
        )
        losses.clear()
        if score < best_score:
            best_score = score
            save(best)
        extra = {
            "optimizer": opt.state_dict(),
            "step": step,
            "wall_s": wall(),
            "best_score": best_score,
            "eval_s": eval_seconds,
            "log": log,
            "vae": vae_log,
        }
        save(last, extra)
        (out / "log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")

    limit_s = cfg.max_minutes * 60 if cfg.max_minutes else math.inf
    bar = tqdm(total=total_steps, initial=step, disable=not cfg.progress, desc=f"train {cfg.model}")
    net.train()
    last_eval = step
    while step < total_steps:
        epoch, pos = divmod(step * cfg.batch_size, n)
        order = epoch_order(n, epoch, cfg.seed)
        rows = [int(i) for i in order[pos : pos + cfg.batch_size]]
        text = text_inputs(rows, data.examples)
        width = (
            max_frames if cfg.model == NARKD_ID else min(max_frames, max(len(data.targets[i]) for i in rows))
        )
        target, mask = _pad([data.targets[i] for i in rows], width)
        loss, terms = net.loss(text, target.to(device), mask.to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        for group in opt.param_groups:
            group["lr"] = learning_rate(sched, step, total_steps)
        opt.step()
        losses.append({"loss": float(loss.detach()), **terms})
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{float(loss.detach()):.4f}")
        stop = wall() >= limit_s
        if step - last_eval >= cfg.eval_every and not stop and step < total_steps:
            evaluate_and_save()
            last_eval = step
        if stop:
            break
    bar.close()
    if step != last_eval or not log:
        evaluate_and_save()
    if cfg.export:
        sampling = {k: v for k, v in cfg.model_overrides.items() if k in ("steps", "guidance")}
        export_generative(best if best.exists() else last, Path(cfg.export), sampling)
    return GenTrainResult(step, wall(), best_score if math.isfinite(best_score) else None, log, out, net)


def _vae_stage(cfg: GenTrainConfig, net: Any, data: _Data, device: str) -> dict[str, Any]:
    """Train the frame VAE on single frames (or copy it from ``vae_from``); returns its log line."""
    if cfg.vae_from:
        ck = load_checkpoint(cfg.vae_from, map_location=device)
        vae = {k[len("vae.") :]: v for k, v in ck["state_dict"].items() if k.startswith("vae.")}
        net.vae.load_state_dict(vae)
        return {"from": str(cfg.vae_from), **(ck["meta"].get("vae") or {})}
    frames = torch.from_numpy(np.concatenate(data.targets)).to(device)
    opt = torch.optim.Adam(net.vae.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(cfg.seed)
    t0 = time.perf_counter()
    terms: dict[str, float] = {}
    for _ in range(cfg.vae_steps):
        idx = torch.randint(0, len(frames), (512,), generator=gen).to(device)
        loss, terms = net.vae.loss(frames[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        mu, _ = net.vae.encode(frames[:20000])
        recon = net.vae.decode(mu)
        mse = float(((recon - frames[:20000]) ** 2).mean())
    return {
        "steps": cfg.vae_steps,
        "frames": len(frames),
        "seconds": round(time.perf_counter() - t0, 1),
        "recon_mse_unit": mse,
        **terms,
    }


def export_generative(checkpoint: Path, target: Path, sampling: dict[str, Any] | None = None) -> Path:
    """The checkpoint's weights as fp16 (no optimizer state) plus the registry sidecar.

    sampling: diffusion's default ``steps`` / ``guidance`` to ship (they change no weight)."""
    ck = load_checkpoint(checkpoint)
    ck["config"] = {**ck["config"], **(sampling or {})}
    save_checkpoint(
        target,
        model_id=ck["model_id"],
        config=ck["config"],
        state_dict=ck["state_dict"],
        stats=ck["stats"],
        vocab=ck["vocab"],
        layout=ck["layout"],
        meta=ck["meta"],
        half=True,
    )
    meta = ck["meta"]
    info = {
        "id": ck["model_id"],
        "languages": list(meta["languages"]),
        "layout": ck["layout"],
        "metric": meta.get("metric"),
        "best_dev": meta.get("best_dev"),
        "step": meta.get("step"),
        "wall_s": meta.get("wall_s"),
    }
    if ck["model_id"] == DIFFUSION_ID:  # the studio's defaults for its step and guidance controls
        info["sampling"] = {"steps": ck["config"]["steps"], "guidance": ck["config"]["guidance"]}
    sidecar(target).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return target
