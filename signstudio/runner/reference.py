"""Ground truth for a generated text: its lexicon reference (real recorded letters joined).

For one word it is ``Corpus.word_sequence`` (``reference_kind="lexicon join"``); for several
words, the words' references joined by ``corpus.join.join`` as sign.mt joins signs. The words are
those the lookup model spells (`signstudio.modeling.text.words.split_words`).

Where the letters come from: the corpus cache when it is built (or the `Corpus` given), else the
lexicon recordings themselves (also when the default cache is damaged), prepared exactly as the
cache build prepares them (``store.prepare_letter``), so a first Generate never waits ~30 s for a
corpus build. The two differ only by the cache's float16 rounding of the holistic layout.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from signstudio.corpus import join as joining
from signstudio.corpus.integrity import CacheError
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, alphabet, load_clip, sign_languages
from signstudio.corpus.store import Corpus, CorpusSettings, default_cache_path, open_corpus, prepare_letter
from signstudio.corpus.words import normalise_word, spell, split_of
from signstudio.modeling.text.words import split_words
from signstudio.pose.convert import convert
from signstudio.pose.sequence import PoseSequence

LAYOUTS = ("holistic", "upper50")


@dataclass(frozen=True)
class Reference:
    """A reference, or None and the reason (one readable line) why there is none."""

    sequence: PoseSequence | None
    reason: str | None = None


def reference_for(
    text: str, lang: str, layout: str = "holistic", corpus: Corpus | Path | None = None
) -> PoseSequence | None:
    """The lexicon reference of ``text`` in sign language ``lang``, or None (see `find_reference`
    for the reason). ``layout``: ``holistic`` (F, 553, 3) or ``upper50`` (F, 50, 3), normalised
    (neck origin, shoulder width 1), at the corpus fps (25)."""
    return find_reference(text, lang, layout, corpus).sequence


def find_reference(
    text: str, lang: str, layout: str = "holistic", corpus: Corpus | Path | None = None
) -> Reference:
    """`reference_for` with the reason when there is no reference.

    corpus: a `Corpus`, the path of a cache, or None for the default cache if it is built
    (the lexicon recordings otherwise).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if lang not in sign_languages():
        return Reference(None, f"no lexicon for sign language {lang!r}")
    words = split_words(text)
    if not words:
        return Reference(None, "no words to look up")
    source = _letters_source(corpus, lang)
    keys = source.keys(lang, layout)
    parts = []
    for word in words:
        units = spell(word, keys)
        if units is None:
            name = SIGN_LANGUAGE_NAMES.get(lang, lang)
            return Reference(None, f"{word!r} cannot be spelled with the {name} ({lang}) manual alphabet")
        parts.append(source.word(lang, word, units, layout))
    seq = parts[0] if len(parts) == 1 else joining.join(parts)
    meta = dict(seq.meta)
    if len(parts) > 1:
        meta.pop("split", None)  # a split belongs to one word
    meta.update(
        text=text,
        words=words,
        gloss=" ".join(str(p.meta.get("gloss", "")) for p in parts),
        reference_kind="lexicon join",
        source=parts[0].meta["source"] if len(parts) == 1 else f"{source.name}:{lang}/{text}",
    )
    return Reference(seq.replace(meta=meta))


class _LexiconLetters:
    """Letters straight from the lexicon recordings, prepared as the corpus build does; each
    letter is read and prepared on first use, then kept."""

    name = "lexicon"

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], PoseSequence] = {}
        self._lock = threading.Lock()
        self.fps = CorpusSettings().fps

    def keys(self, lang: str, layout: str) -> list[str]:
        return list(alphabet(lang))

    def letter(self, lang: str, key: str, layout: str) -> PoseSequence:
        with self._lock:
            cached = self._cache.get((lang, key, layout))
            if cached is None:
                entry = alphabet(lang)[key]
                seq = prepare_letter(load_clip(entry), self.fps)
                seq = convert(seq, layout) if layout != "holistic" else seq
                # the meta a corpus letter has (not the clip file's convention or trims)
                cached = seq.replace(
                    meta={
                        "text": key,
                        "sign_language": lang,
                        "spoken_language": sign_languages()[lang],
                        "reference_kind": "recorded clip",
                        "source": f"spoken-to-signed:{entry.path.parent.name}/{entry.path.name}",
                    }
                )
                self._cache[(lang, key, layout)] = cached
            return cached

    def word(self, lang: str, word: str, units: list[str], layout: str) -> PoseSequence:
        seq = joining.join([self.letter(lang, u, layout) for u in units])
        text = normalise_word(word)
        return seq.replace(
            meta_update={
                "text": text,
                "gloss": " ".join(f"{lang.upper()}_{u.upper()}" for u in units),
                "sign_language": lang,
                "spoken_language": sign_languages()[lang],
                "reference_kind": "lexicon join",
                "source": f"lexicon:{lang}/{text}",
                "split": split_of(text),
            }
        )


class _CorpusLetters:
    name = "corpus"

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def keys(self, lang: str, layout: str) -> list[str]:
        return list(self.corpus.letters(lang, layout))

    def word(self, lang: str, word: str, units: list[str], layout: str) -> PoseSequence:
        return self.corpus.word_sequence(lang, word, layout)


_LEXICON = _LexiconLetters()


def _letters_source(corpus: Corpus | Path | None, lang: str) -> _CorpusLetters | _LexiconLetters:
    if isinstance(corpus, Corpus):
        return _CorpusLetters(corpus) if lang in corpus.languages else _LEXICON
    path = Path(corpus) if corpus is not None else default_cache_path()
    if path.exists():
        try:
            opened = open_corpus(path, build_if_missing=False)
        except CacheError:
            if corpus is not None:
                raise
            return _LEXICON  # a damaged default cache: the same letters, from the recordings
        if lang in opened.languages:
            return _CorpusLetters(opened)
    return _LEXICON
