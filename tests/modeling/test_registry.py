"""The model registry: listing is free (no torch, no model code), loading is by id, devices resolve."""

import subprocess
import sys
import threading
import types

import numpy as np
import pytest

from signstudio.modeling import registry
from signstudio.modeling.base import (
    Cancelled,
    CancelToken,
    ModelError,
    ModelInfo,
    SignModel,
    UnknownModelError,
    UnsupportedLanguageError,
    apply_options,
)
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout


class Still(SignModel):
    """A test model: one still frame per text."""

    def __init__(self, device: str = "cpu") -> None:
        self.info = ModelInfo("still", "Still", "a test model", ("ase", "gsg"))
        self.device = device

    def generate(self, texts, lang, *, progress=None, cancel=None, **options):
        self.check_language(lang)
        skel = get_layout("upper50")
        return [
            PoseSequence(np.zeros((1, 50, 3)), np.ones((1, 50)), 25, skel, {"text": t, "model": "still"})
            for t in texts
        ]


@pytest.fixture
def still():
    info = registry.register(Still().info, Still)
    yield info
    registry.unregister(info.id)


def test_importing_and_listing_loads_no_model_and_no_torch():
    code = (
        "import sys, signstudio.modeling.registry as r\n"
        "ids = [m.id for m in r.available_models()]\n"
        "assert 'lookup' in ids, ids\n"
        "heavy = [m for m in ('torch', 'transformers', 'spoken_to_signed.gloss_to_pose', 'scipy') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_lookup_is_registered_with_its_facts():
    [info] = [m for m in registry.available_models() if m.id == "lookup"]
    assert info.kind == "baseline" and not info.needs_torch
    assert len(info.languages) == 20 and {"ase", "gsg", "ukl"} <= set(info.languages)
    assert info.name and info.description
    assert "lookup" in [m.id for m in registry.available_models(lang="gsg")]
    assert registry.available_models(lang="xxx") == []


def test_load_by_id(still):
    model = registry.load_model("still")
    assert isinstance(model, Still) and model.id == "still" and model.device == "cpu"
    assert model.languages() == ("ase", "gsg")
    [seq] = model.generate(["hi"], "ase")
    assert seq.meta["text"] == "hi"
    with pytest.raises(UnsupportedLanguageError, match="covers: ase, gsg"):
        model.generate(["hi"], "fsl")


def test_unknown_model_names_the_known_ones():
    with pytest.raises(UnknownModelError, match=r"unknown model .nope.; available: .*lookup"):
        registry.load_model("nope")


def test_registering_twice_needs_replace(still):
    with pytest.raises(ValueError, match="already registered"):
        registry.register(still, Still)
    registry.register(still, Still, replace=True)


def test_string_factories_are_checked():
    with pytest.raises(ValueError, match=r"package\.module:attr"):
        registry.register(ModelInfo("x", "X", "", ()), "not a factory")
    # a factory whose model has another id is refused at load time
    registry.register(
        ModelInfo("alias", "Alias", "", ("ase",)), "signstudio.modeling.models.lookup:LookupModel"
    )
    try:
        with pytest.raises(TypeError, match="id 'lookup'"):
            registry.load_model("alias")
    finally:
        registry.unregister("alias")


def test_model_info_is_validated():
    with pytest.raises(ValueError):
        ModelInfo("two words", "x", "", ())
    with pytest.raises(ValueError):
        ModelInfo("x", "x", "", (), kind="magic")  # type: ignore[arg-type]


def test_devices_without_torch_are_the_cpu():
    for device in ("auto", "cpu", "cuda", "cuda:1"):
        assert registry.resolve_device(device, needs_torch=False) == "cpu"
    with pytest.raises(ModelError, match="unknown device 'gpu'"):
        registry.resolve_device("gpu", needs_torch=False)


@pytest.mark.parametrize("gpus", [0, 2])
def test_devices_of_torch_models(monkeypatch, gpus):
    # a stand-in torch: the logic is tested without importing the real one (seconds)
    fake = types.SimpleNamespace(
        cuda=types.SimpleNamespace(is_available=lambda: gpus > 0, device_count=lambda: gpus)
    )
    monkeypatch.setitem(sys.modules, "torch", fake)
    assert registry.resolve_device("cpu", True) == "cpu"
    assert registry.resolve_device("auto", True) == ("cuda" if gpus else "cpu")
    if gpus:
        assert registry.resolve_device("cuda:1", True) == "cuda:1"
        with pytest.raises(ModelError, match="does not exist"):
            registry.resolve_device("cuda:2", True)
    else:
        with pytest.raises(ModelError, match="no CUDA GPU"):
            registry.resolve_device("cuda", True)


def test_cancel_token_across_threads():
    token = CancelToken()
    assert not token.cancelled
    token.raise_if_cancelled()
    seen = []
    waiter = threading.Thread(target=lambda: seen.append(token.wait(5)))
    waiter.start()
    token.cancel()
    waiter.join(5)
    assert seen == [True] and token.cancelled
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_options_override_config_fields():
    from signstudio.modeling.models.lookup import LookupConfig

    cfg = apply_options(LookupConfig(), {"max_word_seconds": 0.8})
    assert cfg.max_word_seconds == 0.8 and cfg.normalise
    assert apply_options(cfg, {}) is cfg
    with pytest.raises(ModelError, match=r"unknown option.*steps.*max_word_seconds"):
        apply_options(cfg, {"steps": 10})
