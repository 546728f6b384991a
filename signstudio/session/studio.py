"""The studio's document state (Qt-free, evented like `signstudio.session.clock`).

    state = StudioState()
    state.sequence_changed.connect(viewport.show_generated)
    state.set_result(generated, reference)        # or state.apply_response(response, runner.latest_id)
    state.reference_timing = "warped"
    j = state.reference_frame_for(clock.frame)     # the reference frame to draw beside frame i

Holds the generated sequence and its reference, how the reference is shown (``side-by-side``
or ``ghost``) and timed (``own-clock`` or ``warped``, see `signstudio.session.timewarp`), an
optional alignment path for the warp (DTW's, once metrics land), the language, model, text and
text/prompt mode of the input panel, and the recent files (most recent first, at most 10).
Each setter emits its event only when the value actually changes (`signstudio.session.events.Field`).
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.session.events import Event, EventedModel, Field
from signstudio.session.timewarp import TIMING_MODES, TimingMode, frame_map, validate_path

if TYPE_CHECKING:
    from signstudio.runner.service import GenerateResponse

DisplayMode = Literal["side-by-side", "ghost"]
DISPLAY_MODES: tuple[DisplayMode, ...] = ("side-by-side", "ghost")
MAX_RECENT = 10


def _one_of(what: str, modes: tuple[str, ...]) -> Callable[[object, str], Any]:
    def check(_state: object, mode: str) -> str:
        if mode not in modes:
            raise ValueError(f"{what} must be one of {modes}, got {mode!r}")
        return mode

    return check


def _checked_warp_path(state: StudioState, path: np.ndarray | None) -> np.ndarray | None:
    if path is None:
        return None
    if state.sequence is None or state.reference is None:
        raise ValueError("a warp path needs both a sequence and a reference")
    path = validate_path(path, state.sequence.num_frames, state.reference.num_frames)
    path.setflags(write=False)
    return path


def _same_path(old: np.ndarray | None, new: np.ndarray | None) -> bool:
    if old is None or new is None:
        return old is new
    return bool(np.array_equal(old, new))


def _recent_list(state: StudioState, paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(paths)[: state.max_recent]


class StudioState(EventedModel):
    """Events (argument in brackets):

    ``sequence_changed`` (PoseSequence | None), ``reference_changed`` (PoseSequence | None),
    ``reference_display_changed`` (str), ``reference_timing_changed`` (str),
    ``warp_path_changed`` ((K, 2) int64 array | None), ``language_changed`` (str),
    ``model_changed`` (str), ``text_changed`` (str), ``prompt_mode_changed`` (bool),
    ``recent_files_changed`` (list[str]).
    """

    # the pair is assigned through `set_result` (it drops the old pair's warp path), and a new
    # object is a new pair even when it is equal to the old one: compared by identity
    _sequence = Field[PoseSequence | None](None, event="sequence_changed", equal=operator.is_)
    _reference = Field[PoseSequence | None](None, event="reference_changed", equal=operator.is_)
    reference_display = Field[DisplayMode]("side-by-side", check=_one_of("reference display", DISPLAY_MODES))
    reference_timing = Field[TimingMode]("own-clock", check=_one_of("reference timing", TIMING_MODES))
    warp_path = Field[np.ndarray | None](
        None,
        check=_checked_warp_path,
        equal=_same_path,
        doc="(K, 2) int64 (generated frame, reference frame) alignment used by ``warped`` timing, "
        "or None for the linear warp.",
    )
    language = Field("ase", doc="ISO 639-3 code of the sign language.")
    model_id = Field("lookup", event="model_changed")
    text = Field("", doc="The text to sign, or the prompt in prompt mode.")
    prompt_mode = Field(False, check=lambda _state, on: bool(on))
    # a tuple, so no caller can change it in place; subscribers get a list of their own
    _recent_files = Field[tuple[str, ...]]((), check=_recent_list, event="recent_files_changed", payload=list)

    sequence_changed: Event
    reference_changed: Event
    reference_display_changed: Event
    reference_timing_changed: Event
    warp_path_changed: Event
    language_changed: Event
    model_changed: Event
    text_changed: Event
    prompt_mode_changed: Event
    recent_files_changed: Event

    def __init__(
        self,
        language: str = "ase",
        model_id: str = "lookup",
        max_recent: int = MAX_RECENT,
    ) -> None:
        self.max_recent = max_recent
        self._table: np.ndarray | None = None  # (F_gen,) cached frame map
        super().__init__(language=language, model_id=model_id)

    def _fields_changed(self, names: set[str]) -> None:
        if names & {"_sequence", "_reference", "reference_timing", "warp_path"}:
            self._table = None

    # ---- the pair on screen --------------------------------------------------------------
    @property
    def sequence(self) -> PoseSequence | None:
        """The generated (or opened) sequence."""
        return self._sequence

    @sequence.setter
    def sequence(self, seq: PoseSequence | None) -> None:
        self.set_result(seq, self._reference)

    @property
    def reference(self) -> PoseSequence | None:
        """Its ground truth (lexicon join, recorded clip or user file: ``meta["reference_kind"]``)."""
        return self._reference

    @reference.setter
    def reference(self, ref: PoseSequence | None) -> None:
        self.set_result(self._sequence, ref)

    def set_result(self, sequence: PoseSequence | None, reference: PoseSequence | None) -> None:
        """Show a new pair; a warp path of the old pair is dropped."""
        if sequence is self._sequence and reference is self._reference:
            return
        self.update(warp_path=None, _sequence=sequence, _reference=reference)

    def apply_response(self, response: GenerateResponse, latest_id: int | None = None) -> bool:
        """Show a runner response's pair unless it failed, was cancelled or is stale (a newer
        request exists: ``response.stale``, or ``latest_id`` is given and differs). True if shown."""
        if response.stale or response.cancelled or response.error is not None or response.sequence is None:
            return False
        if latest_id is not None and response.request_id != latest_id:
            return False
        self.set_result(response.sequence, response.reference)
        return True

    # ---- how the reference is timed ------------------------------------------------------
    def frame_table(self) -> np.ndarray:
        """(F_gen,) int64: the reference frame for every generated frame in the current timing."""
        gen, ref = self._sequence, self._reference
        if gen is None or ref is None:
            raise ValueError("no generated sequence and reference pair to time")
        if self._table is None:
            self._table = frame_map(
                self.reference_timing, gen.num_frames, gen.fps, ref.num_frames, ref.fps, self.warp_path
            )
            self._table.setflags(write=False)
        return self._table

    def reference_frame_for(self, generated_frame: int) -> int:
        """The reference frame to show with generated frame ``generated_frame`` (clamped to the
        generated range): same wall time in ``own-clock``, mapped span (linear, or through
        `warp_path`) in ``warped``. ValueError when there is no pair."""
        table = self.frame_table()
        return int(table[min(max(int(generated_frame), 0), len(table) - 1)])

    # ---- recent files --------------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        """Absolute paths, most recent first (a copy)."""
        return list(self._recent_files)

    def add_recent_file(self, path: str | os.PathLike[str]) -> None:
        """Put ``path`` first (moving it up if it is already listed), keeping at most ``max_recent``."""
        p = _key(path)
        self._recent_files = (p, *(r for r in self._recent_files if r != p))

    def remove_recent_file(self, path: str | os.PathLike[str]) -> None:
        p = _key(path)
        self._recent_files = tuple(r for r in self._recent_files if r != p)

    def set_recent_files(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Replace the list (e.g. from QSettings): normalised, deduplicated, first kept, trimmed."""
        self._recent_files = tuple(dict.fromkeys(_key(p) for p in paths))

    def clear_recent_files(self) -> None:
        self._recent_files = ()

    def __repr__(self) -> str:
        seq = f"{self._sequence.num_frames} frames" if self._sequence is not None else "none"
        ref = f"{self._reference.num_frames} frames" if self._reference is not None else "none"
        return (
            f"StudioState(sequence {seq}, reference {ref}, {self.reference_display}, "
            f"{self.reference_timing}, {self.language}, {self.model_id})"
        )


def _key(path: str | os.PathLike[str]) -> str:
    # Same file, same entry: absolute and normalised, without touching the file system.
    return os.path.normpath(Path(path).expanduser().absolute())
