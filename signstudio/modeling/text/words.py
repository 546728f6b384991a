"""Text as the lexicon models see it: the words to spell.

Shared by the `lookup` model and the runner's lexicon reference, so that the generated signing
and its ground truth always spell the same words.
"""

from __future__ import annotations

import unicodedata

from signstudio.corpus.words import normalise_word

# Dropped inside a word ("don't" -> "dont"); every other punctuation mark separates words.
APOSTROPHES = frozenset("'\u2019\u02bc\u2018`")


def split_words(text: str) -> list[str]:
    """The words of ``text``, lower case (NFC), punctuation removed.

    >>> split_words("Hello, wonderful world!")
    ['hello', 'wonderful', 'world']
    >>> split_words("ice-cream isn't")
    ['ice', 'cream', 'isnt']

    Digits and symbols stay (a model that cannot sign them says so).
    """
    cleaned = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in APOSTROPHES:
            continue
        cleaned.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return [normalise_word(w) for w in "".join(cleaned).split()]
