"""The prompt reader of ``signllm-p2lg`` (SignLLM's Prompt2LangGloss, step 1): prompt -> the
text to sign and the sign language it names.

`PromptReader` is a character transformer encoder over the prompt, in any of the corpus' 16
spoken languages. Two pointer heads give, per character, the logit that the text to sign starts /
ends there (the quotes are not part of it); a head on the pooled encoding names the sign language
the prompt asks for (one of the 20, or ``none`` when it only says "sign language"). `Reader` reads
raw prompts with a trained one; `reader_state` / `reader_from_state` carry it in a checkpoint.
Its training: `signstudio.modeling.training.prompt_reader_training`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

NONE = "none"  # the prompt names no sign language
PAD, UNK = 0, 1


@dataclass(frozen=True)
class ReaderConfig:
    d_model: int = 96
    heads: int = 4
    layers: int = 3
    ff: int = 192
    dropout: float = 0.1
    max_chars: int = 256
    max_span: int = 96  # longest text (characters) the reader returns

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReaderConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class ReaderVocab:
    """Characters of the training prompts, lower-cased one to one (a character whose lower case
    is longer, as Turkish 'İ', keeps its own entry), so position i is character i of the prompt."""

    chars: tuple[str, ...]

    @staticmethod
    def fold(c: str) -> str:
        low = c.lower()
        return low if len(low) == 1 else c

    @classmethod
    def build(cls, prompts: Sequence[str]) -> ReaderVocab:
        return cls(tuple(sorted({cls.fold(c) for p in prompts for c in p})))

    def __len__(self) -> int:
        return 2 + len(self.chars)

    def encode(self, prompts: Sequence[str], max_chars: int) -> tuple[np.ndarray, np.ndarray]:
        """(B, L) int64 ids and (B, L) bool mask; prompts longer than ``max_chars`` are cut."""
        index = {c: i + 2 for i, c in enumerate(self.chars)}
        width = max(1, min(max_chars, max(len(p) for p in prompts)))
        ids = np.zeros((len(prompts), width), np.int64)
        for row, p in enumerate(prompts):
            codes = [index.get(self.fold(c), UNK) for c in p[:width]]
            ids[row, : len(codes)] = codes
        return ids, ids != PAD


class PromptReader(nn.Module):
    """Prompt characters -> start logits (B, L), end logits (B, L), sign-language logits (B, K)."""

    def __init__(self, cfg: ReaderConfig, vocab_size: int, num_classes: int):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.embed = nn.Embedding(vocab_size, d, padding_idx=PAD)
        self.pos = nn.Embedding(cfg.max_chars, d)
        layer = nn.TransformerEncoderLayer(
            d, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.span = nn.Linear(d, 2)
        # mean and max over the prompt: a short name ("DGS") must not drown in a long prompt
        self.lang = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Linear(d, num_classes))

    def forward(self, ids: Tensor, mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.norm(self.encoder(self.embed(ids) + self.pos(pos), src_key_padding_mask=~mask))
        start, end = self.span(x).unbind(-1)
        start = start.masked_fill(~mask, -1e9)
        end = end.masked_fill(~mask, -1e9)
        m = mask.to(x.dtype)[..., None]
        mean = (x * m).sum(1) / m.sum(1).clamp(min=1)
        peak = x.masked_fill(~mask[..., None], -1e4).amax(1)
        return start, end, self.lang(torch.cat([mean, peak], dim=-1))


HARD_QUOTES = frozenset('"\u201c\u201d\u201e\u00ab\u00bb\u201a')  # never inside a text (unlike ' ‘ ’)


def best_spans(
    start: Tensor, end: Tensor, max_span: int, blocked: Tensor | None = None
) -> list[tuple[int, int]]:
    """Per row the (s, e) with s <= e < s + max_span maximising start[s] + end[e] (e inclusive).

    blocked: (B, L) bool, characters a span may not contain (hard quote marks)."""
    length = start.shape[1]
    scores = start[:, :, None] + end[:, None, :]
    i = torch.arange(length, device=start.device)
    band = (i[None, :] >= i[:, None]) & (i[None, :] < i[:, None] + max_span)
    allowed = band[None].expand(start.shape[0], -1, -1)
    if blocked is not None:
        count = torch.cumsum(blocked.to(torch.int64), dim=1)  # blocked characters up to i
        before = count - blocked.to(torch.int64)  # ... strictly before i
        allowed = allowed & (count[:, None, :] - before[:, :, None] == 0)
    flat = scores.masked_fill(~allowed, -math.inf).flatten(1).argmax(1)
    return [(int(f) // length, int(f) % length) for f in flat]


@dataclass(frozen=True)
class ReadPrompt:
    """What the reader found: the text to sign, and the sign language the prompt names (or None)."""

    text: str
    sign_language: str | None
    confidence: float  # probability of the chosen span's start x end


class Reader:
    """A trained `PromptReader` with its vocabulary and classes; `read` works on raw prompts.

    The text is always the learned span. The sign language is, with ``use_aliases`` (the
    default), the first sign-language name or abbreviation found outside the text in the alias
    list of `signstudio.corpus.prompts` (a closed vocabulary: a lookup is exact where a small
    classifier confuses "DGS" with "DSGS"), else the learned head's answer when it is at least
    ``min_confidence`` sure; without ``use_aliases`` the learned head alone."""

    def __init__(
        self,
        module: PromptReader,
        vocab: ReaderVocab,
        classes: Sequence[str],
        device: str = "cpu",
        use_aliases: bool = True,
        min_confidence: float = 0.9,
    ):
        self.module = module.to(device).eval()
        self.vocab = vocab
        self.classes = tuple(classes)
        self.device = device
        self.use_aliases = use_aliases
        self.min_confidence = min_confidence

    def read(self, prompts: Sequence[str]) -> list[ReadPrompt]:
        cfg = self.module.cfg
        ids, mask = self.vocab.encode(list(prompts), cfg.max_chars)
        with torch.inference_mode():
            start, end, lang = self.module(
                torch.from_numpy(ids).to(self.device), torch.from_numpy(mask).to(self.device)
            )
        blocked = torch.tensor(
            [[c in HARD_QUOTES for c in p[: ids.shape[1]].ljust(ids.shape[1])] for p in prompts],
            device=start.device,
        )
        spans = best_spans(start.float(), end.float(), cfg.max_span, blocked)
        p_start, p_end = start.float().softmax(-1), end.float().softmax(-1)
        p_lang, codes = lang.float().softmax(-1).max(-1)
        out = []
        for row, (prompt, (s, e)) in enumerate(zip(prompts, spans, strict=True)):
            conf = float(p_start[row, s] * p_end[row, e])
            learned: str | None = self.classes[int(codes[row])]
            if self.use_aliases and float(p_lang[row]) < self.min_confidence:
                learned = NONE
            code = learned if learned != NONE else None
            if self.use_aliases:
                from signstudio.corpus.prompts import named_sign_language

                code = named_sign_language(prompt[:s] + " \u2063 " + prompt[e + 1 :]) or code
            out.append(ReadPrompt(prompt[s : e + 1].strip(), code, conf))
        return out


def reader_state(reader: Reader) -> dict[str, Any]:
    return {
        "config": asdict(reader.module.cfg),
        "vocab": list(reader.vocab.chars),
        "classes": list(reader.classes),
        "state_dict": {k: v.detach().cpu() for k, v in reader.module.state_dict().items()},
    }


def reader_from_state(state: Mapping[str, Any], device: str = "cpu") -> Reader:
    cfg = ReaderConfig.from_dict(state["config"])
    vocab = ReaderVocab(tuple(state["vocab"]))
    module = PromptReader(cfg, len(vocab), len(state["classes"]))
    module.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in state["state_dict"].items()}
    )
    return Reader(module, vocab, state["classes"], device)
