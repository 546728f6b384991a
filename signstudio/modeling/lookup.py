"""The ``lookup`` model: lexicon lookup and join, the sign.mt approach, through spoken-to-signed itself.

Each word is fingerspelled by spoken-to-signed's ``FingerspellingPoseLookup`` (letter clips from
its lexicon, each trimmed to its signing span and capped at 0.8 s, the last letter held twice as
long, joined by its ``concatenate_poses``: cut at the closest frames, 0.07 s interpolated gap,
Butterworth smoothing, wrist correction). Several words are joined by ``concatenate_poses`` again,
as its ``gloss_to_pose`` joins signs; by default without its 0.8 s cap per sign, which would
squeeze a whole fingerspelled word into 0.8 s (``max_word_seconds=0.8`` restores it).

Output layout: spoken-to-signed reduces MediaPipe Holistic (``reduce_holistic``): 8 pose points
(shoulders, elbows, wrists, hips), 128 face contour points and 2 x 21 hand points = 178 joints,
named as in holistic, so ``convert(seq, "upper50")`` works (the nose is absent, so upper50's Nose
is missing). Units: neck (shoulder midpoint) at the origin and shoulder width 1, as the corpus;
the fps is the lexicon clip's (24-30).

Speed (CPU time, one core, warm): about 0.13 s per word plus 0.03 s per letter: 0.18 s for "hi",
0.27 s for "hello", 0.38 s for "wonderful"; joining words adds little (0.55 s for "hello world",
1.06 s for "how are you today"). Most of it is pose-format's per-point scipy interpolation.
Loading (importing spoken-to-signed, pose-format, scipy) takes about 1 s once.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, sign_languages
from signstudio.modeling.base import (
    CancelToken,
    ModelError,
    ModelInfo,
    ProgressCallback,
    SignModel,
    apply_options,
    check_cancel,
    report,
)
from signstudio.modeling.text import split_words
from signstudio.pose.formats.poseformat import from_pose
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.transforms import normalise

log = logging.getLogger(__name__)

MODEL_ID = "lookup"


class SpellingError(ModelError):
    """The text holds characters the sign language's manual alphabet lacks."""


def lookup_info() -> ModelInfo:
    """The registry entry (reads the lexicon index only; spoken-to-signed's pipeline is not loaded)."""
    return ModelInfo(
        id=MODEL_ID,
        name="Lexicon lookup (fingerspelling)",
        description=(
            "Spells each word with real recorded letters of the sign language's manual alphabet and "
            "joins them the way sign.mt does (spoken-to-signed). No training; a baseline."
        ),
        languages=tuple(sorted(sign_languages())),
        needs_torch=False,
        kind="baseline",
    )


@dataclass(frozen=True)
class LookupConfig:
    """max_word_seconds: cap on each word's duration when joining words (None: no cap; sign.mt's
    ``gloss_to_pose`` uses 0.8 s per sign). normalise: neck origin, shoulder width 1 (else
    spoken-to-signed's 512-pixel display scale)."""

    max_word_seconds: float | None = None
    normalise: bool = True


@dataclass(frozen=True)
class Spelling:
    """How one word is spelled: ``prepared`` is what goes to the lexicon, ``units`` its letters."""

    word: str
    prepared: str
    units: tuple[str, ...]


