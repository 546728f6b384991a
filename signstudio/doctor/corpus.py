"""The built-in corpus cache: present and intact, or buildable here.

A cache that exists but fails its check (`signstudio.corpus.store.check_cache`: damaged, or built
by an older version without a checksum) is a FAIL with the remedy, ``signstudio corpus build
--force``: the studio then starts on one recorded letter, its corpus browser empty, and
``evaluate``/``train`` on the built-in corpus stop with that one line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

from signstudio.doctor.check import FAIL, OK, WARN, Check, human_size

CORPUS_BUILD = "signstudio corpus build (once, about 30 s)"
MIN_FREE_BYTES = 200 * 2**20  # a corpus build writes ~50 MB


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if p.exists():
            return p
    return Path("/")


def _writable_folder(folder: Path) -> tuple[bool, str]:
    """Whether ``folder`` exists (or can be made) and accepts new files, without creating it."""
    base = _nearest_existing(folder)
    if not base.is_dir():
        return False, f"{base} is a file, not a folder"
    if not os.access(base, os.W_OK | os.X_OK):
        return False, f"{base} is not writable"
    return True, ""


def check_corpus() -> Check:
    """The built-in corpus cache: present and readable, or buildable here (see the module doc)."""
    from signstudio.corpus.store import data_dir, default_cache_path

    path = default_cache_path()
    folder = data_dir()
    others = sorted(p.name for p in folder.glob("corpus-*.h5") if p != path) if folder.is_dir() else []
    data: dict[str, Any] = {"path": str(path), "data_dir": str(folder), "other_caches": others}
    if path.exists():
        from signstudio.corpus.store import check_cache
        from signstudio.pose.errors import FormatError

        try:
            check_cache(path)  # format and checksum: ~30 ms
            import h5py

            with h5py.File(path, "r") as h5:
                key = str(h5.attrs["version_key"])
                langs = sorted(h5["letters"].keys())
        except (FormatError, OSError, KeyError) as exc:
            problem = exc.problem if isinstance(exc, FormatError) else "cannot be read"
            return Check(
                "corpus",
                FAIL,
                f"corpus cache {path} cannot be read: {problem.split('; rebuild it with')[0]}; "
                "the studio starts on one recorded letter and the built-in corpus is unusable",
                "signstudio corpus build --force (rebuilds it, about 30 s)",
                data,
            )
        data.update(version_key=key, languages=langs, bytes=path.stat().st_size)
        return Check(
            "corpus",
            OK,
            f"{path} ({human_size(path.stat().st_size)}, {len(langs)} sign languages, checksum ok)",
            data=data,
        )
    # Not built: can it be?
    problems = []
    try:
        from signstudio.corpus.lexicon import lexicon_dir

        index = lexicon_dir() / "index.csv"
        if not index.is_file():
            problems.append(f"the lexicon recordings are missing ({index})")
    except Exception as exc:
        problems.append(f"the lexicon recordings are missing ({exc})")
    writable, why = _writable_folder(folder)
    if not writable:
        problems.append(f"the data folder {folder} cannot be written ({why})")
    else:
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(_nearest_existing(folder)).free
            data["free_bytes"] = free
            if free < MIN_FREE_BYTES:
                problems.append(f"only {human_size(free)} free in {folder}")
    data["buildable"] = not problems
    if problems:
        return Check(
            "corpus",
            FAIL,
            f"corpus cache not built ({path}) and it cannot be built here: {'; '.join(problems)}; "
            "the built-in corpus is unusable",
            "reinstall spoken-to-signed (pip install -e .) and/or point SIGNSTUDIO_DATA_DIR at a writable "
            "folder, then signstudio corpus build",
            data,
        )
    stale = (
        f" (another cache here, built with other settings or versions: {', '.join(others)})" if others else ""
    )
    return Check(
        "corpus",
        WARN,
        f"corpus cache not built: {path} is missing{stale}; the studio opens on one recorded letter and "
        "its corpus browser stays empty",
        CORPUS_BUILD,
        data,
    )
