"""The FGD feature encoder: trained briefly on a tiny real corpus, its reference Gaussians, and
scores that separate real motion from a held pose."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.cli.main import main  # noqa: E402
from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.metrics.fgd import WINDOW  # noqa: E402
from signstudio.modeling.base import ModelError  # noqa: E402
from signstudio.modeling.data import load_examples  # noqa: E402
from signstudio.modeling.evaluation.fgd_encoder import (  # noqa: E402
    FGDEncoder,
    FGDEncoderConfig,
    FGDTraining,
    WindowAutoencoder,
    train_fgd_encoder,
)


@pytest.fixture(scope="module")
def corpus():
    import tempfile

    path = Path(tempfile.mkdtemp()) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase", "gsg"), words_per_language=40))
    return store.open_corpus(path)


@pytest.fixture(scope="module")
def encoder(corpus, tmp_path_factory) -> FGDEncoder:
    out = Path(tmp_path_factory.mktemp("fgd")) / "fgd-encoder.pt"
    summary = train_fgd_encoder(corpus, corpus, ("ase", "gsg"), FGDTraining(steps=60), out, progress=False)
    assert summary["steps"] == 60 and summary["train_windows"] > 100
    assert json.loads(out.with_suffix(".json").read_text())["languages"] == ["ase", "gsg"]
    return FGDEncoder(out)


def test_autoencoder_shapes():
    net = WindowAutoencoder(FGDEncoderConfig())
    x = torch.randn(3, WINDOW, 150)
    assert net.encode(x).shape == (3, 32) and net(x).shape == x.shape


def test_reference_gaussians_and_window_counts(encoder, corpus):
    assert {"train", "dev", "test", "dev/ase", "test/gsg"} <= set(encoder.references)
    dev = load_examples(corpus, ["ase", "gsg"], "dev")
    frames = [e.frames for exs in dev.values() for e in exs]
    feats = encoder.features(frames)
    assert feats.shape[1] == 32 and len(feats) == encoder.reference("dev").count
    real = encoder.score(frames, split="dev")
    assert real.score == pytest.approx(0.0, abs=1e-6)  # the very windows the reference was fitted to
    assert real.windows == real.reference_windows and real.sequences == len(frames)
    held = [np.repeat(f[:1], len(f), axis=0) for f in frames]  # the first pose held: no motion
    assert encoder.score(held, split="dev").score > 0.5
    assert "windows" in real.label
    with pytest.raises(ModelError, match="no reference statistics"):
        encoder.reference("dev", "tsm")


def test_cli_and_missing_checkpoint(corpus, tmp_path, capsys):
    out = tmp_path / "e.pt"
    argv = ["train", "fgd-encoder", "--langs", "ase", "--corpus", str(corpus.path), "--max-steps", "3"]
    assert main([*argv, "--batch-size", "8", "--export", str(out), "--no-progress", "--device", "cpu"]) == 0
    assert out.exists() and '"steps": 3' in capsys.readouterr().out
    with pytest.raises(ModelError, match="train one with"):
        FGDEncoder(tmp_path / "none.pt")
