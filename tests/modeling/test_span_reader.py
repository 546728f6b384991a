"""Issue 21: the learned span reader's training phrasings and its fp16 checkpoint (the reader the
rules fall back to when one is shipped)."""

from __future__ import annotations

import numpy as np
import torch

from signstudio.corpus.prompts import spoken_languages
from signstudio.modeling.text.prompt_reader import PromptReader, Reader, ReaderConfig, ReaderVocab
from signstudio.modeling.text.reading import load_learned_reader
from signstudio.modeling.training.prompt_reader_training import export_span_reader, sample_natural_batch

WORDS = {
    s: ["water", "haus", "merhaba", "ευχαριστώ", "дякую", "شكرا", "good morning"] for s in spoken_languages()
}


def test_composed_prompts_label_the_text_exactly() -> None:
    batch = sample_natural_batch(WORDS, 400, np.random.default_rng(0))
    natural = [b for b in batch if b.template_id.endswith("natural")]
    assert len(natural) > 200 and any(not b.quoted for b in natural)
    known = {w.casefold() for ws in WORDS.values() for word in ws for w in word.split()}
    for b in batch:  # the labelled span is made of the drawn words, nothing around them
        assert set(b.prompt[b.start : b.end + 1].casefold().split()) <= known, b
    for b in natural:  # the span is the text, whatever case the prompt was put in
        assert b.prompt[b.start : b.end + 1].strip() == b.prompt[b.start : b.end + 1]
    assert {b.sign_language for b in natural} - {None}, "some prompts name a sign language"
    assert any(b.prompt == b.prompt.lower() for b in natural), "some are all lower case"


def test_the_exported_reader_is_fp16_small_and_reads(tmp_path) -> None:
    torch.manual_seed(0)
    cfg = ReaderConfig()
    vocab = ReaderVocab.build([b.prompt for b in sample_natural_batch(WORDS, 200, np.random.default_rng(1))])
    classes = ("none", "ase", "gsg")
    reader = Reader(PromptReader(cfg, len(vocab), len(classes)), vocab, classes)
    path = tmp_path / "prompt-reader.pt"
    size = export_span_reader(reader, path, {"steps": 0})
    assert size < 3_000_000
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert all(
        v.dtype == torch.float16 for v in state["reader"]["state_dict"].values() if v.is_floating_point()
    )
    loaded = load_learned_reader(path)
    assert loaded is not None
    [found] = loaded.read(["how do you sign water in ASL"])
    assert isinstance(found.text, str) and found.sign_language in (None, "ase", "gsg")
    path.write_bytes(b"not a checkpoint")  # a damaged file: no reader, the rules alone read
    assert load_learned_reader(path) is None
    assert load_learned_reader(tmp_path / "missing.pt") is None
