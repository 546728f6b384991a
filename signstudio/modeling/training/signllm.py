"""Training of ``signllm-mlsf`` (``signstudio train signllm-mlsf``), single process or DDP.

    result = train(TrainConfig(langs=("ase", "gsg"), size="tiny", epochs=5, out="runs/mlsf"))

* **Data**: the corpus' train words per language (`signstudio.modeling.data`); normalisation
  statistics and a character vocabulary per language are fitted on train and stored in every
  checkpoint. Dev: the dev words (if a corpus has none, e.g. a tiny test corpus, train is used
  and the log says ``dev_split: train``).
* **Steps**: one step trains every language channel on one batch of its own data (the losses are
  summed; channels share no parameter, so this equals training them side by side). Each language
  reads its examples in a permutation seeded by (seed, epoch) (`epoch_order`); under DDP each rank
  reads a disjoint, equally long shard of it. An epoch is as many steps as the largest language
  needs; smaller languages wrap into their next epoch.
* **Loss**: ``mse`` (per-sample MSE of pose + counter, plus Future Prediction if on) or ``rl``
  (`signstudio.modeling.training.rl_plc.rl_loss` of the rewards -MSE: the same value; see there).
  ``plc``: batches are drawn by the Priority Learning Channel (P(i) ∝ (L(i)+ε)^η) instead of the
  permutation, with priorities refreshed from each batch's rewards.
* **Evaluation** every ``eval_every`` steps and at the end, on rank 0: free-running decoding of
  the dev words (predicted counter only) scored by exact DTW (``pt-dtw`` of
  `signstudio.metrics.dtw`) against the lexicon references in the corpus' units; lower is better.
  Each evaluation appends {wall_s, step, epoch, dev_score, metric, train_loss} to ``log.json``.
* **Checkpoints** in ``out``: ``last.pt`` (resumable: optimizer, data position, PLC state, wall
  time so far) after every evaluation, ``best.pt`` whenever dev DTW improves. A run started again
  with the same ``out`` resumes from ``last.pt``. ``export`` writes the best weights as fp16 plus
  the registry sidecar (``models/signllm-mlsf/signllm-mlsf.pt`` + ``.json``).
* **DDP**: under ``torchrun`` (WORLD_SIZE > 1) the process group is initialised (gloo on CPU,
  nccl on CUDA) and the model wrapped in DistributedDataParallel; gradients are averaged, so all
  ranks keep identical weights. On CUDA the forward runs under bf16 autocast.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from signstudio.corpus.store import Corpus, open_corpus
from signstudio.modeling.checkpoint import load_checkpoint, save_checkpoint
from signstudio.modeling.data import (
    CharVocab,
    Example,
    NormStats,
    TokenVocab,
    Vocab,
    collate,
    epoch_order,
    load_examples,
)
from signstudio.modeling.models.signllm_mlsf import MLSF, build_model, per_sample_loss, size_config
from signstudio.modeling.models.signllm_p2lg import CHANNEL, gloss_tag
from signstudio.modeling.shipped_models import MLSF_ID, P2LG_ID, sidecar
from signstudio.modeling.training.loop import TrainingLoop, optimizer_step
from signstudio.modeling.training.rl_plc import PrioritySampler, rl_loss
from signstudio.modeling.training.user_data import DataError, UserData, load_user_data


@dataclass
class TrainConfig:
    model: str = MLSF_ID
    langs: tuple[str, ...] = ("ase", "gsg")
    size: str = "tiny"
    loss: str = "mse"  # mse | rl
    plc: bool = False
    eta: float = 0.6
    epochs: int = 20
    max_minutes: float | None = None
    max_steps: int | None = None
    out: str = "runs/signllm-mlsf"
    seed: int = 0
    device: str = "auto"
    corpus: str | None = None
    data: tuple[str, ...] = ()  # pose files with texts (any readable format) instead of a corpus
    dev: tuple[str, ...] = ()  # with data: the dev files (`signstudio.modeling.training.user_data`)
    batch_size: int = 16
    lr: float = 5e-4
    schedule: str = "constant"  # constant | cosine (warm-up, then cosine to 10 % at the last step)
    warmup: int = 100
    eval_every: int = 100
    dev_limit: int = 16  # dev words per language decoded at each evaluation
    future_k: int = 0
    noise_std: float = 0.0
    model_overrides: dict[str, Any] = field(default_factory=dict)
    export: str | None = None
    export_add: bool = False  # add this run's languages to an existing exported MLSF checkpoint
    progress: bool = True
    record_indices: bool = False  # keep the example indices each rank trained on (tests)


@dataclass
class TrainResult:
    steps: int
    epochs: float
    wall_s: float
    best_score: float | None
    metric: str
    log: list[dict[str, Any]]
    model: MLSF
    seen: dict[str, list[int]]
    out: Path


class _Stream:
    """One language's batches: permutation order (or PLC draws) over this rank's shard."""

    def __init__(self, n: int, cfg: TrainConfig, rank: int, world: int, lang_seed: int):
        self.n, self.cfg, self.rank, self.world = n, cfg, rank, world
        self.seed = cfg.seed * 1000 + lang_seed
        self.epoch, self.pos = 0, 0
        self.order = epoch_order(n, 0, self.seed, rank, world)
        self.sampler = (
            PrioritySampler(len(self.order), cfg.eta, seed=self.seed * 7919 + rank)  # shard-local
            if cfg.plc
            else None
        )

    def next(self) -> np.ndarray:
        b = self.cfg.batch_size
        if self.sampler is not None:
            shard = self.order  # PLC draws from this rank's shard of epoch 0 (disjoint across ranks)
            return shard[self.sampler.sample(b)]
        if self.pos >= len(self.order):
            self.epoch += 1
            self.pos = 0
            self.order = epoch_order(self.n, self.epoch, self.seed, self.rank, self.world)
        idx = self.order[self.pos : self.pos + b]
        self.pos += b
        return idx

    def update(self, indices: np.ndarray, rewards: np.ndarray) -> None:
        if self.sampler is not None:
            where = {int(v): i for i, v in enumerate(self.order)}
            self.sampler.update([where[int(i)] for i in indices], rewards)

    def state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "pos": self.pos,
            "sampler": self.sampler.state_dict() if self.sampler else None,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        if not self.cfg.plc:
            self.order = epoch_order(self.n, self.epoch, self.seed, self.rank, self.world)
        if self.sampler is not None and state.get("sampler"):
            self.sampler.load_state_dict(state["sampler"])


class _AllLanguages(torch.nn.Module):
    """One forward over a batch of every language, so DDP sees one forward per backward."""

    def __init__(self, model: MLSF):
        super().__init__()
        self.model = model

    def forward(
        self, batches: list[tuple[str, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]
    ) -> list[torch.Tensor]:
        return [
            per_sample_loss(self.model(lang, t, tm, y).float(), y, fm, self.model.cfg)
            for lang, t, tm, y, fm in batches
        ]


def learning_rate(cfg: TrainConfig, step: int, total_steps: int) -> float:
    """The rate for optimizer step ``step`` (0-based): ``constant``, or ``cosine``: a linear
    warm-up over ``warmup`` steps, then a cosine from ``lr`` down to 10 % of it at ``total_steps``."""
    if cfg.schedule == "constant":
        return cfg.lr
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = min(1.0, (step - cfg.warmup) / max(1, total_steps - cfg.warmup))
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def _resolve_device(device: str, local_rank: int) -> str:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda was asked for, but torch sees no CUDA GPU")
        if device == "cuda":
            device = f"cuda:{local_rank}"
    return device


@dataclass(frozen=True)
class DevScore:
    """One dev evaluation: mean pt-dtw (lower is better) and mean generated / reference length."""

    score: float
    metric: str
    length_ratio: float
    examples: int


def evaluate(
    model: MLSF,
    dev: dict[str, list[Example]],
    vocabs: Mapping[str, Vocab],
    stats: dict[str, NormStats],
    device: str,
    limit: int,
) -> DevScore:
    """Free-running decoding (predicted counter only) of the first ``limit`` dev examples of each
    channel, scored by exact DTW (``pt-dtw``) against the references; averaged over examples.

    pt-dtw divides by the *reference* length, so an output far too short can still score well:
    the length ratio is reported next to it."""
    from signstudio.metrics.dtw import dtw
    from signstudio.modeling.data import encode_texts

    model.eval()
    scores, ratios = [], []
    for lang, exs in dev.items():
        exs = exs[:limit]
        ids, mask = encode_texts([e.text for e in exs], vocabs[lang])
        with torch.no_grad():
            outs = model.channel(lang).generate(
                torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)
            )
        for e, o in zip(exs, outs, strict=True):
            gen = stats[lang].denormalise(o.float().cpu().numpy())
            scores.append(dtw(gen.reshape(len(gen), -1, 3), e.reference(), metric="pt-dtw").score)
            ratios.append(len(gen) / max(e.num_frames, 1))
    model.train()
    return DevScore(float(np.mean(scores)), "pt-dtw", float(np.mean(ratios)), len(scores))


def train(cfg: TrainConfig, corpus: Corpus | None = None, user_data: UserData | None = None) -> TrainResult:
    """Train ``cfg`` (on ``user_data`` when given: ``--data`` already loaded; else ``cfg.data``
    loaded here, else the corpus) on this process, or this rank under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    device = _resolve_device(cfg.device, local_rank)
    distributed = world > 1
    if distributed and not torch.distributed.is_initialized():
        backend = "nccl" if device.startswith("cuda") else "gloo"
        torch.distributed.init_process_group(backend, rank=rank, world_size=world)
    if device.startswith("cuda"):
        torch.cuda.set_device(device)
    try:
        return _train(cfg, corpus, device, rank, world, user_data)
    finally:
        if distributed and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


