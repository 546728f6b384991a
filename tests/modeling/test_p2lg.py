"""Prompt2LangGloss: LangGloss, labelled prompts, the prompt reader, training, export and loading."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.prompts import spoken_languages, templates  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.modeling.base import ModelError, UnsupportedLanguageError  # noqa: E402
from signstudio.modeling.data import TokenVocab  # noqa: E402
from signstudio.modeling.models import signllm_p2lg as P  # noqa: E402
from signstudio.modeling.text import prompt_reader as R  # noqa: E402
from signstudio.modeling.training import prompt_reader_training as RT  # noqa: E402
from signstudio.modeling.training.signllm import TrainConfig  # noqa: E402
from signstudio.modeling.training.signllm_p2lg import train_p2lg  # noqa: E402

TINY = {"d_model": 32, "ff": 64, "max_frames": 30, "dropout": 0.0}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    path = Path(tmp_path_factory.mktemp("corpus")) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase", "gsg", "tsm"), words_per_language=30))
    return store.open_corpus(path)


def test_lang_glosses_tag_every_letter_unit():
    alphabet = ["a", "e", "r", "t", "w", "sch", "s", "c", "h"]
    assert P.lang_glosses("water", "ase", alphabet) == ["ASE_W", "ASE_A", "ASE_T", "ASE_E", "ASE_R"]
    assert P.lang_glosses("Schwa!", "gsg", [*alphabet, "w"]) == ["GSG_SCH", "GSG_W", "GSG_A"]
    assert P.lang_glosses("tea, tar", "ase", alphabet) == [
        "ASE_T",
        "ASE_E",
        "ASE_A",
        "ASE_T",
        "ASE_A",
        "ASE_R",
    ]
    with pytest.raises(ModelError, match=r"'xyz'.*ase"):
        P.lang_glosses("tea xyz", "ase", alphabet)
    with pytest.raises(ModelError, match="nothing to sign"):
        P.lang_glosses(" ?! ", "ase", alphabet)


def test_token_vocab_encodes_glosses():
    v = TokenVocab.build(["ASE_A ASE_B", "GSG_A"])
    assert v.to_list() == ["ASE_A", "ASE_B", "GSG_A"] and len(v) == 4 + 3
    assert v.encode("ASE_B GSG_A ASE_Z") == [1, 5, 6, 3, 2]  # BOS, tokens, UNK, EOS
    assert TokenVocab.from_list(v.to_list()) == v


@pytest.mark.parametrize("held_out", [False, True])
def test_labelled_prompts_mark_the_text_exactly(held_out):
    rng = np.random.default_rng(3)
    for spoken in spoken_languages():
        for ti in range(len(templates(spoken, held_out))):
            text = "kale soup" if ti % 2 else "kale"
            lp = RT.labelled_prompt(text, spoken, None, rng, held_out=held_out, template_index=ti)
            assert lp.prompt[lp.start : lp.end + 1].lower() == text, (spoken, ti, lp.prompt)
            filled = RT.with_filler(lp, ["please", "now"], rng)
            assert filled.prompt[filled.start : filled.end + 1].lower() == text
            assert len(filled.prompt) > len(lp.prompt)


def test_reader_vocab_keeps_one_position_per_character():
    vocab = R.ReaderVocab.build(["İstanbul 'su'"])
    ids, mask = vocab.encode(["İstanbul 'su'", "x"], max_chars=64)
    assert ids.shape == (2, len("İstanbul 'su'")) and mask[0].all() and mask[1].sum() == 1
    assert ids[1, 0] == R.UNK


def test_best_spans_respect_order_and_length():
    start = torch.tensor([[0.0, 5.0, 0.0, 0.0, 9.0]])
    end = torch.tensor([[0.0, 0.0, 4.0, 0.0, 0.0]])
    assert R.best_spans(start, end, max_span=10) == [(1, 2)]  # start 4 > end 2 is not allowed
    assert R.best_spans(start, end, max_span=1) == [(4, 4)]
    blocked = torch.tensor([[False, False, True, False, False]])  # a quote mark at 2
    assert R.best_spans(start, end, max_span=10, blocked=blocked) == [(4, 4)]
    assert R.best_spans(start[:, :2], end[:, :2], max_span=10, blocked=blocked[:, :2]) == [(1, 1)]


def test_alias_swaps_keep_the_text_span():
    from signstudio.corpus.prompts import sign_language_aliases

    assert {"DGS", "German Sign Language", "Deutscher Gebärdensprache"} <= set(sign_language_aliases("gsg"))
    rng = np.random.default_rng(0)
    swapped = 0
    for i in range(40):
        lp = RT.labelled_prompt("wasser", "de", "gsg", rng, template_index=i % len(templates("de")))
        other = RT.with_alias(lp, rng)
        assert other.prompt[other.start : other.end + 1].lower() == "wasser"
        swapped += other.prompt != lp.prompt
    assert swapped > 5
    none = RT.labelled_prompt("wasser", "de", None, rng)
    assert RT.with_alias(none, rng) == none


def test_reader_learns_and_is_scored_on_held_out_templates(corpus):
    log: list[dict] = []
    reader = RT.train_reader(
        corpus, RT.ReaderTraining(minutes=5, max_steps=6, batch_size=8, eval_every=3), progress=False, log=log
    )
    assert [e["step"] for e in log] == [3, 6, 6] and all(0 <= e["dev_text"] <= 1 for e in log)
    found = reader.read(["How do I sign 'water' in DGS?", "x"])
    assert len(found) == 2 and all(isinstance(f.text, str) and 0 <= f.confidence <= 1 for f in found)
    held = RT.held_out_prompts(corpus)
    spokens = {s for _, _, s in held}
    assert spokens == {"en", "de", "tr"}
    assert all(lp.template_id.split("-")[1].startswith("h") for lp, _, _ in held)
    rule = RT.reader_accuracy(None, held)
    assert rule["overall"]["n"] == len(held) and 0.5 < rule["overall"]["text"] <= 1.0
    learned = RT.reader_accuracy(reader, held)
    assert set(learned["per_spoken_language"]) == spokens
    quoting = learned["by_quoting"]
    assert set(quoting) == {"quoted", "unquoted"}
    assert quoting["quoted"]["n"] + quoting["unquoted"]["n"] == len(held)
    assert rule["by_quoting"]["quoted"]["text"] > 0.9  # quotes make the rule-based extractor exact
    state = R.reader_state(reader)
    again = R.reader_from_state(state)
    assert [r.text for r in again.read(["Sign 'tea' please"])] == [
        r.text for r in reader.read(["Sign 'tea' please"])
    ]


def test_train_export_load_and_generate(corpus, tmp_path):
    cfg = TrainConfig(
        model="signllm-p2lg",
        langs=("ase", "gsg"),
        corpus=str(corpus.path),
        out=str(tmp_path / "run"),
        device="cpu",
        batch_size=4,
        epochs=1,
        max_steps=3,
        eval_every=2,
        dev_limit=2,
        model_overrides=dict(TINY),
        progress=False,
        export=str(tmp_path / "ship" / "signllm-p2lg.pt"),
    )
    summary = train_p2lg(
        cfg, RT.ReaderTraining(max_steps=4, batch_size=8), corpus=corpus, reader_corpus=corpus
    )
    assert summary["steps"] == 3 and summary["metric"] == "pt-dtw"
    assert (tmp_path / "run" / "reader.pt").exists()
    evaluation = json.loads((tmp_path / "run" / "reader_eval.json").read_text())
    assert evaluation["held_out_prompts"] > 0 and "rule_based" in evaluation
    side = json.loads((tmp_path / "ship" / "signllm-p2lg.json").read_text())
    assert side["id"] == "signllm-p2lg" and side["languages"] == ["ase", "gsg"]

    model = P.SignLLMP2LG(checkpoint=tmp_path / "ship" / "signllm-p2lg.pt")
    assert model.languages() == ("ase", "gsg")
    assert model.lang_glosses("tea", "gsg") == ["GSG_T", "GSG_E", "GSG_A"]
    seqs = model.generate(["tea", "art"], "ase", max_frames=6)
    assert [s.meta["gloss"] for s in seqs] == ["ASE_T ASE_E ASE_A", "ASE_A ASE_R ASE_T"]
    assert all(1 <= s.num_frames <= 6 and s.meta["model"] == "signllm-p2lg" for s in seqs)
    assert seqs[0].meta["spoken_language"] == "en" and seqs[0].layout == "upper50"
    [read] = model.read_prompts(["How do I sign 'tea' in ASL?"])
    assert isinstance(read.text, str)
    with pytest.raises(UnsupportedLanguageError):
        model.generate(["tea"], "tsm")

    # a resumed run reuses the stored reader and continues the gloss channel
    again = train_p2lg(
        replace(cfg, max_steps=4, export=None),
        RT.ReaderTraining(max_steps=1),
        corpus=corpus,
        reader_corpus=corpus,
    )
    assert again["steps"] == 4


def test_missing_checkpoint_says_how_to_train(tmp_path):
    with pytest.raises(ModelError, match="signstudio train signllm-p2lg"):
        P.SignLLMP2LG(checkpoint=tmp_path / "none.pt")


def test_a_named_sign_language_comes_from_the_alias_list_first(corpus):
    reader = RT.train_reader(corpus, RT.ReaderTraining(max_steps=2, batch_size=4), progress=False)
    prompts = ["How do I sign 'water' in DGS?", "Wie gebärdet man „Wasser“ in DSGS?", "Sign 'tea' please"]
    codes = [r.sign_language for r in reader.read(prompts)]
    assert codes[:2] == ["gsg", "sgg"]  # exact names win over an untrained head
    assert codes[2] is None  # no name, and an untrained head is never 90 % sure of one
    learned = R.Reader(reader.module, reader.vocab, reader.classes, use_aliases=False)
    assert len(learned.read(prompts)) == 3


def test_a_damaged_saved_reader_is_trained_again(corpus, tmp_path, capsys):
    """reader.pt carries a digest; a truncated or bit-flipped one is said in one line and None is
    returned (the run trains the reader again), an intact one comes back as it was saved."""
    from signstudio.modeling.checkpoint import DIGEST_KEY, payload_digest
    from signstudio.modeling.training.signllm_p2lg import _resumed_reader

    reader = RT.train_reader(corpus, RT.ReaderTraining(max_steps=1, batch_size=8), progress=False)
    state = R.reader_state(reader)
    state[DIGEST_KEY] = payload_digest(state)
    path = tmp_path / "reader.pt"
    torch.save(state, path)
    back = _resumed_reader(path, "cpu")
    assert back is not None and back.classes == reader.classes
    assert _resumed_reader(tmp_path / "none.pt", "cpu") is None and capsys.readouterr().err == ""

    weights = state["state_dict"]
    state["state_dict"] = {k: v + 1e-3 if v.is_floating_point() else v for k, v in weights.items()}
    torch.save(state, path)  # weights changed after the digest was taken
    assert _resumed_reader(path, "cpu") is None
    path.write_bytes(path.read_bytes()[:200])  # truncated
    assert _resumed_reader(path, "cpu") is None
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"{path}: the saved prompt reader is damaged; training it again"] * 2
