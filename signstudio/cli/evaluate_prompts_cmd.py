"""`signstudio evaluate-prompts [--set FILE ...] [--reader NAME ...] [--json OUT]`: how well the
prompt readers find the text and the sign language in hand-written held-out prompts
(`signstudio.modeling.evaluation.prompt_eval`): a table per reader, quoted / unquoted, per spoken
language, of text, language and both exact.

By default: the two shipped sets (tests/data/prompts_heldout.jsonl and
prompts_heldout_blind.jsonl) and the readers ``studio`` (what Generate uses), ``rules`` and
``templates``; ``--reader p2lg`` adds signllm-p2lg's own reader (loads the model), ``--reader
learned`` the shipped learned span reader alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate-prompts", help="accuracy of the prompt readers on hand-written held-out prompts"
    )
    p.add_argument(
        "--set",
        dest="sets",
        type=Path,
        action="append",
        help="a held-out JSON-lines file (repeatable; default: the two shipped sets)",
    )
    p.add_argument(
        "--reader",
        dest="readers",
        action="append",
        help="studio | rules | templates | p2lg | learned (repeatable; default: studio, rules, templates)",
    )
    p.add_argument("--json", type=Path, help="also write the scores as JSON here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.evaluation.prompt_eval import (
        BLIND,
        HELDOUT,
        READERS,
        evaluate,
        format_table,
        load_prompts,
    )
    from signstudio.pose.errors import FormatError

    readers = args.readers or ["studio", "rules", "templates"]
    unknown = [r for r in readers if r not in READERS]
    if unknown:
        print(f"error: unknown reader {unknown[0]!r}; known: {', '.join(READERS)}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    for path in args.sets or [HELDOUT, BLIND]:
        if not path.is_file():
            print(f"error: {path}: no such held-out file", file=sys.stderr)
            return 2
        try:
            rows = load_prompts(path)
            scores = {name: evaluate(READERS[name], rows) for name in readers}
        except (FormatError, ModelError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        results[str(path)] = scores
        print(f"{path.name}: {len(rows)} prompts")
        print(format_table(scores))
        print()
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0
