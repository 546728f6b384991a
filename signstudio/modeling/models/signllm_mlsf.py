"""SignLLM's Multi-Language Switching Framework (MLSF): one text -> pose encoder-decoder per language.

Paper: SignLLM (seeds/001), §4 "Multi-Language Switching Framework" and §5 "Setup".

* `MLSF` holds a ``nn.ModuleDict`` of `LanguageChannel` keyed by ISO 639-3 code; no parameter is
  shared between languages, and `MLSF.add_language` / `MLSF.remove_language` leave every other
  channel's parameters untouched (bit-identical; tested).
* A channel is progressive-transformer style: a character encoder (transformer encoder) and an
  autoregressive pose decoder over frames of 150 values (upper50, z-scored with the training
  statistics) plus the counter channel i/(F-1). Decoding feeds back its own predicted frame and
  counter and stops when the *predicted* counter reaches ``stop_counter`` (or at ``max_frames``);
  the ground-truth length or counter is never used at inference.
* The decoder is our own small pre-norm layer whose self-attention keeps a key/value cache, so
  step t costs O(t); `LanguageChannel.generate` with ``use_cache=False`` recomputes the whole
  prefix at each step (O(t^2)), and both give the same frames (tested to 1e-5).
* Options of Table 7: Future Prediction (``future_k`` > 0: the decoder also predicts the next k
  frames, an auxiliary loss weighted by ``future_weight``) and Gaussian Noise (``noise_std``:
  noise added to the decoder's pose inputs during training).
* Sizes (§5): Base = 2 encoder + 2 decoder layers, 4 heads, d 512, ff 2048; Large and Super scale
  d and ff by 2 and 4 with the same layers and heads; ``tiny`` for tests and the CPU checkpoint.

`SignLLMMLSF` is the registry's ``signllm-mlsf``: it loads a checkpoint written by
``signstudio train signllm-mlsf`` (`signstudio.modeling.training.signllm`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signstudio.modeling.base import (
    CancelToken,
    ProgressCallback,
    SignModel,
    TextLimit,
    apply_options,
    check_cancel,
    report,
    text_limit,
)
from signstudio.modeling.checkpoint import open_model_checkpoint, weights_error
from signstudio.modeling.data import (
    POSE_DIM,
    CharVocab,
    NormStats,
    Vocab,
    encode_texts,
)
from signstudio.modeling.output import generated_sequence
from signstudio.modeling.shipped_models import MLSF_CHECKPOINT, MLSF_ID, mlsf_info
from signstudio.modeling.text.coverage import Signable, fit, signable_text, vocab_rule, with_note
from signstudio.pose.sequence import PoseSequence

FRAME_DIM = POSE_DIM + 1  # pose values + counter
COUNTER_MODES = ("paced", "monotone", "free")


@dataclass(frozen=True)
class MLSFConfig:
    d_model: int = 512
    heads: int = 4
    enc_layers: int = 2
    dec_layers: int = 2
    ff: int = 2048
    dropout: float = 0.1
    max_text: int = 64
    max_frames: int = 300
    future_k: int = 0  # Future Prediction: also predict the next k frames (0 = off)
    future_weight: float = 0.5
    noise_std: float = 0.0  # Gaussian Noise on decoder pose inputs while training (0 = off)
    stop_counter: float = 0.98  # decoding stops when the predicted counter reaches this
    # How the counter output is formed. "free": the decoder head predicts it (Progressive
    # Transformers); free-running can leave it stalled below the threshold. "monotone": the head
    # predicts a positive increment added to the input counter (it can only grow). "paced": the
    # increment comes from the text encoding and the input counter alone, not from the decoder's
    # pose state, so errors in the generated poses cannot speed up or stall the counter.
    counter_mode: str = "paced"
    # weight of the counter's squared error against the mean squared error of the 150 pose values
    # (1/151 would be a plain mean over the frame, as Progressive Transformers; the end of a sign
    # then hardly matters to the loss and free-running outputs come out far too short or long)
    counter_weight: float = 10.0

    def __post_init__(self) -> None:
        if self.counter_mode not in COUNTER_MODES:
            raise ValueError(f"counter_mode must be one of {COUNTER_MODES}, got {self.counter_mode!r}")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MLSFConfig:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        values.setdefault("counter_mode", "free")  # checkpoints from before the field: PT's counter
        return cls(**values)


SIZES: dict[str, MLSFConfig] = {
    "tiny": MLSFConfig(d_model=64, heads=4, ff=128, dropout=0.1),
    "base": MLSFConfig(d_model=512, heads=4, ff=2048),
    "large": MLSFConfig(d_model=1024, heads=4, ff=4096),
    "super": MLSFConfig(d_model=2048, heads=4, ff=8192),
}


def size_config(size: str, **overrides: Any) -> MLSFConfig:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    return apply_options(SIZES[size], overrides)


class Attention(nn.Module):
    """Multi-head attention written out so the decoder can keep a key/value cache."""

    def __init__(self, d: int, heads: int, dropout: float):
        super().__init__()
        if d % heads:
            raise ValueError(f"d_model {d} is not divisible by {heads} heads")
        self.heads, self.dh = heads, d // heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.dropout = dropout

    def split(self, x: Tensor) -> Tensor:  # (B, T, d) -> (B, H, T, dh)
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.dh).transpose(1, 2)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> Tensor:
        """q (B,H,Tq,dh), k/v (B,H,Tk,dh), mask broadcastable to (B,H,Tq,Tk), True = may attend."""
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.dh)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.dropout(scores.softmax(-1), self.dropout, self.training)
        out = weights @ v
        b, h, t, dh = out.shape
        return self.o(out.transpose(1, 2).reshape(b, t, h * dh))


class DecoderLayer(nn.Module):
    """Pre-norm: causal self-attention (cached K/V), cross-attention to the text, feed-forward."""

    def __init__(self, cfg: MLSFConfig):
        super().__init__()
        d = cfg.d_model
        self.self_attn = Attention(d, cfg.heads, cfg.dropout)
        self.cross_attn = Attention(d, cfg.heads, cfg.dropout)
        self.ff = nn.Sequential(nn.Linear(d, cfg.ff), nn.GELU(), nn.Linear(cfg.ff, d))
        self.n1, self.n2, self.n3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(
        self,
        x: Tensor,
        memory_kv: tuple[Tensor, Tensor],
        memory_mask: Tensor,
        self_mask: Tensor | None,
        cache: dict[str, Tensor] | None = None,
    ) -> Tensor:
        """x: (B, T, d) new positions; cache (if given) holds K/V of the earlier positions and is
        extended in place. memory_kv: cross-attention K/V (B, H, L, dh), computed once."""
        sa = self.self_attn
        h = self.n1(x)
        q, k, v = sa.split(sa.q(h)), sa.split(sa.k(h)), sa.split(sa.v(h))
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        x = x + self.drop(sa.attend(q, k, v, self_mask))
        ca = self.cross_attn
        x = x + self.drop(ca.attend(ca.split(ca.q(self.n2(x))), *memory_kv, memory_mask))
        return x + self.drop(self.ff(self.n3(x)))

    def memory_kv(self, memory: Tensor) -> tuple[Tensor, Tensor]:
        ca = self.cross_attn
        return ca.split(ca.k(memory)), ca.split(ca.v(memory))


class LanguageChannel(nn.Module):
    """One language's text -> pose encoder-decoder (its own parameters, its own vocabulary)."""

    def __init__(self, cfg: MLSFConfig, vocab_size: int):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.embed = nn.Embedding(vocab_size, d, padding_idx=0)
        self.text_pos = nn.Embedding(cfg.max_text, d)
        layer = nn.TransformerEncoderLayer(
            d, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.enc_layers, enable_nested_tensor=False)
        self.enc_norm = nn.LayerNorm(d)
        self.frame_in = nn.Linear(FRAME_DIM, d)
        self.frame_pos = nn.Embedding(cfg.max_frames + 1, d)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.dec_layers))
        self.out_norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, FRAME_DIM + cfg.future_k * POSE_DIM)
        if cfg.counter_mode == "paced":  # counter increment from (pooled text, counter) only
            self.pace = nn.Sequential(nn.Linear(d + 1, d), nn.GELU(), nn.Linear(d, 1))
            with torch.no_grad():  # start near softplus(-4.5) ~ 1/90: about 3.6 s at 25 fps
                cast(nn.Linear, self.pace[-1]).bias.fill_(-4.5)

    def _memory_kv(self, memory: Tensor) -> list[tuple[Tensor, Tensor]]:
        return [cast(DecoderLayer, layer).memory_kv(memory) for layer in self.layers]

    def encode(self, text: Tensor, text_mask: Tensor) -> Tensor:
        text = text[:, : self.cfg.max_text]
        text_mask = text_mask[:, : self.cfg.max_text]
        pos = torch.arange(text.shape[1], device=text.device)
        x = self.embed(text) + self.text_pos(pos)
        return self.enc_norm(self.encoder(x, src_key_padding_mask=~text_mask))

    @staticmethod
    def pool(memory: Tensor, text_mask: Tensor) -> Tensor:
        """(B, d) mean of the text encoding over its tokens."""
        m = text_mask[:, : memory.shape[1]].to(memory.dtype)[..., None]
        return (memory * m).sum(1) / m.sum(1).clamp(min=1)

    def _decode(
        self,
        frames: Tensor,
        start: int,
        memory_kv: list[tuple[Tensor, Tensor]],
        memory_mask: Tensor,
        caches: list[dict[str, Tensor]] | None,
        pooled: Tensor | None = None,
    ) -> Tensor:
        t = frames.shape[1]
        pos = torch.arange(start, start + t, device=frames.device).clamp(max=self.cfg.max_frames)
        x = self.frame_in(frames) + self.frame_pos(pos)
        total = start + t
        causal = torch.ones(t, total, dtype=torch.bool, device=frames.device).tril(start)
        mm = memory_mask[:, None, None, :]
        for i, layer in enumerate(self.layers):
            x = layer(x, memory_kv[i], mm, causal, caches[i] if caches is not None else None)
        out = self.head(self.out_norm(x))
        out = out.float()  # fed back as the next input: keep frames and counter in float32
        mode = self.cfg.counter_mode
        if mode != "free":
            counter_in = frames[..., POSE_DIM : POSE_DIM + 1].float()
            if mode == "paced":
                if pooled is None:
                    raise ValueError("a paced counter needs the pooled text encoding")
                ctx = pooled[:, None, :].expand(-1, t, -1).float()
                # float32 even under bf16 autocast: increments of ~0.01 summed over a hundred
                # frames would be lost to bf16's 8-bit mantissa near 1
                with torch.autocast(frames.device.type, enabled=False):
                    step = self.pace(torch.cat([ctx, counter_in], dim=-1))
            else:
                step = out[..., POSE_DIM : POSE_DIM + 1]
            grown = counter_in + F.softplus(step)
            out = torch.cat([out[..., :POSE_DIM], grown, out[..., POSE_DIM + 1 :]], dim=-1)
        return out

    def forward(self, text: Tensor, text_mask: Tensor, target: Tensor) -> Tensor:
        """Teacher forcing: the decoder sees [start, y_0 .. y_{T-2}] and predicts y_0 .. y_{T-1}.

        target: (B, T, 151). Returns (B, T, 151 + 150 k) predictions."""
        memory = self.encode(text, text_mask)
        mkv = self._memory_kv(memory)
        inputs = torch.cat([torch.zeros_like(target[:, :1]), target[:, :-1]], dim=1)
        if self.training and self.cfg.noise_std > 0:
            noise = torch.randn_like(inputs[..., :POSE_DIM]) * self.cfg.noise_std
            inputs = torch.cat([inputs[..., :POSE_DIM] + noise, inputs[..., POSE_DIM:]], dim=-1)
        pooled = self.pool(memory, text_mask)
        out = self._decode(inputs, 0, mkv, text_mask[:, : self.cfg.max_text], None, pooled)
        if self.cfg.counter_mode == "paced":
            # The counter as decoding will produce it: rolled out from 0 by its own increments, so
            # the loss sees the error accumulated over the sequence, not one step's (tiny) error.
            rolled = self.rollout_counter(pooled, target.shape[1])
            out = torch.cat([out[..., :POSE_DIM], rolled, out[..., POSE_DIM + 1 :]], dim=-1)
        return out

    def rollout_counter(self, pooled: Tensor, frames: int) -> Tensor:
        """(B, frames, 1): the paced counter of frames 0..frames-1, each step fed its own output."""
        pooled = pooled.float()
        c = pooled.new_zeros(pooled.shape[0], 1)
        out = []
        with torch.autocast(pooled.device.type, enabled=False):
            for _ in range(frames):
                c = c + F.softplus(self.pace(torch.cat([pooled, c], dim=-1)))
                out.append(c)
        return torch.stack(out, dim=1)

    @torch.no_grad()
    def generate(
        self,
        text: Tensor,
        text_mask: Tensor,
        max_frames: int | None = None,
        use_cache: bool = True,
        cancel: CancelToken | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[Tensor]:
        """Free-running decoding; returns per text a (F_i, 150) tensor of normalised frames.

        A sequence ends at the first frame whose predicted counter is >= ``stop_counter``
        (that frame included) or after ``max_frames`` frames."""
        cap = min(max_frames or self.cfg.max_frames, self.cfg.max_frames)
        memory = self.encode(text, text_mask)
        mkv = self._memory_kv(memory)
        mmask = text_mask[:, : self.cfg.max_text]
        pooled = self.pool(memory, text_mask)
        b = text.shape[0]
        frame = torch.zeros(b, 1, FRAME_DIM, device=text.device)
        history = frame
        caches: list[dict[str, Tensor]] | None = [{} for _ in self.layers] if use_cache else None
        outputs: list[Tensor] = []
        ends = torch.full((b,), cap, dtype=torch.long, device=text.device)
        done = torch.zeros(b, dtype=torch.bool, device=text.device)
        for step in range(cap):
            check_cancel(cancel)
            if use_cache:
                pred = self._decode(frame, step, mkv, mmask, caches, pooled)[:, -1:, :FRAME_DIM]
            else:
                pred = self._decode(history, 0, mkv, mmask, None, pooled)[:, -1:, :FRAME_DIM]
            outputs.append(pred[:, 0, :POSE_DIM])
            stop = (pred[:, 0, POSE_DIM] >= self.cfg.stop_counter) & ~done
            ends[stop] = step + 1
            done |= stop
            report(progress, (step + 1) / cap, f"frame {step + 1}")
            if bool(done.all()):
                break
            frame = pred
            if not use_cache:
                history = torch.cat([history, pred], dim=1)
        seq = torch.stack(outputs, dim=1)
        return [seq[i, : int(ends[i])] for i in range(b)]


class MLSF(nn.Module):
    """Multi-Language Switching Framework: a ModuleDict of independent `LanguageChannel`."""

    def __init__(self, cfg: MLSFConfig, vocab_sizes: dict[str, int] | None = None):
        super().__init__()
        self.cfg = cfg
        self.channels = nn.ModuleDict()
        for lang, size in (vocab_sizes or {}).items():
            self.add_language(lang, size)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.channels.keys())

    def add_language(self, lang: str, vocab_size: int) -> LanguageChannel:
        """A new, freshly initialised channel; the other channels are not touched."""
        if lang in self.channels:
            raise ValueError(f"language {lang!r} already has a channel")
        channel = LanguageChannel(self.cfg, vocab_size)
        self.channels[lang] = channel
        return channel

    def remove_language(self, lang: str) -> None:
        del self.channels[lang]

    def channel(self, lang: str) -> LanguageChannel:
        if lang not in self.channels:
            raise KeyError(f"no channel for language {lang!r}; have {', '.join(self.channels)}")
        return self.channels[lang]  # type: ignore[return-value]

    def forward(self, lang: str, text: Tensor, text_mask: Tensor, target: Tensor) -> Tensor:
        return self.channel(lang)(text, text_mask, target)


