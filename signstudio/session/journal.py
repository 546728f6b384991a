"""The edit journal beside an autosave: every committed edit since the last snapshot, so that a
crash (kill -9, power cut) loses at most the drag in progress (Qt-free; `autosave` uses it).

A snapshot (``<name>.autosave.npz``, see `signstudio.session.autosave`) is the whole document;
``<name>.autosave.journal`` holds what happened after it, one record per committed edit (a
`PoseDocument.committed` event: an edit, a drag on release, an undo, a redo). Recovery loads the
snapshot and replays the journal's complete records in order. A new snapshot starts a new journal.

**Format, version 1** (all integers little-endian)::

    header   28 bytes    magic  b"SSJOURNL"   8 bytes
                         version  uint32      1
                         token    16 bytes    the snapshot this journal continues (its header's
                                              "token", hex); a journal whose token is not its
                                              snapshot's is older than it and is not replayed
    record   repeated    length   uint32      bytes of the payload
                         crc32    uint32      zlib.crc32 of the payload
                         payload  length bytes:
        head_len  uint32
        head      head_len bytes of UTF-8 JSON:
                    {"op": "edit" | "undo" | "redo", "label": str, "t": seconds since the epoch,
                     "whole": bool, "frames": F, "joints": Jc, "meta": null | {...}}
        frames    int64[F]        the frame indices written (absent when "whole")
        joints    int64[Jc]       the joint indices written (absent when "whole")
        data      float32[F, Jc, 3]
        confidence float32[F, Jc]
        filled    uint8[F, Jc]    0 or 1

A record holds the new values, not a difference: replay writes ``data[frames][:, joints] = data``
(and likewise confidence and filled), bit for bit what the document computed. Only the joints that
changed in at least one of the frames are stored (a wrist drag over 13 frames of a 586-joint
recording: 13 x 3 joints, not 13 x 586). "whole" (trim, cut, hold: the length changed) replaces
the three arrays; F is then the new length and Jc every joint. "meta" is the document's flags,
notes, keyframes, letter segments and mirror state after the edit, stored whole (small), or null
when the edit left them as they were::

    {"flags": {"12": "wrist fixed"}, "notes": {}, "keyframes": [3, 12],
     "segments": [{"start": 0, "end": 20, ...}], "mirrored": false}

An undo is journalled as the state it wrote (its command's "before" values), a redo as its
"after" values: recovery reproduces the document as it was, not its undo history.

**Writing.** One record is one ``write`` of an append-only file, then ``fsync``; a failed write
is cut back to the last whole record. **Reading** stops at the first record that is not whole:
one cut short at the end (a kill or power cut during the append) is the edit that was in progress
and is ignored; a record whose checksum fails with more bytes after it is damage, reported in
one line, and the edits before it are kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"SSJOURNL"
VERSION = 1
HEADER = struct.Struct("<8sI16s")
PREFIX = struct.Struct("<II")
OPS = ("edit", "undo", "redo")


class JournalDamaged(ValueError):
    """A journal (or one of its records) that cannot be used: ``where`` is the byte offset."""

    def __init__(self, problem: str, where: str) -> None:
        super().__init__(f"{problem} (at {where})")
        self.problem, self.where = problem, where


@dataclass
class DocState:
    """What a record writes: the arrays and the per-frame marks of a document."""

    data: np.ndarray  # (T, J, 3) float32
    confidence: np.ndarray  # (T, J) float32
    filled: np.ndarray  # (T, J) bool
    flags: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    keyframes: set[int] = field(default_factory=set)
    segments: list[dict[str, Any]] = field(default_factory=list)
    mirrored: bool = False


@dataclass
class Replay:
    """What `read` found: the records replayed, the time of the last, and a line about damage
    (None when the journal was whole or only its last record was cut short)."""

    edits: int = 0
    last_time: float | None = None
    damage: str | None = None


def header(token: bytes) -> bytes:
    return HEADER.pack(MAGIC, VERSION, token)


def encode(op: str, frames: np.ndarray | None, before: tuple, after: tuple, meta: dict, label: str) -> bytes:
    """One record (prefix included) for a command that wrote ``after`` over ``before`` on
    ``frames`` (None: the whole arrays); ``meta``: `PoseDocument._meta_state` after it, or {}."""
    whole = frames is None
    data, conf, filled = (np.asarray(a) for a in after)
    if whole:
        joints = np.arange(data.shape[1], dtype=np.int64)
    else:
        joints = _changed_joints(before, after)
        data, conf, filled = data[:, joints], conf[:, joints], filled[:, joints]
    head = {
        "op": op,
        "label": label,
        "t": time.time(),
        "whole": whole,
        "frames": int(data.shape[0]),
        "joints": len(joints),
        "meta": _meta_json(meta) if meta else None,
    }
    head_bytes = json.dumps(head, ensure_ascii=False).encode("utf-8")
    parts = [struct.pack("<I", len(head_bytes)), head_bytes]
    if not whole:
        assert frames is not None
        parts += [np.asarray(frames, "<i8").tobytes(), joints.astype("<i8").tobytes()]
    parts += [data.astype("<f4").tobytes(), conf.astype("<f4").tobytes(), filled.astype(np.uint8).tobytes()]
    payload = b"".join(parts)
    return PREFIX.pack(len(payload), zlib.crc32(payload)) + payload


def _changed_joints(before: tuple, after: tuple) -> np.ndarray:
    """Joints whose data, confidence or filled differ bitwise in any frame (NaN-safe)."""
    d0, c0, f0 = (np.asarray(a) for a in before)
    d1, c1, f1 = (np.asarray(a) for a in after)
    if d0.shape[0] == 0:
        return np.zeros(0, np.int64)
    moved = (d0.view(np.uint32) != d1.view(np.uint32)).any(axis=(0, 2))
    moved |= (c0.view(np.uint32) != c1.view(np.uint32)).any(axis=0)
    moved |= (f0 != f1).any(axis=0)
    return np.flatnonzero(moved).astype(np.int64)


def _meta_json(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "flags": {str(k): v for k, v in meta["flags"].items()},
        "notes": {str(k): v for k, v in meta["notes"].items()},
        "keyframes": sorted(int(k) for k in meta["keyframes"]),
        "segments": json.loads(json.dumps(meta["segments"], default=_plain)),
        "mirrored": bool(meta["mirrored"]),
    }


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else str(value)


def append(path: Path, record: bytes) -> None:
    """Append ``record`` with one write and fsync; on failure the file is cut back to the last
    whole record and the OSError raised."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        end = os.lseek(fd, 0, os.SEEK_END)
        try:
            written = os.write(fd, record)
            if written != len(record):
                raise OSError(f"only {written} of {len(record)} bytes could be written")
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):  # else the reader ignores the record cut short
                os.ftruncate(fd, end)
            raise
    finally:
        os.close(fd)


