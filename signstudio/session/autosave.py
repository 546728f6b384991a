"""Autosave and recovery of unsaved edits (Qt-free): a snapshot on a timer, a journal of every
committed edit in between, so that a crash (kill -9 included) loses at most the drag in progress.

    saver = Autosaver()                       # $SIGNSTUDIO_AUTOSAVE_DIR or <data dir>/autosave
    saver.attach(doc, lambda: "hello")        # journal each committed edit of doc (on commit)
    saver.save(doc, name="hello")             # snapshot (atomic; only when doc.dirty); new journal
    for found in saver.pending():             # after a crash: what the last session left
        doc = saver.restore(found.path)       # snapshot + journal: the document after its last
    saver.discard(path)                       #   committed edit, bit for bit; after a save, or
    saver.skipped                             #   when declined; lines about damaged files

**Files.** Per document, in the autosave folder:

* ``<name>.autosave.npz`` — the snapshot: the arrays as they are (float32 data and confidence,
  bool filled: no conversion, so a restore is bit for bit), the skeleton, fps and meta as JSON,
  the per-frame flags, notes and keyframes, when it was written, and a random ``token`` naming
  it. Written beside itself and renamed into place, so a crash during a snapshot leaves the
  previous one whole (the unfinished ``.*.part`` is swept later).
* ``<name>.autosave.journal`` — every committed edit since that snapshot (an edit, a drag on
  release, an undo, a redo), appended and fsync'd as it is committed; format and versioning in
  `signstudio.session.journal`. Its header names the snapshot's token.

**Order of a snapshot**: the new ``.npz`` (new token) is renamed into place, then a new empty
journal with that token replaces the old one. A crash between the two leaves a journal with the
old token: the snapshot already holds its edits, so it is not replayed. The first committed edit
of a document this session has not snapshotted yet makes a snapshot instead of a record (a
journal continues a snapshot written by this process, never one left by an earlier one). A record
that cannot be written (disk full) is cut back and the next edit writes a whole snapshot.

**Damaged files.** `pending` reads every file in full (each member's zip checksum, the arrays'
sizes and dtypes, the header's fields, the journal's records) and skips what does not read, with
one line each in ``skipped`` (and the log), so one bad file never hides the good ones beside it::

    …/hello.autosave.npz: damaged autosave, skipped (at member 'data.npy': its bytes do not match
    their checksum)

A damaged journal keeps its snapshot and the edits before the damage (one line says so); a
journal record cut short at the end is the edit that was in progress when the writer stopped and
is ignored without a word. Folders, pipes and other non-files with the suffix are skipped
without being opened (a pipe would block the start).
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import secrets
import stat
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import Skeleton
from signstudio.session import journal
from signstudio.session.document import Command, PoseDocument

SUFFIX = ".autosave.npz"
JOURNAL_SUFFIX = ".autosave.journal"
STALE_PART_SECONDS = 600  # an unfinished snapshot older than this is no one's write in progress
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovery:
    """An autosave found on disk: its file, the document's name, when it was last written (its
    last journalled edit, else the snapshot), its frames, and the edits replayed from the journal."""

    path: Path
    name: str
    saved_at: float  # seconds since the epoch
    frames: int
    edits: int = 0


class _Damaged(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"at {where}: {problem}")
        self.where, self.problem = where, problem


def _file_stem(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.strip())
    return keep[:80] or "untitled"


def journal_for(path: str | Path) -> Path:
    """The journal beside the snapshot ``path``."""
    path = Path(path)
    stem = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    return path.with_name(stem + JOURNAL_SUFFIX)


class Autosaver:
    """Autosaves of documents in one folder (see the module docstring)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        if folder is None:
            from signstudio.corpus.store import data_dir

            folder = os.environ.get("SIGNSTUDIO_AUTOSAVE_DIR") or data_dir() / "autosave"
        self.folder = Path(folder)
        self.skipped: list[str] = []  # one line per damaged file found by the last `pending`
        self._tokens: dict[Path, bytes] = {}  # snapshot -> token of the one this process wrote

    def path_for(self, name: str) -> Path:
        return self.folder / f"{_file_stem(name)}{SUFFIX}"

    # ---- writing ----------------------------------------------------------------------------
    def save(self, doc: PoseDocument, name: str = "untitled", force: bool = False) -> Path | None:
        """Snapshot ``doc`` if it has unsaved changes (or ``force``) and start its journal afresh;
        returns the file, or None."""
        if not (doc.dirty or force):
            return None
        from signstudio.pose.formats._atomic import atomic_path

        path = self.path_for(name)
        self._tokens.pop(path, None)  # until both files are in place, edits make a snapshot
        token = secrets.token_bytes(16)
        header, arrays = _snapshot(doc, name, token)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_path(path, make_parents=True) as tmp, tmp.open("wb") as fh:  # our own folder
                arrays["header"] = np.array(json.dumps(header, ensure_ascii=False))
                np.savez(fh, **arrays)  # type: ignore[arg-type]
        except FormatError as exc:  # full or read-only disk: callers handle an OSError
            raise OSError(exc.problem) from None
        _start_journal(journal_for(path), token)
        _sync_folder(self.folder)
        self._tokens[path] = token
        return path

    def record(self, doc: PoseDocument, name: str, op: str, cmd: Command) -> None:
        """Journal one committed edit of ``doc`` (a `PoseDocument.committed` event): appended and
        fsync'd; a snapshot instead when this process has none of ``name`` yet."""
        path = self.path_for(name)
        token = self._tokens.get(path)
        if token is None or not path.exists():
            self.save(doc, name, force=True)
            return
        undo = op == "undo"
        values, old = (cmd.before, cmd.after) if undo else (cmd.after, cmd.before)
        meta = cmd.meta_before if undo else cmd.meta_after
        record = journal.encode(op, cmd.frames, old, values, meta, cmd.label)
        try:
            journal.append(journal_for(path), record)
        except OSError:
            self._tokens.pop(path, None)  # the journal misses this edit: the next one snapshots
            raise

    def attach(
        self, doc: PoseDocument, name: Callable[[], str], on_error: Callable[[str], object] | None = None
    ) -> Callable[[str, Command], None]:
        """Journal every committed edit of ``doc`` under the name ``name()`` has at that moment;
        a failed write is passed to ``on_error`` as one line (else raised). Returns the callback
        (``doc.committed.disconnect`` it to stop)."""

        def committed(op: str, cmd: Command) -> None:
            try:
                self.record(doc, name(), op, cmd)
            except OSError as exc:
                if on_error is None:
                    raise
                on_error(f"{self.path_for(name())}: autosave failed ({exc.strerror or exc})")

        doc.committed.connect(committed)
        return committed

    def discard(self, path: str | Path) -> None:
        """Remove the snapshot ``path`` and its journal."""
        path = Path(path)
        self._tokens.pop(path, None)
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
        journal_for(path).unlink(missing_ok=True)

    # ---- reading ----------------------------------------------------------------------------
    def pending(self) -> list[Recovery]:
        """Autosaves left behind (newest first), each read in full; a damaged one is skipped with
        a line in ``skipped`` (and the log)."""
        out, self.skipped = [], []
        if not self.folder.is_dir():
            return []
        _sweep_parts(self.folder)
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                doc, header, replay = self._load(path)
            except _Damaged as exc:
                self._skip(f"{path}: damaged autosave, skipped (at {exc.where}: {exc.problem})")
                continue
            if replay.damage is not None:
                self._skip(f"{journal_for(path)}: damaged journal, {replay.damage}")
            saved_at = replay.last_time if replay.last_time is not None else float(header["saved_at"])
            out.append(Recovery(path, str(header["name"]), saved_at, doc.num_frames, replay.edits))
        return sorted(out, key=lambda r: -r.saved_at)

    def _skip(self, line: str) -> None:
        self.skipped.append(line)
        log.warning("%s", line)

    def restore(self, path: str | Path) -> PoseDocument:
        """The document after its last committed edit (snapshot, then journal), unsaved (dirty)
        as it was, with its reference if it had one (ValueError with one line for a damaged file)."""
        path = Path(path)
        try:
            doc, _, replay = self._load(path)
        except _Damaged as exc:
            raise ValueError(f"{path}: damaged autosave (at {exc.where}: {exc.problem})") from None
        if replay.damage is not None:
            log.warning("%s: damaged journal, %s", journal_for(path), replay.damage)
        return doc

    def _load(self, path: Path) -> tuple[PoseDocument, dict[str, Any], journal.Replay]:
        arrays = _read_npz(path)
        header = _header(arrays)
        seq, reference = _sequences(arrays, header)
        state = journal.DocState(
            seq.data.copy(),
            seq.confidence.copy(),
            seq.filled.copy(),
            {int(k): str(v) for k, v in header["flags"].items()},
            {int(k): str(v) for k, v in header["notes"].items()},
            {int(k) for k in header["keyframes"]},
            [dict(x) for x in seq.meta.get("segments", ())],
            bool(seq.meta.get("mirrored", False)),
        )
        replay = journal.Replay()
        token = header.get("token")
        if isinstance(token, str) and len(token) == 32:
            replay = journal.read(journal_for(path), bytes.fromhex(token), state)
        doc = PoseDocument(_replayed(seq, state), reference)
        doc.mark_unsaved()
        doc.flags, doc.notes, doc.keyframes = state.flags, state.notes, state.keyframes
        return doc, header, replay


