"""The vectorised 2D -> 3D lifting against a plain, line-by-line transcription of Algorithm 1."""

from __future__ import annotations

import math
import statistics
from functools import cache

import numpy as np
import pytest

from signstudio.pose.lifting import (
    UPPER50_STRUCTURE,
    Z_NUDGE,
    bone_lengths_3d,
    check_structure,
    lift,
)
from signstudio.pose.skeleton import get_layout

TOL = {"rtol": 1e-9, "atol": 1e-9}


def algorithm1_loop(Xx, Xy, Xw, structure, sigma, rng, percentile):  # noqa: C901 (the paper, line by line)
    """SignLLM Algorithm 1 for one clip, line by line: Python loops over bones and frames on
    numpy arrays, as the paper declares them (and as Prompt2Sign's code indexes them).

    Before line 1: the documented missing-point step of `signstudio.pose.lifting` (per-joint
    median over measured frames; never-measured joints take their parent's point; line lengths
    from frames where both ends were measured, if any).
    """
    Xx = np.array(Xx, dtype=np.float64)
    Xy = np.array(Xy, dtype=np.float64)
    Xw = np.array(Xw, dtype=np.float64)
    measured = np.zeros(Xx.shape, dtype=bool)
    for t in range(Xx.shape[0]):
        for j in range(Xx.shape[1]):
            measured[t, j] = Xw[t, j] > 0 and math.isfinite(Xx[t, j]) and math.isfinite(Xy[t, j])
    seen = [False] * Xx.shape[1]
    for j in range(Xx.shape[1]):
        vx = [Xx[t, j] for t in range(Xx.shape[0]) if measured[t, j]]
        vy = [Xy[t, j] for t in range(Xx.shape[0]) if measured[t, j]]
        if vx:
            seen[j] = True
            mx, my = statistics.median(vx), statistics.median(vy)
            for t in range(Xx.shape[0]):
                if not measured[t, j]:
                    Xx[t, j], Xy[t, j] = mx, my
        else:
            Xx[:, j], Xy[:, j] = 0.0, 0.0
    for a, b, _line in structure:
        if not seen[b]:
            for t in range(Xx.shape[0]):
                Xx[t, b], Xy[t, b] = Xx[t, a], Xy[t, a]

    # 1. Set T as number of rows and n as number of columns of Xx
    T, n = Xx.shape
    # 2. Initialize arrays lines, rootsx, rootsy, rootsz, anglesx, anglesy, anglesz
    n_lines = max(line for _, _, line in structure) + 1
    lines = np.zeros(n_lines)
    anglesx = np.zeros((T, len(structure)))
    anglesy = np.zeros((T, len(structure)))
    anglesz = np.zeros((T, len(structure)))
    # 3. Set rootsx as first column of Xx; Set rootsy as first column of Xy
    rootsx = Xx[0:T, 0].copy()
    rootsy = Xy[0:T, 0].copy()
    # 4. Set rootsz as array of zeros with size T
    rootsz = np.zeros(T)
    # 5. Add noise to rootsx, rootsy, rootsz arrays
    rootsx = rootsx + rng.uniform(-sigma, sigma, size=T)
    rootsy = rootsy + rng.uniform(-sigma, sigma, size=T)
    rootsz = rootsz + rng.uniform(-sigma, sigma, size=T)
    # 6. Initialize arrays Yx, Yy, Yz as arrays of zeros with size T x n
    Yx = np.zeros((T, n))
    Yy = np.zeros((T, n))
    Yz = np.zeros((T, n))
    # 7. Set first column of Yx as rootsx, of Yy as rootsy, of Yz as rootsz
    Yx[0:T, 0] = rootsx
    Yy[0:T, 0] = rootsy
    Yz[0:T, 0] = rootsz
    # 8-14. for each bone: for each row t: compute L (eq. 1), append L to lines
    Ls = [[] for _ in range(n_lines)]
    Ls_measured = [[] for _ in range(n_lines)]
    for a, b, line in structure:
        for t in range(T):
            L = math.sqrt((Xx[t, a] - Xx[t, b]) ** 2 + (Xy[t, a] - Xy[t, b]) ** 2)
            Ls[line].append(L)
            if measured[t, a] and measured[t, b]:
                Ls_measured[line].append(L)
    # 15-18. for each line: max L = percentile of the line list; lines = log(max L)
    for line in range(n_lines):
        lst = Ls_measured[line] if Ls_measured[line] else Ls[line]
        lst.sort()
        max_L = lst[int(percentile * (len(lst) - 1))]
        lines[line] = math.log(max(max_L, 1e-6))
    # 19-35
    for i_bone in range(len(structure)):
        # 20. Assign a, b, line as elements of the bone
        a, b, line = structure[i_bone]
        L = math.exp(lines[line])
        for t in range(T):
            # 22. rotation angles (eq. 2)
            dx = Xx[t, b] - Yx[t, a]
            dy = Xy[t, b] - Yy[t, a]
            rest = L * L - dx * dx - dy * dy
            anglex = dx
            angley = dy
            anglez = math.sqrt(rest) if rest >= 0 else 0.0
            # 23-25
            if not (math.isfinite(anglex) and math.isfinite(angley) and math.isfinite(anglez)):
                anglex, angley, anglez = 0.0, 0.0, 0.0
            # 26-28
            if anglez < 0.0:
                anglez = -anglez
            # 29
            anglez = anglez + 0.001
            # 30
            norm = math.sqrt(anglex * anglex + angley * angley + anglez * anglez)
            anglex, angley, anglez = anglex / norm, angley / norm, anglez / norm
            # 31-32
            anglesx[t, i_bone] = anglex
            anglesy[t, i_bone] = angley
            anglesz[t, i_bone] = anglez
            # 33. new 3D coordinates (eq. 3)
            Yx[t, b] = Yx[t, a] + L * anglesx[t, i_bone]
            Yy[t, b] = Yy[t, a] + L * anglesy[t, i_bone]
            Yz[t, b] = Yz[t, a] + L * anglesz[t, i_bone]
    # 36. Reshape rootsx, rootsy, rootsz as arrays of size T x 1
    rootsx = rootsx.reshape((T, 1))
    rootsy = rootsy.reshape((T, 1))
    rootsz = rootsz.reshape((T, 1))
    # 37
    return lines, rootsx, rootsy, rootsz, anglesx, anglesy, anglesz, Yx, Yy, Yz


