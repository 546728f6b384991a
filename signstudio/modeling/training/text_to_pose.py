"""Training for ``nar-kd`` and ``diffusion`` (``signstudio train nar-kd|diffusion``), one process
or DDP under ``torchrun`` (each rank a shard of every batch, gradients averaged).

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
from signstudio.modeling.training.loop import (
    TrainingLoop,
    broadcast_parameters,
    optimizer_step,
    start_distributed,
    stop_distributed,
)
from signstudio.modeling.training.signllm import TrainConfig, _interleave, learning_rate
from signstudio.modeling.training.user_data import UserData

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
            teacher = _vae_source(cfg.vae_from, "cpu")
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


def train_generative(
    cfg: GenTrainConfig, corpus: Corpus | None = None, user_data: UserData | None = None
) -> GenTrainResult:
    """Train ``cfg`` on the corpus, or on ``user_data`` (``--data``); under torchrun every rank
    trains its shard of each batch order and the gradients are averaged (rank 0 evaluates and saves)."""
    if cfg.model not in MODELS:
        raise ValueError(f"cannot train {cfg.model!r} here; choose {' or '.join(MODELS)}")
    rank, world, device = start_distributed(cfg.device)
    try:
        torch.manual_seed(cfg.seed)
        if user_data is None:
            corpus = corpus or (open_corpus(Path(cfg.corpus)) if cfg.corpus else open_corpus(quiet=True))
        run = _GenRun(cfg, _examples(cfg, corpus, user_data), device, rank, world)
        loop = run.loop
        run.net.train()
        loop.run(
            run.total_steps,
            run.train_step,
            run.evaluate_and_save,
            eval_every=cfg.eval_every,
            max_minutes=cfg.max_minutes,
            progress=cfg.progress,
            desc=f"train {cfg.model}",
        )
        if cfg.export and rank == 0:
            sampling = {k: v for k, v in cfg.model_overrides.items() if k in ("steps", "guidance")}
            export_generative(loop.best if loop.best.exists() else loop.last, Path(cfg.export), sampling)
        return GenTrainResult(loop.step, loop.wall(), loop.best_or_none(), loop.log, loop.out, run.net)
    finally:
        stop_distributed(world)


@dataclass
class _Examples:
    """A run's train and dev examples per sign language, and what the checkpoint says of them."""

    per_train: dict[str, list[Example]]
    per_dev: dict[str, list[Example]]
    dev_split: str
    meta: dict[str, Any]


def _examples(cfg: GenTrainConfig, corpus: Corpus | None, user_data: UserData | None) -> _Examples:
    if user_data is not None:
        per = {user_data.lang: user_data.train}, {user_data.lang: user_data.dev}
        return _Examples(*per, "dev", {"corpus": ", ".join(user_data.files), **user_data.fits()})
    assert corpus is not None
    langs = tuple(cfg.langs)
    per_train = load_examples(corpus, langs, "train")
    per_dev = load_examples(corpus, langs, "dev")
    dev_split = "dev"
    for lang in langs:
        if not per_train[lang]:
            raise ValueError(f"no training examples for {lang!r} in {corpus.path}")
        if not per_dev[lang]:  # a built-in test corpus without dev words
            per_dev[lang], dev_split = per_train[lang], "train"
    meta = {
        "spoken_languages": {lang: corpus.spoken_language(lang) for lang in langs},
        "corpus": str(corpus.path),
        "corpus_version": corpus.version_key,
        "layout": "upper50",
        "normalisation": "neck-shoulder",
        "sign_languages": list(langs),
    }
    return _Examples(per_train, per_dev, dev_split, meta)


