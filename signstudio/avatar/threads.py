"""How many threads torch may use for an avatar fit: what the machine has free, never more.

IK is 150 optimiser steps of small tensors (a few hundred frames x 54 joints): each step's
parallel regions are short, so torch's OpenMP threads spend their time at barriers. With more
threads than free cores one of them is always descheduled and every barrier waits for it: on a
2-core machine a 138-frame fit took 3.6 s with one thread and 38 s with torch's default two
while other work ran. So the fit takes the cores nobody else is using, keeps one for the
window (painting needs the CPU too with a software renderer), and caps at `MAX_THREADS`
(beyond that the steps are too small to gain).

    n = fit_threads(cpus=2, busy=0.3)     # 1: one core for the window, one for the fit
    with torch_threads(n): ...            # torch's intra-op threads set, and restored after
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator

MAX_THREADS = 4  # IK's steps are too small for more threads to pay
RESERVED = 1  # cores left to the window (and the rest of the studio)


def fit_threads(cpus: int, busy: float, reserved: int = RESERVED, cap: int = MAX_THREADS) -> int:
    """Threads for a fit on ``cpus`` usable cores of which ``busy`` are in use by others (runnable
    tasks, not counting the fit): floor(cpus − ceil(busy) − reserved), clamped to [1, cap].

    Busy is rounded up: half a core's worth of other work still takes a thread's core away at the
    wrong moment, and one thread too few costs far less than one too many."""
    free = int(cpus) - math.ceil(max(0.0, busy) - 1e-9) - max(0, reserved)
    return max(1, min(int(cap), free))


def usable_cpus() -> int:
    """The cores this process may run on (its affinity mask; os.cpu_count where there is none)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def busy_cpus(loadavg: str | None = None) -> float:
    """How many cores other work keeps busy, from ``/proc/loadavg`` (or its text ``loadavg``):
    the larger of the 1-minute load and the tasks runnable right now less this reader (the load
    lags a minute behind a job that just started). 0 where the file cannot be read."""
    if loadavg is None:
        try:
            with open("/proc/loadavg", encoding="ascii") as f:
                loadavg = f.read()
        except OSError:
            return 0.0
    fields = loadavg.split()
    try:
        load1 = float(fields[0])
        running = int(fields[3].split("/")[0]) - 1
    except (IndexError, ValueError):
        return 0.0
    return max(load1, float(running), 0.0)


def threads_now() -> int:
    """`fit_threads` for this machine as it is now."""
    return fit_threads(usable_cpus(), busy_cpus())


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[int]:
    """torch's intra-op thread count set to ``count`` (at least 1) inside the block, and the
    inter-op pool to one thread where it can still be set (only before its first use)."""
    import torch

    before = torch.get_num_threads()
    count = max(1, int(count))
    with contextlib.suppress(RuntimeError):  # set already, or used: it cannot change any more
        torch.set_num_interop_threads(1)
    torch.set_num_threads(count)
    try:
        yield count
    finally:
        torch.set_num_threads(before)


__all__ = ["MAX_THREADS", "busy_cpus", "fit_threads", "threads_now", "torch_threads", "usable_cpus"]
