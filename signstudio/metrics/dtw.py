"""Dynamic time warping between a generated and a reference pose sequence (numpy + numba): exact,
or banded above a memory budget (see "Long sequences").

    result = dtw(generated, reference, metric="pt-dtw")   # or "dtw-mje"
    result.score, result.path (K, 2), result.frame_costs (K,), result.label

Always show which score a number is (`DTWResult.label`): the two are different quantities.

**Alignment.** The classic symmetric recursion with unit weights,
``D[i, j] = C[i, j] + min(D[i-1, j-1], D[i-1, j], D[i, j-1])``, ``D[0, 0] = C[0, 0]``, no window:
exact, O(N·M) time, N·M bytes of memory (below). The path runs from (0, 0) to (N-1, M-1), each
step advancing one or both indices (monotone, continuous); ties are broken diagonal first, then
the generated index, then the reference index. ``path[k] = (generated frame, reference frame)``.

**Frame cost matrix C (N_gen, M_ref).** Computed before the accumulation, vectorised:

* ``pt-dtw`` — L1: the sum over all joint coordinates of |x_gen - x_ref|, as Progressive
  Transformers' evaluation (Saunders et al. 2020, ``helpers.calculate_dtw``: the ``dtw`` package
  with ``dist=lambda x, y: np.sum(np.abs(x - y))`` over the flattened joints — named "euclidean"
  there, but it is the L1 norm). An L1 distance is not a matrix product, so C is summed by a numba
  kernel over joints.
* ``dtw-mje`` — L2 per joint: the Euclidean distance of each joint; the frame cost is the mean
  over joints (SLRTP 2025 challenge's DTW-MJE). Two routes give the same matrix:
  ``method="matmul"``, ``sqrt(‖a‖² + ‖b‖² - 2 a·b)`` with the cross term a batched matrix product
  per chunk of joints (float64, data centred on the reference's mean to keep the cancellation
  small, rounding negatives clipped to 0; equal to within ~1e-8), and ``method="numba"`` (the
  default), a numba kernel on the differences (exact: identical frames cost exactly 0). Per joint
  the product's inner dimension is only 3, so BLAS gains nothing and the extra passes over
  J·N·M elements cost: for 500 x 450 frames of 543 joints the kernel takes 0.24 s, the product
  route 2.7 s (one core).

**Missing joints.** A joint missing (confidence 0, or a non-finite coordinate in an array) in
either frame is left out of that pair's cost, which uses the joints present in both: ``dtw-mje``
takes their mean; ``pt-dtw`` takes J times their mean L1 (so with every joint present it is
exactly PT's sum over all coordinates). A pair of frames with no joint in common has no defined
cost; it gets the mean of the defined costs of the matrix (a neutral penalty; 0 when none is
defined).

**Scores.**

* ``pt-dtw``: ``D[N-1, M-1] / N_ref``, the accumulated L1 cost divided by the *reference* length
  (PT calls ``dtw(reference, hypothesis)`` and divides by ``acc_cost_matrix.shape[0]``). PT also
  cuts both sequences at their counter's maximum and drops the hypothesis' BOS frame first; a
  `PoseSequence` carries no counter or BOS frame, so nothing is cut here.
* ``dtw-mje``: the mean per-joint error over the aligned pairs, ``mean(frame_costs)`` with the
  L2 frame cost above (each pair of the path weighs the same), in the sequences' units (shoulder
  widths for normalised poses).

**Long sequences.** `dtw` never holds an N x M matrix of floats: the frame costs are computed a
block of rows at a time, tiled over reference frames and shared among threads, inside the
recursion (`signstudio.metrics.dtw_kernels`); D lives in two rows and each cell keeps one byte,
the step that reached it. The same arithmetic in the same order as `cost_matrix` + `accumulate`,
so scores, paths and frame costs are bit-for-bit the whole-matrix route's (where a pair of frames
shares no joint, the neutral cost is the same mean summed in another order: equal to rounding).

* exact route while N·M bytes fit ``max_bytes`` (`DEFAULT_MAX_BYTES`, 512 MiB: up to about
  23 000 x 23 000 frames, 15 minutes of signing at 25 fps each);
* banded route above it: both sides downsampled by a factor f (a power of 2, the coarse problem
  within a quarter of the budget, solved exactly), the coarse path projected up and widened by
  ``band`` frames on every side, as wide as the budget allows (at least f). The result says so
  (``route``, ``band``, ``coarse``, `DTWResult.route_note`). Bound: the band only removes paths,
  so the accumulated cost is never below the exact one (``pt-dtw`` >= the exact ``pt-dtw``);
  ``dtw-mje``, a mean along the path, has no guaranteed direction. Measured on real signing with
  bands far narrower than the default budget gives: within 1.9 % of the exact accumulated cost
  (``tests/metrics/test_dtw_long.py``). A pair with no joint in common gets the mean of the
  band's defined costs.

**Both scores at once.** `dtw_pair` gives (``dtw-mje``, ``pt-dtw``), bit-for-bit the two `dtw`
calls, in one pass while both back-pointer arrays fit ``max_bytes`` (2 x N x M bytes: up to about
16 000 x 16 000 frames at the default budget; above it the two calls in turn): each joint
difference gives both frame costs (`dtw_kernels.row_costs_pair`), and the two recursions advance
over the same block of rows. What the studio's pair scoring and ``signstudio score`` use; a
15 000 x 14 700-frame pair takes about 7 s and 440 MB of back-pointers on 2 cores
(``signstudio bench --only long-dtw`` times the whole pair scoring).

``method="matmul"`` keeps the whole-matrix route (``dtw-mje`` only differs in the cost matrix).

Other libraries compute other quantities: ``dtaidistance.dtw.distance`` and ``tslearn``'s
``dtw`` return ``sqrt(Σ d²)`` along their path (squared Euclidean cost, square root at the end),
``fastdtw`` an approximate sum of its ``dist`` along a windowed path; none of them divides by a
length. Their numbers are not comparable with ``pt-dtw`` or ``dtw-mje``.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numba import njit

from signstudio.metrics import dtw_kernels as kern
from signstudio.pose.sequence import PoseSequence

Metric = Literal["pt-dtw", "dtw-mje"]
METRICS: tuple[str, ...] = ("pt-dtw", "dtw-mje")
LABELS = {
    "pt-dtw": "PT-DTW (L1 frame cost, D[N,M]/N_ref)",
    "dtw-mje": "DTW-MJE (mean per-joint L2 error over aligned frames)",
}

# Elements of one (joints, N, M) block of the L2 computation (float64: 64 MB).
_BLOCK = 8_000_000
#: Bytes of back-pointers (one per cell) the exact route may take; above it the banded route runs.
#: 512 MiB: exact up to about 23 000 x 23 000 frames, with the process' peak under 1 GB.
DEFAULT_MAX_BYTES = 512 * 2**20
_ROWS_PER_BLOCK = 64  # rows of frame costs computed together (shared among the threads)


@dataclass(frozen=True, eq=False)
class DTWResult:
    """score: see the module docstring for each metric. path: (K, 2) int64 (generated, reference)
    frame pairs from (0, 0) to (n_gen-1, n_ref-1). frame_costs: (K,) the frame cost of each pair
    of the path (L1 for ``pt-dtw``, mean per-joint L2 for ``dtw-mje``)."""

    score: float
    metric: str
    path: np.ndarray
    frame_costs: np.ndarray
    n_gen: int
    n_ref: int
    route: str = "exact"  # "exact", or "banded": see `dtw`
    band: int = 0  # banded: the band's half-width in frames around the coarse path
    coarse: int = 1  # banded: the coarse path's resolution (frames per coarse frame)

    @property
    def label(self) -> str:
        """Which score this is, for display next to the number."""
        return LABELS[self.metric]

    @property
    def route_note(self) -> str:
        """How the path was found, for display beside the score."""
        if self.route == "exact":
            return "exact DTW"
        return (
            f"banded DTW: within {self.band} frames of a 1/{self.coarse}-resolution path "
            f"({self.n_gen} x {self.n_ref} frames above the exact route's memory budget); "
            "an upper bound: the accumulated cost is never below the exact one"
        )

    @property
    def accumulated(self) -> float:
        """D[N-1, M-1]: the sum of ``frame_costs`` along the path."""
        return float(self.frame_costs.sum())

    def generated_frame_costs(self) -> np.ndarray:
        """(n_gen,) the mean cost of the pairs each generated frame takes part in (the timeline curve)."""
        sums = np.bincount(self.path[:, 0], weights=self.frame_costs, minlength=self.n_gen)
        counts = np.bincount(self.path[:, 0], minlength=self.n_gen)
        return sums / np.maximum(counts, 1)

    def reference_for_generated(self) -> np.ndarray:
        """(n_gen,) int: for each generated frame, the first reference frame it is aligned with
        (to time-warp the reference onto the generated timing)."""
        out = np.zeros(self.n_gen, dtype=np.int64)
        gen, ref = self.path[:, 0], self.path[:, 1]
        first = np.r_[True, gen[1:] != gen[:-1]]
        out[gen[first]] = ref[first]
        return out


def _as_points(x: PoseSequence | np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(F, J, 3) float64 coordinates (missing at 0) and (F, J) bool presence."""
    if isinstance(x, PoseSequence):
        data = x.data.astype(np.float64)
        present = x.confidence > 0
    else:
        data = np.asarray(x, dtype=np.float64)
        if data.ndim == 2 and data.shape[1] % 3 == 0:
            data = data.reshape(len(data), -1, 3)
        if data.ndim != 3 or data.shape[2] != 3:
            raise ValueError(f"{name} must be a PoseSequence or an (F, J, 3) array, got shape {data.shape}")
        present = np.asarray(np.isfinite(data).all(axis=2))
    if data.shape[0] == 0:
        raise ValueError(f"{name} has no frames")
    data = np.where(present[..., None], data, 0.0)
    return np.ascontiguousarray(data), np.ascontiguousarray(present)


