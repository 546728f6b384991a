"""kill -9 during a write (issue 18): `convert` (one file, and a 4-file .skels set) and `corpus build`.

A killed writer leaves its ``.NAME.<pid>.<random>.part`` behind; the next write into that folder
sweeps it (its process is gone). A .skels set is four renames committed through a journal: a kill
at any moment leaves the old set or, once the next reader rolls the journal forward, the new one.
The kills are real SIGKILLs of real CLI processes, at random moments inside the write (after the
first temporary appears) and, for the set, exactly between two renames.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus import integrity
from signstudio.pose import formats
from signstudio.pose.formats import _atomic

ROOT = Path(__file__).resolve().parents[2]
POSE = ROOT / "tests" / "data" / "pose-format" / "openpose.pose"
PT = ROOT / "tests" / "data" / "phoenix14t-pt"
SET = (".skels", ".text", ".gloss", ".files")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "signstudio.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or ENV,
    )


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", ".commit")))


def _kill_while_writing(proc: subprocess.Popen[str], folder: Path, rng: random.Random, most_s: float) -> bool:
    """SIGKILL ``proc`` a random moment (up to ``most_s``) after its first temporary (named with
    its pid) appears in ``folder``; False when it finished first."""
    deadline = time.monotonic() + 60
    own = f".{proc.pid}."  # its temporaries carry its pid
    while proc.poll() is None and time.monotonic() < deadline:
        if any(own in name for name in _parts(folder)):
            break
        time.sleep(0.005)
    time.sleep(rng.uniform(0, most_s))
    finished = proc.poll() is not None
    proc.kill()
    proc.communicate(timeout=30)
    return not finished


@pytest.fixture(scope="module")
def big_pose(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real recording repeated to 3 720 frames (6 MB .pose; its .npz takes ~1 s to write)."""
    seq = formats.read(POSE)[0]
    n = 40
    big = seq.replace(
        data=np.tile(seq.data, (n, 1, 1)),
        confidence=np.tile(seq.confidence, (n, 1)),
        filled=np.tile(seq.filled, (n, 1)),
    )
    path = tmp_path_factory.mktemp("big") / "big.pose"
    formats.write(path, big)
    return path


