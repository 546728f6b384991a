"""The edit journal beside an autosave (issue 18.7): every committed edit is journalled, so that
a process killed at any moment (SIGKILL: during an edit, a drag, a snapshot write or a journal
append) recovers, bit for bit, the document after the last edit it committed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from signstudio.session.autosave import Autosaver, journal_for
from signstudio.session.document import PoseDocument
from tests.session.autosave_stream import commit_one, recording

ROOT = Path(__file__).resolve().parents[2]


def _state(doc: PoseDocument) -> tuple:
    """Everything recovery must reproduce, arrays as raw bytes (bit for bit, NaN included)."""
    s = doc.sequence
    return (
        s.data.shape,
        s.data.tobytes(),
        s.confidence.tobytes(),
        s.filled.tobytes(),
        dict(doc.flags),
        dict(doc.notes),
        set(doc.keyframes),
        s.meta.get("segments"),
        bool(s.meta.get("mirrored", False)),
    )


def _states(seed: int, count: int) -> list[tuple]:
    """The document after 0, 1, ..., count edits of the stream ``seed`` (no autosave)."""
    doc = PoseDocument(recording())
    rng = np.random.default_rng(seed)
    out = [_state(doc)]
    for _ in range(count):
        commit_one(doc, rng)
        out.append(_state(doc))
    return out


@pytest.fixture(scope="module")
def clip():
    return recording()


def test_a_journal_replays_every_kind_of_edit_bit_for_bit(tmp_path, clip):
    doc = PoseDocument(clip)
    doc.move_joint(3, 16, doc.frame_data(3)[16] + 0.1)  # before the snapshot
    saver = Autosaver(tmp_path)
    saver.save(doc, "w")
    saver.attach(doc, lambda: "w")
    rng = np.random.default_rng(7)
    kinds = set()
    for _ in range(60):
        kinds.add(commit_one(doc, rng))
        back = Autosaver(tmp_path).restore(saver.path_for("w"))
        assert _state(back) == _state(doc)
    assert {"drag", "move", "mark", "smooth", "mirror", "undo", "redo", "length"} <= kinds
    [found] = Autosaver(tmp_path).pending()
    assert found.edits > 50 and found.frames == doc.num_frames


def test_a_reach_drag_over_a_zero_length_bone_turns_one_bone_and_writes_no_nan(clip):
    """Found by the seeded edit stream: a wrist whose elbow sits on the shoulder (a point of the
    recording at its parent's place) made the two-bone solve divide by zero and write NaN."""
    doc = PoseDocument(clip)
    wrist = int(np.flatnonzero(doc.parents >= 0)[0])
    while doc.parents[doc.parents[wrist]] < 0:
        wrist = int(np.flatnonzero(doc.parents == wrist)[0])
    elbow, shoulder = int(doc.parents[wrist]), int(doc.parents[doc.parents[wrist]])
    data = clip.data.copy()
    data[4, elbow] = data[4, shoulder]
    conf = clip.confidence.copy()
    conf[4, [wrist, elbow, shoulder]] = 1.0
    doc = PoseDocument(clip.replace(data=data, confidence=conf))
    doc.move_joint(4, wrist, doc.frame_data(4)[wrist] + 0.1, reach=True)
    assert np.isfinite(doc.sequence.data[4]).all()
    bone = np.linalg.norm(doc.sequence.data[4, wrist] - doc.sequence.data[4, elbow])
    assert np.isclose(bone, np.linalg.norm(data[4, wrist] - data[4, elbow]), rtol=1e-5)  # length kept


def test_a_new_snapshot_starts_the_journal_afresh_and_a_stale_journal_is_not_replayed(tmp_path, clip):
    doc = PoseDocument(clip)
    saver = Autosaver(tmp_path)
    saver.attach(doc, lambda: "w")
    rng = np.random.default_rng(3)
    commit_one(doc, rng)  # the first edit of a document makes its snapshot
    assert journal_for(saver.path_for("w")).stat().st_size == 28
    for _ in range(5):
        commit_one(doc, rng)
    old_journal = journal_for(saver.path_for("w")).read_bytes()
    assert len(old_journal) > 28
    saver.save(doc, "w")
    assert journal_for(saver.path_for("w")).stat().st_size == 28  # truncated by the snapshot
    # a kill between the snapshot's rename and the journal's reset: the old journal (older token)
    # beside the new snapshot, which already holds its edits (a cut would be applied twice)
    journal_for(saver.path_for("w")).write_bytes(old_journal)
    assert _state(Autosaver(tmp_path).restore(saver.path_for("w"))) == _state(doc)


def test_a_record_cut_at_any_byte_is_the_edit_in_progress_and_is_ignored(tmp_path, clip):
    doc = PoseDocument(clip)
    saver = Autosaver(tmp_path)
    saver.attach(doc, lambda: "w")
    rng = np.random.default_rng(11)
    for _ in range(4):
        commit_one(doc, rng)
    before, jpath = _state(doc), journal_for(saver.path_for("w"))
    whole = jpath.read_bytes()
    doc.move_joint(5, 16, doc.frame_data(5)[16] + 0.2, falloff=2)
    after, full = _state(doc), jpath.read_bytes()
    # small: 5 frames x the joints that moved (the wrist and its hand), not x 586 (50 KB)
    assert len(full) - len(whole) < 5000
    record = len(full) - len(whole)
    cuts = list(range(len(whole), len(whole) + 40)) + list(range(len(whole) + 40, len(full), record // 25))
    for cut in cuts:  # every byte of the length, checksum and description; samples of the values
        jpath.write_bytes(full[:cut])
        check = Autosaver(tmp_path)
        assert _state(check.restore(saver.path_for("w"))) == before, cut
    assert check.pending()[0].edits == 3 and check.skipped == []  # the first edit made the snapshot
    jpath.write_bytes(full)
    assert _state(Autosaver(tmp_path).restore(saver.path_for("w"))) == after


def test_a_damaged_journal_keeps_its_snapshot_and_the_edits_before_the_damage(tmp_path, clip):
    doc = PoseDocument(clip)
    saver = Autosaver(tmp_path)
    saver.attach(doc, lambda: "w")
    doc.flag(1, "snapshot")  # the first edit: the snapshot
    jpath = journal_for(saver.path_for("w"))
    doc.flag(2, "kept")
    middle = jpath.stat().st_size
    expected = _state(doc)
    doc.flag(3, "lost: its record is damaged")
    doc.flag(4, "lost: after the damage")
    raw = bytearray(jpath.read_bytes())
    raw[middle + 20] ^= 0xFF
    jpath.write_bytes(bytes(raw))
    check = Autosaver(tmp_path)
    [found] = check.pending()
    assert found.edits == 1 and _state(check.restore(found.path)) == expected
    [line] = check.skipped
    assert line.startswith(f"{jpath}: damaged journal, an edit does not match its checksum; kept the 1 edit")
    assert line.endswith(f"(at byte {middle})") and "\n" not in line
    jpath.write_bytes(b"not a journal at all")
    check = Autosaver(tmp_path)
    assert _state(check.restore(found.path)) == _state(Autosaver(tmp_path).restore(found.path))
    assert check.pending()[0].edits == 0 and "not a SignStudio edit journal (at byte 0)" in check.skipped[0]


def test_a_failed_append_is_cut_back_and_the_next_edit_snapshots(tmp_path, clip, monkeypatch):
    from signstudio.session import journal

    doc = PoseDocument(clip)
    saver = Autosaver(tmp_path)
    errors: list[str] = []
    saver.attach(doc, lambda: "w", errors.append)
    doc.flag(1, "a")
    doc.flag(2, "b")
    good = _state(doc)
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:  # what a full disk does to a write
        real_write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal.os, "write", half_then_full)
    doc.flag(3, "c")
    monkeypatch.undo()
    assert errors == [f"{saver.path_for('w')}: autosave failed (No space left on device)"]
    assert _state(Autosaver(tmp_path).restore(saver.path_for("w"))) == good  # no torn record
    doc.flag(4, "d")  # the journal lacks "c": this edit writes a whole snapshot
    assert journal_for(saver.path_for("w")).stat().st_size == 28
    assert _state(Autosaver(tmp_path).restore(saver.path_for("w"))) == _state(doc)


def test_journalling_a_committed_edit_is_fast_and_small(tmp_path, clip):
    """ms per committed drag (record + one write + fsync) on a real lexicon recording; nothing
    is written for the drag's mouse moves."""
    doc = PoseDocument(clip)
    saver = Autosaver(tmp_path)
    saver.save(doc, "w", force=True)
    jpath = journal_for(saver.path_for("w"))
    commands: list = []
    doc.committed.connect(lambda _op, cmd: commands.append(cmd))
    times, sizes = [], []
    rng = np.random.default_rng(5)
    for _ in range(40):
        frame = int(rng.integers(doc.num_frames))
        doc.begin_batch("drag")
        for _ in range(5):
            doc.rollback_batch()
            doc.move_joint(frame, 16, doc.frame_data(frame)[16] + rng.normal(0, 0.05, 3), falloff=2)
        doc.end_batch()
        size = jpath.stat().st_size
        start = time.perf_counter()
        saver.record(doc, "w", "edit", commands[-1])
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(jpath.stat().st_size - size)
    median = statistics.median(times)
    print(f"journal: {median:.2f} ms median, {max(times):.2f} ms max per committed drag; "
          f"{int(np.median(sizes))} bytes per record; recording {doc.sequence.data.shape}")  # fmt: skip
    assert len(commands) == 40 and median < 50 and max(sizes) < 5000


CHILD = textwrap.dedent(
    """
    import os, sys, time
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    from tests.session.autosave_stream import commit_one, recording
    from signstudio.session import autosave, journal
    from signstudio.session.autosave import Autosaver
    from signstudio.session.document import PoseDocument

    folder, seed, mode, stop_at = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])

    def paused(*_):
        print("paused", flush=True)
        time.sleep(120)

    if mode == "append":  # the write of a record stops half way (as a kill mid-write would)
        def half_append(path, record):
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            os.write(fd, record[: len(record) // 2])
            paused()
    elif mode == "snapshot":  # the snapshot's file is half written, not yet renamed
        real_savez = np.savez
        def half_savez(fh, **arrays):
            import io
            buf = io.BytesIO()
            real_savez(buf, **arrays)
            fh.write(buf.getvalue()[: len(buf.getvalue()) // 2])
            fh.flush()
            paused()
    elif mode == "swap":  # the snapshot is renamed into place, its journal not yet started
        real_start = autosave._start_journal

    doc = PoseDocument(recording())
    saver = Autosaver(folder)
    saver.attach(doc, lambda: "word")
    rng = np.random.default_rng(seed)
    print("ready", flush=True)
    for i in range(1, 400):
        if i == stop_at:
            if mode == "append":
                journal.append = half_append
            elif mode == "snapshot":
                np.savez = half_savez
                saver.save(doc, "word")
            elif mode == "swap":
                autosave._start_journal = paused
                saver.save(doc, "word")
        commit_one(doc, rng, pause=0.004)
        print("committed", i, flush=True)
        if i % 9 == 0:
            saver.save(doc, "word")  # the timer's snapshot
    print("done", flush=True)
    time.sleep(120)
    """
)


def _committed(line: str) -> int:
    """N of a whole "committed N" line, else -1 (a line cut short by the kill is not a report)."""
    found = re.fullmatch(r"committed (\d+)", line.strip())
    return int(found.group(1)) if found else -1


def _run_child(
    folder: Path, seed: int, mode: str, stop_at: int, kill_at: tuple[int, float]
) -> tuple[int, str]:
    """Start the child, SIGKILL it ``kill_at[1]`` seconds after it reports edit ``kill_at[0]``
    committed (a random moment however fast the machine; or as soon as it says it is paused);
    the last edit it reported committed, and its last line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), str(folder), str(seed), mode, str(stop_at)],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    ready, paused, reached = threading.Event(), threading.Event(), threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("ready"):
                ready.set()
            if line.startswith("paused"):
                paused.set()
            if _committed(line) >= kill_at[0]:
                reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(120), "the child did not start"
        if mode == "random":
            assert reached.wait(120), f"the child never reached edit {kill_at[0]}: {lines[-3:]}"
            time.sleep(kill_at[1])
        else:
            assert paused.wait(120), f"the child never reached its pause: {lines[-3:]}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        reader.join(30)
    assert proc.returncode == -signal.SIGKILL
    committed = [n for n in map(_committed, lines) if n >= 0]
    return (committed[-1] if committed else 0), lines[-1]


@pytest.mark.parametrize(
    ("seed", "mode"),
    [(1, "random"), (2, "random"), (3, "random"), (4, "random"), (5, "append"), (6, "snapshot"), (7, "swap")],
)
def test_killed_at_any_moment_the_recovery_is_the_last_committed_edit(tmp_path, seed, mode):
    """SIGKILL at a random moment (seeded), or while a journal record or a snapshot is half
    written, or between a snapshot and its journal: the recovery equals, bit for bit, the
    document after the last edit the child reported committed (a kill after the commit but
    before the report may keep one more; a drag in progress is lost)."""
    rng = np.random.default_rng(seed)
    stop_at = int(rng.integers(12, 40))
    folder = tmp_path / "autosave"
    kill_at = (int(rng.integers(5, 300)), float(rng.uniform(0.0, 0.02)))
    last, tail = _run_child(folder, seed, mode, stop_at, kill_at)
    assert tail != "done", "the child finished every edit before the kill: kill earlier"
    found = Autosaver(folder).pending()
    if last == 0 and not found:
        return  # killed before its first edit: nothing to recover, nothing lost
    [recovery] = found
    got = _state(Autosaver(folder).restore(recovery.path))
    states = _states(seed, last + 1)
    print(f"seed {seed} {mode}: killed after edit {last}; {recovery.edits} edits replayed from the journal")
    if mode == "random":
        assert got in (states[last], states[last + 1]), f"recovered neither edit {last} nor {last + 1}"
    else:
        assert last >= stop_at - 1 and got == states[last]  # the paused edit is not recovered
    if mode == "snapshot":  # the half-written snapshot was never offered; it is swept when stale
        [part] = folder.glob(".*.part")
        old = time.time() - 3600
        os.utime(part, (old, old))
        Autosaver(folder).pending()
        assert not part.exists()
    shutil.rmtree(folder)
