"""Training every family on the user's own data: Progressive Transformers' 15 real PHOENIX14T
sentences (tests/data/phoenix14t-pt), splits, sign language, frame limit, bad input, DDP."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from signstudio.cli.main import main  # noqa: E402
from signstudio.modeling.checkpoint import load_checkpoint  # noqa: E402
from signstudio.modeling.training.user_data import DataError, load_user_data  # noqa: E402

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
TRAIN, DEV = str(PT / "train.skels"), str(PT / "dev.skels")
SMALL = ["--max-steps", "2", "--batch-size", "4", "--device", "cpu", "--no-progress", "--eval-every", "100"]


def _copy(split: str, folder: Path, name: str) -> Path:
    """PT's files of ``split`` under another name (so only the .files keys say the split)."""
    for ext in (".skels", ".text", ".gloss", ".files"):
        shutil.copy(PT / f"{split}{ext}", folder / f"{name}{ext}")
    return folder / f"{name}.skels"


def test_splits_follow_the_files_keys_and_dev_is_never_train(tmp_path):
    mine = _copy("train", tmp_path, "mine")
    other = _copy("dev", tmp_path, "other")
    data = load_user_data([str(mine), str(other)], [], ["gsg"])
    assert (len(data.train), len(data.dev)) == (5, 5)  # by the `train/`, `dev/` prefixes
    assert data.dev[0].text.startswith("tiefer luftdruck")
    assert data.train[0].glosses.startswith("GSG_JETZT GSG_WETTER")
    assert "5 train, 5 dev" in data.summary()
    # explicit --dev: its sequences are dev; --data's dev-marked ones are left out and counted
    data = load_user_data([str(mine), str(other)], [str(PT / "test.skels")], ["gsg"])
    assert (len(data.train), len(data.dev), data.left_out) == (5, 5, {"dev": 5})
    assert data.dev[0].text.startswith("regen und schnee")
    with pytest.raises(DataError, match=r"mine.skels: no dev data .*--dev FILE"):
        load_user_data([str(mine)], [], ["gsg"])
    with pytest.raises(DataError, match=r"do not say which sign language .*--langs gsg"):
        load_user_data([TRAIN], [DEV], None)
    with pytest.raises(DataError, match="exactly one"):
        load_user_data([TRAIN], [DEV], ["gsg", "ase"])


def test_the_frame_limit_is_said_not_silent():
    data = load_user_data([TRAIN], [DEV], ["gsg"])
    longest = max(e.num_frames for e in data.train + data.dev)
    assert data.frame_limit_note(longest, "nar-kd") is None
    note = data.frame_limit_note(150, "nar-kd")
    assert note is not None and "2 of 10 sequences are longer than nar-kd's limit of 150" in note
    assert f"--max-frames {longest}" in note
    fits = data.fits("gloss")
    assert fits["layout"] == "upper50" and fits["normalisation"] == "neck-shoulder"
    assert fits["sign_languages"] == ["gsg"] and fits["data"] == [TRAIN] and fits["target"] == "gloss"


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("signllm-mlsf", ["--d-model", "32", "--max-frames", "150"]),
        ("signllm-p2lg", ["--d-model", "32"]),
        ("nar-kd", ["--d-model", "32", "--vae-steps", "2"]),
        ("diffusion", ["--d-model", "32", "--sample-steps", "2"]),
    ],
)
def test_every_text_to_pose_family_trains_on_phoenix(model, extra, tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(
        ["train", model, "--data", TRAIN, "--dev", DEV, "--langs", "gsg", "--out", str(out), *SMALL, *extra]
    )
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "data: 5 train, 5 dev sequences (gsg" in captured.err
    if "--max-frames" in extra:
        assert "2 of 10 sequences are longer than signllm-mlsf's limit of 150 frames" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1])["steps"] == 2
    best = load_checkpoint(out / "best.pt")
    assert best["model_id"] == model
    meta = best["meta"]
    assert meta["sign_languages"] == ["gsg"] and meta["layout"] == "upper50"
    assert meta["normalisation"] == "neck-shoulder" and meta["data"] == [TRAIN] and meta["dev_data"] == [DEV]
    assert (out / "last.pt").exists() and json.loads((out / "log.json").read_text())[-1]["dev_split"] == "dev"
    if model == "signllm-p2lg":  # the gloss channel learned the data's glosses
        assert "GSG_WETTER" in best["vocab"]["langgloss"]
        _it_signs_the_glosses_it_learned(out / "best.pt")
    if model == "nar-kd":
        _its_output_is_not_scored_by_the_shipped_evaluators(out / "best.pt")


