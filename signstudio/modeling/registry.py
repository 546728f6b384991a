"""The one model registry (DESIGN.md §6): ids -> `ModelInfo` + a factory, loaded on demand.

Importing this module imports no model and no torch: a factory is a ``"module:attribute"`` string
resolved only by `load_model`, so the model selector can list every model at start-up for free.

    available_models()                  # [ModelInfo(id="lookup", ...), ...]
    available_models(lang="gsg")        # those covering DGS
    language_coverage()["ise"]          # ids of the models that sign LIS
    model = load_model("lookup")        # -> SignModel, on the CPU
    model = load_model("signllm-mlsf", device="cuda")

Adding a model: put its code in ``signstudio/modeling/<name>.py`` (torch imported there), and
one `register` call in `_register_builtins` below (or from a plugin, at import time of the
plugin) with its `ModelInfo` and ``"signstudio.modeling.<name>:<Factory>"``. The factory is called
as ``factory(device=...)`` with a resolved device and returns a `SignModel`.
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from signstudio.modeling.base import ModelError, ModelInfo, SignModel, UnknownModelError

Factory = Callable[..., SignModel]


@dataclass(frozen=True)
class _Entry:
    info: ModelInfo
    factory: str | Factory


_ENTRIES: dict[str, _Entry] = {}
_LOCK = threading.RLock()
_builtins_done = False


def register(info: ModelInfo, factory: str | Factory, *, replace: bool = False) -> ModelInfo:
    """Make ``info.id`` loadable. ``factory``: ``"package.module:attr"`` (imported on load) or a
    callable; either is called as ``factory(device=...)``. Registering an existing id again is an
    error unless ``replace``."""
    if isinstance(factory, str) and not re.fullmatch(r"[\w.]+:[\w.]+", factory):
        raise ValueError(f"factory must look like 'package.module:attr', got {factory!r}")
    with _LOCK:
        _ensure_builtins()
        if info.id in _ENTRIES and not replace:
            raise ValueError(f"model {info.id!r} is already registered")
        _ENTRIES[info.id] = _Entry(info, factory)
    return info


def unregister(model_id: str) -> None:
    with _LOCK:
        _ENTRIES.pop(model_id, None)


def available_models(lang: str | None = None) -> list[ModelInfo]:
    """Every registered model in registration order; only those covering ``lang`` if given."""
    with _LOCK:
        _ensure_builtins()
        infos = [e.info for e in _ENTRIES.values()]
    return [i for i in infos if lang is None or lang in i.languages]


def language_coverage(languages: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Per sign language, the ids of the registered models that cover it, in registration order
    (the model selector's "which models sign this language"). ``languages``: these (default: every
    language some model covers). A model's languages are its checkpoint's own (the sidecar the
    trainer writes beside a shipped file, or the file itself for a run's checkpoint)."""
    infos = available_models()
    langs = sorted({lang for i in infos for lang in i.languages}) if languages is None else list(languages)
    return {lang: [i.id for i in infos if lang in i.languages] for lang in langs}


def model_info(model_id: str) -> ModelInfo:
    return _entry(model_id).info


def resolve_device(device: str, needs_torch: bool) -> str:
    """``auto`` | ``cpu`` | ``cuda`` | ``cuda:N`` -> the device a model runs on.

    A model without torch runs on the CPU whatever was asked. For a torch model ``auto`` picks
    the GPU when torch sees one; asking for ``cuda`` on a machine without one is a `ModelError`.
    """
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", device):
        raise ModelError(f"unknown device {device!r}; use auto, cpu, cuda or cuda:N")
    if not needs_torch:
        return "cpu"
    if device == "cpu":
        return "cpu"
    import torch  # only torch models get here, on the thread that loads them

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available():
        raise ModelError(f"device {device!r} was asked for, but torch sees no CUDA GPU; use --device cpu")
    index = int(device.partition(":")[2] or 0)
    if index >= torch.cuda.device_count():
        raise ModelError(f"device {device!r} does not exist; this machine has {torch.cuda.device_count()}")
    return device


