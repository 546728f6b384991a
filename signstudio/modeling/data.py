"""Training examples for text -> pose models, from a `Corpus` (no torch here; the trainer converts).

One `Example` per corpus word and sign language: the word, its language-tagged glosses
(``ASE_T ASE_H ASE_E``) and its lexicon-join sequence in ``upper50`` (the corpus' normalised
units: neck at the origin, shoulder width 1, 25 fps) flattened to (F, 150) float32.

    examples = load_examples(corpus, ["ase", "gsg"], "train")   # {lang: [Example, ...]}
    stats = NormStats.fit([e for ex in examples.values() for e in ex])
    vocab = CharVocab.build(e.text for e in examples["ase"])
    order = epoch_order(len(examples["ase"]), epoch=0, seed=1)   # same on every run
    batch = collate(examples["ase"][:8], vocab, stats)           # padded numpy arrays + masks

Targets carry the progressive-transformers counter channel: frame i of F has counter
i / (F - 1) (0 at the first frame, 1 at the last), appended as value 151; a decoder learns it and
stops when its *predicted* counter reaches 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.corpus.store import Corpus

LAYOUT = "upper50"
NUM_JOINTS = 50
POSE_DIM = NUM_JOINTS * 3  # 150 values per frame
FPS = 25.0


@dataclass(frozen=True)
class Example:
    """One training example. frames: (F, 150) float32 in the corpus' normalised units."""

    lang: str
    text: str
    glosses: str
    frames: np.ndarray
    split: str
    present: np.ndarray | None = None  # (F, 50) bool: joint measured (False: missing, kept at 0)

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    def reference(self) -> np.ndarray:
        """(F, 50, 3) with missing joints as NaN (what the DTW metrics expect of an array)."""
        ref = self.frames.reshape(len(self.frames), NUM_JOINTS, 3).copy()
        if self.present is not None:
            ref[~self.present] = np.nan
        return ref


def counter(num_frames: int) -> np.ndarray:
    """The counter channel (F,): i / (F - 1), from 0 to 1 (a single frame has counter 1)."""
    if num_frames <= 1:
        return np.ones(num_frames, np.float32)
    return (np.arange(num_frames, dtype=np.float32) / (num_frames - 1)).astype(np.float32)


def load_examples(corpus: Corpus, langs: Iterable[str], split: str) -> dict[str, list[Example]]:
    """{lang: examples of ``split``} in corpus order (deterministic)."""
    out: dict[str, list[Example]] = {}
    for lang in langs:
        if lang not in corpus.languages:
            raise ValueError(f"sign language {lang!r} is not in the corpus ({', '.join(corpus.languages)})")
        items = []
        for word in corpus.words(lang, split):
            seq = corpus.word_sequence(lang, word, layout=LAYOUT)
            frames = np.nan_to_num(seq.data.reshape(seq.num_frames, -1).astype(np.float32))
            glosses = " ".join(f"{lang.upper()}_{u.upper()}" for u in word.units)
            present = np.asarray(seq.confidence > 0)
            items.append(Example(lang, word.text, glosses, frames, word.split, present))
        out[lang] = items
    return out


def examples_from_files(
    paths: Iterable[str | Path], lang: str, split: str | None = None, unmarked: str | None = None
) -> dict[str, list[Example]]:
    """{split: examples} from pose files any of our readers load (a `.pose` per sentence, PT
    ``.skels`` with ``.text``/``.gloss``/``.files``, Prompt2Sign, OpenPose folders ...), signed in ``lang``.

    Every sequence needs its spoken text (``meta["text"]``); it is converted to ``upper50``,
    normalised (neck at the origin, shoulder width 1) and resampled to 25 fps, like the corpus.
    The split is ``split`` when given (``--dev`` files), else ``meta["split"]`` when the file says,
    else its key's prefix (PT's ``.files`` lines ``dev/11August_2010_...``), else the file name's
    (``train.skels``, ``dev.skels``, ``test.skels`` as Progressive Transformers' data), else
    ``unmarked`` (None: the same stable hash of the text the built-in corpus uses). Glosses
    (``meta["gloss"]``, one per sign) are tagged with the language: ``ASE_HOUSE ASE_BIG``. Raises
    `ValueError` naming the file and sequence that lacks a text or cannot be converted."""
    from signstudio.corpus.words import SPLITS
    from signstudio.pose.formats import read

    out: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for path in paths:
        for i, seq in enumerate(read(path)):
            example = example_of(
                seq, f"{path}: sequence {i + 1}", lang, split or split_of_sequence(seq, path, unmarked)
            )
            out[example.split].append(example)
    return out


def split_of_sequence(seq: Any, path: str | Path, unmarked: str | None = None) -> str:
    """The split a sequence of ``path`` belongs to: its meta, its key's prefix, the file name,
    else ``unmarked`` (None: the stable hash of the text)."""
    from signstudio.corpus.words import SPLITS, split_of

    split = str(seq.meta.get("split") or "")
    if split in SPLITS:
        return split
    prefix = str(seq.meta.get("key") or "").replace("\\", "/").split("/")[0].lower()
    if prefix in SPLITS and "/" in str(seq.meta.get("key") or ""):
        return prefix
    named = next((s for s in SPLITS if Path(path).name.lower().startswith(s)), None)
    if named is not None:
        return named
    return unmarked if unmarked is not None else split_of(str(seq.meta.get("text") or ""))