def read(path: Path, token: bytes, state: DocState) -> Replay:
    """Replay onto ``state`` the whole records of the journal at ``path`` that continues the
    snapshot ``token`` (no journal, or one of an older snapshot: nothing to replay)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Replay()
    except OSError:
        return Replay(damage="cannot be read (at the file)")
    if len(raw) < HEADER.size or raw[:8] != MAGIC:
        return Replay(damage="not a SignStudio edit journal (at byte 0)")
    _, version, own = HEADER.unpack_from(raw)
    if version != VERSION:
        return Replay(damage=f"journal version {version}, this SignStudio reads {VERSION} (at byte 8)")
    if own != token:
        return Replay()  # the snapshot is newer than this journal: it holds these edits already
    out = Replay()
    offset = HEADER.size
    while offset + PREFIX.size <= len(raw):
        length, crc = PREFIX.unpack_from(raw, offset)
        end = offset + PREFIX.size + length
        if end > len(raw):
            break  # cut short: the edit in progress when the writer stopped
        payload = raw[offset + PREFIX.size : end]
        try:
            if zlib.crc32(payload) != crc:
                if end == len(raw):
                    break  # the last record, torn by a power cut: in progress, ignored
                raise JournalDamaged("an edit does not match its checksum", f"byte {offset}")
            when = _apply(payload, state, offset)
        except JournalDamaged as exc:
            kept = f"{out.edits} edit" + ("" if out.edits == 1 else "s")
            out.damage = f"{exc.problem}; kept the {kept} before it (at {exc.where})"
            break
        out.edits += 1
        out.last_time = when
        offset = end
    return out


def _apply(payload: bytes, state: DocState, offset: int) -> float:
    """Write one record's values into ``state``; its time."""
    where = f"byte {offset}"
    try:
        (head_len,) = struct.unpack_from("<I", payload)
        head = json.loads(payload[4 : 4 + head_len].decode("utf-8"))
        n_frames, n_joints = int(head["frames"]), int(head["joints"])
        whole, op, meta = bool(head["whole"]), head["op"], head["meta"]
        when = float(head["t"])
    except (struct.error, ValueError, KeyError, TypeError) as exc:
        raise JournalDamaged("an edit's description is unreadable", where) from exc
    if op not in OPS or n_frames < 0 or n_joints < 0:
        raise JournalDamaged("an edit's description is unreadable", where)
    pos = 4 + head_len
    joints_all = state.data.shape[1]
    if whole:
        frames, joints = None, np.arange(joints_all)
        if n_joints != joints_all or n_frames < 1:
            raise JournalDamaged("an edit does not fit the document's skeleton", where)
    else:
        frames, pos = _ints(payload, pos, n_frames, where)
        joints, pos = _ints(payload, pos, n_joints, where)
        if (frames < 0).any() or (frames >= state.data.shape[0]).any() or (joints < 0).any():
            raise JournalDamaged("an edit names frames outside the document", where)
        if (joints >= joints_all).any():
            raise JournalDamaged("an edit names joints outside the skeleton", where)
    cells = n_frames * n_joints
    if len(payload) != pos + cells * 17:  # 12 + 4 + 1 bytes per (frame, joint)
        raise JournalDamaged("an edit's values do not fill it", where)
    data = np.frombuffer(payload, "<f4", cells * 3, pos).reshape(n_frames, n_joints, 3)
    conf = np.frombuffer(payload, "<f4", cells, pos + cells * 12).reshape(n_frames, n_joints)
    filled = np.frombuffer(payload, np.uint8, cells, pos + cells * 16).reshape(n_frames, n_joints) != 0
    if frames is None:
        state.data, state.confidence, state.filled = data.astype(np.float32), conf.astype(np.float32), filled
    else:
        rows, cols = np.ix_(frames, joints)
        state.data[rows, cols], state.confidence[rows, cols], state.filled[rows, cols] = data, conf, filled
    if meta is not None:
        _apply_meta(meta, state, where)
    return when


def _ints(payload: bytes, pos: int, n: int, where: str) -> tuple[np.ndarray, int]:
    if pos + 8 * n > len(payload):
        raise JournalDamaged("an edit's values do not fill it", where)
    return np.frombuffer(payload, "<i8", n, pos).astype(np.int64), pos + 8 * n


def _apply_meta(meta: Any, state: DocState, where: str) -> None:
    try:
        flags = {int(k): str(v) for k, v in meta["flags"].items()}
        notes = {int(k): str(v) for k, v in meta["notes"].items()}
        keyframes = {int(k) for k in meta["keyframes"]}
        segments = [dict(x) for x in meta["segments"]]
        mirrored = bool(meta["mirrored"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise JournalDamaged("an edit's flags, notes or keyframes are unreadable", where) from exc
    state.flags, state.notes, state.keyframes = flags, notes, keyframes
    state.segments, state.mirrored = segments, mirrored


__all__ = ["VERSION", "DocState", "JournalDamaged", "Replay", "append", "encode", "header", "read"]
