"""Datasets: any multi-sequence source, its entries read up front, its poses read on demand.

    ds = open_dataset("phoenix14t/dev.skels")     # -> Dataset
    len(ds) == 519; ds.entries[3]                 # Entry(index=3, key='dev/...', text=..., ...)
    seq = ds.sequence(3)                          # PoseSequence (T, J, 3): read now, one line
    seq = ds.sequence_by_key("dev/11August_2010_Wednesday_tagesschau-2")

Sources (`open_dataset` tells them apart by what ``path`` is, then by content):

``skels``   a PT/PHOENIX or Prompt2Sign ``.skels`` (all three families of
    `signstudio.pose.formats.skels`), with ``.text``/``.gloss``/``.files`` beside it when present
    (text, gloss, key; their line count must match, else the open fails as `read` does). One fast
    scan of the bytes indexes the line offsets and counts each line's values, so ``frames =
    values / values_per_frame`` without parsing a float; the index is cached per (absolute path,
    size, mtime_ns) under ``$SIGNSTUDIO_DATA_DIR/dataset-index`` (`._skels`). ``sequence(i)``
    seeks to line ``i + 1`` and parses that line only.
``h5``      our ``.h5`` (``seq*`` groups: key, text, gloss, sign language from each group's
    ``meta``) or a Prompt2Sign ``.h5`` (one ``(T, 150)`` dataset per key): shapes and attributes
    up front, one group or dataset read per ``sequence(i)``.
``folder``  a folder of pose files, recursively: every file whose extension a reader claims
    (hidden files skipped), sorted by relative path; the key is the relative path without its
    suffix (``sub/clip``); one entry per file (its first sequence). Each file is read once up
    front for its entry (frames, fps, text) and dropped; a file that does not read is an entry
    with ``problem`` set, not a failed open. (A folder that is itself a pose "file", such as an
    OpenPose JSON folder, opens as ``file``.)
``file``    any other single pose file: its sequences (usually one) as entries.
``corpus``  the built-in corpus' words (`open_corpus_dataset`): key ``sl/word``, text, gloss,
    language; each sequence the word's lexicon join (``upper50``).

Entries (`Entry`, frozen): ``index``, ``key`` (``.files`` line, ``.h5`` key or file stem; None
when the source has none), ``text``, ``gloss``, ``language`` (the sign language code when the
source says it), ``frames``, ``fps``, ``duration`` (= frames / fps, seconds) and ``problem``
(why this entry will not read, when already known from the index; else None).

``sequence(i)`` gives the same `PoseSequence`, bit for bit, as ``signstudio.pose.formats.read``
gives for that sequence, and keeps the last `LRU_SIZE` in memory (memory stays near a few
sequences, never the file). A damaged sequence raises the usual one-line `FormatError` naming
the file and the place (``line 7, value 12``; ``key seq000003/data``), and the other sequences
still read. An index or key that is not there is a `FormatError` too (``has 5 sequences, no
index 7``). A `Dataset` is safe to read from several threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from signstudio.pose.errors import FormatError, in_our_words
from signstudio.pose.formats import check_sequence
from signstudio.pose.sequence import PoseSequence

#: How many sequences a dataset keeps after reading them.
LRU_SIZE = 4


@dataclass(frozen=True)
class Entry:
    """One sequence of a dataset, as known without reading its poses."""

    index: int
    key: str | None
    text: str | None
    gloss: str | None
    language: str | None
    frames: int
    fps: float
    duration: float
    problem: str | None = None


def make_entry(index: int, meta: dict, frames: int, fps: float, problem: str | None = None) -> Entry:
    """An `Entry` from a sequence's ``meta`` (text, gloss, key, sign_language)."""

    def text(name: str) -> str | None:
        value = meta.get(name)
        return str(value) if value not in (None, "") else None

    duration = frames / fps if fps > 0 else 0.0
    return Entry(
        index, text("key"), text("text"), text("gloss"), text("sign_language"), frames, fps, duration, problem
    )


