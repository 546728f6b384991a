"""Natural-language prompts wrapping a text, as SignLLM's Prompt2Sign does.

``prompt_templates.json`` (next to this module) holds, per spoken language, at least 36
training templates (each with ``{text}`` once, about a third also with ``{sign_language}``),
at least 8 *held-out* templates phrased unlike the training ones (never used for training;
they measure how well a model finds the text in unseen phrasings), the names of the
language's sign languages in the grammatical form the templates need, and a generic name for
"sign language". The quotes around the text are added here, in a style natural for the
language (or none at all).

``extract_text`` is a rule-based baseline (and a labelling tool) that finds the text and the
named sign language back in a prompt; a learned model replaces it later.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "LANGUAGE_QUOTES",
    "NO_QUOTES",
    "QUOTE_STYLES",
    "Prompt",
    "extract_text",
    "generic_sign_language_name",
    "make_prompt",
    "named_sign_language",
    "prompts_for",
    "quote_styles",
    "sign_language_aliases",
    "sign_language_names",
    "sign_languages_of",
    "spoken_language_of",
    "spoken_languages",
    "templates",
]

TEXT = "{text}"
SIGN_LANGUAGE = "{sign_language}"

QuoteStyle = tuple[str, str]

STRAIGHT_DOUBLE: QuoteStyle = ('"', '"')
STRAIGHT_SINGLE: QuoteStyle = ("'", "'")
CURLY_DOUBLE: QuoteStyle = ("\u201c", "\u201d")  # “ ” English, Italian, Spanish, Turkish, ...
CURLY_SINGLE: QuoteStyle = ("\u2018", "\u2019")  # ‘ ’
LOW_HIGH: QuoteStyle = ("\u201e", "\u201c")  # „ “ German, Czech, Slovak, Lithuanian, Estonian, Ukrainian
LOW_HIGH_RIGHT: QuoteStyle = ("\u201e", "\u201d")  # „ ” Croatian
LOW_SINGLE: QuoteStyle = ("\u201a", "\u2018")  # ‚ ‘ German single
GUILLEMETS: QuoteStyle = (
    "\u00ab",
    "\u00bb",
)  # « » Greek, Italian, Spanish, Portuguese, Ukrainian, Arabic, ...
GUILLEMETS_SPACED: QuoteStyle = ("\u00ab\u00a0", "\u00a0\u00bb")  # « … » French, no-break spaces
GUILLEMETS_TYPED: QuoteStyle = ("\u00ab ", " \u00bb")  # « … » French as often typed
GUILLEMETS_REVERSED: QuoteStyle = ("\u00bb", "\u00ab")  # » « German, Czech, Slovak, Croatian
SWEDISH_DOUBLE: QuoteStyle = ("\u201d", "\u201d")  # ” ” Swedish
SWEDISH_GUILLEMETS: QuoteStyle = ("\u00bb", "\u00bb")  # » » Swedish
NO_QUOTES: QuoteStyle = ("", "")

#: Every quote style make_prompt uses and extract_text recognises; NO_QUOTES last.
QUOTE_STYLES: list[QuoteStyle] = [
    STRAIGHT_DOUBLE,
    STRAIGHT_SINGLE,
    CURLY_DOUBLE,
    CURLY_SINGLE,
    LOW_HIGH,
    LOW_HIGH_RIGHT,
    LOW_SINGLE,
    GUILLEMETS,
    GUILLEMETS_SPACED,
    GUILLEMETS_TYPED,
    GUILLEMETS_REVERSED,
    SWEDISH_DOUBLE,
    SWEDISH_GUILLEMETS,
    NO_QUOTES,
]

#: The quote styles natural for each spoken language (straight quotes and none everywhere,
#: since that is what people type).
LANGUAGE_QUOTES: dict[str, tuple[QuoteStyle, ...]] = {
    "en": (CURLY_DOUBLE, STRAIGHT_DOUBLE, STRAIGHT_SINGLE, CURLY_SINGLE, NO_QUOTES),
    "de": (
        LOW_HIGH,
        STRAIGHT_DOUBLE,
        GUILLEMETS_REVERSED,
        LOW_SINGLE,
        CURLY_DOUBLE,
        STRAIGHT_SINGLE,
        NO_QUOTES,
    ),
    "pt": (CURLY_DOUBLE, STRAIGHT_DOUBLE, GUILLEMETS, STRAIGHT_SINGLE, NO_QUOTES),
    "cs": (LOW_HIGH, STRAIGHT_DOUBLE, GUILLEMETS_REVERSED, STRAIGHT_SINGLE, NO_QUOTES),
    "hr": (LOW_HIGH_RIGHT, STRAIGHT_DOUBLE, GUILLEMETS_REVERSED, STRAIGHT_SINGLE, NO_QUOTES),
    "et": (LOW_HIGH, STRAIGHT_DOUBLE, GUILLEMETS, STRAIGHT_SINGLE, NO_QUOTES),
    "el": (GUILLEMETS, STRAIGHT_DOUBLE, CURLY_DOUBLE, STRAIGHT_SINGLE, NO_QUOTES),
    "it": (GUILLEMETS, CURLY_DOUBLE, STRAIGHT_DOUBLE, STRAIGHT_SINGLE, NO_QUOTES),
    "ar": (GUILLEMETS, STRAIGHT_DOUBLE, CURLY_DOUBLE, NO_QUOTES),
    "lt": (LOW_HIGH, STRAIGHT_DOUBLE, STRAIGHT_SINGLE, NO_QUOTES),
    "es": (GUILLEMETS, CURLY_DOUBLE, STRAIGHT_DOUBLE, STRAIGHT_SINGLE, NO_QUOTES),
    "sk": (LOW_HIGH, STRAIGHT_DOUBLE, GUILLEMETS_REVERSED, STRAIGHT_SINGLE, NO_QUOTES),
    "sv": (SWEDISH_DOUBLE, STRAIGHT_DOUBLE, SWEDISH_GUILLEMETS, STRAIGHT_SINGLE, NO_QUOTES),
    "tr": (CURLY_DOUBLE, STRAIGHT_DOUBLE, STRAIGHT_SINGLE, GUILLEMETS, NO_QUOTES),
    "uk": (GUILLEMETS, LOW_HIGH, STRAIGHT_DOUBLE, NO_QUOTES),
    "fr": (GUILLEMETS_SPACED, GUILLEMETS_TYPED, CURLY_DOUBLE, STRAIGHT_DOUBLE, STRAIGHT_SINGLE, NO_QUOTES),
}


@dataclass(frozen=True)
class Prompt:
    """One prompt and what it wraps.

    ``text`` is the wrapped text exactly as given (the prompt may show its first letter
    capitalised when the template starts with the unquoted text); ``sign_language`` is the
    code the prompt names, or None when its template names none (or only says "sign
    language"); ``template_id`` is "<lang>-<index>" for training templates ("de-07") and
    "<lang>-h<index>" for held-out ones ("de-h03").
    """

    text: str
    prompt: str
    spoken_language: str
    sign_language: str | None
    template_id: str
    quote: QuoteStyle


# ----------------------------------------------------------------------------- data


@cache
def _data() -> dict[str, Any]:
    source = resources.files("signstudio.corpus").joinpath("prompt_templates.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def _language(spoken_language: str) -> dict[str, Any]:
    languages: dict[str, Any] = _data()["languages"]
    if spoken_language not in languages:
        raise ValueError(
            f"no prompt templates for spoken language {spoken_language!r}; known: {', '.join(languages)}"
        )
    lang: dict[str, Any] = languages[spoken_language]
    return lang


def spoken_languages() -> tuple[str, ...]:
    """The spoken languages with prompt templates (ISO 639-1 codes)."""
    return tuple(_data()["languages"])


def templates(spoken_language: str, held_out: bool = False) -> tuple[str, ...]:
    """The training templates of a spoken language (or its held-out ones)."""
    return tuple(_language(spoken_language)["held_out" if held_out else "templates"])


def sign_languages_of(spoken_language: str) -> tuple[str, ...]:
    """The sign-language codes whose prompts are written in ``spoken_language``."""
    return tuple(_language(spoken_language)["sign_languages"])


@cache
def spoken_language_of(sign_language: str) -> str:
    """The spoken language whose templates name ``sign_language``."""
    for code, lang in _data()["languages"].items():
        if sign_language in lang["sign_languages"]:
            return str(code)
    raise ValueError(f"no prompt templates name the sign language {sign_language!r}")


def sign_language_names(code: str) -> tuple[str, ...]:
    """Names and abbreviations of a sign language, in the form its templates insert.

    That form follows the grammar of the template slot: German dative ("Deutscher
    Gebärdensprache"), Czech genitive ("českého znakového jazyka"), Greek accusative with its
    article ("την ΕΝΓ"), ... (see the ``slot`` note of each language in the JSON).
    """
    return tuple(_language(spoken_language_of(code))["sign_languages"][code])


def sign_language_aliases(code: str) -> tuple[str, ...]:
    """Every form by which a sign language may be named (any spoken language, any case), as
    listed under ``aliases`` in the JSON, plus the forms its templates insert."""
    names = [str(n) for n in _data()["aliases"].get(code, ())]
    for lang in _data()["languages"].values():
        names += [str(n) for n in lang["sign_languages"].get(code, ())]
    return tuple(dict.fromkeys(names))


def generic_sign_language_name(spoken_language: str) -> str:
    """The language's word for "sign language", in the form the templates insert."""
    return str(_language(spoken_language)["generic"])


def quote_styles(spoken_language: str) -> tuple[QuoteStyle, ...]:
    """The quote styles natural for a spoken language (NO_QUOTES included)."""
    _language(spoken_language)
    return LANGUAGE_QUOTES.get(spoken_language, (STRAIGHT_DOUBLE, NO_QUOTES))


# ----------------------------------------------------------------------------- generation


def _stable_seed(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def _capitalise(s: str, spoken_language: str) -> str:
    if not s or not s[0].isalpha():
        return s
    first = s[0]
    upper = "\u0130" if spoken_language in ("tr",) and first == "i" else first.upper()  # Turkish dotted İ
    return (upper if len(upper) == 1 else first) + s[1:]


def make_prompt(
    text: str,
    spoken_language: str,
    sign_language: str | None = None,
    rng: np.random.Generator | None = None,
    template_index: int | None = None,
    quote: QuoteStyle | None = None,
    held_out: bool = False,
) -> Prompt:
    """Wrap ``text`` in one template of ``spoken_language``.

    The template (unless ``template_index`` is given), the quote style (unless ``quote`` is
    given) and the sign-language name are drawn from ``rng`` in that order; without ``rng``
    the draw is seeded from the arguments, so the result is always deterministic. A template
    slot ``{sign_language}`` receives a name of ``sign_language`` (then
    ``Prompt.sign_language`` is that code) or, when it is None, the generic name. The first
    letter of the prompt is capitalised when the template starts with the unquoted text.
    """
    if not text.strip():
        raise ValueError("cannot make a prompt for an empty text")
    lang = _language(spoken_language)
    if sign_language is not None and sign_language not in lang["sign_languages"]:
        raise ValueError(
            f"sign language {sign_language!r} is not among those of {spoken_language!r}: "
            f"{', '.join(lang['sign_languages'])}"
        )
    if rng is None:
        rng = np.random.default_rng(
            _stable_seed(text, spoken_language, sign_language or "", str(template_index), str(held_out))
        )
    pool = templates(spoken_language, held_out)
    if template_index is None:
        template_index = int(rng.integers(len(pool)))
    if not 0 <= template_index < len(pool):
        raise IndexError(f"template index {template_index} out of range 0..{len(pool) - 1}")
    template = pool[template_index]
    if quote is None:
        styles = quote_styles(spoken_language)
        quote = styles[int(rng.integers(len(styles)))]
    named: str | None = None
    name = str(lang["generic"])
    if SIGN_LANGUAGE in template and sign_language is not None:
        names = lang["sign_languages"][sign_language]
        name = str(names[int(rng.integers(len(names)))])
        named = sign_language
    before, after = template.split(TEXT)
    prompt = (
        before.replace(SIGN_LANGUAGE, name) + quote[0] + text + quote[1] + after.replace(SIGN_LANGUAGE, name)
    )
    if not before and not quote[0]:
        prompt = _capitalise(prompt, spoken_language)
    template_id = f"{spoken_language}-{'h' if held_out else ''}{template_index:02d}"
    return Prompt(text, prompt, spoken_language, named, template_id, (quote[0], quote[1]))


def prompts_for(
    text: str, spoken_language: str, sign_language: str | None, n: int, seed: int
) -> list[Prompt]:
    """``n`` prompts for ``text`` with distinct (training template, quote style) pairs.

    Deterministic in its arguments. Templates are spread first: no template repeats before
    every template was used once.
    """
    pool = templates(spoken_language)
    styles = quote_styles(spoken_language)
    if not 0 <= n <= len(pool) * len(styles):
        raise ValueError(f"n must lie in 0..{len(pool) * len(styles)} for {spoken_language!r}, got {n}")
    rng = np.random.default_rng([seed & 0xFFFFFFFF, _stable_seed(text, spoken_language, sign_language or "")])
    order = rng.permutation(len(pool))
    style_orders = [rng.permutation(len(styles)) for _ in pool]
    out = []
    for i in range(n):
        t = int(order[i % len(pool)])
        q = styles[int(style_orders[t][i // len(pool)])]
        out.append(make_prompt(text, spoken_language, sign_language, rng=rng, template_index=t, quote=q))
    return out


# ----------------------------------------------------------------------------- extraction

_APOSTROPHE_LIKE = frozenset("'\u2018\u2019")
_ARABIC_PROCLITICS = "\u0648\u0641\u0628\u0644\u0643"  # و ف ب ل ك
_TRAILING_PUNCT = ".!?;:\u037e\u061f\u2026\u3002"
_DASHES = "-\u2013\u2014"


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_" or unicodedata.category(c).startswith("M")


def _quote_chars() -> list[QuoteStyle]:
    seen: list[QuoteStyle] = []
    for o, c in QUOTE_STYLES:
        pair = (o.strip(), c.strip())
        if pair[0] and pair not in seen:
            seen.append(pair)
    return seen


_QUOTE_PAIRS = _quote_chars()


def _quoted_span(s: str) -> tuple[int, int, str] | None:
    """The first quoted span of ``s``: (start, end, content) over every known quote style.

    Quote characters that double as apostrophes or as their own closing mark (' ’ ‘ " ” »)
    open only after a non-word character and close only before one, so "don't" inside
    'don't' or the apostrophe of "S'il" never ends or starts a quotation.
    """
    best: tuple[int, int, str] | None = None
    for o, c in _QUOTE_PAIRS:
        strict = o == c or o in _APOSTROPHE_LIKE or c in _APOSTROPHE_LIKE
        start = s.find(o)
        while start != -1:
            if not (strict and start > 0 and _is_word_char(s[start - 1])):
                inner = start + len(o)
                close = s.find(c, inner)
                while close != -1:
                    after = close + len(c)
                    boundary = after >= len(s) or not _is_word_char(s[after])
                    if (not strict or boundary) and s[inner:close].strip():
                        break
                    close = s.find(c, close + 1)
                if close != -1:
                    span = (start, close + len(c), s[inner:close])
                    if best is None or span[0] < best[0] or (span[0] == best[0] and span[1] > best[1]):
                        best = span
                    break
            start = s.find(o, start + 1)
    return best


def _normalise(s: str) -> str:
    """Apostrophes, dashes and white space made uniform (for finding names)."""
    s = s.translate(_UNIFORM)
    return " ".join(s.split()) if any(c.isspace() and c != " " for c in s) or "  " in s else s


_UNIFORM = {ord("\u2019"): "'", ord("\u2018"): "'", ord("\u2013"): "-", ord("\u2014"): "-"}


@cache
def _alias_table() -> tuple[tuple[str, str, bool], ...]:
    """(normalised alias, code, case_sensitive), longest first; case-insensitive ones casefolded."""
    rows: dict[str, tuple[str, bool]] = {}

    def add(name: str, code: str) -> None:
        case_sensitive = not any(ch.islower() for ch in name)
        key = _normalise(name) if case_sensitive else _normalise(name).casefold()
        rows.setdefault(key, (code, case_sensitive))

    for code, names in _data()["aliases"].items():
        for name in names:
            add(str(name), str(code))
    for lang in _data()["languages"].values():
        for code, names in lang["sign_languages"].items():
            for name in names:
                add(str(name), str(code))
    return tuple(sorted(((a, c, cs) for a, (c, cs) in rows.items()), key=lambda r: -len(r[0])))


def _alias_code(found: str) -> str | None:
    """The code of a string that is, as a whole, one name of a sign language, else None."""
    norm = _normalise(found.strip())
    for alias, code, case_sensitive in _alias_table():
        if alias == (norm if case_sensitive else norm.casefold()):
            return code
    return None


def _find_sign_language(s: str) -> str | None:
    """The code of the first (longest at that place) sign-language name found in ``s``."""
    plain = _normalise(s)
    folded = plain.casefold()
    best: tuple[int, int, str] | None = None
    for alias, code, case_sensitive in _alias_table():
        hay = plain if case_sensitive else folded
        arabic = "\u0600" <= alias[0] <= "\u06ff"
        start = hay.find(alias)
        while start != -1:
            end = start + len(alias)
            before = hay[start - 1] if start else " "
            lead_ok = not _is_word_char(before) or (arabic and before in _ARABIC_PROCLITICS)
            if lead_ok and (end == len(hay) or not _is_word_char(hay[end])):
                if best is None or (start, -len(alias)) < (best[0], -best[1]):
                    best = (start, len(alias), code)
                break
            start = hay.find(alias, start + 1)
    return None if best is None else best[2]


def named_sign_language(s: str) -> str | None:
    """The ISO 639-3 code of the first sign-language name or abbreviation in ``s`` (any of the
    aliases in the JSON, in any of the 16 spoken languages), or None."""
    return _find_sign_language(s)


def _literal_pattern(s: str) -> str:
    """A regular expression for template text: flexible white space, apostrophes and dashes."""
    out: list[str] = []
    for i, ch in enumerate(s):
        if ch.isspace():
            if out and out[-1] in (r"\s+", r"\s*"):
                continue
            nxt = s[i + 1 : i + 2]
            out.append(r"\s*" if nxt and not _is_word_char(nxt) else r"\s+")
        elif ch in _APOSTROPHE_LIKE:
            out.append("['\u2018\u2019]")
        elif ch in _DASHES:
            out.append(f"[{_DASHES}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


@dataclass(frozen=True)
class _CompiledTemplate:
    regex: re.Pattern[str]
    literal: int  # characters of the template outside its placeholders
    slot_names: dict[str, str | None]  # casefolded slot filler -> code (None: generic)


@cache
def _compiled(spoken_language: str) -> tuple[_CompiledTemplate, ...]:
    lang = _language(spoken_language)
    names = [str(lang["generic"])] + [str(n) for ns in lang["sign_languages"].values() for n in ns]
    fillers: dict[str, str | None] = {str(lang["generic"]).casefold(): None}
    for code, ns in lang["sign_languages"].items():
        for name in ns:
            fillers[str(name).casefold()] = code
    # from the names as written: casefolding changes some (Turkish İ) beyond what IGNORECASE matches
    slot = "|".join(_literal_pattern(n) for n in sorted(names, key=len, reverse=True))
    out = []
    for template in templates(spoken_language):
        body = template.strip()
        lead = ""
        while body and body[0] in "\u00bf\u00a1":  # ¿ ¡ may be left out
            lead += re.escape(body[0]) + "?"
            body = body[1:]
        tail = body.rstrip(_TRAILING_PUNCT + " ")
        pattern = [r"^\s*", lead]
        for piece in re.split(r"(\{text\}|\{sign_language\})", tail):
            if piece == TEXT:
                pattern.append(r"(?P<text>.+?)")
            elif piece == SIGN_LANGUAGE:
                pattern.append(f"(?P<sl>{slot})")
            elif piece:
                # where the template says "sign language", a prompt may name one instead
                words = re.split(re.escape(str(lang["generic"])), piece, flags=re.IGNORECASE)
                pattern.append(f"(?:{slot})".join(_literal_pattern(w) for w in words))
        pattern.append(f"[\\s{re.escape(_TRAILING_PUNCT)}]*$")
        literal = len(template.replace(TEXT, "").replace(SIGN_LANGUAGE, ""))
        out.append(
            _CompiledTemplate(re.compile("".join(pattern), re.IGNORECASE | re.DOTALL), literal, fillers)
        )
    return tuple(out)


def _match_templates(prompt: str, languages: tuple[str, ...]) -> tuple[str, str | None] | None:
    """(text, code) from the training template that matches the whole prompt leaving the
    shortest text (ties: the one with more literal text)."""
    best: tuple[int, int, str, str | None] | None = None
    for language in languages:
        for t in _compiled(language):
            m = t.regex.match(prompt)
            if m is None:
                continue
            text = m.group("text").strip()
            if not text:
                continue
            code = None
            if "sl" in t.regex.groupindex and m.group("sl") is not None:
                code = t.slot_names.get(m.group("sl").casefold())
                if code is None:
                    code = _alias_code(m.group("sl"))
            key = (-len(text), t.literal)  # the template explaining most of the prompt
            if best is None or key > (best[0], best[1]):
                best = (key[0], key[1], text, code)
    return None if best is None else (best[2], best[3])


# --- the optional guess for unquoted prompts that match no template

_TOKEN = re.compile(r"\w+(?:['\u2019\-]\w+)*|[^\w\s]")
_BOS, _EOS = "<s>", "</s>"


@dataclass(frozen=True)
class _FrameStats:
    vocabulary: frozenset[str]
    before: Counter[str]
    after: Counter[str]


def _tokens(s: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(s)]


@cache
def _frame_stats(spoken_language: str) -> _FrameStats:
    lang = _language(spoken_language)
    vocabulary: set[str] = set(_tokens(str(lang["generic"])))
    for names in lang["sign_languages"].values():
        for name in names:
            vocabulary.update(_tokens(str(name)))
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for template in templates(spoken_language):
        left, right = template.replace(SIGN_LANGUAGE, str(lang["generic"])).split(TEXT)
        lt, rt = _tokens(left), _tokens(right)
        vocabulary.update(lt)
        vocabulary.update(rt)
        before[lt[-1] if lt else _BOS] += 1
        after[rt[0] if rt else _EOS] += 1
    return _FrameStats(frozenset(vocabulary), before, after)


def _guess(prompt: str, languages: tuple[str, ...], max_words: int = 4) -> str | None:
    """The likeliest text span of an unquoted prompt that no template matches.

    Scores every run of up to ``max_words`` words: words unseen in the language's templates
    count for it, template words against it (twice as much), every word after the first
    against it (the built-in corpus wraps single words), and the words around it count for it
    when templates often have them around ``{text}``. The weights were chosen by
    leave-one-template-out on the training templates (0.80 of single words found there);
    on the held-out templates it finds about 0.44.
    """
    spans = [(m.start(), m.end(), m.group(0).casefold()) for m in _TOKEN.finditer(prompt)]
    if not spans:
        return None
    toks = [t for _, _, t in spans]
    best: tuple[float, str] | None = None
    for language in languages:
        stats = _frame_stats(language)
        for i in range(len(toks)):
            for j in range(i + 1, min(len(toks), i + max_words) + 1):
                if not _is_word_char(toks[j - 1][0]):
                    break
                inside = toks[i:j]
                score = sum(-2.0 if t in stats.vocabulary else 1.0 for t in inside)
                score -= 3.0 * (len(inside) - 1)
                left = toks[i - 1] if i > 0 else _BOS
                right = toks[j] if j < len(toks) else _EOS
                score += np.log1p(stats.before[left]) + np.log1p(stats.after[right])
                if best is None or score > best[0]:
                    best = (float(score), prompt[spans[i][0] : spans[j - 1][1]])
    return None if best is None else best[1]


def extract_text(
    prompt: str, spoken_language: str | None = None, *, guess: bool = False
) -> tuple[str | None, str | None]:
    """Find (text, sign-language code) back in a prompt; None for what it cannot find.

    1. A quoted span in any of QUOTE_STYLES is the text (the first one, outermost).
    2. Without quotes, the prompt is matched against the training templates (of
       ``spoken_language``, or of every language) compiled to regular expressions, where the
       generic "sign language" of a template may also be any name of a sign language; the
       match leaving the shortest text gives the text.
    3. With ``guess=True``, an unquoted prompt that matches no template still gets a text: the
       run of words least like template words, between words typical around ``{text}``.
    The sign language is the longest name or abbreviation of any of the 20 sign languages, in
    any of the 16 spoken languages, found outside the text; a generic "sign language" gives
    None.

    Limits (a learned model is meant to do better):
    - the first quoted span wins, so a prompt quoting something else before the text fails;
      a text that itself holds a closing mark followed by a space or punctuation, as in
      "rock 'n' roll" within straight single quotes, is cut there; quotes not in QUOTE_STYLES
      (「」, ‹ ›) are not recognised;
    - a quoted text directly followed by a letter (Turkish "'kelime'yi") is not recognised
      with quote marks that double as apostrophes;
    - without quotes only the training phrasings are matched exactly; the guess is a
      bag-of-words heuristic that fails when the text is itself a common template word or
      the prompt brings several unseen words;
    - an unquoted text that starts the prompt may come back with its first letter
      capitalised (make_prompt capitalises it);
    - sign-language names are recognised only in the forms listed in the JSON aliases.
    """
    languages = (spoken_language,) if spoken_language is not None else spoken_languages()
    for language in languages:
        _language(language)
    span = _quoted_span(prompt)
    if span is not None:
        text: str | None = span[2].strip()
        rest = prompt[: span[0]] + " \u2063 " + prompt[span[1] :]
        return text, _find_sign_language(rest)
    matched = _match_templates(prompt, languages)
    if matched is not None:
        text, code = matched
        if code is None:
            code = _find_sign_language(prompt.replace(text, " \u2063 ", 1))
        return text, code
    text = _guess(prompt, languages) if guess else None
    rest = prompt.replace(text, " \u2063 ", 1) if text else prompt
    return text, _find_sign_language(rest)
