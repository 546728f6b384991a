"""Damaged checkpoints are refused in one line, never used: digests of user checkpoints, the
sha256 manifest of shipped ones, truncated ``last.pt`` on resume and ``--vae-from``, and an
unknown id in ``evaluate --checkpoint``. Real tiny training runs on a tiny real corpus; damage is
done to copies."""

from __future__ import annotations

import random
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from signstudio.cli.main import main  # noqa: E402
from signstudio.corpus import store  # noqa: E402
from signstudio.corpus.store import CorpusSettings  # noqa: E402
from signstudio.modeling import shipped_models  # noqa: E402
from signstudio.modeling.base import ModelError  # noqa: E402
from signstudio.modeling.checkpoint import (  # noqa: E402
    DIGEST_KEY,
    CheckpointError,
    load_checkpoint,
    payload_digest,
)
from signstudio.modeling.training.signllm import TrainConfig, train  # noqa: E402

TINY = {"d_model": 32, "ff": 64, "max_frames": 30, "dropout": 0.0}


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("corpus")) / "c.h5"
    store.build(path, CorpusSettings(languages=("ase",), words_per_language=12))
    return path


def config(corpus_path: Path, out: Path, **kw) -> TrainConfig:
    base = TrainConfig(
        langs=("ase",),
        corpus=str(corpus_path),
        out=str(out),
        device="cpu",
        batch_size=4,
        epochs=1,
        max_steps=2,
        eval_every=2,
        dev_limit=2,
        model_overrides=dict(TINY),
        progress=False,
    )
    return replace(base, **kw)


