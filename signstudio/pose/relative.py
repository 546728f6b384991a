"""Joints relative to their parents (a kinematic tree from a skeleton's bones), and back.

    tree = KinematicTree.of(get_layout("upper50"))   # root: BODY:Neck
    rel = tree.to_relative(data)                     # data: (F, J, 3) -> (F, J, 3)
    back = tree.to_absolute(rel)                     # equals data (float rounding aside)

The root keeps its absolute position; every other joint becomes its offset from its parent. A
skeleton's bones may also link siblings (the knuckle line of a hand); the tree keeps, for each
joint, the first bone that reaches it from the root, in breadth-first order.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from signstudio.pose.skeleton import Skeleton


@dataclass(frozen=True)
class KinematicTree:
    """parents: (J,) parent index per joint, -1 at the root; order: (J,) root first, parents
    before children."""

    parents: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, skeleton: Skeleton) -> KinematicTree:
        n = skeleton.num_joints
        bones = np.asarray(skeleton.bones, np.int64).reshape(-1, 2)
        children_of: dict[int, list[int]] = {}
        has_parent = np.zeros(n, bool)
        for p, c in bones:
            children_of.setdefault(int(p), []).append(int(c))
            children_of.setdefault(int(c), []).append(int(p))  # walk both ways, root decides
            has_parent[c] = True
        roots = [j for j in range(n) if not has_parent[j]]
        if len(roots) != 1:
            raise ValueError(f"layout {skeleton.layout!r}: its bones give {len(roots)} roots, need one")
        parents = np.full(n, -1, np.int64)
        seen = {roots[0]}
        order = [roots[0]]
        queue = deque(order)
        while queue:
            j = queue.popleft()
            for c in children_of.get(j, []):
                if c not in seen:
                    seen.add(c)
                    parents[c] = j
                    order.append(c)
                    queue.append(c)
        if len(order) != n:
            missing = sorted(set(range(n)) - seen)
            raise ValueError(f"layout {skeleton.layout!r}: joints {missing} are not linked to the root")
        return cls(parents, np.asarray(order, np.int64))

    @property
    def root(self) -> int:
        return int(self.order[0])

    def to_relative(self, data: np.ndarray) -> np.ndarray:
        """data: (..., J, 3) absolute -> (..., J, 3) root absolute, others minus their parent."""
        out = data.copy()
        child = self.order[1:]
        out[..., child, :] = data[..., child, :] - data[..., self.parents[child], :]
        return out

    def to_absolute(self, rel: np.ndarray) -> np.ndarray:
        """Inverse of `to_relative`: offsets summed from the root down."""
        out = rel.copy()
        for j in self.order[1:]:
            out[..., j, :] = out[..., self.parents[j], :] + rel[..., j, :]
        return out
