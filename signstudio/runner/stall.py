"""How long a busy worker thread keeps another Python thread from running (the GIL stall).

The GUI thread needs the GIL to run any Python slot; while a generation runs on a worker thread,
the longest time it must wait is the longest stretch the worker holds the GIL in one go (Python
hands it over every ``sys.getswitchinterval()`` = 5 ms, but a C call that does not release it
can hold it longer). `StallProbe` runs a thread that sleeps ``interval`` seconds again and again
and records by how much each wake-up came late.

    with StallProbe() as probe:
        runner.run(GenerateRequest("hello", "ase"))
    probe.max_ms, probe.p99_ms

``python -m signstudio.runner.stall [TEXT] [--lang ase]`` measures a cold generation (model
load included) and warm ones.
"""

from __future__ import annotations

import argparse
import threading
import time
from types import TracebackType

import numpy as np


class StallProbe:
    """A thread that records how late its ``interval`` sleeps wake up (milliseconds)."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.lateness_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stall-probe", daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            t0 = time.perf_counter()
            time.sleep(self.interval)
            self.lateness_ms.append((time.perf_counter() - t0 - self.interval) * 1000)

    def __enter__(self) -> StallProbe:
        self._thread.start()
        time.sleep(0.01)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def max_ms(self) -> float:
        return max(self.lateness_ms, default=0.0)

    @property
    def p99_ms(self) -> float:
        return float(np.percentile(self.lateness_ms, 99)) if self.lateness_ms else 0.0

    def summary(self) -> str:
        return f"max {self.max_ms:.1f} ms, p99 {self.p99_ms:.1f} ms over {len(self.lateness_ms)} wake-ups"


def measure(isolation: str, text: str, lang: str, repeat: int) -> list[tuple[str, float, StallProbe]]:
    """(label, wall seconds, probe) for a cold request (model load included) and ``repeat`` warm ones."""
    from signstudio.runner.service import GenerateRequest, Runner

    rows = []
    with Runner(isolation=isolation) as runner:  # type: ignore[arg-type]
        request = GenerateRequest(text, lang)
        for i in range(repeat + 1):
            with StallProbe() as probe:
                t0 = time.perf_counter()
                response = runner.run(request)
                wall = time.perf_counter() - t0
            if not response.ok:
                raise RuntimeError(response.error or "cancelled")
            rows.append(("cold" if i == 0 else "warm", wall, probe))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("text", nargs="?", default="hello world")
    parser.add_argument("--lang", default="ase")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--isolation", choices=("thread", "process", "both"), default="both")
    args = parser.parse_args(argv)
    modes = ("thread", "process") if args.isolation == "both" else (args.isolation,)
    for mode in modes:
        for label, wall, probe in measure(mode, args.text, args.lang, args.repeat):
            print(f"{mode:7s} {label}: {wall:.2f} s, stall {probe.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
