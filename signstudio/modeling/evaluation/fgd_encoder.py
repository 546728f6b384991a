"""``fgd-encoder``: the windowed motion autoencoder behind FGD, trained on the corpus' train split.

After Yoon et al. (2020) and GENEA: a 1-D convolutional autoencoder over 34-frame windows of
``upper50`` poses (150 values, z-scored with the training statistics); its 32-value bottleneck is
the feature FGD compares (`signstudio.metrics.fgd`). The checkpoint ships the reference Gaussians
(mean and covariance of the features) of the built-in corpus' splits, pooled and per sign
language, so a score needs no reference data at run time.

    enc = FGDEncoder()                                   # models/fgd-encoder/fgd-encoder.pt
    feats = enc.features([frames, ...])                  # each (F, 150) -> (W, 32) windows
    result = enc.score([frames, ...], split="test", lang="ase")   # FGDResult with window counts
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signstudio.metrics.fgd import WINDOW, FeatureStats, FGDResult, frechet_distance, windows
from signstudio.modeling.base import ModelError
from signstudio.modeling.data import POSE_DIM, NormStats
from signstudio.modeling.shipped_models import MODELS_DIR
from signstudio.modeling.training.loop import optimizer_step

FGD_ID = "fgd-encoder"
FGD_CHECKPOINT = MODELS_DIR / FGD_ID / f"{FGD_ID}.pt"
STRIDE = 8  # frames between window starts when scoring
# Floor of the per-value standard deviation used to z-score the inputs, in shoulder widths. Some
# coordinates hardly move in the corpus (the nose's height: std 0.026); z-scored with their own
# std, a 2 cm difference in how another pipeline places the nose became 22 standard deviations
# and dominated FGD (lookup: 1343 against 4-9 for the models). With the floor such offsets weigh
# what their size in shoulder widths says.
MIN_STD = 0.05


@dataclass(frozen=True)
class FGDEncoderConfig:
    feature: int = 32
    hidden: int = 128
    window: int = WINDOW

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FGDEncoderConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


class WindowAutoencoder(nn.Module):
    """(B, 34, 150) z-scored windows -> (B, feature) codes -> (B, 34, 150) reconstructions."""

    def __init__(self, cfg: FGDEncoderConfig):
        super().__init__()
        h = cfg.hidden
        self.cfg = cfg
        self.encoder = nn.Sequential(
            nn.Conv1d(POSE_DIM, h // 2, 3, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(h // 2, h, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(h, h, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
        )
        self.steps = cfg.window // 4  # 34 -> 17 -> 8
        self.to_code = nn.Linear(h * self.steps, cfg.feature)
        self.from_code = nn.Linear(cfg.feature, h * self.steps)
        self.decoder = nn.Sequential(
            nn.ConvTranspose1d(h, h, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.ConvTranspose1d(h, h // 2, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
        )
        self.out = nn.Conv1d(h // 2, POSE_DIM, 3, padding=1)

    def encode(self, x: Tensor) -> Tensor:
        h = self.encoder(x.transpose(1, 2))
        return self.to_code(h.flatten(1))

    def forward(self, x: Tensor) -> Tensor:
        code = self.encode(x)
        h = self.from_code(code).view(len(x), -1, self.steps)
        h = F.interpolate(self.decoder(h), size=self.cfg.window, mode="linear", align_corners=False)
        return self.out(h).transpose(1, 2)


class FGDEncoder:
    """A trained encoder with its statistics and shipped reference Gaussians."""

    def __init__(self, checkpoint: str | Path | None = None, device: str = "cpu"):
        from signstudio.modeling.checkpoint import load_checkpoint

        path = Path(checkpoint) if checkpoint is not None else FGD_CHECKPOINT
        if not path.exists():
            raise ModelError(f"no {FGD_ID} checkpoint at {path}; train one with `signstudio train {FGD_ID}`")
        try:
            ck = load_checkpoint(path, map_location=device)
        except ValueError as exc:
            raise ModelError(str(exc)) from None
        if ck["model_id"] != FGD_ID:
            raise ModelError(f"{path}: a {ck['model_id']} checkpoint, not {FGD_ID}")
        self.path, self.device = path, device
        self.cfg = FGDEncoderConfig.from_dict(ck["config"])
        self.norm = NormStats.from_dict(ck["stats"]["norm"])
        self.references: dict[str, FeatureStats] = {
            k: FeatureStats.from_dict(v) for k, v in ck["stats"]["reference"].items()
        }
        self.meta: dict[str, Any] = ck["meta"]
        self.net = WindowAutoencoder(self.cfg)
        self.net.load_state_dict(ck["state_dict"])
        self.net.to(device).eval()

    @torch.no_grad()
    def features(self, sequences: Sequence[np.ndarray]) -> np.ndarray:
        """Each (F, 150) sequence in corpus units -> its windows' codes, stacked: (W, feature)."""
        wins = [
            windows(
                self.norm.normalise(np.asarray(s, np.float32).reshape(len(s), -1)), self.cfg.window, STRIDE
            )
            for s in sequences
        ]
        if not wins:
            return np.zeros((0, self.cfg.feature))
        x = torch.from_numpy(np.concatenate(wins)).float().to(self.device)
        return np.concatenate([self.net.encode(x[i : i + 512]).cpu().numpy() for i in range(0, len(x), 512)])

    @torch.no_grad()
    def frame_features(self, frames: np.ndarray) -> np.ndarray:
        """(F, 150) corpus units -> (F, feature): the code of the window centred on every frame
        (`signstudio.metrics.overlay.centred_windows`; the windowed FGD-style curve). With this
        package's encoder shape the convolutions are shared between overlapping windows
        (`_shared_window_codes`, ~8x fewer operations: 10-minute sequences); otherwise
        `frame_features_by_window`."""
        z = self.norm.normalise(np.asarray(frames, np.float32).reshape(len(frames), -1))
        if self.cfg.window == 34 and len(z) >= 2 and _has_the_shared_shape(self.net.encoder):
            return _shared_window_codes(self.net, z)
        return self.frame_features_by_window(frames)

    @torch.no_grad()
    def frame_features_by_window(self, frames: np.ndarray) -> np.ndarray:
        """`frame_features`, every centred window encoded on its own (the reference route)."""
        from signstudio.metrics.overlay import centred_windows

        z = self.norm.normalise(np.asarray(frames, np.float32).reshape(len(frames), -1))
        x = torch.from_numpy(centred_windows(z, self.cfg.window)).float().to(self.device)
        return np.concatenate([self.net.encode(x[i : i + 512]).cpu().numpy() for i in range(0, len(x), 512)])

    def reference(self, split: str, lang: str | None = None) -> FeatureStats:
        key = f"{split}/{lang}" if lang else split
        if key not in self.references:
            raise ModelError(
                f"{self.path}: no reference statistics for {key!r}; has {', '.join(self.references)}"
            )
        return self.references[key]

    def score(
        self, sequences: Sequence[np.ndarray], split: str = "test", lang: str | None = None
    ) -> FGDResult:
        """FGD of ``sequences`` against the shipped real ``split`` (of ``lang``, or pooled)."""
        ref = self.reference(split, lang)
        feats = self.features(sequences)
        if len(feats) < 2:
            raise ModelError("FGD needs at least 2 windows of generated motion")
        return FGDResult(
            frechet_distance(FeatureStats.fit(feats), ref), len(feats), ref.count, len(sequences)
        )