def _it_signs_the_glosses_it_learned(best):
    """A p2lg run on glossed data has no manual alphabet and no prompt reader: it signs the data's
    glosses, and a word it never learned is one line naming it."""
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.registry import load_model, register_checkpoint

    model = load_model(register_checkpoint(best).id, device="cpu")
    assert model.languages() == ("gsg",) and not model.info.reads_prompts
    line = (PT / "train.gloss").read_text(encoding="utf-8").splitlines()[0]
    [seq] = model.generate([line], "gsg")
    assert seq.num_frames > 0 and seq.meta["gloss"] == " ".join(f"GSG_{g}" for g in line.split())
    with pytest.raises(ModelError, match="'SONNENSCHEINXYZ' not among the gsg glosses this model learned"):
        model.generate(["WETTER SONNENSCHEINXYZ"], "gsg")


def _its_output_is_not_scored_by_the_shipped_evaluators(best):
    """The run's signing is PHOENIX's domain: the shipped FGD encoder and back-translation (built-in
    fingerspelling) say n/a for it in the studio's scores, with the command that trains one."""
    from signstudio.corpus.store import default_sample
    from signstudio.modeling.registry import load_model, register_checkpoint
    from signstudio.runner.scoring import score_pair

    model = load_model(register_checkpoint(best).id, device="cpu")
    seq = model.generate(["am mittwoch regen"], "gsg")[0]
    assert seq.meta["trained_on"] == TRAIN
    assert seq.meta["checkpoint"] == str(Path(best).resolve())  # the view's caption names the run
    scores = score_pair(seq, default_sample("gsg"), "am mittwoch regen", "gsg")
    assert scores.dtw_mje is not None  # DTW needs no learned model: it is shown
    notes = " ".join(scores.notes)
    assert "FGD-style n/a" in notes and "back-translation n/a" in notes
    assert "signstudio train fgd-encoder --data" in notes


@pytest.mark.parametrize("target", ["text", "gloss"])
def test_backtranslation_on_the_data_reads_it_back(target, tmp_path, capsys):
    out = tmp_path / "bt"
    args = ["train", "backtranslation", "--data", TRAIN, "--dev", DEV, "--langs", "gsg", "--out", str(out)]
    rc = main([*args, "--target", target, "--pretrain-steps", "1", *SMALL])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["target"] == target and 0.0 <= summary["dev_bleu4"] <= 100.0
    from signstudio.modeling.evaluation.backtranslation import BackTranslator

    bt = BackTranslator(out / "best.pt")
    assert bt.meta["target"] == target and bt.meta["sign_languages"] == ["gsg"] and bt.languages == ("gsg",)
    words = {u for u in bt.vocab.units}
    assert ("wettervorhersage" in words) if target == "text" else ("WETTER" in words)
    log = json.loads((out / "log.json").read_text())
    assert set(log["ground_truth_dev"]) >= {"bleu", "wer"}


def test_fgd_encoder_on_the_data_has_its_own_reference(tmp_path, capsys):
    out = tmp_path / "fgd"
    rc = main(
        ["train", "fgd-encoder", "--data", TRAIN, "--dev", DEV, "--langs", "gsg", "--out", str(out), *SMALL]
    )
    assert rc == 0, capsys.readouterr().err
    from signstudio.modeling.evaluation.fgd_encoder import FGDEncoder
    from signstudio.modeling.training.user_data import load_user_data

    enc = FGDEncoder(out / "best.pt")
    assert enc.meta["layout"] == "upper50" and enc.meta["sign_languages"] == ["gsg"]
    assert set(enc.references) == {"train", "train/gsg", "dev", "dev/gsg"}
    dev = load_user_data([TRAIN], [DEV], ["gsg"]).dev
    assert enc.score([e.frames for e in dev], split="dev").windows > 2