@njit(cache=True)
def _kernel_costs(
    a: np.ndarray, ma: np.ndarray, b: np.ndarray, mb: np.ndarray, euclidean: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Sum over joints present in both of the L1 (or, ``euclidean``, L2) joint distance, and the count."""
    n, j_count = ma.shape
    m = mb.shape[0]
    total = np.zeros((n, m))
    count = np.zeros((n, m))
    for i in range(n):
        for k in range(m):
            s = 0.0
            c = 0
            for j in range(j_count):
                if ma[i, j] and mb[k, j]:
                    dx = a[i, j, 0] - b[k, j, 0]
                    dy = a[i, j, 1] - b[k, j, 1]
                    dz = a[i, j, 2] - b[k, j, 2]
                    if euclidean:
                        s += np.sqrt(dx * dx + dy * dy + dz * dz)
                    else:
                        s += abs(dx) + abs(dy) + abs(dz)
                    c += 1
            total[i, k] = s
            count[i, k] = c
    return total, count


def _l2_costs(a: np.ndarray, ma: np.ndarray, b: np.ndarray, mb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum over joints present in both of the per-joint Euclidean distance, and that joint count."""
    n, j_count = ma.shape
    m = mb.shape[0]
    wa, wb = ma.astype(np.float64), mb.astype(np.float64)
    count = wa @ wb.T  # (N, M) joints present in both
    total = np.zeros((n, m))
    step = max(1, _BLOCK // max(n * m, 1))
    for lo in range(0, j_count, step):
        hi = min(j_count, lo + step)
        aj = a[:, lo:hi].transpose(1, 0, 2)  # (c, N, 3)
        bj = b[:, lo:hi].transpose(1, 2, 0)  # (c, 3, M)
        sq = (aj * aj).sum(axis=2)[:, :, None] + (bj * bj).sum(axis=1)[:, None, :] - 2.0 * (aj @ bj)
        np.maximum(sq, 0.0, out=sq)
        np.sqrt(sq, out=sq)
        sq *= wa[:, lo:hi].T[:, :, None]
        sq *= wb[:, lo:hi].T[:, None, :]
        total += sq.sum(axis=0)
    return total, count


def _prepare(
    generated: PoseSequence | np.ndarray,
    reference: PoseSequence | np.ndarray,
    metric: str,
    method: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checked points and presence of both sides (`_as_points`)."""
    if metric not in METRICS:
        raise ValueError(f"unknown DTW metric {metric!r}; use one of {', '.join(METRICS)}")
    if method not in ("numba", "matmul"):
        raise ValueError(f"method must be 'numba' or 'matmul', got {method!r}")
    a, ma = _as_points(generated, "generated")
    b, mb = _as_points(reference, "reference")
    if (
        isinstance(generated, PoseSequence)
        and isinstance(reference, PoseSequence)
        and generated.skeleton.joints != reference.skeleton.joints
    ):
        raise ValueError(
            f"generated ({generated.layout}) and reference ({reference.layout}) have different "
            "layouts; convert one (signstudio.pose.convert) first"
        )
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"generated has {a.shape[1]} joints, reference {b.shape[1]}")
    return a, ma, b, mb


def cost_matrix(
    generated: PoseSequence | np.ndarray,
    reference: PoseSequence | np.ndarray,
    metric: Metric = "pt-dtw",
    method: Literal["numba", "matmul"] = "numba",
) -> np.ndarray:
    """The (N_gen, M_ref) frame cost matrix of ``metric`` (see the module docstring; ``method``
    chooses the route for ``dtw-mje``, ``pt-dtw`` always uses the kernel)."""
    a, ma, b, mb = _prepare(generated, reference, metric, method)
    j_count = a.shape[1]
    if metric == "pt-dtw":
        total, count = _kernel_costs(a, ma, b, mb, False)
        scale = float(j_count)
    elif method == "numba":
        total, count = _kernel_costs(a, ma, b, mb, True)
        scale = 1.0
    else:
        centre = b[mb].mean(axis=0) if mb.any() else np.zeros(3)
        a = np.where(ma[..., None], a - centre, 0.0)
        b = np.where(mb[..., None], b - centre, 0.0)
        total, count = _l2_costs(a, ma, b, mb)
        scale = 1.0
    defined = count > 0
    costs = np.empty_like(total)
    np.divide(total, count, out=costs, where=defined)
    costs *= scale
    if not defined.all():
        costs[~defined] = costs[defined].mean() if defined.any() else 0.0
    return costs


@njit(cache=True)
def _accumulate(c: np.ndarray) -> np.ndarray:
    n, m = c.shape
    d = np.empty((n, m))
    d[0, 0] = c[0, 0]
    for i in range(1, n):
        d[i, 0] = d[i - 1, 0] + c[i, 0]
    for j in range(1, m):
        d[0, j] = d[0, j - 1] + c[0, j]
    for i in range(1, n):
        for j in range(1, m):
            best = d[i - 1, j - 1]
            if d[i - 1, j] < best:
                best = d[i - 1, j]
            if d[i, j - 1] < best:
                best = d[i, j - 1]
            d[i, j] = c[i, j] + best
    return d


@njit(cache=True)
def _backtrack(d: np.ndarray) -> np.ndarray:
    n, m = d.shape
    path = np.empty((n + m - 1, 2), dtype=np.int64)
    i, j = n - 1, m - 1
    k = 0
    path[0, 0] = i
    path[0, 1] = j
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            diag, up, left = d[i - 1, j - 1], d[i - 1, j], d[i, j - 1]
            if diag <= up and diag <= left:
                i -= 1
                j -= 1
            elif up <= left:
                i -= 1
            else:
                j -= 1
        k += 1
        path[k, 0] = i
        path[k, 1] = j
    return path[: k + 1][::-1].copy()


def accumulate(costs: np.ndarray) -> np.ndarray:
    """The accumulated cost matrix D of a frame cost matrix (the recursion in the module docstring)."""
    return _accumulate(np.ascontiguousarray(costs, dtype=np.float64))


@dataclass
class _Sides:
    """Both sides in the kernels' layout (`signstudio.metrics.dtw_kernels`)."""

    a: np.ndarray
    ma: np.ndarray
    bt: np.ndarray
    mbf: np.ndarray
    euclidean: bool
    scale: float
    pool: ThreadPoolExecutor
    threads: int

    @classmethod
    def of(
        cls,
        a: np.ndarray,
        ma: np.ndarray,
        b: np.ndarray,
        mb: np.ndarray,
        metric: str,
        pool: ThreadPoolExecutor,
        threads: int,
    ) -> _Sides:
        bt = np.ascontiguousarray(b.transpose(1, 2, 0))
        mbf = np.ascontiguousarray(mb.T, dtype=np.float64)
        euclidean = metric == "dtw-mje"
        return cls(a, ma, bt, mbf, euclidean, 1.0 if euclidean else float(a.shape[1]), pool, threads)

    @property
    def tile(self) -> int:
        return kern.tile_width(self.a.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        return self.a.shape[0], self.bt.shape[2]

    def costs(
        self, i0: int, i1: int, lo: np.ndarray, hi: np.ndarray, fill: float, buf: np.ndarray
    ) -> list[Future[None]]:
        """Start computing rows i0..i1-1's costs into buf[i - i0], the rows dealt out to the threads."""
        rows = np.arange(i0, i1, dtype=np.int64)
        a, ma, bt, mbf, e, sc = self.a, self.ma, self.bt, self.mbf, self.euclidean, self.scale
        return [
            self.pool.submit(
                kern.block_costs,
                a,
                ma,
                bt,
                mbf,
                rows[t :: self.threads],
                i0,
                lo,
                hi,
                e,
                sc,
                fill,
                buf,
                self.tile,
            )
            for t in range(min(self.threads, i1 - i0))
        ]

    def fill(self, ma: np.ndarray, mb: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
        """The cost of a pair with no joint in common: the mean of the band's defined costs."""
        if (ma.all(axis=0) & mb.all(axis=0)).any() or not kern.any_undefined(
            np.packbits(ma, axis=1), np.packbits(mb, axis=1), lo, hi
        ):
            return 0.0  # never used
        n, _ = self.shape
        total, count = 0.0, 0
        buf = np.empty((_ROWS_PER_BLOCK, int((hi - lo).max()) + 1))
        for i0 in range(0, n, _ROWS_PER_BLOCK):
            i1 = min(n, i0 + _ROWS_PER_BLOCK)
            for f in self.costs(i0, i1, lo, hi, np.nan, buf):
                f.result()
            for i in range(i0, i1):
                row = buf[i - i0, : hi[i] - lo[i] + 1]
                ok = np.isfinite(row)
                total += float(row[ok].sum())
                count += int(ok.sum())
        return total / count if count else 0.0


def _solve(s: _Sides, lo: np.ndarray, hi: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """D[N-1, M-1], the path and its frame costs, over the band lo..hi of each row."""
    n, m = s.shape
    widths = hi - lo + 1
    offsets = np.zeros(n, dtype=np.int64)
    np.cumsum(widths[:-1], out=offsets[1:])
    pointers = np.empty(int(widths.sum()), dtype=np.uint8)
    fill = s.fill(s.ma, s.mbf.T > 0, lo, hi)
    rows = np.full((2, m), np.inf)
    bufs = [np.empty((_ROWS_PER_BLOCK, int(widths.max()))) for _ in range(2)]
    starts = list(range(0, n, _ROWS_PER_BLOCK))
    pending = s.costs(0, min(n, _ROWS_PER_BLOCK), lo, hi, fill, bufs[0])
    for b, i0 in enumerate(starts):
        i1 = min(n, i0 + _ROWS_PER_BLOCK)
        for f in pending:
            f.result()
        if b + 1 < len(starts):  # the next block's costs while this one is accumulated
            nxt = starts[b + 1]
            pending = s.costs(nxt, min(n, nxt + _ROWS_PER_BLOCK), lo, hi, fill, bufs[(b + 1) % 2])
        kern.accumulate_rows(bufs[b % 2], i0, i1, lo, hi, offsets, rows, pointers)
    path = kern.backtrack(pointers, lo, offsets, n, m)
    costs = kern.path_costs(s.a, s.ma, s.bt, s.mbf, path, s.euclidean, s.scale, fill)
    return float(rows[(n - 1) % 2, m - 1]), path, costs


def _downsample(x: np.ndarray, present: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the present points of each run of ``factor`` frames; present where any was."""
    starts = np.arange(0, len(x), factor)
    w = present.astype(np.float64)
    count = np.add.reduceat(w, starts, axis=0)
    sums = np.add.reduceat(x * w[..., None], starts, axis=0)
    mean = np.divide(sums, count[..., None], out=np.zeros_like(sums), where=count[..., None] > 0)
    return np.ascontiguousarray(mean), np.ascontiguousarray(count > 0)


def _band(
    a: np.ndarray, ma: np.ndarray, b: np.ndarray, mb: np.ndarray, metric: str, s: _Sides, max_bytes: int
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(lo, hi, half-width, factor): a band around the path of both sides downsampled by
    ``factor``, as wide as ``max_bytes`` allows (at least ``factor`` frames either side)."""
    n, m = len(a), len(b)
    factor = 2
    while math.ceil(n / factor) * math.ceil(m / factor) > max_bytes // 4:
        factor *= 2
    ca, cma = _downsample(a, ma, factor)
    cb, cmb = _downsample(b, mb, factor)
    coarse = _Sides.of(ca, cma, cb, cmb, metric, s.pool, s.threads)
    cn, cm = coarse.shape
    _, cpath, _ = _solve(coarse, np.zeros(cn, np.int64), np.full(cn, cm - 1, np.int64))
    radius = max(factor, int((max_bytes / n - factor * (1 + m / n)) / 2))
    while True:
        lo, hi = kern.band_from_path(cpath, factor, radius, n, m)
        if int((hi - lo + 1).sum()) <= max_bytes or radius <= factor:
            return lo, hi, radius, factor
        radius = max(factor, radius * 3 // 4)


def dtw(
    generated: PoseSequence | np.ndarray,
    reference: PoseSequence | np.ndarray,
    metric: Metric = "pt-dtw",
    method: Literal["numba", "matmul"] = "numba",
    max_bytes: int = DEFAULT_MAX_BYTES,
    threads: int | None = None,
) -> DTWResult:
    """DTW of ``generated`` (N frames) against ``reference`` (M frames): exact while N x M bytes of
    back-pointers fit in ``max_bytes``, banded above (see "Long sequences" in the module docstring).

    generated / reference: `PoseSequence`s in the same layout, or (F, J, 3) arrays (or (F, 3J)
    flattened; non-finite points are missing). metric: ``pt-dtw`` or ``dtw-mje``. method:
    ``numba`` (the row-by-row kernels) or ``matmul`` (``dtw-mje``'s whole cost matrix by matrix
    products, then `accumulate`: O(N x M) float64 memory, exact only). threads: for the frame
    costs (default: the CPUs, at most 8).
    """
    a, ma, b, mb = _prepare(generated, reference, metric, method)
    n, m = len(a), len(b)
    if method == "matmul":
        costs = cost_matrix(generated, reference, metric, method)
        d = accumulate(costs)
        path = _backtrack(d)
        frame_costs = costs[path[:, 0], path[:, 1]]
        score = float(d[n - 1, m - 1]) / m if metric == "pt-dtw" else float(frame_costs.mean())
        return DTWResult(score, metric, path, frame_costs, n, m)
    count = threads or max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(count, thread_name_prefix="dtw") as pool:
        s = _Sides.of(a, ma, b, mb, metric, pool, count)
        route, radius, factor = "exact", 0, 1
        if n * m <= max_bytes:
            lo, hi = np.zeros(n, np.int64), np.full(n, m - 1, np.int64)
        else:
            route = "banded"
            lo, hi, radius, factor = _band(a, ma, b, mb, metric, s, max_bytes)
        last, path, frame_costs = _solve(s, lo, hi)
    score = last / m if metric == "pt-dtw" else float(frame_costs.mean())
    return DTWResult(score, metric, path, frame_costs, n, m, route, radius, factor)


def _solve_pair(l2: _Sides, l1: _Sides) -> tuple[tuple[float, np.ndarray, np.ndarray], ...]:
    """`_solve` of both frame costs over whole rows at once: one pass computes the L2 and L1 costs
    of a block of rows (`kern.block_costs_pair`), two recursions accumulate them (one byte per cell
    each). Returns (D[N-1, M-1], path, path costs) of ``l2`` then ``l1``."""
    n, m = l2.shape
    lo, hi = np.zeros(n, np.int64), np.full(n, m - 1, np.int64)
    offsets = np.arange(n, dtype=np.int64) * m
    fill2 = l2.fill(l2.ma, l2.mbf.T > 0, lo, hi)
    fill1 = l1.fill(l1.ma, l1.mbf.T > 0, lo, hi)
    full = np.ascontiguousarray((l2.mbf > 0).all(axis=1))
    pointers = [np.empty(n * m, dtype=np.uint8) for _ in range(2)]
    rows = [np.full((2, m), np.inf) for _ in range(2)]
    bufs = [[np.empty((_ROWS_PER_BLOCK, m)) for _ in range(2)] for _ in range(2)]  # [metric][parity]

    def start(i0: int, parity: int) -> list[Future[None]]:
        block = np.arange(i0, min(n, i0 + _ROWS_PER_BLOCK), dtype=np.int64)
        b2, b1 = bufs[0][parity], bufs[1][parity]
        args = (l2.a, l2.ma, l2.bt, l2.mbf, full)
        return [
            l2.pool.submit(
                kern.block_costs_pair,
                *args,
                block[t :: l2.threads],
                i0,
                m,
                l1.scale,
                fill1,
                fill2,
                b1,
                b2,
                l2.tile,
            )
            for t in range(min(l2.threads, len(block)))
        ]

    starts = list(range(0, n, _ROWS_PER_BLOCK))
    pending = start(0, 0)
    for b, i0 in enumerate(starts):
        i1 = min(n, i0 + _ROWS_PER_BLOCK)
        for f in pending:
            f.result()
        if b + 1 < len(starts):  # the next block's costs while this one is accumulated
            pending = start(starts[b + 1], (b + 1) % 2)
        for k in range(2):
            kern.accumulate_rows(bufs[k][b % 2], i0, i1, lo, hi, offsets, rows[k], pointers[k])
    out = []
    for k, (s, fill) in enumerate(((l2, fill2), (l1, fill1))):
        path = kern.backtrack(pointers[k], lo, offsets, n, m)
        costs = kern.path_costs(s.a, s.ma, s.bt, s.mbf, path, s.euclidean, s.scale, fill)
        out.append((float(rows[k][(n - 1) % 2, m - 1]), path, costs))
    return tuple(out)


def dtw_pair(
    generated: PoseSequence | np.ndarray,
    reference: PoseSequence | np.ndarray,
    method: Literal["numba", "matmul"] = "numba",
    max_bytes: int = DEFAULT_MAX_BYTES,
    threads: int | None = None,
) -> tuple[DTWResult, DTWResult]:
    """(``dtw-mje``, ``pt-dtw``) of the pair: bit-for-bit ``dtw(generated, reference, "dtw-mje")``
    and ``dtw(generated, reference, "pt-dtw")`` with the same arguments, in one pass while both
    back-pointer arrays (2 x N x M bytes) fit ``max_bytes``: each joint difference is computed
    once for both frame costs, and both recursions advance over the same block of rows (about
    half the time of the two calls). Above it, the two calls one after the other (each exact while
    its N x M bytes fit, banded above: see "Long sequences"); ``method="matmul"``: the two
    whole-matrix calls."""
    a, ma, b, mb = _prepare(generated, reference, "dtw-mje", method)
    n, m = len(a), len(b)
    if method == "matmul" or 2 * n * m > max_bytes:
        return (
            dtw(generated, reference, "dtw-mje", method, max_bytes, threads),
            dtw(generated, reference, "pt-dtw", method, max_bytes, threads),
        )
    count = threads or max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(count, thread_name_prefix="dtw") as pool:
        l2 = _Sides.of(a, ma, b, mb, "dtw-mje", pool, count)
        l1 = _Sides(a, ma, l2.bt, l2.mbf, False, float(a.shape[1]), pool, count)
        (_, path2, costs2), (last1, path1, costs1) = _solve_pair(l2, l1)
    return (
        DTWResult(float(costs2.mean()), "dtw-mje", path2, costs2, n, m),
        DTWResult(last1 / m, "pt-dtw", path1, costs1, n, m),
    )


__all__ = [
    "DEFAULT_MAX_BYTES",
    "LABELS",
    "METRICS",
    "DTWResult",
    "accumulate",
    "cost_matrix",
    "dtw",
    "dtw_pair",
]
