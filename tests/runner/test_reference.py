"""The ground truth of a generated text: its lexicon join."""

from pathlib import Path

import numpy as np
import pytest

from signstudio.runner.reference import find_reference, reference_for


def test_a_word_is_the_corpus_word(tiny_corpus):
    ref = reference_for("Hello", "ase", corpus=tiny_corpus)
    expected = tiny_corpus.word_sequence("ase", "hello", layout="holistic")
    assert ref is not None and ref.equals(expected)
    assert ref.layout == "holistic" and ref.num_joints == 553 and ref.fps == 25
    assert ref.meta["reference_kind"] == "lexicon join" and ref.meta["text"] == "Hello"
    assert ref.meta["gloss"] == "ASE_H ASE_E ASE_L ASE_L ASE_O"
    # the same through the cache's path
    assert reference_for("hello", "ase", corpus=tiny_corpus.path).equals(expected)


def test_words_are_joined(tiny_corpus):
    one = reference_for("hi", "ase", corpus=tiny_corpus)
    two = reference_for("hi, you", "ase", corpus=tiny_corpus)
    assert two.meta["words"] == ["hi", "you"] and "split" not in two.meta
    assert two.meta["joined_from"] == 2 and len(two) > len(one)


def test_upper50(tiny_corpus):
    ref = reference_for("hi", "ase", "upper50", corpus=tiny_corpus)
    assert ref.layout == "upper50" and ref.data.shape[1:] == (50, 3)


def test_without_a_cache_the_lexicon_gives_the_same(tiny_corpus, tmp_path):
    from_corpus = reference_for("hi", "ase", corpus=tiny_corpus)
    from_lexicon = reference_for("hi", "ase", corpus=tmp_path / "not-built.h5")
    assert not (tmp_path / "not-built.h5").exists()  # nothing was built
    assert from_lexicon.meta["source"] == "lexicon:ase/hi"
    assert from_lexicon.data.shape == from_corpus.data.shape
    np.testing.assert_array_equal(from_lexicon.present, from_corpus.present)
    # the cache keeps holistic points as float16
    np.testing.assert_allclose(from_lexicon.data, from_corpus.data, atol=0.02)
    assert from_lexicon.meta["gloss"] == from_corpus.meta["gloss"]
    assert "convention" not in from_lexicon.meta


def test_no_reference_comes_with_a_reason(tiny_corpus):
    missing = find_reference("straße", "ase", corpus=tiny_corpus)
    assert missing.sequence is None and "'straße' cannot be spelled" in missing.reason
    assert reference_for("straße", "ase", corpus=tiny_corpus) is None
    assert "no lexicon" in find_reference("hi", "xyz", corpus=tiny_corpus).reason
    assert find_reference("...", "ase", corpus=tiny_corpus).reason == "no words to look up"
    with pytest.raises(ValueError, match="layout"):
        reference_for("hi", "ase", "smplx", corpus=Path("x"))