def per_sample_loss(pred: Tensor, target: Tensor, frame_mask: Tensor, cfg: MLSFConfig) -> Tensor:
    """(B,) per sample over its valid frames: pose MSE + ``counter_weight`` x the counter's squared
    error, plus the Future Prediction term: frame t also predicts frames t+1 .. t+k where they exist."""
    m = frame_mask.to(pred.dtype)
    err = ((pred[..., :POSE_DIM] - target[..., :POSE_DIM]) ** 2).mean(-1)
    err = err + cfg.counter_weight * (pred[..., POSE_DIM] - target[..., POSE_DIM]) ** 2
    loss = (err * m).sum(1) / m.sum(1).clamp(min=1)
    for j in range(1, cfg.future_k + 1):
        if target.shape[1] <= j:
            break
        fut = pred[:, :-j, FRAME_DIM + (j - 1) * POSE_DIM : FRAME_DIM + j * POSE_DIM]
        fm = m[:, j:]
        ferr = ((fut - target[:, j:, :POSE_DIM]) ** 2).mean(-1)
        loss = loss + cfg.future_weight / cfg.future_k * (ferr * fm).sum(1) / fm.sum(1).clamp(min=1)
    return loss


def build_model(cfg: MLSFConfig, vocabs: Mapping[str, Vocab]) -> MLSF:
    return MLSF(cfg, {lang: len(v) for lang, v in vocabs.items()})


