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

Integrity (issue 18): every checkpoint written here carries ``digest``, a sha256 over its whole
payload (every tensor's dtype, shape and bytes, and every plain value; `payload_digest`), inside
the saved dict, so a copied or renamed file keeps it. `load_checkpoint` checks, before anything
uses the file:

* a shipped checkpoint (listed in ``models/SHA256SUMS``): the file's sha256 against that line;
* any other: its ``digest``, when it has one.

A mismatch, or a file torch cannot read (truncated, not a checkpoint), is a `CheckpointError`: a
`FormatError`, one line naming the file, the problem and the remedy (train it again or restore a
copy; reinstall a shipped one); the CLI prints it and exits 2, the studio shows it and does not use
the model. Decision: a user checkpoint written before digests existed (no ``digest``) is accepted
as it is (nothing can tell whether it is intact; doctor notes it); the next save of that run writes
one. Cost: ~2 ms for a 2 MB checkpoint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from signstudio.pose.errors import FormatError

FORMAT = "signstudio-checkpoint/1"
DIGEST_KEY = "digest"
UNREADABLE = "not a readable checkpoint (truncated, damaged, or another program's file)"


class CheckpointError(FormatError):
    """A checkpoint that must not be used: unreadable, or its digest / sha256 does not match.
    One line: ``<file>: <problem>; <remedy>``."""

    def __init__(self, path: str | Path, problem: str, remedy: str = ""):
        super().__init__(path, f"{problem}; {remedy}" if remedy else problem)
        self.bare, self.remedy = problem, remedy

    def with_remedy(self, remedy: str) -> CheckpointError:
        """The same problem with the remedy of the caller's situation (resume, --vae-from ...)."""
        return CheckpointError(self.path or "", self.bare, remedy)


def payload_digest(payload: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` over a checkpoint dict without its ``digest``: tensors by dtype, shape and
    bytes, mappings in key order (by repr), sequences in order, other values by repr; every item
    is tagged and length-prefixed, so no two different payloads feed the same bytes."""
    import torch

    h = hashlib.sha256()

    def feed(obj: Any) -> None:
        if isinstance(obj, torch.Tensor):
            flat = obj.detach().reshape(-1).contiguous()
            h.update(f"T{flat.dtype}|{tuple(obj.shape)}|".encode())
            h.update(flat.view(torch.uint8).cpu().numpy().tobytes())
        elif isinstance(obj, Mapping):
            items = sorted(obj.items(), key=lambda kv: repr(kv[0]))
            h.update(f"D{len(items)}|".encode())
            for key, value in items:
                feed(key)
                feed(value)
        elif isinstance(obj, list | tuple):
            h.update(f"L{len(obj)}|".encode())
            for value in obj:
                feed(value)
        else:
            text = (obj if isinstance(obj, str) else repr(obj)).encode("utf-8", "surrogatepass")
            h.update(f"{'S' if isinstance(obj, str) else 'V'}{len(text)}|".encode())
            h.update(text)

    feed({k: v for k, v in payload.items() if k != DIGEST_KEY})
    return f"sha256:{h.hexdigest()}"


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
    payload[DIGEST_KEY] = payload_digest(payload)
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
    from signstudio.modeling.shipped_models import record_sha256

    record_sha256(path)  # an export into models/ keeps SHA256SUMS true (nothing elsewhere)
    return path


def load_checkpoint(path: str | Path, map_location: str = "cpu") -> dict[str, Any]:
    """Read a checkpoint onto ``map_location`` (``cpu``, ``cuda``, ``cuda:N``); fp16 weights are
    returned as float32. Checked first (module doc): a file that cannot be used raises a one-line
    `CheckpointError` (a ValueError); a missing one FileNotFoundError."""
    import torch

    from signstudio.modeling.shipped_models import expected_sha256, file_sha256, shipped_name

    path = Path(path)
    expected = expected_sha256(path)
    if expected is not None and path.is_file() and file_sha256(path) != expected:
        name = shipped_name(path)
        raise CheckpointError(
            path,
            "the shipped checkpoint is damaged (its sha256 differs from models/SHA256SUMS)",
            f"reinstall it: git checkout -- models/{name}",
        )
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise CheckpointError(path, "a folder, not a checkpoint file") from None
    except Exception:  # torch raises RuntimeError, pickle and zip errors alike for a bad file
        raise CheckpointError(path, UNREADABLE) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(path, f"not a SignStudio checkpoint (format {FORMAT})")
    stored = payload.get(DIGEST_KEY)
    if stored is not None and expected is None and stored != payload_digest(payload):
        raise CheckpointError(
            path,
            "the checkpoint is damaged (its weights do not match the digest saved with them)",
            "train it again or restore a copy",
        )
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
    except ValueError as exc:  # CheckpointError: one line with its remedy
        raise ModelError(str(exc)) from None
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
