"""The built-in corpus: built once from the lexicon recordings, cached as one `.h5` with a version key.

The file is sealed (`signstudio.corpus.integrity`): a 512-byte header before the HDF5 data holds
the cache format and a sha256 of the rest, checked on every open (~30 ms for the 48 MB default
cache). A damaged cache, or one built before the seal existed, is one `FormatError` line naming the
file and the remedy (``signstudio corpus build --force``); the studio then starts on a recorded
letter (`default_sample`), as it does before the cache is built.

Decisions: only the *default* cache is built on first use (`open_corpus`); a cache named by path
(``--corpus``) that does not exist is one line and exit 2 (the CLI), never a silent 60 s build
there: build it with ``signstudio corpus build --out PATH``. ``corpus build`` without ``--force``
rebuilds a cache that does not pass the check (and says why).

Layout of the cache file (all under the root group; attribute ``version_key`` says which build):

    /letters/<sl>/upper50        (ΣF, 50, 3) float32   every letter clip, trimmed, 25 fps, normalised
    /letters/<sl>/upper50_conf   (ΣF, 50)    float32
    /letters/<sl>/holistic       (ΣF, 553, 3) float16  the same frames in the full holistic layout
    /letters/<sl>/holistic_conf  (ΣF, 553)   float16
    /letters/<sl>/offsets        (n + 1,)    int64     clip i is rows offsets[i]:offsets[i+1]
    /letters/<sl>/letter, source (n,)        str
    /words/<sl>/text, units, split (m,) str; frames (m,) int32   units are "|"-joined letters
    /prompts/<sl>/prompt, template (k,) str; word (k,) int32      prompt k wraps words[word[k]]
    /lexicon/<sl>/...            only with ``--lexicon``: signs of the user's lexicons (and
                                 sentences of them) as words, kept as poses (`corpus.lexicon_words`)

Words are *not* stored as poses: a word is the deterministic join (``corpus.join``) of its
letters, recomputed on access in a millisecond or two. So the cache stays small, and a machine
that carries only this file can rebuild every word exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.corpus import integrity, lexicon_words
from signstudio.corpus import join as joining
from signstudio.corpus.integrity import CacheError
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, alphabet, lexicon_index, load_clip, sign_languages
from signstudio.corpus.words import SPLITS, choose_words, split_of
from signstudio.pose.convert import convert
from signstudio.pose.errors import FormatError
from signstudio.pose.formats._atomic import atomic_path
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUPS, get_layout
from signstudio.pose.transforms import normalise, resample, select_groups, trim_to_signing

CACHE_FORMAT = integrity.FORMAT  # part of the version key: a new format is a new default file


@dataclass(frozen=True)
class CorpusSettings:
    """What a build depends on; its hash is part of the version key."""

    fps: float = 25.0
    words_per_language: int = 300
    prompts_per_word: int = 3
    min_units: int = 3
    max_units: int = 8
    languages: tuple[str, ...] = ()  # empty = all 20
    seed: int = 0
    lexicons: tuple[str, ...] = ()  # lexicon folders whose signs become words (`lexicon_words`)
    join: dict = field(
        default_factory=lambda: {
            "window_s": joining.CONNECTION_WINDOW_S,
            "bridge_s": joining.BRIDGE_S,
            "butter_hz": joining.BUTTER_CUTOFF_HZ,
            "butter_order": joining.BUTTER_ORDER,
        }
    )

    def version_key(self) -> str:
        from importlib.metadata import version

        settings = asdict(self)
        if self.lexicons:  # their content, not only their names; without any, the key is as before
            from signstudio.corpus.lexicon_words import fingerprint

            settings["lexicons"] = fingerprint(self.lexicons)
        else:
            del settings["lexicons"]
        blob = json.dumps(
            {"format": CACHE_FORMAT, "settings": settings, "s2s": version("spoken-to-signed")},
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def data_dir() -> Path:
    """Where SignStudio keeps user data (corpus cache, autosave): $SIGNSTUDIO_DATA_DIR or XDG."""
    env = os.environ.get("SIGNSTUDIO_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "signstudio"


def default_cache_path(settings: CorpusSettings | None = None) -> Path:
    settings = settings or CorpusSettings()
    return data_dir() / f"corpus-{settings.version_key()}.h5"


@dataclass(frozen=True)
class Word:
    text: str
    units: tuple[str, ...]
    split: str
    frames: int
    index: int
    source: str = ""  # a lexicon word: its sign's file, or "sentence" (its poses are in the cache)


@dataclass(frozen=True)
class PromptItem:
    prompt: str
    template: str
    word: Word


# ---- build -----------------------------------------------------------------------------------


def prepare_letter(seq: PoseSequence, fps: float) -> PoseSequence:
    """A recorded letter clip as the corpus keeps it: holistic (world points dropped), resampled
    to ``fps``, trimmed to the signing span, normalised (neck origin, shoulder width 1)."""
    seq = select_groups(seq, GROUPS, layout="holistic")
    seq = resample(seq, fps)
    seq = trim_to_signing(seq)
    return normalise(seq)


def _str_array(values: Iterable[str]) -> np.ndarray:
    import h5py

    return np.asarray(list(values), dtype=h5py.string_dtype("utf-8"))


def build(
    path: Path | None = None,
    settings: CorpusSettings | None = None,
    progress: Callable[[Iterable], Iterator] | None = None,
) -> Path:
    """Build the corpus cache (atomically, sealed) and return its path."""
    import h5py

    settings = settings or CorpusSettings()
    path = path or default_cache_path(settings)
    langs = settings.languages or tuple(sorted(sign_languages()))
    unknown = set(langs) - set(sign_languages())
    if unknown:
        raise KeyError(
            f"unknown sign language(s) {sorted(unknown)}; known: {', '.join(sorted(sign_languages()))}"
        )
    spoken = sign_languages()
    wrap = progress or (lambda it: iter(it))
    # Built in memory (HDF5's core driver), then written through the atomic writer: HDF5 writing
    # onto a disk that fills up segfaults and leaves its temporary behind (issue 18).
    memory_name = f"signstudio-corpus-{os.getpid()}.h5"
    with h5py.File(memory_name, "w", driver="core", backing_store=False) as h5:
        h5.attrs["version_key"] = settings.version_key()
        h5.attrs["settings"] = json.dumps(asdict(settings))
        h5.attrs["fps"] = settings.fps
        lexicon = _lexicon_plan(settings, langs)
        for sl in wrap(langs):
            _write_language(h5, sl, spoken[sl], settings)
            if lexicon.signs.get(sl):
                lexicon_words.write(h5, lexicon.signs[sl], sl, settings.fps, prepare_letter)
        h5.flush()
        image = h5.id.get_file_image()
    with atomic_path(path, make_parents=True) as tmp, open(tmp, "wb") as fh:  # the data folder may be new
        fh.write(integrity.sealed(image))
    return path


def _lexicon_plan(settings: CorpusSettings, langs: tuple[str, ...]) -> lexicon_words.Plan:
    return lexicon_words.plan(settings.lexicons, langs) if settings.lexicons else lexicon_words.Plan({}, [])


def _write_language(h5: Any, sl: str, spoken: str, settings: CorpusSettings) -> None:
    """One sign language's letters, words and prompts (the layout in the module doc)."""
    from signstudio.corpus import prompts as prompt_maker

    entries = alphabet(sl)
    letters = {key: prepare_letter(load_clip(e), settings.fps) for key, e in entries.items()}
    keys = list(letters)
    up = [convert(letters[k], "upper50") for k in keys]
    offsets = np.cumsum([0] + [len(s) for s in up]).astype(np.int64)
    g = h5.create_group(f"letters/{sl}")
    g.create_dataset("upper50", data=np.concatenate([s.data for s in up]), compression="gzip")
    g.create_dataset("upper50_conf", data=np.concatenate([s.confidence for s in up]), compression="gzip")
    g.create_dataset(
        "holistic",
        data=np.concatenate([letters[k].data for k in keys]).astype(np.float16),
        compression="gzip",
    )
    g.create_dataset(
        "holistic_conf",
        data=np.concatenate([letters[k].confidence for k in keys]).astype(np.float16),
        compression="gzip",
    )
    g["offsets"] = offsets
    g["letter"] = _str_array(keys)
    g["source"] = _str_array(str(entries[k].path.relative_to(entries[k].path.parents[1])) for k in keys)
    g.attrs["spoken_language"] = spoken

    up_by_key = dict(zip(keys, up, strict=True))
    chosen = choose_words(spoken, keys, settings.words_per_language, settings.min_units, settings.max_units)
    frames = [len(joining.join([up_by_key[u] for u in units])) for _, units in chosen]
    w = h5.create_group(f"words/{sl}")
    w["text"] = _str_array(t for t, _ in chosen)
    w["units"] = _str_array("|".join(units) for _, units in chosen)
    w["split"] = _str_array(split_of(t) for t, _ in chosen)
    w["frames"] = np.asarray(frames, dtype=np.int32)

    rows: list[tuple[str, str, int]] = []
    for i, (text, _) in enumerate(chosen):
        for p in prompt_maker.prompts_for(
            text, spoken, sl, settings.prompts_per_word, seed=settings.seed + i
        ):
            rows.append((p.prompt, p.template_id, i))
    pg = h5.create_group(f"prompts/{sl}")
    pg["prompt"] = _str_array(r[0] for r in rows)
    pg["template"] = _str_array(r[1] for r in rows)
    pg["word"] = np.asarray([r[2] for r in rows], dtype=np.int32)


