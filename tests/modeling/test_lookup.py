"""The lookup model runs spoken-to-signed's real fingerspelling pipeline."""

import numpy as np
import pytest

from signstudio.corpus.lexicon import alphabet
from signstudio.corpus.words import missing_letters, spell
from signstudio.modeling.base import Cancelled, CancelToken, ModelError, UnsupportedLanguageError
from signstudio.modeling.models.lookup import LookupModel, SpellingError
from signstudio.modeling.text.words import split_words
from signstudio.pose.convert import convert


@pytest.fixture(scope="module")
def model():
    return LookupModel()


@pytest.fixture(scope="module")
def hi(model):
    return model.generate(["hi"], "ase")[0]


def test_a_word_is_signed_in_units_of_the_corpus(hi):
    assert hi.layout == "holistic" and hi.data.shape[1:] == (178, 3)  # reduce_holistic's layout
    assert 20 < len(hi) < 200 and 24 <= hi.fps <= 30
    meta = hi.meta
    assert meta["text"] == "hi" and meta["sign_language"] == "ase" and meta["spoken_language"] == "en"
    assert meta["reference_kind"] == "generated" and meta["model"] == "lookup"
    assert meta["gloss"] == "ASE_H ASE_I" and meta["words"] == ["hi"]
    # normalised like the corpus: shoulder width 1, neck at the origin
    j = {n: i for i, n in enumerate(hi.skeleton.joints)}
    ls, rs = j["POSE_LANDMARKS:LEFT_SHOULDER"], j["POSE_LANDMARKS:RIGHT_SHOULDER"]
    ok = hi.present[:, ls] & hi.present[:, rs]
    width = np.linalg.norm(hi.data[ok, ls] - hi.data[ok, rs], axis=1)
    assert np.median(width) == pytest.approx(1, abs=1e-3)
    assert np.abs(np.median((hi.data[ok, ls] + hi.data[ok, rs]) / 2, axis=0)).max() < 1e-3
    assert np.isfinite(hi.data).all() and (hi.data[~hi.present] == 0).all()


def test_same_text_same_signing(model, hi):
    [again] = model.generate(["hi"], "ase")
    assert again.equals(hi)


def test_it_converts_to_upper50(hi):
    up = convert(hi, "upper50")
    assert up.layout == "upper50" and up.data.shape == (len(hi), 50, 3)
    nose = up.skeleton.index("BODY:Nose")
    assert (up.confidence[:, nose] == 0).all()  # reduce_holistic drops the nose
    assert "POSE_LANDMARKS:NOSE" in up.meta["converted_absent"]
    for name in ("BODY:Neck", "BODY:RWrist", "BODY:LShoulder"):
        assert up.present[:, up.skeleton.index(name)].all()
    right_hand = up.skeleton.groups["right_hand"]
    assert up.present[:, right_hand].any()


@pytest.fixture(scope="module")
def hi_you(model):
    steps = []
    [two] = model.generate(["Hi, you!"], "ase", progress=lambda f, m: steps.append((f, m)))
    return two, steps


def test_words_are_spelled_and_joined(hi_you, hi):
    two, steps = hi_you
    assert two.meta["words"] == ["hi", "you"] and two.meta["text"] == "Hi, you!"
    assert two.meta["gloss"] == "ASE_H ASE_I ASE_Y ASE_O ASE_U"
    assert len(two) > len(hi)
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [m for _, m in steps][:3] == ["spelling 'hi'", "spelling 'you'", "joining 2 words"]


def test_sign_mt_cap_per_word_is_an_option(model, hi_you):
    whole, _ = hi_you
    [capped] = model.generate(["hi you"], "ase", max_word_seconds=0.8)
    assert len(capped) < len(whole)
    assert capped.meta["config"]["max_word_seconds"] == 0.8


def test_cancel_between_words(model):
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        if message.startswith("spelling 'two'"):
            token.cancel()  # as if the user pressed Cancel while "two" is spelled

    with pytest.raises(Cancelled):
        model.generate(["one two six"], "ase", progress=progress, cancel=token)
    assert seen == ["spelling 'one'", "spelling 'two'"]


def test_missing_letters_are_named_not_signed(model, hi):
    # what the alphabet has no letter for is left out and named; the rest is signed as before
    [signed] = model.generate(["hi 42"], "ase")
    assert signed.equals(hi) and signed.meta["words"] == ["hi"]
    assert signed.meta["notes"] == ["not signed: 4, 2 (no sign or letter for them in American Sign Language)"]
    assert signed.meta["not_signed"] == ["4", "2"]
    assert "notes" not in hi.meta
    seen = []  # nothing left to sign: one line, before any work
    with pytest.raises(ModelError, match=r"nothing to sign in '42': not signed: 4, 2"):
        model.generate(["hi", "42"], "ase", progress=lambda f, m: seen.append(m))
    assert seen == []
    with pytest.raises(ModelError, match="nothing to sign"):
        model.generate(["?!"], "ase")
    assert isinstance(SpellingError("x"), ModelError)


def test_languages_and_options_are_checked(model):
    with pytest.raises(UnsupportedLanguageError):
        model.generate(["hi"], "xyz")
    with pytest.raises(ModelError, match="unknown option"):
        model.generate(["hi"], "ase", speed=2)
    with pytest.raises(TypeError):
        model.generate("hi", "ase")


def test_spelling_agrees_with_spoken_to_signed_where_it_can(model):
    # their characters_lookup, with poses replaced by the matched keys
    lookup = model._lookup
    original = lookup.get_pose
    lookup.get_pose = lambda row: (row["term"].lower(), None)
    try:
        for lang, words in {
            "ase": ["hello", "zebra", "quiz"],
            "gsg": ["schule", "straße", "tschüss"],
            "sgg": ["schach", "chuchi"],
            "ise": ["pizza", "gelato"],
            "ukl": ["привіт", "їжак"],
        }.items():
            spoken = model._spoken[lang]
            for word in words:
                theirs = list(lookup.characters_lookup(word, spoken, lang))
                (ours,) = model.spell_text(word, lang)
                assert (ours.prepared, list(ours.units)) == (word, theirs), (lang, word)
    finally:
        lookup.get_pose = original


def test_lookup_and_reference_split_words_alike(model):
    # One speller: the lookup model's letters are the corpus reference's, on real alphabets,
    # including a word where spoken-to-signed's longest-key-anywhere split differs (خلال: the
    # lam-alif لا where it stands, not the article ال cut out of the middle).
    for lang, text in {"jos": "خلال الهلال", "asq": "schule", "ise": "pizza", "ssp": "calle"}.items():
        for sp in model.spell_text(text, lang):
            assert list(sp.units) == spell(sp.word, alphabet(lang)), (lang, sp.word)
    (khilal,) = model.spell_text("خلال", "jos")
    assert khilal.units == ("خ", "لا", "ل")


def test_spelling_falls_back_like_the_corpus(model):
    (cafe,) = model.spell_text("café", "ase")
    assert (cafe.prepared, cafe.units) == ("cafe", ("c", "a", "f", "e"))
    (logos,) = model.spell_text("λόγος", "gss")
    assert logos.prepared == "λογοσ" and logos.units[-1] == "σ"
    assert missing_letters("a1b", model.alphabet("ase")) == ["1"]


def test_split_words():
    assert split_words("Hello, wonderful world!") == ["hello", "wonderful", "world"]
    assert split_words("ice-cream isn’t") == ["ice", "cream", "isnt"]
    assert split_words("  ") == []
