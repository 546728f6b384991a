"""2D → 3D lifting of SignLLM's Prompt2Sign tool (SignLLM supplementary C.2, Algorithm 1), vectorised.

Algorithm 1 is the initialisation of Zelinka & Kanis' 3D pose estimator ("Neural Sign Language
Synthesis: Words Are Our Glosses", WACV 2020) as Prompt2Sign ships it
(github.com/SignLLM/Prompt2Sign, ``2Dto3D/pose2Dto3D.py::initialization`` and
``2Dto3D/skeletalModel.py``). A skeleton is a tree of bones ``(a, b, line)``: ``a`` is already
placed when bone ``b`` is, and bones with the same ``line`` share one length (left/right).

For every clip, with X the 2D input and Y the 3D output (both per frame t):

* roots     Y_root = (X_root,x + e_x, X_root,y + e_y, 0 + e_z), e ~ U(-sigma, sigma), drawn in
            the order x (T values), y (T), z (T) per clip, clips in order ("Set rootsx as first
            column of Xx": the root is the structure's root, joint 0 = the nose in ``upper50``,
            the head of Zelinka's model).
* eq. 1     l_t = sqrt((X_a,x - X_b,x)^2 + (X_a,y - X_b,y)^2) for every bone and frame.
* lines     lines[line] = log(max(sorted(l)[floor(p (n - 1))], 1e-6)) over the lengths of all
            bones sharing ``line`` and all frames (Prompt2Sign's ``perc``: the element at that
            rank, no interpolation; the 1e-6 floor keeps the log finite). L = exp(lines[line]).
* eq. 2     dx = X_b,x - Y_a,x,  dy = X_b,y - Y_a,y   (2D target minus the *lifted* parent)
            A = (dx, dy, sqrt(L^2 - dx^2 - dy^2))  if L^2 - dx^2 - dy^2 >= 0
            A = (dx, dy, 0)                          otherwise
            This is the closed form of Zelinka's ``computeB``: of its hypotheses (the in-plane
            direction towards X_b, the two directions tilted by +-sqrt(L^2 - d^2) out of the
            image plane, and the two points at distance L on the line through Y_a and X_b) it
            keeps the one whose reprojection lands closest to X_b: the tilted one when the bone
            is long enough to reach X_b (reprojection error 0), else the in-plane one. The
            sign of the tilt does not matter, as the next step makes z positive. (When the
            bone cannot reach, the code's near point on the line, L (dx, dy) / d, ties with
            (dx, dy): exact arithmetic with its 1e-10 norm guard picks (dx, dy), float32
            rounding may pick either; only the size of the 0.001 nudge below differs.)
            Then, as the paper lists it: any component not finite -> all three 0; Az < 0 ->
            -Az; Az += 0.001; A /= |A| (|A| >= 0.001, so no guard is needed). Where
            Prompt2Sign's code differs, the paper is followed: the code zeroes non-finite
            components one by one, turns an all-zero A into (1, 1, 1) (so a bone with no 2D
            extent points along (1, 1, 1) there and along +z here), and adds 1e-10 to |A|.
* eq. 3     Y_b = Y_a + L A, so positions accumulate from the root along the tree.

Missing points (likelihood <= 0, or x/y not finite) are not part of Algorithm 1; Prompt2Sign
interpolates them beforehand and the paper replaces NaN/0 "with median or mean values". Here,
before Algorithm 1:

* a missing point takes its joint's median over the clip's measured frames;
* a joint never measured in the clip takes its parent's (filled) 2D position in every frame, so
  its bone has no 2D extent and is lifted straight out of the image plane (the root, if never
  measured, is put at 0);
* a line's length percentile uses only the frames where both ends of the bone were measured
  (so an absent hand cannot shrink the other hand through a shared line); a line with no such
  frame in a clip uses all of its frames.

The only Python loop of the algorithm runs over the depth levels of the tree (9 for
``upper50``); everything inside is vectorised over the bones of a level, the frames and the
clips. Clips go through in blocks of about `BLOCK_FRAMES` frames so that the temporaries stay in
the CPU cache (about twice as fast as one pass over 1000 clips at once).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Bone = tuple[int, int, int]

#: Floor of a line's length before its log is taken (Prompt2Sign's ``max(perc, 1e-6)``).
MIN_LENGTH = 1e-6
#: Added to Az before normalising, so every bone leans a little away from the camera.
Z_NUDGE = 0.001
#: Frames per block of clips lifted together (a block's temporaries fit in a CPU cache).
BLOCK_FRAMES = 2048


def _upper50_structure() -> tuple[Bone, ...]:
    # Body: nose (root) -> neck -> shoulders -> elbows -> wrists; lines 0..3, shared by the sides.
    bones: list[Bone] = [(0, 1, 0), (1, 2, 1), (2, 3, 2), (3, 4, 3), (1, 5, 1), (5, 6, 2), (6, 7, 3)]
    # Hands: body wrist -> hand wrist (line 4); then per finger f a palm bone wrist -> first joint
    # and three segments, lines 5 + 4 f + k. Left hand (joints 8..28) hangs from LWrist (7),
    # right hand (29..49) from RWrist (4), as in Prompt2Sign's skeletalModel.
    for body_wrist, base in ((7, 8), (4, 29)):
        bones.append((body_wrist, base, 4))
        bones.extend((base, base + 1 + 4 * f, 5 + 4 * f) for f in range(5))
        bones.extend(
            (base + 1 + 4 * f + k - 1, base + 1 + 4 * f + k, 5 + 4 * f + k)
            for f in range(5)
            for k in (1, 2, 3)
        )
    return tuple(bones)


#: The ``upper50`` tree of Prompt2Sign (49 bones, 25 lines), rooted at joint 0 (the nose).
UPPER50_STRUCTURE: tuple[Bone, ...] = _upper50_structure()


@dataclass(frozen=True)
class Tree:
    """A checked structure, and its bones and joints renumbered by depth for the kernel.

    In the depth order ("internal"), bone i places joint i + 1 and joint 0 is the root, so the
    bones of one depth level, and the joints they place, are contiguous ranges (``spans``).
    """

    structure: tuple[Bone, ...]
    root: int
    num_joints: int
    parent: np.ndarray  # (B,) joint a of each bone
    child: np.ndarray  # (B,) joint b of each bone
    line: np.ndarray  # (B,) line index of each bone
    num_lines: int
    levels: tuple[np.ndarray, ...]  # bone indices per depth, root side first
    bone_order: np.ndarray  # (B,) internal bone -> bone
    bone_pos: np.ndarray  # (B,) bone -> internal bone
    joint_order: np.ndarray  # (J,) internal joint -> joint
    joint_pos: np.ndarray  # (J,) joint -> internal joint
    parent_int: np.ndarray  # (B,) internal parent joint of each internal bone
    spans: tuple[tuple[int, int], ...]  # internal bone range [lo, hi) of each level
    line_slots: np.ndarray  # (n_lines, K) internal bones of each line, -1 where fewer than K


def check_structure(structure: Sequence[Sequence[int]], num_joints: int) -> Tree:
    """Validate ``structure`` (a tree listed from the root outwards) for ``num_joints`` joints.

    Every joint must be reached exactly once, each bone's ``a`` must be placed by an earlier
    bone (or be the root), and line indices must be 0 .. n_lines - 1, each used.
    """
    bones = tuple((int(a), int(b), int(line)) for a, b, line in structure)
    if not bones:
        raise ValueError("structure has no bones")
    root = bones[0][0]
    placed = {root}
    depth = {root: 0}
    bone_depth = []
    for i, (a, b, _line) in enumerate(bones):
        if not (0 <= a < num_joints and 0 <= b < num_joints):
            raise ValueError(f"bone {i} {bones[i]} has a joint outside 0..{num_joints - 1}")
        if a not in placed:
            raise ValueError(f"bone {i} {bones[i]}: joint {a} is not placed by an earlier bone")
        if b in placed:
            raise ValueError(f"bone {i} {bones[i]}: joint {b} is placed twice (not a tree)")
        placed.add(b)
        depth[b] = depth[a] + 1
        bone_depth.append(depth[b])
    if len(placed) != num_joints:
        missing = sorted(set(range(num_joints)) - placed)
        raise ValueError(f"structure does not reach joints {missing}")
    parent = np.asarray([x[0] for x in bones], np.int64)
    child = np.asarray([x[1] for x in bones], np.int64)
    lines = np.asarray([x[2] for x in bones], np.int64)
    num_lines = int(lines.max()) + 1
    if lines.min() < 0 or len(set(lines.tolist())) != num_lines:
        raise ValueError("line indices must be 0 .. n_lines - 1, each used by some bone")
    bd = np.asarray(bone_depth)
    levels = tuple(np.flatnonzero(bd == d) for d in range(1, int(bd.max()) + 1))
    bone_order = np.concatenate(levels)
    bone_pos = np.argsort(bone_order)
    joint_order = np.concatenate([[root], child[bone_order]])
    joint_pos = np.argsort(joint_order)
    bounds = np.cumsum([0] + [len(lv) for lv in levels])
    per_line = [bone_pos[lines == k] for k in range(num_lines)]
    slots = np.full((num_lines, max(len(m) for m in per_line)), -1, np.int64)
    for k, members in enumerate(per_line):
        slots[k, : len(members)] = members
    return Tree(
        structure=bones,
        root=root,
        num_joints=num_joints,
        parent=parent,
        child=child,
        line=lines,
        num_lines=num_lines,
        levels=levels,
        bone_order=bone_order,
        bone_pos=bone_pos,
        joint_order=joint_order,
        joint_pos=joint_pos,
        parent_int=joint_pos[parent[bone_order]],
        spans=tuple((int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds)),
        line_slots=slots,
    )


@dataclass(frozen=True)
class Lifting:
    """Everything Algorithm 1 computes, for a batch of N clips padded to T frames.

    Stored per coordinate and joint, as computed (the paper's Yx, Yy, Yz ... are ``Y_j[0]``
    ...); the properties are frame-major views of the same memory (``np.ascontiguousarray``
    them where contiguity matters).

    lines: (N, n_lines) log of each line's bone length.
    frame_mask: (N, T) bool, False on padding (where every array below is 0).
    observed: (N, J) bool, the joint was measured in at least one frame of the clip.
    Y_j: (3, J, N, T) lifted positions.
    angles_j: (3, B, N, T) unit bone directions.
    X_j: (2, J, N, T) the 2D input after missing points were filled (what Algorithm 1 saw).
    measured_j: (J, N, T) bool, the input point was present (likelihood > 0, finite).
    root: index of the root joint.
    """

    lines: np.ndarray
    frame_mask: np.ndarray
    observed: np.ndarray
    Y_j: np.ndarray
    angles_j: np.ndarray
    X_j: np.ndarray
    measured_j: np.ndarray
    structure: tuple[Bone, ...]
    root: int

    @property
    def Y(self) -> np.ndarray:
        """(N, T, J, 3) lifted positions."""
        return self.Y_j.transpose(2, 3, 1, 0)

    @property
    def angles(self) -> np.ndarray:
        """(N, T, B, 3) unit bone directions (anglesx, anglesy, anglesz of the paper)."""
        return self.angles_j.transpose(2, 3, 1, 0)

    @property
    def roots(self) -> np.ndarray:
        """(N, T, 3) root positions (with noise)."""
        return self.Y_j[:, self.root].transpose(1, 2, 0)

    @property
    def X(self) -> np.ndarray:
        """(N, T, J, 2) the filled 2D input."""
        return self.X_j.transpose(2, 3, 1, 0)

    @property
    def measured(self) -> np.ndarray:
        """(N, T, J) bool."""
        return self.measured_j.transpose(1, 2, 0)

    @property
    def num_clips(self) -> int:
        return int(self.frame_mask.shape[0])

    @property
    def lengths(self) -> np.ndarray:
        """(N,) frames per clip."""
        return self.frame_mask.sum(axis=1)

    def clip(self, i: int) -> tuple[np.ndarray, ...]:
        """Clip ``i`` as Algorithm 1 returns it.

        ``(lines (n_lines,), rootsx, rootsy, rootsz (T, 1), anglesx, anglesy, anglesz (T, B),
        Yx, Yy, Yz (T, J))``.
        """
        t = int(self.lengths[i])
        r = self.Y_j[:, self.root, i, :t]  # (3, T)
        a = self.angles_j[:, :, i, :t]  # (3, B, T)
        y = self.Y_j[:, :, i, :t]  # (3, J, T)
        return (
            self.lines[i],
            r[0, :, None], r[1, :, None], r[2, :, None],
            a[0].T, a[1].T, a[2].T,
            y[0].T, y[1].T, y[2].T,
        )  # fmt: skip


# ---- input handling --------------------------------------------------------------------------


def _batch(
    arrays: np.ndarray | Sequence[np.ndarray], name: str, lengths: Sequence[int] | np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """(N, T, n) float64 and its (N, T) frame mask, from (T, n), (N, T, n) or a list of (T_i, n)."""
    if isinstance(arrays, np.ndarray) and arrays.ndim in (2, 3):
        data = np.asarray(arrays, np.float64)
        if data.ndim == 2:
            data = data[None]
        n_clips, frames = data.shape[:2]
        if lengths is None:
            mask = np.ones((n_clips, frames), bool)
        else:
            lens = np.asarray(lengths, np.int64)
            if lens.shape != (n_clips,) or (lens < 0).any() or (lens > frames).any():
                raise ValueError(f"lengths must be ({n_clips},) ints in 0..{frames}")
            mask = np.arange(frames)[None, :] < lens[:, None]
        return data, mask
    clips = [np.asarray(c, np.float64) for c in arrays]
    if not clips or any(c.ndim != 2 for c in clips):
        raise ValueError(f"{name} must be (T, n), (N, T, n) or a non-empty list of (T_i, n) arrays")
    width = clips[0].shape[1]
    if any(c.shape[1] != width for c in clips):
        raise ValueError(f"{name}: all clips must have the same number of joints")
    frames = max(c.shape[0] for c in clips)
    data = np.zeros((len(clips), frames, width))
    mask = np.zeros((len(clips), frames), bool)
    for i, c in enumerate(clips):
        data[i, : len(c)] = c
        mask[i, : len(c)] = True
    return data, mask


def _select_rank(values: np.ndarray, valid: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The element of rank ``rank`` among the valid values along the last axis.

    values, valid: (..., K); rank: (...) int in 0 .. count - 1.
    """
    keyed = np.where(valid, values, np.inf)  # invalid values sort last
    keyed.sort(axis=-1)
    return np.take_along_axis(keyed, rank[..., None], axis=-1)[..., 0]


