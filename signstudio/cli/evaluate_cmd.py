"""`signstudio evaluate [--models ...] [--langs ...] [--split dev|test] [--limit N] --out REPORT`.

Without ``--models``: the full report (`signstudio.modeling.evaluation.report`) — every
registered model that covers all 20 sign languages of the built-in corpus (``--langs``: those),
plus the ground truth, on dev and the split: Table 1 (FGD, BLEU-1..4, ROUGE-L, chrF, WER, DTW,
DurACC), the 20-language table with where each trained model beats the baselines
(`signstudio.modeling.evaluation.language_table`), Table 3a (KD vs no KD), Table 2 (by length)
and SignLLM Table 7 (MSE vs RL vs RL+PLC).
``models/REPORT.md`` is its output.

With ``--models``: one row per (model, sign language) of the split
(`signstudio.modeling.evaluation.model_scores`).
Writes REPORT as JSON (``.json``) or Markdown (``.md``; the JSON goes next to it) and prints it.
REPORT's folder must exist (never created) and be writable: checked before any model runs.

``--by-length``: instead, pt-dtw per reference-length bucket and over the first k frames, the
models side by side (Hwang et al.'s Table 2 analogue: error propagation, decoding initiation).
``--option ID:KEY=VALUE``: a per-call generate option for model ID (e.g. ``diffusion:steps=10``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

BY_LENGTH_MODELS = ("signllm-mlsf", "nar-kd")  # --by-length without --models


def add_parser(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="score models against the corpus references (DTW, DurACC)")
    p.add_argument(
        "--models", nargs="+", default=None, metavar="ID", help="default: the full report over every model"
    )
    p.add_argument("--langs", nargs="+", default=None, metavar="SL", help="default: all 20 languages")
    p.add_argument("--split", choices=["dev", "test"], default="test")
    p.add_argument("--limit", type=int, default=None, help="first N words per language (default all)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--corpus", default=None, help="corpus cache (default: the built-in corpus)")
    p.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="ID=PATH",
        help="evaluate these weights for model ID instead of the shipped ones",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="ID:KEY=VALUE",
        help="a generate option for model ID, e.g. diffusion:steps=10 (repeatable)",
    )
    p.add_argument(
        "--by-length",
        action="store_true",
        help="DTW per reference-length bucket and over the first k frames (error propagation)",
    )
    p.add_argument("--out", type=Path, required=True, help="REPORT.json or REPORT.md (in an existing folder)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.evaluation.model_scores import evaluate_models, to_markdown
    from signstudio.pose.formats._atomic import atomic_paths, check_destination

    checkpoints = {}
    for item in args.checkpoint:
        model_id, sep, path = item.partition("=")
        if not sep or not path:
            print(f"error: --checkpoint wants ID=PATH, got {item!r}", file=sys.stderr)
            return 2
        checkpoints[model_id] = path
    problem = _checkpoint_problem(checkpoints, args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    options: dict[str, dict[str, Any]] = {}
    for item in args.option:
        model_id, sep, rest = item.partition(":")
        key, eq, value = rest.partition("=")
        if not sep or not eq or not key:
            print(f"error: --option wants ID:KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        options.setdefault(model_id, {})[key] = parse_value(value)
    check_destination(args.out)  # a missing folder or a full disk: before the models run
    try:
        corpus = _open(args.corpus)
        if args.models is None and not args.by_length:
            from signstudio.modeling.evaluation.report import LANGS, build_report, report_markdown

            report = build_report(
                args.split,
                langs=args.langs or LANGS,
                corpus=corpus,
                device=args.device,
                limit=args.limit,
                progress=lambda msg: print(f"evaluating {msg}", file=sys.stderr, flush=True),
            )
            table = report_markdown(report)
        elif args.by_length:
            from signstudio.modeling.evaluation.model_scores import by_length_markdown, evaluate_by_length
            from signstudio.modeling.evaluation.report import LANGS

            langs = args.langs or list(LANGS)
            report = evaluate_by_length(
                args.models or list(BY_LENGTH_MODELS),
                langs,
                args.split,
                corpus,
                args.device,
                checkpoints,
                args.limit,
            )
            table = by_length_markdown(report)
        else:
            report = evaluate_models(
                args.models, args.langs, args.split, args.limit, corpus, args.device, checkpoints, options
            )
            table = to_markdown(report)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out: Path = args.out
    json_path = out if out.suffix == ".json" else out.with_suffix(".json")
    writes = [(json_path, json.dumps(report, indent=1))]
    if out.suffix != ".json":
        writes.append((out, table))
    with atomic_paths([path for path, _ in writes]) as temps:
        for tmp, (_, text) in zip(temps, writes, strict=True):
            tmp.write_text(text, encoding="utf-8")
    print(table, end="")
    return 0


def _checkpoint_problem(checkpoints: dict[str, str], args: argparse.Namespace) -> str | None:
    """Why ``--checkpoint ID=PATH`` cannot be honoured (None: it can): only a model this run
    evaluates and that loads weights takes one; the full report (no ``--models``) takes none."""
    from signstudio.modeling.shipped_models import GENERATOR_FAMILIES

    if not checkpoints:
        return None
    if args.models is None and not args.by_length:
        return "--checkpoint needs --models (the full report evaluates the shipped checkpoints only)"
    evaluated = args.models or list(BY_LENGTH_MODELS)
    known = [m for m in evaluated if m in GENERATOR_FAMILIES]
    for model_id in checkpoints:
        if model_id not in known:
            return (
                f"--checkpoint {model_id}=...: {model_id!r} is not a model this run evaluates that loads "
                f"a checkpoint; known here: {', '.join(known) or 'none'} (models that load one: "
                f"{', '.join(GENERATOR_FAMILIES)})"
            )
    return None


def _open(path: str | None) -> Any:
    """The corpus cache (a damaged or missing one is one line); a pose file given as ``--corpus``
    gets the command that scores it."""
    from signstudio.corpus.integrity import CacheError
    from signstudio.corpus.store import open_corpus

    if path is None:
        return open_corpus(quiet=True)
    try:
        return open_corpus(Path(path))
    except CacheError as exc:
        if exc.kind != "foreign":
            raise
        raise CacheError(
            Path(path),
            exc.kind,
            f"{exc.problem}; evaluate reads the built-in corpus — to score predictions against your "
            f"own references use `signstudio score PRED.skels {path} --out REPORT.md`",
        ) from None


def parse_value(text: str) -> Any:
    """``10`` -> 10, ``2.5`` -> 2.5, ``true``/``false`` -> bool, anything else stays text."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
