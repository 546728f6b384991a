"""`signstudio doctor [--json] [--strict]`: environment check with remedies.

One line per check (``ok``/``info``/``warn``/``FAIL``/``skip``, what, and for a problem the
remedy after an arrow), then a summary line. Exit status 0 when nothing blocks the studio, 1 when
something does (what counts as blocking: `signstudio.app.diagnostics`); with ``--strict`` also 1
on warnings. The same report is Help → Diagnostics in the studio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "doctor",
        help="environment check with remedies (display, OpenGL, packages, CUDA, corpus, models, autosave)",
        description="Check what the studio needs on this machine and say how to fix what is missing.",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on problems")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.app import diagnostics

    t0 = time.perf_counter()
    if args.json:
        checks = diagnostics.run_checks()
        seconds = time.perf_counter() - t0
        print(json.dumps(diagnostics.report_json(checks, seconds, args.strict), indent=2, default=str))
        return diagnostics.exit_code(checks, args.strict)

    print(diagnostics.header(), flush=True)

    def show(check: diagnostics.Check) -> None:
        print(check.line(), flush=True)

    checks = diagnostics.run_checks(progress=show)
    print(diagnostics.summary(checks, time.perf_counter() - t0))
    if any(c.blocks for c in checks):
        print(
            "(command-line work without the window, e.g. convert, render, generate, still runs)",
            file=sys.stderr,
        )
    return diagnostics.exit_code(checks, args.strict)
