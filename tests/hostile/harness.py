"""Run a `signstudio` command on a hostile file in a subprocess and measure it.

`run_cli` starts ``python -m signstudio.cli.main ARGS`` with ``PYTHONPATH`` set to this checkout
(so the code under test is the one beside the tests), collects stdout and stderr together, and
reads the command's peak resident memory and its wall time. A command that runs past ``timeout``
is killed (its result says so).

The peak comes from ``os.wait4``'s rusage (``ru_maxrss``, KiB on Linux), but not of a child of
pytest: Linux carries the parent's high-water mark across fork and exec into the child's
``ru_maxrss``, so a child of a 2 GB pytest reads 2 GB whatever it does. A small launcher process
starts the command and reports its ``ru_maxrss``: then the inherited part is the launcher's ~10 MB.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The checkout whose `signstudio` the commands run.
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    """What one command did: exit code, output (stdout + stderr), peak RSS in MB, wall seconds."""

    args: tuple[str, ...]
    returncode: int
    output: str
    peak_mb: float
    wall_s: float
    killed: bool

    @property
    def lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.strip()]

    def describe(self) -> str:
        return (
            f"signstudio {' '.join(self.args)}: rc={self.returncode} peak={self.peak_mb:.0f} MB "
            f"wall={self.wall_s:.2f} s{' (killed: timeout)' if self.killed else ''}\n{self.output[-2000:]}"
        )


def child_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a command: this checkout first on PYTHONPATH, and the studio's config
    and autosave folders in ``home`` (a test never touches the user's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["SIGNSTUDIO_CONFIG_DIR"] = str(home / "config")
    env["SIGNSTUDIO_AUTOSAVE_DIR"] = str(home / "autosave")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run_cli(
    args: Sequence[str], cwd: Path, timeout: float = 60.0, env: Mapping[str, str] | None = None
) -> Run:
    """Run ``signstudio ARGS`` in ``cwd``; see the module docstring."""
    report = Path(tempfile.mkstemp(prefix="signstudio-run-", suffix=".txt")[1])
    cmd = [sys.executable, "-c", _LAUNCHER, str(report), "-m", "signstudio.cli.main", *args]
    with tempfile.TemporaryFile(mode="w+b") as out:
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=dict(env) if env is not None else child_env(cwd),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a timeout kills the command and anything it started
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    returncode, peak_kib = proc.returncode, usage.ru_maxrss  # the launcher's, if it was killed
    with contextlib.suppress(ValueError):
        returncode, peak_kib = map(int, report.read_text().split())
    report.unlink()
    return Run(tuple(args), returncode, text, peak_kib / 1024.0, wall, killed.is_set())


#: Runs ``python ARGS...`` (argv[2:]) and writes "exit-code ru_maxrss-KiB" of it to argv[1].
_LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.executable, [sys.executable, *sys.argv[2:]], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""
