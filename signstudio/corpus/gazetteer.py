"""Sign-language names in prompts: the gazetteer ``sign_language_names.json`` (next to this
module) and the word-level matcher the prompt readers use.

    mentions = find_mentions(tokenize("Türk işaret dilinde merhaba nasıl denir"))
    mentions[0].code          # "tsm" (tokens 0..3: "Türk işaret dilinde")
    named_code("how do you sign thank you in asl")   # "ase"

The JSON lists, for each of the 20 sign languages (``signstudio.corpus.lexicon.
SIGN_LANGUAGE_NAMES``), its name in each of the corpus' 16 spoken languages (nominative),
its abbreviations ("DGS", "Libras", "TİD", "ΕΝΓ") and, per spoken language, the generic words
for "sign language" / "fingerspelling" (a mention with ``code`` None).

Decisions:
- Matching is per word, on folded words (`fold`: case, accents and combining marks dropped,
  Turkish dotless ı as i, Arabic hamza seats as bare alif), so "turk isaret dilinde", "ÖGS" /
  "ogs" and "ελληνικη νοηματικη" all match; a typed name needs no exact accents.
- Every word of a name may carry an inflection: a word matches when it starts with the name
  word less its last one or two letters (`stem`) and adds at most `MAX_SUFFIX` letters
  ("Deutschen", "českém znakovém jazyce", "українською жестовою мовою", "dilinde"); an Arabic
  word may also carry one proclitic letter ("بلغة" = "ب" + "لغة"). Only the nominative is listed.
- An abbreviation matches a whole word in any case ("asl", "Libras"), with a Turkish suffix after
  an apostrophe ("TİD'de", "ASL'de"), which belongs to the mention.
- Where mentions overlap, the longest wins (a name over the generic words inside it).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "MAX_SUFFIX",
    "Mention",
    "Token",
    "find_mentions",
    "fold",
    "gazetteer",
    "named_code",
    "tokenize",
    "word_matches",
]

MAX_SUFFIX = 5  # letters an inflected word may add to a name word's stem
_ARABIC_PROCLITICS = frozenset("\u0648\u0641\u0628\u0644\u0643")  # و ف ب ل ك
_APOSTROPHES = frozenset("'\u2019\u02bc")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)
_FOLD_EXTRA = {ord("\u0131"): "i", ord("\u2019"): "'", ord("\u02bc"): "'"}


def fold(s: str) -> str:
    """Case, accents and combining marks dropped: "Türk İşaret" -> "turk isaret"."""
    decomposed = unicodedata.normalize("NFD", s.translate(_FOLD_EXTRA))
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", bare).casefold().translate(_FOLD_EXTRA)


@dataclass(frozen=True)
class Token:
    """One word (or punctuation mark) of a prompt: its characters [start, end) and folded form."""

    start: int
    end: int
    text: str
    folded: str

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def tokenize(s: str) -> list[Token]:
    """Words (letters and digits, with their combining marks) and single punctuation marks."""
    out = []
    for m in _TOKEN.finditer(s):
        start, end = m.span()
        # a word keeps the combining marks that follow it (Arabic harakat, a stray accent)
        while end < len(s) and unicodedata.category(s[end]).startswith("M"):
            end += 1
        out.append(Token(start, end, s[start:end], fold(s[start:end])))
    return out


def stem(word: str) -> str:
    """The part of a folded name word that an inflected form keeps."""
    if len(word) >= 7:
        return word[:-2]
    if len(word) >= 4:
        return word[:-1]
    return word


def word_matches(token: str, word: str, inflect: bool = True) -> bool:
    """Whether folded ``token`` is folded name ``word`` (or, with ``inflect``, an inflection)."""
    if token == word:
        return True
    if not inflect:
        return False
    base = stem(word)
    if len(base) < len(word) and token.startswith(base) and len(token) - len(base) <= MAX_SUFFIX:
        return True
    if token[:1] in _ARABIC_PROCLITICS and "\u0600" <= word[:1] <= "\u06ff":
        return word_matches(token[1:], word, inflect)
    return False


@cache
def gazetteer() -> dict[str, Any]:
    source = resources.files("signstudio.corpus").joinpath("sign_language_names.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


@cache
def _entries() -> tuple[tuple[tuple[str, ...], str | None, bool], ...]:
    """(folded words, code or None for generic, inflect), longest first."""
    rows: dict[tuple[tuple[str, ...], bool], str | None] = {}
    data = gazetteer()
    for code, per_language in data["names"].items():
        for names in per_language.values():
            for name in names:
                rows.setdefault((tuple(t.folded for t in tokenize(name) if t.is_word), True), code)
    for code, abbreviations in data["abbreviations"].items():
        for name in abbreviations:
            rows.setdefault((tuple(t.folded for t in tokenize(name) if t.is_word), False), code)
    for names in data["generic"].values():
        for name in names:
            words = tuple(t.folded for t in tokenize(name) if t.is_word)
            # one short generic word inflected reads other words ("gestais" -> "gestas")
            rows.setdefault((words, len(words) > 1 or len(words[0]) >= 8), None)
    return tuple(
        sorted(((w, c, i) for (w, i), c in rows.items()), key=lambda r: (-len(r[0]), -sum(map(len, r[0]))))
    )


@dataclass(frozen=True)
class Mention:
    """A sign-language name (``code``) or generic "sign language" (``code`` None) at tokens
    [first, last) of a prompt."""

    first: int
    last: int
    code: str | None


def _words_from(tokens: list[Token], i: int) -> list[int]:
    """Indices of the word tokens from i on, skipping hyphens between the words of a name."""
    return [j for j in range(i, len(tokens)) if tokens[j].is_word or tokens[j].text == "-"]


def _match_at(tokens: list[Token], i: int, words: tuple[str, ...], inflect: bool) -> int | None:
    """The token index after a match of ``words`` starting at token i, or None."""
    j = i
    for k, word in enumerate(words):
        while k and j < len(tokens) and tokens[j].text == "-":
            j += 1
        if j >= len(tokens) or not tokens[j].is_word or not word_matches(tokens[j].folded, word, inflect):
            return None
        j += 1
    # a suffix after an apostrophe or hyphen ("TİD'de", "Dili'nde", "HZJ-u", "EVK-s") belongs
    # to the name
    if (
        j + 1 < len(tokens)
        and (tokens[j].text in _APOSTROPHES or tokens[j].text == "-")
        and tokens[j].start == tokens[j - 1].end
        and tokens[j + 1].start == tokens[j].end
        and tokens[j + 1].is_word
        and len(tokens[j + 1].text) <= MAX_SUFFIX
    ):
        j += 2
    return j


def find_mentions(tokens: list[Token]) -> list[Mention]:
    """Every sign-language mention, in prompt order, none overlapping (longest first)."""
    taken = [False] * len(tokens)
    found: list[Mention] = []
    for words, code, inflect in _entries():
        if not words:
            continue
        for i in range(len(tokens)):
            if taken[i]:
                continue
            end = _match_at(tokens, i, words, inflect)
            if end is None or any(taken[i:end]):
                continue
            found.append(Mention(i, end, code))
            for k in range(i, end):
                taken[k] = True
    return sorted(found, key=lambda m: m.first)


def named_code(s: str) -> str | None:
    """The code of the first sign language named in ``s`` (a generic mention names none)."""
    for mention in find_mentions(tokenize(s)):
        if mention.code is not None:
            return mention.code
    return None