class _GenRun:
    """One run of `train_generative` on this rank: the examples, the network, its optimizer, the loop."""

    def __init__(self, cfg: GenTrainConfig, ex: _Examples, device: str, rank: int = 0, world: int = 1):
        self.cfg, self.device, self.rank, self.world = cfg, device, rank, world
        langs = self.langs = tuple(ex.per_train)
        per_train, per_dev = ex.per_train, ex.per_dev
        self.dev_split = ex.dev_split
        train_ex = [e for lang in langs for e in per_train[lang]]
        self.dev_ex = _interleave([per_dev[lang][: cfg.dev_limit] for lang in langs])
        self.vocab = CharVocab.build(e.text for e in train_ex)
        self.cache = StateCache(SentenceEncoder(device), [e.text for e in train_ex + self.dev_ex])
        self.net, self.mcfg, self.stats, to_target, self.from_output = _build(
            cfg, self.vocab, langs, train_ex
        )
        self.max_frames = int(self.mcfg.max_frames)
        self.data = _Data(train_ex, langs, [to_target(e.frames[: self.max_frames]) for e in train_ex])
        self.net.to(device)
        broadcast_parameters(self.net, world)
        self.loop = TrainingLoop(Path(cfg.out), rank=rank, world=world, device=device)
        self.loop.out.mkdir(parents=True, exist_ok=True)
        self._start(cfg)
        self.meta_base = {
            "train_config": {k: v for k, v in asdict(cfg).items() if k != "model_overrides"},
            "languages": list(langs),
            "dev_split": ex.dev_split,
            "device": device,
            "world_size": world,
            "train_words": {lang: len(per_train[lang]) for lang in langs},
            **ex.meta,
        }
        self.losses: list[dict[str, float]] = []

    def _start(self, cfg: GenTrainConfig) -> None:
        """Resume from ``last.pt`` or train the frame VAE first (nar-kd); the optimizer, the steps."""
        ck = self.loop.load_last() if self.loop.last.exists() else None
        self.vae_log: dict[str, Any] | None = None
        if ck is not None:
            self.net.load_state_dict(ck["state_dict"])
            self.loop.resume(ck["extra"])
            self.vae_log = ck["extra"].get("vae")
        if cfg.model == NARKD_ID and ck is None:
            self.vae_log = _vae_stage(cfg, self.net, self.data, self.device)
            broadcast_parameters(self.net, self.world)  # every rank trained the same VAE; rank 0's wins
        if cfg.model == NARKD_ID:
            self.net.freeze_vae()
        self.params = [p for p in self.net.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=cfg.lr, weight_decay=0.01)
        if ck is not None:
            self.opt.load_state_dict(ck["extra"]["optimizer"])
        self.n = len(self.data.examples)
        self.total_steps = cfg.epochs * max(1, math.ceil(self.n / cfg.batch_size))
        if cfg.max_steps is not None:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        self.sched = TrainConfig(lr=cfg.lr, schedule=cfg.schedule, warmup=cfg.warmup)

    def text_inputs(self, rows: list[int], examples: list[Example]) -> TextInputs:
        texts = [examples[i].text for i in rows]
        index = [self.langs.index(examples[i].lang) for i in rows]
        return TextInputs.build(texts, index, self.vocab, self.cache.batch(texts, self.device), self.device)

    def generate(self, rows: list[int]) -> list[np.ndarray]:
        text = self.text_inputs(rows, self.dev_ex)
        if self.cfg.model == NARKD_ID:
            outs = self.net.generate(text)
        else:
            gen = torch.Generator(device=self.device).manual_seed(0)
            outs = self.net.sample(text, self.mcfg.steps, self.mcfg.guidance, generator=gen)
        return [self.from_output(o.float().cpu().numpy()) for o in outs]

    def train_step(self) -> float:
        cfg, data, step = self.cfg, self.data, self.loop.step
        # this rank's shard of the epoch's order, a batch of batch_size / world rows per step
        per_rank = max(1, cfg.batch_size // self.world)
        shard = len(epoch_order(self.n, 0, cfg.seed, self.rank, self.world))
        epoch, pos = divmod(step * per_rank, shard)
        order = epoch_order(self.n, epoch, cfg.seed, self.rank, self.world)
        rows = [int(i) for i in order[pos : pos + per_rank]]
        text = self.text_inputs(rows, data.examples)
        longest = max(len(data.targets[i]) for i in rows)
        width = self.max_frames if cfg.model == NARKD_ID else min(self.max_frames, longest)
        target, mask = _pad([data.targets[i] for i in rows], width)
        loss, terms = self.net.loss(text, target.to(self.device), mask.to(self.device))
        lr = learning_rate(self.sched, step, self.total_steps)
        optimizer_step(self.opt, loss, lr, clip=self.params, world=self.world)
        self.losses.append({"loss": float(loss.detach()), **terms})
        return float(loss.detach())

    def evaluate_and_save(self) -> None:
        self.loop.evaluate_and_save(self.evaluate_dev, self.save, self.opt, lambda: {"vae": self.vae_log})

    def evaluate_dev(self) -> tuple[float, dict[str, Any]]:
        from signstudio.metrics.dtw import dtw

        dev_ex = self.dev_ex
        self.net.eval()
        scores, ratios = [], []
        with torch.no_grad():
            for start in range(0, len(dev_ex), 32):
                rows = list(range(start, min(start + 32, len(dev_ex))))
                for i, gen in zip(rows, self.generate(rows), strict=True):
                    e = dev_ex[i]
                    scores.append(dtw(gen.reshape(len(gen), -1, 3), e.reference(), metric="pt-dtw").score)
                    ratios.append(len(gen) / max(e.num_frames, 1))
        self.net.train()
        losses = self.losses
        mean_terms = {k: float(np.mean([d[k] for d in losses])) for k in losses[0]} if losses else {}
        score = float(np.mean(scores))
        fields = {
            "dev_score": score,
            "metric": "pt-dtw",
            "length_ratio": round(float(np.mean(ratios)), 4),
            "dev_examples": len(scores),
            "dev_split": self.dev_split,
            "train_loss": mean_terms,
        }
        losses.clear()
        return score, fields

    def save(self, path: Path, extra: dict[str, Any] | None) -> None:
        loop = self.loop
        save_checkpoint(
            path,
            model_id=self.cfg.model,
            config=self.mcfg,
            state_dict=self.net.state_dict(),
            stats=self.stats,
            vocab={"chars": self.vocab.to_list()},
            meta={
                **self.meta_base,
                "step": loop.step,
                "wall_s": loop.wall(),
                "best_dev": loop.best_score,
                "metric": "pt-dtw",
                "vae": self.vae_log,
            },
            extra=extra,
        )


def _vae_source(path: str | Path, device: str) -> dict[str, Any]:
    """The checkpoint ``--vae-from`` names; one that cannot be used is one line."""
    from signstudio.modeling.checkpoint import CheckpointError

    try:
        return load_checkpoint(path, map_location=device)
    except FileNotFoundError:
        raise CheckpointError(
            path, "no such file", "give --vae-from a nar-kd run's best.pt or last.pt"
        ) from None
    except CheckpointError as exc:
        raise exc.with_remedy(
            "give --vae-from another nar-kd checkpoint (a run's best.pt or last.pt)"
        ) from None


def _vae_stage(cfg: GenTrainConfig, net: Any, data: _Data, device: str) -> dict[str, Any]:
    """Train the frame VAE on single frames (or copy it from ``vae_from``); returns its log line."""
    if cfg.vae_from:
        ck = _vae_source(cfg.vae_from, device)
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
