"""`signstudio.session.dataset`: every source opens with the right entries, reads on demand equal
the eager reader bit for bit, the .skels line index is cached and invalidated, and a damaged
sequence is one FormatError for that sequence only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import read, read_one, write
from signstudio.pose.sequence import PoseSequence
from signstudio.session.dataset import LRU_SIZE, open_dataset
from signstudio.session.dataset import _skels as index_mod
from signstudio.session.dataset._skels import count_values

REPO = Path(__file__).resolve().parents[2]
PT = REPO / "tests" / "data" / "phoenix14t-pt"
SPLITS = ("dev", "test", "train")


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The index cache goes to a folder of the test, never the user's data folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(folder))
    return folder


def same(a: PoseSequence, b: PoseSequence) -> None:
    """Bit for bit: data, confidence, fps, skeleton and meta."""
    assert a.data.dtype == b.data.dtype and a.confidence.dtype == b.confidence.dtype
    assert np.array_equal(a.data, b.data) and np.array_equal(a.confidence, b.confidence)
    assert a.fps == b.fps and a.layout == b.layout and a.skeleton.joints == b.skeleton.joints
    assert a.meta == b.meta


def lines_of(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def copy_set(dst: Path, split: str = "dev") -> Path:
    """tests/data's PT split (.skels + .text/.gloss/.files) copied into ``dst``."""
    for suffix in (".skels", ".text", ".gloss", ".files"):
        (dst / f"{split}{suffix}").write_bytes((PT / f"{split}{suffix}").read_bytes())
    return dst / f"{split}.skels"


# ---- .skels ------------------------------------------------------------------------------------


@pytest.mark.parametrize("split", SPLITS)
def test_pt_skels_entries_are_the_real_text_gloss_and_keys(split: str, tmp_path: Path) -> None:
    path = PT / f"{split}.skels"
    ds = open_dataset(path, cache_dir=tmp_path / "idx")
    eager = read(path)
    assert ds.kind == "skels" and ds.format == "pt-skels" and len(ds) == len(eager) == 5
    assert [e.key for e in ds.entries] == lines_of(PT / f"{split}.files")
    assert [e.text for e in ds.entries] == lines_of(PT / f"{split}.text")
    assert [e.gloss for e in ds.entries] == lines_of(PT / f"{split}.gloss")
    for i, (entry, seq) in enumerate(zip(ds.entries, eager, strict=True)):
        assert entry.index == i and entry.problem is None and entry.language is None
        assert entry.frames == seq.num_frames > 0
        assert entry.fps == 25.0 and entry.duration == pytest.approx(seq.num_frames / 25.0)


@pytest.mark.parametrize("split", SPLITS)
def test_on_demand_reads_equal_the_eager_reader(split: str, tmp_path: Path) -> None:
    path = PT / f"{split}.skels"
    ds = open_dataset(path, cache_dir=tmp_path / "idx")
    eager = read(path)
    for i in (4, 0, 2, 1, 3):  # out of order: each read seeks to its own line
        same(ds.sequence(i), eager[i])
    key = ds.entries[3].key
    assert key is not None
    same(ds.sequence_by_key(key), eager[3])
    assert ds.index_of(key) == 3


def test_only_a_few_sequences_are_kept(tmp_path: Path) -> None:
    ds = open_dataset(PT / "test.skels", cache_dir=tmp_path / "idx")
    first = ds.sequence(0)
    assert ds.sequence(0) is first  # from the LRU
    for i in range(1, 5):
        ds.sequence(i)
    assert len(ds._cache) == LRU_SIZE and 0 not in ds._cache
    again = ds.sequence(0)
    assert again is not first
    same(again, first)


def test_the_index_cache_is_used_and_invalidated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_set(tmp_path)
    cache = tmp_path / "idx"
    scans: list[Path] = []
    real_scan = index_mod.scan

    def counting_scan(p: Path, family: str, per_frame: int = 1) -> index_mod.LineIndex:
        scans.append(p)
        return real_scan(p, family, per_frame)

    monkeypatch.setattr(index_mod, "scan", counting_scan)
    first = open_dataset(path, cache_dir=cache)
    assert len(scans) == 1 and len(list(cache.glob("*.json"))) == 1
    second = open_dataset(path, cache_dir=cache)
    assert len(scans) == 1, "the second open scanned again instead of using the cached index"
    assert second.entries == first.entries
    same(second.sequence(2), first.sequence(2))

    # the file changes (a sequence dropped): size and mtime differ, so the index is made again
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:4]))
    for suffix in (".text", ".gloss", ".files"):
        p = path.with_suffix(suffix)
        p.write_text("\n".join(lines_of(p)[:4]) + "\n", "utf-8")
    third = open_dataset(path, cache_dir=cache)
    assert len(scans) == 2 and len(third) == 4
    same(third.sequence(3), read(path)[3])


