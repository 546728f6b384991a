"""Atomic writes: a writer never leaves a partial file behind.

Everything is written to temporary files beside the targets and renamed into place only when
all of them are complete; on any error the temporaries are removed and the targets untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_paths(targets: Sequence[str | Path]) -> Iterator[list[Path]]:
    """Yield one temporary path per target; rename them all into place on success."""
    final = [Path(t) for t in targets]
    temps: list[Path] = []
    try:
        for target in final:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            os.close(fd)
            temps.append(Path(name))
            # mkstemp creates 0600; give the file the mode a plain open() would (umask applied).
            Path(name).chmod(0o666 & ~_umask())
        yield temps
        for tmp in temps:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        for tmp, target in zip(temps, final, strict=True):
            tmp.replace(target)
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    with atomic_paths([target]) as (tmp,):
        yield tmp
