"""The ``mean``, ``random`` and ``wrong-word`` baselines: what a model must beat (no training, no torch).

* ``mean`` — one pose, the mean normalised ``upper50`` pose over every frame of the train
  split's words of the sign language (joints averaged over the frames where they are present),
  held still for the mean word length of that split (frames at the corpus' 25 fps, rounded).
  Whatever the text, the same sequence: a floor for DTW and FGD (nothing moves).
* ``random`` — random real poses: every frame an independent draw from the frames of the sign
  language's training words, as many frames as the training word ``wrong-word`` picks. Each pose
  is real, the motion between them is not: a floor for DTW, FGD and back-translation.
* ``wrong-word`` — a real training word of the sign language, picked by a hash of (text, sign
  language): the same text always gets the same word, different texts usually different ones.
  Real signing with the wrong content: a floor for DTW and back-translation, and the case FGD
  cannot see (it compares distributions of motion, not which word was asked).

Both read the built-in corpus (`signstudio.corpus.store.open_corpus`; the default cache, built on
first use) or the one given as ``corpus`` (a `Corpus`, or the path of a built cache, also as the
per-call option ``corpus``). Statistics are computed once per (cache file, sign language) and kept in
memory for the life of the process. Output: ``upper50`` at the corpus' fps, normalised (neck at
the origin, shoulder width 1); ``meta`` has text, sign_language, spoken_language,
``reference_kind="generated"`` and ``model``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from signstudio.corpus.lexicon import sign_languages
from signstudio.modeling.base import (
    CancelToken,
    ModelError,
    ModelInfo,
    ProgressCallback,
    SignModel,
    UnsupportedLanguageError,
    apply_options,
    check_cancel,
    report,
)
from signstudio.pose.sequence import PoseSequence

if TYPE_CHECKING:
    from signstudio.corpus.store import Corpus, Word

LAYOUT = "upper50"
SPLIT = "train"


def mean_info() -> ModelInfo:
    return ModelInfo(
        id="mean",
        name="Mean pose (baseline)",
        description=(
            "The mean pose of the corpus' training words, held still for the mean word length. "
            "Ignores the text; the floor every trained model must beat."
        ),
        languages=tuple(sorted(sign_languages())),
        needs_torch=False,
        kind="baseline",
    )


def random_info() -> ModelInfo:
    return ModelInfo(
        id="random",
        name="Random poses (baseline)",
        description=(
            "Every frame a real pose drawn at random from the training words, as long as a real word. "
            "Real poses, no motion, no content."
        ),
        languages=tuple(sorted(sign_languages())),
        needs_torch=False,
        kind="baseline",
    )


def wrong_word_info() -> ModelInfo:
    return ModelInfo(
        id="wrong-word",
        name="Wrong word (baseline)",
        description=(
            "A real training word of the sign language, chosen by a hash of the text (the same text "
            "always gets the same word). Real motion, wrong content."
        ),
        languages=tuple(sorted(sign_languages())),
        needs_torch=False,
        kind="baseline",
    )


@dataclass(frozen=True)
class BaselineConfig:
    """corpus: path of a corpus cache (None: the built-in corpus, or the one the model was made with)."""

    corpus: str | None = None


@dataclass(frozen=True)
class MeanStats:
    pose: np.ndarray  # (J, 3) float32
    present: np.ndarray  # (J,) bool: the joint was present in some training frame
    frames: int  # mean word length, frames
    fps: float
    words: int  # training words averaged


_STATS: dict[tuple[Path, str], MeanStats] = {}
_POOLS: dict[tuple[Path, str], tuple[np.ndarray, np.ndarray]] = {}
_TRAIN: dict[tuple[Path, str], list[Word]] = {}
_CACHE_LOCK = threading.Lock()


def _open(corpus: Corpus | Path | str | None) -> Corpus:
    from signstudio.corpus.store import Corpus, open_corpus

    if isinstance(corpus, Corpus):
        return corpus
    try:  # the built-in corpus is built on first use; a cache named by path must exist
        if corpus is None:
            return open_corpus()
        return open_corpus(Path(corpus), build_if_missing=False)
    except FileNotFoundError as exc:
        raise ModelError(str(exc)) from None


def _train_words(corpus: Corpus, lang: str, model_id: str) -> list[Word]:
    key = (corpus.path.resolve(), lang)
    with _CACHE_LOCK:
        cached = _TRAIN.get(key)
    if cached is not None:
        return cached
    if lang not in corpus.languages:
        raise UnsupportedLanguageError(
            f"model {model_id!r}: the corpus at {corpus.path} has no {lang!r}; "
            f"it has: {', '.join(corpus.languages)}"
        )
    words = corpus.words(lang, SPLIT)
    if not words:
        raise ModelError(f"model {model_id!r}: the corpus has no {SPLIT} words in {lang!r}")
    with _CACHE_LOCK:
        _TRAIN[key] = words
    return words


def mean_stats(corpus: Corpus, lang: str, cancel: CancelToken | None = None) -> MeanStats:
    """The ``mean`` model's statistics for one sign language (computed once per cache file)."""
    key = (corpus.path.resolve(), lang)
    with _CACHE_LOCK:
        cached = _STATS.get(key)
    if cached is not None:
        return cached
    words = _train_words(corpus, lang, "mean")
    total = np.zeros((50, 3), np.float64)
    count = np.zeros(50, np.float64)
    for w in words:
        check_cancel(cancel)
        seq = corpus.word_sequence(lang, w, LAYOUT)
        present = seq.present
        total += np.where(present[..., None], seq.data, 0.0).sum(axis=0)
        count += present.sum(axis=0)
    seen = count > 0
    pose = np.zeros((50, 3), np.float32)
    pose[seen] = (total[seen] / count[seen, None]).astype(np.float32)
    frames = max(1, round(float(np.mean([w.frames for w in words]))))
    stats = MeanStats(pose, seen, frames, corpus.fps, len(words))
    with _CACHE_LOCK:
        _STATS[key] = stats
    return stats