@dataclass
class _RunData:
    """The examples of a run per channel, their vocabularies, and where they came from."""

    sign_langs: tuple[str, ...]
    train_ex: dict[str, list[Example]]
    dev_ex: dict[str, list[Example]]
    vocabs: dict[str, Vocab]
    dev_split: str
    source: str
    corpus: Corpus | None
    fits: dict[str, Any] | None = None  # what a checkpoint trained on user data fits (UserData.fits)


def _run_data(cfg: TrainConfig, corpus: Corpus | None, user_data: UserData | None = None) -> _RunData:
    """The train and dev examples of ``cfg`` (a corpus, or ``--data`` files), channels and vocabularies."""
    sign_langs = tuple(cfg.langs)
    if cfg.data and user_data is None:
        user_data = load_user_data(cfg.data, cfg.dev, sign_langs)
    if user_data is not None:
        sign_langs = (user_data.lang,)
        train_ex, dev_ex = {user_data.lang: user_data.train}, {user_data.lang: user_data.dev}
        data_source = ", ".join(user_data.files)
    else:
        corpus = corpus or (open_corpus(Path(cfg.corpus)) if cfg.corpus else open_corpus(quiet=True))
        train_ex = load_examples(corpus, sign_langs, "train")
        dev_ex = load_examples(corpus, sign_langs, "dev")
        data_source = str(corpus.path)
    dev_split = "dev"
    for lang in sign_langs:
        if not train_ex[lang]:
            raise ValueError(f"no training examples for {lang!r} in {data_source}")
        if not dev_ex[lang]:  # a built-in test corpus without dev words (user data never gets here)
            dev_ex[lang], dev_split = train_ex[lang], "train"
    vocabs: dict[str, Vocab]
    if cfg.model == P2LG_ID:
        # Prompt2LangGloss: one shared channel over every language's language-tagged glosses
        for e in (*train_ex[sign_langs[0]], *dev_ex[sign_langs[0]]) if user_data else ():
            if not e.glosses:
                raise DataError(
                    f"{data_source}: {P2LG_ID} learns from glosses, and the {e.split} sequence "
                    f"{e.text[:40]!r} has none (a .gloss file beside the .skels)"
                )
        train_ex = {CHANNEL: [replace(e, text=e.glosses) for lang in sign_langs for e in train_ex[lang]]}
        dev_ex = {
            CHANNEL: _interleave([[replace(e, text=e.glosses) for e in dev_ex[lang]] for lang in sign_langs])
        }
        if user_data is not None:
            vocabs = {CHANNEL: TokenVocab.build(e.text for e in train_ex[CHANNEL])}
        else:
            assert corpus is not None
            alphabets = {lang: sorted(corpus.letters(lang, "upper50")) for lang in sign_langs}
            vocabs = {
                CHANNEL: TokenVocab.build(
                    f"{gloss_tag(lang)}_{u.upper()}" for lang in sign_langs for u in alphabets[lang]
                )
            }
    elif cfg.model == MLSF_ID:
        vocabs = {lang: CharVocab.build(e.text for e in train_ex[lang]) for lang in sign_langs}
    else:
        raise ValueError(f"cannot train {cfg.model!r}; choose {MLSF_ID} or {P2LG_ID}")
    fits = user_data.fits() if user_data is not None else None
    return _RunData(sign_langs, train_ex, dev_ex, vocabs, dev_split, data_source, corpus, fits)