def load_model(model_id: str, device: str = "auto", checkpoint: str | None = None) -> SignModel:
    """A new instance of the model (the runner caches instances per (model id, device)).

    checkpoint: load these weights instead of the shipped ones (neural models only)."""
    entry = _entry(model_id)
    resolved = resolve_device(device, entry.info.needs_torch)
    factory = _resolve(entry.factory)
    model = (
        factory(device=resolved) if checkpoint is None else factory(device=resolved, checkpoint=checkpoint)
    )
    if not isinstance(model, SignModel):
        raise TypeError(f"factory of {model_id!r} returned {type(model).__name__}, not a SignModel")
    if model.id != model_id:
        raise TypeError(f"factory of {model_id!r} returned a model with id {model.id!r}")
    return model


def _entry(model_id: str) -> _Entry:
    with _LOCK:
        _ensure_builtins()
        entry = _ENTRIES.get(model_id)
        if entry is None and CHECKPOINT_MARK in model_id:
            # A checkpoint-backed id names its file: the model process (or a later start) registers
            # it on first use, so such ids travel between processes like shipped ones.
            path = unquote(model_id.partition(CHECKPOINT_MARK)[2])
            info = register_checkpoint(path)
            if info.id != model_id:
                raise UnknownModelError(f"unknown model {model_id!r}: {path} now holds {info.id!r}")
            entry = _ENTRIES.get(model_id)
        known = ", ".join(i for i in _ENTRIES if CHECKPOINT_MARK not in i)
    if entry is None:
        raise UnknownModelError(f"unknown model {model_id!r}; available: {known}")
    return entry


CHECKPOINT_MARK = "@"


def checkpoint_model_id(family: str, path: str | Path) -> str:
    """The registry id of a checkpoint file: ``family@/absolute/path`` (whitespace %-escaped, since
    an id is one word). The id alone is enough to load the model in another process."""
    resolved = str(Path(path).expanduser().resolve())
    return f"{family}{CHECKPOINT_MARK}{quote(resolved, safe='/:._-~+@,=')}"


def checkpoint_summary(path: str | Path) -> dict[str, Any]:
    """What a checkpoint file is as a model, read from the file and checked: ``model_id`` (the
    family), ``languages`` and ``trained_on`` (its first data file, None for the built-in corpus).
    JSON-able, so the studio can remember it. A file that does not fit (not a checkpoint,
    truncated, an evaluator's, a layout the models cannot use) raises a one-line `ModelError`."""
    from signstudio.modeling.checkpoint import describe_checkpoint
    from signstudio.modeling.shipped_models import EVALUATOR_FAMILIES, GENERATOR_FAMILIES, family_entry

    path = Path(path).expanduser()
    summary = describe_checkpoint(path)
    family = summary["model_id"]
    if family in EVALUATOR_FAMILIES:
        raise ModelError(
            f"{path}: a {family} checkpoint (an evaluator, not a model that generates poses); "
            f"give it to `signstudio score {EVALUATOR_FAMILIES[family]}`"
        )
    if family_entry(family, summary["languages"]) is None:
        raise ModelError(
            f"{path}: a {family!r} checkpoint; models that generate poses are {', '.join(GENERATOR_FAMILIES)}"
        )
    if summary["layout"] != "upper50":
        raise ModelError(f"{path}: layout {summary['layout']!r}; the {family} code works in 'upper50'")
    if not summary["languages"]:
        raise ModelError(f"{path}: the checkpoint names no sign language")
    data = summary["meta"].get("data")
    trained_on = str(data[0] if isinstance(data, list | tuple) else data) if data else None
    return {"model_id": family, "languages": list(summary["languages"]), "trained_on": trained_on}


