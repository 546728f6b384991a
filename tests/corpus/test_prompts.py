"""Prompt templates (SignLLM's Prompt2Sign style) and the rule-based text extractor."""

from __future__ import annotations

import re

import numpy as np
import pytest

from signstudio.corpus import prompts as P
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

LANGUAGES = ("en", "de", "pt", "cs", "hr", "et", "el", "it", "ar", "lt", "es", "sk", "sv", "tr", "uk", "fr")

SPOKEN_OF = {
    "ase": "en", "asq": "de", "gsg": "de", "sgg": "de", "bzs": "pt", "psr": "pt", "cse": "cs",
    "csq": "hr", "eso": "et", "gss": "el", "ise": "it", "jos": "ar", "lls": "lt", "mfs": "es",
    "ssp": "es", "svk": "sk", "swl": "sv", "tsm": "tr", "ukl": "uk", "fsl": "fr",
}  # fmt: skip

# SignLLM (Prompt2Sign), Table 1, Part I and Part III, with “{Text}” -> {text}.
SIGNLLM_EN = [
    "I really want to learn how to say {text} in sign language. Can you help me?",
    "How would you express {text} in sign language?",
    "Can you show me how to say {text} in sign language?",
    "How do I say {text} in sign language?",
    "Could you tell me how {text} is represented in sign language?",
    "What is the sign language for {text}?",
]
SIGNLLM_DE = [  # the paper leaves out the commas German requires; we keep them
    "Ich möchte wirklich lernen wie man {text} in Gebärdensprache sagt. Können Sie mir helfen?",
    "Wie würden Sie {text} in Gebärdensprache ausdrücken?",
    "Können Sie mir zeigen wie man {text} mit Gebärdensprache sagt?",
    "Wie sage ich {text} in Gebärdensprache?",
    "Könnten Sie mir sagen wie {text} in Gebärdensprache dargestellt wird?",
    "Was ist die Gebärdensprache für {text}?",
]

# Texts that stress the extractor: apostrophes (vs straight single quotes), several words,
# diacritics, non-Latin scripts, digits, a hyphen, a word that is also a template word.
HARD_TEXTS = [
    "don't",
    "rock-n-roll",
    "good morning",
    "Straße",
    "İstanbul",
    "привіт",
    "γεια σου",
    "مرحبا",
    "2024",
    "sign",
]

# Ordinary single words per language, for the accuracy report.
WORDS = {
    "en": "house water friend school yellow mother train apple",
    "de": "Haus Wasser Freund Schule gelb Mutter Zug Apfel",
    "pt": "casa água amigo escola amarelo mãe trem maçã",
    "cs": "dům voda přítel škola žlutá matka vlak jablko",
    "hr": "kuća voda prijatelj škola žuto majka vlak jabuka",
    "et": "maja vesi sõber kool kollane ema rong õun",
    "el": "σπίτι νερό φίλος σχολείο κίτρινο μητέρα τρένο μήλο",
    "it": "casa acqua amico scuola giallo madre treno mela",
    "ar": "بيت ماء صديق مدرسة أصفر أم قطار تفاحة",
    "lt": "namas vanduo draugas mokykla geltona motina traukinys obuolys",
    "es": "casa agua amigo escuela amarillo madre tren manzana",
    "sk": "dom voda priateľ škola žltá matka vlak jablko",
    "sv": "hus vatten vän skola gul mamma tåg äpple",
    "tr": "ev su arkadaş okul sarı anne tren elma",
    "uk": "дім вода друг школа жовтий мама потяг яблуко",
    "fr": "maison eau ami école jaune mère train pomme",
}

QUOTE_CHARS = set("\"'«»„“”‚‘’「」")


def _expected(p: P.Prompt) -> str:
    """The text as the prompt shows it (capitalised when it starts an unquoted prompt)."""
    lang, index = p.template_id.split("-")
    template = P.templates(lang, index.startswith("h"))[int(index.lstrip("h"))]
    if not p.quote[0] and template.startswith("{text}"):
        return p.prompt[: len(p.text)]
    return p.text


def _codes(spoken: str) -> tuple[str | None, ...]:
    return (None, *P.sign_languages_of(spoken))