def masked_median(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Median along the last axis over the valid entries; NaN where none is valid.

    values, valid: (..., K) -> (...). Even counts average the two middle values (as
    ``statistics.median`` and ``np.median``).
    """
    count = valid.sum(axis=-1)
    lo = (np.maximum(count, 1) - 1) // 2
    hi = np.maximum(count // 2, lo)
    keyed = np.where(valid, values, np.inf)  # invalid values sort last
    keyed.sort(axis=-1)
    a = np.take_along_axis(keyed, lo[..., None], axis=-1)[..., 0]
    b = np.take_along_axis(keyed, hi[..., None], axis=-1)[..., 0]
    return np.where(count > 0, (a + b) / 2, np.nan)


def fill_with_joint_median(xy: np.ndarray, measured: np.ndarray, tree: Tree) -> np.ndarray:
    """Missing points replaced, in place, by their joint's median over the clip's measured frames.

    xy: (2, J, C, T) x and y; measured: (J, C, T) bool; joints in the tree's internal (depth)
    order. Joints never measured in a clip take their parent's filled position in every frame
    (the root: 0). Returns observed (J, C) bool.
    """
    observed = np.asarray(measured.any(axis=-1))  # (J, C)
    partial = ~measured.all(axis=-1) & observed  # only these rows need a median
    rows = np.nonzero(partial)
    if len(rows[0]):
        sub = measured[rows]  # (R, T)
        for coord in xy:
            vals = coord[rows]
            median = masked_median(vals, sub)
            coord[rows] = np.where(sub, vals, median[:, None])
    if not observed.all():
        # A never-seen joint takes its parent's points, i.e. those of its nearest seen ancestor:
        # find that ancestor level by level from the root, then gather once.
        n_clips = observed.shape[1]
        source = np.broadcast_to(np.arange(tree.num_joints)[:, None], observed.shape).copy()
        source[0] = np.where(observed[0], 0, -1)  # -1: the root was never seen -> 0
        for lo, hi in tree.spans:
            up = source[tree.parent_int[lo:hi]]
            source[lo + 1 : hi + 1] = np.where(observed[lo + 1 : hi + 1], source[lo + 1 : hi + 1], up)
        cols = np.arange(n_clips)[None, :]
        for coord in xy:
            coord[...] = np.where((source >= 0)[..., None], coord[np.maximum(source, 0), cols], 0.0)
    return observed


# ---- Algorithm 1 -----------------------------------------------------------------------------


def lift(
    Xx: np.ndarray | Sequence[np.ndarray],
    Xy: np.ndarray | Sequence[np.ndarray],
    Xw: np.ndarray | Sequence[np.ndarray],
    structure: Sequence[Sequence[int]] = UPPER50_STRUCTURE,
    *,
    sigma: float = 0.001,
    rng: np.random.Generator | int | None = 0,
    percentile: float = 0.5,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> Lifting:
    """Lift 2D poses to 3D with Algorithm 1 (see the module docstring for the equations).

    Xx, Xy, Xw: x, y and likelihood, each (T, n) for one clip, (N, T, n) for a batch (with
    ``lengths`` (N,) when padded), or a list of N (T_i, n) arrays (padded here).
    structure: bones ``(a, b, line)``, a tree from the root outwards (default ``upper50``).
    sigma: half-width of the uniform noise added to the roots (Prompt2Sign uses 0.001).
    rng: a numpy Generator, or a seed for one; the noise is drawn clip by clip, x then y then z.
    percentile: rank of a line's length among its observed lengths, a fraction in [0, 1]
    (Prompt2Sign's default 0.5: the lower median).
    """
    if not 0.0 <= percentile <= 1.0:
        raise ValueError(f"percentile is a fraction in [0, 1], got {percentile}")
    if not sigma >= 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    X_x, mask = _batch(Xx, "Xx", lengths)
    X_y, mask_y = _batch(Xy, "Xy", lengths)
    X_w, mask_w = _batch(Xw, "Xw", lengths)
    if not (X_x.shape == X_y.shape == X_w.shape) or not np.array_equal(mask, mask_y & mask_w):
        raise ValueError(f"Xx, Xy, Xw must have the same shapes, got {X_x.shape}, {X_y.shape}, {X_w.shape}")
    n_clips, frames, n_joints = X_x.shape
    if frames == 0 or not mask.any(axis=1).all():
        raise ValueError("every clip needs at least one frame")
    tree = check_structure(structure, n_joints)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)

    # Roots' noise: one draw for all clips, in per-clip x, y, z order.
    noise = np.zeros((n_clips, 3, frames))
    noise_mask = np.broadcast_to(mask[:, None, :], noise.shape)
    noise[noise_mask] = generator.uniform(-sigma, sigma, size=int(noise_mask.sum()))

    out = Lifting(
        lines=np.zeros((n_clips, tree.num_lines)),
        frame_mask=mask,
        observed=np.zeros((n_clips, n_joints), bool),
        Y_j=np.empty((3, n_joints, n_clips, frames)),
        angles_j=np.empty((3, len(tree.structure), n_clips, frames)),
        X_j=np.empty((2, n_joints, n_clips, frames)),
        measured_j=np.empty((n_joints, n_clips, frames), bool),
        structure=tree.structure,
        root=tree.root,
    )
    step = max(1, BLOCK_FRAMES // frames)
    for start in range(0, n_clips, step):  # blocks of clips, for the cache
        sl = slice(start, min(start + step, n_clips))
        _lift_block(tree, X_x[sl], X_y[sl], X_w[sl], mask[sl], noise[sl], percentile, out, sl)
    return out


def _line_log_lengths(
    tree: Tree, xs: np.ndarray, ys: np.ndarray, measured: np.ndarray, mask: np.ndarray, percentile: float
) -> np.ndarray:
    """Eq. 1 and lines: (nL, C) log of the percentile of the 2D bone lengths pooled per line,
    per clip (measured bones where a line has any, else every unpadded frame's)."""
    n_joints, n_clips = xs.shape[:2]
    par, chi = tree.parent_int, slice(1, n_joints)  # internal bone i places joint i + 1
    bone_len = np.sqrt((xs[par] - xs[chi]) ** 2 + (ys[par] - ys[chi]) ** 2)  # (B, C, T)
    both = measured[par] & measured[chi]  # (B, C, T)
    slots, used = tree.line_slots, tree.line_slots >= 0
    pool = bone_len[slots].transpose(0, 2, 1, 3).reshape(tree.num_lines, n_clips, -1)  # (nL, C, K T)
    pool_both = (both[slots] & used[:, :, None, None]).transpose(0, 2, 1, 3).reshape(pool.shape)
    pool_any = (mask[None, None] & used[:, :, None, None]).transpose(0, 2, 1, 3).reshape(pool.shape)
    pool_valid = np.where(pool_both.any(axis=-1, keepdims=True), pool_both, pool_any)
    count = pool_valid.sum(axis=-1)  # (nL, C)
    rank = (percentile * (count - 1)).astype(np.int64)
    chosen = _select_rank(pool, pool_valid, rank)  # (nL, C)
    return np.log(np.maximum(chosen, MIN_LENGTH))


def _lift_block(
    tree: Tree,
    X_x: np.ndarray,
    X_y: np.ndarray,
    X_w: np.ndarray,
    mask: np.ndarray,
    noise: np.ndarray,
    percentile: float,
    out: Lifting,
    sl: slice,
) -> None:
    """Algorithm 1 on C clips at once, written into ``out[sl]``.

    X_x, X_y, X_w: (C, T, J); mask: (C, T); noise: (C, 3, T). Works on joint-major arrays
    (J, C, T) in the tree's depth order: a level's bones and the joints they place are
    contiguous, so results are written in place into slices.
    """
    n_clips, frames, n_joints = X_x.shape
    order = tree.joint_order
    xy = np.stack([X_x.transpose(2, 0, 1)[order], X_y.transpose(2, 0, 1)[order]])  # (2, J, C, T)
    measured = (X_w.transpose(2, 0, 1)[order] > 0) & np.isfinite(xy).all(axis=0) & mask[None]
    observed = fill_with_joint_median(xy, measured, tree)
    xs, ys = xy[0], xy[1]

    lines = _line_log_lengths(tree, xs, ys, measured, mask, percentile)  # (nL, C)

    Y = np.empty((3, n_joints, n_clips, frames))
    Yx, Yy, Yz = Y
    Yx[0] = xs[0] + noise[:, 0]
    Yy[0] = ys[0] + noise[:, 1]
    Yz[0] = noise[:, 2]

    # eq. 2 and eq. 3, one depth level at a time (a level's parents are all placed), computed
    # in place into the angle and position arrays, in the loop's order of operations.
    bone_L = np.exp(lines[tree.line[tree.bone_order]])[:, :, None]  # (B, C, 1)
    angles = np.empty((3, len(tree.structure), n_clips, frames))
    tmp = np.empty((max(hi - lo for lo, hi in tree.spans), n_clips, frames))
    # The 2D points are finite here; below 1e150 nothing can overflow (squares stay < 1e302).
    tame = bool(max(xy.max(), -xy.min()) < 1e150) and bool(bone_L.max() < 1e150)
    for lo, hi in tree.spans:
        pa, L, t = tree.parent_int[lo:hi], bone_L[lo:hi], tmp[: hi - lo]
        kids = slice(lo + 1, hi + 1)
        ax, ay, az = Yx[pa], Yy[pa], Yz[pa]  # (k, C, T)
        gx, gy, gz = angles[0, lo:hi], angles[1, lo:hi], angles[2, lo:hi]
        np.subtract(xs[kids], ax, out=gx)
        np.subtract(ys[kids], ay, out=gy)
        np.multiply(gx, gx, out=gz)
        np.subtract(L * L, gz, out=gz)
        np.multiply(gy, gy, out=t)
        gz -= t  # L^2 - dx^2 - dy^2
        if not tame:  # only huge inputs can overflow to inf/nan here
            bad = ~np.isfinite(gz)
            gx[bad], gy[bad], gz[bad] = 0.0, 0.0, -1.0
        np.maximum(gz, 0.0, out=gz)  # the bone cannot reach: stay in the image plane
        np.sqrt(gz, out=gz)  # >= 0, so the paper's "Az < 0 -> -Az" has nothing to do
        gz += Z_NUDGE
        norm = gx * gx
        np.multiply(gy, gy, out=t)
        norm += t
        np.multiply(gz, gz, out=t)
        norm += t
        np.sqrt(norm, out=norm)
        gx /= norm
        gy /= norm
        gz /= norm
        for g, a, dest in ((gx, ax, Yx), (gy, ay, Yy), (gz, az, Yz)):
            np.multiply(g, L, out=dest[kids])
            dest[kids] += a  # Y_b = Y_a + L A

    pad = ~mask
    if pad.any():
        Y[:, :, pad] = 0.0
        angles[:, :, pad] = 0.0
        xy[:, :, pad] = 0.0
    out.lines[sl] = lines.T
    out.observed[sl] = observed[tree.joint_pos].T
    out.Y_j[:, :, sl] = Y[:, tree.joint_pos]
    out.angles_j[:, :, sl] = angles[:, tree.bone_pos]
    out.X_j[:, :, sl] = xy[:, tree.joint_pos]
    out.measured_j[:, sl] = measured[tree.joint_pos]


def bone_lengths_3d(Y: np.ndarray, structure: Sequence[Sequence[int]] = UPPER50_STRUCTURE) -> np.ndarray:
    """(..., B) 3D length of every bone of ``structure`` in ``Y`` (..., J, 3)."""
    bones = np.asarray([(a, b) for a, b, _ in structure], np.int64)
    return np.linalg.norm(Y[..., bones[:, 1], :] - Y[..., bones[:, 0], :], axis=-1)
