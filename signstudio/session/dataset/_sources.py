"""The four sources of a `Dataset`: ``.skels`` (indexed lines), ``.h5``, a folder, a single file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.dataset import Dataset, Entry, make_entry
from signstudio.session.dataset._skels import line_index


def _skels_problem(values: int, per_frame: int) -> str | None:
    """What the index already says is wrong with a line (the read says where exactly)."""
    if values < 0:
        return "not UTF-8 text"
    if values == 0:
        return "empty line: a sequence with zero frames"
    if values % per_frame:
        return f"{values} values is not a whole number of {per_frame}-value frames"
    return None


def open_skels(path: Path, cache_dir: Path | None) -> Dataset:
    from signstudio.pose.formats import detect
    from signstudio.pose.formats import skels as fmt
    from signstudio.pose.formats._atomic import recover

    recover(path)  # a write of the four files killed mid-commit: finish it first (as `read` does)
    if path.stat().st_size == 0:
        raise FormatError(path, "file is empty", "byte 0")

    def family() -> tuple[str, int]:
        name = detect(path).name
        if name not in fmt.FAMILIES:
            raise FormatError(path, f"not a .skels file (its content reads as {name})", "line 1")
        return name, fmt.FAMILIES[name].values_per_frame

    index = line_index(path, family, cache_dir)
    if index.family not in fmt.FAMILIES:  # a cache written by a later version
        index = line_index(path, family, cache_dir)
    fam = fmt.FAMILIES[index.family]
    parallel = fmt._read_parallel(path)
    n = len(index.offsets)
    for key, plines in parallel.items():
        if len(plines) != n:
            raise FormatError(
                fmt.parallel_paths(path)[key],
                f"has {len(plines)} lines but {path.name} has {n} sequences (parallel files must match)",
                f"line {min(len(plines), n) + 1}",
            )
    if not (index.values != 0).any():
        raise FormatError(path, "holds no sequence (every line is empty)", f"lines 1-{n}")
    per = fam.values_per_frame
    entries = [
        make_entry(
            i,
            {k: v[i] for k, v in parallel.items()},
            max(int(values), 0) // per,
            fmt.DEFAULT_FPS,
            _skels_problem(int(values), per),
        )
        for i, values in enumerate(index.values.tolist())
    ]
    offsets, lengths = index.offsets.tolist(), index.lengths.tolist()

    def load(i: int) -> PoseSequence:
        with np.errstate(all="ignore"):  # as the eager reader: finiteness is checked, not warned
            return fmt.read_line(
                path, fam.name, offsets[i], lengths[i], i + 1, {k: v[i] for k, v in parallel.items()}
            )

    return Dataset(path, "skels", entries, load, fam.name)


# ---- .h5 -----------------------------------------------------------------------------------------


def _h5_entry(path: Path, f: Any, index: int, name: str, ours: bool) -> Entry:
    from signstudio.pose.formats import h5 as fmt
    from signstudio.pose.formats.npz import meta_from_json, parse_fps

    where = f"key {name}"
    try:
        obj = f[name]
        if ours:
            frames = int(obj["data"].shape[0])
            fps = parse_fps(path, obj.attrs["fps"], f"{where}/@fps")
            meta = meta_from_json(
                path, fmt._attr_text(path, obj.attrs, "meta", f"{where}/@meta"), f"{where}/@meta"
            )
        else:
            frames = int(obj.shape[0])
            meta = {}
            if "signstudio_meta" in obj.attrs:
                text = fmt._attr_text(path, obj.attrs, "signstudio_meta", where)
                meta = meta_from_json(path, text, f"{where}/@signstudio_meta")
            meta.setdefault("key", name)
            fps = (
                parse_fps(path, obj.attrs["fps"], f"{where}/@fps") if "fps" in obj.attrs else fmt.DEFAULT_FPS
            )
    except FormatError as exc:
        return make_entry(index, {"key": None if ours else name}, 0, 0.0, str(exc))
    except Exception:  # a damaged object header: this entry, not the whole file
        problem = f"{path}: the file is damaged (cannot read its structure) (at {where})"
        return make_entry(index, {"key": None if ours else name}, 0, 0.0, problem)
    return make_entry(index, meta, frames, fps)


def open_h5(path: Path) -> Dataset:
    import h5py

    from signstudio.pose.formats import h5 as fmt
    from signstudio.pose.limits import Budget

    with open(path, "rb") as fh:
        if fh.read(8) != fmt.HDF5_MAGIC:
            raise FormatError(path, "not an HDF5 file (bad signature)", "byte 0")
    with h5py.File(path, "r") as f:
        ours = "signstudio_format" in f.attrs
        names = sorted(n for n in f if n.startswith("seq")) if ours else list(f)
        if not names:
            raise FormatError(path, "holds no sequence", "key /")
        entries = [_h5_entry(path, f, i, name, ours) for i, name in enumerate(names)]

    def load(i: int) -> PoseSequence:
        budget = Budget(path, path.stat().st_size)
        with h5py.File(path, "r") as f, np.errstate(all="ignore"):
            if ours:
                return fmt.read_signstudio_group(path, f, names[i], budget)
            return fmt.read_p2s_dataset(path, f, names[i], budget)

    return Dataset(path, "h5", entries, load, "h5")


# ---- folders and single files --------------------------------------------------------------------


def pose_files(folder: Path) -> list[Path]:
    """Files under ``folder`` (recursively) whose extension a reader claims, hidden ones skipped,
    sorted by relative path."""
    from signstudio.pose.formats import formats

    exts = {e for s in formats().values() if s.read for e in s.extensions if e != "/"}
    found = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if p.suffix.lower() in exts and not any(part.startswith(".") for part in rel.parts) and p.is_file():
            found.append((rel.as_posix(), p))
    return [p for _, p in sorted(found)]


def open_folder(folder: Path) -> Dataset:
    from signstudio.pose.formats import read_one

    files = pose_files(folder)
    if not files:
        raise FormatError(folder, "holds no pose file (none of the extensions SignStudio reads)", "folder")
    entries = []
    for i, file in enumerate(files):
        key = file.relative_to(folder).with_suffix("").as_posix()
        try:
            seq = read_one(file)
        except FormatError as exc:
            entries.append(make_entry(i, {"key": key}, 0, 0.0, str(exc)))
            continue
        entries.append(make_entry(i, {**seq.meta, "key": key}, seq.num_frames, seq.fps))
        del seq  # one at a time: the folder is never in memory

    def load(i: int) -> PoseSequence:
        return read_one(files[i])

    return Dataset(folder, "folder", entries, load, "folder")


def open_file(path: Path) -> Dataset:
    from signstudio.pose.formats import detect, read

    name = detect(path).name
    seqs = read(path)
    entries = []
    for i, s in enumerate(seqs):
        meta = dict(s.meta)
        if len(seqs) == 1 and not meta.get("key"):
            meta["key"] = path.stem
        entries.append(make_entry(i, meta, s.num_frames, s.fps))
    del seqs

    def load(i: int) -> PoseSequence:
        return read(path)[i]

    return Dataset(path, "file", entries, load, name)


# ---- the built-in corpus --------------------------------------------------------------------------


def open_corpus_dataset(corpus: Any, split: str | None = None) -> Dataset:
    """The built-in corpus' words (``corpus``: a `signstudio.corpus.store.Corpus`), every sign
    language, or one split, as a dataset: key ``sl/word``, text, gloss (its letters), language,
    frames; each sequence the word's lexicon join in ``upper50`` (the layout its frame count is
    recorded in and the models train on), read on demand."""
    words = [(sl, word) for sl in corpus.languages for word in corpus.words(sl, split)]
    entries = []
    for i, (sl, word) in enumerate(words):
        gloss = " ".join(f"{sl.upper()}_{u.upper()}" for u in word.units)
        meta = {"key": f"{sl}/{word.text}", "text": word.text, "gloss": gloss, "sign_language": sl}
        entries.append(make_entry(i, meta, word.frames, corpus.fps))

    def load(i: int) -> PoseSequence:
        sl, word = words[i]
        return corpus.word_sequence(sl, word, "upper50").replace(meta_update={"key": f"{sl}/{word.text}"})

    return Dataset(Path(corpus.path), "corpus", entries, load, "corpus")