# ----------------------------------------------------------------------------- the data


def test_languages_and_sign_languages():
    assert set(P.spoken_languages()) == set(LANGUAGES)
    assert set(SPOKEN_OF) == set(SIGN_LANGUAGE_NAMES)
    for code, spoken in SPOKEN_OF.items():
        assert P.spoken_language_of(code) == spoken
        assert code in P.sign_languages_of(spoken)
        names = P.sign_language_names(code)
        assert names and all(n.strip() == n and n for n in names)
    for spoken in LANGUAGES:
        assert P.generic_sign_language_name(spoken)
        assert P.NO_QUOTES in P.quote_styles(spoken)
        assert set(P.quote_styles(spoken)) <= set(P.QUOTE_STYLES)


@pytest.mark.parametrize("spoken", LANGUAGES)
def test_template_counts_and_placeholders(spoken):
    train, held = P.templates(spoken), P.templates(spoken, held_out=True)
    assert len(train) >= 30 and len(held) >= 8
    assert len(set(train)) == len(train) and len(set(held)) == len(held)
    assert not set(train) & set(held)
    for t in train + held:
        assert t.count("{text}") == 1, t
        assert t.count("{sign_language}") <= 1, t
        assert not re.sub(r"\{text\}|\{sign_language\}", "", t).count("{"), t
        assert t == t.strip() and "  " not in t, t
    named = sum("{sign_language}" in t for t in train) / len(train)
    assert 0.25 <= named <= 0.45, named
    assert any("{sign_language}" in t for t in held)


@pytest.mark.parametrize("spoken", LANGUAGES)
def test_templates_hold_no_quotes_and_leave_room_for_them(spoken):
    """The code adds the quotes; an apostrophe inside a word (l'avatar, TİD'de) is fine."""
    for t in P.templates(spoken) + P.templates(spoken, held_out=True):
        for m in re.finditer(r"[\"'«»„“”‚‘’「」]", t):
            i = m.start()
            inside_word = 0 < i < len(t) - 1 and t[i - 1].isalpha() and t[i + 1].isalpha()
            assert inside_word, f"quote mark in template {t!r}"
        i = t.index("{text}")
        j = i + len("{text}")
        assert i == 0 or not t[i - 1].isalnum(), t
        assert j == len(t) or not t[j].isalnum(), t


def test_signllm_templates_present():
    assert set(SIGNLLM_EN) <= set(P.templates("en"))
    de = {t.replace(",", "") for t in P.templates("de")}
    assert {t.replace(",", "") for t in SIGNLLM_DE} <= de


# ----------------------------------------------------------------------------- generation


def test_make_prompt_fills_text_quotes_and_sign_language():
    p = P.make_prompt("Hallo", "de", "gsg", template_index=7, quote=P.LOW_HIGH, rng=np.random.default_rng(1))
    assert P.templates("de")[7] == "Wie gebärdet man {text} in {sign_language}?"
    assert p.prompt in (
        "Wie gebärdet man „Hallo“ in Deutscher Gebärdensprache?",
        "Wie gebärdet man „Hallo“ in DGS?",
    )
    assert (p.text, p.spoken_language, p.sign_language, p.template_id) == ("Hallo", "de", "gsg", "de-07")
    generic = P.make_prompt("Hallo", "de", None, template_index=7, quote=P.NO_QUOTES)
    assert generic.prompt == "Wie gebärdet man Hallo in Gebärdensprache?" and generic.sign_language is None
    unnamed = P.make_prompt("Hallo", "de", "gsg", template_index=6, quote=P.STRAIGHT_DOUBLE)
    assert unnamed.prompt == 'Wie gebärdet man "Hallo"?' and unnamed.sign_language is None
    held = P.make_prompt("Hallo", "de", template_index=3, held_out=True)
    assert held.template_id == "de-h03"
    greek = P.make_prompt(
        "νερό", "el", "gss", template_index=1, quote=P.GUILLEMETS, rng=np.random.default_rng(0)
    )
    assert greek.prompt in ("Πώς λέμε «νερό» στην Ελληνική Νοηματική Γλώσσα;", "Πώς λέμε «νερό» στην ΕΝΓ;")