def _train(
    cfg: TrainConfig, corpus: Corpus | None, device: str, rank: int, world: int, user_data: UserData | None
) -> TrainResult:
    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)  # noqa: NPY002 - nothing here draws from it; for user code
    if cfg.schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be constant or cosine, got {cfg.schedule!r}")
    if cfg.loss not in ("mse", "rl"):
        raise ValueError(f"loss must be mse or rl, got {cfg.loss!r}")
    run = _Run(cfg, _run_data(cfg, corpus, user_data), device, rank, world)
    loop = run.loop
    run.model.train()
    loop.run(
        run.total_steps,
        run.train_step,
        run.evaluate_and_save,
        eval_every=cfg.eval_every,
        max_minutes=cfg.max_minutes,
        progress=cfg.progress,
        desc="train",
    )
    if cfg.export and rank == 0:
        export(loop.best if loop.best.exists() else loop.last, Path(cfg.export), add=cfg.export_add)
    epochs = loop.step / run.steps_per_epoch
    return TrainResult(
        loop.step,
        epochs,
        loop.wall(),
        loop.best_or_none(),
        run.metric,
        loop.log,
        run.model,
        run.seen,
        loop.out,
    )


class _Run:
    """One run of `train` on this rank: the model, its optimizer and data streams, the loop."""

    def __init__(self, cfg: TrainConfig, data: _RunData, device: str, rank: int, world: int):
        self.cfg, self.data, self.device = cfg, data, device
        self.langs = tuple(data.train_ex)  # channels: sign languages (MLSF) or the one LangGloss channel
        self.stats = {lang: NormStats.fit(data.train_ex[lang]) for lang in self.langs}
        overrides = {"future_k": cfg.future_k, "noise_std": cfg.noise_std, **cfg.model_overrides}
        self.mcfg = size_config(cfg.size, **overrides)
        torch.manual_seed(cfg.seed)
        self.model = build_model(self.mcfg, data.vocabs).to(device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=0.01)
        self.streams = {
            lang: _Stream(len(data.train_ex[lang]), cfg, rank, world, i)
            for i, lang in enumerate(sorted(self.langs))
        }
        self.steps_per_epoch = max(math.ceil(len(s.order) / cfg.batch_size) for s in self.streams.values())
        self.total_steps = cfg.epochs * self.steps_per_epoch
        if cfg.max_steps is not None:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        self.loop = TrainingLoop(Path(cfg.out), rank=rank, world=world, device=device)
        if self.loop.last.exists():
            _resume(self.loop, self.model, self.opt, self.streams)
        self.net = _all_languages(self.model, world, device)
        self.meta_base = _meta_base(cfg, data, world, device)
        self.seen: dict[str, list[int]] = {lang: [] for lang in self.langs}
        self.metric = "pt-dtw"
        self.losses: list[float] = []

    def train_step(self) -> float:
        cfg, device = self.cfg, self.device
        batches, picked = _batches(
            cfg, self.data, self.stats, self.streams, self.seen, self.mcfg.max_frames, device
        )
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda")):
            per_lang = self.net(batches)
        terms = [rl_loss(-ps) if cfg.loss == "rl" else ps.mean() for ps in per_lang]
        loss = torch.stack(terms).sum()
        lr = learning_rate(cfg, self.loop.step, self.total_steps)
        optimizer_step(self.opt, loss, lr, clip=self.model.parameters())
        for lang, idx, ps in zip(self.langs, picked, per_lang, strict=True):
            self.streams[lang].update(idx, -ps.detach().float().cpu().numpy())
        self.losses.append(float(loss.detach()))
        return self.losses[-1]

    def evaluate_and_save(self) -> None:
        streams = self.streams
        self.loop.evaluate_and_save(
            self.evaluate_dev,
            self.save,
            self.opt,
            lambda: {"streams": {k: s.state() for k, s in streams.items()}},
        )

    def evaluate_dev(self) -> tuple[float, dict[str, Any]]:
        cfg = self.cfg
        dev = evaluate(self.model, self.data.dev_ex, self.data.vocabs, self.stats, self.device, cfg.dev_limit)
        self.metric = dev.metric
        fields = {
            "epoch": round(self.loop.step / self.steps_per_epoch, 3),
            "dev_score": dev.score,
            "metric": dev.metric,
            "length_ratio": round(dev.length_ratio, 4),
            "dev_examples": dev.examples,
            "dev_split": self.data.dev_split,
            "train_loss": float(np.mean(self.losses)) if self.losses else None,
            "loss": cfg.loss,
            "plc": cfg.plc,
        }
        self.losses.clear()
        return dev.score, fields

    def save(self, path: Path, extra: dict[str, Any] | None) -> None:
        loop = self.loop
        save_checkpoint(
            path,
            model_id=self.cfg.model,
            config=self.mcfg,
            state_dict=self.model.state_dict(),
            stats={k: v.to_dict() for k, v in self.stats.items()},
            vocab={k: v.to_list() for k, v in self.data.vocabs.items()},
            meta={
                **self.meta_base,
                "step": loop.step,
                "wall_s": loop.wall(),
                "best_dev": loop.best_score,
                "metric": self.metric,
            },
            extra=extra,
        )


