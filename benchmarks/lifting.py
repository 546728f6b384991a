"""Benchmark of the vectorised 2D -> 3D lifting against a plain per-frame loop, on one CPU core.

The baseline, `lift_loop`, is Algorithm 1 of SignLLM written as the paper lists it: Python loops
over bones and frames, one clip at a time (the way Prompt2Sign's ``pose2Dto3D.initialization``
runs). Both are timed in the same process on the same data; the result is a *ratio*. The loop is
timed on a few clips and extrapolated linearly to all of them (its cost is per clip).

The data is passed in (the CLI takes real lexicon recordings, see `benchmarks.suite`):
this module only needs numpy.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from signstudio.pose.lifting import UPPER50_STRUCTURE, lift

#: SignLLM supplementary C.2: "RTX3060 can process 1000 clips after 10 hours".
PAPER_CLIPS = 1000
PAPER_SECONDS = 10 * 3600.0


def _fill_with_joint_median_loop(
    Xx: np.ndarray, Xy: np.ndarray, Xw: np.ndarray, structure: Sequence[tuple[int, int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The missing-point step of `signstudio.pose.lifting`, with loops: filled float64 copies of
    Xx and Xy (T, n), and the (T, n) bool of measured points."""
    Xx = np.array(Xx, dtype=np.float64)
    Xy = np.array(Xy, dtype=np.float64)
    T, n = Xx.shape
    measured = np.zeros((T, n), dtype=bool)
    for t in range(T):
        for j in range(n):
            measured[t, j] = Xw[t, j] > 0 and math.isfinite(Xx[t, j]) and math.isfinite(Xy[t, j])
    seen = [False] * n
    for j in range(n):
        vx = [Xx[t, j] for t in range(T) if measured[t, j]]
        vy = [Xy[t, j] for t in range(T) if measured[t, j]]
        seen[j] = bool(vx)
        mx = statistics.median(vx) if vx else 0.0
        my = statistics.median(vy) if vy else 0.0
        for t in range(T):
            if not measured[t, j]:
                Xx[t, j], Xy[t, j] = mx, my
    for a, b, _ in structure:
        if not seen[b]:
            for t in range(T):
                Xx[t, b], Xy[t, b] = Xx[t, a], Xy[t, a]
    return Xx, Xy, measured


def _line_lengths(
    lengths: list[list[float]], measured_lengths: list[list[float]], percentile: float
) -> np.ndarray:
    lines = np.zeros(len(lengths))
    for k in range(len(lengths)):
        values = sorted(measured_lengths[k] or lengths[k])
        lines[k] = math.log(max(values[int(percentile * (len(values) - 1))], 1e-6))
    return lines


def lift_loop(
    Xx: np.ndarray,
    Xy: np.ndarray,
    Xw: np.ndarray,
    structure: Sequence[tuple[int, int, int]],
    sigma: float,
    rng: np.random.Generator,
    percentile: float,
) -> tuple[np.ndarray, ...]:
    """Algorithm 1 for one clip as the paper writes it (the benchmark's baseline): Python loops
    over bones and frames, element by element on numpy arrays (as Prompt2Sign's code does).

    Xx, Xy, Xw: (T, n). Returns ``(lines, rootsx, rootsy, rootsz, anglesx, anglesy, anglesz,
    Yx, Yy, Yz)``; the same numbers as `lift` (after the same missing-point step).
    """
    Xx, Xy, measured = _fill_with_joint_median_loop(Xx, Xy, Xw, structure)
    T, n = Xx.shape
    n_lines = max(line for _, _, line in structure) + 1
    anglesx = np.zeros((T, len(structure)))
    anglesy = np.zeros((T, len(structure)))
    anglesz = np.zeros((T, len(structure)))
    root = structure[0][0]
    rootsx = Xx[:, root] + rng.uniform(-sigma, sigma, size=T)
    rootsy = Xy[:, root] + rng.uniform(-sigma, sigma, size=T)
    rootsz = np.zeros(T) + rng.uniform(-sigma, sigma, size=T)
    Yx, Yy, Yz = np.zeros((T, n)), np.zeros((T, n)), np.zeros((T, n))
    Yx[:, root], Yy[:, root], Yz[:, root] = rootsx, rootsy, rootsz
    pool: list[list[float]] = [[] for _ in range(n_lines)]
    pool_measured: list[list[float]] = [[] for _ in range(n_lines)]
    for a, b, line in structure:
        for t in range(T):
            length = math.sqrt((Xx[t, a] - Xx[t, b]) ** 2 + (Xy[t, a] - Xy[t, b]) ** 2)
            pool[line].append(length)
            if measured[t, a] and measured[t, b]:
                pool_measured[line].append(length)
    lines = _line_lengths(pool, pool_measured, percentile)
    for i, (a, b, line) in enumerate(structure):
        L = math.exp(lines[line])
        for t in range(T):
            dx = Xx[t, b] - Yx[t, a]
            dy = Xy[t, b] - Yy[t, a]
            rest = L * L - dx * dx - dy * dy
            gx, gy, gz = dx, dy, (math.sqrt(rest) if rest >= 0 else 0.0)
            if not (math.isfinite(gx) and math.isfinite(gy) and math.isfinite(gz)):
                gx, gy, gz = 0.0, 0.0, 0.0
            if gz < 0.0:
                gz = -gz
            gz = gz + 0.001
            norm = math.sqrt(gx * gx + gy * gy + gz * gz)
            anglesx[t, i], anglesy[t, i], anglesz[t, i] = gx / norm, gy / norm, gz / norm
            Yx[t, b] = Yx[t, a] + L * anglesx[t, i]
            Yy[t, b] = Yy[t, a] + L * anglesy[t, i]
            Yz[t, b] = Yz[t, a] + L * anglesz[t, i]
    return (lines, rootsx.reshape(T, 1), rootsy.reshape(T, 1), rootsz.reshape(T, 1),
            anglesx, anglesy, anglesz, Yx, Yy, Yz)  # fmt: skip


