"""The cue-word reader: the text to sign and the sign language named, out of a prompt typed the
way people type it (unquoted, lowercase, typos, no question mark, filler words), in any of the
corpus' 16 spoken languages.

    read_frames("how do you sign thank you in ASL")          # FrameReading("thank you", "ase", "en", ...)
    read_frames("Türk işaret dilinde merhaba nasıl denir")   # ("merhaba", "tsm", "tr")
    read_frames("please sign good morning")                  # ("good morning", None, "en")

How it reads (cue words: ``prompt_frames.json``; names: `signstudio.corpus.gazetteer`):

1. Sign-language mentions (names, abbreviations, generic "sign language") are found first; the
   first one with a code is the sign language, and no mention is ever part of the text.
2. A quoted span (any quote style of `signstudio.corpus.prompts`) is the text, as written.
3. Otherwise the spoken language is the one whose cue words cover most of the prompt's words
   (the script decides for Greek, Cyrillic and Arabic), and the text starts right after the
   rightmost *lead* cue ("sign", "say", "the sign for", "my name", "gebärdet man", "si dice")
   that leaves a text; failing that, the rightmost *weak* cue ("for", "is"), failing that the
   prompt's start. From that span, *left* and *right* cue words (fillers, articles,
   prepositions, verbs that end a verb-final phrasing: Turkish "nasıl denir") and mentions are
   peeled off both ends until none is left at either; a Turkish suffix after an apostrophe
   ("merhaba'yı") goes with them.
4. Cue words match folded (case and accents dropped); lead cues also with one typo: a swap of
   two neighbouring letters in words of 4+ letters ("sing" for "sign"), any one edit in words
   of 6+ letters, and in another inflection when 6+ letters long (all but the last 3 letters
   kept: "vyhláskuj" / "vyhláskovat"); peeled words match exactly ("geceler" is not "heceler").

A span made only of cue and common words ("how do you" of "how do you sign") is no text.

Limits: a text that itself starts or ends with a cue word ("for", "please") loses it; a text
between two mentions or followed by a clause ("... because I need it") keeps the clause.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from signstudio.corpus.gazetteer import Mention, Token, find_mentions, tokenize

__all__ = ["FrameReading", "cue_languages", "guess_spoken_language", "read_frames"]

Phrase = tuple[str, ...]
_SCRIPTS = (("el", "\u0370", "\u03ff"), ("uk", "\u0400", "\u04ff"), ("ar", "\u0600", "\u06ff"))


@dataclass(frozen=True)
class FrameReading:
    """text: what to sign (None: nothing left); sign_language: the code named (None: none);
    spoken_language: the cue language used; quoted: the text was in quotes."""

    text: str | None
    sign_language: str | None
    spoken_language: str
    quoted: bool


@dataclass(frozen=True)
class _Cues:
    lead: tuple[Phrase, ...]
    weak: tuple[Phrase, ...]
    left: tuple[Phrase, ...]
    right: tuple[Phrase, ...]
    greet: tuple[Phrase, ...]
    vocabulary: frozenset[str]  # every cue word and the common words
    lead_words: frozenset[str]


def _phrase(s: str) -> Phrase:
    return tuple(t.folded for t in tokenize(s) if t.is_word or t.text not in "-'\u2019")


@cache
def _cues() -> dict[str, _Cues]:
    source = resources.files("signstudio.corpus").joinpath("prompt_frames.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    out = {}
    for language, lists in data["languages"].items():
        parsed = {k: tuple(p for p in map(_phrase, lists[k]) if p) for k in ("lead", "weak", "left", "right")}
        words = frozenset(w for k in parsed for p in parsed[k] for w in p if w[0].isalnum())
        # the long words of lead cues ("sinalizar", "viibeldakse"), not their "on", "se", "de"
        leads = frozenset(w for p in parsed["lead"] for w in p if len(w) >= 4)
        common = frozenset(w for p in map(_phrase, lists.get("common", ())) for w in p)
        greet = tuple(p for p in map(_phrase, lists.get("greet", ())) if p)
        out[language] = _Cues(vocabulary=words | common, lead_words=leads, greet=greet, **parsed)
    return out


def cue_languages() -> tuple[str, ...]:
    """The spoken languages with cue words."""
    return tuple(_cues())


def _typo_close(a: str, b: str) -> bool:
    """One swap of neighbours (4+ letters) or one edit (6+ letters) apart."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]]):
            return True
        return len(diff) == 1 and len(a) >= 6
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 6:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _inflected(token: str, word: str) -> bool:
    """A lead verb of 6+ letters in another form: all but its last 3 letters kept, at most 5 more
    ("vyhlaskuj" -> "vyhlaskovat", "sormenda" -> "sormendada")."""
    keep = len(word) - 3
    return len(word) >= 6 and token[:keep] == word[:keep] and len(token) <= len(word) + 5


def _word_is(token: Token, word: str, typos: bool = False) -> bool:
    if not word[0].isalnum():
        return token.text == word or token.folded == word
    if not token.is_word:
        return False
    if not typos:
        return token.folded == word
    return _typo_close(token.folded, word) or _inflected(token.folded, word)


def _skippable(token: Token) -> bool:
    """Hyphens and apostrophes inside a cue phrase ("montre-moi", "s'il")."""
    return token.text in "-'\u2019"


def _match(tokens: list[Token], i: int, phrase: Phrase, stop: int, typos: bool = False) -> int | None:
    """The index after ``phrase`` matched from token i (before ``stop``), or None."""
    j = i
    for k, word in enumerate(phrase):
        while k and j < stop and _skippable(tokens[j]) and word[0].isalnum():
            j += 1
        if j >= stop or not _word_is(tokens[j], word, typos):
            return None
        j += 1
    return j


