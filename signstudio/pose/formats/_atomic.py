"""Atomic writes: a writer never leaves a partial file behind, and a failing disk is one line.

Everything is written to temporary files beside the targets, ``.NAME.<pid>.<random>.part`` (the
writing process's id in the name), and renamed into place only when all of them are complete and
fsync'd; on any error the temporaries are removed and the targets untouched.

Decisions (issue 18):

* **A missing folder is an error**, never created silently: ``OUT: folder DIR does not exist``
  (`FormatError`; the CLI prints it and exits 2). Only our own internal writes (corpus cache,
  autosave, config, training output) pass ``make_parents=True``. Commands that write a batch into
  an output folder create that one folder when its parent exists (`make_output_folder`) and say so.
* **Every OSError of a write** (ENOSPC, EDQUOT, EROFS, EACCES, EIO, ...) becomes one `FormatError`
  in our words: ``OUT: cannot write: the disk is full (at folder DIR)``. A library that fails
  without an errno (ffmpeg's pipe, h5py) is diagnosed by looking at the folder's file system
  (read-only flag, free space), so a full disk is still named as such.
* **Check before working**: `check_destination` (folder exists, is a folder, a probe file can be
  created, written and removed, the disk is not full) lets a command fail before minutes of work.
* **Multi-file groups commit through a journal**: all temporaries are written and fsync'd, then a
  small journal ``.FIRST.commit`` (JSON: pid, process start, temporary -> target pairs) is written
  atomically beside the first target, then the renames run, then the journal goes. Whoever next
  writes into that folder, or reads the set (`recover`), and finds a journal whose writer is gone
  renames the temporaries still present: a set is always the old or the new one, never a mix. A
  roll-forward is logged as one warning line (stderr when nothing else is configured).
* **Stale temporaries of ours are swept**: the first write into a folder (per process) removes
  ``.NAME.<pid>.<random>.part`` files and folders whose process no longer runs on this machine
  (or started after the file was last touched: a reused pid), after rolling journals forward.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from signstudio.pose.errors import FormatError

log = logging.getLogger("signstudio")

#: Our temporaries: ``.NAME.<pid>.<random>.part`` (files, and staging folders).
PART_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<rand>[A-Za-z0-9_]{6,})\.part$")
JOURNAL_SUFFIX = ".commit"
#: A probe must be able to write this much: less free space than this is "the disk is full".
PROBE_BYTES = 4096

_PROBLEMS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "the disk reported an input/output error",
    errno.EFBIG: "the file is too large for this file system",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOENT: "the folder disappeared while writing",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EMFILE: "too many open files",
}
_DISK_PROBLEMS = frozenset(_PROBLEMS[c] for c in (errno.ENOSPC, errno.EDQUOT, errno.EROFS))
_swept: set[str] = set()


class DiskError(FormatError):
    """A write failed because the disk is full or read-only: the next write into that folder
    would fail the same way (a batch stops on it)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- diagnosis ---------------------------------------------------------------------------------


def disk_problem(folder: Path) -> str | None:
    """ "the folder is read-only" / "the disk is full" when ``folder``'s file system says so."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    if st.f_flag & os.ST_RDONLY:
        return _PROBLEMS[errno.EROFS]
    if st.f_bavail * st.f_frsize < PROBE_BYTES and st.f_blocks > 0:
        return _PROBLEMS[errno.ENOSPC]
    return None


def write_error(path: str | Path, exc: BaseException, folder: Path | None = None) -> FormatError:
    """``exc`` (an OSError, or a library's error while writing) as one line naming ``path``."""
    folder = folder or Path(path).parent
    code = getattr(exc, "errno", None)
    problem = _PROBLEMS.get(code) if isinstance(code, int) else None
    if problem is None:
        problem = disk_problem(folder)
    if problem is None and isinstance(exc, OSError) and exc.strerror:
        problem = exc.strerror[:1].lower() + exc.strerror[1:]
    kind = DiskError if problem in _DISK_PROBLEMS else FormatError
    return kind(path, f"cannot write: {problem or 'the write failed'}", f"folder {folder}")


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path()


def ensure_folder(path: str | Path, make_parents: bool = False) -> Path:
    """The folder ``path`` goes into; `FormatError` when it is missing (unless ``make_parents``)
    or not a folder."""
    target = Path(path)
    folder = _folder_of(target)
    if folder.is_dir():
        return folder
    blocked = next((d for d in (folder, *folder.parents) if d.exists()), None)
    if blocked is not None and not blocked.is_dir():
        raise FormatError(target, f"cannot write there: {blocked} is a file, not a folder")
    if not make_parents:
        raise FormatError(target, f"folder {folder} does not exist")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target, exc, blocked or folder) from None
    return folder