def test_a_damaged_index_cache_is_rebuilt(tmp_path: Path) -> None:
    path = copy_set(tmp_path)
    cache = tmp_path / "idx"
    expected = open_dataset(path, cache_dir=cache).entries
    (cached,) = cache.glob("*.json")
    for garbage in (b"{not json", b'{"version": 1, "file": 3}', b"\xff\xfe", b""):
        cached.write_bytes(garbage)
        ds = open_dataset(path, cache_dir=cache)
        assert ds.entries == expected
        same(ds.sequence(4), read(path)[4])


def test_the_default_cache_is_under_the_data_dir(tmp_path: Path, _own_data_dir: Path) -> None:
    path = copy_set(tmp_path)
    open_dataset(path)
    assert len(list((_own_data_dir / "dataset-index").glob("*.json"))) == 1


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    path = copy_set(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should go")
    ds = open_dataset(path, cache_dir=blocker / "idx")
    assert len(ds) == 5
    same(ds.sequence(1), read(path)[1])


def _damage(path: Path, lineno: int, change: bytes | None) -> None:
    """Line ``lineno`` (1-based) replaced by ``change`` (None: its fifth value made 'abc')."""
    lines = path.read_bytes().split(b"\n")
    if change is None:
        values = lines[lineno - 1].split(b" ")
        values[4] = b"abc"
        change = b" ".join(values)
    lines[lineno - 1] = change
    path.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize(
    ("change", "problem", "place", "seen_by_index"),
    [
        (None, "not a number: 'abc'", "line 3, value 5", False),  # the index parses no float
        (b"0.1 0.2 0.3", "3 values is not a whole number of 151-value frames", "line 3", True),
        (b"", "empty line: a sequence with zero frames", "line 3", True),
        (b"0.1 \xff\xfe 0.3", "not UTF-8 text", "line 3", True),
    ],
)
def test_a_damaged_line_is_one_error_for_that_sequence(
    tmp_path: Path, change: bytes | None, problem: str, place: str, seen_by_index: bool
) -> None:
    original = read(PT / "dev.skels")
    path = copy_set(tmp_path)
    _damage(path, 3, change)
    with pytest.raises(FormatError):
        read(path)  # the eager reader refuses the whole file
    ds = open_dataset(path, cache_dir=tmp_path / "idx")
    assert len(ds) == 5
    assert (ds.entries[2].problem is not None) == seen_by_index
    assert [e.problem for i, e in enumerate(ds.entries) if i != 2] == [None] * 4
    with pytest.raises(FormatError) as err:
        ds.sequence(2)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    assert problem in message and f"(at {place}" in message, message
    for i in (0, 1, 3, 4):
        seq = ds.sequence(i)
        expected = original[i].replace(meta_update={"source": str(path)})
        same(seq, expected)


def test_parallel_files_of_another_length_fail_the_open(tmp_path: Path) -> None:
    path = copy_set(tmp_path)
    text = path.with_suffix(".text")
    text.write_text("\n".join(lines_of(text)[:3]) + "\n", "utf-8")
    with pytest.raises(FormatError, match=r"dev\.text: has 3 lines but dev\.skels has 5 sequences"):
        open_dataset(path, cache_dir=tmp_path / "idx")


def test_skels_without_parallel_files_has_no_keys(tmp_path: Path) -> None:
    path = tmp_path / "bare.skels"
    path.write_bytes((PT / "train.skels").read_bytes())
    ds = open_dataset(path, cache_dir=tmp_path / "idx")
    assert ds.keys == (None,) * 5 and all(e.text is None and e.gloss is None for e in ds.entries)
    same(ds.sequence(4), read(path)[4])
    with pytest.raises(FormatError, match="has no keys: use an index"):
        ds.sequence_by_key("train/x")


@pytest.mark.parametrize(
    "raw",
    [b"1 2 3\n", b"1  2 3\n", b" 1 2 3 \r\n", b"1\t2\t3", b"nan 1 2\n", b"1e5 -2.5E-3 +3\n", b"\n", b""],
)
def test_value_count_matches_the_reader(raw: bytes) -> None:
    assert count_values(raw) == len(raw.decode("utf-8").split())
    assert count_values(raw, 151) == len(raw.decode("utf-8").split())


# ---- .h5, folders, single files, errors ----------------------------------------------------------


@pytest.mark.parametrize("variant", ["signstudio", "p2s-2d"])
def test_h5_entries_and_reads(tmp_path: Path, variant: str) -> None:
    path = tmp_path / f"{variant}.h5"
    write(path, read(PT / "test.skels"), format="h5", variant=variant)
    eager = read(path)
    ds = open_dataset(path)
    assert ds.kind == "h5" and len(ds) == 5
    # the eager reader's order (a Prompt2Sign file lists its keys as HDF5 sorts them)
    assert [e.key for e in ds.entries] == [s.meta["key"] for s in eager]
    assert sorted(e.key or "" for e in ds.entries) == sorted(lines_of(PT / "test.files"))
    assert [e.gloss for e in ds.entries] == [s.meta["gloss"] for s in eager]
    assert [e.frames for e in ds.entries] == [s.num_frames for s in eager]
    for i in (3, 0, 4):
        same(ds.sequence(i), eager[i])
    same(ds.sequence_by_key(eager[1].meta["key"]), eager[1])


def test_folder_dataset_is_recursive_sorted_and_keyed_by_relative_stem(tmp_path: Path) -> None:
    seqs = read(PT / "dev.skels")
    root = tmp_path / "clips"
    (root / "b" / "deep").mkdir(parents=True)
    write(root / "b" / "deep" / "one.pose", seqs[0])
    write(root / "a.h5", seqs[1], format="h5")
    write(root / "b" / "two.npz", seqs[2])
    (root / "b" / "broken.pose").write_bytes(b"not a pose file at all")
    (root / "notes.txt").write_text("not a pose file, skipped")
    write(root / ".hidden.pose", seqs[3])
    ds = open_dataset(root)
    assert ds.kind == "folder"
    assert ds.keys == ("a", "b/broken", "b/deep/one", "b/two")
    assert ds.entries[1].problem is not None and "broken.pose" in ds.entries[1].problem
    files = {0: "a.h5", 2: "b/deep/one.pose", 3: "b/two.npz"}
    texts = [read_one(root / files[i]).meta.get("text") if i in files else None for i in range(4)]
    assert [e.text for e in ds.entries] == texts
    assert texts[0] == seqs[1].meta["text"] and texts[3] == seqs[2].meta["text"]  # .h5, .npz keep it
    assert [e.frames for e in ds.entries] == [seqs[1].num_frames, 0, seqs[0].num_frames, seqs[2].num_frames]
    for i, name in files.items():
        same(ds.sequence(i), read_one(root / name))
    with pytest.raises(FormatError, match=r"broken\.pose"):
        ds.sequence_by_key("b/broken")


def test_single_file_is_one_entry(tmp_path: Path) -> None:
    path = tmp_path / "clip.pose"
    write(path, read(PT / "dev.skels")[4])
    ds = open_dataset(path)  # the .pose keeps its sentence's key in its sidecar
    assert ds.kind == "file" and len(ds) == 1 and ds.keys == ("dev/05May_2011_Thursday_tagesschau-25",)
    path.with_name("clip.pose.signstudio.json").unlink()
    ds = open_dataset(path)
    assert ds.kind == "file" and len(ds) == 1 and ds.keys == ("clip",)  # a bare .pose: the stem
    assert ds.entries[0].frames == read_one(path).num_frames
    same(ds.sequence(0), read_one(path))


def test_missing_things_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file or folder"):
        open_dataset(tmp_path / "nothing.skels")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FormatError, match="holds no pose file"):
        open_dataset(empty)
    ds = open_dataset(PT / "dev.skels", cache_dir=tmp_path / "idx")
    with pytest.raises(FormatError, match=r"has 5 sequences, no index 5 \(they are 0\.\.4\)"):
        ds.sequence(5)
    with pytest.raises(FormatError, match="no index -1"):
        ds.sequence(-1)
    with pytest.raises(FormatError, match="no sequence with key 'dev/nope'"):
        ds.sequence_by_key("dev/nope")


