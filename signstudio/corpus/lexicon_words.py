"""Lexicon signs as corpus words: ``signstudio corpus build --lexicon DIR`` (issue 22).

Every sign of the lexicon folders (`signstudio.corpus.user_lexicon`) whose sign language is in
the build becomes a word of the corpus cache, and so do short sentences made by joining them, so
that every model family trains on lexical signs as it does on spelled words
(`Corpus.words`, `Corpus.word_sequence`). Decisions:

* **The reference is the recording**: the sign's span, prepared like a letter clip
  (`store.prepare_letter`: holistic, resampled to the corpus fps, trimmed to the signing, so the
  pauses at its ends go; normalised), kept as poses in the cache (``/lexicon/<sl>``), not joined
  on access as spelled words are. A sentence is its signs joined by the corpus's join
  (`signstudio.corpus.join`), computed at build time and kept the same way.
* **Text and units**: a sign's text is its words as lookup reads them (`phrase_key`, joined by
  spaces); its units are its gloss (``WASSER``), so glosses read ``GSG_WASSER`` like
  ``GSG_W`` for letters. A sentence's text is its signs' texts, its units their glosses.
* **Split**: a hash of the text, as for spelled words (`signstudio.corpus.words.split_of`), so
  the variants of a sign (same words) share a split. Sentences are made inside one split only
  (from its signs: every sign once followed by the next, and by the next two, in text order),
  so no test sign is trained on inside a sentence.
* **Kept as they are**: a lexicon word whose text is also a spelled word of the corpus is added
  beside it (the spelled and the signed form are both words); variants are each a word.
* **Skipped, one line each** (printed by the command, the rest is built): the lexicon's own
  problems (`Lexicon.problems`), a sign of a sign language that is not in the build, a sign that
  is not a full MediaPipe Holistic recording (the cache keeps the holistic layout besides upper50).
* **The cache's version key** includes each lexicon folder and a digest of its index.csv and its
  files' sizes and times (`fingerprint`): a changed lexicon is a new cache. The default cache's
  key does not change (no lexicons: nothing is added to it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.corpus import join as joining
from signstudio.corpus.user_lexicon import INDEX, Sign, load_lexicon, load_sign
from signstudio.corpus.words import SPLITS, split_of
from signstudio.pose.convert import convert
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

GROUP = "lexicon"
#: signs per sentence made by joining (each sign is followed by the next one, and the next two)
SENTENCE_LENGTHS = (2, 3)


@dataclass(frozen=True)
class LexiconWord:
    """A word of the cache made from signs: one sign, or a sentence of several."""

    text: str
    units: tuple[str, ...]
    split: str
    source: str  # the sign's file, or "sentence"


@dataclass(frozen=True)
class Plan:
    """The signs to add per sign language, and one line per sign left out."""

    signs: dict[str, list[Sign]]
    problems: list[str]


def fingerprint(folders: Iterable[str]) -> list[list[str]]:
    """[folder, digest] per lexicon: its index.csv's bytes and its files' names, sizes and times."""
    out = []
    for folder in folders:
        digest = hashlib.sha256()
        root = Path(folder)
        try:
            digest.update((root / INDEX).read_bytes())
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                st = path.stat()
                digest.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(b"unreadable")
        out.append([str(folder), digest.hexdigest()[:16]])
    return out


def plan(folders: Sequence[str], langs: Iterable[str]) -> Plan:
    """Which signs of ``folders`` go into a build of ``langs`` (`FormatError` for a folder without
    a readable index.csv)."""
    wanted = set(langs)
    signs: dict[str, list[Sign]] = {}
    problems: list[str] = []
    holistic = get_layout("holistic").num_joints
    for folder in folders:
        lexicon = load_lexicon(Path(folder))
        problems.extend(lexicon.problems)
        for sign in lexicon.signs:
            where = f"index.csv row {sign.row}"
            if sign.sign_language not in wanted:
                problems.append(
                    str(
                        FormatError(
                            sign.file,
                            f"sign language {sign.sign_language!r} is not in this build; "
                            "the sign is left out",
                            where,
                        )
                    )
                )
            elif _joints(sign) < holistic:
                problems.append(
                    str(
                        FormatError(
                            sign.file,
                            "is not a full MediaPipe Holistic recording (the corpus keeps that layout); "
                            "the sign is left out",
                            where,
                        )
                    )
                )
            else:
                signs.setdefault(sign.sign_language, []).append(sign)
    return Plan(signs, problems)


def _joints(sign: Sign) -> int:
    """The points of the sign's recording in the corpus's holistic layout (0: not holistic)."""
    from signstudio.pose.formats import read_one
    from signstudio.pose.skeleton import GROUPS
    from signstudio.pose.transforms import select_groups

    seq = read_one(sign.file, format="pose")
    if seq.layout != "holistic":
        return 0
    try:
        return select_groups(seq, GROUPS, layout="holistic").num_joints
    except ValueError:
        return 0


def _sentences(texts: list[tuple[LexiconWord, PoseSequence]]) -> list[list[int]]:
    """Indices of the signs of each sentence: each sign followed by the next (and next two)."""
    n = len(texts)
    out: list[list[int]] = []
    seen: set[str] = set()
    for length in SENTENCE_LENGTHS:
        if n < length:
            continue
        for i in range(n):
            picks = [(i + k) % n for k in range(length)]
            text = " ".join(texts[p][0].text for p in picks)
            if text not in seen:
                seen.add(text)
                out.append(picks)
    return out


Prepare = Callable[[PoseSequence, float], PoseSequence]


def _prepared(signs: list[Sign], fps: float, prepare: Prepare) -> list[tuple[LexiconWord, PoseSequence]]:
    out = []
    for sign in signs:
        text = " ".join(sign.key)
        word = LexiconWord(text, (sign.gloss,), split_of(text), str(sign.file))
        out.append((word, prepare(load_sign(sign), fps)))
    return out


def words_of(signs: list[Sign], fps: float, prepare: Prepare) -> list[tuple[LexiconWord, PoseSequence]]:
    """The signs as words (holistic, ``prepare``d as letter clips are: `store.prepare_letter`),
    then the sentences of each split, in that order."""
    singles = _prepared(signs, fps, prepare)
    sentences: list[tuple[LexiconWord, PoseSequence]] = []
    for split in SPLITS:
        mine = [item for item in singles if item[0].split == split]
        for picks in _sentences(mine):
            parts = [mine[p] for p in picks]
            text = " ".join(w.text for w, _ in parts)
            units = tuple(u for w, _ in parts for u in w.units)
            joined = joining.join([s for _, s in parts], labels=list(units))
            sentences.append((LexiconWord(text, units, split, "sentence"), joined))
    return singles + sentences


def _str_array(values: Iterable[str]) -> np.ndarray:
    import h5py

    return np.asarray(list(values), dtype=h5py.string_dtype("utf-8"))


def write(h5: Any, signs: list[Sign], sl: str, fps: float, prepare: Prepare) -> None:
    """``/lexicon/<sl>``: the words' poses (upper50 float32, holistic float16) and their facts."""
    items = words_of(signs, fps, prepare)
    holistic = [s for _, s in items]
    up = [convert(s, "upper50") for s in holistic]
    g = h5.create_group(f"{GROUP}/{sl}")
    g.create_dataset("upper50", data=np.concatenate([s.data for s in up]), compression="gzip")
    g.create_dataset("upper50_conf", data=np.concatenate([s.confidence for s in up]), compression="gzip")
    g.create_dataset(
        "holistic", data=np.concatenate([s.data for s in holistic]).astype(np.float16), compression="gzip"
    )
    g.create_dataset(
        "holistic_conf",
        data=np.concatenate([s.confidence for s in holistic]).astype(np.float16),
        compression="gzip",
    )
    g["offsets"] = np.cumsum([0] + [len(s) for s in up]).astype(np.int64)
    g["text"] = _str_array(w.text for w, _ in items)
    g["units"] = _str_array("|".join(w.units) for w, _ in items)
    g["split"] = _str_array(w.split for w, _ in items)
    g["source"] = _str_array(w.source for w, _ in items)


