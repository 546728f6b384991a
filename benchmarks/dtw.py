"""DTW benchmark: our exact DTW against fastdtw and dtaidistance, in the same run.

Used by ``signstudio bench --only dtw [--quick]``. Sizes 100×120, 300×350 and 500×450 frames, of
150 values (upper50) and 1629 values (holistic, 543 joints), from real lexicon recordings (the
CLI passes them in; this module needs only numpy and, if installed, the two libraries).

The libraries compute other quantities, so the table shows each one's own number beside its
time, never as a check of ours:

* ours — ``pt-dtw`` (L1 frame cost, exact path, D[N,M] / N_ref) and ``dtw-mje`` (mean per-joint
  L2 along the exact path), each the whole `signstudio.metrics.dtw.dtw` call: cost matrix,
  accumulation, path and score;
* ``dtaidistance.dtw_ndim.distance`` (its C library) — exact DTW with squared Euclidean frame
  cost, sqrt of the sum along its path, no path returned;
* ``fastdtw.fastdtw(..., radius=1, dist=1)`` — an approximate path (multi-level, radius 1) with
  the L1 frame cost, the same cost as ``pt-dtw``; its sum divided by N_ref is therefore directly
  comparable with ours and is reported as ``fastdtw / N_ref`` (≥ the exact ``pt-dtw``; how much
  more is the approximation's cost).

Times are medians of the repeats after one warm-up call (numba compiles on the warm-up).
Ratio = their seconds / our ``pt-dtw`` seconds (> 1: ours is faster); ``mje/pt`` = our ``dtw-mje``
seconds / our ``pt-dtw`` seconds (the L2 cost takes a square root per joint). Ours uses every CPU
for the frame costs (`signstudio.metrics.dtw`), the libraries one.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from signstudio.metrics.dtw import dtw

SIZES = ((100, 120), (300, 350), (500, 450))
SETTINGS: dict[str, dict[str, Any]] = {
    "full": {"sizes": SIZES, "repeats": 3},
    "quick": {"sizes": SIZES[:1], "repeats": 1},
}


def _median(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def available() -> dict[str, bool]:
    return {name: importlib.util.find_spec(name) is not None for name in ("fastdtw", "dtaidistance")}


def run(data: dict[int, dict[str, np.ndarray]], quick: bool = False) -> dict[str, Any]:
    """data: {values per frame: {name: (F, J, 3)}} with two sequences of at least 500 frames each
    (the CLI: ASL and DGS letters); each case takes the first N frames of the first as the
    "generated" side and the first M frames of the second as the reference."""
    cfg = SETTINGS["quick" if quick else "full"]
    have = available()
    rows = []
    for values, pair in sorted(data.items()):
        first, second = list(pair.values())[:2]
        for n, m in cfg["sizes"]:
            gen = np.ascontiguousarray(first[:n], np.float64)
            ref = np.ascontiguousarray(second[:m], np.float64)
            g2, r2 = gen.reshape(n, -1), ref.reshape(m, -1)
            row: dict[str, Any] = {"values": values, "n": n, "m": m}
            row["pt_dtw_s"], pt = _median(lambda: dtw(gen, ref, "pt-dtw"), cfg["repeats"])  # noqa: B023
            row["dtw_mje_s"], mje = _median(lambda: dtw(gen, ref, "dtw-mje"), cfg["repeats"])  # noqa: B023
            row["pt_dtw"], row["dtw_mje"] = pt.score, mje.score
            row["mje_ratio"] = row["dtw_mje_s"] / row["pt_dtw_s"]
            if have["dtaidistance"]:
                from dtaidistance import dtw_ndim

                row["dtaidistance_s"], val = _median(
                    lambda: dtw_ndim.distance(g2, r2, use_c=True),  # noqa: B023
                    cfg["repeats"],
                )
                row["dtaidistance"] = float(val)
                row["dtaidistance_ratio"] = row["dtaidistance_s"] / row["pt_dtw_s"]
            if have["fastdtw"]:
                from fastdtw import fastdtw

                row["fastdtw_s"], (val, _path) = _median(
                    lambda: fastdtw(g2, r2, radius=1, dist=1),  # noqa: B023
                    1 if n * m > 40_000 else cfg["repeats"],
                )
                row["fastdtw_per_ref"] = float(val) / m
                row["fastdtw_ratio"] = row["fastdtw_s"] / row["pt_dtw_s"]
            rows.append(row)
    return {
        "name": "dtw",
        "what": "exact DTW (ours) vs dtaidistance (C, exact, other cost) and fastdtw (approximate)",
        "installed": have,
        "repeats": cfg["repeats"],
        "rows": rows,
    }


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"dtw: {r['what']}",
        f"  median of {r['repeats']} after a warm-up (fastdtw: one run above 200x200); ours on every CPU",
        f"  {'values':>6} {'N x M':>9} {'pt-dtw':>9} {'dtw-mje':>9} {'mje/pt':>6} {'dtaidist.':>10}"
        f" {'ratio':>6} {'fastdtw':>10} {'ratio':>6}   scores: pt-dtw | fastdtw/N_ref | dtw-mje | dtaidist.",
    ]
    nan = float("nan")
    for x in r["rows"]:
        dt = " " * 17
        if "dtaidistance_s" in x:
            dt = f"{x['dtaidistance_s'] * 1e3:8.1f}ms {x['dtaidistance_ratio']:5.1f}x"
        fd = " " * 17
        if "fastdtw_s" in x:
            fd = f"{x['fastdtw_s'] * 1e3:8.0f}ms {x['fastdtw_ratio']:5.1f}x"
        scores = (
            f"{x['pt_dtw']:.2f} | {x.get('fastdtw_per_ref', nan):.2f} | {x['dtw_mje']:.4f}"
            f" | {x.get('dtaidistance', nan):.2f}"
        )
        lines.append(
            f"  {x['values']:>6} {x['n']:>4}x{x['m']:<4} {x['pt_dtw_s'] * 1e3:7.1f}ms"
            f" {x['dtw_mje_s'] * 1e3:7.1f}ms {x['mje_ratio']:5.2f}x {dt} {fd}   {scores}"
        )
    missing = [k for k, v in r["installed"].items() if not v]
    if missing:
        lines.append(f"  not installed here (pip install {' '.join(missing)}): their columns are empty")
    return "\n".join(lines)
