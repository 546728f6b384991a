"""The real fingerspelling recordings shipped in the ``spoken-to-signed`` package.

Its ``assets/fingerspelling_lexicon/index.csv`` lists one clip per letter (or letter group) per
sign language: path, spoken_language, signed_language, start, end, words, glosses, priority.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence

#: ISO 639-3 code -> English name of the 20 sign languages in the lexicon.
SIGN_LANGUAGE_NAMES = {
    "ase": "American Sign Language",
    "asq": "Austrian Sign Language",
    "bzs": "Brazilian Sign Language (Libras)",
    "cse": "Czech Sign Language",
    "csq": "Croatian Sign Language",
    "eso": "Estonian Sign Language",
    "fsl": "French Sign Language",
    "gsg": "German Sign Language (DGS)",
    "gss": "Greek Sign Language",
    "ise": "Italian Sign Language (LIS)",
    "jos": "Jordanian Sign Language",
    "lls": "Lithuanian Sign Language",
    "mfs": "Mexican Sign Language",
    "psr": "Portuguese Sign Language",
    "sgg": "Swiss German Sign Language",
    "ssp": "Spanish Sign Language",
    "svk": "Slovak Sign Language",
    "swl": "Swedish Sign Language",
    "tsm": "Turkish Sign Language",
    "ukl": "Ukrainian Sign Language",
}


@dataclass(frozen=True)
class LexiconEntry:
    """One recorded clip: a letter (or letter group) of one sign language's manual alphabet."""

    path: Path
    spoken_language: str
    sign_language: str
    start_ms: int
    end_ms: int
    letter: str
    gloss: str
    priority: int


def lexicon_dir() -> Path:
    try:
        import spoken_to_signed
    except ImportError as exc:  # pragma: no cover - a broken install
        raise FormatError(
            None, "the spoken-to-signed package is not installed (pip install spoken-to-signed)"
        ) from exc
    return Path(spoken_to_signed.__file__).parent / "assets" / "fingerspelling_lexicon"


@cache
def lexicon_index() -> tuple[LexiconEntry, ...]:
    """Every clip of the lexicon, in index order."""
    root = lexicon_dir()
    index = root / "index.csv"
    with open(index, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        LexiconEntry(
            path=root / r["path"],
            spoken_language=r["spoken_language"],
            sign_language=r["signed_language"],
            start_ms=int(r["start"] or 0),
            end_ms=int(r["end"] or 0),
            letter=r["words"],
            gloss=r["glosses"],
            priority=int(r["priority"] or 0),
        )
        for r in rows
    )


def sign_languages() -> dict[str, str]:
    """Sign language code -> spoken language code, for every language in the lexicon."""
    return {e.sign_language: e.spoken_language for e in lexicon_index()}


def alphabet(sign_language: str) -> dict[str, LexiconEntry]:
    """Letter (lower case) -> its clip, for one sign language."""
    out: dict[str, LexiconEntry] = {}
    for e in lexicon_index():
        if e.sign_language == sign_language:
            out.setdefault(e.letter.lower(), e)
    if not out:
        raise KeyError(
            f"no sign language {sign_language!r} in the lexicon; known: {', '.join(sign_languages())}"
        )
    return out


def load_clip(entry: LexiconEntry) -> PoseSequence:
    """The full recording of one lexicon entry (holistic layout, as recorded)."""
    from signstudio.pose.formats import read_one

    seq = read_one(entry.path)
    return seq.replace(
        meta_update={
            "text": entry.letter,
            "gloss": entry.gloss,
            "sign_language": entry.sign_language,
            "spoken_language": entry.spoken_language,
            "reference_kind": "recorded clip",
        }
    )
