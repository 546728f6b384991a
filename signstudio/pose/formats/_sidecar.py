"""The ``.pose`` sidecar: what a ``.pose`` file cannot hold, kept next to it.

A ``.pose`` file (pose-format) holds the header and the points only. Our ``meta`` — the word or
text, gloss, sign language, model, checkpoint, what the sequence is (``reference_kind``), the
letter segments and the annotations (flags, notes, keyframes: `signstudio.pose.annotations`) —
goes to ``NAME.pose.signstudio.json`` beside it::

    {"signstudio_sidecar": 1, "frames": 40, "meta": {"text": "hello", "model": "nar-kd", ...}}

Decisions:

* **Written in the same commit** as the ``.pose`` (`_atomic.atomic_paths`: two temporaries and a
  commit journal), so a kill leaves the old pair or the new one, never a new file with an old
  sidecar. A sequence with nothing to keep writes no sidecar; an old sidecar of the target is
  then replaced by an empty one in the same commit (never left to annotate a different file).
* **The file's own facts win**: ``format``, ``convention`` and ``source`` come from reading the
  ``.pose``, never from the sidecar (they are not stored).
* **A sidecar that does not fit is not used, and the file still opens**: damaged JSON, one
  written for a file with another number of frames (the ``.pose`` was rewritten by another tool),
  or one over `MAX_BYTES` (16 MiB, never read into memory) is named in one warning line (logger
  ``signstudio``) and ignored.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from signstudio.pose.formats.npz import meta_to_json
from signstudio.pose.sequence import PoseSequence

log = logging.getLogger("signstudio")
SUFFIX = ".signstudio.json"
VERSION = 1
#: A sidecar larger than this is not read (annotations and a word are kilobytes; a huge one is
#: damage or a bomb, and the .pose opens without it).
MAX_BYTES = 16 * 1024 * 1024
#: ``meta`` keys a ``.pose`` reader sets itself: never stored in the sidecar.
_OWN = frozenset({"format", "convention", "source", "path"})


def sidecar_path(path: str | Path) -> Path:
    """``NAME.pose`` -> ``NAME.pose.signstudio.json``."""
    p = Path(path)
    return p.with_name(p.name + SUFFIX)


def sidecar_text(path: Path, seq: PoseSequence, always: bool = False) -> str | None:
    """The sidecar's JSON for ``seq`` written to ``path``; None when nothing needs keeping
    (``always``: an empty one then, to replace an old sidecar)."""
    keep = {k: v for k, v in seq.meta.items() if k not in _OWN and v not in (None, "", [], {})}
    if not keep and not always:
        return None
    meta = json.loads(meta_to_json(path, keep, "sidecar"))
    return json.dumps(
        {"signstudio_sidecar": VERSION, "frames": seq.num_frames, "meta": meta}, ensure_ascii=False
    )


def read_sidecar(path: Path, num_frames: int) -> dict[str, Any]:
    """The stored ``meta`` of the ``.pose`` at ``path`` ({} when there is no usable sidecar)."""
    side = sidecar_path(path)
    try:
        size = side.stat().st_size
        if size > MAX_BYTES:
            log.warning(
                "note: %s: %d bytes, more than a sidecar holds (%d; at the file); it is not used",
                side,
                size,
                MAX_BYTES,
            )
            return {}
        raw = side.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("note: %s: cannot be read (%s); the annotations in it are not used", side, exc.strerror)
        return {}
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        log.warning(
            "note: %s: not UTF-8 text (at byte %d); the annotations in it are not used", side, exc.start
        )
        return {}
    except json.JSONDecodeError as exc:
        log.warning(
            "note: %s: not valid JSON (at character %d); the annotations in it are not used", side, exc.pos
        )
        return {}
    if not isinstance(record, dict) or not isinstance(record.get("meta"), dict):
        log.warning("note: %s: not a SignStudio sidecar (at field meta); it is not used", side)
        return {}
    frames = record.get("frames")
    if frames != num_frames:
        log.warning(
            "note: %s: written for a %s-frame file, this one has %d frames (at field frames); "
            "its annotations are not used",
            side,
            frames,
            num_frames,
        )
        return {}
    return {k: v for k, v in record["meta"].items() if k not in _OWN}


__all__ = ["SUFFIX", "read_sidecar", "sidecar_path", "sidecar_text"]
