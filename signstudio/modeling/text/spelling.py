"""Saying what is signed when the text is in another spoken language than the sign language's
(issue 21, item 3): "English words: spelled letter by letter with the DGS manual alphabet" (the
language's abbreviation where its name has one, else its name: "... with the Greek Sign Language
manual alphabet").

    text_language("thank you")                      # "en"
    spelling_note("thank you", "gsg")               # the line above
    prompt_hint("how do you sign thank you in DGS") # "en": the prompt's language, or None
    spelling_note("danke", "gsg")                   # None: German, DGS's own spoken language

Decisions:
- The text's language is the spoken language (of the corpus' 16) in which its words are most
  frequent (``wordfreq``'s Zipf scale, averaged over the words; Estonian, which wordfreq lacks,
  from the corpus' own Estonian list), when that average is at least `MIN_ZIPF` (a word seen
  about once in 10⁵ words; rarer texts, names like "Priya", have no language). In prompt mode the
  prompt's language (the reader's cue language) decides between near ties.
- The note is given only when the text is clearly not in the sign language's own spoken
  language: its frequency there is at least `MARGIN` (a factor of 10) below the best one's
  ("hello" is frequent in French too: no note for LSF).
  Letters the alphabet lacks are named by the models' own note ("not signed: ß (...)"), which
  the status line shows after this one.
"""

from __future__ import annotations

from functools import cache

__all__ = ["MARGIN", "MIN_ZIPF", "SPOKEN_NAMES", "prompt_hint", "spelling_note", "text_language"]

MIN_ZIPF = 3.0
MARGIN = 1.0

#: ISO 639-1 -> English name of the corpus' spoken languages.
SPOKEN_NAMES = {
    "ar": "Arabic",
    "cs": "Czech",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fr": "French",
    "hr": "Croatian",
    "it": "Italian",
    "lt": "Lithuanian",
    "pt": "Portuguese",
    "sk": "Slovak",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
}


@cache
def _estonian() -> frozenset[str]:
    from signstudio.corpus.words import ESTONIAN_FALLBACK

    return frozenset(ESTONIAN_FALLBACK)


def _zipf(word: str, spoken: str) -> float:
    if spoken == "et":
        return 4.0 if word in _estonian() else 0.0
    import wordfreq

    from signstudio.corpus.words import WORDFREQ_CODES

    return float(wordfreq.zipf_frequency(word, WORDFREQ_CODES.get(spoken, spoken)))


def _scores(text: str) -> dict[str, float]:
    from signstudio.modeling.text.words import split_words

    words = [w.lower() for w in split_words(text)]
    if not words:
        return {}
    return {s: sum(_zipf(w, s) for w in words) / len(words) for s in SPOKEN_NAMES}


def text_language(text: str, hint: str | None = None) -> str | None:
    """The spoken language of ``text`` (None when no language knows its words well enough);
    ``hint`` (the prompt's language) wins when it scores within `MARGIN` of the best."""
    scores = _scores(text)
    if not scores:
        return None
    best = max(scores, key=lambda s: scores[s])
    if scores[best] < MIN_ZIPF:
        return None
    if hint in scores and scores[hint] >= MIN_ZIPF and scores[best] - scores[hint] < MARGIN:
        return hint
    return best


def spelling_note(text: str, sign_language: str, hint: str | None = None) -> str | None:
    """One line when ``text`` is in another spoken language than ``sign_language``'s, else None."""
    from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, sign_languages

    own = sign_languages().get(sign_language)
    scores = _scores(text)
    language = text_language(text, hint)
    if own is None or language is None or language == own:
        return None
    if scores[language] - scores.get(own, 0.0) < MARGIN:
        return None  # a word of the sign language's own spoken language too ("hello" in French)
    name = SIGN_LANGUAGE_NAMES.get(sign_language, sign_language)
    # "German Sign Language (DGS)" -> "DGS": the line follows one naming the language in full
    short = name[name.rfind("(") + 1 : -1] if name.endswith(")") else name
    words = SPOKEN_NAMES.get(language, language)
    return f"{words} words: spelled letter by letter with the {short} manual alphabet"


def prompt_hint(prompt: str) -> str | None:
    """The spoken language of a prompt's cue words (the reader's), as a hint for `text_language`."""
    from signstudio.corpus.gazetteer import find_mentions, tokenize
    from signstudio.corpus.prompt_frames import guess_spoken_language

    tokens = tokenize(prompt)
    return guess_spoken_language(tokens, find_mentions(tokens)) if tokens else None
