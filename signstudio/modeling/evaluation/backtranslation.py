"""``backtranslation``: read the text back from signing (pose -> text), to score generated signing.

After Neural Sign Actors' supplement (its back-translation network), with two ideas of Sign2GPT:

* **pose encoder** — each frame (``upper50`` in corpus units, z-scored, with its frame-to-frame
  velocity; every third frame, 8.3 fps) goes through one linear projection; 64 learnable
  queries, a sign-language token and the projected frames (with sinusoidal positions) pass a
  transformer encoder, and only the first N_q = 64 outputs (the queries') are kept: a fixed-size
  summary of a sequence of any length;
* **decoder** — autoregressive over the text's tokens, each layer self-attention (causal), then
  cross-attention to the 64 summaries, then a feed-forward block. The cross-attention is
  Sign2GPT's **zero-initialised gate**: its output is scaled by tanh(α) with α = 0 at the start,
  so the decoder begins as a language model of the words and lets the signing in as training
  finds it useful (``gated=False`` adds it plainly);
* **pseudo-gloss pretraining** (Sign2GPT) — before the decoder trains, the encoder learns which
  tokens occur in the sequence, orderless: each token's score is the maximum over the 64
  summaries of a linear read-out, trained with binary cross-entropy. For fingerspelling the
  tokens *are* the glosses (letters), so this is the pseudo-gloss task without a tagger. It
  stays on as an auxiliary loss afterwards.

Tokens are the lexicon's units of a word (letters, or digraphs such as ``ch``), the first decoder
input is the sign language's start token. Training: AdamW 1e-4 (× ``lr_scale``), weight decay 0.05,
cosine schedule, on ground-truth recordings only — never on a model's output — with augmentation
for what differs between people and pipelines (time stretch 0.8–1.25, scale, shift, noise, and
temporal smoothing, since generated motion is smoother than recordings; and points that
other pipelines lack — the nose half of the time, now and then a body joint — set missing).

    bt = BackTranslator()                                  # models/backtranslation/backtranslation.pt
    bt.read([frames, ...], ["ase", ...])                   # (F, 150) corpus units -> ["water", ...]
    bt.read_tokens([frames], ["ase"])                      # -> ["w a t e r"]
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signstudio.modeling.base import ModelError
from signstudio.modeling.data import POSE_DIM, NormStats
from signstudio.modeling.shipped_models import MODELS_DIR
from signstudio.modeling.text.conditioner import sinusoid
from signstudio.modeling.training.loop import optimizer_step

BT_ID = "backtranslation"
BT_CHECKPOINT = MODELS_DIR / BT_ID / f"{BT_ID}.pt"
PAD, EOS, UNK = 0, 1, 2
SPECIALS = ("<pad>", "<eos>", "<unk>")
MIN_STD = 0.05  # as the FGD encoder: a coordinate that hardly moves must not dominate
NOSE = 0  # upper50's first point
BODY_JOINTS = np.arange(1, 8)  # neck, shoulders, elbows, wrists (the hands carry the letters)
STRIDE = 3  # every third frame (8.3 fps): a fingerspelled letter is held for 10 or more frames


@dataclass(frozen=True)
class BTConfig:
    d_model: int = 128
    heads: int = 4
    encoder_layers: int = 3
    decoder_layers: int = 2
    ff: int = 256
    queries: int = 64
    dropout: float = 0.1
    max_frames: int = 120  # after the stride (14 s)
    max_tokens: int = 24
    gated: bool = True

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BTConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class UnitVocab:
    """Output tokens (units of every language) and the sign languages (one start token each)."""

    units: tuple[str, ...]
    langs: tuple[str, ...]

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.units) + len(self.langs)

    def start(self, lang: str) -> int:
        if lang not in self.langs:
            raise ModelError(f"{BT_ID} reads {', '.join(self.langs)}, not {lang!r}")
        return len(SPECIALS) + len(self.units) + self.langs.index(lang)

    def encode(self, units: Sequence[str]) -> list[int]:
        index = {u: i + len(SPECIALS) for i, u in enumerate(self.units)}
        return [index.get(u, UNK) for u in units] + [EOS]

    def decode(self, ids: Sequence[int]) -> list[str]:
        out = []
        for i in ids:
            if i == EOS:
                break
            k = i - len(SPECIALS)
            if 0 <= k < len(self.units):
                out.append(self.units[k])
        return out

    def to_dict(self) -> dict[str, list[str]]:
        return {"units": list(self.units), "langs": list(self.langs)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UnitVocab:
        return cls(tuple(d["units"]), tuple(d["langs"]))


def features(frames: np.ndarray, norm: NormStats) -> np.ndarray:
    """(F, 150) corpus units -> (ceil(F / STRIDE), 300): z-scored positions and their velocity."""
    z = norm.normalise(np.asarray(frames, np.float32).reshape(len(frames), -1))
    vel = np.diff(z, axis=0, prepend=z[:1])
    return np.concatenate([z, vel], axis=1)[::STRIDE].astype(np.float32)


class GatedCrossAttention(nn.Module):
    """Cross-attention whose output is scaled by tanh(α), α = 0 at the start (Sign2GPT/Flamingo)."""

    def __init__(self, cfg: BTConfig):
        super().__init__()
        self.norm = nn.LayerNorm(cfg.d_model)
        self.attn = nn.MultiheadAttention(cfg.d_model, cfg.heads, dropout=cfg.dropout, batch_first=True)
        self.gate = nn.Parameter(torch.zeros(1)) if cfg.gated else None

    def forward(self, x: Tensor, memory: Tensor) -> Tensor:
        out, _ = self.attn(self.norm(x), memory, memory, need_weights=False)
        return x + (torch.tanh(self.gate) * out if self.gate is not None else out)


class DecoderLayer(nn.Module):
    def __init__(self, cfg: BTConfig):
        super().__init__()
        d = cfg.d_model
        self.norm1 = nn.LayerNorm(d)
        self.self_attn = nn.MultiheadAttention(d, cfg.heads, dropout=cfg.dropout, batch_first=True)
        self.cross = GatedCrossAttention(cfg)
        self.norm2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(
            nn.Linear(d, cfg.ff), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(cfg.ff, d)
        )

    def forward(self, x: Tensor, memory: Tensor, causal: Tensor, pad: Tensor | None) -> Tensor:
        h = self.norm1(x)
        x = x + self.self_attn(h, h, h, attn_mask=causal, key_padding_mask=pad, need_weights=False)[0]
        x = self.cross(x, memory)
        return x + self.ff(self.norm2(x))


class BackTranslationNet(nn.Module):
    """frames (B, T, 300) + lang ids -> 64 summaries (B, 64, d) -> token logits (B, L, V)."""

    def __init__(self, cfg: BTConfig, vocab_size: int, num_langs: int):
        super().__init__()
        d = cfg.d_model
        self.cfg = cfg
        self.project = nn.Linear(2 * POSE_DIM, d)
        self.queries = nn.Parameter(torch.randn(cfg.queries, d) * 0.02)
        self.lang = nn.Embedding(num_langs, d)
        layer = nn.TransformerEncoderLayer(
            d, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.encoder_layers, enable_nested_tensor=False)
        self.enc_norm = nn.LayerNorm(d)
        self.embed = nn.Embedding(vocab_size, d)
        self.decoder = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.decoder_layers))
        self.dec_norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, vocab_size)
        self.gloss = nn.Linear(d, vocab_size)  # pseudo-gloss read-out (max over the summaries)

    def encode(self, frames: Tensor, frame_pad: Tensor, lang: Tensor) -> Tensor:
        b, t, _ = frames.shape
        pos = sinusoid(torch.arange(t, device=frames.device), self.cfg.d_model)
        x = self.project(frames) + pos
        head = torch.cat([self.queries.expand(b, -1, -1), self.lang(lang)[:, None]], dim=1)
        pad = torch.cat([torch.zeros(b, head.shape[1], dtype=torch.bool, device=frames.device), frame_pad], 1)
        h = self.encoder(torch.cat([head, x], dim=1), src_key_padding_mask=pad)
        return self.enc_norm(h[:, : self.cfg.queries])

    def gloss_logits(self, memory: Tensor) -> Tensor:
        """(B, V): which tokens occur, orderless (max over the summaries)."""
        return self.gloss(memory).amax(dim=1)

    def decode(self, memory: Tensor, tokens: Tensor) -> Tensor:
        """tokens (B, L) starting with the language's start token -> logits (B, L, V)."""
        n = tokens.shape[1]
        pos = sinusoid(torch.arange(n, device=tokens.device), self.cfg.d_model)
        x = self.embed(tokens) + pos
        causal = torch.triu(torch.ones(n, n, dtype=torch.bool, device=tokens.device), 1)
        pad = tokens == PAD
        for layer in self.decoder:
            x = layer(x, memory, causal, pad)
        return self.out(self.dec_norm(x))

    def gates(self) -> list[float]:
        """tanh(α) of every decoder layer's cross-attention gate (empty when not gated)."""
        crosses = [m for m in self.modules() if isinstance(m, GatedCrossAttention)]
        return [float(torch.tanh(c.gate.detach())) for c in crosses if c.gate is not None]