def _match_back(tokens: list[Token], end: int, phrase: Phrase, start: int) -> int | None:
    """The index where ``phrase`` starts when it ends right before token ``end``, or None."""
    for i in range(end - 1, start - 1, -1):
        if _match(tokens, i, phrase, end) == end:
            return i
        if end - i > 2 * len(phrase) + 2:
            break
    return None


def guess_spoken_language(tokens: list[Token], mentions: Sequence[Mention] = ()) -> str:
    """The cue language covering most words outside the mentions (the script decides for Greek,
    Cyrillic and Arabic)."""
    named = {i for m in mentions for i in range(m.first, m.last)}
    tokens = [t for i, t in enumerate(tokens) if i not in named]
    letters = "".join(t.text for t in tokens if t.is_word)
    for language, low, high in _SCRIPTS:
        if language in _cues() and sum(low <= c <= high for c in letters) > len(letters) / 2:
            return language
    best, best_score = "en", -1
    for language, cues in _cues().items():
        # a lead word ("sinalizar", "viibeldakse") is the surest sign of a language
        score = sum(
            2 if t.folded in cues.lead_words else 1
            for t in tokens
            if t.is_word and (t.folded in cues.vocabulary or t.folded in cues.lead_words)
        )
        if score > best_score:
            best, best_score = language, score
    return best


def _in_mention(mentions: Sequence[Mention], i: int) -> Mention | None:
    for m in mentions:
        if m.first <= i < m.last:
            return m
    return None


def _left_step(tokens: list[Token], mentions: list[Mention], cues: _Cues, i: int, j: int) -> int:
    """Where the text starts once one mention, cue phrase or mark is peeled off its start."""
    m = _in_mention(mentions, i)
    if m is not None:
        return max(i + 1, m.last)
    for p in cues.greet:  # "hallo, ...": a greeting before a comma
        e = _match(tokens, i, p, j)
        if e is not None and e + 1 < j and tokens[e].text in ",\u060c":
            return e + 1
    longest = max((e for p in cues.left if (e := _match(tokens, i, p, j)) is not None), default=None)
    if longest is not None and longest < j:
        return longest
    return i + 1 if not tokens[i].is_word else i


def _right_step(
    tokens: list[Token], mentions: list[Mention], cues: _Cues, i: int, j: int, turkish: bool
) -> int:
    """Where the text ends once one mention, cue phrase, mark or suffix is peeled off its end."""
    m = _in_mention(mentions, j - 1)
    if m is not None:
        return min(j - 1, m.first)
    start = min((s for p in cues.right if (s := _match_back(tokens, j, p, i)) is not None), default=None)
    if start is not None and start > i:
        return start
    if not tokens[j - 1].is_word:
        return j - 1
    suffix = j - i >= 3 and tokens[j - 2].text in "'\u2019" and tokens[j - 2].start == tokens[j - 3].end
    return j - 2 if turkish and suffix else j  # "merhaba'yı": the case suffix is not signed


def _peel(
    tokens: list[Token], mentions: list[Mention], cues: _Cues, i: int, j: int, turkish: bool
) -> tuple[int, int]:
    """Tokens [i, j) less the cue words, mentions and punctuation at either end."""
    while i < j:
        left = _left_step(tokens, mentions, cues, i, j)
        if left != i:
            i = left
            continue
        right = _right_step(tokens, mentions, cues, i, j, turkish)
        if right == j:
            break
        j = right
    return i, j


def _candidates(tokens: list[Token], mentions: list[Mention], phrases: tuple[Phrase, ...]) -> list[int]:
    """Token indices right after each cue occurrence outside mentions, rightmost first."""
    ends = set()
    for i in range(len(tokens)):
        if _in_mention(mentions, i) is not None:
            continue
        for p in phrases:
            end = _match(tokens, i, p, len(tokens), typos=True)
            if end is not None and _in_mention(mentions, end - 1) is None:
                ends.add(end)
    return sorted(ends, reverse=True)


def _unquoted_text(prompt: str, tokens: list[Token], mentions: list[Mention], language: str) -> str | None:
    cues = _cues()[language]
    starts = _candidates(tokens, mentions, cues.lead) + _candidates(tokens, mentions, cues.weak) + [0]
    for start in starts:
        i, j = _peel(tokens, mentions, cues, start, len(tokens), language == "tr")
        # cue and common words alone ("how do you" of "how do you sign") are no text
        if any(t.is_word and t.folded not in cues.vocabulary for t in tokens[i:j]):
            return prompt[tokens[i].start : tokens[j - 1].end].strip()
    return None


@lru_cache(maxsize=256)  # the preview and Generate read the same prompt (a few ms each)
def read_frames(prompt: str) -> FrameReading:
    """Text, named sign language and the spoken language of the cues, out of ``prompt``."""
    from signstudio.corpus.prompts import _quoted_span

    tokens = tokenize(prompt)
    mentions = find_mentions(tokens)
    language = guess_spoken_language(tokens, mentions)
    span = _quoted_span(prompt)
    if span is not None:
        outside = prompt[: span[0]] + " \u2063 " + prompt[span[1] :]
        code = next((m.code for m in find_mentions(tokenize(outside)) if m.code), None)
        return FrameReading(span[2].strip() or None, code, language, True)
    code = next((m.code for m in mentions if m.code), None)
    return FrameReading(_unquoted_text(prompt, tokens, mentions, language), code, language, False)
