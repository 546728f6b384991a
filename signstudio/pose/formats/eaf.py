"""ELAN ``.eaf`` annotation files (written with pympi-ling's ``pympi.Elan``); write only.

What a sequence becomes:

* tier ``text``: one annotation over the whole sequence, ``[0, F / fps]`` in ms, holding
  ``meta["text"]`` (empty when the sequence has none);
* tiers ``right hand`` and ``left hand``: the letter (or gloss) segments of ``meta["segments"]``
  (`signstudio.corpus.join`), each on the tier of its ``hand`` (``both``: on the two tiers),
  frames ``[start, end)`` as ``[round(1000 start / fps), round(1000 end / fps)]`` ms. The tiers
  are there, empty, when the sequence has no segments;
* a linked file: ``media=`` (a video or the pose file; False or "" for none; default: the file the
  sequence was read from, ``meta["source"]``, when that is a file), with an absolute ``file://``
  URL and a path relative to the ``.eaf``. Video and audio go in as ELAN media (``video/mp4`` for
  ``.mp4``, ... see `MIME_TYPES`); other files (a ``.pose``) as a *secondary* linked file, which
  ELAN lists without trying to play it.

The file is built as XML by pympi and written atomically (pympi's own ``to_eaf`` would rename
an existing file to ``.bak``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.formats.npz import check_writable
from signstudio.pose.sequence import PoseSequence

TEXT_TIER = "text"
HAND_TIERS = {"right": "right hand", "left": "left hand"}
#: Media ELAN plays, by extension.
MIME_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
    ".ogv": "video/ogg",
    ".wav": "audio/x-wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".gif": "image/gif",
}
#: MIME type of a linked file ELAN does not play (a pose file).
OTHER_MIME_TYPE = "application/octet-stream"


def frame_ms(frame: int, fps: float) -> int:
    """Milliseconds at the start of ``frame`` (frame ``F`` is the end of an F-frame sequence)."""
    return round(1000.0 * frame / fps)


def _media_path(seq: PoseSequence, media: Any) -> Path | None:
    if media is False or media == "":
        return None
    if media is not None:
        return Path(media)
    source = seq.meta.get("source")
    if isinstance(source, str) and source and Path(source).is_file():
        return Path(source)
    return None


def _link(eaf: Any, media: Path, eaf_path: Path) -> None:
    absolute = media.resolve()
    relative = os.path.relpath(absolute, eaf_path.resolve().parent).replace(os.sep, "/")
    if not relative.startswith("../"):
        relative = f"./{relative}"
    mime = MIME_TYPES.get(media.suffix.lower())
    if mime is not None:
        eaf.add_linked_file(absolute.as_uri(), relpath=relative, mimetype=mime)
    else:
        eaf.add_secondary_linked_file(absolute.as_uri(), relpath=relative, mimetype=OTHER_MIME_TYPE)


def eaf_document(seq: PoseSequence, path: Path, media: Any = None) -> Any:
    """The ``pympi.Elan.Eaf`` of ``seq`` (data (F, J, 3); only its length, fps and meta are used)."""
    from pympi.Elan import Eaf

    eaf = Eaf(author="SignStudio")
    eaf.remove_tier("default")
    end_ms = max(frame_ms(seq.num_frames, seq.fps), 1)
    eaf.add_tier(TEXT_TIER)
    eaf.add_annotation(TEXT_TIER, 0, end_ms, str(seq.meta.get("text") or ""))
    for tier in HAND_TIERS.values():
        eaf.add_tier(tier)
    for i, segment in enumerate(seq.meta.get("segments") or ()):
        try:
            start, end = int(segment["start"]), int(segment["end"])
            label, hand = str(segment.get("label", "")), str(segment.get("hand", "right"))
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(path, f"segment {i} is not {{start, end, label, hand}} ({exc})") from None
        if not 0 <= start < end <= seq.num_frames:
            raise FormatError(path, f"segment {i} [{start}, {end}) is outside frames [0, {seq.num_frames})")
        hands = ("right", "left") if hand == "both" else (hand,)
        if any(h not in HAND_TIERS for h in hands):
            raise FormatError(path, f"segment {i} has hand {hand!r} (right, left or both)")
        start_ms, end_ms_segment = frame_ms(start, seq.fps), frame_ms(end, seq.fps)
        for h in hands:
            eaf.add_annotation(HAND_TIERS[h], start_ms, max(end_ms_segment, start_ms + 1), label)
    media_path = _media_path(seq, media)
    if media_path is not None:
        _link(eaf, media_path, path)
    # ELAN numbers new annotations after this one; pympi leaves it at 0
    last = max((int(a[1:]) for a in eaf.annotations if a[1:].isdigit()), default=0)
    eaf.properties = [(k, v) for k, v in eaf.properties if k != "lastUsedAnnotation"]
    eaf.properties.append(("lastUsedAnnotation", last))
    return eaf


def write_eaf(path: Path, seqs: list[PoseSequence], media: Any = None, **_: Any) -> None:
    """Write one sequence's text, letter segments and linked media as ELAN ``.eaf`` (atomically)."""
    from pympi.Elan import to_string

    if len(seqs) != 1:
        raise FormatError(path, f"an .eaf file annotates one sequence, got {len(seqs)}")
    check_writable(path, seqs[0], 0)
    xml = to_string(eaf_document(seqs[0], path, media), encoding="unicode")
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(xml)


SPEC = register(
    FormatSpec(
        "eaf",
        "ELAN .eaf annotations (text, letter segments per hand, linked media); write only",
        (".eaf",),
        lambda path, head: 0.0,
        None,
        write_eaf,
        options={"media": "linked video or pose file (default: the file read; False: none)"},
    )
)
