"""signllm-mlsf: data, checkpoints, the MLSF model (language isolation, KV cache), RL loss and PLC."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import Corpus, CorpusSettings  # noqa: E402
from signstudio.modeling import data as D  # noqa: E402
from signstudio.modeling.base import ModelError  # noqa: E402
from signstudio.modeling.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from signstudio.modeling.models.signllm_mlsf import (  # noqa: E402
    MLSF,
    SIZES,
    SignLLMMLSF,
    build_model,
    per_sample_loss,
    size_config,
)
from signstudio.modeling.training.rl_plc import PrioritySampler, reward, rl_loss  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    path = Path(tmp_path_factory.mktemp("corpus")) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase", "gsg"), words_per_language=12))
    return Corpus(path)


@pytest.fixture(scope="module")
def examples(corpus: Corpus) -> dict[str, list[D.Example]]:
    return D.load_examples(corpus, ["ase", "gsg"], "train")


def tiny(**kw):
    return size_config("tiny", **{"d_model": 32, "ff": 64, "max_frames": 40, "dropout": 0.0, **kw})


# data
def test_examples_frames_glosses_and_counter(examples):
    ex = examples["ase"][0]
    assert ex.frames.dtype == np.float32 and ex.frames.shape[1] == 150
    assert ex.glosses.split()[0].startswith("ASE_")
    assert len(ex.glosses.split()) >= 3
    c = D.counter(ex.num_frames)
    assert c[0] == 0 and c[-1] == 1 and np.all(np.diff(c) > 0)


def test_stats_vocab_collate(examples):
    exs = examples["ase"]
    stats = D.NormStats.fit(exs)
    z = np.concatenate([stats.normalise(e.frames) for e in exs])
    assert np.allclose(z.mean(0), 0, atol=1e-3)
    np.testing.assert_allclose(stats.denormalise(stats.normalise(exs[0].frames)), exs[0].frames, atol=1e-5)
    vocab = D.CharVocab.build(e.text for e in exs)
    assert D.CharVocab.from_list(vocab.to_list()) == vocab
    ids = vocab.encode(exs[0].text)
    assert ids[0] == D.BOS and ids[-1] == D.EOS and D.UNK not in ids
    batch = D.collate(exs[:4], vocab, stats)
    assert batch.target.shape == (4, max(e.num_frames for e in exs[:4]), 151)
    assert batch.frame_mask.sum() == sum(e.num_frames for e in exs[:4])
    row = int(np.argmin(batch.lengths))
    assert batch.target[row, batch.lengths[row] - 1, 150] == 1.0
    assert not batch.frame_mask[row, batch.lengths[row] :].any()


def test_epoch_order_deterministic_and_sharded():
    a, b = D.epoch_order(11, 3, seed=7), D.epoch_order(11, 3, seed=7)
    np.testing.assert_array_equal(a, b)
    assert sorted(a) == list(range(11))
    assert not np.array_equal(a, D.epoch_order(11, 4, seed=7))
    s0, s1 = D.epoch_order(10, 0, 7, 0, 2), D.epoch_order(10, 0, 7, 1, 2)
    assert len(s0) == len(s1) == 5 and not set(s0) & set(s1)


# model
def test_add_remove_language_leaves_others_bit_identical():
    torch.manual_seed(0)
    model = MLSF(tiny(), {"ase": 20, "gsg": 22})
    before = {k: v.clone() for k, v in model.channels["ase"].state_dict().items()}
    model.add_language("sgg", 18)
    model.remove_language("gsg")
    assert model.languages == ("ase", "sgg")
    after = model.channels["ase"].state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not {id(p) for p in model.channels["ase"].parameters()} & {
        id(p) for p in model.channels["sgg"].parameters()
    }
    with pytest.raises(ValueError):
        model.add_language("ase", 20)


def test_training_one_language_does_not_touch_another(examples):
    torch.manual_seed(0)
    exs = examples["ase"][:3]
    vocab, stats = D.CharVocab.build(e.text for e in exs), D.NormStats.fit(exs)
    cfg = tiny()
    model = MLSF(cfg, {"ase": len(vocab), "gsg": 30})
    gsg = {k: v.clone() for k, v in model.channels["gsg"].state_dict().items()}
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    b = D.collate(exs, vocab, stats, max_frames=cfg.max_frames)
    pred = model("ase", torch.from_numpy(b.text), torch.from_numpy(b.text_mask), torch.from_numpy(b.target))
    per_sample_loss(pred, torch.from_numpy(b.target), torch.from_numpy(b.frame_mask), cfg).mean().backward()
    opt.step()
    assert all(torch.equal(gsg[k], v) for k, v in model.channels["gsg"].state_dict().items())


@pytest.mark.parametrize("future_k", [0, 2])
def test_cached_and_uncached_decoding_agree(future_k):
    torch.manual_seed(1)
    cfg = tiny(future_k=future_k, stop_counter=math.inf)  # never stops early: 40 frames compared
    channel = MLSF(cfg, {"ase": 20}).channels["ase"].eval()
    text = torch.tensor([[1, 5, 6, 7, 2], [1, 8, 2, 0, 0]])
    mask = text != 0
    cached = channel.generate(text, mask, use_cache=True)
    plain = channel.generate(text, mask, use_cache=False)
    assert [len(c) for c in cached] == [40, 40]
    for c, p in zip(cached, plain, strict=True):
        torch.testing.assert_close(c, p, atol=1e-5, rtol=0)


@pytest.mark.parametrize("mode", ["free", "monotone", "paced"])
def test_decoding_stops_on_predicted_counter(mode):
    torch.manual_seed(2)
    cfg = tiny(stop_counter=0.5, counter_mode=mode)
    channel = MLSF(cfg, {"ase": 20}).channels["ase"].eval()
    with torch.no_grad():  # force the counter output past the threshold: one frame per sequence
        if mode == "paced":
            channel.pace[-1].bias.fill_(100.0)
        else:
            channel.head.bias[150] = 100.0
    outs = channel.generate(torch.tensor([[1, 5, 2]]), torch.tensor([[True, True, True]]))
    assert outs[0].shape == (1, 150)


def test_a_paced_counter_grows_from_the_text_alone():
    """The paced counter never decreases and does not depend on the poses fed back."""
    torch.manual_seed(4)
    channel = MLSF(tiny(counter_mode="paced", stop_counter=2.0), {"ase": 20}).channels["ase"].eval()
    text, mask = torch.tensor([[1, 5, 6, 2]]), torch.ones(1, 4, dtype=torch.bool)
    frames = torch.zeros(1, 6, 151)
    frames[0, :, 150] = torch.linspace(0, 0.5, 6)
    memory = channel.encode(text, mask)
    args = (channel._memory_kv(memory), mask, None, channel.pool(memory, mask))
    a = channel._decode(frames, 0, args[0], args[1], args[2], args[3])
    noisy = frames.clone()
    noisy[..., :150] = torch.randn(1, 6, 150) * 3
    b = channel._decode(noisy, 0, args[0], args[1], args[2], args[3])
    torch.testing.assert_close(a[..., 150], b[..., 150])
    assert bool((a[0, :, 150] > frames[0, :, 150]).all())
    with pytest.raises(ValueError, match="counter_mode"):
        tiny(counter_mode="sideways")


def test_training_sees_the_paced_counter_that_decoding_produces():
    """Teacher forcing rolls the paced counter out exactly as free-running decoding does."""
    torch.manual_seed(5)
    channel = MLSF(tiny(counter_mode="paced"), {"ase": 20}).channels["ase"].eval()
    text, mask = torch.tensor([[1, 5, 6, 2]]), torch.ones(1, 4, dtype=torch.bool)
    memory = channel.encode(text, mask)
    pooled = channel.pool(memory, mask)
    c, steps = torch.zeros(1, 1), []
    for _ in range(7):
        c = c + torch.nn.functional.softplus(channel.pace(torch.cat([pooled, c], -1)))
        steps.append(float(c.detach()))
    rolled = channel.rollout_counter(pooled, 7)[0, :, 0]
    torch.testing.assert_close(rolled, torch.tensor(steps))
    target = torch.zeros(1, 7, 151)
    forced = channel(text, mask, target)[0, :, 150]
    torch.testing.assert_close(forced, rolled)


def test_future_prediction_and_noise_options(examples):
    exs = examples["ase"][:2]
    vocab, stats = D.CharVocab.build(e.text for e in exs), D.NormStats.fit(exs)
    cfg = tiny(future_k=3, noise_std=0.1)
    model = build_model(cfg, {"ase": vocab}).train()
    b = D.collate(exs, vocab, stats, max_frames=cfg.max_frames)
    args = (torch.from_numpy(b.text), torch.from_numpy(b.text_mask), torch.from_numpy(b.target))
    pred = model("ase", *args)
    assert pred.shape[-1] == 151 + 3 * 150
    loss = per_sample_loss(pred, args[2], torch.from_numpy(b.frame_mask), cfg)
    assert loss.shape == (2,) and torch.isfinite(loss).all()
    torch.manual_seed(0)
    p1 = model("ase", *args)
    torch.manual_seed(1)
    p2 = model("ase", *args)
    assert not torch.allclose(p1, p2)  # noise on the decoder inputs in training mode
    model.eval()
    assert torch.equal(model("ase", *args), model("ase", *args))


def test_size_presets_follow_the_paper():
    assert (SIZES["base"].d_model, SIZES["base"].ff, SIZES["base"].heads) == (512, 2048, 4)
    assert SIZES["base"].enc_layers == SIZES["base"].dec_layers == 2
    assert SIZES["large"].d_model == 2 * 512 and SIZES["super"].ff == 4 * 2048
    assert SIZES["large"].heads == SIZES["super"].heads == 4


# checkpoint + wrapper
def test_checkpoint_roundtrip_fp16_and_wrapper(tmp_path, examples):
    exs = examples["ase"]
    vocab, stats = D.CharVocab.build(e.text for e in exs), D.NormStats.fit(exs)
    cfg = tiny(stop_counter=2.0, max_frames=12)
    torch.manual_seed(0)
    model = build_model(cfg, {"ase": vocab})
    path = save_checkpoint(
        tmp_path / "m.pt",
        model_id="signllm-mlsf",
        config=cfg,
        state_dict=model.state_dict(),
        stats={"ase": stats.to_dict()},
        vocab={"ase": vocab.to_list()},
        meta={"spoken_languages": {"ase": "en"}},
        half=True,
    )
    assert not list(tmp_path.glob("*.tmp"))
    ckpt = load_checkpoint(path, map_location="cpu")
    assert ckpt["layout"] == "upper50" and ckpt["config"]["d_model"] == 32
    w = next(iter(ckpt["state_dict"].values()))
    assert w.dtype == torch.float32
    sd = model.state_dict()
    for k, v in ckpt["state_dict"].items():
        torch.testing.assert_close(v, sd[k], atol=2e-3, rtol=1e-3)

    wrapper = SignLLMMLSF(device="cpu", checkpoint=path)
    assert wrapper.languages() == ("ase",)
    seqs = wrapper.generate(["hello", "abc"], "ase")
    assert len(seqs) == 2 and seqs[0].layout == "upper50" and seqs[0].fps == 25
    assert seqs[0].num_frames == 12
    assert seqs[0].meta["reference_kind"] == "generated" and seqs[0].meta["model"] == "signllm-mlsf"
    assert seqs[0].meta["text"] == "hello" and seqs[0].meta["spoken_language"] == "en"
    with pytest.raises(ModelError):
        wrapper.generate(["x"], "gsg")
    with pytest.raises(ModelError, match="train"):
        SignLLMMLSF(checkpoint=tmp_path / "missing.pt")


# RL + PLC
def test_reward_and_rl_loss():
    pred = torch.zeros(2, 3, 4)
    target = torch.ones(2, 3, 4)
    target[1] *= 2
    mask = torch.tensor([[True, True, True], [True, False, False]])
    r = reward(pred, target, mask)
    torch.testing.assert_close(r, torch.tensor([-1.0, -4.0]))
    torch.testing.assert_close(rl_loss(r), torch.tensor(2.5))  # = the mean per-sample MSE
    torch.testing.assert_close(rl_loss(r, torch.tensor([1.0, 0.0])), torch.tensor(1.0))


def test_priority_sampler_prefers_hard_samples_and_resumes():
    s = PrioritySampler(4, eta=1.0, eps=0.0, seed=0)
    np.testing.assert_allclose(s.probabilities(), 0.25)  # unseen: uniform
    s.update([0, 1, 2, 3], [-1.0, -1.0, -1.0, -5.0])  # sample 3 has the largest loss
    np.testing.assert_allclose(s.probabilities(), [1 / 8, 1 / 8, 1 / 8, 5 / 8])
    draws = np.concatenate([s.sample(1) for _ in range(400)])
    assert (draws == 3).mean() > 0.5
    u = PrioritySampler(4, eta=0.0, seed=0)
    u.update([0, 1, 2, 3], [-1.0, -1.0, -1.0, -5.0])
    np.testing.assert_allclose(u.probabilities(), 0.25)  # eta 0: uniform
    batch = s.sample(3)
    assert len(set(batch.tolist())) == 3
    state = s.state_dict()
    t = PrioritySampler(4, seed=99)
    t.load_state_dict(state)
    np.testing.assert_array_equal(s.sample(2), t.sample(2))


def test_bf16_autocast_keeps_the_counter_in_float32():
    """Under bf16 autocast (the default on CUDA; forced here on the CPU) the paced counter still
    sums its ~1/90 steps in float32: the same length as float32 decoding, poses close."""
    from signstudio.modeling.models.signllm_mlsf import inference_context

    torch.manual_seed(6)
    channel = MLSF(tiny(counter_mode="paced", max_frames=150), {"ase": 20}).channels["ase"].eval()
    text, mask = torch.tensor([[1, 5, 6, 7, 2]]), torch.ones(1, 5, dtype=torch.bool)
    with inference_context("cpu", bf16=False):
        full = channel.generate(text, mask)
    with inference_context("cpu", bf16=True):
        half = channel.generate(text, mask)
    assert 60 < len(full[0]) < 150 and len(half[0]) == len(full[0])
    assert half[0].dtype == torch.float32
    assert float((half[0] - full[0]).abs().max()) < 0.25


def test_weights_that_do_not_fit_are_one_line_errors(tmp_path):
    torch.manual_seed(0)
    vocab = D.CharVocab.build(["abc"])
    stats = D.NormStats(np.zeros(150, np.float32), np.ones(150, np.float32))
    wide = build_model(tiny(d_model=48), {"ase": vocab})
    path = save_checkpoint(
        tmp_path / "m.pt",
        model_id="signllm-mlsf",
        config=tiny(),  # says d_model 32, holds d_model 48 weights
        state_dict=wide.state_dict(),
        stats={"ase": stats.to_dict()},
        vocab={"ase": vocab.to_list()},
    )
    with pytest.raises(ModelError, match=r"m\.pt: its weights do not fit .*size mismatch"):
        SignLLMMLSF(checkpoint=path)
