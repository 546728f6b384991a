"""The ``mean`` and ``random`` baselines on a tiny corpus built from the real lexicon recordings."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.corpus import store
from signstudio.corpus.store import CorpusSettings
from signstudio.modeling import registry
from signstudio.modeling.base import Cancelled, CancelToken, ModelError, UnsupportedLanguageError
from signstudio.modeling.models.baselines import (
    MeanModel,
    RandomModel,
    WrongWordModel,
    mean_stats,
    pose_pool,
    text_index,
)


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "tiny.h5"
    return store.build(path, CorpusSettings(languages=("ase",), words_per_language=10))


@pytest.fixture(scope="module")
def corpus(corpus_path):
    return store.open_corpus(corpus_path, build_if_missing=False)


def test_registered_without_loading_anything():
    ids = [m.id for m in registry.available_models()]
    assert {"lookup", "mean", "random", "wrong-word"} <= set(ids)
    for mid in ("mean", "random", "wrong-word"):
        info = registry.model_info(mid)
        assert info.kind == "baseline" and not info.needs_torch and len(info.languages) == 20


def test_mean_is_the_mean_pose_held_for_the_mean_length(corpus):
    [seq] = MeanModel(corpus=corpus).generate(["anything"], "ase")
    train = corpus.words("ase", "train")
    assert train
    frames = [corpus.word_sequence("ase", w, "upper50") for w in train]
    data = np.concatenate([f.data for f in frames])
    present = np.concatenate([f.present for f in frames])
    expected = np.where(present[..., None], data, 0).sum(0) / np.maximum(present.sum(0), 1)[:, None]
    assert seq.layout == "upper50" and seq.fps == corpus.fps == 25.0
    assert len(seq) == round(np.mean([w.frames for w in train]))
    np.testing.assert_allclose(seq.data[0], expected, atol=1e-5)
    assert (seq.data == seq.data[0]).all()  # held still
    meta = seq.meta
    assert meta["text"] == "anything" and meta["sign_language"] == "ase" and meta["spoken_language"] == "en"
    assert meta["reference_kind"] == "generated" and meta["model"] == "mean"
    # computed once and cached
    assert mean_stats(corpus, "ase") is mean_stats(corpus, "ase")


def test_mean_ignores_the_text(corpus):
    a, b = MeanModel(corpus=corpus).generate(["hello", "world"], "ase")
    assert a.equals(b) and a.meta["text"] == "hello" and b.meta["text"] == "world"


def test_wrong_word_is_a_deterministic_training_word(corpus):
    model = WrongWordModel(corpus=corpus)
    [a] = model.generate(["hello"], "ase")
    [again] = WrongWordModel(corpus=corpus).generate(["hello"], "ase")
    assert a.equals(again)
    word = model.pick("hello", "ase")
    assert word.split == "train" and a.meta["source_word"] == word.text
    assert a.equals(corpus.word_sequence("ase", word, "upper50"))
    assert a.meta["text"] == "hello" and a.meta["model"] == "wrong-word"
    assert a.meta["reference_kind"] == "generated" and a.layout == "upper50"
    # different texts spread over the training words
    picks = {model.pick(t, "ase").text for t in ("a", "b", "c", "d", "e", "f", "g", "h")}
    assert len(picks) > 1
    assert text_index("hello", "ase", 7) == text_index("hello", "ase", 7)


def test_random_draws_real_poses_in_no_order(corpus):
    [a] = RandomModel(corpus=corpus).generate(["hello"], "ase")
    [again] = RandomModel(corpus=corpus).generate(["hello"], "ase")
    [other] = RandomModel(corpus=corpus).generate(["world"], "ase")
    assert a.equals(again) and not a.equals(other)
    assert a.meta["model"] == "random" and a.layout == "upper50"
    # as long as the word wrong-word signs, every frame one of the training frames
    assert a.num_frames == WrongWordModel(corpus=corpus).pick("hello", "ase").frames
    pool, _ = pose_pool(corpus, "ase")
    flat = pool.reshape(len(pool), -1)
    for frame in a.data.reshape(a.num_frames, -1)[:10]:
        assert np.isclose(flat, frame, equal_nan=True).all(axis=1).any()
    # no motion to speak of: neighbouring frames are as far apart as any two poses
    step = np.nanmean(np.abs(np.diff(a.data, axis=0)))
    [real] = WrongWordModel(corpus=corpus).generate(["hello"], "ase")
    assert step > 3 * np.nanmean(np.abs(np.diff(real.data, axis=0)))


def test_corpus_as_a_path_and_as_an_option(corpus_path, corpus):
    [by_path] = RandomModel(corpus=corpus_path).generate(["x"], "ase")
    [by_option] = RandomModel(corpus=corpus).generate(["x"], "ase", corpus=str(corpus_path))
    assert by_path.equals(by_option)


def test_errors(corpus, tmp_path):
    model = MeanModel(corpus=corpus)
    with pytest.raises(UnsupportedLanguageError, match="has no 'gsg'"):
        model.generate(["x"], "gsg")  # a known sign language the tiny corpus lacks
    with pytest.raises(UnsupportedLanguageError):
        model.generate(["x"], "xxx")
    with pytest.raises(ModelError, match="nothing to sign"):
        model.generate(["  "], "ase")
    with pytest.raises(ModelError, match="unknown option"):
        model.generate(["x"], "ase", speed=2)
    with pytest.raises(ModelError, match="not built"):
        RandomModel(corpus=tmp_path / "nope.h5").generate(["x"], "ase")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        RandomModel(corpus=corpus).generate(["x"], "ase", cancel=token)


def test_load_model_gives_the_baselines():
    for mid, cls in (("mean", MeanModel), ("random", RandomModel), ("wrong-word", WrongWordModel)):
        model = registry.load_model(mid, device="cuda")
        assert isinstance(model, cls) and model.device == "cpu"
