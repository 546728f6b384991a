"""ELAN ``.eaf`` annotation files (written with pympi-ling's ``pympi.Elan``); write only.

What a sequence becomes:

* tier ``text``: one annotation over the whole sequence, ``[0, F / fps]`` in ms, holding what
  it signs (`signed_text`: ``meta["text"]``, else its gloss, word or file name);
* tiers ``right hand`` and ``left hand``: the letter (or gloss) segments of ``meta["segments"]``
  (`signstudio.corpus.join`), each on the tier of its ``hand`` (``both``: on the two tiers),
  frames ``[start, end)`` as ``[round(1000 start / fps), round(1000 end / fps)]`` ms. A
  sequence without segments that names its sign (a lexicon letter: gloss "A") is one segment
  over all its frames, on the hand that signs (present in at least half of the frames). The
  tiers are there, empty, when nothing names the sign;
* tier ``gloss`` (only when the segments say which words are signs and which are spelled, as
  lookup's do with lexicons: ``kind`` ``sign`` / ``spelled``): one annotation per word or phrase,
  from its first segment's start to its last one's end (segments of one word share ``part``),
  holding its ``gloss``: the sign's gloss (``WASSER``), or a spelled word's letters (``I-S``);
* tiers ``flags`` and ``notes``: the studio's flags and notes (``meta["annotations"]``,
  `signstudio.pose.annotations`), one annotation per frame, ``[frame, frame + 1)`` in ms; a
  flag's value is its reason, else the frame's note, else "flagged". Keyframes are not
  exported (ELAN has no place for them);
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

from signstudio.pose.annotations import annotations_of
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import FormatSpec, register
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.formats.npz import check_writable
from signstudio.pose.sequence import PoseSequence

TEXT_TIER = "text"
GLOSS_TIER = "gloss"
FLAGS_TIER = "flags"
NOTES_TIER = "notes"
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


def signed_text(seq: PoseSequence) -> str:
    """What the sequence signs: its text, else its gloss, else its word (``meta["word"]``), else
    the name of the file it came from; "" when nothing says."""
    for key in ("text", "gloss", "word"):
        if seq.meta.get(key):
            return str(seq.meta[key])
    source = seq.meta.get("source")
    return Path(str(source)).stem if isinstance(source, str) and source else ""


def _signing_hand(seq: PoseSequence) -> str:
    """``right``, ``left`` or ``both``: the hands present in at least half of the frames (as
    `signstudio.corpus.join.signing_hand` decides for joined letters); ``right`` when neither."""
    present = seq.confidence > 0
    share = {}
    for hand in HAND_TIERS:
        idx = seq.skeleton.groups.get(f"{hand}_hand")
        share[hand] = float(present[:, idx].any(axis=1).mean()) if idx is not None else 0.0
    signing = [h for h in HAND_TIERS if share[h] >= 0.5]
    if len(signing) == 2:
        return "both"
    return signing[0] if signing else ("left" if share["left"] > share["right"] else "right")


def segments_of(seq: PoseSequence) -> list[dict[str, Any]]:
    """The letter (or gloss) segments the hand tiers hold: ``meta["segments"]``, else — a single
    recorded sign, such as a lexicon letter — one segment over the whole sequence labelled with
    its gloss or text, on the hand that signs it; [] when nothing names the sign."""
    own = seq.meta.get("segments")
    if own:
        return list(own)
    label = str(seq.meta.get("gloss") or seq.meta.get("text") or "")
    if not label:
        return []
    return [{"start": 0, "end": seq.num_frames, "label": label, "hand": _signing_hand(seq)}]


def word_spans(segments: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(start, end, gloss) per word or phrase: consecutive segments with the same ``part`` (else
    the same ``kind`` and ``text``) joined; [] when no segment has a ``kind``."""
    out: list[tuple[int, int, str]] = []
    last: object = None
    for seg in segments:
        if "kind" not in seg:
            continue
        key = seg.get("part", (seg.get("kind"), seg.get("text")))
        start, end = int(seg["start"]), int(seg["end"])
        if out and key == last:
            out[-1] = (out[-1][0], max(out[-1][1], end), out[-1][2])
        else:
            out.append((start, end, str(seg.get("gloss") or seg.get("label") or "")))
        last = key
    return out


def _gloss_tier(eaf: Any, segments: list[dict[str, Any]], seq: PoseSequence) -> None:
    spans = word_spans(segments)
    if not spans:
        return
    eaf.add_tier(GLOSS_TIER)
    for start, end, gloss in spans:
        start_ms = frame_ms(start, seq.fps)
        eaf.add_annotation(GLOSS_TIER, start_ms, max(frame_ms(end, seq.fps), start_ms + 1), gloss)


def _frame_tier(eaf: Any, tier: str, marks: dict[int, str], seq: PoseSequence) -> None:
    """``tier`` with one annotation per marked frame, [frame start, next frame start) in ms."""
    eaf.add_tier(tier)
    for frame in sorted(marks):
        start = frame_ms(frame, seq.fps)
        eaf.add_annotation(tier, start, max(frame_ms(frame + 1, seq.fps), start + 1), marks[frame])


def eaf_document(seq: PoseSequence, path: Path, media: Any = None) -> Any:
    """The ``pympi.Elan.Eaf`` of ``seq`` (data (F, J, 3); only its length, fps and meta are used)."""
    from pympi.Elan import Eaf

    eaf = Eaf(author="SignStudio")
    eaf.remove_tier("default")
    end_ms = max(frame_ms(seq.num_frames, seq.fps), 1)
    eaf.add_tier(TEXT_TIER)
    eaf.add_annotation(TEXT_TIER, 0, end_ms, signed_text(seq))
    for tier in HAND_TIERS.values():
        eaf.add_tier(tier)
    flags, notes, _keyframes = annotations_of(seq.meta, seq.num_frames)
    # a flag says why where it can: its own reason, else the frame's note
    reasons = {f: (r if r and r != "flagged" else notes.get(f, "")) or "flagged" for f, r in flags.items()}
    _frame_tier(eaf, FLAGS_TIER, reasons, seq)
    _frame_tier(eaf, NOTES_TIER, notes, seq)
    for i, segment in enumerate(segments_of(seq)):
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
    _gloss_tier(eaf, segments_of(seq), seq)
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
