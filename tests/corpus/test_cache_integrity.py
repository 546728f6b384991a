"""A damaged corpus cache is found on open and said in one line with its remedy, everywhere.

The caches damaged here are copies of a small real build (one sign language), put where the
default cache would be (``SIGNSTUDIO_DATA_DIR`` in a tmp folder): the shared default cache is
never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import h5py
import pytest

from signstudio.corpus import integrity, store
from signstudio.corpus.integrity import CacheError

SETTINGS = store.CorpusSettings(languages=("ase",), words_per_language=12, prompts_per_word=1)
REMEDY = "rebuild it with: signstudio corpus build --force"


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store.build(tmp_path_factory.mktemp("sealed") / "c.h5", SETTINGS)


def flip(path: Path, offset: int, mask: int = 0x04) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)[0]
        fh.seek(offset)
        fh.write(bytes([byte ^ mask]))


def default_copy(sealed: Path, data_dir: Path) -> Path:
    """A copy of ``sealed`` where the default cache lives when SIGNSTUDIO_DATA_DIR=data_dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / store.default_cache_path().name
    shutil.copyfile(sealed, target)
    return target


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIGNSTUDIO_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_a_built_cache_is_sealed_and_opens(sealed: Path):
    head = sealed.read_bytes()[: integrity.BLOCK]
    assert head.startswith(integrity.MAGIC) and b"format 2\n" in head
    store.check_cache(sealed)
    corpus = store.Corpus(sealed)
    assert corpus.languages == ("ase",) and corpus.words("ase")
    corpus.close()


@pytest.mark.parametrize("where", [0, 40, 100, 511, 512, 600, 4096, -2048, -1, "middle"])
def test_one_flipped_bit_anywhere_is_found(sealed: Path, tmp_path: Path, where: int | str):
    copy = tmp_path / "c.h5"
    shutil.copyfile(sealed, copy)
    size = copy.stat().st_size
    offset = size // 2 if where == "middle" else int(where) % size
    flip(copy, offset)
    with pytest.raises(CacheError) as caught:
        store.Corpus(copy)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{copy}: ")
    assert caught.value.kind == "damaged", message
    # the payload is checked by its digest; the header byte for byte (a flipped hex digit of the
    # digest itself still parses, and then the digest does not match)
    expect = (
        ("checksum mismatch",) if offset >= integrity.BLOCK else ("header unreadable", "checksum mismatch")
    )
    assert any(f"damaged ({e})" in message for e in expect), message
    assert f"{REMEDY} --out {copy}" in message


def test_a_truncated_cache_says_so(sealed: Path, tmp_path: Path):
    copy = tmp_path / "c.h5"
    shutil.copyfile(sealed, copy)
    size = copy.stat().st_size
    with copy.open("r+b") as fh:
        fh.truncate(size - 1000)
    with pytest.raises(CacheError, match=rf"damaged \(truncated: {size - 1000} bytes, {size} written\)"):
        store.Corpus(copy)


def test_a_cache_of_an_older_version_is_refused_with_the_same_remedy(tmp_path: Path):
    old = tmp_path / "old.h5"
    with h5py.File(old, "w") as h5:  # what format 1 wrote: no user block, the same attributes
        h5.attrs["version_key"] = "0123456789abcdef"
        h5.attrs["fps"] = 25.0
        h5.create_group("letters/ase")
    with pytest.raises(CacheError, match="built by an older version of SignStudio") as caught:
        store.Corpus(old)
    assert caught.value.kind == "old" and REMEDY in str(caught.value)


def test_other_files_are_not_caches(tmp_path: Path):
    foreign = tmp_path / "poses.h5"
    with h5py.File(foreign, "w") as h5:
        h5["video1"] = [[0.0] * 150]
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    for path in (foreign, text, tmp_path):
        with pytest.raises(CacheError, match=r"not a SignStudio corpus cache|a folder") as caught:
            store.Corpus(path)
        assert caught.value.kind == "foreign"