@dataclass
class FGDTraining:
    steps: int = 3000
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    device: str = "cpu"


def train_fgd_encoder(
    train_corpus: Any,
    reference_corpus: Any,
    langs: Sequence[str],
    settings: FGDTraining,
    export: Path,
    progress: bool = True,
) -> dict[str, Any]:
    """Train on random 34-frame windows of ``train_corpus``' train words; write the checkpoint with
    the reference Gaussians of ``reference_corpus``' train, dev and test words (pooled and per
    language). Returns the training summary (also in the checkpoint's meta)."""
    from signstudio.modeling.checkpoint import save_checkpoint
    from signstudio.modeling.data import load_examples

    train = [e for ex in load_examples(train_corpus, langs, "train").values() for e in ex]
    net, norm, fit = _fit(train, settings, progress)
    per_split = {split: load_examples(reference_corpus, langs, split) for split in ("train", "dev", "test")}
    references, recon = _reference_stats(net, norm, per_split, settings.device)
    summary = {
        **fit,
        "dev_reconstruction_mse_z": recon,
        "train_corpus": str(train_corpus.path),
        "reference_corpus": str(reference_corpus.path),
        "reference_corpus_version": reference_corpus.version_key,
        "languages": list(langs),
        "layout": "upper50",
        "normalisation": "neck-shoulder",
        "sign_languages": list(langs),
        "settings": asdict(settings),
    }
    if fit["rank"] != 0:  # under torchrun rank 0 writes
        return summary
    save_checkpoint(
        export,
        model_id=FGD_ID,
        config=net.cfg,
        state_dict=net.state_dict(),
        stats={"norm": norm.to_dict(), "reference": references},
        vocab={},
        meta=summary,
    )
    export.with_suffix(".json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def train_fgd_encoder_on_data(
    data: Any, settings: FGDTraining, export: Path, progress: bool = True
) -> dict[str, Any]:
    """The encoder trained on the user's data (a `signstudio.modeling.training.user_data.UserData`):
    its train sequences; reference Gaussians of its train and dev sequences (pooled and for its
    sign language), so FGD exists for that domain. Writes ``export`` (and ``log.json`` beside it)
    with what it fits (layout, normalisation, sign_languages, data) in its meta."""
    from signstudio.modeling.checkpoint import save_checkpoint

    net, norm, fit = _fit(data.train, settings, progress)
    per_split = {"train": {data.lang: data.train}, "dev": {data.lang: data.dev}}
    references, recon = _reference_stats(net, norm, per_split, settings.device)
    summary = {**fit, "dev_reconstruction_mse_z": recon, "languages": [data.lang], **data.fits()}
    summary["settings"] = asdict(settings)
    if fit["rank"] != 0:  # under torchrun rank 0 writes
        return summary
    save_checkpoint(
        export,
        model_id=FGD_ID,
        config=net.cfg,
        state_dict=net.state_dict(),
        stats={"norm": norm.to_dict(), "reference": references},
        vocab={},
        meta=summary,
    )
    (export.parent / "log.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def _fit(
    train: Sequence[Any], settings: FGDTraining, progress: bool
) -> tuple[WindowAutoencoder, NormStats, dict[str, Any]]:
    """Train the window autoencoder on random 34-frame windows of ``train`` (examples). Under
    torchrun each rank draws its own windows and the gradients are averaged; every rank returns
    the same weights."""
    from tqdm import tqdm

    from signstudio.modeling.training.loop import broadcast_parameters, start_distributed, stop_distributed

    rank, world, _ = start_distributed("cpu" if settings.device == "cpu" else settings.device)
    try:
        torch.manual_seed(settings.seed)
        cfg = FGDEncoderConfig()
        norm = NormStats.fit(train, min_std=MIN_STD)
        frames = [norm.normalise(e.frames) for e in train]
        starts = [(i, s) for i, f in enumerate(frames) for s in range(0, max(1, len(f) - cfg.window + 1), 2)]
        rng = np.random.default_rng(settings.seed if world == 1 else [settings.seed, rank])
        net = WindowAutoencoder(cfg).to(settings.device)
        broadcast_parameters(net, world)
        opt = torch.optim.AdamW(net.parameters(), lr=settings.lr, weight_decay=1e-4)
        t0 = time.perf_counter()
        losses: list[float] = []
        for step in tqdm(range(settings.steps), disable=not progress or rank != 0, desc=f"train {FGD_ID}"):
            pick = rng.integers(0, len(starts), max(1, settings.batch_size // world))
            batch = np.stack(
                [windows(frames[starts[k][0]][starts[k][1] :], cfg.window, cfg.window)[0] for k in pick]
            )
            x = torch.from_numpy(batch).to(settings.device)
            loss = F.mse_loss(net(x), x)
            cosine = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / settings.steps))  # to 10 %
            optimizer_step(opt, loss, settings.lr * cosine, world=world)
            losses.append(float(loss.detach()))
        net.eval()
    finally:
        stop_distributed(world)
    fit = {
        "steps": settings.steps,
        "seconds": round(time.perf_counter() - t0, 1),
        "train_words": len(train),
        "train_windows": len(starts),
        "final_loss": float(np.mean(losses[-100:])),
        "world_size": world,
        "rank": rank,
    }
    return net, norm, fit


