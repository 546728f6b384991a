"""Numba kernels of `signstudio.metrics.dtw`: the DTW recursion with the frame costs computed row by
row inside it, inside a band of columns per row (the whole row on the exact route).

Nothing of size N x M is held in floats: the accumulated cost lives in two rows, and each cell
keeps one byte, the step that reached it (``DIAG``, ``UP``, ``LEFT``), so the path is recovered
exactly; N x M bytes on the exact route (220 MB at 15 000 x 14 700 frames), the band's area on the
banded one. Row costs are computed in blocks of rows, the blocks' rows shared among threads
(``nogil`` kernels; `signstudio.metrics.dtw` runs them), the recursion itself in one thread.

The arithmetic is the same, in the same order, as `signstudio.metrics.dtw.cost_matrix` followed by
`signstudio.metrics.dtw.accumulate`: joints summed in index order, ``total / count * scale``,
``D[i, j] = C[i, j] + min(...)`` with the same tie rule (diagonal first, then the generated index,
then the reference index), so the exact route's scores and paths are bit-for-bit today's.

Arrays: ``a`` (N, J, 3) float64 generated points (missing at 0), ``ma`` (N, J) bool presence;
``bt`` (J, 3, M) the reference transposed so a joint's coordinates over frames are contiguous,
``mbf`` (J, M) float64 1.0 / 0.0 presence; ``lo``/``hi`` (N,) int64 the first and last column of
each row's band (non-decreasing), ``offsets`` (N,) int64 where each row's bytes start.
"""

from __future__ import annotations

import numpy as np
from numba import njit

DIAG, UP, LEFT = 0, 1, 2


@njit(cache=True, nogil=True)
def row_costs(
    a: np.ndarray,
    ma: np.ndarray,
    bt: np.ndarray,
    mbf: np.ndarray,
    i: int,
    lo: int,
    hi: int,
    euclidean: bool,
    scale: float,
    fill: float,
    out: np.ndarray,
    work: np.ndarray,
) -> None:
    """out[: hi - lo + 1] = the frame costs of generated frame ``i`` against reference frames
    lo..hi; a pair with no joint in common gets ``fill``. work: (2, w) scratch, w >= hi - lo + 1."""
    w = hi - lo + 1
    total = work[0, :w]
    count = work[1, :w]
    total[:] = 0.0
    count[:] = 0.0
    for j in range(ma.shape[1]):
        if not ma[i, j]:
            continue
        ax, ay, az = a[i, j, 0], a[i, j, 1], a[i, j, 2]
        bx, by, bz, mj = (
            bt[j, 0, lo : hi + 1],
            bt[j, 1, lo : hi + 1],
            bt[j, 2, lo : hi + 1],
            mbf[j, lo : hi + 1],
        )
        if euclidean:
            for t in range(w):
                dx = ax - bx[t]
                dy = ay - by[t]
                dz = az - bz[t]
                total[t] += np.sqrt(dx * dx + dy * dy + dz * dz) * mj[t]
                count[t] += mj[t]
        else:
            for t in range(w):
                total[t] += (abs(ax - bx[t]) + abs(ay - by[t]) + abs(az - bz[t])) * mj[t]
                count[t] += mj[t]
    for t in range(w):
        out[t] = total[t] / count[t] * scale if count[t] > 0 else fill


