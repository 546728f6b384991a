"""What of a text a model can sign: one rule for every model family.

    rule = alphabet_rule(keys)                       # lookup, p2lg: the manual alphabet's units
    rule = vocab_rule(chars)                         # mlsf, nar-kd, diffusion: the character vocabulary
    found = signable_text("Hello 👋!", "gsg", rule)
    found.text       # 'hello'   what the model is given
    found.dropped    # ('👋',)    what it has no unit for, once each, in order
    found.note       # "not signed: 👋 (no sign or letter for it in German Sign Language (DGS))"

The rule (decided once, used by all): the text is split into words at white space and
punctuation (Unicode category P; apostrophes inside a word are dropped, "isn't" -> "isnt", as
`signstudio.modeling.text.words.split_words` does). Punctuation is never signed and never named.
Every other character a model has no unit for (emoji and other symbols, digits, letters outside
the sign language's alphabet) is removed from the word, and the result says so in
``meta["notes"]`` (`Signable.note`); nothing is signed in its place. A text with nothing left is a
`ModelError` naming what could not be signed. Words come out lower case (NFC), joined by one space.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
from signstudio.corpus.words import missing_letters, normalise_word
from signstudio.modeling.base import ModelError
from signstudio.modeling.text.words import APOSTROPHES
from signstudio.pose.sequence import PoseSequence

#: word -> (what of it the model signs, the characters it has no unit for)
Rule = Callable[[str], tuple[str, list[str]]]


@dataclass(frozen=True)
class Signable:
    """``text``: what the model is given; ``dropped``: characters it has no unit for (once each,
    in order); ``note``: the one line that says so (None when everything is signed)."""

    text: str
    dropped: tuple[str, ...]
    note: str | None
    cut: str | None = None  # how much was signed when the text was longer than the model reads


def not_signed_note(dropped: Iterable[str], lang: str) -> str:
    """ "not signed: 👋 (no sign or letter for it in American Sign Language)"."""
    chars = list(dropped)
    name = SIGN_LANGUAGE_NAMES.get(lang, lang)
    it = "it" if len(chars) == 1 else "them"
    return f"not signed: {', '.join(chars)} (no sign or letter for {it} in {name})"


def _words(text: str) -> list[str]:
    cleaned = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in APOSTROPHES:
            continue
        cleaned.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return [normalise_word(w) for w in "".join(cleaned).split()]


def signable_text(text: str, lang: str, rule: Rule) -> Signable:
    """``text`` as the model signs it under ``rule`` (see the module docstring); `ModelError` when
    nothing is left to sign."""
    kept: list[str] = []
    dropped: dict[str, None] = {}
    for word in _words(text):
        signed, missing = rule(word)
        dropped.update(dict.fromkeys(missing))
        if signed:
            kept.append(signed)
    gone = tuple(dropped)
    if not kept:
        if gone:
            raise ModelError(f"nothing to sign in {text!r}: {not_signed_note(gone, lang)}")
        raise ModelError(f"nothing to sign in {text!r}: type a word")
    return Signable(" ".join(kept), gone, not_signed_note(gone, lang) if gone else None)


def fit(found: Signable, chars: int, model_id: str) -> Signable:
    """``found`` cut to the ``chars`` characters a neural model reads (at the last space within
    them, if any), saying how much was signed: such a model never cuts a text without a word.
    The CLI and the studio refuse a text over the limit before the model loads; this is for the
    texts that reach ``generate`` directly (batches, the API)."""
    if len(found.text) <= chars:
        return found
    head = found.text[:chars]
    if " " in head and found.text[chars] != " ":
        head = head[: head.rindex(" ")]
    name = model_id.partition("@")[0]
    cut = (
        f"signed only {head!r}: the first {len(head)} of {len(found.text)} characters "
        f"({name} reads at most {chars})"
    )
    return Signable(head, found.dropped, found.note, cut)


def alphabet_rule(alphabet: Iterable[str]) -> Rule:
    """A manual alphabet's units (letters and letter groups, lower case) as the corpus's speller
    reads them (`signstudio.corpus.words.spell`: accented letters fall back to their base letter)."""
    keys = tuple(alphabet)

    def rule(word: str) -> tuple[str, list[str]]:
        missing: list[str] = []
        while word:
            blocking = missing_letters(word, keys)
            if not blocking:
                break
            missing.extend(c for c in blocking if c not in missing)
            rest = "".join(c for c in word if c not in blocking)
            if rest == word:  # what blocks is not a character of the word as written: give up
                break
            word = rest
        return word, missing

    return rule


def vocab_rule(chars: Iterable[str]) -> Rule:
    """A character vocabulary (lower case): a character it lacks is read as its base letter where
    the vocabulary has that (``é`` -> ``e``), else dropped; a combining mark it lacks belongs to the
    letter before and goes with it unnamed."""
    known = frozenset(chars)

    def rule(word: str) -> tuple[str, list[str]]:
        out: list[str] = []
        missing: list[str] = []
        for ch in unicodedata.normalize("NFC", word.lower()):
            if ch in known:
                out.append(ch)
                continue
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            if base and base in known:
                out.append(base)
            elif not unicodedata.combining(ch) and ch not in missing:
                missing.append(ch)
        return "".join(out), missing

    return rule


def both(first: Rule, second: Rule) -> Rule:
    """A character must pass both rules (e.g. the sign language's alphabet and the model's vocabulary)."""

    def rule(word: str) -> tuple[str, list[str]]:
        kept, missing = first(word)
        kept, more = second(kept) if kept else ("", [])
        return kept, missing + [c for c in more if c not in missing]

    return rule


def with_note(seq: PoseSequence, found: Signable, note: str | None = None) -> PoseSequence:
    """``seq`` with ``found.note``, ``found.cut`` (and ``note``, e.g. frames cut) appended to
    ``meta["notes"]`` and the dropped characters in
    ``meta["not_signed"]``; unchanged when there is nothing to say."""
    notes = [n for n in (found.note, found.cut, note) if n]
    if not notes:
        return seq
    update: dict[str, object] = {"notes": [*seq.meta.get("notes", []), *notes]}
    if found.dropped:
        update["not_signed"] = list(found.dropped)
    return seq.replace(meta_update=update)