@pytest.fixture(scope="module")
def run(corpus_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 2-step signllm-mlsf run: ``last.pt`` (with optimizer state) and ``best.pt``."""
    out = Path(tmp_path_factory.mktemp("run")) / "run"
    train(config(corpus_path, out))
    return out


def tensor_offset(path: Path) -> int:
    """Where the largest tensor's bytes start inside the checkpoint (torch's zip stores them raw)."""
    with zipfile.ZipFile(path) as zf:
        info = max((i for i in zf.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
    with path.open("rb") as fh:
        fh.seek(info.header_offset + 26)
        name_len, extra_len = (int.from_bytes(fh.read(2), "little") for _ in range(2))
    return info.header_offset + 30 + name_len + extra_len


def flip_bytes(path: Path, start: int, count: int = 64, seed: int = 0) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for i in range(count):
        data[start + i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def test_a_saved_checkpoint_carries_its_digest_and_a_copy_keeps_it(run: Path, tmp_path: Path):
    raw = torch.load(run / "last.pt", weights_only=True)
    assert raw[DIGEST_KEY].startswith("sha256:") and raw[DIGEST_KEY] == payload_digest(raw)
    copy = tmp_path / "renamed.pt"
    shutil.copyfile(run / "last.pt", copy)
    assert load_checkpoint(copy)["extra"]["step"] == 2


def test_64_flipped_bytes_in_the_weights_are_refused(run: Path, tmp_path: Path):
    bad = tmp_path / "best.pt"
    shutil.copyfile(run / "best.pt", bad)
    flip_bytes(bad, tensor_offset(bad) + 16)
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(bad)
    assert str(caught.value) == (
        f"{bad}: the checkpoint is damaged (its weights do not match the digest saved with them); "
        "train it again or restore a copy"
    )
    from signstudio.modeling.models.signllm_mlsf import SignLLMMLSF

    with pytest.raises(ModelError, match="checkpoint is damaged"):
        SignLLMMLSF(checkpoint=bad)  # what the studio and the runner load: the model is not used


@pytest.mark.parametrize("seed", range(6))
def test_damage_anywhere_is_refused_or_changes_nothing(run: Path, tmp_path: Path, seed: int):
    """Bytes flipped at random places: a one-line refusal, or (zip padding, checksums torch does
    not read) exactly the saved payload — never other weights."""
    good = torch.load(run / "last.pt", weights_only=True)
    bad = tmp_path / "last.pt"
    shutil.copyfile(run / "last.pt", bad)
    size = bad.stat().st_size
    start = random.Random(seed).randrange(0, size - 64)
    flip_bytes(bad, start, count=8, seed=seed)
    try:
        load_checkpoint(bad)
    except CheckpointError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(f"{bad}: ")
        return
    raw = torch.load(bad, weights_only=True)  # it loaded: then it is the saved payload, bit for bit
    assert raw[DIGEST_KEY] == good[DIGEST_KEY] == payload_digest(raw)


def test_a_checkpoint_without_a_digest_is_accepted(run: Path, tmp_path: Path):
    """Decision: written before digests existed, it is used as it is (nothing can tell)."""
    raw = torch.load(run / "best.pt", weights_only=True)
    del raw[DIGEST_KEY]
    old = tmp_path / "old.pt"
    torch.save(raw, old)
    assert set(load_checkpoint(old)["state_dict"]) == set(raw["state_dict"])


def test_truncated_or_flipped_last_pt_on_resume_is_one_line(
    run: Path, corpus_path: Path, tmp_path: Path, capsys
):
    for damage in ("truncate", "flip"):
        out = tmp_path / damage
        shutil.copytree(run, out)
        last = out / "last.pt"
        if damage == "truncate":
            last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])
        else:
            flip_bytes(last, tensor_offset(last))
        with pytest.raises(CheckpointError, match="delete it to start the run over"):
            train(config(corpus_path, out, max_steps=4))
        code = main(
            ["train", "signllm-mlsf", "--langs", "ase", "--corpus", str(corpus_path), "--out", str(out),
             "--max-steps", "4", "--batch-size", "4", "--dev-limit", "1", "--device", "cpu", "--no-progress",
             "--d-model", "32", "--layers", "1"]
        )  # fmt: skip
        err = one_line(capsys.readouterr().err)
        assert code == 2 and err.startswith(f"error: {last}: ")
        why = "not a readable checkpoint" if damage == "truncate" else "checkpoint is damaged"
        assert why in err and "delete it to start the run over" in err


@pytest.mark.parametrize("damage", ["truncate", "flip", "missing"])
def test_a_bad_vae_from_is_one_line(run: Path, corpus_path: Path, tmp_path: Path, capsys, damage: str):
    source = tmp_path / "teacher.pt"
    if damage != "missing":
        shutil.copyfile(run / "last.pt", source)
    if damage == "truncate":
        source.write_bytes(source.read_bytes()[:5000])
    elif damage == "flip":
        flip_bytes(source, tensor_offset(source))
    code = main(
        ["train", "nar-kd", "--no-kd", "--langs", "ase", "--corpus", str(corpus_path),
         "--out", str(tmp_path / "nokd"), "--device", "cpu", "--batch-size", "4", "--max-steps", "1",
         "--dev-limit", "1", "--vae-from", str(source), "--d-model", "32", "--layers", "1", "--no-progress"]
    )  # fmt: skip
    err = one_line(capsys.readouterr().err)
    assert code == 2 and err.startswith(f"error: {source}: ") and "--vae-from" in err
    assert not (tmp_path / "nokd" / "last.pt").exists()


def test_evaluate_refuses_an_unknown_checkpoint_id(run: Path, corpus_path: Path, tmp_path: Path, capsys):
    report = tmp_path / "r.json"
    code = main(
        ["evaluate", "--models", "signllm-mlsf", "--langs", "ase", "--limit", "1",
         "--corpus", str(corpus_path),
         "--checkpoint", f"signllm-mfls={run / 'best.pt'}", "--out", str(report)]
    )  # fmt: skip
    err = one_line(capsys.readouterr().err)
    assert code == 2 and not report.exists()
    assert "'signllm-mfls'" in err and "known here: signllm-mlsf" in err
    code = main(
        [
            "evaluate",
            "--langs",
            "ase",
            "--checkpoint",
            f"signllm-mlsf={run / 'best.pt'}",
            "--out",
            str(report),
        ]
    )
    assert code == 2 and "needs --models" in one_line(capsys.readouterr().err) and not report.exists()


def test_evaluate_refuses_a_damaged_checkpoint(run: Path, corpus_path: Path, tmp_path: Path, capsys):
    bad = tmp_path / "best.pt"
    shutil.copyfile(run / "best.pt", bad)
    flip_bytes(bad, tensor_offset(bad) + 8)
    report = tmp_path / "r.json"
    code = main(
        ["evaluate", "--models", "signllm-mlsf", "--langs", "ase", "--limit", "1",
         "--corpus", str(corpus_path),
         "--checkpoint", f"signllm-mlsf={bad}", "--out", str(report)]
    )  # fmt: skip
    err = one_line(capsys.readouterr().err)
    assert code == 2 and not report.exists() and f"{bad}: the checkpoint is damaged" in err


def test_the_manifest_lists_every_shipped_checkpoint_as_it_is():
    shipped = sorted(
        p.relative_to(shipped_models.MODELS_DIR).as_posix() for p in shipped_models.MODELS_DIR.glob("*/*.pt")
    )
    if not shipped:
        pytest.skip("no shipped checkpoints in models/")
    manifest = shipped_models.read_manifest()
    assert sorted(manifest) == shipped
    for name, sha in manifest.items():
        head = (shipped_models.MODELS_DIR / name).read_bytes()[:64]
        if head.startswith(b"version https://git-lfs"):
            continue  # a pointer, not the weights: doctor says so
        assert shipped_models.file_sha256(shipped_models.MODELS_DIR / name) == sha, name


def test_a_damaged_shipped_checkpoint_is_refused_and_fails_doctor(tmp_path: Path, monkeypatch):
    from signstudio import doctor
    from signstudio.doctor.check import FAIL

    real = shipped_models.MODELS_DIR / shipped_models.NARKD_ID / f"{shipped_models.NARKD_ID}.pt"
    if not real.is_file() or real.read_bytes().startswith(b"version https://git-lfs"):
        pytest.skip("the nar-kd weights are not in this checkout")
    models = tmp_path / "models"
    shutil.copytree(real.parent, models / real.parent.name)
    shutil.copyfile(shipped_models.MODELS_DIR / shipped_models.MANIFEST, models / shipped_models.MANIFEST)
    monkeypatch.setattr(shipped_models, "MODELS_DIR", models)
    copy = models / real.parent.name / real.name
    assert load_checkpoint(copy)["model_id"] == "nar-kd"
    [row] = doctor.check_checkpoints(models)
    assert row.status != FAIL
    flip_bytes(copy, tensor_offset(copy))
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(copy)
    assert str(caught.value) == (
        f"{copy}: the shipped checkpoint is damaged (its sha256 differs from models/SHA256SUMS); "
        "reinstall it: git checkout -- models/nar-kd/nar-kd.pt"
    )
    [row] = doctor.check_checkpoints(models)
    assert row.status == FAIL and "damaged" in row.detail and "git checkout -- models/nar-kd" in row.remedy


def test_doctor_fails_a_checkpoint_whose_digest_does_not_match(run: Path, tmp_path: Path):
    from signstudio import doctor
    from signstudio.doctor.check import FAIL

    # a checkpoint of our own put where doctor looks (no manifest): its digest is checked
    folder = tmp_path / "models" / "signllm-mlsf"
    folder.mkdir(parents=True)
    target = folder / "signllm-mlsf.pt"
    shutil.copyfile(run / "best.pt", target)
    [row] = doctor.check_checkpoints(tmp_path / "models")
    assert row.status != FAIL, row.line()
    flip_bytes(target, tensor_offset(target))
    [row] = doctor.check_checkpoints(tmp_path / "models")
    assert row.status == FAIL and "do not match the digest" in row.detail and "signstudio train" in row.remedy