def _resume(loop: TrainingLoop, model: MLSF, opt: torch.optim.Optimizer, streams: dict[str, _Stream]) -> None:
    """Weights, optimizer, data position and progress from ``last.pt``."""
    ck = loop.load_last()
    model.load_state_dict(ck["state_dict"])
    opt.load_state_dict(ck["extra"]["optimizer"])
    loop.resume(ck["extra"])
    for lang, st in ck["extra"]["streams"].items():
        if lang in streams:
            streams[lang].load(st)


def _all_languages(model: MLSF, world: int, device: str) -> torch.nn.Module:
    """The model's forward over every channel, in DistributedDataParallel under torchrun."""
    net: torch.nn.Module = _AllLanguages(model)
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            net, device_ids=[device] if device.startswith("cuda") else None
        )
    return net


def _meta_base(cfg: TrainConfig, data: _RunData, world: int, device: str) -> dict[str, Any]:
    """What every checkpoint of the run says about it (the step and scores are added per save)."""
    corpus = data.corpus
    spoken = {} if corpus is None else {lang: corpus.spoken_language(lang) for lang in data.sign_langs}
    return {
        "train_config": {k: v for k, v in asdict(cfg).items() if k != "model_overrides"},
        "spoken_languages": spoken,
        "languages": list(data.sign_langs),
        "dev_split": data.dev_split,
        "corpus": data.source,
        "corpus_version": None if cfg.data else corpus.version_key if corpus is not None else None,
        "world_size": world,
        "device": device,
        **(
            data.fits
            or {
                "layout": "upper50",
                "normalisation": "neck-shoulder",
                "sign_languages": list(data.sign_langs),
            }
        ),
    }