def lift_loop_lists(  # noqa: C901 (the paper, line by line)
    Xx: np.ndarray,
    Xy: np.ndarray,
    Xw: np.ndarray,
    structure: Sequence[tuple[int, int, int]],
    sigma: float,
    rng: np.random.Generator,
    percentile: float,
) -> tuple[np.ndarray, ...]:
    """`lift_loop` on Python lists and floats instead of numpy arrays: the fastest a plain
    per-frame Python loop gets (a second, stricter baseline). Same arguments and results."""
    X = np.asarray(Xx, np.float64).tolist()
    Y2 = np.asarray(Xy, np.float64).tolist()
    W = np.asarray(Xw, np.float64).tolist()
    T, n = len(X), len(X[0])
    measured = [[W[t][j] > 0 and math.isfinite(X[t][j]) and math.isfinite(Y2[t][j]) for j in range(n)]
                for t in range(T)]  # fmt: skip
    seen = [False] * n
    for j in range(n):
        vx = [X[t][j] for t in range(T) if measured[t][j]]
        vy = [Y2[t][j] for t in range(T) if measured[t][j]]
        seen[j] = bool(vx)
        mx = statistics.median(vx) if vx else 0.0
        my = statistics.median(vy) if vy else 0.0
        for t in range(T):
            if not measured[t][j]:
                X[t][j], Y2[t][j] = mx, my
    for a, b, _ in structure:
        if not seen[b]:
            for t in range(T):
                X[t][b], Y2[t][b] = X[t][a], Y2[t][a]
    n_lines = max(line for _, _, line in structure) + 1
    root = structure[0][0]
    noise = rng.uniform(-sigma, sigma, size=(3, T)).tolist()
    rootsx = [X[t][root] + noise[0][t] for t in range(T)]
    rootsy = [Y2[t][root] + noise[1][t] for t in range(T)]
    rootsz = [0.0 + noise[2][t] for t in range(T)]
    Yx = [[0.0] * n for _ in range(T)]
    Yy = [[0.0] * n for _ in range(T)]
    Yz = [[0.0] * n for _ in range(T)]
    for t in range(T):
        Yx[t][root], Yy[t][root], Yz[t][root] = rootsx[t], rootsy[t], rootsz[t]
    pool: list[list[float]] = [[] for _ in range(n_lines)]
    pool_measured: list[list[float]] = [[] for _ in range(n_lines)]
    for a, b, line in structure:
        for t in range(T):
            length = math.sqrt((X[t][a] - X[t][b]) ** 2 + (Y2[t][a] - Y2[t][b]) ** 2)
            pool[line].append(length)
            if measured[t][a] and measured[t][b]:
                pool_measured[line].append(length)
    lines = _line_lengths(pool, pool_measured, percentile).tolist()
    B = len(structure)
    ax_, ay_, az_ = (
        [[0.0] * B for _ in range(T)],
        [[0.0] * B for _ in range(T)],
        [[0.0] * B for _ in range(T)],
    )
    for i, (a, b, line) in enumerate(structure):
        L = math.exp(lines[line])
        for t in range(T):
            dx = X[t][b] - Yx[t][a]
            dy = Y2[t][b] - Yy[t][a]
            rest = L * L - dx * dx - dy * dy
            gx, gy, gz = dx, dy, (math.sqrt(rest) if rest >= 0 else 0.0)
            if not (math.isfinite(gx) and math.isfinite(gy) and math.isfinite(gz)):
                gx, gy, gz = 0.0, 0.0, 0.0
            if gz < 0.0:
                gz = -gz
            gz += 0.001
            norm = math.sqrt(gx * gx + gy * gy + gz * gz)
            ax_[t][i], ay_[t][i], az_[t][i] = gx / norm, gy / norm, gz / norm
            Yx[t][b] = Yx[t][a] + L * ax_[t][i]
            Yy[t][b] = Yy[t][a] + L * ay_[t][i]
            Yz[t][b] = Yz[t][a] + L * az_[t][i]
    col = np.asarray
    return (
        col(lines), col(rootsx).reshape(T, 1), col(rootsy).reshape(T, 1), col(rootsz).reshape(T, 1),
        col(ax_), col(ay_), col(az_), col(Yx), col(Yy), col(Yz),
    )  # fmt: skip


