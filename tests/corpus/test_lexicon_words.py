"""`signstudio corpus build --lexicon DIR`: lexicon signs (and sentences of them) become corpus words.

The lexicon is built here from real recordings: German (gsg) letter clips of the package's
fingerspelling lexicon saved under made-up glosses. They are STAND-INS for recordings of lexical
signs (no installable package ships any); what is tested is how signs enter the cache.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.corpus import join as joining
from signstudio.corpus.lexicon import alphabet
from signstudio.corpus.store import Corpus, CorpusSettings, build, prepare_letter
from signstudio.corpus.user_lexicon import add_sign, create_lexicon, load_lexicon, load_sign, update_sign
from signstudio.corpus.words import split_of
from signstudio.modeling.data import load_examples
from signstudio.pose.convert import convert
from signstudio.pose.formats import read_one

SIGNS = [
    ("w", "WASSER", "water"),
    ("m", "GUTEN-MORGEN", "Good morning"),
    ("h", "HAUS", "house"),
    ("b", "BROT", "bread"),
    ("k", "KALT", "cold"),
    ("s", "SONNE", "sun"),
    ("t", "TAG", "day"),
    ("n", "NACHT", "night"),
]


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lex") / "dgs"
    create_lexicon(folder)
    for letter, gloss, words in SIGNS:
        clip = read_one(alphabet("gsg")[letter].path)
        add_sign(folder, clip, gloss=gloss, words=words, spoken_language="de", sign_language="gsg")
    # left out, one line each: another sign language, and a clip that is not holistic
    add_sign(
        folder,
        read_one(alphabet("ase")["u"].path),
        gloss="US",
        words="us",
        spoken_language="en",
        sign_language="ase",
    )
    add_sign(
        folder,
        convert(read_one(alphabet("gsg")["u"].path), "upper50"),
        gloss="OBEN",
        words="up",
        spoken_language="de",
        sign_language="gsg",
    )
    return folder


@pytest.fixture(scope="module")
def settings(lexicon: Path) -> CorpusSettings:
    return CorpusSettings(languages=("gsg",), words_per_language=20, lexicons=(str(lexicon),))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, settings: CorpusSettings) -> Corpus:
    path = build(tmp_path_factory.mktemp("cache") / "corpus.h5", settings)
    return Corpus(path)


def test_each_sign_is_a_word_whose_reference_is_its_recording(corpus: Corpus, lexicon: Path) -> None:
    signs = [s for s in load_lexicon(lexicon).signs if s.sign_language == "gsg" and s.gloss != "OBEN"]
    words = {w.text: w for w in corpus.words("gsg") if w.source and w.source != "sentence"}
    assert sorted(words) == sorted(" ".join(s.key) for s in signs)
    for sign in signs:
        word = words[" ".join(sign.key)]
        assert (
            word.units == (sign.gloss,)
            and word.split == split_of(word.text)
            and word.source == str(sign.file)
        )
        want = prepare_letter(load_sign(sign), corpus.fps)
        for layout, tol in (("holistic", 5e-3), ("upper50", 1e-5)):
            got = corpus.word_sequence("gsg", word, layout)
            ref = want if layout == "holistic" else convert(want, "upper50")
            assert got.num_frames == ref.num_frames == word.frames
            np.testing.assert_allclose(got.data, ref.data, atol=tol * max(1.0, float(np.abs(ref.data).max())))
            assert got.meta["reference_kind"] == "recorded sign"
            assert got.meta["gloss"] == f"GSG_{sign.gloss}"
    # by its text, too (a phrase): the recording, not a spelling
    assert corpus.word_sequence("gsg", "good morning").meta["reference_kind"] == "recorded sign"


def test_sentences_join_signs_of_one_split(corpus: Corpus) -> None:
    words = corpus.words("gsg")
    singles = {w.units[0]: w for w in words if w.source and w.source != "sentence"}
    sentences = [w for w in words if w.source == "sentence"]
    assert sentences and {len(s.units) for s in sentences} <= {2, 3}
    for sentence in sentences:
        parts = [singles[u] for u in sentence.units]
        assert {p.split for p in parts} == {sentence.split}
        assert sentence.text == " ".join(p.text for p in parts)
        # joined at build time in the holistic layout, from the signs as the cache keeps them
        joined = joining.join([corpus.word_sequence("gsg", p, "holistic") for p in parts])
        seq = corpus.word_sequence("gsg", sentence, "holistic")
        assert seq.num_frames == sentence.frames == joined.num_frames
        np.testing.assert_allclose(seq.data, joined.data, atol=0.02)


def test_models_train_on_them(corpus: Corpus) -> None:
    signed = [w for w in corpus.words("gsg") if w.source]
    for split in ("train", "dev", "test"):
        examples = {(e.text, e.glosses) for e in load_examples(corpus, ["gsg"], split)["gsg"]}
        for word in signed:
            glosses = " ".join(f"GSG_{u}" for u in word.units)
            assert ((word.text, glosses) in examples) == (word.split == split), (word, split)
    assert {w.split for w in signed} >= {"train"}
    # the spelled words are still there, as many as asked for
    assert sum(1 for w in corpus.words("gsg") if not w.source) == 20


def test_the_version_key_follows_the_lexicon(settings: CorpusSettings, lexicon: Path) -> None:
    plain = CorpusSettings(languages=("gsg",), words_per_language=20)
    before = settings.version_key()
    assert before != plain.version_key()
    sign = load_lexicon(lexicon).signs[0]
    update_sign(lexicon, sign, priority=sign.priority + 1)
    assert settings.version_key() != before


def test_cli_build_names_what_it_left_out(
    lexicon: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.h5"
    argv = ["corpus", "build", "--langs", "gsg", "--words", "20", "--out", str(out)]
    assert main([*argv, "--lexicon", str(lexicon)]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 2
    assert "us.pose" in notes[0] and "sign language 'ase' is not in this build" in notes[0]
    assert "oben.pose" in notes[1] and "not a full MediaPipe Holistic recording" in notes[1]
    assert f"built {out}" in captured.out
    texts = {w.text for w in Corpus(out).words("gsg") if w.source}
    assert {"water", "good morning", "house"} <= texts
    assert main([*argv, "--force", "--lexicon", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "does not exist" in err and "\n" not in err
