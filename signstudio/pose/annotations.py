"""A sequence's annotations as they travel with it in ``meta`` (Qt-free), and what each file
format keeps of them.

    meta["annotations"] = {"flags": {"12": "wrist fixed"}, "notes": {"12": "check the thumb"},
                           "keyframes": [3, 12]}
    meta["segments"]    = [{"start": 0, "end": 20, "label": "A", "hand": "right"}, ...]

Frames are JSON object keys (strings) on disk and ints in memory (`annotations_of`). The studio's
document (`signstudio.session.document.PoseDocument`) writes them into the sequence it saves and
reads them from the sequence it opens, so every writer that stores ``meta`` keeps them: our
``.h5`` (its ``meta`` attribute), ``.npz`` (its ``meta`` array) and ``.pose`` (a sidecar,
`signstudio.pose.formats.poseformat`). The other formats drop them; `lost_in` says what, so the
studio can ask before such a save and ``convert`` can print a one-line note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from signstudio.pose.sequence import PoseSequence

KEY = "annotations"
#: Formats whose files keep the whole ``meta`` (annotations, word, language, model).
KEEPS_META = frozenset({"pose", "h5", "npz"})
#: What the sequence's ``meta`` says beside the annotations that a lossy format drops.
_FACTS = {"model": "the model", "checkpoint": "the checkpoint"}


def annotations_of(
    meta: Mapping[str, Any], num_frames: int
) -> tuple[dict[int, str], dict[int, str], set[int]]:
    """(flags, notes, keyframes) of ``meta["annotations"]``, frames as ints; entries that do not
    name a frame in ``[0, num_frames)`` are left out (a file edited elsewhere since)."""
    raw = meta.get(KEY)
    if not isinstance(raw, Mapping):
        return {}, {}, set()

    def frame(key: object) -> int | None:
        try:
            f = int(str(key))
        except ValueError:
            return None
        return f if 0 <= f < num_frames else None

    def texts(which: str) -> dict[int, str]:
        items = raw.get(which)
        if not isinstance(items, Mapping):
            return {}
        return {f: str(v) for k, v in items.items() if (f := frame(k)) is not None}

    keys = raw.get("keyframes")
    keyframes = {f for k in keys if (f := frame(k)) is not None} if isinstance(keys, list) else set()
    return texts("flags"), texts("notes"), keyframes


def annotations_meta(
    flags: Mapping[int, str], notes: Mapping[int, str], keyframes: set[int]
) -> dict[str, Any]:
    """The ``meta["annotations"]`` value (JSON-ready) of flags, notes and keyframes."""
    return {
        "flags": {str(k): flags[k] for k in sorted(flags)},
        "notes": {str(k): notes[k] for k in sorted(notes)},
        "keyframes": sorted(int(k) for k in keyframes),
    }


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def lost_in(seq: PoseSequence, format_name: str) -> list[str]:
    """What writing ``seq`` as ``format_name`` drops ("2 flags", "1 note", "3 letter segments",
    "the model"...); [] when the format keeps it all or there is nothing to keep. ``eaf`` keeps
    flags, notes, text and segments (as tiers) but not keyframes or the model."""
    if format_name in KEEPS_META:
        return []
    flags, notes, keyframes = annotations_of(seq.meta, seq.num_frames)
    segments = seq.meta.get("segments") or []
    if format_name == "eaf":
        return [_count(len(keyframes), "keyframe")] if keyframes else []
    lost = [
        _count(n, word)
        for n, word in (
            (len(flags), "flag"),
            (len(notes), "note"),
            (len(keyframes), "keyframe"),
            (len(segments), "letter segment"),
        )
        if n
    ]
    return lost + [what for key, what in _FACTS.items() if seq.meta.get(key)]


__all__ = ["KEEPS_META", "KEY", "annotations_meta", "annotations_of", "lost_in"]