class Dataset:
    """Entries up front, sequences on demand (module docstring)."""

    def __init__(
        self, path: Path, kind: str, entries: list[Entry], load: Callable[[int], PoseSequence], format: str
    ) -> None:
        self.path = path
        self.kind = kind
        self.format = format
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._load = load
        self._cache: OrderedDict[int, PoseSequence] = OrderedDict()
        self._lock = threading.Lock()
        self._by_key: dict[str, int] = {}
        for e in self.entries:
            if e.key is not None:
                self._by_key.setdefault(e.key, e.index)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return (
            f"Dataset({str(self.path)!r}, kind={self.kind!r}, format={self.format!r}, sequences={len(self)})"
        )

    @property
    def keys(self) -> tuple[str | None, ...]:
        return tuple(e.key for e in self.entries)

    def index_of(self, key: str) -> int:
        """The index of the first entry with ``key``; `FormatError` when there is none."""
        if key not in self._by_key:
            some = ", ".join(repr(k) for k in self.keys[:3] if k is not None)
            hint = f" (keys look like {some})" if some else " (this dataset has no keys: use an index)"
            raise FormatError(self.path, f"no sequence with key {key!r}{hint}")
        return self._by_key[key]

    def sequence(self, index: int) -> PoseSequence:
        """Sequence ``index`` (0-based), read now unless one of the last few read."""
        if not 0 <= index < len(self.entries):
            raise FormatError(
                self.path,
                f"has {len(self.entries)} sequences, no index {index} (they are 0..{len(self) - 1})",
            )
        with self._lock:
            if index in self._cache:
                self._cache.move_to_end(index)
                return self._cache[index]
        try:
            seq = self._load(index)
        except Exception as exc:  # a damaged sequence: one line in our words, with its place
            raise in_our_words(self.path, exc) from None
        # read()'s contract (frames, finite values, a valid skeleton) for the one sequence read
        check_sequence(self.path, self.format, seq, f"sequence {index}")
        with self._lock:
            self._cache[index] = seq
            while len(self._cache) > LRU_SIZE:
                self._cache.popitem(last=False)
        return seq

    def sequence_by_key(self, key: str) -> PoseSequence:
        return self.sequence(self.index_of(key))


def open_dataset(path: str | Path, cache_dir: str | Path | None = None) -> Dataset:
    """``path`` as a `Dataset` (``.skels``, ``.h5``, folder or single file; module docstring).

    ``cache_dir``: where the ``.skels`` line index is cached (default: the data dir's
    ``dataset-index``). A file that cannot be opened as a whole (missing, unknown format,
    parallel files of another length) is one `FormatError`.
    """
    from signstudio.pose.formats import detect
    from signstudio.session.dataset import _sources

    p = Path(path)
    if not p.exists():
        raise FormatError(p, "no such file or folder")
    try:
        if p.is_dir():
            if _sources.pose_files(p) or not any(p.glob("*_keypoints.json")):
                return _sources.open_folder(p)
            return _sources.open_file(p)  # a folder that is one recording (OpenPose JSON)
        if p.suffix.lower() == ".skels":
            return _sources.open_skels(p, None if cache_dir is None else Path(cache_dir))
        if detect(p).name == "h5":
            return _sources.open_h5(p)
        return _sources.open_file(p)
    except Exception as exc:  # a library's error on a damaged file: one line, in our words
        raise in_our_words(p, exc) from None


def open_corpus_dataset(split: str | None = None, corpus: Any = None) -> Dataset:
    """The built-in corpus' words as a dataset (``corpus``: an open
    `signstudio.corpus.store.Corpus`; default: the default cache, never built here); see
    ``_sources.open_corpus_dataset``. A missing or damaged cache is its one-line error."""
    from signstudio.session.dataset import _sources

    if corpus is None:
        from signstudio.corpus.store import open_corpus

        try:
            corpus = open_corpus(build_if_missing=False, quiet=True)
        except FileNotFoundError as exc:  # not built: its one line names the cache and the command
            raise FormatError(None, str(exc)) from None
    return _sources.open_corpus_dataset(corpus, split)


__all__ = ["LRU_SIZE", "Dataset", "Entry", "open_corpus_dataset", "open_dataset"]
