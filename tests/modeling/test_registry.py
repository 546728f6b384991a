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


# --- checkpoint files as models ---------------------------------------------------------------


def _narkd_copy(tmp_path):
    from signstudio.modeling.shipped_models import NARKD_CHECKPOINT

    if not NARKD_CHECKPOINT.exists():
        pytest.skip("needs the shipped nar-kd checkpoint")
    import shutil

    path = tmp_path / "my run" / "best.pt"
    path.parent.mkdir()
    shutil.copy(NARKD_CHECKPOINT, path)
    return path


def test_a_checkpoint_file_becomes_a_model_named_by_its_origin(tmp_path):
    path = _narkd_copy(tmp_path)
    info = registry.register_checkpoint(path)
    try:
        assert info.id == registry.checkpoint_model_id("nar-kd", path)
        assert info.id.startswith("nar-kd@") and " " not in info.id
        assert "(my run/best.pt)" in info.name and "gsg" in info.languages
        assert registry.register_checkpoint(path).id == info.id  # again: the same model, no clash
        model = registry.load_model(info.id, "cpu")
        assert model.id == info.id and model.info.name == info.name
        [seq] = model.generate(["hallo"], "gsg")
        assert len(seq) > 10
    finally:
        registry.unregister(info.id)


def test_a_remembered_checkpoint_registers_without_reading_its_file(tmp_path, monkeypatch):
    """The studio registers its remembered checkpoints from their summaries at every start: no file
    is read then (nor torch imported for it); the file loads when the model is used."""
    from signstudio.modeling import checkpoint

    path = _narkd_copy(tmp_path)
    summary = registry.checkpoint_summary(path)
    assert summary == {"model_id": "nar-kd", "languages": list(summary["languages"]), "trained_on": None}

    def no_reading(*_a, **_k):
        raise AssertionError("the checkpoint file was read at registration")

    monkeypatch.setattr(checkpoint, "describe_checkpoint", no_reading)
    monkeypatch.setattr(checkpoint, "load_checkpoint", no_reading)
    info = registry.register_checkpoint(path, summary)
    try:
        assert info.id == registry.checkpoint_model_id("nar-kd", path) and "gsg" in info.languages
    finally:
        registry.unregister(info.id)


def test_a_checkpoint_id_loads_in_the_model_process(tmp_path):
    """The studio's model process knows nothing of the parent's registrations: the id carries the file."""
    from signstudio.runner.service import GenerateRequest, Runner

    model_id = registry.checkpoint_model_id("nar-kd", _narkd_copy(tmp_path))
    with Runner(isolation="process") as runner:
        response = runner.run(
            GenerateRequest("hallo", "gsg", model_id=model_id, device="cpu", reference=False)
        )
    assert response.error is None and response.sequence is not None and len(response.sequence) > 10


def test_checkpoints_that_do_not_fit_are_one_line(tmp_path):
    from signstudio.modeling.shipped_models import MODELS_DIR

    good = _narkd_copy(tmp_path)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:100_000])
    noise = tmp_path / "noise.pt"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    cases = {
        truncated: "not a readable checkpoint",
        noise: "not a readable checkpoint",
        tmp_path / "missing.pt": "no such file",
        tmp_path: "is a folder",
    }
    fgd = MODELS_DIR / "fgd-encoder" / "fgd-encoder.pt"
    if fgd.exists():
        cases[fgd] = "a fgd-encoder checkpoint (an evaluator"
    for path, message in cases.items():
        with pytest.raises(ModelError) as caught:
            registry.register_checkpoint(path)
        text = str(caught.value)
        assert message in text and str(path) in text and "\n" not in text


def test_a_checkpoint_of_another_layout_is_refused(tmp_path):
    import torch

    from signstudio.modeling.checkpoint import DIGEST_KEY, load_checkpoint, payload_digest

    ck = load_checkpoint(_narkd_copy(tmp_path))
    ck["layout"] = "holistic"
    ck.pop(DIGEST_KEY, None)  # a consistent file of another layout, not a damaged one
    ck[DIGEST_KEY] = payload_digest(ck)
    other = tmp_path / "holistic.pt"
    torch.save(ck, other)
    with pytest.raises(ModelError, match=r"layout 'holistic'; the nar-kd code works in 'upper50'"):
        registry.register_checkpoint(other)
