"""`signstudio evaluate [--models ...] [--langs ...] [--split dev|test] [--limit N] --out REPORT`.

Writes REPORT as JSON (``.json``) or a Markdown table (``.md``; the JSON goes next to it) and
prints the table. See `signstudio.modeling.evaluate` for what each number measures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="score models against the corpus references (DTW, DurACC)")
    p.add_argument("--models", nargs="+", default=["signllm-mlsf", "mean", "random"], metavar="ID")
    p.add_argument("--langs", nargs="+", default=None, metavar="SL", help="default: the first neural model's")
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
    p.add_argument("--out", type=Path, required=True, help="REPORT.json or REPORT.md")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.corpus.store import open_corpus
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.evaluate import evaluate_models, to_markdown
    from signstudio.pose.formats._atomic import atomic_path

    checkpoints = {}
    for item in args.checkpoint:
        model_id, sep, path = item.partition("=")
        if not sep or not path:
            print(f"error: --checkpoint wants ID=PATH, got {item!r}", file=sys.stderr)
            return 2
        checkpoints[model_id] = path
    try:
        corpus = open_corpus(Path(args.corpus)) if args.corpus else open_corpus(quiet=True)
        report = evaluate_models(
            args.models, args.langs, args.split, args.limit, corpus, args.device, checkpoints
        )
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = to_markdown(report)
    out: Path = args.out
    json_path = out if out.suffix == ".json" else out.with_suffix(".json")
    writes = [(json_path, json.dumps(report, indent=1))]
    if out.suffix != ".json":
        writes.append((out, table))
    for path, text in writes:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    print(table, end="")
    return 0