def _pad_frames(feats: Sequence[np.ndarray], limit: int) -> tuple[Tensor, Tensor]:
    clipped = [f[:limit] for f in feats]
    t = max(len(f) for f in clipped)
    x = np.zeros((len(clipped), t, clipped[0].shape[1]), np.float32)
    pad = np.ones((len(clipped), t), bool)
    for i, f in enumerate(clipped):
        x[i, : len(f)] = f
        pad[i, : len(f)] = False
    return torch.from_numpy(x), torch.from_numpy(pad)


class BackTranslator:
    """A trained back-translation network with its statistics and vocabulary."""

    def __init__(self, checkpoint: str | Path | None = None, device: str = "cpu"):
        from signstudio.modeling.checkpoint import open_model_checkpoint

        path = Path(checkpoint) if checkpoint is not None else BT_CHECKPOINT
        ck = open_model_checkpoint(path, BT_ID, device, f"signstudio train {BT_ID}")
        self.path, self.device = path, device
        self.cfg = BTConfig.from_dict(ck["config"])
        self.norm = NormStats.from_dict(ck["stats"]["norm"])
        self.vocab = UnitVocab.from_dict(ck["vocab"])
        self.meta: dict[str, Any] = ck["meta"]
        self.net = BackTranslationNet(self.cfg, len(self.vocab), len(self.vocab.langs))
        self.net.load_state_dict({k: v.float() for k, v in ck["state_dict"].items()})
        self.net.to(device).eval()

    @property
    def languages(self) -> tuple[str, ...]:
        return self.vocab.langs

    @torch.no_grad()
    def read_units(self, sequences: Sequence[np.ndarray], langs: Sequence[str]) -> list[list[str]]:
        """Greedy decoding: each (F, 150) sequence in corpus units -> its units."""
        if len(sequences) != len(langs):
            raise ValueError(f"{len(sequences)} sequences but {len(langs)} languages")
        out: list[list[str]] = []
        for i in range(0, len(sequences), 64):
            seqs, ls = sequences[i : i + 64], langs[i : i + 64]
            starts = [self.vocab.start(lang) for lang in ls]
            x, pad = _pad_frames([features(s, self.norm) for s in seqs], self.cfg.max_frames)
            lang_ids = torch.tensor([self.vocab.langs.index(lang) for lang in ls], device=self.device)
            memory = self.net.encode(x.to(self.device), pad.to(self.device), lang_ids)
            tokens = torch.tensor(starts, device=self.device)[:, None]
            done = torch.zeros(len(seqs), dtype=torch.bool, device=self.device)
            for _ in range(self.cfg.max_tokens):
                nxt = self.net.decode(memory, tokens)[:, -1]
                nxt[:, PAD] = -math.inf
                best = torch.where(done, torch.full_like(done, EOS, dtype=torch.long), nxt.argmax(-1))
                tokens = torch.cat([tokens, best[:, None]], 1)
                done |= best == EOS
                if bool(done.all()):
                    break
            out.extend(self.vocab.decode(row[1:].tolist()) for row in tokens)
        return out

    def read_tokens(self, sequences: Sequence[np.ndarray], langs: Sequence[str]) -> list[str]:
        """Each sequence's reading as space-separated units (``w a t e r``: what the scores take)."""
        return [" ".join(u) for u in self.read_units(sequences, langs)]

    def read(self, sequences: Sequence[np.ndarray], langs: Sequence[str]) -> list[str]:
        """Each sequence's reading as a word (``water``)."""
        return ["".join(u) for u in self.read_units(sequences, langs)]