def rebuild_command(path: Path) -> str:
    """The command that rebuilds the cache at ``path`` (``--out`` unless it is the default)."""
    default = Path(path) == default_cache_path()
    return "signstudio corpus build --force" + ("" if default else f" --out {path}")


def check_cache(path: Path) -> None:
    """Raise `CacheError` (one line, with the remedy) unless ``path`` is an intact sealed cache."""
    integrity.check(Path(path), rebuild_command(path))


# ---- read ------------------------------------------------------------------------------------


class Corpus:
    """Read access to a built cache. Sequences are `PoseSequence` in ``upper50`` (or ``holistic``)."""

    def __init__(self, path: Path):
        """Open a cache; a damaged, old or foreign file raises `CacheError` (see `check_cache`)."""
        import h5py

        self.path = Path(path)
        check_cache(self.path)
        try:
            self._h5 = h5py.File(self.path, "r")
            self.version_key = str(self._h5.attrs["version_key"])
            self.fps = float(self._h5.attrs["fps"])
        except (OSError, KeyError):  # sealed, so written by us: only a bug or a race lands here
            raise CacheError(
                self.path,
                "damaged",
                f"the corpus cache cannot be read; rebuild it with: {rebuild_command(path)}",
            ) from None

    def close(self) -> None:
        self._h5.close()

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._h5["letters"].keys()))

    def spoken_language(self, sl: str) -> str:
        return str(self._h5[f"letters/{sl}"].attrs["spoken_language"])

    # letters
    @lru_cache(maxsize=64)  # noqa: B019 - one Corpus per cache file, lives as long as the app
    def letters(self, sl: str, layout: str = "upper50") -> dict[str, PoseSequence]:
        if layout not in ("upper50", "holistic"):
            raise ValueError("layout must be upper50 or holistic")
        g = self._h5[f"letters/{sl}"]
        data = g[layout][()].astype(np.float32)
        conf = g[f"{layout}_conf"][()].astype(np.float32)
        off = g["offsets"][()]
        skel = get_layout(layout)
        out = {}
        for i, key in enumerate(g["letter"].asstr()[()]):
            out[key] = PoseSequence(
                data[off[i] : off[i + 1]],
                conf[off[i] : off[i + 1]],
                self.fps,
                skel,
                {
                    "text": key,
                    "sign_language": sl,
                    "spoken_language": self.spoken_language(sl),
                    "reference_kind": "recorded clip",
                    "source": f"spoken-to-signed:{g['source'].asstr()[i]}",
                },
            )
        return out

    # words
    def words(self, sl: str, split: str | None = None) -> list[Word]:
        g = self._h5[f"words/{sl}"]
        texts = g["text"].asstr()[()]
        units = g["units"].asstr()[()]
        splits = g["split"].asstr()[()]
        frames = g["frames"][()]
        out = [
            Word(str(t), tuple(str(u).split("|")), str(s), int(f), i)
            for i, (t, u, s, f) in enumerate(zip(texts, units, splits, frames, strict=True))
        ]
        out += [
            Word(*w[:4], len(out) + i, w[4]) for i, w in enumerate(lexicon_words.read_words(self._h5, sl))
        ]
        if split is not None:
            if split not in SPLITS:
                raise ValueError(f"split must be one of {SPLITS}")
            out = [w for w in out if w.split == split]
        return out

    def word_sequence(self, sl: str, word: Word | str, layout: str = "upper50") -> PoseSequence:
        """The lexicon reference for a word: its recorded letters joined, or for a word of a
        ``--lexicon`` build its recording (``reference_kind`` says which)."""
        if isinstance(word, str):
            from signstudio.corpus.words import normalise_word, spell

            text = normalise_word(word)
            signed = next((x for x in self.words(sl) if x.source and x.text == text), None)
            units = spell(text, self.letters(sl, layout).keys()) if signed is None else signed.units
            if units is None:
                raise KeyError(f"{word!r} cannot be spelled with the {sl} manual alphabet")
            w = signed or Word(text, tuple(units), split_of(text), 0, -1)
        else:
            w = word
        if w.source:  # a lexicon word: its recording
            first = len(self._h5[f"words/{sl}/text"])
            seq = lexicon_words.read_sequence(self._h5, sl, w.index - first, layout, self.fps)
        else:
            letters = self.letters(sl, layout)
            seq = joining.join([letters[u] for u in w.units])
        return seq.replace(
            meta_update={
                "text": w.text,
                "gloss": " ".join(f"{sl.upper()}_{u.upper()}" for u in w.units),
                "sign_language": sl,
                "spoken_language": self.spoken_language(sl),
                "reference_kind": "recorded sign" if w.source else "lexicon join",
                "source": f"corpus:{sl}/{w.text}",
                "split": w.split,
            }
        )

    # prompts
    def prompts(self, sl: str, split: str | None = None) -> list[PromptItem]:
        g = self._h5[f"prompts/{sl}"]
        words = self.words(sl)
        items = [
            PromptItem(str(p), str(t), words[int(i)])
            for p, t, i in zip(g["prompt"].asstr()[()], g["template"].asstr()[()], g["word"][()], strict=True)
        ]
        return [p for p in items if split is None or p.word.split == split]

    def info(self) -> list[dict]:
        """Per-language counts of letters, words (per split), prompts and frames."""
        rows = []
        for sl in self.languages:
            g = self._h5[f"letters/{sl}"]
            words = self.words(sl)
            rows.append(
                {
                    "sign_language": sl,
                    "name": SIGN_LANGUAGE_NAMES.get(sl, sl),
                    "spoken_language": self.spoken_language(sl),
                    "letters": len(g["letter"]),
                    "letter_frames": int(g["offsets"][-1]),
                    **{f"words_{s}": sum(w.split == s for w in words) for s in SPLITS},
                    "word_frames": int(sum(w.frames for w in words)),
                    "prompts": len(self._h5[f"prompts/{sl}/prompt"]),
                }
            )
        return rows