def _strip_accents(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def spell(word: str, keys: Sequence[str]) -> tuple[str, list[str], list[str]]:
    """(prepared word, units, missing characters) for ``word`` under an alphabet's ``keys``.

    Mirrors spoken-to-signed's ``characters_lookup`` (the longest key found *anywhere* splits
    the word, both sides recurse) without loading poses, so a word it would reject is rejected
    up front with the characters named. Before that, as the corpus does: Greek final ς is σ, and
    a letter no key contains falls back to its base letter (é -> e) when a key contains that.
    """
    ordered = sorted(keys, key=len, reverse=True)
    letters = set("".join(ordered))
    chars = []
    for ch in word:
        if ch == "ς" and ch not in letters:
            ch = "σ"
        elif ch not in letters:
            base = _strip_accents(ch)
            if base and base in letters:
                ch = base
        chars.append(ch)
    prepared = unicodedata.normalize("NFC", "".join(chars))
    units: list[str] = []
    missing: list[str] = []

    def walk(w: str) -> None:
        if not w:
            return
        for key in ordered:
            if key in w:
                i = w.index(key)
                walk(w[:i])
                units.append(key)
                walk(w[i + len(key) :])
                return
        missing.extend(c for c in w if c not in missing)

    walk(prepared)
    return prepared, units, missing


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # spoken-to-signed prints its stages ("Reducing poses...") to stdout; keep them for debugging.
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    if buffer.getvalue():
        log.debug("spoken-to-signed: %s", buffer.getvalue().strip().replace("\n", " | "))


class LookupModel(SignModel):
    """Lexicon lookup and join through spoken-to-signed (see the module docstring)."""

    def __init__(self, device: str = "cpu", config: LookupConfig | None = None) -> None:
        from spoken_to_signed.gloss_to_pose.lookup.fingerspelling_lookup import FingerspellingPoseLookup

        self.info = lookup_info()
        self.device = "cpu"  # numpy/scipy only, whatever was asked
        self.config = config or LookupConfig()
        self._spoken = sign_languages()
        with _quiet():
            self._lookup = FingerspellingPoseLookup()
        # Their pose cache (an OrderedDict LRU) and concatenation are not thread-safe.
        self._lock = threading.Lock()

    def alphabet(self, lang: str) -> tuple[str, ...]:
        """The lexicon keys (letters and letter groups, lower case) of a sign language."""
        self.check_language(lang)
        return tuple(self._lookup.alphabets[self._spoken[lang]][lang])

    def spell_text(self, text: str, lang: str) -> list[Spelling]:
        """The words of ``text`` and their letters; `SpellingError` naming what can't be spelled."""
        keys = self.alphabet(lang)
        words = split_words(text)
        if not words:
            raise SpellingError(f"nothing to sign in {text!r}: type a word")
        out = []
        for word in words:
            prepared, units, missing = spell(word, keys)
            if missing:
                name = SIGN_LANGUAGE_NAMES.get(lang, lang)
                raise SpellingError(
                    f"cannot spell {word!r}: the {name} ({lang}) manual alphabet has no "
                    + ", ".join(repr(c) for c in missing)
                )
            out.append(Spelling(word, prepared, tuple(units)))
        return out

    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        """One sequence per text: (F, 178, 3) reduced-holistic poses (see the module docstring)."""
        from spoken_to_signed.gloss_to_pose import concatenate_poses

        config = apply_options(self.config, options)
        self.check_language(lang)
        if isinstance(texts, str):
            raise TypeError("texts is a list of strings")
        spoken = self._spoken[lang]
        plans = [self.spell_text(t, lang) for t in texts]  # every error before any work
        steps = sum(len(p) + (len(p) > 1) for p in plans)
        done = 0
        out = []
        for text, plan in zip(texts, plans, strict=True):
            poses = []
            for sp in plan:
                check_cancel(cancel)
                report(progress, done / steps, f"spelling {sp.word!r}")
                with self._lock, _quiet():
                    poses.append(self._lookup.lookup(sp.prepared, sp.prepared, spoken, lang).pose)
                done += 1
            check_cancel(cancel)
            if len(poses) > 1:
                report(progress, done / steps, f"joining {len(poses)} words")
                with self._lock, _quiet():
                    pose = concatenate_poses(poses, max_sign_seconds=config.max_word_seconds)
                done += 1
            else:
                pose = poses[0]
            out.append(self._to_sequence(pose, text, plan, lang, spoken, config))
        report(progress, 1.0, "done")
        return out

    def _to_sequence(
        self, pose: Any, text: str, plan: list[Spelling], lang: str, spoken: str, config: LookupConfig
    ) -> PoseSequence:
        seq = from_pose(pose)
        if config.normalise:
            seq = normalise(seq)
        meta = {k: v for k, v in seq.meta.items() if k not in ("format", "convention", "source")}
        meta.update(
            text=text,
            words=[sp.word for sp in plan],
            gloss=" ".join(f"{lang.upper()}_{u.upper()}" for sp in plan for u in sp.units),
            sign_language=lang,
            spoken_language=spoken,
            reference_kind="generated",
            model=MODEL_ID,
            source="spoken-to-signed fingerspelling lookup",
            config=asdict(config),
        )
        return seq.replace(meta=meta)
