"""The training stack: a tiny CPU run, resume, export, the CLI, and two-process DDP (gloo)."""

from __future__ import annotations

import itertools
import json
import os
import socket
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.modeling.checkpoint import load_checkpoint  # noqa: E402
from signstudio.modeling.training.signllm import TrainConfig, train  # noqa: E402

TINY = {"d_model": 32, "ff": 64, "max_frames": 30, "dropout": 0.0}


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("corpus")) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase", "gsg"), words_per_language=12))
    return path


def config(corpus_path: Path, out: Path, **kw) -> TrainConfig:
    base = TrainConfig(
        langs=("ase", "gsg"),
        corpus=str(corpus_path),
        out=str(out),
        device="cpu",
        batch_size=4,
        epochs=1,
        max_steps=3,
        eval_every=2,
        dev_limit=2,
        model_overrides=dict(TINY),
        progress=False,
    )
    return replace(base, **kw)


def test_train_resume_and_export(corpus_path, tmp_path):
    cfg = config(corpus_path, tmp_path / "run", export=str(tmp_path / "ship" / "signllm-mlsf.pt"))
    r = train(cfg)
    assert r.steps == 3 and r.metric == "pt-dtw"
    log = json.loads((tmp_path / "run" / "log.json").read_text())
    assert [e["step"] for e in log] == [2, 3]
    assert all(e["dev_score"] > 0 and e["wall_s"] > 0 for e in log)
    assert (tmp_path / "run" / "best.pt").exists()
    last = load_checkpoint(tmp_path / "run" / "last.pt")
    assert last["extra"]["step"] == 3 and last["meta"]["dev_split"] == "train"
    side = json.loads((tmp_path / "ship" / "signllm-mlsf.json").read_text())
    assert side["languages"] == ["ase", "gsg"]
    shipped = load_checkpoint(tmp_path / "ship" / "signllm-mlsf.pt")
    assert shipped["half"] and not shipped["extra"]

    r2 = train(replace(cfg, epochs=2, max_steps=5, export=None))  # resumes at step 3
    assert r2.steps == 5
    log = json.loads((tmp_path / "run" / "log.json").read_text())
    assert [e["step"] for e in log] == [2, 3, 5]

    from signstudio.modeling.models.signllm_mlsf import SignLLMMLSF

    model = SignLLMMLSF(checkpoint=tmp_path / "ship" / "signllm-mlsf.pt")
    assert set(model.languages()) == {"ase", "gsg"}
    [seq] = model.generate(["hi"], "gsg", max_frames=5)
    assert 1 <= seq.num_frames <= 5


def test_deterministic_and_rl_plc(corpus_path, tmp_path):
    a = train(config(corpus_path, tmp_path / "a", record_indices=True))
    b = train(config(corpus_path, tmp_path / "b", record_indices=True))
    assert a.seen == b.seen
    for (k, v), w in zip(a.model.state_dict().items(), b.model.state_dict().values(), strict=True):
        assert torch.equal(v, w), k
    c = train(config(corpus_path, tmp_path / "c", loss="rl", plc=True, eta=0.6, record_indices=True))
    assert c.steps == 3 and all(len(v) == 12 for v in c.seen.values())
    assert json.loads((tmp_path / "c" / "log.json").read_text())[-1]["plc"] is True


def test_cli_train(corpus_path, tmp_path, capsys):
    from signstudio.cli.main import main

    rc = main(
        ["train", "signllm-mlsf", "--langs", "ase", "--corpus", str(corpus_path), "--out", str(tmp_path),
         "--max-steps", "1", "--batch-size", "2", "--dev-limit", "1", "--device", "cpu", "--no-progress"]
    )  # fmt: skip
    assert rc == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["steps"] == 1


def _worker(rank: int, world: int, port: int, corpus: str, out: str) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
        LOCAL_RANK=str(rank),
    )  # fmt: skip
    torch.set_num_threads(1)
    cfg = config(Path(corpus), Path(out) / "run", max_steps=2, eval_every=100, record_indices=True)
    r = train(cfg)
    torch.save({"seen": r.seen, "state": r.model.state_dict()}, Path(out) / f"rank{rank}.pt")


def test_ddp_two_cpu_processes(corpus_path, tmp_path):
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_worker, args=(2, port, str(corpus_path), str(tmp_path)), nprocs=2, join=True)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    for lang, n in (("ase", 12), ("gsg", 10)):  # 2 steps of batch 4 cover each rank's shard of n/2
        assert len(r0["seen"][lang]) == len(r1["seen"][lang]) == n // 2
        assert not set(r0["seen"][lang]) & set(r1["seen"][lang])
        assert set(r0["seen"][lang]) | set(r1["seen"][lang]) == set(range(n))
    for k, v in r0["state"].items():
        assert torch.equal(v, r1["state"][k]), k