def _idlest_cpu(allowed: set[int], wait: float = 0.2) -> int:
    """The allowed CPU that was idle the most over ``wait`` seconds (Linux ``/proc/stat``)."""

    def idle() -> dict[int, int]:
        out = {}
        with open("/proc/stat") as fh:
            for line in fh:
                name, *fields = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    out[int(name[3:])] = int(fields[3]) + int(fields[4])  # idle + iowait
        return out

    try:
        before = idle()
        time.sleep(wait)
        after = idle()
        return max(sorted(allowed), key=lambda c: after.get(c, 0) - before.get(c, 0))
    except (OSError, ValueError, IndexError):
        return min(allowed)


@contextlib.contextmanager
def one_core() -> Iterator[dict[str, Any]]:
    """Run the block on one CPU core: pinned to the idlest allowed CPU, BLAS/OpenMP pools at 1
    thread (threadpoolctl when installed). The lifting itself is single-threaded numpy code.

    Yields what was done (``cpu``, ``threads``) for the report.
    """
    info: dict[str, Any] = {"cpu": None, "threads": "BLAS pool not limited (unused: elementwise numpy only)"}
    old = None
    if hasattr(os, "sched_getaffinity"):
        old = os.sched_getaffinity(0)
        cpu = _idlest_cpu(old)
        os.sched_setaffinity(0, {cpu})
        info["cpu"] = cpu
    limiter: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits  # optional

        limiter = threadpool_limits(limits=1)
        info["threads"] = "threadpoolctl: 1 thread"
    except ImportError:
        if all(
            os.environ.get(v) == "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        ):
            info["threads"] = "OMP/OPENBLAS/MKL_NUM_THREADS=1"
    try:
        with limiter:
            yield info
    finally:
        if old is not None:
            os.sched_setaffinity(0, old)


def tile_clips(
    sources: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], n_clips: int, frames: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, frames, J) x, y, likelihood built from real clips: clip i is source i mod S, starting
    at a different frame each time and wrapping around (tiled when shorter than ``frames``)."""
    xs, ys, ws = [], [], []
    for i in range(n_clips):
        x, y, w = sources[i % len(sources)]
        start = (i // len(sources)) * 7 % len(x)
        idx = (start + np.arange(frames)) % len(x)
        xs.append(x[idx])
        ys.append(y[idx])
        ws.append(w[idx])
    return (np.stack(xs).astype(np.float64), np.stack(ys).astype(np.float64), np.stack(ws).astype(np.float64))


def _best(fn: Any, repeats: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        result = None  # free the previous result before the next run
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def run(
    xs: np.ndarray,
    ys: np.ndarray,
    ws: np.ndarray,
    *,
    loop_clips: int = 10,
    repeats: int = 3,
    seed: int = 0,
    sigma: float = 0.001,
    percentile: float = 0.5,
) -> dict[str, Any]:
    """Time `lift` on all N clips and the two loops on ``loop_clips`` of them (best of ``repeats``
    each, so that a busy machine disturbs the ratio less).

    xs, ys, ws: (N, T, 50). Returns seconds, the loops' times extrapolated to N clips, the
    speed-up ratios, the paper's figure scaled to N clips, and the largest difference between
    the vectorised and the loop results on the loop's clips.
    """
    n_clips, frames = xs.shape[:2]
    k = max(1, min(loop_clips, n_clips))
    structure = UPPER50_STRUCTURE

    def vectorised() -> Any:
        return lift(
            xs, ys, ws, structure, sigma=sigma, rng=np.random.default_rng(seed), percentile=percentile
        )

    def loop(fn: Any) -> Any:
        rng = np.random.default_rng(seed)
        return [fn(xs[i], ys[i], ws[i], structure, sigma, rng, percentile) for i in range(k)]

    with one_core() as core:
        lift(xs[:2], ys[:2], ws[:2], rng=seed)  # warm-up
        vec, vec_runs, _ = _best(vectorised, repeats)
        loop_s, loop_runs, loop_out = _best(lambda: loop(lift_loop), repeats)
        lists_s, lists_runs, lists_out = _best(lambda: loop(lift_loop_lists), repeats)
    check = lift(xs[:k], ys[:k], ws[:k], sigma=sigma, rng=np.random.default_rng(seed), percentile=percentile)
    diff = max(
        float(np.max(np.abs(got - want)))
        for i in range(k)
        for ref in (loop_out, lists_out)
        for got, want in zip(check.clip(i), ref[i], strict=True)
    )
    scale = float(np.abs(xs).max())
    loop_total = loop_s / k * n_clips
    lists_total = lists_s / k * n_clips
    paper = PAPER_SECONDS / PAPER_CLIPS * n_clips
    return {
        "name": "lifting",
        "what": "SignLLM Algorithm 1 (2D -> 3D lifting), upper50, 49 bones",
        "clips": n_clips,
        "frames": frames,
        "core": core,
        "repeats": repeats,
        "vectorised_s": vec,
        "vectorised_runs_s": vec_runs,
        "loop_clips": k,
        "loop_measured_s": loop_s,
        "loop_runs_s": loop_runs,
        "loop_extrapolated_s": loop_total,
        "speedup_vs_loop": loop_total / vec,
        "loop_lists_measured_s": lists_s,
        "loop_lists_runs_s": lists_runs,
        "loop_lists_extrapolated_s": lists_total,
        "speedup_vs_loop_lists": lists_total / vec,
        "paper_s": paper,
        "paper_ratio": paper / vec,
        "max_abs_diff_vs_loop": diff,
        "max_abs_coordinate": scale,
    }


def format_table(r: dict[str, Any]) -> str:
    """A readable table of a `run` result."""
    n = r["clips"]

    def row(name: str, clips: int, seconds: float, note: str = "") -> str:
        per = seconds / max(clips, 1)
        per_s = f"{per * 1e3:9.2f} ms" if per < 1 else f"{per:9.2f} s "
        return f"  {name:<44} {clips:>6} {seconds:>11.3f} {per_s}  {note}".rstrip()

    k = r["loop_clips"]
    return "\n".join(
        [
            f"lifting: {r['what']}",
            f"  {n} clips x {r['frames']} frames, one CPU core (cpu {r['core']['cpu']};"
            f" {r['core']['threads']}); best of {r['repeats']} runs",
            f"  {'':<44} {'clips':>6} {'seconds':>11} {'per clip':>12}",
            row("vectorised (signstudio.pose.lifting.lift)", n, r["vectorised_s"]),
            row("per-frame loop on numpy arrays, measured", k, r["loop_measured_s"]),
            row("per-frame loop on numpy arrays, extrapolated", n, r["loop_extrapolated_s"],
                f"x{r['speedup_vs_loop']:.0f} slower (linear from {k} clips)"),
            row("per-frame loop on Python lists, measured", k, r["loop_lists_measured_s"]),
            row("per-frame loop on Python lists, extrapolated", n, r["loop_lists_extrapolated_s"],
                f"x{r['speedup_vs_loop_lists']:.0f} slower (linear from {k} clips)"),
            row("paper: RTX 3060, 1000 clips in 10 h (C.2)", n, r["paper_s"],
                f"x{r['paper_ratio']:.0f} (scaled to {n} clips)"),
            f"  speed-up over the loop transcription: {r['speedup_vs_loop']:.1f}x"
            f" (over the list-based loop: {r['speedup_vs_loop_lists']:.1f}x)",
            "  the paper's figure is context, not a like-for-like comparison: other hardware, unknown clip"
            " lengths, and it covers its whole 2D-to-3D step",
            f"  max |vectorised - loop| on the loop's clips: {r['max_abs_diff_vs_loop']:.1e}"
            f" (coordinates up to {r['max_abs_coordinate']:.0f})",
        ]
    )  # fmt: skip
