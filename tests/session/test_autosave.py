"""Autosave and recovery: only unsaved work is written, atomically; a restore equals the document
at its last autosave exactly; a process killed mid-edit leaves its autosave to restore."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

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


def test_damaged_autosaves_are_skipped_and_named(tmp_path):
    saver = Autosaver(tmp_path)
    bad = tmp_path / "x.autosave.npz"
    bad.write_bytes(b"half a file")
    assert saver.pending() == []
    with pytest.raises(ValueError, match=r"x\.autosave\.npz: not a readable autosave"):
        saver.restore(bad)


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
