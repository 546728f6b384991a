"""The ``lookup`` model: lexicon lookup and join, the sign.mt approach, through spoken-to-signed itself.

Each word is split into letters by the corpus's speller (`signstudio.corpus.words.spell`, so a
model output and its reference spell alike) and fingerspelled as spoken-to-signed's
``FingerspellingPoseLookup`` does (letter clips from its lexicon, each trimmed to its signing
span and capped at 0.8 s, the last letter held twice as long, joined by its
``concatenate_poses``: cut at the closest frames, 0.07 s interpolated gap, Butterworth
smoothing, wrist correction). Several words are joined by ``concatenate_poses`` again, as its
``gloss_to_pose`` joins signs; by default without its 0.8 s cap per sign, which would squeeze a
whole fingerspelled word into 0.8 s (``max_word_seconds=0.8`` restores it).

Lexicon signs (issue 22): with ``lexicons`` (`LookupConfig`), each word or phrase a lexicon has is
signed with its recording instead (which one: `signstudio.modeling.models.lookup_lexicon`). The
sign's span is read from its ``.pose`` (`parse_pose`: bad bytes are one line), resampled to the
alphabet's frame rate when it differs (spoken-to-signed joins frames as they are), and enters the
same join as a spelled word: reduced, normalised, trimmed to its active signing span (so the
pauses a recording starts and ends with stay out of the middle of a sentence; the first sign keeps
its onset and the last its offset, as in spoken-to-signed), cut at the closest frames and
smoothed. A sign must be a MediaPipe Holistic recording (the points the alphabet's clips have
after ``reduce_holistic``); another layout is a `ModelError` naming it. Its segment is one over
its active span, labelled with its gloss; every segment also says ``kind`` (``sign`` /
``spelled``), ``text`` (the word or phrase), ``gloss`` (the sign's, or a spelled word's letters
``W-E-T``), ``source`` (the lexicon folder, or ``alphabet``), ``variants`` (the files of the
other signs for those words) and ``part`` (its place in the text).

Letter segments: the same steps are run one by one with spoken-to-signed's own functions
(`_concatenate_tracked`, checked against its ``concatenate_poses`` in the tests) so that the
output records where each letter lies: ``meta["segments"]`` as ``corpus.join`` writes it (frames
of the output, ``end`` exclusive; a letter spans its active signing span, so the first letter's
onset and the last one's offset are outside it; the hand by ``corpus.join.signing_hand``).

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
import inspect
import io
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signstudio.corpus.join import signing_hand
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, sign_languages
from signstudio.corpus.user_lexicon import Sign
from signstudio.corpus.words import missing_letters, spell
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
from signstudio.modeling.models.lookup_lexicon import Part, SignIndex, sign_index
from signstudio.modeling.text.coverage import (
    Signable,
    alphabet_rule,
    not_signed_note,
    signable_text,
    with_note,
)
from signstudio.modeling.text.words import split_words
from signstudio.pose.errors import FormatError, in_our_words
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
        name="Lexicon lookup (signs, else fingerspelling)",
        description=(
            "Spells each word with real recorded letters of the sign language's manual alphabet and "
            "joins them the way sign.mt does (spoken-to-signed); with lexicons, the words they have "
            "are signed with their recorded signs. No training; a baseline."
        ),
        languages=tuple(sorted(sign_languages())),
        needs_torch=False,
        kind="baseline",
    )


@dataclass(frozen=True)
class LookupConfig:
    """max_word_seconds: cap on each word's duration when joining words (None: no cap; sign.mt's
    ``gloss_to_pose`` uses 0.8 s per sign). normalise: neck origin, shoulder width 1 (else
    spoken-to-signed's 512-pixel display scale). lexicons / variant_choices: signs for words
    (`signstudio.modeling.models.lookup_lexicon`); none: every word is fingerspelled."""

    max_word_seconds: float | None = None
    normalise: bool = True
    #: lexicon folders (spoken-to-signed layout), first wins on equal phrases (`lookup_lexicon`)
    lexicons: tuple[str | Path, ...] = ()
    #: (words, sign file) pairs: the variant the user chose for those words
    variant_choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Spelling:
    """How one word is spelled: ``prepared`` is what goes to the lexicon, ``units`` its letters."""

    word: str
    prepared: str
    units: tuple[str, ...]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # spoken-to-signed prints its stages ("Reducing poses...") to stdout; keep them for debugging.
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    if buffer.getvalue():
        log.debug("spoken-to-signed: %s", buffer.getvalue().strip().replace("\n", " | "))


@dataclass
class _Prepared:
    """One pose as spoken-to-signed's ``concatenate_poses`` prepares it before the join (reduced,
    normalised, trimmed to its signing span and capped): ``source`` gives, per frame of ``pose``,
    the input frame it shows; ``segments`` are in input frames."""

    pose: Any
    source: np.ndarray
    segments: list[dict[str, Any]]

    def copy(self) -> _Prepared:
        """A copy the join may change (it reassigns bodies and pads their arrays)."""
        from pose_format import Pose

        body = self.pose.body
        fresh = type(body)(fps=body.fps, data=body.data.copy(), confidence=body.confidence.copy())
        return _Prepared(Pose(self.pose.header, fresh), self.source, self.segments)


#: What a pose stands for in the join: a label, a segment's keys (both: one segment over its active
#: signing span) or its own segments in its frames.
PartLabel = str | dict[str, Any] | list[dict[str, Any]]


def _prepare(pose: Any, part: PartLabel, first_of: bool, last_of: bool, cap: float | None) -> _Prepared:
    """Steps 1-3 of ``concatenate_poses`` for one pose (reduce, normalise, trim and cap with the
    onset kept on the first pose and the offset on the last), and which input frame each output
    frame shows (the capped sign is resampled evenly)."""
    from spoken_to_signed.gloss_to_pose import concatenate as cat

    if cat.ConcatenationSettings.is_reduce_holistic:
        pose = cat.reduce_holistic(pose)
    pose = cat.normalize_pose(pose)
    n = len(pose.body)
    first, end = cat.active_signing_span(pose)
    out = cat.process_sign(pose, keep_onset=first_of, keep_offset=last_of, max_sign_seconds=cap)
    onset = np.arange(first) if first_of and first > 0 else np.arange(0)
    offset = np.arange(end, n) if last_of and end < n else np.arange(0)
    sign_len = len(out.body) - len(onset) - len(offset)
    sign = first + np.rint(np.linspace(0, max(end - first - 1, 0), sign_len)).astype(np.int64)
    if isinstance(part, list):
        own = part
    else:
        keys = {"label": part} if isinstance(part, str) else part
        own = [{**keys, "start": first, "end": end}]
    return _Prepared(out, np.concatenate([onset, sign, offset]).astype(np.int64), own)


def _concatenate_tracked(
    poses: list[Any], parts: Sequence[PartLabel], max_sign_seconds: float | None
) -> tuple[Any, list[dict[str, Any]] | None]:
    """spoken-to-signed's ``concatenate_poses(poses, max_sign_seconds=...)`` (trim, cap, cut at the
    closest frames, padding, smoothing, wrist correction, size, idle hands hidden), run step by
    step with its own functions, and where each part lands in the result.

    parts: per pose, a label or a segment's keys (the pose is one segment: its active signing
    span) or its own segments ``{"start", "end", "label", ...}`` in its frames. Returns the pose
    and the segments in its frames (no ``hand`` yet), or None when the frame bookkeeping does not
    add up (a spoken-to-signed whose steps changed): the pose is right, only the segments are
    unknown.
    """
    last = len(poses) - 1
    prepared = [
        _prepare(pose, part, i == 0, i == last, max_sign_seconds)
        for i, (pose, part) in enumerate(zip(poses, parts, strict=True))
    ]
    return _join_prepared(prepared)


#: lexicon sign clips kept read (a few hundred KB each)
SIGN_CACHE = 256

#: points interpolated at a time (see `_interpolate_by_points`)
POINT_BLOCK = 16


def _interpolate_by_points(body: Any) -> Any:
    """pose-format's ``body.interpolate(kind="linear")`` (same fps: it fills the gaps of each
    point), a block of points at a time. It treats every point on its own, so the result is the
    same, while its float64 working arrays (about 19 KB a frame for all 178 points, 750 MB for
    40 000 frames) shrink by 178 / `POINT_BLOCK`."""
    import numpy.ma as ma

    parts = [
        type(body)(
            fps=body.fps,
            data=body.data[:, :, a : a + POINT_BLOCK],
            confidence=body.confidence[:, :, a : a + POINT_BLOCK],
        ).interpolate(kind="linear")
        for a in range(0, body.data.shape[2], POINT_BLOCK)
    ]
    data = ma.concatenate([p.data for p in parts], axis=2)
    confidence = np.concatenate([p.confidence for p in parts], axis=2)
    return type(body)(fps=body.fps, data=data, confidence=confidence)


def _smooth_concatenate(poses: list[Any]) -> Any:
    """spoken-to-signed's ``smooth_concatenate_poses`` (cut at the closest frames, pad, join,
    fill gaps, Butterworth), its own steps with `_interpolate_by_points` for the gap filling."""
    from pose_format import Pose
    from spoken_to_signed.gloss_to_pose import smoothing as sm

    if len(poses) == 1:
        return poses[0]
    start = 0
    for i, pose in enumerate(poses):
        end, next_start = (
            sm.find_best_connection_point(pose, poses[i + 1])
            if i < len(poses) - 1
            else (len(pose.body.data), 0)
        )
        pose.body = pose.body[start:end]
        start = next_start
    default = inspect.signature(sm.smooth_concatenate_poses).parameters["padding"].default
    padding = sm.create_padding(default, poses[0])
    for pose in poses[:-1]:
        pose.body.data = np.concatenate((pose.body.data, padding.data))
        pose.body.confidence = np.concatenate((pose.body.confidence, padding.confidence))
    data = np.concatenate([pose.body.data for pose in poses])
    confidence = np.concatenate([pose.body.confidence for pose in poses])
    body = type(poses[0].body)(fps=poses[0].body.fps, data=data, confidence=confidence)
    del data, confidence
    return sm.pose_butterworth_filter(Pose(header=poses[0].header, body=_interpolate_by_points(body)))


def _correct_wrist(pose: Any, hand: str) -> None:
    """pose-format's ``correct_wrist`` in place: it deep-copies the whole pose first (twice per
    ``correct_wrists``), which is a copy of every frame we do not need."""
    import numpy.ma as ma
    from pose_format.utils.generic import get_body_hand_wrist_index, get_hand_wrist_index

    wrist_index = get_hand_wrist_index(pose, hand)
    wrist, wrist_conf = pose.body.data[:, :, wrist_index], pose.body.confidence[:, :, wrist_index]
    body_index = get_body_hand_wrist_index(pose, hand)
    body_wrist, body_conf = pose.body.data[:, :, body_index], pose.body.confidence[:, :, body_index]
    stacked = np.stack([wrist_conf] * wrist.shape[-1], axis=-1)
    new_data = ma.where(stacked == 0, body_wrist, wrist)
    new_conf = ma.where(wrist_conf == 0, body_conf, wrist_conf)
    pose.body.data[:, :, body_index] = new_data
    pose.body.confidence[:, :, body_index] = new_conf


def _join_prepared(prepared: list[_Prepared]) -> tuple[Any, list[dict[str, Any]] | None]:
    """Steps 4-7 of ``concatenate_poses`` on prepared poses (see `_concatenate_tracked`). Linear
    in the frames: each cut looks at two neighbours only and the segments are placed in one pass."""
    from spoken_to_signed.gloss_to_pose import concatenate as cat
    from spoken_to_signed.gloss_to_pose.smoothing import find_best_connection_point, smooth_concatenate_poses

    processed = [p.pose for p in prepared]
    last = len(processed) - 1
    cuts = [find_best_connection_point(processed[i], processed[i + 1]) for i in range(last)]
    fps = processed[0].body.fps
    padding = int(inspect.signature(smooth_concatenate_poses).parameters["padding"].default * fps)
    pose = _smooth_concatenate(processed)
    del processed  # the pieces: their frames now live in ``pose``
    for hand in ("LEFT", "RIGHT"):
        _correct_wrist(pose, hand)
    cat.normalize_pose_size(pose)
    if inspect.signature(cat.concatenate_poses).parameters["hide_idle_hands"].default:
        pose = cat.hide_lowered_hands(pose)

    segments: list[dict[str, Any]] = []
    offset_out, start = 0, 0
    for i, prep in enumerate(prepared):
        src = prep.source
        stop = int(cuts[i][0]) if i < last else len(src)
        kept = src[start:stop]
        for seg in prep.segments:
            inside = np.flatnonzero((kept >= seg["start"]) & (kept < seg["end"]))
            if len(inside):
                segments.append(
                    {**seg, "start": offset_out + int(inside[0]), "end": offset_out + int(inside[-1]) + 1}
                )
        offset_out += len(kept) + (padding if i < last else 0)
        start = int(cuts[i][1]) if i < last else 0
    if offset_out != len(pose.body):
        log.warning("letter segments dropped: frame count %d != %d", offset_out, len(pose.body))
        return pose, None
    return pose, segments


class LookupModel(SignModel):
    """Lexicon lookup and join through spoken-to-signed (see the module docstring)."""

    #: the runner passes a request's lexicons and variant choices to it (`LookupConfig`)
    uses_lexicons = True

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
        # prepared letter clips: at most 4 per letter of each alphabet used (a few MB)
        self._letters: dict[tuple[Any, ...], _Prepared] = {}
        # lexicon signs read (by file version and span) and one reduced letter clip per language
        self._signs: dict[tuple[Any, ...], Any] = {}
        self._alphabet_clips: dict[str, Any] = {}

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
            units = spell(word, keys)  # the corpus's speller: references split the same way
            if units is None:
                name = SIGN_LANGUAGE_NAMES.get(lang, lang)
                raise SpellingError(
                    f"cannot spell {word!r}: the {name} ({lang}) manual alphabet has no "
                    + ", ".join(repr(c) for c in missing_letters(word, keys))
                )
            out.append(Spelling(word, "".join(units), tuple(units)))
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
        config = apply_options(self.config, options)
        self.check_language(lang)
        if isinstance(texts, str):
            raise TypeError("texts is a list of strings")
        self.check_texts(texts)
        spoken = self._spoken[lang]
        index = sign_index(config.lexicons, lang, spoken, config.variant_choices) if config.lexicons else None
        plans = [self._plan(t, lang, index) for t in texts]  # every error before any work
        steps = sum(len(p.items) + (len(p.items) > 1) for p in plans)
        done = 0
        out = []
        for text, plan in zip(texts, plans, strict=True):
            poses: list[Any] = []
            parts: list[PartLabel] = []
            for i, (part, sp) in enumerate(plan.items):
                check_cancel(cancel)
                report(progress, done / steps, f"{'spelling' if sp else 'signing'} {part.text!r}")
                with self._lock, _quiet():
                    pose, label = self._part_pose(part, sp, i, spoken, lang)
                poses.append(pose)
                parts.append(label)
                done += 1
            check_cancel(cancel)
            if len(poses) > 1 or plan.items[0][1] is None:
                report(progress, done / steps, f"joining {len(poses)} words")
                with self._lock, _quiet():
                    pose, segments = _concatenate_tracked(poses, parts, config.max_word_seconds)
                done += len(poses) > 1
            else:
                pose, segments = poses[0], parts[0] if isinstance(parts[0], list) else None
            seq = self._to_sequence(pose, text, plan, lang, spoken, config, segments)
            seq = with_note(seq, plan.signable)
            if index is not None and index.notes():
                seq = seq.replace(meta_update={"notes": [*seq.meta.get("notes", []), *index.notes()]})
            out.append(seq)
        report(progress, 1.0, "done")
        return out

    def _plan(self, text: str, lang: str, index: SignIndex | None) -> _TextPlan:
        """The words and phrases of ``text``: signed from a lexicon, else spelled (`SpellingError`
        / `ModelError` as without lexicons when nothing can be signed)."""
        rule = alphabet_rule(self.alphabet(lang))
        parts = index.plan(split_words(text)) if index is not None else []
        if not any(p.sign is not None for p in parts):
            found = signable_text(text, lang, rule)
            return _TextPlan([(Part((sp.word,)), sp) for sp in self.spell_text(found.text, lang)], found)
        items: list[tuple[Part, Spelling | None]] = []
        dropped: dict[str, None] = {}
        for part in parts:
            if part.sign is not None:
                items.append((part, None))
                continue
            signed, missing = rule(part.words[0])
            dropped.update(dict.fromkeys(missing))
            if signed:
                [sp] = self.spell_text(signed, lang)
                items.append((Part((sp.word,)), sp))
        gone = tuple(dropped)
        kept = " ".join(part.text for part, _ in items)
        return _TextPlan(items, Signable(kept, gone, not_signed_note(gone, lang) if gone else None))

    def _part_pose(
        self, part: Part, sp: Spelling | None, number: int, spoken: str, lang: str
    ) -> tuple[Any, PartLabel]:
        """One word's spelled pose (and its letter segments) or one sign's clip, with what its
        segments say (``part``: its place in the text)."""
        if sp is None:
            assert part.sign is not None
            keys = {"label": part.sign.gloss, **part.segment_keys(), "part": number}
            return self._sign_clip(part.sign, spoken, lang), keys
        pose, segments = self._spell_word(sp, spoken, lang)
        keys = {**part.segment_keys(sp.units), "part": number}
        if segments is None:
            return pose, {"label": sp.word.upper(), **keys}
        return pose, [{**seg, **keys} for seg in segments]

    def _spell_word(self, sp: Spelling, spoken: str, lang: str) -> tuple[Any, list[dict[str, Any]] | None]:
        """What ``FingerspellingPoseLookup.lookup`` does for one word (its letter clips, the last one
        held twice as long, joined by ``concatenate_poses``), with the letters' segments."""
        from spoken_to_signed.gloss_to_pose import concatenate_poses

        # The clips of our units rather than their characters_lookup, whose split (the longest
        # key anywhere in the word first) differs from the corpus's for some words.
        cap = inspect.signature(concatenate_poses).parameters["max_sign_seconds"].default
        last = len(sp.units) - 1
        prepared = [
            self._letter(spoken, lang, unit, i == 0, i == last, cap).copy() for i, unit in enumerate(sp.units)
        ]
        return _join_prepared(prepared)

    def _letter(
        self, spoken: str, lang: str, unit: str, first: bool, last: bool, cap: float | None
    ) -> _Prepared:
        """A letter's clip prepared for the join (the last letter of a word held twice as long),
        computed once per (letter, place in the word): the same input gives the same frames, and
        preparing (resampling every point) was most of the time a word took."""
        key = (spoken, lang, unit, first, last, cap)
        found = self._letters.get(key)
        if found is None:
            rows = self._lookup.words_index[spoken][lang]
            pose = self._lookup.get_pose(rows[unit][0])[0]
            if last:
                pose = self._lookup.stretch_pose(pose, 2)
            found = self._letters[key] = _prepare(pose, unit.upper(), first, last, cap)
        return found

    def _sign_clip(self, sign: Sign, spoken: str, lang: str) -> Any:
        """The pose-format ``Pose`` of a lexicon sign's span, at the alphabet's frame rate (a copy:
        the join changes what it is given). Read once per file version and span."""
        import numpy.ma as ma
        from pose_format import Pose

        st = _stat(sign.file)
        key = (str(sign.file), st.st_mtime_ns, st.st_size, sign.start_ms, sign.end_ms)
        pose = self._signs.get(key)
        if pose is None:
            pose = self._read_sign(sign, spoken, lang)
            if len(self._signs) >= SIGN_CACHE:
                self._signs.pop(next(iter(self._signs)))
            self._signs[key] = pose
        body = pose.body
        fresh = type(body)(fps=body.fps, data=ma.copy(body.data), confidence=body.confidence.copy())
        return Pose(pose.header, fresh)

    def _read_sign(self, sign: Sign, spoken: str, lang: str) -> Any:
        from pose_format import Pose
        from pose_format.utils.generic import reduce_holistic

        from signstudio.pose.formats.poseformat import parse_pose

        try:
            pose = parse_pose(sign.file, sign.file.read_bytes())
        except OSError as exc:
            raise in_our_words(sign.file, exc) from None
        start, end = sign.span_frames(float(pose.body.fps), len(pose.body.data))
        if end <= start:
            raise FormatError(
                sign.folder / "index.csv", "the span holds no frame of its clip", f"row {sign.row}"
            )
        pose = Pose(pose.header, pose.body[start:end])
        letter = self._alphabet_clip(spoken, lang)
        points = sum(len(c.points) for c in reduce_holistic(pose).header.components)
        if points != sum(len(c.points) for c in letter.header.components):
            raise ModelError(
                f"sign {sign.gloss!r} ({sign.file}) is not a MediaPipe Holistic recording "
                f"({points} points after spoken-to-signed's reduction, its alphabet's clips have "
                f"{sum(len(c.points) for c in letter.header.components)}); lookup joins Holistic .pose clips"
            )
        fps = float(letter.body.fps)
        if abs(float(pose.body.fps) - fps) > 1e-3:  # spoken-to-signed joins frames as they are
            pose.body = pose.body.interpolate(new_fps=fps, kind="linear")
        return pose

    def _alphabet_clip(self, spoken: str, lang: str) -> Any:
        """A letter clip of the sign language, reduced: its frame rate and points are the output's."""
        from pose_format.utils.generic import reduce_holistic

        found = self._alphabet_clips.get(lang)
        if found is None:
            rows = self._lookup.words_index[spoken][lang]
            found = reduce_holistic(self._lookup.get_pose(next(iter(rows.values()))[0])[0])
            self._alphabet_clips[lang] = found
        return found

    def _to_sequence(
        self,
        pose: Any,
        text: str,
        plan: _TextPlan | list[Spelling],
        lang: str,
        spoken: str,
        config: LookupConfig,
        segments: list[dict[str, Any]] | None = None,
    ) -> PoseSequence:
        """The output sequence of a joined ``pose``; ``plan``: its parts, or (every word spelled)
        the spellings of its words."""
        items = plan.items if isinstance(plan, _TextPlan) else [(Part((sp.word,)), sp) for sp in plan]
        seq = from_pose(pose)
        if config.normalise:
            seq = normalise(seq)
        if segments is not None:
            segments = [{**g, "hand": signing_hand(seq, g["start"], g["end"])} for g in segments]
        meta = {k: v for k, v in seq.meta.items() if k not in ("format", "convention", "source")}
        glosses = [
            part.sign.gloss if sp is None and part.sign is not None else f"{lang.upper()}_{u.upper()}"
            for part, sp in items
            for u in (sp.units if sp is not None else ("",))
        ]
        signed = any(sp is None for _, sp in items)
        meta.update(
            text=text,
            words=[part.text for part, _ in items],
            gloss=" ".join(glosses),
            sign_language=lang,
            spoken_language=spoken,
            reference_kind="generated",
            model=MODEL_ID,
            source="spoken-to-signed lookup: lexicon signs and fingerspelling"
            if signed
            else "spoken-to-signed fingerspelling lookup",
            config={
                **asdict(config),
                "lexicons": [str(f) for f in config.lexicons],
                "variant_choices": [list(c) for c in config.variant_choices],
            },
        )
        if segments is not None:
            meta["segments"] = segments
        return seq.replace(meta=meta)


@dataclass(frozen=True)
class _TextPlan:
    """A text's words and phrases in order, each a sign (no `Spelling`) or spelled, and what of it
    is signed (`Signable`: the note on characters no sign or letter covers)."""

    items: list[tuple[Part, Spelling | None]]
    signable: Signable


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError as exc:
        raise in_our_words(path, exc) from None
