import pytest

from signstudio.corpus.lexicon import alphabet, sign_languages
from signstudio.corpus.words import SPLITS, choose_words, normalise_word, spell, split_of


def test_spell_uses_longest_letter_groups():
    assert spell("schule", alphabet("asq")) == ["sch", "u", "l", "e"]
    assert spell("bella", alphabet("ise")) == ["b", "e", "ll", "a"]
    assert spell("Hallo", alphabet("gsg")) == ["h", "a", "l", "l", "o"]


def test_spell_falls_back_to_base_letters_but_never_drops_one():
    assert spell("café", alphabet("fsl")) == ["c", "a", "f", "e"]
    assert spell("straße", alphabet("ase")) is None  # ß has no base letter in ASL's alphabet
    assert spell("λόγος", alphabet("gss")) == ["λ", "ο", "γ", "ο", "σ"]


def test_greek_final_sigma_is_restored_in_text():
    assert normalise_word("τησ") == "της"


@pytest.mark.parametrize("sl", sorted(sign_languages()))
def test_every_language_has_words(sl):
    words = choose_words(sign_languages()[sl], alphabet(sl).keys(), 40)
    assert len(words) == 40
    for text, units in words:
        assert 3 <= len(units) <= 8 and text == normalise_word(text)


def test_split_is_deterministic_and_shared_across_languages():
    assert split_of("Haus") == split_of("haus") in SPLITS
    counts = {s: 0 for s in SPLITS}
    for w in (f"word{i}" for i in range(5000)):
        counts[split_of(w)] += 1
    assert 0.77 < counts["train"] / 5000 < 0.83 and 0.08 < counts["test"] / 5000 < 0.12


def test_spell_backtracks_when_the_longest_unit_leads_nowhere():
    assert spell("abc", ["ab", "bc", "a"]) == ["a", "bc"]  # greedy "ab" would leave "c"
    assert spell("abc", ["ab", "c", "a", "bc"]) == ["ab", "c"]  # the longest first when it works
    assert spell("abd", ["ab", "bc", "a"]) is None


def test_spell_takes_the_longest_unit_where_it_stands():
    # Jordanian lam-alif: greedy from the left gives خ لا ل; the longest key anywhere first
    # (spoken-to-signed's own lookup) would cut the article ال out of the middle: خ ل ال.
    assert spell("خلال", alphabet("jos")) == ["خ", "لا", "ل"]
    assert spell("calle", alphabet("ssp")) == ["c", "a", "ll", "e"]
    assert spell("tschüss", alphabet("sgg"))[:2] == ["t", "sch"]
    assert spell("pizza", alphabet("ise")) == ["p", "i", "zz", "a"]
