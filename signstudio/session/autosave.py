"""Autosave and recovery of unsaved edits (Qt-free; the window calls `save` on a timer).

    saver = Autosaver()                       # $SIGNSTUDIO_AUTOSAVE_DIR or <data dir>/autosave
    saver.save(doc, name="hello")             # atomic; only when doc.dirty
    for found in saver.pending():             # after a crash: what the last session left
        doc = saver.restore(found.path)       # equals the document at its last autosave, exactly
    saver.discard(path)                       # after a save, or when the user declines

One ``.autosave.npz`` per document: the arrays as they are (float32 data and confidence, bool
filled: no conversion, so a restore is bit for bit), the skeleton, fps and meta as JSON, the
per-frame flags, notes and keyframes, and when it was written. A file is replaced atomically (written beside
it, then renamed), so a crash during an autosave leaves the previous one intact.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import Skeleton
from signstudio.session.document import PoseDocument

SUFFIX = ".autosave.npz"


@dataclass(frozen=True)
class Recovery:
    """An autosave found on disk: its file, the document's name, when it was written."""

    path: Path
    name: str
    saved_at: float  # seconds since the epoch
    frames: int


def _file_stem(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.strip())
    return keep[:80] or "untitled"


class Autosaver:
    """Autosaves of documents in one folder (see the module docstring)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        if folder is None:
            from signstudio.corpus.store import data_dir

            folder = os.environ.get("SIGNSTUDIO_AUTOSAVE_DIR") or data_dir() / "autosave"
        self.folder = Path(folder)

    def path_for(self, name: str) -> Path:
        return self.folder / f"{_file_stem(name)}{SUFFIX}"

    def save(self, doc: PoseDocument, name: str = "untitled", force: bool = False) -> Path | None:
        """Write ``doc`` if it has unsaved changes (or ``force``); returns the file, or None."""
        if not (doc.dirty or force):
            return None
        from signstudio.pose.formats._atomic import atomic_path

        seq = doc.sequence
        ref = doc.reference
        header = {
            "name": name,
            "saved_at": time.time(),
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
        path = self.path_for(name)
        with atomic_path(path, make_parents=True) as tmp, tmp.open("wb") as fh:  # our own folder
            arrays["header"] = np.array(json.dumps(header, ensure_ascii=False))
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        return path

    def pending(self) -> list[Recovery]:
        """Autosaves left behind (newest first); unreadable ones are skipped."""
        out = []
        for path in self.folder.glob(f"*{SUFFIX}") if self.folder.is_dir() else []:
            try:
                with np.load(path, allow_pickle=False) as z:
                    header = json.loads(str(z["header"]))
                    frames = int(z["data"].shape[0])
            except (OSError, ValueError, KeyError):
                continue
            out.append(
                Recovery(path, str(header.get("name", path.stem)), float(header.get("saved_at", 0)), frames)
            )
        return sorted(out, key=lambda r: -r.saved_at)

    def restore(self, path: str | Path) -> PoseDocument:
        """The document as it was autosaved, unsaved (dirty) as it was, with its reference if it
        had one (ValueError with one line for a damaged file)."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(str(z["header"]))
                data, conf, filled = z["data"], z["confidence"], z["filled"]
                ref = header.get("reference")
                if ref is not None:
                    reference: PoseSequence | None = PoseSequence(
                        z["ref_data"],
                        z["ref_confidence"],
                        float(ref["fps"]),
                        Skeleton.from_dict(ref["skeleton"]),
                        ref["meta"],
                        z["ref_filled"],
                    )
                else:
                    reference = None
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{path}: not a readable autosave ({exc})") from None
        seq = PoseSequence(
            data, conf, float(header["fps"]), Skeleton.from_dict(header["skeleton"]), header["meta"], filled
        )
        doc = PoseDocument(seq, reference)
        doc.mark_unsaved()
        doc.flags = {int(k): v for k, v in header.get("flags", {}).items()}
        doc.notes = {int(k): v for k, v in header.get("notes", {}).items()}
        doc.keyframes = {int(k) for k in header.get("keyframes", ())}
        return doc

    def discard(self, path: str | Path) -> None:
        Path(path).unlink(missing_ok=True)


def _jsonable(value: Any) -> Any:
    """Meta as JSON can hold it (numpy scalars and arrays to lists; anything else to text)."""
    return json.loads(json.dumps(value, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)))


__all__ = ["SUFFIX", "Autosaver", "Recovery"]