def register_checkpoint(path: str | Path, summary: dict[str, Any] | None = None) -> ModelInfo:
    """Make a checkpoint file (a training run's ``best.pt``/``last.pt``, or a shipped ``.pt``) a
    model. Its id is `checkpoint_model_id`, its name says where it came from; family and languages
    come from ``summary`` (`checkpoint_summary`, as remembered) or are read from the file now.
    Registering the same file again refreshes it. A file that does not fit raises a one-line
    `ModelError`; the file itself is read when the model loads (in the model process)."""
    from signstudio.modeling.shipped_models import family_entry

    path = Path(path).expanduser()
    summary = summary or checkpoint_summary(path)
    family = str(summary["model_id"])
    made = family_entry(family, tuple(summary["languages"]))
    if made is None:
        raise ModelError(f"{path}: a {family!r} checkpoint, not a model that generates poses")
    base, factory = made
    model_id = checkpoint_model_id(family, path)
    info = replace(base, id=model_id, name=f"{base.name} ({checkpoint_origin(path)})")
    loader = functools.partial(
        _load_checkpoint_model,
        factory=factory,
        checkpoint=str(path),
        info=info,
        trained_on=summary["trained_on"],
    )
    return register(info, loader, replace=True)


def checkpoint_origin(path: str | Path) -> str:
    """Where a checkpoint came from, short: ``run-dir/best.pt``."""
    resolved = Path(path).expanduser().resolve()
    return f"{resolved.parent.name}/{resolved.name}" if resolved.parent.name else resolved.name


def is_checkpoint_model(model_id: str) -> bool:
    return CHECKPOINT_MARK in model_id


def _load_checkpoint_model(
    *, device: str, factory: str, checkpoint: str, info: ModelInfo, trained_on: str | None
) -> Any:
    model = _resolve(factory)(device=device, checkpoint=checkpoint)
    # The family's info with the checkpoint's id and name (the languages are the file's own).
    model.info = replace(model.info, id=info.id, name=info.name)
    tags = {"checkpoint": str(Path(checkpoint).expanduser().resolve())}  # captions name the run
    if trained_on:  # trained on the user's files: its output is their domain, not the built-in corpus'
        tags["trained_on"] = trained_on
    # an instance attribute in front of the family's method: every family's output is tagged
    setattr(model, "generate", functools.partial(_tag_origin, model.generate, tags))  # noqa: B010
    return model


def _tag_origin(
    generate: Callable[..., list[Any]], tags: dict[str, str], *args: Any, **kwargs: Any
) -> list[Any]:
    """``generate``'s sequences with ``meta["checkpoint"]`` (the file, for the view's caption) and
    ``meta["trained_on"]`` when known: the first data file of the checkpoint, which the evaluators'
    fit check (`modeling.evaluation.evaluator_fit`) reads."""
    return [seq.replace(meta_update=tags) for seq in generate(*args, **kwargs)]


def _resolve(factory: str | Factory) -> Factory:
    if not isinstance(factory, str):
        return factory
    module_name, _, attr = factory.partition(":")
    obj: object = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{factory} is not callable")
    return obj


def _ensure_builtins() -> None:
    global _builtins_done
    with _LOCK:
        if _builtins_done:
            return
        _builtins_done = True  # before registering: register() calls back in here
        try:
            _register_builtins()
        except BaseException:
            _builtins_done = False  # try again next time (e.g. after installing a package)
            raise


def _register_builtins() -> None:
    # Infos only; the modules named by the factories are imported by load_model.
    from signstudio.modeling.models.baselines import mean_info, random_info, wrong_word_info
    from signstudio.modeling.models.lookup import lookup_info

    register(lookup_info(), "signstudio.modeling.models.lookup:LookupModel")
    register(mean_info(), "signstudio.modeling.models.baselines:MeanModel")
    register(random_info(), "signstudio.modeling.models.baselines:RandomModel")
    register(wrong_word_info(), "signstudio.modeling.models.baselines:WrongWordModel")
    from signstudio.modeling.shipped_models import shipped_entries  # signllm-mlsf, once its checkpoint ships

    for info, factory in shipped_entries():
        register(info, factory)
