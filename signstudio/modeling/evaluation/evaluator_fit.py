"""Does an evaluator fit the data? FGD, FGD-style curves and back-translation only where it does.

An evaluator (``fgd-encoder``, ``backtranslation``) learned one kind of data. Its checkpoint may
say which (the contract with the trainers; in ``meta``, ``extra`` or ``config``):

* ``layout`` (default ``upper50``), ``normalisation`` (default ``neck-shoulder``: neck at the
  origin, shoulder width 1 — what `signstudio.pose.transforms.normalise` makes, and all SignStudio
  ever feeds an evaluator);
* ``sign_languages`` (default: the languages it lists itself, else the built-in corpus' four);
* ``target`` (``text`` or ``gloss``: what a back-translation reads; default ``text``);
* ``data`` (a description of its training data). **Absent: the built-in fingerspelling corpus.**

The data's side (`DataDomain`): its layout, its sign language (``meta["sign_language"]`` or what
the user says), and where it comes from — a file (``meta["format"]``/``meta["source"]``) or the
studio's own generation and lexicon references (the built-in corpus' domain).

Rules (`fit_problem`): the layout and normalisation must be ones SignStudio can produce from the
data; a shipped evaluator (no ``data``) fits only the built-in corpus' domain in one of its sign
languages — never a user's file, whatever its language; an evaluator trained on other data fits
any data whose sign language is one of its own (or not known: the user chose the evaluator for
it). A problem is one line ending with the command that trains a fitting evaluator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUILTIN_LANGS = ("ase", "gsg", "sgg", "tsm")
BUILTIN_DATA = "the built-in fingerspelling corpus"
NORMALISATION = "neck-shoulder"
LAYOUT = "upper50"
TRAIN_COMMANDS = {
    "fgd-encoder": "signstudio train fgd-encoder --data {data} --dev {dev}",
    "backtranslation": "signstudio train backtranslation --data {data} --dev {dev}",
}


@dataclass(frozen=True)
class EvaluatorDomain:
    """What an evaluator checkpoint was trained on (module docstring)."""

    kind: str  # "fgd-encoder" or "backtranslation"
    layout: str = LAYOUT
    normalisation: str = NORMALISATION
    sign_languages: tuple[str, ...] = BUILTIN_LANGS
    target: str = "text"
    data: str | None = None  # None: the built-in corpus

    @property
    def builtin(self) -> bool:
        return self.data is None

    @property
    def described(self) -> str:
        return self.data or BUILTIN_DATA


def evaluator_domain(kind: str, *parts: Mapping[str, Any] | None) -> EvaluatorDomain:
    """The domain from a checkpoint's ``meta``, ``extra`` and ``config`` (first one that says wins)."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in (part or {}).items():
            merged.setdefault(key, value)
    langs = merged.get("sign_languages") or merged.get("languages") or merged.get("langs")
    data = merged.get("data")
    return EvaluatorDomain(
        kind,
        str(merged.get("layout") or LAYOUT),
        str(merged.get("normalisation") or NORMALISATION),
        tuple(str(x) for x in langs) if isinstance(langs, list | tuple) and langs else BUILTIN_LANGS,
        str(merged.get("target") or "text"),
        None if data in (None, "", "builtin", "built-in") else str(data),
    )


@dataclass(frozen=True)
class DataDomain:
    """What a sequence is: its layout, sign language (None: not known) and file (None: the studio's
    own generation or lexicon reference, the built-in corpus' domain)."""

    layout: str
    sign_language: str | None
    source: str | None
    convention: str = ""

    @property
    def train_data(self) -> str:
        """What to pass as ``--data`` in the hint: the file's train split where it sits beside it."""
        if self.source is None:
            return "TRAIN_FILES…"
        path = Path(self.source)
        train = path.with_name("train" + path.suffix)
        return str(train if train.exists() else path)

    @property
    def dev_data(self) -> str:
        """What to pass as ``--dev`` in the hint: this file when its train split sits beside it."""
        if self.source is None:
            return "DEV_FILES…"
        path = Path(self.source)
        return (
            str(path)
            if path.with_name("train" + path.suffix).exists() and path.stem != "train"
            else "DEV_FILES…"
        )


def data_domain(seq: Any, sign_language: str | None = None) -> DataDomain:
    """The `DataDomain` of a `PoseSequence` (``sign_language`` overrides its meta)."""
    meta = seq.meta
    lang = sign_language or meta.get("sign_language") or None
    source = meta.get("source") if meta.get("format") else None
    conv = meta.get("convention") or {}
    convention = str(meta.get("format") or "")
    if source is None and meta.get("trained_on"):  # a model trained on the user's files made it
        source, convention = meta["trained_on"], "made by a model trained on it"
    if isinstance(conv, Mapping) and conv.get("scale") not in (None, 1, 1.0):
        convention += f", coordinates scaled by {conv['scale']:g}"
    return DataDomain(
        str(seq.layout), None if lang is None else str(lang), source and str(source), convention
    )


def fit_problem(ev: EvaluatorDomain, data: Sequence[DataDomain]) -> str | None:
    """None when ``ev`` fits every item of ``data``; else the one-line reason, ending with the
    command that trains a fitting one."""
    # the first item names the data to train on: callers put the references first
    hint = TRAIN_COMMANDS.get(ev.kind, "signstudio train {data}").format(
        data=data[0].train_data if data else "TRAIN_FILES…",
        dev=data[0].dev_data if data else "DEV_FILES…",
    )
    if ev.kind == "backtranslation" and ev.target == "gloss":
        hint += " --target gloss"
    what = f"the shipped {ev.kind}" if ev.builtin else f"the {ev.kind} ({ev.described})"
    if ev.layout != LAYOUT:
        return f"{what} reads {ev.layout}; SignStudio feeds evaluators {LAYOUT} — train one: `{hint}`"
    if ev.normalisation != NORMALISATION:
        return (
            f"{what} expects {ev.normalisation} normalisation; SignStudio feeds {NORMALISATION} — "
            f"train one: `{hint}`"
        )
    for d in data:
        problem = _one_problem(ev, d)
        if problem:
            return f"{what} {problem} — train one on this data: `{hint}`"
    return None


def _one_problem(ev: EvaluatorDomain, d: DataDomain) -> str | None:
    langs = ", ".join(ev.sign_languages)
    if ev.builtin and d.source is not None:
        conv = f" ({d.convention})" if d.convention else ""
        return f"was trained on {BUILTIN_DATA} ({langs}); {Path(d.source).name}{conv} is other data"
    if d.sign_language is None:
        if ev.builtin:
            return f"knows {langs}; the sign language of this data is not known"
        return None
    if d.sign_language not in ev.sign_languages:
        return f"knows {langs}, not {d.sign_language}"
    return None


def checkpoint_domain(kind: str, path: str | Path) -> EvaluatorDomain:
    """The domain of the checkpoint at ``path`` (its meta, extra and config; torch loads it)."""
    from signstudio.modeling.checkpoint import load_checkpoint

    ck = load_checkpoint(path)
    return evaluator_domain(kind, ck.get("meta"), ck.get("extra"), ck.get("config"))


__all__ = [
    "BUILTIN_LANGS",
    "DataDomain",
    "EvaluatorDomain",
    "checkpoint_domain",
    "data_domain",
    "evaluator_domain",
    "fit_problem",
]