def tile_width(joints: int) -> int:
    """Reference frames per tile: a tile's points (joints x 4 x 8 bytes a frame) stay in cache
    while a block's rows are computed against it."""
    return max(64, min(512, 16384 // max(joints, 1)))


@njit(cache=True, nogil=True)
def block_costs(
    a: np.ndarray,
    ma: np.ndarray,
    bt: np.ndarray,
    mbf: np.ndarray,
    rows: np.ndarray,
    i0: int,
    lo: np.ndarray,
    hi: np.ndarray,
    euclidean: bool,
    scale: float,
    fill: float,
    buf: np.ndarray,
    tile: int,
) -> None:
    """buf[i - i0] = `row_costs` of each row i in ``rows`` (one thread's share of a block), tile
    by tile of reference frames so each tile is read from memory once per block, not per row."""
    if len(rows) == 0:
        return
    work = np.empty((2, tile))
    first, last = lo[rows[0]], hi[rows[0]]
    for r in range(len(rows)):
        first = min(first, lo[rows[r]])
        last = max(last, hi[rows[r]])
    for t0 in range(first, last + 1, tile):
        for r in range(len(rows)):
            i = rows[r]
            c0 = max(lo[i], t0)
            c1 = min(hi[i], t0 + tile - 1)
            if c0 <= c1:
                row_costs(a, ma, bt, mbf, i, c0, c1, euclidean, scale, fill, buf[i - i0, c0 - lo[i] :], work)


@njit(cache=True, nogil=True)
def accumulate_rows(
    buf: np.ndarray,
    i0: int,
    i1: int,
    lo: np.ndarray,
    hi: np.ndarray,
    offsets: np.ndarray,
    rows: np.ndarray,
    pointers: np.ndarray,
) -> None:
    """Advance the recursion over rows i0..i1-1 whose costs are ``buf[i - i0]``. ``rows`` (2, M):
    the previous row of D in ``rows[(i - 1) % 2]`` (inf outside its band), the row being written in
    ``rows[i % 2]``; each cell's step goes to ``pointers[offsets[i] + j - lo[i]]``."""
    inf = np.inf
    for i in range(i0, i1):
        cur = rows[i % 2]
        prev = rows[(i + 1) % 2]
        if i >= 2:  # what this buffer held: row i-2
            cur[lo[i - 2] : hi[i - 2] + 1] = inf
        c = buf[i - i0]
        lo_i, base = lo[i], offsets[i]
        for k in range(lo_i, hi[i] + 1):
            if i == 0 and k == 0:
                cur[0] = c[0]
                pointers[base] = DIAG
                continue
            best = prev[k - 1] if k > 0 else inf
            step = DIAG
            if prev[k] < best:
                best = prev[k]
                step = UP
            left = cur[k - 1] if k > lo_i else inf
            if left < best:
                best = left
                step = LEFT
            cur[k] = c[k - lo_i] + best
            pointers[base + k - lo_i] = step


@njit(cache=True, nogil=True)
def backtrack(pointers: np.ndarray, lo: np.ndarray, offsets: np.ndarray, n: int, m: int) -> np.ndarray:
    """(K, 2) the path from (0, 0) to (n-1, m-1) that the steps in ``pointers`` record."""
    path = np.empty((n + m - 1, 2), dtype=np.int64)
    i, j = n - 1, m - 1
    k = 0
    path[0, 0] = i
    path[0, 1] = j
    while i > 0 or j > 0:
        step = pointers[offsets[i] + j - lo[i]]
        if step == DIAG:
            i -= 1
            j -= 1
        elif step == UP:
            i -= 1
        else:
            j -= 1
        k += 1
        path[k, 0] = i
        path[k, 1] = j
    return path[: k + 1][::-1].copy()


@njit(cache=True, nogil=True)
def path_costs(
    a: np.ndarray,
    ma: np.ndarray,
    bt: np.ndarray,
    mbf: np.ndarray,
    path: np.ndarray,
    euclidean: bool,
    scale: float,
    fill: float,
) -> np.ndarray:
    """(K,) the frame cost of each pair of ``path`` (the same arithmetic as `row_costs`)."""
    out = np.empty(len(path))
    one = np.empty(1)
    work = np.empty((2, 1))
    for p in range(len(path)):
        i, k = path[p, 0], path[p, 1]
        row_costs(a, ma, bt, mbf, i, k, k, euclidean, scale, fill, one, work)
        out[p] = one[0]
    return out


@njit(cache=True, nogil=True)
def any_undefined(pa: np.ndarray, pb: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether a pair inside the band has no joint present in both frames (``pa`` (N, W), ``pb``
    (M, W): presence packed into bytes)."""
    for i in range(pa.shape[0]):
        for k in range(lo[i], hi[i] + 1):
            hit = False
            for w in range(pa.shape[1]):
                if pa[i, w] & pb[k, w]:
                    hit = True
                    break
            if not hit:
                return True
    return False


@njit(cache=True, nogil=True)
def band_from_path(
    coarse: np.ndarray, factor: int, radius: int, n: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) per fine row: every cell within ``radius`` frames (rows and columns) of a cell of
    the coarse ``path`` (a coarse cell covers ``factor`` x ``factor`` fine cells)."""
    lo = np.full(n, m, dtype=np.int64)
    hi = np.full(n, -1, dtype=np.int64)
    for p in range(len(coarse)):
        r0 = max(0, coarse[p, 0] * factor - radius)
        r1 = min(n - 1, (coarse[p, 0] + 1) * factor - 1 + radius)
        c0 = max(0, coarse[p, 1] * factor - radius)
        c1 = min(m - 1, (coarse[p, 1] + 1) * factor - 1 + radius)
        for i in range(r0, r1 + 1):
            lo[i] = min(lo[i], c0)
            hi[i] = max(hi[i], c1)
    return lo, hi


@njit(cache=True, nogil=True)
def row_costs_pair(
    a: np.ndarray,
    ma: np.ndarray,
    bt: np.ndarray,
    mbf: np.ndarray,
    full: np.ndarray,
    i: int,
    lo: int,
    hi: int,
    scale_l1: float,
    fill_l1: float,
    fill_l2: float,
    out_l1: np.ndarray,
    out_l2: np.ndarray,
    work: np.ndarray,
) -> None:
    """`row_costs` of both frame costs at once, from the same joint differences: out_l1 the L1
    cost (``pt-dtw``, times ``scale_l1``), out_l2 the mean per-joint L2 (``dtw-mje``). Each sum is
    taken in the same order as `row_costs` takes it, so both are bit-for-bit its results.
    full: (J,) bool, joint j present in every reference frame (its loop skips the mask).
    work: (3, w) scratch, w >= hi - lo + 1."""
    w = hi - lo + 1
    t1 = work[0, :w]
    t2 = work[1, :w]
    count = work[2, :w]
    t1[:] = 0.0
    t2[:] = 0.0
    count[:] = 0.0
    for j in range(ma.shape[1]):
        if not ma[i, j]:
            continue
        ax, ay, az = a[i, j, 0], a[i, j, 1], a[i, j, 2]
        bx, by, bz, mj = (
            bt[j, 0, lo : hi + 1],
            bt[j, 1, lo : hi + 1],
            bt[j, 2, lo : hi + 1],
            mbf[j, lo : hi + 1],
        )
        if full[j]:  # present in every reference frame: x * 1.0 is x, so the same sums
            for t in range(w):
                dx = ax - bx[t]
                dy = ay - by[t]
                dz = az - bz[t]
                t1[t] += abs(dx) + abs(dy) + abs(dz)
                t2[t] += np.sqrt(dx * dx + dy * dy + dz * dz)
                count[t] += 1.0
            continue
        for t in range(w):
            dx = ax - bx[t]
            dy = ay - by[t]
            dz = az - bz[t]
            t1[t] += (abs(dx) + abs(dy) + abs(dz)) * mj[t]
            t2[t] += np.sqrt(dx * dx + dy * dy + dz * dz) * mj[t]
            count[t] += mj[t]
    for t in range(w):
        if count[t] > 0:
            out_l1[t] = t1[t] / count[t] * scale_l1
            out_l2[t] = t2[t] / count[t] * 1.0
        else:
            out_l1[t] = fill_l1
            out_l2[t] = fill_l2


@njit(cache=True, nogil=True)
def block_costs_pair(
    a: np.ndarray,
    ma: np.ndarray,
    bt: np.ndarray,
    mbf: np.ndarray,
    full: np.ndarray,
    rows: np.ndarray,
    i0: int,
    m: int,
    scale_l1: float,
    fill_l1: float,
    fill_l2: float,
    buf_l1: np.ndarray,
    buf_l2: np.ndarray,
    tile: int,
) -> None:
    """`block_costs` of both frame costs (`row_costs_pair`) over whole rows (the exact route)."""
    work = np.empty((3, tile))
    for t0 in range(0, m, tile):
        c1 = min(m - 1, t0 + tile - 1)
        for r in range(len(rows)):
            i = rows[r]
            row_costs_pair(
                a,
                ma,
                bt,
                mbf,
                full,
                i,
                t0,
                c1,
                scale_l1,
                fill_l1,
                fill_l2,
                buf_l1[i - i0, t0:],
                buf_l2[i - i0, t0:],
                work,
            )
