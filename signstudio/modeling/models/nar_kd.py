"""``nar-kd``: non-autoregressive sign production via knowledge distillation (Hwang et al., seeds/002).

* **Frame VAE** on single poses normalised to [0, 1] per value (`UnitRange`): its encoder is the
  Latent Guiding Module (LGM, the teacher), its decoder the Pose Generating Module (PGM); each is
  3 linear layers with ReLU, the PGM ends in a sigmoid; loss = BCE + λ KL with λ = 1e-4 (§4.2).
* **Latent Learning Module** (LLM): the text side (`TextConditioner`: frozen all-MiniLM-L6-v2
  states + characters + sign language), a transformer decoder whose queries are the sinusoidal
  encodings of frame positions 0 .. T_max-1 (no frame is fed back: every frame is produced at
  once), a linear map to the latent z_lang (B, T_max, z), and the length regulator: fully
  connected layers with a sigmoid on the [CLS] output, the ratio T / T_max. Frames past
  round(ratio · T_max) are discarded; the work is the same for every length.
* **Loss** (eq. 11, equal weights): pose MSE of PGM(z_lang) against the [0, 1] target (PGM
  frozen) + distillation MSE between z_lang and the LGM's z_pose (its mean) + length BCE.
  ``distill=False`` drops the distillation term: the ablation of Table 3a.

The model runs for every sign language of its checkpoint: one network, the language a token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signstudio.modeling.base import (
    CancelToken,
    ModelInfo,
    ProgressCallback,
    apply_options,
    check_cancel,
    report,
)
from signstudio.modeling.data import POSE_DIM, Example
from signstudio.modeling.models.signllm_mlsf import inference_context
from signstudio.modeling.models.text_to_pose import TextPoseModel
from signstudio.modeling.shipped_models import NARKD_CHECKPOINT, NARKD_ID, narkd_info
from signstudio.modeling.text.conditioner import TextConditioner, TextInputs, sinusoid
from signstudio.modeling.text.coverage import with_note
from signstudio.pose.sequence import PoseSequence


@dataclass(frozen=True)
class NARKDConfig:
    d_model: int = 128
    heads: int = 4
    cond_layers: int = 2
    dec_layers: int = 4
    ff: int = 256
    dropout: float = 0.1
    max_text: int = 48
    max_frames: int = 256  # T_max: the decoder's queries; the regulator's ratio is of this
    latent: int = 32
    vae_hidden: int = 256
    kl_weight: float = 1e-4
    distill: bool = True  # False: Table 3a's ablation (pose + length loss only)
    use_minilm: bool = True

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NARKDConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class UnitRange:
    """Per-value range (150,) mapping corpus units to [0, 1] (a 5 % margin each side, so unseen
    poses slightly outside the training range still fit)."""

    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def fit(cls, examples: Sequence[Example], margin: float = 0.05) -> UnitRange:
        allf = np.concatenate([e.frames for e in examples]).astype(np.float64)
        lo, hi = allf.min(0), allf.max(0)
        span = np.maximum(hi - lo, 1e-3)
        return cls((lo - margin * span).astype(np.float32), (hi + margin * span).astype(np.float32))

    def to_unit(self, frames: np.ndarray) -> np.ndarray:
        return np.clip((frames - self.lo) / (self.hi - self.lo), 0.0, 1.0).astype(np.float32)

    def from_unit(self, values: np.ndarray) -> np.ndarray:
        return (values * (self.hi - self.lo) + self.lo).astype(np.float32)

    def to_dict(self) -> dict[str, list[float]]:
        return {"lo": self.lo.tolist(), "hi": self.hi.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UnitRange:
        return cls(np.asarray(d["lo"], np.float32), np.asarray(d["hi"], np.float32))


def _mlp(sizes: Sequence[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class FrameVAE(nn.Module):
    """LGM (encoder) and PGM (decoder) over single frames in [0, 1]."""

    def __init__(self, cfg: NARKDConfig):
        super().__init__()
        h, z = cfg.vae_hidden, cfg.latent
        self.lgm = _mlp([POSE_DIM, h, h, 2 * z])
        self.pgm = _mlp([z, h, h, POSE_DIM])
        self.kl_weight = cfg.kl_weight

    def encode(self, y: Tensor) -> tuple[Tensor, Tensor]:
        """y: (..., 150) in [0, 1] -> mean, log-variance (..., z)."""
        mu, logvar = self.lgm(y).chunk(2, dim=-1)
        return mu, logvar.clamp(-10, 10)

    def decode_logits(self, z: Tensor) -> Tensor:
        return self.pgm(z)

    def decode(self, z: Tensor) -> Tensor:
        """z: (..., z) -> pose (..., 150) in [0, 1] (the sigmoid of the PGM)."""
        return torch.sigmoid(self.pgm(z))

    def loss(self, y: Tensor) -> tuple[Tensor, dict[str, float]]:
        """BCE (mean over values) + λ KL (summed over latent dims), averaged over frames."""
        mu, logvar = self.encode(y)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        bce = F.binary_cross_entropy_with_logits(self.decode_logits(z), y)
        kl = (-0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(-1)).mean()
        return bce + self.kl_weight * kl, {"bce": float(bce.detach()), "kl": float(kl.detach())}


class NARKD(nn.Module):
    """The frame VAE plus the Latent Learning Module."""

    def __init__(self, cfg: NARKDConfig, char_vocab: int, languages: tuple[str, ...]):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.vae = FrameVAE(cfg)
        self.cond = TextConditioner(
            d,
            cfg.heads,
            cfg.cond_layers,
            cfg.ff,
            cfg.dropout,
            char_vocab,
            languages,
            cfg.max_text,
            cfg.use_minilm,
        )
        self.query = nn.Linear(d, d)
        layer = nn.TransformerDecoderLayer(
            d, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.decoder = nn.TransformerDecoder(layer, cfg.dec_layers)
        self.dec_norm = nn.LayerNorm(d)
        self.to_latent = nn.Linear(d, cfg.latent)
        self.regulator = nn.Sequential(
            nn.Linear(d, d), nn.ReLU(), nn.Linear(d, d // 2), nn.ReLU(), nn.Linear(d // 2, 1)
        )
        self.register_buffer("positions", sinusoid(torch.arange(cfg.max_frames), d), persistent=False)

    def freeze_vae(self) -> None:
        for p in self.vae.parameters():
            p.requires_grad_(False)

    def forward(self, text: TextInputs) -> tuple[Tensor, Tensor]:
        """z_lang: (B, T_max, z) for every query position; ratio: (B,) logit of T / T_max."""
        memory, mask, cls = self.cond(*text.args())
        b = memory.shape[0]
        q = self.query(self.positions.to(memory.dtype))[None].expand(b, -1, -1)
        h = self.decoder(q, memory, memory_key_padding_mask=~mask)
        return self.to_latent(self.dec_norm(h)), self.regulator(cls).squeeze(-1)

    def loss(self, text: TextInputs, target: Tensor, frame_mask: Tensor) -> tuple[Tensor, dict[str, float]]:
        """target: (B, T_max, 150) in [0, 1]; frame_mask: (B, T_max) True = a frame of the sign."""
        z_lang, ratio_logit = self(text)
        m = frame_mask.to(z_lang.dtype)[..., None]
        frames = m.sum().clamp(min=1)
        pose = self.vae.decode(z_lang)
        pose_loss = (((pose - target) ** 2) * m).sum() / (frames * POSE_DIM)
        with torch.no_grad():
            z_pose, _ = self.vae.encode(target)
        distil = (((z_lang - z_pose) ** 2) * m).sum() / (frames * self.cfg.latent)
        ratio = frame_mask.sum(1).to(ratio_logit.dtype) / self.cfg.max_frames
        length = F.binary_cross_entropy_with_logits(ratio_logit, ratio)
        total = pose_loss + length + (distil if self.cfg.distill else 0.0)
        return total, {
            "pose": float(pose_loss.detach()),
            "distil": float(distil.detach()),
            "length": float(length.detach()),
        }

    @torch.no_grad()
    def generate(self, text: TextInputs, num_frames: int | None = None) -> list[Tensor]:
        """Per text a (T_i, 150) tensor in [0, 1]; T_i from the length regulator unless given."""
        z_lang, ratio_logit = self(text)
        pose = self.vae.decode(z_lang).float()
        if num_frames is not None:
            lengths = torch.full_like(ratio_logit, float(num_frames))
        else:
            lengths = torch.sigmoid(ratio_logit.float()) * self.cfg.max_frames
        lengths = lengths.round().clamp(1, self.cfg.max_frames).long()
        return [pose[i, : int(n)] for i, n in enumerate(lengths)]


@dataclass(frozen=True)
class NARKDOptions:
    num_frames: int | None = None  # force this many frames (at most T_max); default: the regulator's
    bf16: bool | None = None


class NARKDModel(TextPoseModel):
    """The registry's ``nar-kd``."""

    model_id = NARKD_ID
    default_checkpoint = NARKD_CHECKPOINT
    train_hint = f"signstudio train nar-kd --langs ase gsg --export {NARKD_CHECKPOINT}"

    def build(self, ck: dict[str, Any]) -> torch.nn.Module:
        self.cfg = NARKDConfig.from_dict(ck["config"])
        self.range = UnitRange.from_dict(ck["stats"]["unit"])
        return NARKD(self.cfg, len(self.vocab), tuple(ck["meta"]["languages"]))

    def make_info(self, langs: tuple[str, ...]) -> ModelInfo:
        return narkd_info(langs)

    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        opts = apply_options(NARKDOptions(), options)
        self.check_language(lang)
        if not texts:
            return []
        self.check_num_frames(opts.num_frames, self.cfg.max_frames)
        found = self.signable(texts, lang)
        check_cancel(cancel)
        report(progress, 0.1, "reading the text")
        text = self.inputs([f.text for f in found], lang)
        with inference_context(self.device, opts.bf16):
            outs = self.net.generate(text, opts.num_frames)  # type: ignore[operator]
        report(progress, 1.0, f"{len(outs)} sequence(s), all frames at once")
        return [
            with_note(
                self.sequence(self.range.from_unit(o.cpu().numpy()), t, lang),
                f,
                self.frames_note(len(o), self.cfg.max_frames, opts.num_frames),
            )
            for o, t, f in zip(outs, texts, found, strict=True)
        ]
