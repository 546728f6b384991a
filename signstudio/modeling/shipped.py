"""Where shipped checkpoints live, and their registry entries, without importing torch.

A trained ``signllm-mlsf`` checkpoint ``models/signllm-mlsf/signllm-mlsf.pt`` has a sidecar
``signllm-mlsf.json`` (written by the trainer's export) listing its languages, so the registry
can describe the model at start-up without loading torch. No checkpoint -> no entry
(`shipped_entries` is empty), and `signstudio.modeling.signllm.SignLLMMLSF` raises a
`ModelError` saying how to train one.
"""

from __future__ import annotations

import json
from pathlib import Path

from signstudio.modeling.base import ModelInfo

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
MLSF_ID = "signllm-mlsf"
MLSF_CHECKPOINT = MODELS_DIR / MLSF_ID / f"{MLSF_ID}.pt"
MLSF_FACTORY = "signstudio.modeling.signllm:SignLLMMLSF"


def sidecar(checkpoint: Path) -> Path:
    return checkpoint.with_suffix(".json")


def make_info(languages: tuple[str, ...]) -> ModelInfo:
    return ModelInfo(
        id=MLSF_ID,
        name="SignLLM MLSF",
        description=(
            "SignLLM's Multi-Language Switching Framework: one text-to-pose transformer per sign "
            "language (progressive-transformer decoder with a counter channel)."
        ),
        languages=tuple(sorted(languages)),
        needs_torch=True,
        kind="neural",
    )


def mlsf_info(checkpoint: Path | None = None) -> ModelInfo | None:
    """The entry for a checkpoint with a readable sidecar, else None."""
    checkpoint = checkpoint or MLSF_CHECKPOINT
    side = sidecar(checkpoint)
    if not checkpoint.exists() or not side.exists():
        return None
    try:
        langs = tuple(json.loads(side.read_text(encoding="utf-8"))["languages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return make_info(langs)


def shipped_entries() -> list[tuple[ModelInfo, str]]:
    """(info, factory) for each shipped neural checkpoint that exists."""
    info = mlsf_info()
    return [(info, MLSF_FACTORY)] if info is not None else []