def test_a_named_cache_that_does_not_exist_is_not_built(tmp_path: Path):
    missing = tmp_path / "nothere.h5"
    t0 = time.perf_counter()
    with pytest.raises(
        CacheError, match="no corpus cache here; build one with: signstudio corpus build --out"
    ):
        store.open_corpus(missing)
    assert time.perf_counter() - t0 < 1 and not missing.exists() and not list(tmp_path.iterdir())


def test_corpus_info_on_a_damaged_default_cache_is_one_line(sealed: Path, tmp_path: Path):
    data = tmp_path / "data"
    cache = default_copy(sealed, data)
    proc = run_cli("corpus", "info", data_dir=data)
    assert proc.returncode == 0, proc.stderr  # intact: the table
    assert "ase" in proc.stdout
    flip(cache, cache.stat().st_size // 3)
    proc = run_cli("corpus", "info", data_dir=data)
    line = one_error_line(proc)
    assert proc.returncode == 2 and proc.stdout == ""
    assert line == f"error: {cache}: the corpus cache is damaged (checksum mismatch); {REMEDY}"


def test_corpus_build_replaces_a_damaged_cache(sealed: Path, tmp_path: Path):
    copy = tmp_path / "c.h5"
    shutil.copyfile(sealed, copy)
    flip(copy, copy.stat().st_size - 5000)
    proc = run_cli(
        "corpus", "build", "--langs", "ase", "--words", "12", "--out", str(copy), data_dir=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "rebuilding: " in proc.stderr and "checksum mismatch" in proc.stderr
    store.check_cache(copy)  # sealed again


def test_evaluate_on_a_damaged_or_missing_cache_is_one_line(sealed: Path, tmp_path: Path):
    data = tmp_path / "data"
    cache = default_copy(sealed, data)
    flip(cache, 70_000)
    out = tmp_path / "r.json"
    proc = run_cli("evaluate", "--models", "lookup", "--langs", "ase", "--out", str(out), data_dir=data)
    assert proc.returncode == 2 and not out.exists()
    assert (
        one_error_line(proc) == f"error: {cache}: the corpus cache is damaged (checksum mismatch); {REMEDY}"
    )
    missing = tmp_path / "elsewhere" / "c.h5"
    t0 = time.perf_counter()
    proc = run_cli(
        "evaluate", "--models", "lookup", "--corpus", str(missing), "--out", str(out), data_dir=data
    )
    assert proc.returncode == 2 and time.perf_counter() - t0 < 30 and not missing.exists()
    assert one_error_line(proc) == (
        f"error: {missing}: no corpus cache here; build one with: signstudio corpus build --out {missing}"
    )


def test_doctor_fails_on_a_damaged_cache_with_its_remedy(sealed: Path, tmp_path: Path, monkeypatch):
    from signstudio import doctor
    from signstudio.doctor.check import FAIL, OK

    data = tmp_path / "data"
    cache = default_copy(sealed, data)
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(data))
    assert doctor.check_corpus().status == OK
    flip(cache, cache.stat().st_size // 2)
    check = doctor.check_corpus()
    assert check.status == FAIL and check.blocks
    assert "damaged (checksum mismatch)" in check.detail and str(cache) in check.detail
    assert check.remedy.startswith("signstudio corpus build --force")


def test_the_default_cache_falls_back_to_a_recorded_letter(sealed: Path, tmp_path: Path, monkeypatch):
    cache = default_copy(sealed, tmp_path)
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(tmp_path))
    flip(cache, 9000)
    sample = store.default_sample("ase")
    assert sample.meta.get("reference_kind") != "lexicon join" and len(sample) > 0


def test_the_default_cache_bootstrap_builds_is_sealed():
    path = store.default_cache_path()
    if not path.exists():
        pytest.skip(f"the default corpus cache is not built here ({path}); bootstrap builds it")
    store.check_cache(path)