def example_of(seq: Any, where: str, lang: str, split: str) -> Example:
    """One sequence as an `Example` in the corpus' units (``upper50``, neck-shoulder, 25 fps)."""
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise, resample

    text = str(seq.meta.get("text") or "").strip()
    if not text:
        raise ValueError(f"{where} has no spoken text (meta 'text'; e.g. a .text file beside .skels)")
    try:
        unit = resample(normalise(convert(seq, LAYOUT)), FPS)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{where}: cannot use it as {LAYOUT} ({exc})") from None
    frames = np.nan_to_num(unit.data.reshape(unit.num_frames, -1).astype(np.float32))
    tag = lang.upper()
    gloss = str(seq.meta.get("gloss") or "").split()
    present = np.asarray(unit.confidence > 0)
    glosses = " ".join(g if g.startswith(f"{tag}_") else f"{tag}_{g.upper()}" for g in gloss)
    return Example(lang, text, glosses, frames, split, present)


@dataclass(frozen=True)
class NormStats:
    """Per-value mean and std (150,) over the training frames; models work in z-scores."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, examples: Sequence[Example], min_std: float = 1e-3) -> NormStats:
        if not examples:
            raise ValueError("no training examples to fit normalisation statistics on")
        allf = np.concatenate([e.frames for e in examples]).astype(np.float64)
        std = np.maximum(allf.std(0), min_std)
        return cls(allf.mean(0).astype(np.float32), std.astype(np.float32))

    def normalise(self, frames: np.ndarray) -> np.ndarray:
        return ((frames - self.mean) / self.std).astype(np.float32)

    def denormalise(self, values: np.ndarray) -> np.ndarray:
        return (values * self.std + self.mean).astype(np.float32)

    def to_dict(self) -> dict[str, list[float]]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> NormStats:
        return cls(np.asarray(d["mean"], np.float32), np.asarray(d["std"], np.float32))


PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")


@dataclass(frozen=True)
class CharVocab:
    """A character vocabulary (one per sign language: each MLSF channel has its own embedding)."""

    chars: tuple[str, ...]

    @classmethod
    def build(cls, texts: Iterable[str]) -> CharVocab:
        return cls(tuple(sorted({c for t in texts for c in t.lower()})))

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.chars)

    def encode(self, text: str) -> list[int]:
        index = {c: i + len(SPECIALS) for i, c in enumerate(self.chars)}
        return [BOS, *(index.get(c, UNK) for c in text.lower()), EOS]

    def to_list(self) -> list[str]:
        return list(self.chars)

    @classmethod
    def from_list(cls, chars: Sequence[str]) -> CharVocab:
        return cls(tuple(chars))


@dataclass(frozen=True)
class TokenVocab:
    """A vocabulary of whitespace-separated tokens, e.g. language-tagged glosses (``ASE_W ASE_A``).

    Same interface as `CharVocab`, so `encode_texts` and the text -> pose channels take either."""

    tokens: tuple[str, ...]

    @classmethod
    def build(cls, texts: Iterable[str]) -> TokenVocab:
        return cls(tuple(sorted({tok for t in texts for tok in t.split()})))

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.tokens)

    def encode(self, text: str) -> list[int]:
        index = {c: i + len(SPECIALS) for i, c in enumerate(self.tokens)}
        return [BOS, *(index.get(tok, UNK) for tok in text.split()), EOS]

    def to_list(self) -> list[str]:
        return list(self.tokens)

    @classmethod
    def from_list(cls, tokens: Sequence[str]) -> TokenVocab:
        return cls(tuple(tokens))


Vocab = CharVocab | TokenVocab


def epoch_order(n: int, epoch: int, seed: int, rank: int = 0, world_size: int = 1) -> np.ndarray:
    """Indices of one epoch: a permutation seeded by (seed, epoch), then this rank's shard.

    Shards are disjoint and equally long (the permutation is padded by wrapping, as
    DistributedSampler does), so every rank takes the same number of steps.
    """
    if n == 0:
        return np.zeros(0, np.int64)
    perm = np.random.default_rng([seed, epoch]).permutation(n)
    total = -(-n // world_size) * world_size
    perm = np.concatenate([perm, perm[: total - n]]) if total > n else perm
    return perm[rank::world_size].astype(np.int64)


@dataclass
class Batch:
    """Padded arrays. text: (B, L) int64, text_mask: (B, L) True = token; target: (B, T, 151)
    normalised pose + counter; frame_mask: (B, T) True = frame; lengths: (B,)."""

    lang: str
    text: np.ndarray
    text_mask: np.ndarray
    target: np.ndarray
    frame_mask: np.ndarray
    lengths: np.ndarray
    indices: np.ndarray


def encode_texts(texts: Sequence[str], vocab: Vocab) -> tuple[np.ndarray, np.ndarray]:
    ids = [vocab.encode(t) for t in texts]
    width = max(len(i) for i in ids)
    arr = np.full((len(ids), width), PAD, np.int64)
    for row, seq in enumerate(ids):
        arr[row, : len(seq)] = seq
    return arr, arr != PAD


def collate(
    examples: Sequence[Example],
    vocab: Vocab,
    stats: NormStats,
    indices: Sequence[int] | None = None,
    max_frames: int | None = None,
) -> Batch:
    """Pad a list of examples of one language into a `Batch` (frames capped at ``max_frames``)."""
    text, text_mask = encode_texts([e.text for e in examples], vocab)
    frames = [stats.normalise(e.frames[:max_frames]) for e in examples]
    lengths = np.array([len(f) for f in frames], np.int64)
    target = np.zeros((len(frames), int(lengths.max()), POSE_DIM + 1), np.float32)
    mask = np.zeros(target.shape[:2], bool)
    for row, f in enumerate(frames):
        target[row, : len(f), :POSE_DIM] = f
        target[row, : len(f), POSE_DIM] = counter(len(f))
        mask[row, : len(f)] = True
    idx = np.asarray(indices if indices is not None else range(len(examples)), np.int64)
    return Batch(examples[0].lang, text, text_mask, target, mask, lengths, idx)