@cache
def lexicon_xyw(count: int = 6) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]:
    """(x, y, likelihood) (T, 50) of real lexicon recordings in upper50, different lengths."""
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.convert import convert
    from signstudio.pose.formats import read_one

    entries = lexicon_index()
    picks = [entries[i] for i in np.linspace(0, len(entries) - 1, count).astype(int)]
    out = []
    for e in picks:
        seq = convert(read_one(e.path), "upper50")
        seq = seq.frames(0, 40)
        out.append((seq.data[..., 0], seq.data[..., 1], seq.confidence))
    return tuple(out)


def random_clips(seed: int, lengths: list[int], missing: float = 0.2):
    rng = np.random.default_rng(seed)
    out = []
    for T in lengths:
        base = rng.normal(0, 1, size=(1, 50, 2))
        xy = base + rng.normal(0, 0.3, size=(T, 50, 2))
        w = (rng.random((T, 50)) > missing).astype(np.float64)
        out.append((xy[..., 0], xy[..., 1], w))
    return out


def assert_matches_loop(clips, seed, sigma=0.001, percentile=0.5):
    got = lift(
        [c[0] for c in clips], [c[1] for c in clips], [c[2] for c in clips],
        sigma=sigma, rng=np.random.default_rng(seed), percentile=percentile,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    for i, (x, y, w) in enumerate(clips):
        want = algorithm1_loop(x, y, w, UPPER50_STRUCTURE, sigma, rng, percentile)
        for name, g, e in zip(
            ("lines", "rootsx", "rootsy", "rootsz", "anglesx", "anglesy", "anglesz", "Yx", "Yy", "Yz"),
            got.clip(i),
            want,
            strict=True,
        ):
            assert g.shape == e.shape, (i, name)
            np.testing.assert_allclose(g, e, **TOL, err_msg=f"clip {i}: {name}")


def test_structure_is_the_upper50_tree():
    tree = check_structure(UPPER50_STRUCTURE, 50)
    assert tree.root == 0  # the first column: the nose, the head of Zelinka's model
    assert len(UPPER50_STRUCTURE) == 49 and tree.num_lines == 25
    names = get_layout("upper50").joints
    assert names[0] == "BODY:Nose"
    # left/right counterparts share a line
    mirror = get_layout("upper50").mirror
    by_child = {b: line for _, b, line in UPPER50_STRUCTURE}
    for b, line in by_child.items():
        assert by_child[int(mirror[b])] == line
    # body wrists feed the hand wrists
    assert (7, 8, 4) in UPPER50_STRUCTURE and (4, 29, 4) in UPPER50_STRUCTURE
    assert names[8] == "LEFT_HAND:WRIST" and names[29] == "RIGHT_HAND:WRIST"


@pytest.mark.parametrize(
    ("bad", "joints", "match"),
    [
        ([(0, 1, 0), (2, 3, 1)], 4, "not placed"),
        ([(0, 1, 0), (0, 1, 1)], 2, "placed twice"),
        ([(0, 1, 1)], 2, "line indices"),
        ([(0, 1, 0)], 3, "does not reach"),
        ([(0, 5, 0)], 2, "outside"),
    ],
)
def test_bad_structures_are_refused(bad, joints, match):
    with pytest.raises(ValueError, match=match):
        check_structure(bad, joints)


def test_matches_loop_on_real_data():
    assert_matches_loop(list(lexicon_xyw()), seed=7)


@pytest.mark.parametrize("percentile", [0.0, 0.5, 0.9, 1.0])
def test_matches_loop_on_random_data(percentile):
    assert_matches_loop(random_clips(3, [17, 5, 23, 1]), seed=11, sigma=0.05, percentile=percentile)


def test_matches_loop_with_large_sigma_and_unreachable_bones():
    # Noise far larger than the bones: many bones cannot reach their target (in-plane branch).
    assert_matches_loop(random_clips(4, [12, 9]), seed=2, sigma=3.0)


def test_batch_forms_agree():
    clips = random_clips(5, [10, 10, 10])
    x = np.stack([c[0] for c in clips])
    y = np.stack([c[1] for c in clips])
    w = np.stack([c[2] for c in clips])
    a = lift(x, y, w, rng=3)
    b = lift([c[0] for c in clips], [c[1] for c in clips], [c[2] for c in clips], rng=3)
    np.testing.assert_array_equal(a.Y, b.Y)
    # padded with explicit lengths == list of unequal clips
    lengths = [10, 4, 7]
    c = lift(x, y, w, rng=3, lengths=lengths)
    d = lift([x[i, :n] for i, n in enumerate(lengths)], [y[i, :n] for i, n in enumerate(lengths)],
             [w[i, :n] for i, n in enumerate(lengths)], rng=3)  # fmt: skip
    np.testing.assert_array_equal(c.Y[c.frame_mask], d.Y[d.frame_mask])
    assert not c.Y[~c.frame_mask].any()
    # a single (T, n) clip
    e = lift(x[0], y[0], w[0], rng=3)
    assert e.Y.shape == (1, 10, 50, 3)
    np.testing.assert_array_equal(e.Y[0], a.Y[0])


def test_z_positive_and_unit_angles():
    res = lift(*zip(*lexicon_xyw(), strict=True), rng=1)
    m = res.frame_mask
    az = res.angles[..., 2][m]
    assert (az > 0).all()
    np.testing.assert_allclose(np.linalg.norm(res.angles[m], axis=-1), 1.0, rtol=1e-12)
    # every child is farther from the camera than its parent
    tree = check_structure(UPPER50_STRUCTURE, 50)
    z = res.Y[..., 2][m]
    assert (z[:, tree.child] > z[:, tree.parent]).all()


def test_deterministic_with_seed():
    clips = list(lexicon_xyw())
    args = ([c[0] for c in clips], [c[1] for c in clips], [c[2] for c in clips])
    a = lift(*args, sigma=0.01, rng=np.random.default_rng(42))
    b = lift(*args, sigma=0.01, rng=np.random.default_rng(42))
    c = lift(*args, sigma=0.01, rng=np.random.default_rng(43))
    np.testing.assert_array_equal(a.Y, b.Y)
    np.testing.assert_array_equal(a.angles, b.angles)
    assert not np.array_equal(a.Y, c.Y)
    # the noise is within sigma of the (filled) 2D root
    m = a.frame_mask
    off = a.roots[m] - np.concatenate([a.X[m][:, 0], np.zeros((m.sum(), 1))], axis=1)
    assert np.abs(off).max() <= 0.01 and np.abs(off).max() > 0.001


def test_bone_lengths_equal_exp_lines_in_every_frame():
    for res in (
        lift(*zip(*lexicon_xyw(), strict=True), rng=0),
        lift(*zip(*random_clips(9, [30, 8]), strict=True)),
    ):
        tree = check_structure(UPPER50_STRUCTURE, 50)
        lengths = bone_lengths_3d(res.Y)  # (N, T, B)
        want = np.exp(res.lines[:, tree.line])  # (N, B)
        for i, T in enumerate(res.lengths):
            np.testing.assert_allclose(
                lengths[i, :T], np.broadcast_to(want[i], (T, len(tree.line))), rtol=1e-12
            )


def test_reachable_bones_reproject_onto_the_2d_target():
    # With no noise, a bone whose length reaches its 2D target lands on it, up to the z nudge.
    x, y, w = lexicon_xyw()[0]
    res = lift(x, y, w, sigma=0.0)
    tree = check_structure(UPPER50_STRUCTURE, 50)
    Y, X = res.Y[0], res.X[0]
    L = np.exp(res.lines[0, tree.line])
    d = np.linalg.norm(X[:, tree.child] - Y[:, tree.parent, :2], axis=-1)  # (T, B)
    reach = d <= L
    err = np.linalg.norm(Y[:, tree.child, :2] - X[:, tree.child], axis=-1)
    assert reach.mean() > 0.3
    # |error| = d (1 - L / |L A'|) <= Z_NUDGE s d / L^2 + O(Z_NUDGE^2) <= 1.1 Z_NUDGE (pixels here)
    assert (err[reach] <= 1.1 * Z_NUDGE).all()


def test_missing_points_are_filled_with_the_joint_median():
    x, y, w = (a.copy() for a in random_clips(1, [9], missing=0.0)[0])
    w[[2, 5], 20] = 0.0  # two missing frames of one joint
    x[2, 20] = np.nan  # garbage under a missing point must not matter
    y[5, 20] = 1e9
    res = lift(x, y, w, sigma=0.0)
    keep = np.ones(9, bool)
    keep[[2, 5]] = False
    assert res.X[0, 2, 20, 0] == np.median(x[keep, 20])
    assert res.X[0, 5, 20, 1] == np.median(y[keep, 20])
    assert not res.measured[0, 2, 20] and res.measured[0, 3, 20]
    assert np.isfinite(res.Y).all()


def test_never_seen_hand_follows_its_wrist_and_keeps_the_other_hand_size():
    x, y, w = (a.astype(np.float64) for a in lexicon_xyw()[1])
    w[:, 8:29] = 0.0  # the whole left hand is missing
    x[:, 8:29] = 0.0
    y[:, 8:29] = 0.0
    res = lift(x, y, w, rng=0)
    assert not res.observed[0, 8:29].any() and res.observed[0, 29:].all()
    # The left hand collapses onto the left wrist in 2D, frame by frame ...
    np.testing.assert_array_equal(res.X[0, :, 8:29], np.broadcast_to(res.X[0, :, 7:8], (len(x), 21, 2)))
    # ... while the hand lines it shares with the right hand come from the right hand alone.
    tree = check_structure(UPPER50_STRUCTURE, 50)
    right = tree.child >= 29
    for bone in np.flatnonzero(right):
        a, b, line = UPPER50_STRUCTURE[bone]
        ok = (w[:, a] > 0) & (w[:, b] > 0)
        lengths = np.sort(np.hypot(x[ok, a] - x[ok, b], y[ok, a] - y[ok, b]))
        assert res.lines[0, line] == pytest.approx(np.log(lengths[int(0.5 * (len(lengths) - 1))]), rel=1e-12)
    assert np.isfinite(res.Y).all()


def test_all_missing_clip_stays_finite():
    x = np.zeros((4, 50))
    res = lift(x, x, x, sigma=0.0)
    assert np.isfinite(res.Y).all()
    np.testing.assert_allclose(res.lines, np.log(1e-6))


def test_argument_checks():
    x = np.zeros((4, 50))
    with pytest.raises(ValueError, match="percentile"):
        lift(x, x, x, percentile=50)
    with pytest.raises(ValueError, match="same shapes"):
        lift(x, x, np.zeros((3, 50)))
    with pytest.raises(ValueError, match="at least one frame"):
        lift([x, x[:0]], [x, x[:0]], [x, x[:0]])


def test_benchmark_baselines_are_algorithm1():
    # The bench's two loops (its baseline) compute what the transcription above computes.
    from benchmarks.lifting import lift_loop, lift_loop_lists

    for x, y, w in [*lexicon_xyw()[:2], *random_clips(8, [13])]:
        want = algorithm1_loop(x, y, w, UPPER50_STRUCTURE, 0.01, np.random.default_rng(4), 0.5)
        for fn in (lift_loop, lift_loop_lists):
            got = fn(x, y, w, UPPER50_STRUCTURE, 0.01, np.random.default_rng(4), 0.5)
            for g, e in zip(got, want, strict=True):
                np.testing.assert_allclose(g, e, **TOL)
