"""Training and export of ``signllm-p2lg`` (``signstudio train signllm-p2lg``): the prompt reader
(`signstudio.modeling.training.prompt_reader_training`), then the shared gloss -> pose channel
(the SignLLM trainer, `signstudio.modeling.training.signllm`), then one shipped file (`export_p2lg`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from signstudio.corpus.store import Corpus, open_corpus
from signstudio.modeling.checkpoint import DIGEST_KEY, load_checkpoint, payload_digest, save_checkpoint
from signstudio.modeling.shipped_models import P2LG_ID, sidecar
from signstudio.modeling.text.prompt_reader import Reader, reader_from_state, reader_state
from signstudio.modeling.training.prompt_reader_training import (
    ReaderTraining,
    held_out_prompts,
    reader_accuracy,
    train_reader,
)
from signstudio.modeling.training.signllm import TrainConfig, _resolve_device, train
from signstudio.modeling.training.user_data import DataError, UserData


def export_p2lg(
    gloss_checkpoint: Path,
    reader: Reader,
    alphabets: Mapping[str, Sequence[str]],
    target: Path,
    meta: Mapping[str, Any],
) -> Path:
    """One shipped fp16 file: the gloss -> pose channel, the prompt reader and the alphabets,
    plus the registry sidecar (languages, dev score)."""
    ck = load_checkpoint(gloss_checkpoint)
    rs = reader_state(reader)
    state = dict(ck["state_dict"])
    state.update({f"reader.{k}": v for k, v in rs["state_dict"].items()})
    languages = sorted(alphabets)
    save_checkpoint(
        target,
        model_id=P2LG_ID,
        config={**ck["config"], "reader": rs["config"]},
        state_dict=state,
        stats=ck["stats"],
        vocab={
            **ck["vocab"],
            "reader": rs["vocab"],
            "reader_classes": rs["classes"],
            **{f"alphabet:{k}": list(v) for k, v in alphabets.items()},
        },
        layout=ck["layout"],
        meta={**ck["meta"], **meta, "languages": languages},
        half=True,
    )
    info = {
        "id": P2LG_ID,
        "languages": languages,
        "layout": ck["layout"],
        "metric": ck["meta"].get("metric"),
        "best_dev": ck["meta"].get("best_dev"),
        "step": ck["meta"].get("step"),
        "wall_s": ck["meta"].get("wall_s"),
        "reader_held_out": meta.get("reader_held_out", {}).get("overall"),
    }
    sidecar(target).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return target


def _gloss_channel_only(cfg: TrainConfig, user_data: UserData) -> dict[str, Any]:
    """The gloss -> pose channel on the user's data, no prompt reader (``--reader-minutes 0``)."""
    result = train(cfg, None, user_data=user_data)
    return {
        "steps": result.steps,
        "epochs": round(result.epochs, 2),
        "wall_s": round(result.wall_s, 1),
        "best_dev": result.best_score,
        "metric": result.metric,
        "reader": None,
        "out": str(result.out),
    }


def train_p2lg(
    cfg: TrainConfig,
    reader_settings: ReaderTraining,
    corpus: Corpus | None = None,
    reader_corpus: Corpus | None = None,
    user_data: UserData | None = None,
) -> dict[str, Any]:
    """``signstudio train signllm-p2lg``: the prompt reader, then the shared gloss -> pose channel.

    The reader learns from prompts around the words of ``reader_corpus`` (default: the built-in
    corpus, all 20 sign languages and 16 spoken languages), whatever ``cfg.corpus`` is; it is
    stored as ``reader.pt`` in ``cfg.out`` and reused when the run is resumed. Its accuracy on the
    held-out templates, and that of the rule-based extractor on the same prompts, go to
    ``reader_eval.json`` and the checkpoint.
    Under torchrun every rank trains the same reader (same seed) before the DDP stage.

    ``user_data`` (``--data``): the gloss channel learns from the data's glosses (``.gloss``);
    with ``reader_settings.minutes`` 0 no reader is trained (the run holds the gloss -> pose
    channel only); ``--export`` is refused (a shipped P2LG file carries the corpus' alphabets).
    """
    if user_data is not None and cfg.export:
        raise DataError(f"--export of {P2LG_ID} trained on --data is not supported; use {cfg.out}/best.pt")
    if user_data is not None and reader_settings.minutes <= 0:
        return _gloss_channel_only(cfg, user_data)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    builtin = reader_corpus or open_corpus(quiet=True)
    reader_path = out / "reader.pt"
    device = _resolve_device(cfg.device, int(os.environ.get("LOCAL_RANK", "0")))
    reader_log: list[dict[str, Any]] = []
    reader = _resumed_reader(reader_path, device)
    if reader is not None:
        if (out / "reader_log.json").exists():
            reader_log = json.loads((out / "reader_log.json").read_text(encoding="utf-8"))
    else:
        reader = train_reader(builtin, reader_settings, device=device, progress=cfg.progress, log=reader_log)
        state = reader_state(reader)
        state[DIGEST_KEY] = payload_digest(state)
        tmp = reader_path.with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.replace(reader_path)
        (out / "reader_log.json").write_text(json.dumps(reader_log, indent=1), encoding="utf-8")
    held = held_out_prompts(builtin)
    learned_only = Reader(reader.module, reader.vocab, reader.classes, device, use_aliases=False)
    evaluation: dict[str, Any] = {
        "held_out_prompts": len(held),
        "reader": reader_accuracy(reader, held),
        "reader_learned_only": reader_accuracy(learned_only, held),
        "rule_based": reader_accuracy(None, held),
    }
    (out / "reader_eval.json").write_text(json.dumps(evaluation, indent=1), encoding="utf-8")
    result = train(replace(cfg, export=None), corpus, user_data=user_data)
    if cfg.export and int(os.environ.get("RANK", "0")) == 0:
        corpus = corpus or (open_corpus(Path(cfg.corpus)) if cfg.corpus else open_corpus(quiet=True))
        alphabets = {lang: sorted(corpus.letters(lang, "upper50")) for lang in cfg.langs}
        best = out / "best.pt"
        export_p2lg(
            best if best.exists() else out / "last.pt",
            reader,
            alphabets,
            Path(cfg.export),
            meta={
                "reader_held_out": evaluation["reader"],
                "reader_learned_only_held_out": evaluation["reader_learned_only"],
                "rule_based_held_out": evaluation["rule_based"],
                "reader_training": reader_log[-1] if reader_log else None,
            },
        )
    return {
        "steps": result.steps,
        "epochs": round(result.epochs, 2),
        "wall_s": round(result.wall_s, 1),
        "best_dev": result.best_score,
        "metric": result.metric,
        "reader_held_out": evaluation["reader"]["overall"],
        "rule_based_held_out": evaluation["rule_based"]["overall"],
        "out": str(result.out),
    }


def _resumed_reader(path: Path, device: str) -> Reader | None:
    """The prompt reader a resumed run trained before, or None to train it (again): a missing
    file, or one that is truncated or damaged (its digest, stored since issue 18, differs), which
    is said in one line on stderr. The reader is derived data: training it again loses nothing."""
    import sys

    if not path.exists():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        stored = state.get(DIGEST_KEY)
        if stored is not None and stored != payload_digest(state):
            raise ValueError("digest")
        return reader_from_state(state, device)
    except Exception:  # torch, zip and pickle errors alike, or a state that does not fit
        print(f"{path}: the saved prompt reader is damaged; training it again", file=sys.stderr)
        return None
