"""nar-kd: the frame VAE, the NAR decoder with its length regulator, the losses and the ablation,
trained for a few steps on a tiny real corpus and run through the registry and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.modeling.models.nar_kd import NARKD, FrameVAE, NARKDConfig, NARKDModel  # noqa: E402
from signstudio.modeling.text.conditioner import TextInputs  # noqa: E402
from signstudio.modeling.training.text_to_pose import GenTrainConfig, train_generative  # noqa: E402

SMALL = {
    "d_model": 32,
    "ff": 64,
    "heads": 2,
    "dec_layers": 1,
    "cond_layers": 1,
    "max_frames": 40,
    "latent": 8,
    "vae_hidden": 32,
}


def text_inputs(batch: int, langs: int = 1, seed: int = 0) -> TextInputs:
    g = torch.Generator().manual_seed(seed)
    return TextInputs(
        torch.randn(batch, 3, 384, generator=g),
        torch.ones(batch, 3, dtype=torch.bool),
        torch.randint(4, 20, (batch, 6), generator=g),
        torch.ones(batch, 6, dtype=torch.bool),
        torch.randint(0, langs, (batch,), generator=g),
    )


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("corpus")) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase", "gsg"), words_per_language=12))
    return path


def test_vae_pgm_outputs_unit_range_and_learns():
    torch.manual_seed(0)
    vae = FrameVAE(NARKDConfig(**SMALL))
    y = torch.rand(64, 150) * 0.5 + 0.25
    opt = torch.optim.Adam(vae.parameters(), lr=1e-2)
    first = None
    for _ in range(60):
        loss, terms = vae.loss(y)
        first = first if first is not None else terms["bce"]
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert terms["bce"] < first
    out = vae.decode(torch.randn(10, 8) * 5)
    assert out.min() >= 0 and out.max() <= 1


def test_nar_frames_do_not_depend_on_the_length_asked():
    """Every frame comes from its own positional query: a shorter output is a prefix of a longer one."""
    torch.manual_seed(0)
    net = NARKD(NARKDConfig(**SMALL), 30, ("ase",)).eval()
    text = text_inputs(2)
    short = net.generate(text, num_frames=10)
    long = net.generate(text, num_frames=35)
    assert [len(s) for s in short] == [10, 10] and [len(s) for s in long] == [35, 35]
    for a, b in zip(short, long, strict=True):
        torch.testing.assert_close(a, b[:10])
    free = net.generate(text)  # the regulator decides: round(sigmoid(logit) * T_max)
    _, logit = net(text)
    expected = (torch.sigmoid(logit) * 40).round().clamp(1, 40).long().tolist()
    assert [len(s) for s in free] == expected


def test_losses_kd_and_ablation_and_frozen_vae():
    torch.manual_seed(0)
    cfg = NARKDConfig(**SMALL)
    net = NARKD(cfg, 30, ("ase",))
    net.freeze_vae()
    text = text_inputs(3)
    target = torch.rand(3, 40, 150)
    mask = torch.zeros(3, 40, dtype=torch.bool)
    mask[0, :10], mask[1, :25], mask[2, :40] = True, True, True
    torch.manual_seed(1)
    total, terms = net.loss(text, target, mask)
    assert total.item() == pytest.approx(terms["pose"] + terms["distil"] + terms["length"], rel=1e-5)
    total.backward()
    assert all(p.grad is None for p in net.vae.parameters())  # the PGM and LGM stay frozen
    assert net.to_latent.weight.grad is not None
    net.eval()  # no dropout: the two losses see the same forward
    ablation = NARKD(NARKDConfig(**{**SMALL, "distill": False}), 30, ("ase",))
    ablation.load_state_dict(net.state_dict())
    ablation.eval()
    t_kd, k = net.loss(text, target, mask)
    t_no, n = ablation.loss(text, target, mask)
    assert n["distil"] == pytest.approx(k["distil"])  # still reported
    assert t_no.item() == pytest.approx(t_kd.item() - k["distil"], rel=1e-5)
    # padding frames do not count: changing the target past each length changes nothing
    target2 = target.clone()
    target2[~mask] = 0.0
    assert net.loss(text, target2, mask)[1]["pose"] == pytest.approx(k["pose"], rel=1e-6)


def test_train_export_load_generate(corpus_path, tmp_path):
    ship = tmp_path / "ship" / "nar-kd.pt"
    cfg = GenTrainConfig(
        model="nar-kd",
        langs=("ase", "gsg"),
        corpus=str(corpus_path),
        out=str(tmp_path / "run"),
        device="cpu",
        batch_size=4,
        max_steps=3,
        eval_every=2,
        dev_limit=2,
        vae_steps=5,
        model_overrides={**SMALL, "max_frames": 256},
        export=str(ship),
        progress=False,
    )
    r = train_generative(cfg)
    assert r.steps == 3
    log = json.loads((tmp_path / "run" / "log.json").read_text())
    assert [e["step"] for e in log] == [2, 3]
    assert {"pose", "distil", "length"} <= set(log[-1]["train_loss"])
    side = json.loads(ship.with_suffix(".json").read_text())
    assert side["id"] == "nar-kd" and side["languages"] == ["ase", "gsg"]

    model = NARKDModel(checkpoint=ship)
    assert set(model.languages()) == {"ase", "gsg"}
    steps: list[str] = []
    seqs = model.generate(["hallo", "welt"], "gsg", progress=lambda f, m: steps.append(m))
    assert len(seqs) == 2 and steps
    for seq in seqs:
        assert seq.layout == "upper50" and seq.meta["model"] == "nar-kd" and 1 <= seq.num_frames <= 256
        assert np.isfinite(seq.data).all()
    [fixed] = model.generate(["hallo"], "gsg", num_frames=17)
    assert fixed.num_frames == 17
    from signstudio.modeling.base import ModelError

    with pytest.raises(ModelError, match="num_frames"):
        model.generate(["hallo"], "gsg", num_frames=999)
    with pytest.raises(ModelError, match="does not cover"):
        model.generate(["hallo"], "tsm")

    # the ablation shares the teacher: --vae-from copies the frame VAE bit for bit
    from signstudio.cli.main import main

    code = main(
        [
            "train", "nar-kd", "--no-kd", "--langs", "ase", "gsg", "--corpus", str(corpus_path),
            "--out", str(tmp_path / "nokd"), "--device", "cpu", "--batch-size", "4", "--max-steps", "2",
            "--eval-every", "2", "--dev-limit", "2", "--vae-from", str(tmp_path / "run" / "last.pt"),
            "--d-model", "32", "--layers", "1", "--no-progress",
        ]
    )  # fmt: skip
    assert code == 0
    from signstudio.modeling.checkpoint import load_checkpoint

    a = load_checkpoint(tmp_path / "run" / "last.pt")
    b = load_checkpoint(tmp_path / "nokd" / "last.pt")
    assert b["config"]["distill"] is False and a["config"]["distill"] is True
    vae_keys = [k for k in a["state_dict"] if k.startswith("vae.")]
    assert vae_keys
    for k in vae_keys:
        torch.testing.assert_close(a["state_dict"][k], b["state_dict"][k], rtol=0, atol=0)
