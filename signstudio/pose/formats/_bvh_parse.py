"""BVH text → joints and motion: the parsing half of ``bvh.py``'s reader (see its docstring).

Linear in the text: the hierarchy is walked with an explicit stack (a chain of thousands of
joints cannot exhaust Python's recursion), lines are kept as text and split when taken, and the
joint count and frames × joints are checked against `signstudio.pose.limits` as soon as they
are known, before the motion is allocated. Forward kinematics runs in chunks of frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from signstudio.pose import limits
from signstudio.pose.errors import FormatError
from signstudio.pose.kinematics import forward_kinematics, from_euler

_AXIS_INDEX = {"x": 0, "y": 1, "z": 2}
_CHANNEL_NAMES = {f"{axis}{kind}" for axis in _AXIS_INDEX for kind in ("position", "rotation")}


@dataclass
class _Parsed:
    name: str
    parent: int
    line: int
    offset: np.ndarray
    channels: list[str] = field(default_factory=list)
    first_column: int = 0


class _Lines:
    """Non-empty lines as (line number, text), split into tokens when taken; errors name the line.

    Lines are kept as text (not token lists), so the motion rows cost one string each until
    `parse_bvh` reads them into the motion array row by row.
    """

    def __init__(self, path: Path, text: str):
        self.path = path
        self.items = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line and not line.isspace()]
        self.i = 0

    def peek(self) -> tuple[int, list[str]]:
        if self.i >= len(self.items):
            last = self.items[-1][0] if self.items else 0
            raise FormatError(self.path, "ends before the hierarchy is complete", f"line {last}")
        n, line = self.items[self.i]
        return n, line.split()

    def take(self) -> tuple[int, list[str]]:
        item = self.peek()
        self.i += 1
        return item

    def fail(self, problem: str, line: int) -> FormatError:
        return FormatError(self.path, problem, f"line {line}")

    def numbers(self, tokens: list[str], line: int, what: str) -> np.ndarray:
        try:
            values = np.asarray([float(t) for t in tokens], np.float64)
        except ValueError:
            bad = next(t for t in tokens if not _is_number(t))
            shown = bad if len(bad) <= 40 else bad[:40] + "..."
            raise self.fail(f"{what}: {shown!r} is not a number", line) from None
        if not np.isfinite(values).all():
            raise self.fail(f"{what} is NaN or infinite", line)
        return values


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _open_joint(lines: _Lines, nodes: list[_Parsed], parent: int, line: int, name: str) -> None:
    """The ``{``, ``OFFSET`` and optional ``CHANNELS`` lines of a joint; appends it to ``nodes``."""
    if len(nodes) >= limits.MAX_JOINTS:
        raise lines.fail(f"has more than {limits.MAX_JOINTS} joints, more than SignStudio reads", line)
    n, tokens = lines.take()
    if tokens != ["{"]:
        raise lines.fail(f"expected '{{' after joint {name!r}, found {' '.join(tokens)[:60]!r}", n)
    n, tokens = lines.take()
    if not tokens or tokens[0].upper() != "OFFSET" or len(tokens) != 4:
        raise lines.fail(f"expected 'OFFSET x y z' in joint {name!r}", n)
    node = _Parsed(name, parent, line, lines.numbers(tokens[1:], n, "OFFSET"))
    nodes.append(node)
    n, tokens = lines.peek()
    if tokens and tokens[0].upper() == "CHANNELS":
        lines.take()
        if len(tokens) < 2 or not tokens[1].isdigit() or int(tokens[1]) != len(tokens) - 2:
            raise lines.fail("CHANNELS: the count does not match the channels listed", n)
        for channel in tokens[2:]:
            if channel.lower() not in _CHANNEL_NAMES:
                raise lines.fail(f"unknown channel {channel[:40]!r}", n)
        node.channels = tokens[2:]


def _end_site(lines: _Lines, n: int) -> None:
    _, brace = lines.take()
    m2, off = lines.take()
    _, close = lines.take()
    if brace != ["{"] or not off or off[0].upper() != "OFFSET" or len(off) != 4 or close != ["}"]:
        raise lines.fail("End Site must be '{', 'OFFSET x y z', '}'", n)
    lines.numbers(off[1:], m2, "End Site OFFSET")


def _parse_hierarchy(lines: _Lines, nodes: list[_Parsed], line: int, name: str) -> None:
    """The joint tree from ``ROOT name`` on, with an explicit stack: linear in the lines, and a
    chain of thousands of joints cannot exhaust Python's recursion."""
    _open_joint(lines, nodes, -1, line, name)
    open_joints = [0]  # indices into nodes of the joints whose '}' is still to come
    while open_joints:
        me = open_joints[-1]
        n, tokens = lines.take()
        head = tokens[0].upper()
        if tokens == ["}"]:
            open_joints.pop()
        elif head == "JOINT":
            if len(tokens) < 2:
                raise lines.fail("JOINT without a name", n)
            open_joints.append(len(nodes))
            _open_joint(lines, nodes, me, n, "_".join(tokens[1:]))
        elif head == "END" and len(tokens) >= 2 and tokens[1].lower() == "site":
            _end_site(lines, n)
        else:
            joint = nodes[me].name
            raise lines.fail(
                f"expected JOINT, End Site or '}}' in joint {joint!r}, found {tokens[0][:40]!r}", n
            )


def _check_size(lines: _Lines, joints: int, columns: int, count: int, line: int, size: int) -> None:
    """Frames × joints within `limits` (what a text of this size can describe), and frames ×
    channels within the text (each value takes a byte at least)."""
    points = count * joints
    allowed = min(limits.MAX_POINTS, limits.text_points(size))
    if points > allowed:
        raise lines.fail(
            f"declares {count} frames of {joints} joints ({points} joint-frames), more than a "
            f"{limits.human(size)} BVH can describe (limit {allowed})",
            line,
        )
    if count * columns > size:
        raise lines.fail(
            f"declares {count} frames of {columns} channels, more values than the file holds", line
        )


def _motion_rows(lines: _Lines, count: int, column: int, frames_line: int) -> np.ndarray:
    rows = lines.items[lines.i :]
    if len(rows) != count:  # point at the first extra row, or at the count that promised more
        at = rows[count][0] if len(rows) > count else frames_line
        raise lines.fail(f"holds {len(rows)} frames of motion but 'Frames:' says {count}", at)
    motion = np.zeros((count, column))
    for f, (m, text) in enumerate(rows):
        values = text.split()
        if len(values) != column:
            raise lines.fail(f"frame {f} has {len(values)} values, the hierarchy has {column} channels", m)
        motion[f] = lines.numbers(values, m, f"frame {f}")
    return motion


def parse_bvh(path: Path, text: str) -> tuple[list[_Parsed], np.ndarray, float]:
    """The joints (file order, parents first), the motion (F, C) and the frame time of a BVH text.

    Linear in the text; joints and frames × joints are checked against `signstudio.pose.limits`
    (the latter for the text's size) as soon as they are known, before the motion is allocated.
    """
    lines = _Lines(path, text)
    if not lines.items:
        raise FormatError(path, "file is empty", "byte 0")
    n, tokens = lines.take()
    if tokens[0].lstrip("\ufeff").upper() != "HIERARCHY":
        raise lines.fail(f"not a BVH file: expected HIERARCHY, found {tokens[0][:40]!r}", n)
    nodes: list[_Parsed] = []
    n, tokens = lines.take()
    if tokens[0].upper() != "ROOT" or len(tokens) < 2:
        raise lines.fail(f"expected 'ROOT name', found {' '.join(tokens)[:60]!r}", n)
    _parse_hierarchy(lines, nodes, n, "_".join(tokens[1:]))
    n, tokens = lines.take()
    if tokens[0].upper() == "ROOT":
        raise lines.fail("a second ROOT: only one skeleton per file is supported", n)
    if [t.upper() for t in tokens] != ["MOTION"]:
        raise lines.fail(f"expected MOTION, found {' '.join(tokens)[:60]!r}", n)
    n, tokens = lines.take()
    if len(tokens) != 2 or tokens[0].lower() != "frames:" or not tokens[1].isdigit():
        raise lines.fail("expected 'Frames: N'", n)
    count, frames_line = int(tokens[1]), n
    if count == 0:
        raise lines.fail("holds zero frames", n)
    column = 0
    for node in nodes:
        node.first_column = column
        column += len(node.channels)
    _check_size(lines, len(nodes), column, count, n, len(text))
    n, tokens = lines.take()
    if len(tokens) != 3 or [t.lower() for t in tokens[:2]] != ["frame", "time:"] or not _is_number(tokens[2]):
        raise lines.fail("expected 'Frame Time: seconds'", n)
    frame_time = float(tokens[2])
    if not (math.isfinite(frame_time) and frame_time > 0):
        raise lines.fail(f"Frame Time must be a positive number of seconds, got {tokens[2][:40]}", n)
    return nodes, _motion_rows(lines, count, column, frames_line), frame_time


#: Joint-frames whose rotation matrices `world_positions` holds at once (~300 bytes each).
_FK_POINTS = 250_000


def world_positions(nodes: list[_Parsed], motion: np.ndarray, keep: list[int] | None = None) -> np.ndarray:
    """(F, N, 3) world positions of the parsed joints for motion (F, C); only the joints ``keep``
    (in that order) when given. Computed in chunks of frames, so the rotation matrices of the
    forward kinematics never take more than ~75 MB however long the motion."""
    frames = motion.shape[0]
    cols = list(range(len(nodes))) if keep is None else keep
    out = np.empty((frames, len(cols), 3))
    step = max(1, _FK_POINTS // max(1, len(nodes)))
    for a in range(0, frames, step):
        out[a : a + step] = _world_chunk(nodes, motion[a : a + step])[:, cols]
    return out


def _world_chunk(nodes: list[_Parsed], motion: np.ndarray) -> np.ndarray:
    frames = motion.shape[0]
    offsets = np.zeros((frames, len(nodes), 3))
    local = np.zeros((frames, len(nodes), 3, 3))
    for i, node in enumerate(nodes):
        values = motion[:, node.first_column : node.first_column + len(node.channels)]
        translation = np.broadcast_to(node.offset, (frames, 3)).copy()
        order, angles = [], []
        for k, channel in enumerate(node.channels):
            lower = channel.lower()
            axis = _AXIS_INDEX[lower[0]]
            if lower.endswith("position"):
                if not any(c.lower().endswith("position") for c in node.channels[:k]):
                    translation[:] = 0.0  # position channels replace the OFFSET
                translation[:, axis] = values[:, k]
            else:
                order.append(axis)
                angles.append(values[:, k])
        offsets[:, i] = translation
        local[:, i] = from_euler(order, np.stack(angles, axis=1)) if order else np.eye(3)
    positions, _ = forward_kinematics([node.parent for node in nodes], offsets, local)
    return positions