def _reference_stats(
    net: WindowAutoencoder, norm: NormStats, per_split: Mapping[str, Mapping[str, Sequence[Any]]], device: str
) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """The Gaussians of each split's features (pooled and per language: ``{split: {lang:
    examples}}``), and the dev reconstruction error per language."""
    cfg = net.cfg
    references: dict[str, dict[str, Any]] = {}
    recon: dict[str, float] = {}
    with torch.no_grad():
        for split, per_lang in per_split.items():
            pooled = []
            for lang, exs in per_lang.items():
                wins = [windows(norm.normalise(e.frames), cfg.window, STRIDE) for e in exs]
                x = torch.from_numpy(np.concatenate(wins)).to(device)
                codes = torch.cat([net.encode(x[i : i + 512]) for i in range(0, len(x), 512)]).cpu().numpy()
                references[f"{split}/{lang}"] = FeatureStats.fit(codes).to_dict()
                pooled.append(codes)
                if split == "dev":
                    recon[lang] = float(F.mse_loss(net(x[:2048]), x[:2048]))
            references[split] = FeatureStats.fit(np.concatenate(pooled)).to_dict()
    return references, recon


# The shapes `_shared_window_codes` is written for: three convolutions (kernel, stride, padding,
# dilation) with a LeakyReLU after each, on 34-frame windows.
SHARED_SHAPES = [((3,), (1,), (1,), (1,)), ((4,), (2,), (1,), (1,)), ((4,), (2,), (1,), (1,))]


