"""Annotations survive saving (issue 20, item 4; issue 19's "a saved .pose loses the word,
language and model"): flags, notes, keyframes, segments and the sequence's meta go into a
``.pose`` sidecar committed with the file, into our ``.h5``/``.npz`` meta, and a format that
drops them says so."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus.store import open_corpus
from signstudio.pose import formats
from signstudio.pose.annotations import annotations_of, lost_in
from signstudio.pose.formats._sidecar import sidecar_path
from signstudio.session.document import PoseDocument

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def word():
    """A real corpus word (upper50, with text, language and letter segments), made to look like
    a model's output (model, checkpoint)."""
    corpus = open_corpus(quiet=True)
    name = corpus.words("ase", "test")[0]
    seq = corpus.word_sequence("ase", name, "upper50")
    return seq.replace(
        meta_update={"reference_kind": "generated", "model": "nar-kd", "checkpoint": "/runs/r1/best.pt"}
    )


def _annotated(word) -> PoseDocument:
    doc = PoseDocument(word)
    doc.flag(12, "flagged")
    doc.note(12, "the thumb crosses the palm")
    doc.note(40, "hold too short")
    doc.set_keyframe(3)
    doc.set_keyframe(30)
    return doc


@pytest.mark.parametrize("suffix", [".pose", ".h5", ".npz"])
def test_flags_notes_keyframes_segments_and_meta_come_back(word, tmp_path, suffix) -> None:
    doc = _annotated(word)
    path = tmp_path / f"saved{suffix}"
    formats.write(path, doc.sequence)
    back = formats.read_one(path)
    again = PoseDocument(back)
    assert again.flags == {12: "flagged"}
    assert again.notes == {12: "the thumb crosses the palm", 40: "hold too short"}
    assert again.keyframes == {3, 30}
    assert back.meta["segments"] == word.meta["segments"] and len(back.meta["segments"]) >= 2
    for key in ("text", "sign_language", "model", "checkpoint", "reference_kind"):
        assert back.meta[key] == word.meta[key], key
    if suffix == ".pose":  # the file's own facts, never the sidecar's (.h5/.npz keep meta as written)
        assert back.meta["source"] == str(path) and back.meta["format"] == "pose"
    assert not again.dirty and not again.can_undo  # what a file brings is not an edit


def test_pose_sidecar_is_written_in_the_same_commit_and_leaves_no_temporaries(word, tmp_path) -> None:
    path = tmp_path / "w.pose"
    formats.write(path, _annotated(word).sequence)
    side = sidecar_path(path)
    assert side.name == "w.pose.signstudio.json" and side.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.pose", "w.pose.signstudio.json"]
    # a sequence with nothing to keep, saved over it: the old sidecar is replaced, not left behind
    bare = word.replace(meta={})
    formats.write(path, bare)
    back = formats.read_one(path)
    assert annotations_of(back.meta, back.num_frames) == ({}, {}, set())
    assert "text" not in back.meta and "segments" not in back.meta
    # and a fresh file of a bare sequence gets no sidecar at all
    fresh = tmp_path / "fresh.pose"
    formats.write(fresh, bare)
    assert not sidecar_path(fresh).exists()


