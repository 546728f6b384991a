"""`signstudio bench [--quick] [--only NAME] [--json OUT]`: benchmarks that report ratios, never time limits.

The benchmarks live in the checkout's top-level ``benchmarks/`` (as napari keeps its asv suite), so
neither the wheel nor the desktop bundle carries them; this command finds that folder beside the
installed package (an editable install or a source tree) and runs `benchmarks.suite`. Every figure
is measured against a baseline taken in the same run, so the numbers mean the same on any machine.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

#: the benchmarks `benchmarks.suite` runs, in order (kept here so --help works without a checkout)
BENCHMARKS = (
    "lifting",
    "viewport",
    "studio",
    "generation",
    "nar",
    "dtw",
    "long-dtw",
    "long-text",
    "avatar",
    "avatar-load",
    "dataset",
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("bench", help="benchmarks (ratios against a baseline measured in the same run)")
    p.add_argument("--quick", action="store_true", help="a scaled-down run (seconds, for tests)")
    p.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    p.add_argument(
        "--only",
        action="append",
        choices=list(BENCHMARKS),
        help="run only this benchmark (repeatable); default: all",
    )
    p.set_defaults(func=run)


def checkout_root() -> Path | None:
    """The source checkout holding ``benchmarks/suite.py`` beside this package, or None."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "benchmarks" / "suite.py").is_file() else None


def run(args: argparse.Namespace) -> int:
    root = checkout_root()
    if root is None:
        print(
            "error: the benchmarks are not installed: they live in the source checkout's benchmarks/ "
            "folder; run `signstudio bench` from an editable install of a checkout (pip install -e .)",
            file=sys.stderr,
        )
        return 2
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    suite = importlib.import_module("benchmarks.suite")
    result: int = suite.run(args)
    return result