# ---- training -------------------------------------------------------------------------------


@dataclass
class BTTraining:
    steps: int = 4000
    pretrain_steps: int = 500  # pseudo-gloss only, before the decoder trains
    batch_size: int = 32
    lr: float = 1e-4
    lr_scale: float = 5.0  # the paper's 1e-4 is for its batch of 256 on GPUs; ours is smaller and shorter
    weight_decay: float = 0.05
    gloss_weight: float = 0.5
    augment: bool = True
    seed: int = 0
    device: str = "cpu"
    config: BTConfig = field(default_factory=BTConfig)


def augment(frames: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A recording as another signer or pipeline might give it: (F, 150) -> (F', 150). Missing
    points (0, the corpus' convention) stay exactly 0 through every step."""
    f = frames.reshape(len(frames), -1, 3).astype(np.float32)
    gone = np.all(f == 0, axis=-1)  # (F, 50)
    n = len(f)
    stretch = float(rng.uniform(0.8, 1.25))
    m = max(2, round(n * stretch))
    src = np.linspace(0, n - 1, m)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (src - lo)[:, None, None].astype(np.float32)
    f = f[lo] * (1 - w) + f[hi] * w
    gone = gone[np.round(src).astype(int)]
    if rng.random() < 0.5:  # generated motion is smoother than recordings
        sigma = float(rng.uniform(0.5, 2.5))
        k = np.arange(-4, 5)
        kernel = np.exp(-0.5 * (k / sigma) ** 2)
        kernel /= kernel.sum()
        padded = np.concatenate([np.repeat(f[:1], 4, 0), f, np.repeat(f[-1:], 4, 0)])
        f = sum(kernel[i] * padded[i : i + len(f)] for i in range(9))
    f = f * float(rng.uniform(0.9, 1.1)) + rng.normal(0, 0.03, 3).astype(np.float32)
    f = f + rng.normal(0, 0.01, f.shape).astype(np.float32)
    # points another pipeline does not give: spoken-to-signed's own output has no nose, and a
    # reader trained without this read none of lookup's words (with the nose filled in: 11 of 12)
    if rng.random() < 0.5:
        gone[:, NOSE] = True
    if rng.random() < 0.2:
        gone[:, rng.choice(BODY_JOINTS, size=int(rng.integers(1, 3)), replace=False)] = True
    f[gone] = 0.0
    return f.reshape(len(f), -1)


def _lr(step: int, total: int, base: float) -> float:
    warm = 200
    if step < warm:
        return base * (step + 1) / warm
    return base * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def train_backtranslation(
    train_corpus: Any,
    dev_corpus: Any,
    langs: Sequence[str],
    settings: BTTraining,
    export: Path,
    progress: bool = True,
) -> dict[str, Any]:
    """Train on ``train_corpus``' train words (ground truth only); pick nothing on test. Writes the
    checkpoint (fp16) and a JSON summary beside it with the dev and test readings of the
    built-in ``dev_corpus``' ground truth (the ceiling every generated sequence is read against)."""
    from signstudio.modeling.data import load_examples

    train = [e for ex in load_examples(train_corpus, langs, "train").values() for e in ex]
    targets = [_units(train_corpus, e.lang, e.text) for e in train]
    net, vocab, norm, summary = _fit(train, targets, tuple(langs), settings, progress)
    summary["train_corpus"] = str(train_corpus.path)
    summary |= {"layout": "upper50", "normalisation": "neck-shoulder", "sign_languages": list(langs)}
    summary["target"] = "units"  # the lexicon's letter units of each word
    if summary["rank"] != 0:  # under torchrun rank 0 writes
        return summary
    _save(net, vocab, norm, summary, export)
    summary |= _ground_truth_readings(BackTranslator(export), dev_corpus, langs)
    export.with_suffix(".json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return summary


def train_backtranslation_on_data(
    data: Any, target: str, settings: BTTraining, export: Path, progress: bool = True
) -> dict[str, Any]:
    """Read back the user's data (a `signstudio.modeling.training.user_data.UserData`): its
    train sequences' words (``target`` "text": the ``.text`` split on spaces) or glosses
    ("gloss": the ``.gloss`` tokens). Writes ``export`` (with what it fits in its meta: layout,
    normalisation, sign_languages, target, data) and ``log.json`` beside it, with the readings of
    the data's own dev sequences (``ground_truth_dev``: BLEU, ROUGE-L, chrF, WER: the ceiling)."""
    from signstudio.metrics.translation import translation_scores
    from signstudio.modeling.training.user_data import DataError

    def units(e: Any) -> tuple[str, ...]:
        if target == "gloss":
            tag = f"{e.lang.upper()}_"
            return tuple(g[len(tag) :] if g.startswith(tag) else g for g in e.glosses.split())
        return tuple(e.text.split())

    for e in (*data.train, *data.dev):
        if not units(e):
            raise DataError(f"{', '.join(data.files)}: a {e.split} sequence has no {target} to read back")
    targets = [units(e) for e in data.train]
    longest = max(len(t) for t in targets + [units(e) for e in data.dev])
    settings = replace(
        settings, config=replace(settings.config, max_tokens=max(settings.config.max_tokens, longest + 1))
    )
    net, vocab, norm, summary = _fit(data.train, targets, (data.lang,), settings, progress)
    summary |= data.fits(target)
    if summary["rank"] != 0:
        return summary
    _save(net, vocab, norm, summary, export)
    reader = BackTranslator(export)
    hyps = reader.read_tokens([e.frames for e in data.dev], [data.lang] * len(data.dev))
    refs = [" ".join(units(e)) for e in data.dev]
    summary["ground_truth_dev"] = translation_scores(hyps, refs).to_dict()
    (export.parent / "log.json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return summary


def _save(
    net: BackTranslationNet, vocab: UnitVocab, norm: NormStats, summary: dict[str, Any], export: Path
) -> None:
    from signstudio.modeling.checkpoint import save_checkpoint

    export.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(
        export,
        model_id=BT_ID,
        config=net.cfg,
        state_dict=net.state_dict(),
        stats={"norm": norm.to_dict()},
        vocab=vocab.to_dict(),
        meta=summary,
        half=True,
    )


def _fit(
    train: Sequence[Any],
    targets: Sequence[tuple[str, ...]],
    langs: tuple[str, ...],
    settings: BTTraining,
    progress: bool,
) -> tuple[BackTranslationNet, UnitVocab, NormStats, dict[str, Any]]:
    """Train on ``train`` (examples; ground truth only), reading back ``targets`` (one unit tuple
    each). Under torchrun each rank draws its own batches and the gradients are averaged."""
    from tqdm import tqdm

    from signstudio.modeling.training.loop import broadcast_parameters, start_distributed, stop_distributed

    rank, world, _ = start_distributed(settings.device)
    try:
        torch.manual_seed(settings.seed)
        rng = np.random.default_rng(settings.seed if world == 1 else [settings.seed, rank])
        cfg = settings.config
        vocab = UnitVocab(tuple(sorted({u for us in targets for u in us})), langs)
        norm = NormStats.fit(train, min_std=MIN_STD)
        net = BackTranslationNet(cfg, len(vocab), len(langs)).to(settings.device)
        broadcast_parameters(net, world)
        opt = torch.optim.AdamW(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
        base_lr = settings.lr * settings.lr_scale
        total = settings.pretrain_steps + settings.steps
        t0 = time.perf_counter()
        log: list[dict[str, float]] = []
        bar = tqdm(range(total), disable=not progress or rank != 0, desc=f"train {BT_ID}")
        for step in bar:
            net.train()
            pick = rng.integers(0, len(train), max(1, settings.batch_size // world))
            batch = [train[k] for k in pick]
            frames = [augment(e.frames, rng) if settings.augment else e.frames for e in batch]
            target_ids = [vocab.encode(targets[k])[: cfg.max_tokens] for k in pick]
            gloss, ce = _losses(net, vocab, batch, frames, target_ids, norm, settings, step)
            loss = gloss if step < settings.pretrain_steps else ce + settings.gloss_weight * gloss
            optimizer_step(opt, loss, _lr(step, total, base_lr), clip=net.parameters(), world=world)
            if step % 100 == 0 or step == total - 1:
                log.append({"step": step, "gloss": float(gloss.detach()), "ce": float(ce.detach())})
                bar.set_postfix(gloss=f"{log[-1]['gloss']:.3f}", ce=f"{log[-1]['ce']:.3f}")
        net.eval()
    finally:
        stop_distributed(world)
    summary: dict[str, Any] = {
        "steps": settings.steps,
        "pretrain_steps": settings.pretrain_steps,
        "seconds": round(time.perf_counter() - t0, 1),
        "train_words": len(train),
        "parameters": sum(p.numel() for p in net.parameters()),
        "gates": net.gates(),
        "languages": list(langs),
        "settings": {k: v for k, v in asdict(settings).items() if k != "config"},
        "config": asdict(cfg),
        "log": log,
        "world_size": world,
        "rank": rank,
    }
    return net, vocab, norm, summary


def _losses(
    net: BackTranslationNet,
    vocab: UnitVocab,
    batch: Sequence[Any],
    frames: Sequence[np.ndarray],
    target_ids: Sequence[list[int]],
    norm: NormStats,
    settings: BTTraining,
    step: int,
) -> tuple[Tensor, Tensor]:
    """The pseudo-gloss loss of one batch, and its text cross-entropy (0 while pretraining)."""
    cfg, device = settings.config, settings.device
    x, pad = _pad_frames([features(f, norm) for f in frames], cfg.max_frames)
    lang_ids = torch.tensor([vocab.langs.index(e.lang) for e in batch])
    memory = net.encode(x.to(device), pad.to(device), lang_ids.to(device))
    bag = torch.zeros(len(batch), len(vocab))
    for i, ids in enumerate(target_ids):
        bag[i, [t for t in ids if t != EOS]] = 1.0
    gloss = F.binary_cross_entropy_with_logits(net.gloss_logits(memory), bag.to(device))
    ce = torch.zeros(())
    if step >= settings.pretrain_steps:
        width = max(len(t) for t in target_ids)
        tgt = torch.full((len(batch), width), PAD, dtype=torch.long)
        for i, ids in enumerate(target_ids):
            tgt[i, : len(ids)] = torch.tensor(ids)
        starts = torch.tensor([vocab.start(e.lang) for e in batch])[:, None]
        inp = torch.cat([starts, tgt[:, :-1]], 1).to(device)
        logits = net.decode(memory, inp)
        ce = F.cross_entropy(logits.flatten(0, 1), tgt.flatten().to(device), ignore_index=PAD)
    return gloss, ce


def _ground_truth_readings(reader: BackTranslator, corpus: Any, langs: Sequence[str]) -> dict[str, Any]:
    """The translation scores of reading ``corpus``' own dev and test signing (the ceiling)."""
    from signstudio.metrics.translation import translation_scores
    from signstudio.modeling.data import load_examples

    readings: dict[str, Any] = {}
    for split in ("dev", "test"):
        per_lang = load_examples(corpus, langs, split)
        readings[f"ground_truth_{split}"] = {}
        for lang, exs in per_lang.items():
            hyps = reader.read_tokens([e.frames for e in exs], [lang] * len(exs))
            refs = [" ".join(_units(corpus, lang, e.text)) for e in exs]
            readings[f"ground_truth_{split}"][lang] = translation_scores(hyps, refs).to_dict()
    return readings


def _units(corpus: Any, lang: str, text: str) -> tuple[str, ...]:
    key = (str(corpus.path), lang)
    if key not in _UNIT_CACHE:
        _UNIT_CACHE[key] = {w.text: w.units for w in corpus.words(lang)}
    return _UNIT_CACHE[key][text]


_UNIT_CACHE: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}


def text_units(text: str, lang: str) -> tuple[str, ...] | None:
    """The units that spell ``text`` in ``lang``'s lexicon alphabet (what a reading is scored
    against), or None when the alphabet cannot spell it. Spaces between words are dropped: a
    fingerspelled phrase reads as one run of letters."""
    from signstudio.corpus.lexicon import alphabet
    from signstudio.corpus.words import spell

    letters = alphabet(lang)
    out: list[str] = []
    for word in text.split():
        units = spell(word, letters)
        if units is None:
            return None
        out.extend(units)
    return tuple(out) or None


__all__ = [
    "BT_CHECKPOINT",
    "BT_ID",
    "BTConfig",
    "BTTraining",
    "BackTranslationNet",
    "BackTranslator",
    "UnitVocab",
    "augment",
    "features",
    "text_units",
    "train_backtranslation",
    "train_backtranslation_on_data",
]