# ---- memory and time: one sequence, not the file -------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path
from signstudio.session.dataset import open_dataset
t = time.perf_counter()
ds = open_dataset(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
a = ds.sequence(0); b = ds.sequence(len(ds) - 7)
hwm = next(int(ln.split()[1]) for ln in open("/proc/self/status") if ln.startswith("VmHWM:"))
print(len(ds), a.num_frames, b.num_frames, time.perf_counter() - t, hwm)
"""


def test_a_large_skels_opens_in_memory_near_one_sequence(tmp_path: Path) -> None:
    """600 real lines (about 100 MB): the eager reader holds every sequence; the dataset one."""
    from benchmarks.dataset import build

    path = build(tmp_path, 600)
    size_mb = path.stat().st_size / 1e6
    assert size_mb > 80
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    for run in ("cold", "cached"):
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(tmp_path / "idx")],
            stdout=subprocess.PIPE,
            env=env,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        out = proc.stdout.read().decode() if proc.stdout else ""
        assert os.waitstatus_to_exitcode(status) == 0, out
        n, frames0, _, _, hwm_kib = out.split()
        assert int(n) == 600 and int(frames0) == read(PT / "dev.skels")[0].num_frames
        # The child's own peak (VmHWM of the exec'd image): wait4's ru_maxrss also counts the
        # forked copy of this pytest process before exec, hundreds of MB late in a session.
        peak_mb = min(usage.ru_maxrss, int(hwm_kib)) / 1024
        # ~37 MB here (numpy and signstudio imported: ~30 MB); the eager reader peaks at ~97 MB
        assert peak_mb < 70, f"{run}: peak {peak_mb:.0f} MB for a {size_mb:.0f} MB file"
        assert wall < 20, f"{run}: {wall:.1f} s"


def test_a_damaged_h5_is_one_line_in_our_words(tmp_path: Path) -> None:
    from signstudio.pose.errors import LIBRARY_TEXT

    path = tmp_path / "cut.h5"
    write(path, read(PT / "dev.skels"), format="h5")
    data = path.read_bytes()
    for cut in (data[:6], data[:2000], data[: len(data) // 2]):
        path.write_bytes(cut)
        try:
            ds = open_dataset(path)
            for i in range(len(ds)):
                ds.sequence(i)
        except FormatError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(f"{path}: ")
            assert not LIBRARY_TEXT.search(message.removeprefix(f"{path}: ")), message
        else:
            pytest.fail(f"a .h5 cut to {len(cut)} bytes read without an error")


def test_an_on_demand_read_keeps_reads_contract(tmp_path):
    """A sequence the dataset reads alone is checked as `read` checks a file: a bad skeleton in our
    .h5 (the hostile cases) is the same one-line refusal, not a sequence that crashes later."""
    from signstudio.pose.errors import FormatError
    from signstudio.pose.formats import read
    from tests.hostile.cases_skeleton import CASES

    for name in ("h5_limb_negative", "h5_mirror_not_an_involution", "h5_unknown_group"):
        (tmp_path / name).mkdir()
        path = CASES[name](tmp_path / name)
        with pytest.raises(FormatError) as whole:
            read(path)
        with pytest.raises(FormatError) as alone:
            open_dataset(path).sequence(0)
        assert alone.value.problem == whole.value.problem, name
        assert "the skeleton is not valid" in alone.value.problem


@pytest.mark.parametrize("block", [7, 1000, 1 << 20])
def test_the_block_scan_finds_every_line_as_a_line_by_line_read(tmp_path, monkeypatch, block):
    """Lines across block boundaries, CRLF ends, an empty line, a tab-separated line and a last
    line without its end are indexed as reading the file line by line finds them."""
    lines = (PT / "dev.skels").read_bytes().splitlines(keepends=True)
    raw = lines[0] + lines[1].replace(b"\n", b"\r\n") + b"\n" + b"1\t2\t3\n" + lines[2].rstrip(b"\n")
    path = tmp_path / "mixed.skels"
    path.write_bytes(raw)
    monkeypatch.setattr(index_mod, "SCAN_BLOCK", block)
    index = index_mod.scan(path, "pt-skels", 151)
    pos, expected = 0, []
    for line in raw.splitlines(keepends=True):
        expected.append((pos, len(line), len(line.decode("utf-8").split())))
        pos += len(line)
    assert list(zip(index.offsets, index.lengths, index.values, strict=True)) == expected


def test_the_built_in_corpus_as_a_dataset(tmp_path):
    """Every word of a built corpus, its entry from the recorded word list, its sequence the
    word's lexicon join read on demand."""
    from signstudio.corpus.store import Corpus, CorpusSettings, build
    from signstudio.session.dataset import open_corpus_dataset

    settings = CorpusSettings(languages=("ase",), words_per_language=5, prompts_per_word=1)
    corpus = Corpus(build(tmp_path / "c.h5", settings))
    words = corpus.words("ase")
    ds = open_corpus_dataset(corpus=corpus)
    assert ds.kind == "corpus" and [e.key for e in ds.entries] == [f"ase/{w.text}" for w in words]
    assert [e.frames for e in ds.entries] == [w.frames for w in words]
    seq = ds.sequence_by_key(f"ase/{words[2].text}")
    assert seq.num_frames == words[2].frames
    assert np.array_equal(seq.data, corpus.word_sequence("ase", words[2], "upper50").data)
    assert len(open_corpus_dataset("test", corpus=corpus)) == sum(w.split == "test" for w in words)
