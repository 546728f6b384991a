"""`signstudio app [FILE] [--gt FILE] [--frame N] [--screenshot PNG --quit]`: the studio window."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "app",
        help="open the studio (the default command)",
        description="Open the studio on FILE, or on a real recording from the built-in corpus.",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="pose file to show (default: a built-in sample)")
    p.add_argument("--gt", metavar="FILE", help="ground-truth reference shown beside it")
    p.add_argument("--frame", metavar="N", type=int, help="start on frame N (0 = first; clamped)")
    p.add_argument("--screenshot", metavar="PNG", help="save the whole window as PNG once it has painted")
    p.add_argument("--quit", action="store_true", help="exit after the first paint (and the screenshot)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.app.main import run as run_app

    return run_app(args)
