"""`signstudio doctor [--json] [--strict]`: environment check with remedies.

One line per check (``ok``/``info``/``warn``/``FAIL``/``skip``, what, and for a problem the
remedy after an arrow), then a summary line. Exit status 0 when nothing blocks the studio, 1 when
something does (what counts as blocking: `signstudio.doctor`); with ``--strict`` also 1
on warnings. The same report is Help → Diagnostics in the studio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the checks are imported when the command runs: `signstudio info` stays fast
    from signstudio.doctor import BodyChoice


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
    from signstudio import doctor

    t0 = time.perf_counter()
    if args.json:
        checks = doctor.run_checks(read_body=remembered_body)
        seconds = time.perf_counter() - t0
        print(json.dumps(doctor.report_json(checks, seconds, args.strict), indent=2, default=str))
        return doctor.exit_code(checks, args.strict)

    print(doctor.header(), flush=True)

    def show(check: doctor.Check) -> None:
        print(check.line(), flush=True)

    checks = doctor.run_checks(read_body=remembered_body, progress=show)
    print(doctor.summary(checks, time.perf_counter() - t0))
    if any(c.blocks for c in checks):
        print(
            "(command-line work without the window, e.g. convert, render, generate, still runs)",
            file=sys.stderr,
        )
    return doctor.exit_code(checks, args.strict)


def remembered_body() -> BodyChoice:
    """(body model, SMPL-X folder) as the studio remembers them: its settings are Qt's (QSettings),
    so the app reads them; imported here, when the check runs, so a missing PySide6 is a skipped row."""
    from signstudio.app.settings import Settings
    from signstudio.doctor import body_from_settings

    return body_from_settings(Settings())