def check_destination(path: str | Path, make_parents: bool = False) -> Path:
    """Fail now, not after the work: the folder of ``path`` exists (or, with ``make_parents``,
    can be made), is a folder, and a probe file can be created, written and removed there; the
    disk is not full. ``path`` itself must not be a folder. Returns the folder."""
    target = Path(path)
    if target.is_dir():
        raise FormatError(target, "cannot write there: it is a folder")
    folder = ensure_folder(target, make_parents)
    probe_folder(target, folder)
    return folder


def probe_folder(target: Path, folder: Path) -> None:
    """Create, write (`PROBE_BYTES`) and remove a temporary file in ``folder`` (os.access says
    yes to root everywhere, even on a read-only mount); `FormatError` naming ``target``."""
    name = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".signstudio-probe.{os.getpid()}.", suffix=".part", dir=folder)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        raise write_error(target, exc, folder) from None
    finally:
        if name is not None:
            with contextlib.suppress(OSError):
                Path(name).unlink()
    problem = disk_problem(folder)
    if problem is not None:
        raise write_error(target, OSError(f"{folder}: {problem}"), folder)


def make_output_folder(folder: str | Path) -> bool:
    """A batch's output folder: made when missing if its parent exists (True: it was made);
    `FormatError` otherwise; then probed like `check_destination`."""
    out = Path(folder)
    created = False
    if not out.is_dir():
        if out.exists():
            raise FormatError(out, "cannot write there: it is a file, not a folder")
        parent = _folder_of(out)
        if not parent.is_dir():
            raise FormatError(out, f"folder {parent} does not exist")
        try:
            out.mkdir()
        except OSError as exc:
            raise write_error(out, exc, parent) from None
        created = True
    try:
        probe_folder(out, out)
    except FormatError:
        if created:  # made for nothing: a full disk still takes an empty folder
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    return created


# ---- stale temporaries and journals ------------------------------------------------------------


