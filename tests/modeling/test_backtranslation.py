"""The back-translation model: its parts, a short training run on a tiny real corpus, and the
shipped checkpoint reading real signing far better than signing of the wrong word."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.modeling.base import ModelError  # noqa: E402
from signstudio.modeling.data import NormStats  # noqa: E402
from signstudio.modeling.evaluation.backtranslation import (  # noqa: E402
    BackTranslationNet,
    BackTranslator,
    BTConfig,
    BTTraining,
    GatedCrossAttention,
    UnitVocab,
    augment,
    features,
    text_units,
    train_backtranslation,
)


@pytest.fixture(scope="module")
def corpus():
    import tempfile

    path = Path(tempfile.mkdtemp()) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase", "gsg"), words_per_language=30))
    return store.open_corpus(path)


def test_vocab_round_trip_and_language_start_tokens():
    vocab = UnitVocab(("a", "b", "sch"), ("ase", "gsg"))
    ids = vocab.encode(["sch", "a", "?"])
    assert vocab.decode(ids) == ["sch", "a"]  # an unknown unit reads as nothing, EOS ends it
    assert vocab.start("gsg") == len(vocab) - 1 and vocab.start("ase") != vocab.start("gsg")
    with pytest.raises(ModelError, match="not 'bfi'"):
        vocab.start("bfi")
    assert UnitVocab.from_dict(vocab.to_dict()) == vocab


def test_the_gate_starts_closed():
    cfg = BTConfig(d_model=32, heads=2, ff=64, queries=8)
    gated = GatedCrossAttention(cfg)
    x, memory = torch.randn(2, 5, 32), torch.randn(2, 8, 32)
    assert torch.equal(gated(x, memory), x)  # tanh(0) = 0: the signing is not let in yet
    plain = GatedCrossAttention(BTConfig(d_model=32, heads=2, ff=64, queries=8, gated=False))
    assert not torch.equal(plain(x, memory), x)


def test_shapes_of_the_network():
    cfg = BTConfig(d_model=32, heads=2, ff=64, queries=8, encoder_layers=1, decoder_layers=1)
    net = BackTranslationNet(cfg, vocab_size=20, num_langs=2)
    frames, pad = torch.randn(3, 40, 300), torch.zeros(3, 40, dtype=torch.bool)
    memory = net.encode(frames, pad, torch.tensor([0, 1, 0]))
    assert memory.shape == (3, 8, 32)  # only the queries' outputs are kept
    assert net.decode(memory, torch.randint(3, 20, (3, 6))).shape == (3, 6, 20)
    assert net.gloss_logits(memory).shape == (3, 20)
    assert net.gates() == [0.0]


def test_features_and_augmentation():
    rng = np.random.default_rng(0)
    frames = rng.normal(size=(30, 150)).astype(np.float32)
    norm = NormStats(np.zeros(150, np.float32), np.ones(150, np.float32))
    f = features(frames, norm)
    assert f.shape == (10, 300) and np.allclose(f[0, 150:], 0.0)  # every third frame, velocity
    stretched = {len(augment(frames, np.random.default_rng(s))) for s in range(8)}
    assert min(stretched) >= 24 and max(stretched) <= 38 and len(stretched) > 1


def test_text_units_spell_with_the_lexicon_alphabet():
    assert text_units("Water", "ase") == ("w", "a", "t", "e", "r")
    assert text_units("two words", "ase") == ("t", "w", "o", "w", "o", "r", "d", "s")
    assert text_units("", "ase") is None


def test_a_short_training_run(corpus, tmp_path):
    out = tmp_path / "bt.pt"
    cfg = BTConfig(d_model=32, heads=2, ff=64, queries=8, encoder_layers=1, decoder_layers=1)
    summary = train_backtranslation(
        corpus, corpus, ("ase", "gsg"), BTTraining(steps=20, pretrain_steps=5, batch_size=8, config=cfg), out,
        progress=False,
    )  # fmt: skip
    assert summary["steps"] == 20 and summary["pretrain_steps"] == 5 and len(summary["gates"]) == 1
    assert summary["gates"][0] != 0.0  # the gate moved once the decoder trained
    saved = json.loads(out.with_suffix(".json").read_text())
    assert set(saved["ground_truth_test"]) == {"ase", "gsg"}
    assert {"bleu", "rouge_l", "chrf", "wer", "count"} <= set(saved["ground_truth_test"]["ase"])
    reader = BackTranslator(out)
    frames = [
        corpus.word_sequence("ase", w, "upper50").data.reshape(-1, 150) for w in corpus.words("ase")[:3]
    ]
    readings = reader.read(frames, ["ase"] * 3)
    assert len(readings) == 3 and all(isinstance(r, str) for r in readings)
    with pytest.raises(ValueError, match="2 sequences but 1 languages"):
        reader.read(frames[:2], ["ase"])


def test_missing_checkpoint_says_how_to_make_one(tmp_path):
    with pytest.raises(ModelError, match="signstudio train backtranslation"):
        BackTranslator(tmp_path / "none.pt")


def test_the_shipped_reader_reads_real_signing_and_not_the_wrong_word():
    from signstudio.metrics.translation import translation_scores
    from signstudio.modeling.models.baselines import WrongWordModel

    corpus = store.open_corpus(quiet=True)
    reader = BackTranslator()
    words = corpus.words("ase", "test")[:20]
    refs = [" ".join(w.units) for w in words]
    real = [corpus.word_sequence("ase", w, "upper50").data.reshape(-1, 150) for w in words]
    wrong = WrongWordModel(corpus=corpus).generate([w.text for w in words], "ase")
    real_chrf = translation_scores(reader.read_tokens(real, ["ase"] * 20), refs).chrf
    wrong_chrf = translation_scores(
        reader.read_tokens([s.data.reshape(-1, 150) for s in wrong], ["ase"] * 20), refs
    ).chrf
    assert real_chrf > 80.0 and real_chrf > 2 * wrong_chrf