def _has_the_shared_shape(encoder: nn.Sequential) -> bool:
    layers = list(encoder)
    convs, acts = layers[0::2], layers[1::2]
    shapes = [(c.kernel_size, c.stride, c.padding, c.dilation) for c in convs if isinstance(c, nn.Conv1d)]
    return shapes == SHARED_SHAPES and len(acts) == 3 and all(isinstance(a, nn.LeakyReLU) for a in acts)


def _shared_window_codes(net: Any, z: np.ndarray) -> np.ndarray:
    """The codes of the 34-frame windows centred on every frame of ``z`` (F, D), normalised, with
    each convolution run once over the edge-padded sequence; only what a window's zero padding
    changes (its first and last output of each layer) is computed per window. The same sums
    (float32, in another order: equal to rounding)."""
    layers = list(net.encoder)
    (c1, c2, c3), act = layers[0::2], layers[1]
    device = c1.weight.device
    n = len(z)
    s = torch.from_numpy(np.concatenate([z[:1].repeat(17, 0), z, z[-1:].repeat(16, 0)])).float().to(device)
    (w1, b1), (w2, b2), (w3, b3) = ((c.weight, c.bias) for c in (c1, c2, c3))
    y1 = act(F.conv1d(s.T[None], w1, b1, padding=1))[0].T  # (P, 64)
    y2 = act(F.conv1d(y1.T[None], w2, b2))[0].T  # (P - 3, 128), stride 1
    z3 = F.conv1d(y2.T[None], w3, b3, dilation=2)[0].T  # (P - 9, 128)
    idx = torch.arange(n, device=device)
    # window i covers s[i : i + 34]; its layer-2 output q is y2[i + 2q - 1], layer-3 t z3[i + 4t - 3]
    e1l = act(s[idx] @ w1[:, :, 1].T + s[idx + 1] @ w1[:, :, 2].T + b1)
    e1r = act(s[idx + 32] @ w1[:, :, 0].T + s[idx + 33] @ w1[:, :, 1].T + b1)
    e2l = act(e1l @ w2[:, :, 1].T + y1[idx + 1] @ w2[:, :, 2].T + y1[idx + 2] @ w2[:, :, 3].T + b2)
    e2r = act(y1[idx + 31] @ w2[:, :, 0].T + y1[idx + 32] @ w2[:, :, 1].T + e1r @ w2[:, :, 2].T + b2)
    first = e2l @ w3[:, :, 1].T + y2[idx + 1] @ w3[:, :, 2].T + y2[idx + 3] @ w3[:, :, 3].T + b3
    last = y2[idx + 25] @ w3[:, :, 0].T + y2[idx + 27] @ w3[:, :, 1].T + y2[idx + 29] @ w3[:, :, 2].T
    last = last + e2r @ w3[:, :, 3].T + b3
    inner = [z3[idx + 4 * t - 3] for t in range(1, 7)]
    h = act(torch.stack([first, *inner, last], dim=2))  # (n, 128, 8)
    return np.asarray(net.to_code(h.flatten(1)).cpu().numpy())