def _proc_start(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), or None when unknown (not Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot = Path("/proc/stat").read_text().splitlines()
        btime = next(int(line.split()[1]) for line in boot if line.startswith("btime"))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def writer_alive(pid: int, since: float | None = None) -> bool:
    """Whether process ``pid`` still runs and could have written at time ``since`` (a pid reused
    by a process started later is not the writer)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except OSError:
        return False
    if since is None:
        return True
    started = _proc_start(pid)
    return started is None or started <= since + 1.0


def journal_path(first_target: Path) -> Path:
    return first_target.with_name(f".{first_target.name}{JOURNAL_SUFFIX}")


def _roll_forward(journal: Path, wait_alive: bool = False) -> int | None:
    """Finish the commit ``journal`` records if its writer is gone; the number of files renamed,
    None when it was left alone (its writer still runs, or it could not be read)."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        pid, started = int(record["pid"]), record.get("started")
        pairs = [(journal.parent / a, journal.parent / b) for a, b in record["renames"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if writer_alive(pid, started if isinstance(started, (int, float)) else None):
        return None
    done = 0
    for tmp, target in pairs:
        if tmp.exists():
            tmp.replace(target)
            done += 1
    _fsync_folder(journal.parent)
    journal.unlink(missing_ok=True)
    _fsync_folder(journal.parent)
    return done


def recover(first_target: str | Path) -> None:
    """Roll forward an interrupted group commit whose first target is ``first_target`` (readers
    of multi-file sets call this before reading); one warning line when it does."""
    journal = journal_path(Path(first_target))
    if not journal.exists():
        return
    try:
        done = _roll_forward(journal)
    except OSError as exc:
        raise write_error(first_target, exc) from None
    if done is not None:
        log.warning(
            "note: %s: finished an interrupted write (%d file(s) renamed into place); the set is the new one",
            first_target,
            done,
        )


def sweep(folder: Path) -> None:
    """Roll forward journals left in ``folder``, then remove our stale temporaries there."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith(JOURNAL_SUFFIX):
            with contextlib.suppress(FormatError):
                name = entry.name[1 : -len(JOURNAL_SUFFIX)]
                recover(folder / name)
    for entry in entries:
        m = PART_RE.match(entry.name)
        if m is None:
            continue
        try:
            mtime = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if writer_alive(int(m["pid"]), mtime):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                Path(entry.path).unlink()


def _sweep_once(folder: Path) -> None:
    key = str(folder.resolve())
    if key not in _swept:
        _swept.add(key)
        sweep(folder)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_name(target: Path) -> str:
    """The prefix of a temporary for ``target`` (mkstemp adds the random part and ``.part``)."""
    return f".{target.name}.{os.getpid()}."


def staging_folder(out: Path) -> Path:
    """A temporary folder beside ``out``, named like our temporaries (swept when stale)."""
    folder = _folder_of(out)
    _sweep_once(folder)
    try:
        return Path(tempfile.mkdtemp(prefix=temp_name(out), suffix=".part", dir=folder))
    except OSError as exc:
        raise write_error(out, exc, folder) from None


# ---- the writer --------------------------------------------------------------------------------


def _write_journal(journal: Path, pairs: Sequence[tuple[Path, Path]]) -> None:
    start = _proc_start(os.getpid())
    record = {
        "pid": os.getpid(),
        "started": start,
        "renames": [[os.path.relpath(p, journal.parent) for p in pair] for pair in pairs],
    }
    fd, name = tempfile.mkstemp(prefix=temp_name(journal), suffix=".part", dir=journal.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh)
            fh.flush()
            os.fsync(fh.fileno())
        Path(name).replace(journal)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(name).unlink()
        raise
    _fsync_folder(journal.parent)


def _commit(temps: list[Path], final: Sequence[Path]) -> None:
    """fsync the temporaries, then rename them into place (several: through a journal). Once the
    journal is written ``temps`` is emptied: from then on they belong to the journal, and a
    rename that fails leaves them for the roll-forward instead of deleting half a set."""
    for tmp in temps:
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    if len(final) == 1:
        temps[0].replace(final[0])
        _fsync_folder(_folder_of(final[0]))
        return
    journal = journal_path(final[0])
    pairs = list(zip(temps, final, strict=True))
    _write_journal(journal, pairs)
    temps.clear()
    for tmp, target in pairs:
        tmp.replace(target)
    for folder in {_folder_of(t) for t in final}:
        _fsync_folder(folder)
    journal.unlink()


@contextlib.contextmanager
def atomic_paths(targets: Sequence[str | Path], make_parents: bool = False) -> Iterator[list[Path]]:
    """Yield one temporary path per target; rename them all into place on success.

    ``make_parents``: create missing folders (our own internal writes only; a user's missing
    folder is `FormatError` "folder DIR does not exist"). Any OSError, and any error of the code
    writing the temporaries when the disk is full or read-only, becomes one `FormatError`; the
    temporaries are removed whatever happens. Several targets commit through a journal (module
    docstring), so that a kill at any moment leaves the old set or, once rolled forward, the new.
    """
    final = [Path(t) for t in targets]
    temps: list[Path] = []
    current = final[0] if final else Path()
    try:
        for target in final:
            current = target
            folder = ensure_folder(target, make_parents)
            _sweep_once(folder)
            recover(target)
            fd, name = tempfile.mkstemp(prefix=temp_name(target), suffix=".part", dir=folder)
            os.close(fd)
            temps.append(Path(name))
            # mkstemp creates 0600; give the file the mode a plain open() would (umask applied).
            Path(name).chmod(0o666 & ~_umask())
        current = final[0] if final else current
        try:
            yield temps
        except (FormatError, KeyboardInterrupt, GeneratorExit):
            raise
        except Exception as exc:
            # a library that failed on a full or read-only disk: say that, not its own text
            problem = disk_problem(_folder_of(current))
            if isinstance(exc, OSError) or problem is not None:
                raise write_error(current, exc) from None
            raise
        _commit(temps, final)
    except OSError as exc:
        raise write_error(current, exc) from None
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_path(target: str | Path, make_parents: bool = False) -> Iterator[Path]:
    with atomic_paths([target], make_parents) as (tmp,):
        yield tmp


__all__ = [
    "DiskError",
    "atomic_path",
    "atomic_paths",
    "check_destination",
    "disk_problem",
    "make_output_folder",
    "recover",
    "staging_folder",
    "sweep",
    "write_error",
]