def test_kill_9_during_convert_leaves_the_old_file_and_the_next_write_sweeps(
    big_pose: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "big.npz"  # its writer streams for ~1 s: the kills land inside the write
    shutil.copy(ROOT / "tests" / "data" / "pose-format" / "openpose.pose", tmp_path / "small.pose")
    formats.write(target, formats.read(tmp_path / "small.pose"))  # the old file
    old = target.read_bytes()
    rng = random.Random(18)
    killed, left = 0, []
    for _ in range(3):
        if _kill_while_writing(_cli("convert", str(big_pose), str(target)), out, rng, 0.25):
            killed += 1
        # the previous killed writer's temporary was swept when this one began to write
        assert not set(left) & set(_parts(out))
        left = _parts(out)
        data = target.read_bytes()
        assert data == old or formats.read(target)[0].num_frames == 3720  # old, or the whole new file
        old = data
    assert killed >= 2
    # the next write into the folder (here a small one) removes the dead processes' temporaries
    done = _cli("convert", str(tmp_path / "small.pose"), str(out / "small.bvh"))
    _, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert _parts(out) == []


# the real CLI, killed (SIGKILL, by itself) right after its second rename of the four
KILL_AFTER_TWO_RENAMES = """
import os, pathlib, signal, sys
from signstudio.cli.main import main
real = pathlib.Path.replace
renamed = []
def replace(self, target):
    out = real(self, target)
    if not str(target).endswith(".commit"):
        renamed.append(target)
        if len(renamed) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
    return out
pathlib.Path.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def _old_set(folder: Path) -> Path:
    for suffix in SET:
        shutil.copy(PT / f"dev{suffix}", folder / f"dest{suffix}")
    return folder / "dest.skels"


def test_skels_set_killed_between_renames_is_rolled_forward(big_pose: Path, tmp_path: Path) -> None:
    dest = _old_set(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_TWO_RENAMES, "convert", str(big_pose), str(dest)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (tmp_path / ".dest.skels.commit").exists()  # half the set is new, half old
    assert (tmp_path / "dest.gloss").read_bytes() == (PT / "dev.gloss").read_bytes()
    info = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "info", str(dest)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )
    assert info.returncode == 0, info.stderr
    notes = [line for line in info.stderr.splitlines() if "interrupted write" in line]
    assert len(notes) == 1 and "dest.skels" in notes[0] and "Traceback" not in info.stderr
    seqs = formats.read(dest)
    assert len(seqs) == 1 and seqs[0].num_frames == 3720  # the new set, all four files
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("dest", ".dest"))) == sorted(
        f"dest{s}" for s in SET
    )


def test_skels_set_killed_at_random_moments_is_old_or_new(big_pose: Path, tmp_path: Path) -> None:
    dest = _old_set(tmp_path)
    old = [s.data for s in formats.read(dest)]
    rng = random.Random(4)
    for _ in range(4):
        _kill_while_writing(_cli("convert", str(big_pose), str(dest)), tmp_path, rng, 0.9)
        seqs = formats.read(dest)  # rolls a journal forward when the kill fell between renames
        if len(seqs) == 1:
            assert seqs[0].num_frames == 3720
        else:
            assert len(seqs) == len(old) and all(
                np.array_equal(s.data, d) for s, d in zip(seqs, old, strict=True)
            )
    formats.write(tmp_path / "other.skels", formats.read(POSE))  # any write into the folder sweeps
    assert _parts(tmp_path) == []


def test_kill_9_during_corpus_build_leaves_nothing_the_next_build_keeps(tmp_path: Path) -> None:
    """The cache is built in memory and written in one atomic step at the end, so a kill at any
    moment leaves no cache or the old one; a temporary of the killed writer (the last few
    milliseconds) is swept by the next build."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**ENV, "SIGNSTUDIO_DATA_DIR": str(data)}
    build = ("corpus", "build", "--langs", "ase", "--words", "8", "--force")
    rng = random.Random(0)
    killed = 0
    for _ in range(4):
        proc = _cli(*build, env=env)
        time.sleep(rng.uniform(0.2, 1.5))
        proc.kill()
        proc.communicate(timeout=30)
        killed += proc.returncode == -signal.SIGKILL
        for cache in data.glob("corpus-*.h5"):  # none, or one complete and sealed
            integrity.check(cache, "rebuild")
    assert killed, "every build finished before its kill: kill earlier"
    killed_pid = proc.pid
    (data / f".corpus-x.h5.{killed_pid}.abcdefgh.part").write_bytes(b"\0" * 4096)  # its last moment
    again = _cli(*build, env=env)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err[-2000:]
    assert _parts(data) == [] and [p.name for p in data.iterdir()] == [
        p.name for p in data.glob("corpus-*.h5")
    ]


def test_sweep_removes_only_temporaries_of_dead_processes(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead, alive = int(gone.stdout), os.getpid()
    names = [
        f".a.pose.{dead}.x1y2z3ab.part",  # ours, its process is gone: swept
        f".b.pose.{alive}.x1y2z3ab.part",  # ours, still being written: kept
        ".c.pose.part",  # not our shape: kept
        "d.pose",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / f".e.{dead}.abcdefgh.part").mkdir()  # a killed batch's staging folder: swept
    _atomic.sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")
def test_a_journal_is_rolled_forward_only_when_its_writer_is_gone(tmp_path: Path) -> None:
    import json

    for suffix in SET:
        (tmp_path / f"dest{suffix}").write_text("old\n")
        (tmp_path / f".dest{suffix}.1.abcdefgh.part").write_text("new\n")
    journal = tmp_path / ".dest.skels.commit"
    pairs = [[f".dest{s}.1.abcdefgh.part", f"dest{s}"] for s in SET]
    started = _atomic._proc_start(os.getpid())
    journal.write_text(json.dumps({"pid": os.getpid(), "started": started, "renames": pairs}))
    _atomic.recover(tmp_path / "dest.skels")  # its writer (this process) still runs: left alone
    assert journal.exists() and (tmp_path / "dest.text").read_text() == "old\n"
    # the same pid, but the journal is older than the process: a reused pid, the writer is gone
    journal.write_text(json.dumps({"pid": os.getpid(), "started": 0, "renames": pairs}))
    _atomic.recover(tmp_path / "dest.skels")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"dest{s}" for s in SET)
    assert all((tmp_path / f"dest{s}").read_text() == "new\n" for s in SET)
