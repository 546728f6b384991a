"""Long-pair scoring benchmark: the studio's whole pair scoring (`signstudio.runner.scoring.score_pair`:
both DTW scores, the aligned table, per-joint errors, the FGD-style curve, DurACC) against today's
exact whole-matrix route, time and peak memory, each case in a child process.

Used by ``signstudio bench --only long-dtw [--quick]``. Pairs of 1 500, 7 500 and 15 000 frames
(``--quick``: 300 and 600) against a reference 2 % shorter, real signing: the lexicon's ASL
letters one after another (generated side) against the DGS letters (reference), upper50, tiled to
length (`benchmarks.suite.real_long_sequences`), as `PoseSequence`s at 25 fps.

* ours — ``score_pair(gen, ref)``: ``dtw-mje`` and ``pt-dtw`` in one pass
  (`signstudio.metrics.dtw.dtw_pair`: each joint difference once for both frame costs, two
  recursions with a byte per cell each), exact while 2 x N x M bytes fit the budget (512 MiB: up
  to about 16 000 x 16 000 frames; above it, two exact calls in turn up to about 23 000 x 23 000,
  banded beyond), so every size here is the exact route; the result says so.
* whole matrix — ``score_pair(gen, ref, method="matmul")``: each DTW score by its own whole-matrix
  call (`cost_matrix` in float64 N x M, with two float64 N x M sums, `accumulate`, another
  float64 N x M, and the backtrack), as before the row-by-row kernels; run only where its about 32
  bytes per cell fit in 2.5 GB (not at 15 000 frames: 7 GB), so as not to push a shared machine
  into swap.

Both run the same rest of `score_pair` (the FGD-style curve with the shipped encoder, the joint
errors), so the difference is the DTW. Peak memory: the child's peak resident set minus its
resident set just before the call (numpy, numba, torch and the encoder loaded, the kernels
compiled by a call on a short pair), so it is what the call itself took. Time: that one call.
Threads: ours computes the frame costs on every CPU; the whole-matrix route on one.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from benchmarks._child import run_case, status_kib

SETTINGS: dict[str, dict[str, Any]] = {"full": {"sizes": (1500, 7500, 15000)}, "quick": {"sizes": (300, 600)}}
WHOLE_MATRIX_MAX_BYTES = 2.5e9
BYTES_PER_CELL_WHOLE = 32


def _pair(n: int) -> tuple[Any, Any]:
    import numpy as np

    from benchmarks.suite import real_long_sequences

    data = real_long_sequences()[150]
    m = int(n * 0.98)
    gen = np.concatenate([data["ase"]] * (n // len(data["ase"]) + 1))[:n]
    ref = np.concatenate([data["gsg"]] * (m // len(data["gsg"]) + 1))[:m]
    return np.ascontiguousarray(gen), np.ascontiguousarray(ref)


def _sequences(n: int) -> tuple[Any, Any]:
    import numpy as np

    from signstudio.pose.sequence import PoseSequence
    from signstudio.pose.skeleton import get_layout

    gen, ref = _pair(n)
    sk = get_layout("upper50")
    # what they are (ASL letters, DGS letters), so the shipped evaluators fit and run
    return tuple(  # type: ignore[return-value]
        PoseSequence(x, np.ones(x.shape[:2], np.float32), 25.0, sk, {"sign_language": lang})
        for x, lang in ((gen, "ase"), (ref, "gsg"))
    )


def _score(gen: Any, ref: Any, method: str) -> dict[str, Any]:
    from signstudio.runner.scoring import score_pair

    s = score_pair(gen, ref, method="matmul" if method == "whole" else "numba")
    return {
        "score": s.dtw_mje,
        "pt_dtw": s.pt_dtw,
        "fgd_mean": s.fgd_mean,
        "read": s.reading is not None,
        "notes": list(s.notes),
    }


def measure(n: int, route: str) -> dict[str, Any]:
    """In this process: one timed call of ``route`` on the n-frame pair, and its memory."""
    gen, ref = _sequences(n)
    short = _sequences(60)
    _score(short[0], short[1], route)  # compile the kernels, load the FGD-style encoder
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")  # resets the peak (VmHWM) to the current resident set
    rss_now = status_kib("VmRSS")
    t0 = time.perf_counter()
    scores = _score(gen, ref, route)
    seconds = time.perf_counter() - t0
    peak = max(0, status_kib("VmHWM") - rss_now)
    return {
        "n": n,
        "m": ref.num_frames,
        "route": route,
        "seconds": seconds,
        "peak_mib": peak / 1024,
        "how": _route(n, ref.num_frames) if route == "ours" else "exact",
        **scores,
    }


def _route(n: int, m: int) -> str:
    """How `dtw_pair` scores an n x m pair at the default budget (the `DTWResult.route` it gives)."""
    from signstudio.metrics.dtw import DEFAULT_MAX_BYTES

    return "exact" if n * m <= DEFAULT_MAX_BYTES else "banded"


def _child(n: int, route: str) -> dict[str, Any]:
    return run_case("benchmarks.dtw_long", [str(n), route], {"n": n, "route": route})


def run(quick: bool = False) -> dict[str, Any]:
    rows = []
    for n in SETTINGS["quick" if quick else "full"]["sizes"]:
        row: dict[str, Any] = {"n": n, "ours": _child(n, "ours")}
        m = int(n * 0.98)
        if n * m * BYTES_PER_CELL_WHOLE <= WHOLE_MATRIX_MAX_BYTES:
            row["whole"] = _child(n, "whole")
            if "seconds" in row["whole"] and "seconds" in row["ours"]:
                row["speedup"] = row["whole"]["seconds"] / row["ours"]["seconds"]
                row["memory_ratio"] = row["whole"]["peak_mib"] / max(
                    row["ours"]["peak_mib"], 1.0
                )  # at least 1 MiB
        else:
            row["whole"] = {
                "skipped": f"~{n * m * BYTES_PER_CELL_WHOLE / 1e9:.1f} GB (about 32 bytes per cell)"
            }
        rows.append(row)
    return {
        "name": "long-dtw",
        "what": "score_pair of long real pairs: one-pass DTW (ours) vs the whole-matrix route",
        "cpus": os.cpu_count(),
        "rows": rows,
    }


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"long-dtw: {r['what']}",
        f"  one call each, in a child process; peak = resident memory the call added; {r['cpus']} CPUs",
        f"  {'N x M':>13} {'ours':>9} {'peak':>9} {'route':>8} {'whole matrix':>13} {'peak':>9}"
        f" {'speed-up':>9} {'memory':>8}",
    ]
    for x in r["rows"]:
        o, w = x["ours"], x["whole"]
        ours = (
            f"{o['seconds']:8.2f}s {o['peak_mib']:6.0f}MiB {o['how']:>8}"
            if "seconds" in o
            else f"failed: {o['failed']}"
        )
        if "seconds" in w:
            whole = f"{w['seconds']:12.2f}s {w['peak_mib']:6.0f}MiB {x['speedup']:8.1f}x"
            whole += f" {x['memory_ratio']:7.1f}x"
        else:
            whole = f"  not run: {w.get('skipped') or w.get('failed')}"
        lines.append(f"  {x['n']:>6}x{int(x['n'] * 0.98):<6} {ours} {whole}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--case", nargs=2, metavar=("FRAMES", "ROUTE"))
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.case:
        print(json.dumps(measure(int(args.case[0]), args.case[1])))
        return 0
    print(format_table(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