def to_sequence(frames: np.ndarray, text: str, lang: str, spoken: str | None = None) -> PoseSequence:
    """(F, 150) corpus-unit values -> an upper50 `PoseSequence` at 25 fps, meta as `SignModel` says;
    joints the network left out are missing (`signstudio.modeling.output`)."""
    return generated_sequence(frames, text, lang, MLSF_ID, spoken)


@dataclass(frozen=True)
class GenerateOptions:
    max_frames: int = 300
    use_cache: bool = True
    bf16: bool | None = None  # bf16 autocast; None: on CUDA devices only


def inference_context(device: str, bf16: bool | None) -> Any:
    """``inference_mode`` plus bf16 autocast where asked (default: on CUDA), as training uses."""
    import contextlib

    on = device.startswith("cuda") if bf16 is None else bf16
    stack = contextlib.ExitStack()
    stack.enter_context(torch.inference_mode())
    stack.enter_context(torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=on))
    return stack


def decode_texts(
    channel: LanguageChannel,
    vocab: Vocab,
    texts: Sequence[str],
    device: str,
    opts: GenerateOptions,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> list[Tensor]:
    """Encode ``texts`` (characters or gloss tokens, as ``vocab`` reads them) and decode them
    free-running on ``channel``; per text a (F_i, 150) tensor of normalised frames."""
    ids, mask = encode_texts(texts, vocab)
    with inference_context(device, opts.bf16):
        return channel.generate(
            torch.from_numpy(ids).to(device),
            torch.from_numpy(mask).to(device),
            max_frames=opts.max_frames,
            use_cache=opts.use_cache,
            cancel=cancel,
            progress=progress,
        )


def frames_cap_note(frames: int, cap: int) -> str | None:
    """A line when decoding stopped at its most frames rather than at the predicted end."""
    if frames >= cap:
        return f"signed in {cap} frames, the most this model makes here: the signing may be cut short"
    return None


def narrowed_limit(model: SignModel, max_text: int) -> TextLimit:
    """The family's text limit narrowed to ``max_text`` tokens less the start and end marks."""
    family = text_limit(model.id)
    return TextLimit(min(family.chars, max_text - 2), family.reason)


class SignLLMMLSF(SignModel):
    """The registry's ``signllm-mlsf``: generate(texts, lang) from a trained checkpoint."""

    def __init__(self, device: str = "cpu", checkpoint: str | Path | None = None):
        path = Path(checkpoint) if checkpoint is not None else MLSF_CHECKPOINT
        hint = f"signstudio train signllm-mlsf --langs ase gsg --export {path}"
        ckpt = open_model_checkpoint(path, MLSF_ID, device, hint)
        self.device = device
        self.cfg = MLSFConfig.from_dict(ckpt["config"])
        self.vocabs = {k: CharVocab.from_list(v) for k, v in ckpt["vocab"].items()}
        self.stats = {k: NormStats.from_dict(v) for k, v in ckpt["stats"].items()}
        self.spoken: dict[str, str] = dict(ckpt["meta"].get("spoken_languages", {}))
        self.model = build_model(self.cfg, self.vocabs).to(device)
        try:
            self.model.load_state_dict(ckpt["state_dict"])
        except RuntimeError as exc:
            raise weights_error(path, MLSF_ID, exc) from None
        self.model.eval()
        self.checkpoint_meta = ckpt["meta"]
        base = mlsf_info(path)
        self.info = base if base is not None else _fallback_info(tuple(self.vocabs))
        if set(self.info.languages) != set(self.vocabs):
            from dataclasses import replace

            self.info = replace(self.info, languages=tuple(self.vocabs))

    @property
    def text_limit(self) -> TextLimit:
        """The family's, narrowed to what this checkpoint's encoder reads (``max_text``)."""
        return narrowed_limit(self, self.cfg.max_text)

    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        opts = apply_options(GenerateOptions(), options)
        self.check_language(lang)
        if not texts:
            return []
        vocab = self.vocabs[lang]
        rule = vocab_rule(vocab.chars) if isinstance(vocab, CharVocab) else None
        found = [
            fit(
                signable_text(t, lang, rule) if rule is not None else Signable(t.strip(), (), None),
                self.max_text_chars,
                self.id,
            )
            for t in texts
        ]
        channel = self.model.channel(lang)
        texts_in = [f.text for f in found]
        outs = decode_texts(channel, vocab, texts_in, self.device, opts, cancel, progress)
        stats = self.stats[lang]
        cap = min(opts.max_frames, self.cfg.max_frames)
        result = [
            with_note(
                to_sequence(stats.denormalise(o.float().cpu().numpy()), t, lang, self.spoken.get(lang)),
                f,
                frames_cap_note(len(o), cap),
            )
            for o, t, f in zip(outs, texts, found, strict=True)
        ]
        report(progress, 1.0, "done")
        return result

    def close(self) -> None:
        self.model.to("cpu")


def _fallback_info(langs: tuple[str, ...]) -> Any:
    from signstudio.modeling.shipped_models import make_info

    return make_info(langs)


def describe(cfg: MLSFConfig) -> dict[str, Any]:
    return asdict(cfg)
