"""``diffusion``: a text-conditioned diffusion sign actor after Neural Sign Actors (seeds/003).

* **Features**: whole sequences of relative joint positions: each upper50 joint minus its parent
  in the kinematic tree (`signstudio.pose.relative`), the neck absolute; z-scored per value with
  the training statistics. Relative features keep bone vectors, which a pose prior should model,
  apart from where the body is.
* **Denoiser**: a transformer encoder over [time token, text memory, frames]; frames enter as a
  linear projection of x_t plus sinusoidal encodings of their index and of their phase i / T; the
  text memory is the `TextConditioner` output (frozen MiniLM + characters + sign language).
  It predicts the noise ε (the standard DDPM objective, Ho et al.), cosine noise schedule over
  1000 steps.
* **Classifier-free guidance**: in training the text is replaced by a learned null token for
  ``cfg_drop`` of the rows; sampling mixes ε = ε_u + w (ε_c − ε_u) with the guidance scale w.
* **Sampling**: DDIM (η = 0) at ``steps`` steps (5 .. 50), one progress report and one cancel
  check per step. **Length**: a regulator on the text's [CLS] gives T / T_max (sigmoid, BCE as in
  ``nar-kd``), trained jointly; the reference length is never used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signstudio.modeling.base import (
    CancelToken,
    ModelError,
    ModelInfo,
    ProgressCallback,
    apply_options,
    check_cancel,
    report,
)
from signstudio.modeling.data import LAYOUT, NUM_JOINTS, POSE_DIM, NormStats
from signstudio.modeling.models.signllm_mlsf import inference_context
from signstudio.modeling.models.text_to_pose import TextPoseModel
from signstudio.modeling.shipped_models import DIFFUSION_CHECKPOINT, DIFFUSION_ID, diffusion_info
from signstudio.modeling.text.conditioner import TextConditioner, TextInputs, sinusoid
from signstudio.modeling.text.coverage import with_note
from signstudio.pose.relative import KinematicTree
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

MIN_STEPS, MAX_STEPS = 5, 50


@dataclass(frozen=True)
class DiffusionConfig:
    d_model: int = 128
    heads: int = 4
    cond_layers: int = 2
    layers: int = 4
    ff: int = 256
    dropout: float = 0.1
    max_text: int = 48
    max_frames: int = 256
    diffusion_steps: int = 1000
    cfg_drop: float = 0.1
    steps: int = 20  # DDIM steps at sampling (the shipped default is chosen by measurement)
    guidance: float = 2.0
    # What the denoiser outputs: "eps", the noise (Ho et al.'s ε objective), or "x0", the clean
    # features (the same DDPM loss on x0, as MDM for motion): see the model card for the choice.
    prediction: str = "eps"

    def __post_init__(self) -> None:
        if self.prediction not in ("eps", "x0"):
            raise ValueError(f"prediction must be eps or x0, got {self.prediction!r}")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DiffusionConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


def tree() -> KinematicTree:
    return KinematicTree.of(get_layout(LAYOUT))


def to_features(frames: np.ndarray, kt: KinematicTree) -> np.ndarray:
    """(F, 150) absolute corpus units -> (F, 150) relative joint features."""
    return kt.to_relative(frames.reshape(len(frames), NUM_JOINTS, 3)).reshape(len(frames), POSE_DIM)


def from_features(features: np.ndarray, kt: KinematicTree) -> np.ndarray:
    return kt.to_absolute(features.reshape(len(features), NUM_JOINTS, 3)).reshape(len(features), POSE_DIM)


def alpha_bars(steps: int, s: float = 0.008) -> Tensor:
    """(steps,) cumulative signal levels ᾱ_t of the cosine schedule (Nichol & Dhariwal)."""
    t = torch.arange(steps + 1, dtype=torch.float64) / steps
    f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
    return torch.cumprod(1 - betas, 0).float()


class Denoiser(nn.Module):
    alpha_bar: Tensor  # (diffusion_steps,) buffer

    def __init__(self, cfg: DiffusionConfig, char_vocab: int, languages: tuple[str, ...]):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.cond = TextConditioner(
            d, cfg.heads, cfg.cond_layers, cfg.ff, cfg.dropout, char_vocab, languages, cfg.max_text
        )
        self.null = nn.Parameter(torch.zeros(1, 1, d))
        self.time = nn.Sequential(nn.Linear(d, d), nn.SiLU(), nn.Linear(d, d))
        self.frame_in = nn.Linear(POSE_DIM, d)
        layer = nn.TransformerEncoderLayer(
            d, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, POSE_DIM)
        self.regulator = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 1))
        self.register_buffer("alpha_bar", alpha_bars(cfg.diffusion_steps), persistent=False)

    def encode_text(self, text: TextInputs) -> tuple[Tensor, Tensor, Tensor]:
        """memory, mask, length-ratio logit (B,)."""
        memory, mask, cls = self.cond(*text.args())
        return memory, mask, self.regulator(cls).squeeze(-1)

    def denoise(
        self, x: Tensor, t: Tensor, memory: Tensor, mask: Tensor, frame_mask: Tensor, drop: Tensor
    ) -> Tensor:
        """x: (B, T, 150) noisy features; t: (B,) step; drop: (B,) True = no text. -> ε (B, T, 150)."""
        b, n, _ = x.shape
        d = self.cfg.d_model
        lengths = frame_mask.sum(1, keepdim=True).clamp(min=1).to(x.dtype)
        index = torch.arange(n, device=x.device)[None].expand(b, -1)
        phase = index.to(x.dtype) / lengths * 1000.0
        frames = self.frame_in(x) + sinusoid(index, d) + sinusoid(phase, d)
        time = self.time(sinusoid(t, d))[:, None]
        null = self.null.expand(b, -1, -1)
        tokens = torch.cat([time, null, memory, frames], dim=1)
        ones = torch.ones(b, 1, dtype=torch.bool, device=x.device)
        keep = torch.cat([ones, drop[:, None], mask & ~drop[:, None], frame_mask], dim=1)
        h = self.encoder(tokens, src_key_padding_mask=~keep)
        return self.out(self.norm(h[:, -n:]))

    def loss(self, text: TextInputs, x0: Tensor, frame_mask: Tensor) -> tuple[Tensor, dict[str, float]]:
        """x0: (B, T, 150) z-scored features (zeros past each length); DDPM ε-loss + length BCE."""
        b = x0.shape[0]
        memory, mask, ratio_logit = self.encode_text(text)
        t = torch.randint(0, self.cfg.diffusion_steps, (b,), device=x0.device)
        ab = self.alpha_bar[t][:, None, None]
        noise = torch.randn_like(x0)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
        drop = torch.rand(b, device=x0.device) < self.cfg.cfg_drop
        out = self.denoise(xt, t, memory, mask, frame_mask, drop)
        want = noise if self.cfg.prediction == "eps" else x0
        m = frame_mask.to(out.dtype)[..., None]
        eps_loss = (((out - want) ** 2) * m).sum() / (m.sum().clamp(min=1) * POSE_DIM)
        ratio = frame_mask.sum(1).to(ratio_logit.dtype) / self.cfg.max_frames
        length = F.binary_cross_entropy_with_logits(ratio_logit, ratio)
        return eps_loss + length, {"denoise": float(eps_loss.detach()), "length": float(length.detach())}

    @torch.no_grad()
    def sample(
        self,
        text: TextInputs,
        steps: int,
        guidance: float,
        num_frames: int | None = None,
        generator: torch.Generator | None = None,
        on_step: Any = None,
    ) -> list[Tensor]:
        """DDIM (η = 0) with classifier-free guidance; per text a (T_i, 150) z-scored tensor.

        on_step(i, steps) is called after each step (progress, cancel)."""
        memory, mask, ratio_logit = self.encode_text(text)
        b = memory.shape[0]
        if num_frames is not None:
            lengths = torch.full((b,), num_frames, device=memory.device)
        else:
            lengths = (torch.sigmoid(ratio_logit.float()) * self.cfg.max_frames).round()
        lengths = lengths.clamp(1, self.cfg.max_frames).long()
        n = int(lengths.max())
        frame_mask = torch.arange(n, device=memory.device)[None] < lengths[:, None]
        x = torch.randn(b, n, POSE_DIM, device=memory.device, generator=generator)
        total = self.cfg.diffusion_steps
        ts = torch.linspace(total - 1, 0, steps).round().long().tolist()
        guided = guidance != 1.0
        mem2 = torch.cat([memory, memory]) if guided else memory
        mask2 = torch.cat([mask, mask]) if guided else mask
        fm2 = torch.cat([frame_mask, frame_mask]) if guided else frame_mask
        drop = torch.zeros(b, dtype=torch.bool, device=x.device)
        drop2 = torch.cat([drop, ~drop]) if guided else drop
        for i, t in enumerate(ts):
            tt = torch.full((mem2.shape[0],), t, device=x.device, dtype=torch.long)
            xin = torch.cat([x, x]) if guided else x
            out = self.denoise(xin.to(mem2.dtype), tt, mem2, mask2, fm2, drop2).float()
            if guided:
                cond, uncond = out.chunk(2)
                out = uncond + guidance * (cond - uncond)
            ab = self.alpha_bar[t].float()
            ab_prev = (
                self.alpha_bar[ts[i + 1]].float() if i + 1 < len(ts) else torch.tensor(1.0, device=x.device)
            )
            if self.cfg.prediction == "eps":
                eps = out
                x0 = ((x - (1 - ab).sqrt() * eps) / ab.sqrt()).clamp(-6, 6)
            else:
                x0 = out.clamp(-6, 6)
                eps = (x - ab.sqrt() * x0) / (1 - ab).sqrt()
            x = ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps
            if on_step is not None:
                on_step(i + 1, len(ts))
        return [x[i, : int(lengths[i])] for i in range(b)]


@dataclass(frozen=True)
class DiffusionOptions:
    steps: int | None = None  # DDIM steps, 5..50 (default: the checkpoint's)
    guidance: float | None = None  # classifier-free guidance scale (1 = none)
    num_frames: int | None = None
    seed: int | None = 0  # None: a different sample each call
    bf16: bool | None = None


class DiffusionModel(TextPoseModel):
    """The registry's ``diffusion``."""

    model_id = DIFFUSION_ID
    default_checkpoint = DIFFUSION_CHECKPOINT
    train_hint = f"signstudio train diffusion --langs ase gsg --export {DIFFUSION_CHECKPOINT}"

    def build(self, ck: dict[str, Any]) -> torch.nn.Module:
        self.cfg = DiffusionConfig.from_dict(ck["config"])
        self.stats = NormStats.from_dict(ck["stats"]["relative"])
        self.tree = tree()
        return Denoiser(self.cfg, len(self.vocab), tuple(ck["meta"]["languages"]))

    def make_info(self, langs: tuple[str, ...]) -> ModelInfo:
        return diffusion_info(langs, self.cfg.steps, self.cfg.guidance)

    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        opts = apply_options(DiffusionOptions(), options)
        self.check_language(lang)
        steps = opts.steps if opts.steps is not None else self.cfg.steps
        guidance = opts.guidance if opts.guidance is not None else self.cfg.guidance
        if not MIN_STEPS <= steps <= MAX_STEPS:
            raise ModelError(f"steps must be {MIN_STEPS}..{MAX_STEPS}, got {steps}")
        if not 0.0 <= guidance <= 20.0:
            raise ModelError(f"guidance must be 0..20, got {guidance}")
        self.check_num_frames(opts.num_frames, self.cfg.max_frames)
        if not texts:
            return []
        found = self.signable(texts, lang)
        check_cancel(cancel)
        text = self.inputs([f.text for f in found], lang)
        generator = None
        if opts.seed is not None:
            generator = torch.Generator(device=self.device).manual_seed(int(opts.seed))

        def on_step(i: int, total: int) -> None:
            report(progress, i / total, f"denoising step {i}/{total}")
            check_cancel(cancel)

        with inference_context(self.device, opts.bf16):
            outs = self.net.sample(text, steps, guidance, opts.num_frames, generator, on_step)  # type: ignore[operator]
        return [
            with_note(
                self.sequence(
                    from_features(self.stats.denormalise(o.float().cpu().numpy()), self.tree), t, lang
                ),
                f,
                self.frames_note(len(o), self.cfg.max_frames, opts.num_frames),
            )
            for o, t, f in zip(outs, texts, found, strict=True)
        ]