def pose_pool(corpus: Corpus, lang: str, cancel: CancelToken | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every frame of the sign language's training words: data (N, J, 3) and confidence (N, J)
    (the ``random`` model's poses; read once per cache file)."""
    key = (corpus.path.resolve(), lang)
    with _CACHE_LOCK:
        cached = _POOLS.get(key)
    if cached is not None:
        return cached
    data, conf = [], []
    for w in _train_words(corpus, lang, "random"):
        check_cancel(cancel)
        seq = corpus.word_sequence(lang, w, LAYOUT)
        data.append(seq.data.astype(np.float32))
        conf.append(seq.confidence.astype(np.float32))
    pool = (np.concatenate(data), np.concatenate(conf))
    with _CACHE_LOCK:
        _POOLS[key] = pool
    return pool


def text_index(text: str, lang: str, n: int) -> int:
    """A deterministic index in ``range(n)`` from (text, sign language) (sha256, not Python's hash)."""
    digest = hashlib.sha256(f"{lang}\x00{text}".encode()).digest()
    return int.from_bytes(digest[:8], "little") % n


class _CorpusBaseline(SignModel):
    #: The registry entry of the concrete baseline.
    make_info: Callable[[], ModelInfo]

    def __init__(
        self,
        device: str = "cpu",
        corpus: Corpus | Path | str | None = None,
        config: BaselineConfig | None = None,
    ) -> None:
        self.info = type(self).make_info()
        self.device = "cpu"  # numpy only
        self.config = config or BaselineConfig()
        self._corpus = corpus

    def _corpus_for(self, config: BaselineConfig) -> Corpus:
        return _open(config.corpus if config.corpus is not None else self._corpus)

    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        """One ``upper50`` sequence per text (see the module docstring)."""
        if isinstance(texts, str):
            raise TypeError("texts is a list of strings")
        config = apply_options(self.config, options)
        self.check_language(lang)
        self.check_texts(texts)
        for text in texts:
            if not text.strip():
                raise ModelError("nothing to sign: type a word or a few words")
        corpus = self._corpus_for(config)
        out = []
        for i, text in enumerate(texts):
            check_cancel(cancel)
            report(progress, i / max(len(texts), 1), f"{self.id}: {text!r}")
            seq = self._one(corpus, text, lang, cancel)
            out.append(
                seq.replace(
                    meta={
                        **seq.meta,
                        "text": text,
                        "sign_language": lang,
                        "spoken_language": corpus.spoken_language(lang),
                        "reference_kind": "generated",
                        "model": self.id,
                    }
                )
            )
        report(progress, 1.0, "done")
        return out

    def _one(self, corpus: Corpus, text: str, lang: str, cancel: CancelToken | None) -> PoseSequence:
        raise NotImplementedError


class MeanModel(_CorpusBaseline):
    """The ``mean`` baseline (see the module docstring)."""

    make_info = staticmethod(mean_info)

    def _one(self, corpus: Corpus, text: str, lang: str, cancel: CancelToken | None) -> PoseSequence:
        from signstudio.pose.skeleton import get_layout

        stats = mean_stats(corpus, lang, cancel)
        data = np.broadcast_to(stats.pose, (stats.frames, 50, 3))
        conf = np.broadcast_to(stats.present.astype(np.float32), (stats.frames, 50))
        return PoseSequence(
            data.copy(),
            conf.copy(),
            stats.fps,
            get_layout(LAYOUT),
            {"source": f"mean of {stats.words} {SPLIT} words of corpus:{lang}"},
        )


class RandomModel(_CorpusBaseline):
    """The ``random`` baseline (see the module docstring)."""

    make_info = staticmethod(random_info)

    def _one(self, corpus: Corpus, text: str, lang: str, cancel: CancelToken | None) -> PoseSequence:
        from signstudio.pose.skeleton import get_layout

        words = _train_words(corpus, lang, self.id)
        frames = words[text_index(text, lang, len(words))].frames
        data, conf = pose_pool(corpus, lang, cancel)
        rng = np.random.default_rng(text_index(text, lang, 2**63))
        pick = rng.integers(0, len(data), frames)
        return PoseSequence(
            data[pick],
            conf[pick],
            corpus.fps,
            get_layout(LAYOUT),
            {"source": f"{frames} random frames of the {SPLIT} words of corpus:{lang}"},
        )


class WrongWordModel(_CorpusBaseline):
    """The ``wrong-word`` baseline (see the module docstring)."""

    make_info = staticmethod(wrong_word_info)

    def pick(self, text: str, lang: str, corpus: Corpus | None = None) -> Word:
        """The training word ``random`` signs for ``text``."""
        corpus = corpus or self._corpus_for(self.config)
        words = _train_words(corpus, lang, self.id)
        return words[text_index(text, lang, len(words))]

    def _one(self, corpus: Corpus, text: str, lang: str, cancel: CancelToken | None) -> PoseSequence:
        word = self.pick(text, lang, corpus)
        seq = corpus.word_sequence(lang, word, LAYOUT)
        meta = {k: v for k, v in seq.meta.items() if k not in ("split", "reference_kind")}
        meta.update(source_word=word.text, gloss=seq.meta.get("gloss", ""))
        return seq.replace(meta=meta)
