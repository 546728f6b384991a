"""What the benchmarks that measure in child processes share: one case in a fresh interpreter
(this checkout first on ``PYTHONPATH``, its JSON result the last stdout line) and the process's
own counters from ``/proc/self/status`` (``VmHWM`` peak, ``VmRSS`` now; KiB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent


def run_case(module: str, args: list[str], label: Mapping[str, Any]) -> dict[str, Any]:
    """``python -m MODULE --case ARGS...`` in a child; its JSON result, or ``label`` with
    ``failed`` (exit code and last line) when it did not finish."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", module, "--case", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {**label, "failed": f"exit {proc.returncode}: {tail[0]}"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def status_kib(field: str) -> int:
    """``field`` (``VmHWM``, ``VmRSS``) of this process in KiB; 0 where /proc does not say."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0