def test_a_sidecar_that_does_not_fit_is_named_and_ignored(word, tmp_path, caplog) -> None:
    path = tmp_path / "w.pose"
    formats.write(path, _annotated(word).sequence)
    side = sidecar_path(path)
    good = side.read_text(encoding="utf-8")
    # the .pose rewritten by another tool (fewer frames): the old annotations do not apply
    other = word.frames(0, word.num_frames - 5).replace(meta={})
    with open(path, "wb") as fh:
        from signstudio.pose.formats.poseformat import to_pose

        to_pose(other).write(fh)
    with caplog.at_level(logging.WARNING, logger="signstudio"):
        back = formats.read_one(path)
    assert back.num_frames == word.num_frames - 5 and "annotations" not in back.meta
    assert f"written for a {word.num_frames}-frame file" in caplog.text and "at field frames" in caplog.text
    # damaged JSON: one line with the place; the file still opens
    formats.write(path, word)
    side.write_text(good[: len(good) // 2], encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="signstudio"):
        back = formats.read_one(path)
    assert back.num_frames == word.num_frames and "annotations" not in back.meta
    assert "not valid JSON (at character" in caplog.text and "\n" not in caplog.text.strip()


def test_annotations_out_of_range_are_left_out(word) -> None:
    meta = {"annotations": {"flags": {"5": "a", "9999": "gone", "x": "?"}, "notes": [], "keyframes": [1, -2]}}
    flags, notes, keyframes = annotations_of(meta, word.num_frames)
    assert flags == {5: "a"} and notes == {} and keyframes == {1}


def test_lost_in_names_what_a_format_drops(word) -> None:
    seq = _annotated(word).sequence
    assert lost_in(seq, "pose") == [] and lost_in(seq, "h5") == [] and lost_in(seq, "npz") == []
    lost = lost_in(seq, "pt-skels")
    n_seg = len(word.meta["segments"])
    facts = ["the model", "the checkpoint"]
    assert lost == ["1 flag", "2 notes", "2 keyframes", f"{n_seg} letter segments", *facts]
    assert lost_in(seq, "eaf") == ["2 keyframes"]  # flags, notes, text and segments are tiers
    assert lost_in(word.replace(meta={}), "bvh") == []


def test_convert_prints_one_note_when_the_target_drops_annotations(word, tmp_path) -> None:
    source = tmp_path / "w.pose"
    formats.write(source, _annotated(word).sequence)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "convert", str(source), str(tmp_path / "w.bvh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    notes = [line for line in run.stderr.splitlines() if line.startswith("note:")]
    assert notes == [f"note: {tmp_path / 'w.bvh'}: bvh cannot keep 1 flag, 2 notes, 2 keyframes, "
                     f"{len(word.meta['segments'])} letter segments, the model, the checkpoint; "
                     "they are not in the file"]  # fmt: skip
    kept = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "convert", str(source), str(tmp_path / "w.npz")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert kept.returncode == 0 and "note:" not in kept.stderr
    assert PoseDocument(formats.read_one(tmp_path / "w.npz")).notes[40] == "hold too short"
    assert np.array_equal(formats.read_one(tmp_path / "w.npz").data, formats.read_one(source).data)


def test_a_huge_sidecar_is_not_read(word, tmp_path) -> None:
    """A sidecar bomb (built here: 600 MiB, sparse) is refused by its size, in bounded memory and time."""
    path = tmp_path / "w.pose"
    formats.write(path, word.replace(meta={}))
    with open(sidecar_path(path), "wb") as fh:
        fh.truncate(600 * 1024 * 1024)
    code = (
        "import logging, sys; logging.basicConfig(stream=sys.stderr)\n"
        "from signstudio.pose import formats\n"
        f"seq = formats.read_one({str(path)!r}); print(seq.num_frames, 'annotations' in seq.meta)\n"
        "print(next(int(ln.split()[1]) for ln in open('/proc/self/status') if ln.startswith('VmHWM:')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    assert os.waitstatus_to_exitcode(status) == 0, err
    *answer, hwm_kib = out.split()
    assert answer == [str(word.num_frames), "False"]
    assert "more than a sidecar holds" in err and "it is not used" in err
    # the child's own peak (VmHWM of the exec'd image): wait4's ru_maxrss also counts the forked
    # copy of this pytest process before exec, gigabytes late in a full run
    peak_kib = min(usage.ru_maxrss, int(hwm_kib))
    print(f"sidecar bomb: peak RSS {peak_kib / 1024:.0f} MiB, {wall:.2f} s")
    assert peak_kib < 500 * 1024 and wall < 30, (peak_kib, wall)  # KiB: reading it would pass 600 MiB


def test_a_save_cut_short_after_its_journal_is_finished_by_the_next_read(word, tmp_path) -> None:
    """The writer dies after the commit journal of .pose + sidecar is written, before a rename:
    reading the file rolls the pair forward (new points with new annotations, never a mix)."""
    path = tmp_path / "w.pose"
    formats.write(path, PoseDocument(word).sequence)  # the old pair: no annotations
    code = (
        "import os\n"
        "from signstudio.pose import formats\n"
        "from signstudio.pose.formats import _atomic\n"
        "from signstudio.session.document import PoseDocument\n"
        "from signstudio.corpus.store import open_corpus\n"
        "c = open_corpus(quiet=True)\n"
        "seq = c.word_sequence('ase', c.words('ase', 'test')[0], 'upper50')\n"
        "doc = PoseDocument(seq); doc.flag(12, 'flagged'); doc.note(12, 'after the crash')\n"
        "original = _atomic._write_journal\n"
        "def die(journal, pairs):\n"
        "    original(journal, pairs)\n"
        "    os._exit(9)  # killed between the journal and the renames\n"
        "_atomic._write_journal = die\n"
        f"formats.write({str(path)!r}, doc.sequence)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", code], env=env, timeout=300, capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    assert (tmp_path / ".w.pose.commit").exists()  # the journal is there, the renames are not
    back = PoseDocument(formats.read_one(path))
    assert back.notes == {12: "after the crash"} and back.flags == {12: "flagged"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.pose", "w.pose.signstudio.json"]