def _batches(
    cfg: TrainConfig,
    data: _RunData,
    stats: dict[str, NormStats],
    streams: dict[str, _Stream],
    seen: dict[str, list[int]],
    max_frames: int,
    device: str,
) -> tuple[list[tuple[str, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]], list[np.ndarray]]:
    """One batch per channel from its stream, on ``device``; and the example indices drawn."""
    batches, picked = [], []
    for lang in data.train_ex:
        idx = streams[lang].next()
        picked.append(idx)
        if cfg.record_indices:
            seen[lang].extend(int(i) for i in idx)
        b = collate(
            [data.train_ex[lang][i] for i in idx], data.vocabs[lang], stats[lang], idx.tolist(), max_frames
        )
        batches.append(
            (
                lang,
                torch.from_numpy(b.text).to(device),
                torch.from_numpy(b.text_mask).to(device),
                torch.from_numpy(b.target).to(device),
                torch.from_numpy(b.frame_mask).to(device),
            )
        )
    return batches, picked


def _interleave(groups: list[list[Example]]) -> list[Example]:
    """Round-robin over the groups, so the first ``dev_limit`` dev examples cover every language."""
    out: list[Example] = []
    for i in range(max((len(g) for g in groups), default=0)):
        out.extend(g[i] for g in groups if i < len(g))
    return out


