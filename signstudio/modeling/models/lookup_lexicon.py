"""Which words of a text the `lookup` model signs with a sign of the user's lexicons, and which sign.

Lexicons are folders in spoken-to-signed's layout (`signstudio.corpus.user_lexicon`), given in
priority order (``LookupConfig.lexicons``, ``--lexicon DIR`` repeated, the studio's Lexicons
setting). Decisions:

* **Matching**: the text is split into words as every model splits it (lower case, punctuation
  separates, apostrophes dropped: `signstudio.corpus.user_lexicon.phrase_key`) and so are the
  ``words`` of each sign of the text's sign language. From the left, the longest run of words that
  is a sign's words is signed with it ("good morning" before "good"); a word no sign covers is
  fingerspelled with the language's manual alphabet, as before.
* **Which sign, when several match** (variants): the user's choice first
  (``variant_choices``: (the words as `phrase_key` joins them with spaces, the sign's file) pairs;
  the file as ``str(Sign.file)``, or its path as written in index.csv); else the first lexicon in
  the list that has one; inside a lexicon, a sign whose spoken language is the sign language's
  (``de`` for gsg) before others, then the LOWER ``priority`` number (spoken-to-signed's
  ``get_best_row`` sorts by priority and takes the first: "lower is better"), then index order.
  spoken-to-signed also prefers a row whose words match the typed case exactly; here words are
  compared in lower case, like everything else lookup reads. The other matching signs are listed
  in the segment's ``variants``.
* **A lexicon with problems** is used for what loads (`load_lexicon`); the output's
  ``meta["notes"]`` says how many rows were skipped and names the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signstudio.corpus.user_lexicon import Lexicon, Sign, load_lexicon, phrase_key

SOURCE_ALPHABET = "alphabet"


@dataclass(frozen=True)
class Part:
    """One word or phrase of the text: ``sign`` signs it, or (None) it is fingerspelled."""

    words: tuple[str, ...]
    sign: Sign | None = None
    variants: tuple[str, ...] = ()  # files of the other signs with these words

    @property
    def kind(self) -> str:
        return "sign" if self.sign is not None else "spelled"

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def segment_keys(self, letters: Sequence[str] = ()) -> dict[str, Any]:
        """What each of its segments says about it (``meta["segments"]``, lexicon_api.md)."""
        if self.sign is not None:
            gloss, source = self.sign.gloss, str(self.sign.folder)
        else:
            gloss, source = "-".join(u.upper() for u in letters), SOURCE_ALPHABET
        return {
            "kind": self.kind,
            "text": self.text,
            "gloss": gloss,
            "source": source,
            "variants": list(self.variants),
        }


class SignIndex:
    """The signs of one sign language in several lexicons, by their words (module docstring)."""

    def __init__(
        self,
        lexicons: Sequence[Lexicon],
        lang: str,
        spoken: str | None,
        choices: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.lexicons = tuple(lexicons)
        self.choices = {" ".join(phrase_key(words)): str(path) for words, path in choices}
        ranked: list[tuple[tuple[int, int, int, int], Sign]] = []
        for order, lexicon in enumerate(self.lexicons):
            for sign in lexicon.signs:
                if sign.sign_language == lang and sign.key:
                    rank = (order, sign.spoken_language != spoken, sign.priority, sign.row)
                    ranked.append((rank, sign))
        self.by_key: dict[tuple[str, ...], list[Sign]] = {}
        for _, sign in sorted(ranked, key=lambda item: item[0]):
            self.by_key.setdefault(sign.key, []).append(sign)
        self.longest = max((len(k) for k in self.by_key), default=0)

    def choose(self, key: tuple[str, ...]) -> Part | None:
        """The sign for these words and the other candidates, or None when no lexicon has them."""
        candidates = self.by_key.get(key)
        if not candidates:
            return None
        chosen = candidates[0]
        wanted = self.choices.get(" ".join(key))
        if wanted is not None:
            chosen = next((s for s in candidates if wanted in (str(s.file), s.path)), chosen)
        others = tuple(str(s.file) for s in candidates if s is not chosen)
        return Part(key, chosen, others)

    def plan(self, words: Sequence[str]) -> list[Part]:
        """``words`` (already split and normalised) as signs and spelled words, in order."""
        out: list[Part] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                found = self.choose(tuple(words[i : i + n]))
                if found is not None:
                    out.append(found)
                    i += n
                    break
            else:
                out.append(Part((words[i],)))
                i += 1
        return out

    def notes(self) -> list[str]:
        """One note per lexicon that had problems."""
        out = []
        for lexicon in self.lexicons:
            if lexicon.problems:
                n = len(lexicon.problems)
                out.append(
                    f"lexicon {lexicon.folder}: {n} problem{'s' if n > 1 else ''}, the rest was used "
                    f"(first: {lexicon.problems[0]})"
                )
        return out


def sign_index(
    folders: Iterable[str | Path], lang: str, spoken: str | None, choices: Iterable[Sequence[str]] = ()
) -> SignIndex:
    """Load the lexicons in ``folders`` (priority order) for sign language ``lang``."""
    pairs = []
    for item in choices:
        words, path = item  # tuples from Python, lists after a JSON round trip
        pairs.append((str(words), str(path)))
    return SignIndex([load_lexicon(Path(f)) for f in folders], lang, spoken, pairs)


__all__ = ["SOURCE_ALPHABET", "Part", "SignIndex", "sign_index"]
