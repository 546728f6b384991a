"""Build a small corpus (3 sign languages) and check what the cache holds."""

import numpy as np
import pytest

from signstudio.corpus import store
from signstudio.corpus.words import SPLITS


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    settings = store.CorpusSettings(
        languages=("ase", "gsg", "sgg"), words_per_language=30, prompts_per_word=2
    )
    path = store.build(tmp_path_factory.mktemp("corpus") / "c.h5", settings)
    return store.Corpus(path)


def test_languages_and_counts(small):
    assert small.languages == ("ase", "gsg", "sgg")
    rows = {r["sign_language"]: r for r in small.info()}
    assert rows["ase"]["letters"] == 26 and rows["gsg"]["letters"] == 30
    for r in rows.values():
        assert sum(r[f"words_{s}"] for s in SPLITS) == 30
        assert r["prompts"] == 60 and r["word_frames"] > 30 * 25


def test_letters_are_normalised_real_clips(small):
    letters = small.letters("ase")
    a = letters["a"]
    assert a.layout == "upper50" and a.fps == 25 and a.meta["reference_kind"] == "recorded clip"
    left, right = a.data[:, 5], a.data[:, 2]
    ok = a.present[:, 5] & a.present[:, 2]
    assert np.median(np.linalg.norm(left[ok] - right[ok], axis=1)) == pytest.approx(1, abs=0.05)
    hol = small.letters("ase", "holistic")["a"]
    assert hol.num_joints == 553 and len(hol) == len(a)


def test_splits_are_disjoint_across_languages(small):
    by_split = {s: set() for s in SPLITS}
    for sl in small.languages:
        for w in small.words(sl):
            by_split[w.split].add(w.text)
    assert not by_split["train"] & by_split["dev"]
    assert not by_split["train"] & by_split["test"]
    assert not by_split["dev"] & by_split["test"]


def test_word_sequence_is_the_stored_length(small):
    for w in small.words("gsg")[:5]:
        seq = small.word_sequence("gsg", w)
        assert len(seq) == w.frames
        assert seq.meta["reference_kind"] == "lexicon join" and seq.meta["text"] == w.text
        assert seq.meta["gloss"].split() == [f"GSG_{u.upper()}" for u in w.units]


def test_typed_word_outside_the_list(small):
    seq = small.word_sequence("ase", "hello")
    assert seq.meta["text"] == "hello" and len(seq) > 50
    with pytest.raises(KeyError):
        small.word_sequence("ase", "straße")


def test_prompts_wrap_their_word(small):
    items = small.prompts("gsg")
    assert len(items) == 60
    for p in items[:20]:
        assert p.word.text in p.prompt.lower()


def test_version_key_changes_with_settings():
    a = store.CorpusSettings().version_key()
    assert a == store.CorpusSettings().version_key()
    assert a != store.CorpusSettings(words_per_language=7).version_key()