def export(checkpoint: Path, target: Path, add: bool = False) -> Path:
    """Write ``checkpoint``'s weights as fp16 (no optimizer state) plus the registry sidecar.

    add: ``target`` is an MLSF checkpoint to extend: this run's language channels are added to
    (or replace) its channels, every other channel is copied bit for bit (MLSF shares nothing
    between languages). The two must have the same architecture config."""
    ck = load_checkpoint(checkpoint)
    meta = dict(ck["meta"])
    langs = list(meta.get("languages") or ck["vocab"])
    this_run = {k: meta.get(k) for k in ("step", "wall_s", "best_dev", "metric", "train_config", "device")}
    per_language = {lang: this_run for lang in langs}
    state, stats, vocab = dict(ck["state_dict"]), dict(ck["stats"]), dict(ck["vocab"])
    if add and target.exists():
        old = load_checkpoint(target)
        if old["model_id"] != MLSF_ID or ck["model_id"] != MLSF_ID:
            raise ValueError(f"only {MLSF_ID} checkpoints take added languages ({target})")
        if old["config"] != ck["config"]:
            diff = sorted(k for k in ck["config"] if old["config"].get(k) != ck["config"][k])
            raise ValueError(
                f"{target}: cannot add languages trained with another config ({', '.join(diff)})"
            )
        kept = [lang for lang in old["vocab"] if lang not in langs]
        state = {
            **{k: v for k, v in old["state_dict"].items() if k.split(".")[1] in kept},
            **state,
        }
        stats = {**{k: old["stats"][k] for k in kept}, **stats}
        vocab = {**{k: old["vocab"][k] for k in kept}, **vocab}
        old_per = old["meta"].get("per_language", {})
        per_language = {**{k: old_per.get(k) for k in kept}, **per_language}
        meta["spoken_languages"] = {
            **old["meta"].get("spoken_languages", {}),
            **meta.get("spoken_languages", {}),
        }
        langs = sorted({*kept, *langs})
    meta["languages"] = sorted(langs)
    meta["per_language"] = per_language
    save_checkpoint(
        target,
        model_id=ck["model_id"],
        config=ck["config"],
        state_dict=state,
        stats=stats,
        vocab=vocab,
        layout=ck["layout"],
        meta=meta,
        half=True,
    )
    info = {
        "id": ck["model_id"],
        "languages": sorted(langs),
        "layout": ck["layout"],
        "metric": meta.get("metric"),
        "per_language": {
            k: {"best_dev": v.get("best_dev"), "step": v.get("step"), "wall_s": v.get("wall_s")}
            if v
            else None
            for k, v in per_language.items()
        },
    }
    sidecar(target).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return target
