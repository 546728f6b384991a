"""diffusion: the schedule, DDIM with guidance (exact with a perfect denoiser), relative
features, per-step progress and cancel, and a tiny training run through the registry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.modeling.base import Cancelled, CancelToken, ModelError  # noqa: E402
from signstudio.modeling.models.diffusion import (  # noqa: E402
    Denoiser,
    DiffusionConfig,
    DiffusionModel,
    alpha_bars,
    from_features,
    to_features,
    tree,
)
from signstudio.modeling.text.conditioner import TextInputs  # noqa: E402
from signstudio.modeling.training.text_to_pose import GenTrainConfig, train_generative  # noqa: E402

SMALL = {"d_model": 32, "ff": 64, "heads": 2, "layers": 1, "cond_layers": 1, "max_frames": 30}


def text_inputs(batch: int) -> TextInputs:
    g = torch.Generator().manual_seed(0)
    return TextInputs(
        torch.randn(batch, 3, 384, generator=g),
        torch.ones(batch, 3, dtype=torch.bool),
        torch.randint(4, 20, (batch, 6), generator=g),
        torch.ones(batch, 6, dtype=torch.bool),
        torch.zeros(batch, dtype=torch.long),
    )


def test_cosine_schedule():
    ab = alpha_bars(1000)
    assert ab.shape == (1000,)
    assert (ab[1:] < ab[:-1]).all() and 0.99 < ab[0] <= 1 and ab[-1] < 1e-3


@pytest.mark.parametrize("steps", [5, 20])
@pytest.mark.parametrize("guidance", [1.0, 3.0])
@pytest.mark.parametrize("prediction", ["eps", "x0"])
def test_ddim_is_exact_with_a_perfect_denoiser(steps, guidance, prediction):
    """If the denoiser returns the true noise (or the true x0) of a known x0, DDIM lands on x0,
    guided or not."""
    torch.manual_seed(0)
    net = Denoiser(DiffusionConfig(**SMALL, prediction=prediction), 30, ("ase",)).eval()
    x0 = torch.randn(2, 12, 150)
    calls = []

    def oracle(x, t, memory, mask, frame_mask, drop):
        calls.append(drop.clone())
        clean = x0.repeat(len(x) // 2, 1, 1)
        if prediction == "x0":
            return clean
        ab = net.alpha_bar[t][:, None, None]
        return (x - ab.sqrt() * clean) / (1 - ab).sqrt()

    net.denoise = oracle  # type: ignore[method-assign]
    seen = []
    out = net.sample(text_inputs(2), steps, guidance, num_frames=12, on_step=lambda i, n: seen.append((i, n)))
    for got, want in zip(out, x0, strict=True):
        torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)
    assert seen == [(i + 1, steps) for i in range(steps)]
    assert len(calls) == steps
    if guidance == 1.0:  # one pass per step, text always seen
        assert all(c.shape == (2,) and not c.any() for c in calls)
    else:  # conditional and unconditional rows in one pass
        assert all(c.tolist() == [False, False, True, True] for c in calls)


def test_training_loss_hides_text_for_dropped_rows():
    torch.manual_seed(0)
    net = Denoiser(DiffusionConfig(**{**SMALL, "dropout": 0.0}), 30, ("ase",)).eval()
    text = text_inputs(2)
    memory, mask, _ = net.encode_text(text)
    x = torch.randn(2, 8, 150)
    t = torch.tensor([500, 500])
    fm = torch.ones(2, 8, dtype=torch.bool)
    other = text_inputs(2)
    other.chars = torch.randint(4, 20, (2, 6), generator=torch.Generator().manual_seed(5))
    mem2, mask2, _ = net.encode_text(other)
    drop = torch.ones(2, dtype=torch.bool)
    a = net.denoise(x, t, memory, mask, fm, drop)
    b = net.denoise(x, t, mem2, mask2, fm, drop)
    torch.testing.assert_close(a, b)  # no text: the text cannot matter
    c = net.denoise(x, t, mem2, mask2, fm, ~drop)
    assert not torch.allclose(a, c)


def test_relative_features_round_trip(real_holistic):
    from signstudio.pose.convert import convert

    frames = np.nan_to_num(np.asarray(convert(real_holistic, "upper50").data, np.float32)).reshape(-1, 150)
    kt = tree()
    np.testing.assert_allclose(from_features(to_features(frames, kt), kt), frames, atol=1e-5)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = Path(tmp_path_factory.mktemp("diffusion"))
    corpus = root / "c.h5"
    store.build(corpus, CorpusSettings(languages=("ase", "gsg"), words_per_language=12))
    ship = root / "ship" / "diffusion.pt"
    cfg = GenTrainConfig(
        model="diffusion",
        langs=("ase", "gsg"),
        corpus=str(corpus),
        out=str(root / "run"),
        device="cpu",
        batch_size=4,
        max_steps=3,
        eval_every=3,
        dev_limit=2,
        model_overrides={**SMALL, "max_frames": 256, "steps": 5, "guidance": 1.5},
        export=str(ship),
        progress=False,
    )
    r = train_generative(cfg)
    assert r.steps == 3 and r.best_score is not None
    return ship


def test_shipped_sidecar_carries_the_sampling_defaults(shipped):
    side = json.loads(shipped.with_suffix(".json").read_text())
    assert side["sampling"] == {"steps": 5, "guidance": 1.5}
    model = DiffusionModel(checkpoint=shipped)
    steps = {s.name: s for s in model.info.settings}
    assert steps["steps"].default == 5 and steps["guidance"].default == 1.5


def test_generate_progress_cancel_seed_and_limits(shipped):
    model = DiffusionModel(checkpoint=shipped)
    messages: list[str] = []
    [a] = model.generate(["hallo"], "gsg", steps=7, progress=lambda f, m: messages.append(m))
    assert [m for m in messages if m.startswith("denoising")] == [
        f"denoising step {i}/7" for i in range(1, 8)
    ]
    assert a.meta["model"] == "diffusion" and a.layout == "upper50" and np.isfinite(a.data).all()
    [b] = model.generate(["hallo"], "gsg", steps=7)
    np.testing.assert_array_equal(a.data, b.data)  # seed 0 by default: the same sample
    [c] = model.generate(["hallo"], "gsg", steps=7, seed=3)
    assert c.num_frames == a.num_frames and not np.allclose(c.data, a.data)
    [d] = model.generate(["hallo"], "gsg", num_frames=9)
    assert d.num_frames == 9
    token = CancelToken()
    count = []

    def cancel_after_two(f, m):
        count.append(m)
        if len(count) == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        model.generate(["hallo"], "gsg", steps=20, progress=cancel_after_two, cancel=token)
    assert len(count) == 2
    for bad in ({"steps": 4}, {"steps": 51}, {"guidance": -1.0}, {"num_frames": 0}):
        with pytest.raises(ModelError):
            model.generate(["hallo"], "gsg", **bad)