def _snapshot(doc: PoseDocument, name: str, token: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and arrays of a snapshot of ``doc``."""
    seq, ref = doc.sequence, doc.reference
    header: dict[str, Any] = {
        "name": name,
        "saved_at": time.time(),
        "token": token.hex(),
        "fps": seq.fps,
        "skeleton": seq.skeleton.to_dict(),
        "meta": _jsonable(seq.meta),
        "flags": {str(k): v for k, v in doc.flags.items()},
        "notes": {str(k): v for k, v in doc.notes.items()},
        "keyframes": sorted(doc.keyframes),
    }
    arrays = {"data": seq.data, "confidence": seq.confidence, "filled": seq.filled}
    if ref is not None:  # the reference it was compared with comes back with it
        header["reference"] = {
            "fps": ref.fps,
            "skeleton": ref.skeleton.to_dict(),
            "meta": _jsonable(ref.meta),
        }
        arrays.update(ref_data=ref.data, ref_confidence=ref.confidence, ref_filled=ref.filled)
    return header, arrays


def _start_journal(path: Path, token: bytes) -> None:
    from signstudio.pose.formats._atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(journal.header(token))


def _sync_folder(folder: Path) -> None:
    """Make the renames durable (a power cut after them keeps them)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the renames are still done
    finally:
        os.close(fd)


def _sweep_parts(folder: Path) -> None:
    """Remove unfinished snapshots and journals of ours (``.<name>.autosave.*.part``) that no
    write in progress can own any more."""
    now = time.time()
    for part in folder.glob(".*.autosave.*.part"):
        try:
            if part.is_file() and now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
        except OSError:
            continue


# ---- reading a snapshot, checking everything ------------------------------------------------
_DTYPES = {"data": "<f4", "confidence": "<f4", "filled": "|b1"}


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every member of the snapshot at ``path`` as an array (`_Damaged` for anything amiss)."""
    try:
        st = path.stat()
    except OSError:
        raise _Damaged("the file", "it cannot be read") from None
    if not stat.S_ISREG(st.st_mode):
        raise _Damaged("the file", "a folder or device, not a file")
    try:
        with path.open("rb") as fh:
            raw = fh.read()
    except OSError:
        raise _Damaged("the file", "it cannot be read") from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _Damaged(
            f"byte {len(raw)}, the end of the file", "not an autosave archive, or cut short"
        ) from None
    out = {}
    with zf:
        for info in zf.infolist():
            member = info.filename
            key = member[:-4] if member.endswith(".npy") else member
            if info.compress_type != zipfile.ZIP_STORED or info.file_size > len(raw):
                raise _Damaged(f"member '{member}'", "stored in a way autosaves never are")
            try:
                body = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
                raise _Damaged(f"member '{member}'", "its bytes do not match their checksum") from None
            out[key] = _npy(body, member)
    return out


def _npy(body: bytes, member: str) -> np.ndarray:
    """One ``.npy`` member, its size checked against its shape before anything is allocated."""
    fmt = np.lib.format
    fp = io.BytesIO(body)
    try:
        major, _ = fmt.read_magic(fp)
        read = fmt.read_array_header_1_0 if major == 1 else fmt.read_array_header_2_0
        shape, fortran, dtype = read(fp)
    except (ValueError, EOFError, SyntaxError, TypeError):
        raise _Damaged(f"member '{member}', byte 0", "not an array") from None
    if dtype.hasobject or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise _Damaged(f"member '{member}', byte 0", "not an array of numbers or text")
    count = math.prod(shape)
    if len(body) - fp.tell() != count * dtype.itemsize:
        have, need = len(body) - fp.tell(), count * dtype.itemsize
        raise _Damaged(
            f"member '{member}'", f"holds {have} bytes where its shape {tuple(shape)} needs {need} bytes"
        )
    arr = np.frombuffer(body, dtype, count, fp.tell())
    return arr.reshape(shape, order="F" if fortran else "C").copy()


def _header(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The snapshot's JSON header, its fields checked."""
    raw = arrays.get("header")
    if raw is None or raw.shape != () or raw.dtype.kind != "U":
        raise _Damaged("member 'header.npy'", "missing, or not the autosave's description")
    try:
        header = json.loads(str(raw[()]))
    except json.JSONDecodeError as exc:
        raise _Damaged(f"the header, line {exc.lineno} column {exc.colno}", "not valid JSON") from None
    if not isinstance(header, dict):
        raise _Damaged("the header", "not a JSON object")
    kinds: dict[str, type | tuple[type, ...]] = {"name": str, "saved_at": (int, float), "fps": (int, float)}
    kinds.update(skeleton=dict, meta=dict, flags=dict, notes=dict, keyframes=list)
    for key, kind in kinds.items():
        if not isinstance(header.get(key), kind):
            raise _Damaged(f"the header's field '{key}'", "missing or of the wrong kind")
    if not (math.isfinite(header["fps"]) and header["fps"] > 0):
        raise _Damaged("the header's field 'fps'", f"{header['fps']} frames a second")
    for key in ("flags", "notes"):
        if not all(k.lstrip("-").isdigit() and isinstance(v, str) for k, v in header[key].items()):
            raise _Damaged(f"the header's field '{key}'", "not frame numbers with text")
    if not all(isinstance(k, int) for k in header["keyframes"]):
        raise _Damaged("the header's field 'keyframes'", "not frame numbers")
    return header


def _sequences(
    arrays: dict[str, np.ndarray], header: dict[str, Any]
) -> tuple[PoseSequence, PoseSequence | None]:
    """The edited sequence and its reference (None if it had none)."""
    seq = _sequence(arrays, "", float(header["fps"]), header["skeleton"], header["meta"], "the header")
    ref = header.get("reference")
    if ref is None:
        return seq, None
    if not isinstance(ref, dict) or not isinstance(ref.get("fps"), (int, float)):
        raise _Damaged("the header's field 'reference'", "missing or of the wrong kind")
    meta = ref.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    return seq, _sequence(arrays, "ref_", float(ref["fps"]), ref.get("skeleton"), meta, "the reference")


def _sequence(
    arrays: dict[str, np.ndarray], prefix: str, fps: float, skeleton: Any, meta: dict, where: str
) -> PoseSequence:
    for key, dtype in _DTYPES.items():
        arr = arrays.get(prefix + key)
        if arr is None or arr.dtype.str != dtype:
            raise _Damaged(f"member '{prefix}{key}.npy'", f"missing, or not {np.dtype(dtype).name}")
    data, conf, filled = (arrays[prefix + k] for k in _DTYPES)
    if data.ndim != 3 or data.shape[0] < 1 or data.shape[2] != 3:
        raise _Damaged(f"member '{prefix}data.npy'", f"shape {data.shape}, not (frames, joints, 3)")
    if conf.shape != data.shape[:2] or filled.shape != data.shape[:2]:
        raise _Damaged(f"members '{prefix}confidence.npy', '{prefix}filled.npy'", "not one value per point")
    try:
        skel = Skeleton.from_dict(skeleton)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _Damaged(f"{where}'s skeleton", "not a skeleton") from None
    try:
        return PoseSequence(data, conf, fps, skel, meta, filled)
    except (ValueError, IndexError, TypeError):
        raise _Damaged(f"{where}'s skeleton", f"does not fit {data.shape[1]} joints") from None


def _replayed(seq: PoseSequence, state: journal.DocState) -> PoseSequence:
    """``seq`` with the arrays and the letter segments/mirror state the journal left."""
    meta = dict(seq.meta)
    if state.segments or "segments" in meta:
        meta["segments"] = [dict(x) for x in state.segments]
    if state.mirrored or "mirrored" in meta:
        meta["mirrored"] = state.mirrored
    return seq.replace(data=state.data, confidence=state.confidence, filled=state.filled, meta=meta)


def _jsonable(value: Any) -> Any:
    """Meta as JSON can hold it (numpy scalars and arrays to lists; anything else to text)."""
    return json.loads(json.dumps(value, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))


__all__ = ["JOURNAL_SUFFIX", "SUFFIX", "Autosaver", "Recovery", "journal_for"]