def read_words(h5: Any, sl: str) -> list[tuple[str, tuple[str, ...], str, int, str]]:
    """(text, units, split, frames, source) of ``sl``'s lexicon words ([] when it has none)."""
    if f"{GROUP}/{sl}" not in h5:
        return []
    g = h5[f"{GROUP}/{sl}"]
    frames = np.diff(g["offsets"][()])
    return [
        (str(t), tuple(str(u).split("|")), str(s), int(f), str(src))
        for t, u, s, f, src in zip(
            g["text"].asstr()[()],
            g["units"].asstr()[()],
            g["split"].asstr()[()],
            frames,
            g["source"].asstr()[()],
            strict=True,
        )
    ]


def read_sequence(h5: Any, sl: str, number: int, layout: str, fps: float) -> PoseSequence:
    """The poses of lexicon word ``number`` of ``sl`` (its place in `read_words`)."""
    g = h5[f"{GROUP}/{sl}"]
    start, end = (int(x) for x in g["offsets"][number : number + 2])
    data = g[layout][start:end].astype(np.float32)
    conf = g[f"{layout}_conf"][start:end].astype(np.float32)
    return PoseSequence(data, conf, fps, get_layout(layout))


__all__ = [
    "GROUP",
    "LexiconWord",
    "Plan",
    "fingerprint",
    "plan",
    "read_sequence",
    "read_words",
    "words_of",
    "write",
]