def _skels_without_text(tmp_path: Path) -> str:
    shutil.copy(PT / "train.skels", tmp_path / "bare.skels")
    return str(tmp_path / "bare.skels")


def _mismatched(tmp_path: Path) -> str:
    path = _copy("train", tmp_path, "short")
    lines = (PT / "train.text").read_text(encoding="utf-8").splitlines()
    (tmp_path / "short.text").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("make", "dev", "langs", "expect"),
    [
        (lambda p: str(p / "nope.skels"), [DEV], ["gsg"], "nope.skels"),
        (_skels_without_text, [DEV], ["gsg"], "bare.skels"),
        (_mismatched, [DEV], ["gsg"], "short"),
        (lambda p: TRAIN, [], ["gsg"], "no dev data"),
        (lambda p: TRAIN, [DEV], [], "--langs"),
    ],
)
def test_bad_data_is_one_error_line(make, dev, langs, expect, tmp_path, capsys):
    args = ["train", "nar-kd", "--data", make(tmp_path), "--out", str(tmp_path / "run"), *SMALL]
    args += ["--dev", *dev] if dev else []
    args += ["--langs", *langs] if langs else []
    rc = main(args)
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and err[0].startswith("error: ") and expect in err[0], err
    assert not (tmp_path / "run" / "best.pt").exists()


def test_unknown_model_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "no-such-model", "--data", TRAIN])
    assert exc.value.code == 2 and "invalid choice: 'no-such-model'" in capsys.readouterr().err


def _worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
        LOCAL_RANK=str(rank),
    )  # fmt: skip
    torch.set_num_threads(1)
    from signstudio.modeling.training.text_to_pose import GenTrainConfig, train_generative

    data = load_user_data([TRAIN], [DEV], ["gsg"])
    cfg = GenTrainConfig(
        model="diffusion", langs=("gsg",), out=str(Path(out) / "run"), device="cpu", batch_size=4,
        max_steps=2, eval_every=100, dev_limit=2, progress=False,
        model_overrides={"d_model": 32, "steps": 2},
    )  # fmt: skip
    r = train_generative(cfg, user_data=data)
    torch.save({"steps": r.steps, "state": r.net.state_dict()}, Path(out) / f"rank{rank}.pt")


def test_diffusion_ddp_two_cpu_processes_on_the_data(tmp_path):
    """nar-kd/diffusion under DDP (gloo, two CPU processes): the same weights on both ranks after
    averaged steps on disjoint shards; rank 0 writes the run folder with world_size 2."""
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_worker, args=(2, port, str(tmp_path)), nprocs=2, join=True)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert r0["steps"] == r1["steps"] == 2
    for k, v in r0["state"].items():
        assert torch.equal(v, r1["state"][k]), k
    best = load_checkpoint(tmp_path / "run" / "best.pt")
    assert best["meta"]["world_size"] == 2 and best["meta"]["sign_languages"] == ["gsg"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("nar-kd", ["--d-model", "32", "--vae-steps", "2"]),
        ("fgd-encoder", []),
        ("backtranslation", ["--pretrain-steps", "1"]),
    ],
)
def test_the_train_command_under_torchrun_on_the_data(model, extra, tmp_path):
    """`torchrun -m signstudio train MODEL --data …` (two CPU processes, gloo): every rank runs to
    the end, one checkpoint is written, and it fits the data."""
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "run"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port),
        "-m", "signstudio", "train", model, "--data", TRAIN, "--dev", DEV, "--langs", "gsg",
        "--out", str(out), *SMALL, *extra,
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count('"steps": 2') == 2  # both ranks report the same run
    best = load_checkpoint(out / "best.pt")
    assert best["meta"]["sign_languages"] == ["gsg"] and best["meta"]["data"] == [TRAIN]
