"""Checkpoints that carry everything needed to run a model: config, layout, statistics, vocabulary.

    save_checkpoint(path, model_id="signllm-mlsf", config=cfg, state_dict=model.state_dict(),
                    stats={"ase": stats.to_dict()}, vocab={"ase": vocab.to_list()},
                    meta={"step": 100}, half=True)            # fp16 weights for shipping
    ckpt = load_checkpoint(path, map_location="cpu")          # or "cuda"
    ckpt["config"], ckpt["state_dict"], ckpt["stats"], ckpt["vocab"], ckpt["layout"]

The file is a ``torch.save`` dict of tensors and plain Python values only, so it loads with
``weights_only=True`` (no pickled code runs). Writes are atomic: a temporary file in the same
folder, then ``os.replace``. fp16 weights load back into float32 models (``load_state_dict``
casts). torch is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT = "signstudio-checkpoint/1"


def save_checkpoint(
    path: str | Path,
    *,
    model_id: str,
    config: Any,
    state_dict: Mapping[str, Any],
    stats: Mapping[str, Any],
    vocab: Mapping[str, Any],
    layout: str = "upper50",
    meta: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    half: bool = False,
) -> Path:
    """Write a checkpoint atomically; ``config`` is a dataclass (stored as a dict) or a dict.

    extra: anything else a trainer needs to resume (optimizer state, sampler state ...).
    half: store floating-point weights as fp16 (half the size; for shipped checkpoints).
    """
    import torch

    is_instance = dataclasses.is_dataclass(config) and not isinstance(config, type)
    cfg = dataclasses.asdict(config) if is_instance else dict(config)
    weights = {
        k: (v.detach().to("cpu").half() if half and v.is_floating_point() else v.detach().to("cpu"))
        for k, v in state_dict.items()
    }
    payload = {
        "format": FORMAT,
        "model_id": model_id,
        "config": cfg,
        "layout": layout,
        "stats": dict(stats),
        "vocab": dict(vocab),
        "state_dict": weights,
        "meta": dict(meta or {}),
        "extra": dict(extra or {}),
        "half": bool(half),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(payload, fh)
        Path(tmp).chmod(0o644)  # mkstemp makes it 0600; a checkpoint is an ordinary file
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | Path, map_location: str = "cpu") -> dict[str, Any]:
    """Read a checkpoint onto ``map_location`` (``cpu``, ``cuda``, ``cuda:N``); fp16 weights are
    returned as float32. Raises ValueError for a file that is not a SignStudio checkpoint."""
    import torch

    path = Path(path)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(f"{path}: not a readable checkpoint ({exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path}: not a SignStudio checkpoint (format {FORMAT})")
    if payload.get("half"):
        payload["state_dict"] = {
            k: (v.float() if v.is_floating_point() else v) for k, v in payload["state_dict"].items()
        }
    return payload


def open_model_checkpoint(path: Path, model_id: str, device: str, train_hint: str) -> dict[str, Any]:
    """`load_checkpoint` for a model class: every problem a one-line `ModelError` naming the file
    (missing: how to train one, ``train_hint``; unreadable; another model's; another layout)."""
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.data import LAYOUT

    if not path.exists():
        raise ModelError(f"no {model_id} checkpoint at {path}; train one with `{train_hint}`")
    try:
        ck = load_checkpoint(path, map_location=device)
    except ValueError as exc:
        raise ModelError(str(exc)) from None
    if ck["model_id"] != model_id:
        raise ModelError(f"{path}: a {ck['model_id']} checkpoint, not {model_id}")
    if ck["layout"] != LAYOUT:
        raise ModelError(f"{path}: layout {ck['layout']!r}, expected {LAYOUT!r}")
    return ck


def weights_error(path: Path, model_id: str, exc: BaseException) -> Exception:
    """The one-line `ModelError` for weights that do not fit the model (first detail line kept)."""
    from signstudio.modeling.base import ModelError

    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    detail = lines[1] if len(lines) > 1 else (lines[0] if lines else type(exc).__name__)
    return ModelError(f"{path}: its weights do not fit this version's {model_id} ({detail})")


def describe_checkpoint(path: str | Path) -> dict[str, Any]:
    """What a checkpoint file holds, read from the file itself: ``model_id`` (the family),
    ``layout``, ``languages`` and ``meta``. Every problem is a one-line `ModelError` naming the
    file (missing, a folder, truncated or not a checkpoint at all, no model family)."""
    from signstudio.modeling.base import ModelError

    path = Path(path)
    if not path.exists():
        raise ModelError(f"{path}: no such file")
    if path.is_dir():
        raise ModelError(f"{path}: is a folder, not a checkpoint file (give its best.pt or last.pt)")
    try:
        ck = load_checkpoint(path, map_location="cpu")
    except ValueError as exc:
        detail = str(exc).split(" (", 1)[0]
        raise ModelError(f"{detail}; it may be truncated or another program's file") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read ({exc.strerror or exc})") from None
    family = ck.get("model_id")
    if not isinstance(family, str) or not family:
        raise ModelError(f"{path}: the checkpoint names no model family")
    raw_meta = ck.get("meta")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    langs = meta.get("languages") or list(ck.get("vocab") or ())
    return {
        "model_id": family,
        "layout": ck.get("layout"),
        "languages": tuple(str(x) for x in langs),
        "meta": meta,
    }