def test_make_prompt_capitalises_an_unquoted_leading_text_only():
    i = P.templates("en").index("{text} in {sign_language}, please.")
    assert P.make_prompt("apple", "en", "ase", template_index=i, quote=P.NO_QUOTES).prompt[:6] == "Apple "
    assert P.make_prompt("apple", "en", "ase", template_index=i, quote=P.CURLY_DOUBLE).prompt[:7] == "“apple”"
    j = P.templates("tr").index("{text} için işaret nedir?")
    assert P.make_prompt("ilk", "tr", template_index=j, quote=P.NO_QUOTES).prompt.startswith("İlk ")
    k = P.templates("de").index("Wie gebärdet man {text}?")
    assert (
        P.make_prompt("apfel", "de", template_index=k, quote=P.NO_QUOTES).prompt == "Wie gebärdet man apfel?"
    )


def test_make_prompt_rejects_bad_arguments():
    with pytest.raises(ValueError):
        P.make_prompt("x", "xx")
    with pytest.raises(ValueError):
        P.make_prompt("x", "en", "gsg")  # DGS prompts are German
    with pytest.raises(ValueError):
        P.make_prompt("  ", "en")
    with pytest.raises(IndexError):
        P.make_prompt("x", "en", template_index=999)


def test_generation_is_deterministic():
    a = [P.make_prompt("Haus", "de", "asq", rng=np.random.default_rng(5)) for _ in range(2)]
    assert a[0] == a[1]
    assert P.make_prompt("Haus", "de", "asq") == P.make_prompt("Haus", "de", "asq")
    rng = np.random.default_rng(3)
    draws = [P.make_prompt("Haus", "de", "asq", rng=rng) for _ in range(40)]
    assert len({d.template_id for d in draws}) > 15 and len({d.quote for d in draws}) > 3
    assert P.prompts_for("Haus", "de", "sgg", 50, seed=9) == P.prompts_for("Haus", "de", "sgg", 50, seed=9)
    assert P.prompts_for("Haus", "de", "sgg", 50, seed=9) != P.prompts_for("Haus", "de", "sgg", 50, seed=10)


@pytest.mark.parametrize("spoken", LANGUAGES)
def test_prompts_for_gives_distinct_training_combinations(spoken):
    n_templates, n_styles = len(P.templates(spoken)), len(P.quote_styles(spoken))
    sl = P.sign_languages_of(spoken)[-1]
    ps = P.prompts_for("text", spoken, sl, n_templates * n_styles, seed=0)
    combos = {(p.template_id, p.quote) for p in ps}
    assert len(combos) == n_templates * n_styles
    assert all("-h" not in p.template_id for p in ps)
    assert len({p.template_id for p in ps[:n_templates]}) == n_templates  # templates spread first
    assert {p.sign_language for p in ps} == {None, sl}
    with pytest.raises(ValueError):
        P.prompts_for("text", spoken, sl, n_templates * n_styles + 1, seed=0)


# ----------------------------------------------------------------------------- extraction


@pytest.mark.parametrize("spoken", LANGUAGES)
def test_every_quote_style_round_trips(spoken):
    """Every template (training and held-out) x every quote style x hard texts x names."""
    texts = [*HARD_TEXTS, *WORDS[spoken].split()[:2]]
    failures = []
    for held in (False, True):
        for i, _ in enumerate(P.templates(spoken, held)):
            for q in P.QUOTE_STYLES:
                if q == P.NO_QUOTES:
                    continue
                for k, text in enumerate(texts):
                    codes = _codes(spoken)
                    sl = codes[k % len(codes)]
                    p = P.make_prompt(text, spoken, sl, template_index=i, quote=q, held_out=held)
                    got = P.extract_text(p.prompt, spoken if k % 2 else None)
                    if got != (text, p.sign_language):
                        failures.append((p.prompt, got))
    assert not failures, failures[:5]


@pytest.mark.parametrize("spoken", LANGUAGES)
def test_unquoted_training_prompts_round_trip_by_template(spoken):
    texts = [*HARD_TEXTS, *WORDS[spoken].split()]
    failures = []
    for i, _ in enumerate(P.templates(spoken)):
        for k, text in enumerate(texts):
            codes = _codes(spoken)
            p = P.make_prompt(text, spoken, codes[k % len(codes)], template_index=i, quote=P.NO_QUOTES)
            got = P.extract_text(p.prompt, spoken)
            if got != (_expected(p), p.sign_language):
                failures.append((p.prompt, got))
    assert not failures, failures[:5]


