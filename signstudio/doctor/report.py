"""The doctor's report: the text `signstudio doctor` prints, its JSON, and its exit status."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from signstudio.doctor.check import FAIL, NAME_WIDTH, STATUSES, WARN, Check


def counts(checks: Iterable[Check]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for c in checks:
        out[c.status] += 1
    return out


def exit_code(checks: Iterable[Check], strict: bool = False) -> int:
    """1 when something blocks the studio (or, with ``strict``, when anything warns), else 0."""
    bad = (FAIL, WARN) if strict else (FAIL,)
    return int(any(c.status in bad for c in checks))


def summary(checks: list[Check], seconds: float | None = None) -> str:
    n = counts(checks)
    parts = ", ".join(f"{n[s]} {s}" for s in STATUSES if n[s])
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    blocking = [c.name for c in checks if c.blocks]
    if blocking:
        return f"summary: {len(blocking)} problem(s) block the studio ({', '.join(blocking)}); {parts}{took}"
    if n[WARN]:
        return f"summary: nothing blocks the studio; {n[WARN]} warning(s) above; {parts}{took}"
    return f"summary: nothing blocks the studio; {parts}{took}"


def header() -> str:
    from signstudio import __version__

    return f"signstudio doctor: SignStudio {__version__}, Python {sys.version.split()[0]} on {sys.platform}"


def report_text(checks: list[Check], seconds: float | None = None) -> str:
    width = max([NAME_WIDTH, *(len(c.name) for c in checks)])
    return "\n".join([header(), *(c.line(width) for c in checks), summary(checks, seconds)])


def report_json(checks: list[Check], seconds: float | None = None, strict: bool = False) -> dict[str, Any]:
    from signstudio import __version__

    return {
        "signstudio": __version__,
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "ok": not any(c.blocks for c in checks),
        "exit_code": exit_code(checks, strict),
        "counts": counts(checks),
        "seconds": seconds,
        "checks": [c.to_dict() for c in checks],
    }
