"""Autosave and recovery: only unsaved work is written, atomically; a restore equals the document
at its last autosave exactly; a process killed mid-edit leaves its autosave to restore."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from signstudio.session.autosave import Autosaver
from signstudio.session.document import PoseDocument


@pytest.fixture
def doc() -> PoseDocument:
    from signstudio.corpus.store import default_sample

    return PoseDocument(default_sample())


def test_only_unsaved_work_is_written_and_restores_exactly(doc, tmp_path):
    saver = Autosaver(tmp_path)
    assert saver.save(doc, "hello") is None  # nothing to save
    doc.move_joint(10, 16, doc.sequence.data[10, 16] + 5.0)
    doc.flag(10, "wrist fixed")
    doc.set_keyframe(12)
    doc.note(3, "ü and ß survive")
    path = saver.save(doc, "hello / world")
    assert path is not None and path.name == "hello___world.autosave.npz"
    back = saver.restore(path)
    a, b = doc.sequence, back.sequence
    assert np.array_equal(a.data, b.data) and np.array_equal(a.confidence, b.confidence)
    assert np.array_equal(a.filled, b.filled) and a.fps == b.fps and a.layout == b.layout
    assert a.skeleton.joints == b.skeleton.joints and a.meta["text"] == b.meta["text"]
    assert back.flags == {10: "wrist fixed"} and back.notes == {3: "ü and ß survive"}
    assert back.keyframes == {12}
    [found] = saver.pending()
    assert found.name == "hello / world" and found.frames == doc.num_frames
    saver.discard(path)
    assert saver.pending() == []


def _valid(folder, name: str, frame: int, journalled: bool = False) -> PoseDocument:
    """A real recording with one edit, autosaved under ``name`` (and, with ``journalled``, two
    more edits in its journal only)."""
    from signstudio.corpus.store import default_sample

    doc = PoseDocument(default_sample())
    saver = Autosaver(folder)
    doc.move_joint(frame, 16, doc.sequence.data[frame, 16] + 3.0)
    saver.save(doc, name)
    if journalled:
        saver.attach(doc, lambda: name)
        doc.flag(frame, "journalled")
        doc.move_joint(frame + 1, 16, doc.sequence.data[frame + 1, 16] - 3.0)
    return doc


def _damaged_kinds(folder, good) -> dict[str, str]:
    """Damaged files of every kind beside the good ones; file name -> what is wrong with it."""
    import zipfile

    raw = good.read_bytes()
    (folder / "truncated.autosave.npz").write_bytes(raw[: len(raw) // 2])
    (folder / "zero.autosave.npz").write_bytes(b"")
    flipped = bytearray(raw)
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("data.npy")
    flipped[info.header_offset + 200] ^= 0x10  # inside the data member: its CRC-32 no longer fits
    (folder / "bitflip.autosave.npz").write_bytes(bytes(flipped))
    (folder / "text.autosave.npz").write_text("just some notes, not an archive\n")
    (folder / "folder.autosave.npz").mkdir()
    np.savez(
        folder / "badjson.autosave.npz",
        header=np.array("{'name': not json"),
        data=np.zeros((2, 3, 3), np.float32),
    )
    np.savez(folder / "foreign.autosave.npz", weights=np.arange(10))  # someone else's npz
    os.mkfifo(folder / "pipe.autosave.npz")  # would block a plain open() forever
    (folder / "dangling.autosave.npz").symlink_to(folder / "nowhere")
    _bomb(folder / "bomb.autosave.npz")
    return {
        "bomb": "needs 3999999999996 bytes",
        "truncated": "cut short",
        "zero": "cut short",
        "bitflip": "checksum",
        "text": "not an autosave archive",
        "folder": "not a file",
        "badjson": "not valid JSON",
        "foreign": "header",
        "pipe": "not a file",
        "dangling": "cannot be read",
    }


def _bomb(path) -> None:
    """A 1 KB archive whose data member claims (10^12 / 3, 1, 3) float32 values: 4 TB."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        buf = io.BytesIO()
        header = {"descr": "<f4", "fortran_order": False, "shape": (10**12 // 3, 1, 3)}
        np.lib.format.write_array_header_1_0(buf, header)
        zf.writestr("data.npy", buf.getvalue() + b"\0" * 64)


def test_a_bomb_in_the_folder_is_skipped_within_memory_and_time_bounds(tmp_path):
    """pending() reads every file in full: a member's size is checked against its shape before
    anything is allocated. Run in a child: its peak RSS is its own VmHWM (wait4's ru_maxrss of a
    child starts at the parent's RSS on Linux: pytest's, not the child's), its wall time."""
    _valid(tmp_path, "good", 4)
    for i in range(20):
        _bomb(tmp_path / f"bomb{i}.autosave.npz")
    script = (
        "import sys; from signstudio.session.autosave import Autosaver; s = Autosaver(sys.argv[1]); "
        "found = s.pending(); assert [r.name for r in found] == ['good'] and len(s.skipped) == 20; "
        "print([x for x in open('/proc/self/status') if x.startswith('VmHWM')][0].split()[1])"
    )
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    wall = time.monotonic() - start
    assert out.returncode == 0, out.stderr
    peak_mb = int(out.stdout.split()[-1]) / 1024
    print(f"pending() with 20 bombs and 1 autosave: {peak_mb:.0f} MB peak, {wall:.2f} s")
    assert peak_mb < 500 and wall < 10


def test_damaged_autosaves_are_skipped_with_one_line_each_and_valid_ones_still_offered(tmp_path, caplog):
    """Issue 18.7: one truncated file used to raise BadZipFile and hide every valid recovery."""
    first = _valid(tmp_path, "first", 10)
    second = _valid(tmp_path, "second", 20, journalled=True)
    kinds = _damaged_kinds(tmp_path, Autosaver(tmp_path).path_for("first"))
    saver = Autosaver(tmp_path)
    with caplog.at_level("WARNING", logger="signstudio.session.autosave"):
        found = saver.pending()
    assert sorted(r.name for r in found) == ["first", "second"]
    assert {r.name: r.edits for r in found} == {"first": 0, "second": 2}
    for r, doc in zip(sorted(found, key=lambda r: r.name), (first, second), strict=True):
        back = saver.restore(r.path)
        assert np.array_equal(back.sequence.data, doc.sequence.data) and back.flags == doc.flags
    assert len(saver.skipped) == len(kinds) and len(caplog.records) == len(kinds)
    for line in saver.skipped:
        name = line.split(": damaged autosave, skipped (at ")[0]
        stem = Path(name).name.removesuffix(".autosave.npz")
        assert "\n" not in line and line.startswith(str(tmp_path / stem)), line
        assert kinds[stem] in line, line
        for library_text in ("BadZipFile", "Error", "struct", "Traceback", "Errno", "zipfile"):
            assert library_text not in line, line
    for stem in kinds:
        with pytest.raises(ValueError, match=rf"{stem}\.autosave\.npz: damaged autosave \(at .+\)$"):
            saver.restore(tmp_path / f"{stem}.autosave.npz")


def test_every_single_byte_flip_or_cut_is_offered_whole_or_skipped_never_raises(tmp_path):
    """Each mutation of a real autosave either still restores (a byte the reader does not use,
    e.g. a zip date) or is skipped with one line: never an exception, never a wrong document."""
    import shutil

    doc = _valid(tmp_path / "src", "word", 5)
    good = Autosaver(tmp_path / "src").path_for("word")
    raw = good.read_bytes()
    rng = np.random.default_rng(18)
    folder = tmp_path / "mutants"
    offered = skipped = 0
    for i in range(120):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        mutant = bytearray(raw)
        if i % 3 == 0:
            mutant = mutant[: int(rng.integers(len(raw)))]
        else:
            for pos in rng.integers(len(raw), size=int(rng.integers(1, 4))):
                mutant[pos] ^= 1 << int(rng.integers(8))
        (folder / "word.autosave.npz").write_bytes(bytes(mutant))
        saver = Autosaver(folder)
        found = saver.pending()
        assert len(found) + len(saver.skipped) == 1
        if found:
            back = saver.restore(found[0].path).sequence
            same = np.array_equal(back.data, doc.sequence.data) and np.array_equal(
                back.filled, doc.sequence.filled
            )
            # a flip in a header string (a joint name, the text) may read: the arrays never change
            assert same
            offered += 1
        else:
            assert saver.skipped[0].count("\n") == 0
            skipped += 1
    assert skipped > 60 and offered + skipped == 120


def test_a_killed_editor_leaves_its_last_autosave(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, time
        from signstudio.corpus.store import default_sample
        from signstudio.session.autosave import Autosaver
        from signstudio.session.document import PoseDocument
        doc = PoseDocument(default_sample())
        saver = Autosaver({str(tmp_path)!r})
        doc.move_joint(20, 16, doc.sequence.data[20, 16] + 7.0)
        saver.save(doc, "word")
        open({str(tmp_path / "expected.npy")!r}, "wb").write(doc.sequence.data.tobytes())
        doc.move_joint(21, 16, doc.sequence.data[21, 16] + 7.0)  # not autosaved: lost with the crash
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)  # kill -9 mid-edit
    proc.wait(10)
    [found] = Autosaver(tmp_path).pending()
    restored = Autosaver(tmp_path).restore(found.path).sequence
    expected = np.frombuffer((tmp_path / "expected.npy").read_bytes(), np.float32).reshape(
        restored.data.shape
    )
    assert np.array_equal(restored.data, expected)


def test_the_reference_comes_back_and_restored_work_counts_as_unsaved(doc, tmp_path):
    from signstudio.corpus.store import default_sample

    ref = default_sample()
    doc.reference = ref
    doc.fill_missing()
    saver = Autosaver(tmp_path)
    back = saver.restore(saver.save(doc, "pair"))  # type: ignore[arg-type]
    assert back.dirty and not back.can_undo  # unsaved work, nothing to undo into
    assert back.reference is not None and np.array_equal(back.reference.data, ref.data)
    assert back.reference.fps == ref.fps and back.reference.skeleton.joints == ref.skeleton.joints


def test_saving_then_undoing_and_editing_is_dirty_again(doc):
    doc.fill_missing()
    doc.mark_saved()
    doc.undo()
    doc.flag(2, "x")  # the saved state is gone from the history
    assert doc.dirty and len(doc._undo) == 1