def test_extract_text_examples():
    assert P.extract_text("What is the sign language for 'When does this take place?'.") == (
        "When does this take place?",
        None,
    )
    # SignLLM's own (ungrammatical) German example still gives up its text.
    assert P.extract_text("Wie gebärdet man 'am freundlichsten wird es am meer' zeigen?") == (
        "am freundlichsten wird es am meer",
        None,
    )
    assert P.extract_text("Kannst du mir „Schule“ in ÖGS zeigen?") == ("Schule", "asq")
    assert P.extract_text("Show me “ASL” in Swiss German Sign Language") == ("ASL", "sgg")
    assert P.extract_text("How do I say 'rock 'n roll' in LSF?", "en") == ("rock 'n roll", "fsl")
    assert P.extract_text("Comment dit-on « bonjour » en LSF ?") == ("bonjour", "fsl")
    assert P.extract_text("كيف أقول «مرحبا» بلغة الإشارة الأردنية؟") == ("مرحبا", "jos")
    assert P.extract_text("Hur säger man ”hej” på svenskt teckenspråk?") == ("hej", "swl")
    assert P.extract_text("How do I say banana in American Sign Language?", "en") == ("banana", "ase")
    assert P.extract_text("How do I say banana in American Sign Language?") == ("banana", "ase")
    assert P.extract_text("Nothing to see here", "en") == (None, None)
    assert P.extract_text("Yo, quick one: hands-wise, what's banana?", "en", guess=True)[0] == "banana"


def _accuracy(spoken: str) -> dict[str, tuple[int, int]]:
    """Held-out templates x natural quote styles x ordinary words x sign languages."""
    counts = {k: [0, 0] for k in ("quoted", "quoted_sl", "unquoted", "unquoted_guess", "unquoted_sl")}
    for i, _ in enumerate(P.templates(spoken, held_out=True)):
        for text in WORDS[spoken].split():
            for sl in _codes(spoken):
                for q in P.quote_styles(spoken):
                    p = P.make_prompt(text, spoken, sl, template_index=i, quote=q, held_out=True)
                    got, code = P.extract_text(p.prompt, spoken)
                    if q[0]:
                        results = {"quoted": got == p.text, "quoted_sl": code == p.sign_language}
                    else:
                        guessed, guessed_code = P.extract_text(p.prompt, spoken, guess=True)
                        results = {
                            "unquoted": got == _expected(p),
                            "unquoted_guess": guessed == _expected(p),
                            "unquoted_sl": guessed_code == p.sign_language,
                        }
                    for key, ok in results.items():
                        counts[key][0] += int(ok)
                        counts[key][1] += 1
    return {k: (a, b) for k, (a, b) in counts.items()}


def test_held_out_extraction_accuracy(record_property):
    """Reported with ``pytest -s``; quoted prompts must come back >= 0.95."""
    total: dict[str, list[int]] = {}
    lines = [
        f"{'lang':5}"
        + "".join(f"{k:>16}" for k in ("quoted", "quoted_sl", "unquoted", "unquoted_guess", "unquoted_sl"))
    ]
    for spoken in LANGUAGES:
        acc = _accuracy(spoken)
        lines.append(f"{spoken:5}" + "".join(f"{a / b:16.3f}" for a, b in acc.values()))
        for k, (a, b) in acc.items():
            total.setdefault(k, [0, 0])
            total[k][0] += a
            total[k][1] += b
        assert acc["quoted"][0] / acc["quoted"][1] >= 0.95, (spoken, acc)
    overall = {k: a / b for k, (a, b) in total.items()}
    lines.append(f"{'all':5}" + "".join(f"{v:16.3f}" for v in overall.values()))
    print("\nextract_text on held-out templates\n" + "\n".join(lines))
    for k, v in overall.items():
        record_property(f"held_out_{k}", round(v, 4))
    assert overall["quoted"] >= 0.95 and overall["quoted_sl"] >= 0.95
