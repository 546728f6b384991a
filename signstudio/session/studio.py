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
Each setter emits its event only when the value actually changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.session.events import Event
from signstudio.session.timewarp import TIMING_MODES, TimingMode, frame_map, validate_path

if TYPE_CHECKING:
    from signstudio.runner.service import GenerateResponse

DisplayMode = Literal["side-by-side", "ghost"]
DISPLAY_MODES: tuple[DisplayMode, ...] = ("side-by-side", "ghost")
MAX_RECENT = 10


class StudioState:
    """Events (argument in brackets):

    ``sequence_changed`` (PoseSequence | None), ``reference_changed`` (PoseSequence | None),
    ``reference_display_changed`` (str), ``reference_timing_changed`` (str),
    ``warp_path_changed`` ((K, 2) int64 array | None), ``language_changed`` (str),
    ``model_changed`` (str), ``text_changed`` (str), ``prompt_mode_changed`` (bool),
    ``recent_files_changed`` (list[str]).
    """

    def __init__(
        self,
        language: str = "ase",
        model_id: str = "lookup",
        max_recent: int = MAX_RECENT,
    ) -> None:
        self.sequence_changed = Event("sequence_changed")
        self.reference_changed = Event("reference_changed")
        self.reference_display_changed = Event("reference_display_changed")
        self.reference_timing_changed = Event("reference_timing_changed")
        self.warp_path_changed = Event("warp_path_changed")
        self.language_changed = Event("language_changed")
        self.model_changed = Event("model_changed")
        self.text_changed = Event("text_changed")
        self.prompt_mode_changed = Event("prompt_mode_changed")
        self.recent_files_changed = Event("recent_files_changed")
        self._sequence: PoseSequence | None = None
        self._reference: PoseSequence | None = None
        self._display: DisplayMode = "side-by-side"
        self._timing: TimingMode = "own-clock"
        self._warp_path: np.ndarray | None = None
        self._table: np.ndarray | None = None  # (F_gen,) cached frame map
        self._language = language
        self._model_id = model_id
        self._text = ""
        self._prompt_mode = False
        self._recent: list[str] = []
        self.max_recent = max_recent

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
        seq_new = sequence is not self._sequence
        ref_new = reference is not self._reference
        if not (seq_new or ref_new):
            return
        self._sequence, self._reference = sequence, reference
        self._table = None
        if self._warp_path is not None:
            self._warp_path = None
            self.warp_path_changed.emit(None)
        if seq_new:
            self.sequence_changed.emit(sequence)
        if ref_new:
            self.reference_changed.emit(reference)

    def apply_response(self, response: GenerateResponse, latest_id: int | None = None) -> bool:
        """Show a runner response's pair unless it failed, was cancelled or is stale (a newer
        request exists: ``response.stale``, or ``latest_id`` is given and differs). True if shown."""
        if response.stale or response.cancelled or response.error is not None or response.sequence is None:
            return False
        if latest_id is not None and response.request_id != latest_id:
            return False
        self.set_result(response.sequence, response.reference)
        return True

    # ---- how the reference is shown ------------------------------------------------------
    @property
    def reference_display(self) -> DisplayMode:
        return self._display

    @reference_display.setter
    def reference_display(self, mode: DisplayMode) -> None:
        if mode not in DISPLAY_MODES:
            raise ValueError(f"reference display must be one of {DISPLAY_MODES}, got {mode!r}")
        if mode != self._display:
            self._display = mode
            self.reference_display_changed.emit(mode)

    @property
    def reference_timing(self) -> TimingMode:
        return self._timing

    @reference_timing.setter
    def reference_timing(self, mode: TimingMode) -> None:
        if mode not in TIMING_MODES:
            raise ValueError(f"reference timing must be one of {TIMING_MODES}, got {mode!r}")
        if mode != self._timing:
            self._timing = mode
            self._table = None
            self.reference_timing_changed.emit(mode)

    @property
    def warp_path(self) -> np.ndarray | None:
        """(K, 2) int64 (generated frame, reference frame) alignment used by ``warped`` timing, or
        None for the linear warp."""
        return self._warp_path

    @warp_path.setter
    def warp_path(self, path: np.ndarray | None) -> None:
        if path is not None:
            if self._sequence is None or self._reference is None:
                raise ValueError("a warp path needs both a sequence and a reference")
            path = validate_path(path, self._sequence.num_frames, self._reference.num_frames)
            path.setflags(write=False)
        if path is None and self._warp_path is None:
            return
        if path is not None and self._warp_path is not None and np.array_equal(path, self._warp_path):
            return
        self._warp_path = path
        self._table = None
        self.warp_path_changed.emit(path)

    def frame_table(self) -> np.ndarray:
        """(F_gen,) int64: the reference frame for every generated frame in the current timing."""
        if self._sequence is None or self._reference is None:
            raise ValueError("no generated sequence and reference pair to time")
        if self._table is None:
            gen, ref = self._sequence, self._reference
            self._table = frame_map(
                self._timing, gen.num_frames, gen.fps, ref.num_frames, ref.fps, self._warp_path
            )
            self._table.setflags(write=False)
        return self._table

    def reference_frame_for(self, generated_frame: int) -> int:
        """The reference frame to show with generated frame ``generated_frame`` (clamped to the
        generated range): same wall time in ``own-clock``, mapped span (linear, or through
        `warp_path`) in ``warped``. ValueError when there is no pair."""
        table = self.frame_table()
        return int(table[min(max(int(generated_frame), 0), len(table) - 1)])

    # ---- the input panel -----------------------------------------------------------------
    @property
    def language(self) -> str:
        """ISO 639-3 code of the sign language."""
        return self._language

    @language.setter
    def language(self, code: str) -> None:
        if code != self._language:
            self._language = code
            self.language_changed.emit(code)

    @property
    def model_id(self) -> str:
        return self._model_id

    @model_id.setter
    def model_id(self, model_id: str) -> None:
        if model_id != self._model_id:
            self._model_id = model_id
            self.model_changed.emit(model_id)

    @property
    def text(self) -> str:
        """The text to sign, or the prompt in prompt mode."""
        return self._text

    @text.setter
    def text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.text_changed.emit(text)

    @property
    def prompt_mode(self) -> bool:
        return self._prompt_mode

    @prompt_mode.setter
    def prompt_mode(self, on: bool) -> None:
        on = bool(on)
        if on != self._prompt_mode:
            self._prompt_mode = on
            self.prompt_mode_changed.emit(on)

    # ---- recent files --------------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        """Absolute paths, most recent first (a copy)."""
        return list(self._recent)

    def add_recent_file(self, path: str | os.PathLike[str]) -> None:
        """Put ``path`` first (moving it up if it is already listed), keeping at most ``max_recent``."""
        p = _key(path)
        self._set_recent([p, *(r for r in self._recent if r != p)])

    def remove_recent_file(self, path: str | os.PathLike[str]) -> None:
        p = _key(path)
        self._set_recent([r for r in self._recent if r != p])

    def set_recent_files(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Replace the list (e.g. from QSettings): normalised, deduplicated, first kept, trimmed."""
        self._set_recent(list(dict.fromkeys(_key(p) for p in paths)))

    def clear_recent_files(self) -> None:
        self._set_recent([])

    def _set_recent(self, paths: list[str]) -> None:
        paths = paths[: self.max_recent]
        if paths != self._recent:
            self._recent = paths
            self.recent_files_changed.emit(list(paths))

    def __repr__(self) -> str:
        seq = f"{self._sequence.num_frames} frames" if self._sequence is not None else "none"
        ref = f"{self._reference.num_frames} frames" if self._reference is not None else "none"
        return (
            f"StudioState(sequence {seq}, reference {ref}, {self._display}, {self._timing}, "
            f"{self._language}, {self._model_id})"
        )


def _key(path: str | os.PathLike[str]) -> str:
    # Same file, same entry: absolute and normalised, without touching the file system.
    return os.path.normpath(Path(path).expanduser().absolute())