_OPEN: dict[Path, Corpus] = {}


def open_corpus(
    path: Path | None = None, build_if_missing: bool | None = None, quiet: bool = False
) -> Corpus:
    """The corpus cache at ``path`` (default: the current version in the data folder).

    A missing cache: built when ``build_if_missing`` (default: only the default cache is built;
    a path given by the person that does not exist is a `CacheError` naming it, with the command
    that builds it there); ``False``: FileNotFoundError. A damaged one: `CacheError`."""
    default = not path
    path = Path(path) if path else default_cache_path()
    if path in _OPEN:
        return _OPEN[path]
    if not path.exists():
        if build_if_missing is None and not default:
            raise CacheError(
                path, "missing", f"no corpus cache here; build one with: signstudio corpus build --out {path}"
            )
        if build_if_missing is False:
            raise FileNotFoundError(f"{path}: corpus cache not built (run `signstudio corpus build`)")
        if not quiet:
            print(f"building the built-in corpus at {path} (once) ...", file=sys.stderr)
        build(path)
    corpus = Corpus(path)
    _OPEN[path] = corpus
    return corpus


def default_word(sign_language: str = "ase") -> PoseSequence:
    """A word of the corpus, joined in the holistic layout: "hello" in ASL, else the first training
    word of the language (raises FileNotFoundError when the cache is not built)."""
    corpus = open_corpus(build_if_missing=False)
    if sign_language == "ase":
        return corpus.word_sequence("ase", "hello", layout="holistic")
    word = corpus.words(sign_language, "train")[0]
    return corpus.word_sequence(sign_language, word, layout="holistic")


def default_sample(sign_language: str = "ase") -> PoseSequence:
    """What the studio shows on first start: real signing from the built-in corpus.

    A word of ``sign_language`` from the corpus cache when it is built ("hello" in ASL; a frequent
    word elsewhere), joined from its recorded letters; otherwise the recorded clip of the first
    letter of that language's alphabet.
    """
    try:
        return default_word(sign_language)
    except (ImportError, FileNotFoundError, KeyError, IndexError, FormatError):  # not built, damaged
        letters = alphabet(sign_language if sign_language in sign_languages() else "ase")
        return load_clip(letters[sorted(letters)[0]])


def lexicon_size() -> int:
    return len(lexicon_index())