def test_export_adds_a_language_without_touching_the_others(corpus_path, tmp_path):
    target = tmp_path / "ship" / "signllm-mlsf.pt"
    train(config(corpus_path, tmp_path / "a", langs=("ase",), export=str(target)))
    first = load_checkpoint(target)
    train(config(corpus_path, tmp_path / "g", langs=("gsg",), export=str(target), export_add=True))
    both = load_checkpoint(target)
    assert both["meta"]["languages"] == ["ase", "gsg"] and set(both["vocab"]) == {"ase", "gsg"}
    for k, v in first["state_dict"].items():
        assert torch.equal(both["state_dict"][k], v), k  # ase copied bit for bit
    assert any(k.startswith("channels.gsg.") for k in both["state_dict"])
    assert set(both["meta"]["per_language"]) == {"ase", "gsg"}
    side = json.loads(target.with_suffix(".json").read_text())
    assert side["languages"] == ["ase", "gsg"] and side["per_language"]["ase"]["step"] == 3

    from signstudio.modeling.models.signllm_mlsf import SignLLMMLSF

    model = SignLLMMLSF(checkpoint=target)
    assert model.languages() == ("ase", "gsg") and model.spoken == {"ase": "en", "gsg": "de"}

    wider = dict(TINY, d_model=48)
    with pytest.raises(ValueError, match=r"another config.*d_model"):
        train(
            config(
                corpus_path,
                tmp_path / "w",
                langs=("ase",),
                export=str(target),
                export_add=True,
                model_overrides=wider,
            )
        )


def test_learning_rate_schedules():
    from signstudio.modeling.training.signllm import learning_rate

    const = TrainConfig(lr=1e-3)
    assert learning_rate(const, 0, 100) == learning_rate(const, 99, 100) == 1e-3
    cos = TrainConfig(lr=1e-3, schedule="cosine", warmup=10)
    assert learning_rate(cos, 0, 100) == pytest.approx(1e-4)
    assert learning_rate(cos, 9, 100) == pytest.approx(1e-3)
    assert learning_rate(cos, 55, 100) == pytest.approx(0.55e-3)
    assert learning_rate(cos, 100, 100) == pytest.approx(1e-4)
    rates = [learning_rate(cos, s, 100) for s in range(10, 101)]
    assert all(a >= b for a, b in itertools.pairwise(rates))


@pytest.mark.slow
def test_the_train_command_under_torchrun(corpus_path, tmp_path):
    """The CLI itself under torchrun (two CPU processes, gloo): one run folder, world size 2."""
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "run"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port),
        "-m", "signstudio", "train", "signllm-mlsf", "--langs", "ase", "gsg", "--corpus", str(corpus_path),
        "--max-steps", "2", "--eval-every", "100", "--dev-limit", "2", "--batch-size", "4", "--d-model", "32",
        "--device", "cpu", "--no-progress", "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count('"steps": 2') == 2  # both ranks report the same run
    last = load_checkpoint(out / "last.pt")
    assert last["meta"]["world_size"] == 2 and last["extra"]["step"] == 2
    assert [e["step"] for e in json.loads((out / "log.json").read_text())] == [2]


def test_training_on_pose_files_with_texts(corpus_path, tmp_path):
    """Any readable corpus trains: here Progressive Transformers' .skels with their .text lines."""
    from signstudio.modeling.data import examples_from_files
    from signstudio.pose.formats import write

    corpus = store.open_corpus(corpus_path)
    seqs = [corpus.word_sequence("gsg", w) for w in corpus.words("gsg")]
    data, dev = tmp_path / "train.skels", tmp_path / "dev.skels"  # PT's file-per-split layout
    write(data, seqs[3:], format="pt-skels")
    write(dev, seqs[:3], format="pt-skels")
    found = examples_from_files([data, dev], "gsg")
    assert (len(found["train"]), len(found["dev"]), len(found["test"])) == (len(seqs) - 3, 3, 0)
    assert [e.text for e in found["dev"]] == [s.meta["text"] for s in seqs[:3]]
    assert found["dev"][0].glosses == seqs[0].meta["gloss"]  # already tagged: GSG_D GSG_I ...
    paths = (str(data), str(dev))
    r = train(config(corpus_path, tmp_path / "run", langs=("gsg",), corpus=None, data=paths))
    assert r.steps == 3 and r.log[-1]["dev_split"] == "dev"
    meta = load_checkpoint(tmp_path / "run" / "last.pt")["meta"]
    assert meta["corpus"] == f"{data}, {dev}" and meta["languages"] == ["gsg"]
    with pytest.raises(ValueError, match="exactly one"):
        train(config(corpus_path, tmp_path / "x", corpus=None, data=paths))
    (tmp_path / "dev.text").write_text("\n" * 3)  # texts missing
    with pytest.raises(ValueError, match=r"dev.skels: sequence 1 has no spoken text"):
        examples_from_files([dev], "gsg")
