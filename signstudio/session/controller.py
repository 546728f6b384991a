"""The studio's decisions, without Qt: generation, the pair on screen, its scores and avatars,
opening and saving (napari style: the controller owns state and emits; views subscribe).

    controller = StudioController(StudioState(), runner, prefs)
    controller.pair_changed.connect(show_pair)             # views follow the pair on screen
    rid = controller.generate("hello", "ase", "lookup")
    ...                                                    # the runner answers on its own thread;
    controller.finish_generation(response)                 # the app hands answers in on its thread
    controller.receive_scores(token, scores)

The runner (`RunnerPort`: the app's `RunnerBridge`, or any adapter of
`signstudio.runner.service.Runner`) answers off the caller's thread; whoever owns the thread the
controller lives on hands the answers back through `finish_generation`, `receive_scores` and
`receive_avatar`. Newest wins: an answer to an older request, or scores and avatars of a pair
that was replaced meanwhile, are dropped.

Events (arguments in brackets): ``generation_started`` (GenerateRequest),
``generation_finished`` (GenerateResponse, once per current answer, after its pair is shown),
``pair_changed`` (rescore: bool — True when the pair's scores are being computed),
``scores_changed`` (PairScores | str: the scores of the pair on screen, or why there are none),
``avatar_requested`` (body name), ``avatar_fitted`` (PoseSequence, AvatarMesh),
``avatar_failed`` (message, fell_back: bool — SMPL-X could not load and the mannequin is back),
``avatars_dropped`` (), ``avatars_cancelled`` (), ``body_changed`` ().

Avatar fits are cancelled when nobody waits for them any more: a new Generate, Esc
(`cancel`), or their sequence leaving the screen; a failed generation fits the pair that stays
again. A whole-sequence mirror reuses the fit: the avatar is mirrored with the sequence
(`signstudio.avatar.mirror.mirrored`), nothing is fitted again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.runner.service import GenerateRequest, GenerateResponse
from signstudio.session.events import Event
from signstudio.session.render_plan import pair_text
from signstudio.session.studio import StudioState

if TYPE_CHECKING:
    from signstudio.avatar.mesh import AvatarMesh

BODY_MODES = ("skeleton", "avatar", "both")
BODY_MODELS = ("mannequin", "smplx")
SHAPE_SIZE = 10  # SMPL-X shape coefficients (betas)
SHAPE_LIMIT = 3.0

#: Save as…'s file types and the format each writes (the .skels families differ in scale and
#: counter convention: the file type chooses it)
SAVE_FORMATS: dict[str, str] = {
    "Pose file (*.pose)": "pose",
    "SignStudio arrays (*.npz)": "npz",
    "Progressive Transformers / Phoenix14T (*.skels)": "pt-skels",
    "Prompt2Sign legacy (*.skels)": "p2s-legacy",
    "Prompt2Sign 2025 (*.skels)": "p2s-2025",
    "HDF5 (*.h5)": "h5",
}


class RunnerPort(Protocol):
    """What the controller asks of the runner; answers come back through the controller's
    ``finish_generation``, ``receive_scores`` and ``receive_avatar``."""

    def submit(self, request: GenerateRequest) -> int: ...

    def score(
        self,
        token: int,
        sequence: PoseSequence,
        reference: PoseSequence | None,
        text: str | None,
        lang: str | None,
    ) -> None: ...

    def avatar(
        self,
        token: int,
        sequence: PoseSequence,
        body: str = "mannequin",
        folder: str | None = None,
        shape: tuple[float, ...] | None = None,
    ) -> None: ...

    def cancel(self) -> bool: ...

    def cancel_avatar(self, token: int | None = None) -> bool: ...

    def is_current(self, response: GenerateResponse) -> bool: ...


class Prefs(Protocol):
    """Remembered choices (the app's `Settings`, or a dict-backed stand-in)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


class MemoryPrefs:
    """Prefs kept in a dict (tests, scripted runs)."""

    def __init__(self, **values: Any) -> None:
        self.values: dict[str, Any] = dict(values)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


def user_file(seq: PoseSequence) -> PoseSequence:
    """A sequence read from a user's file, marked as such unless it says what it is."""
    return seq.replace(meta_update={"reference_kind": seq.meta.get("reference_kind", "user file")})


def save_format_for(target: Path, picked_filter: str) -> str | None:
    """The format Save as… writes ``target`` in: the picked file type decides for ``.skels``
    (its families differ), the extension for everything else (None)."""
    return SAVE_FORMATS.get(picked_filter) if target.suffix.lower() == ".skels" else None


class StudioController:
    """See the module docstring. ``state`` is the pair on screen and the input panel's choices."""

    def __init__(self, state: StudioState, runner: RunnerPort, prefs: Prefs) -> None:
        self.state = state
        self.runner = runner
        self.prefs = prefs
        self.generation_started = Event("generation_started")
        self.generation_finished = Event("generation_finished")
        self.pair_changed = Event("pair_changed")
        self.scores_changed = Event("scores_changed")
        self.avatar_requested = Event("avatar_requested")
        self.avatar_fitted = Event("avatar_fitted")
        self.avatar_failed = Event("avatar_failed")
        self.avatars_dropped = Event("avatars_dropped")
        self.avatars_cancelled = Event("avatars_cancelled")
        self.body_changed = Event("body_changed")
        self.pending: int | None = None  # the request id whose answer is awaited
        self.generation_started_at = 0.0
        self.scores: PairScores | None = None  # of the pair on screen, once scored
        self.pair_token = 0  # bumped with every new pair (or final edit): older answers are dropped
        self._applying = False  # set while the controller itself replaces the pair
        self._avatar_requests: dict[int, PoseSequence] = {}  # token -> the sequence being fitted
        self._avatar_tokens = 0
        self._avatars: dict[int, tuple[PoseSequence, AvatarMesh]] = {}  # id(seq) -> (seq, mesh)
        mode = str(prefs.get("body_mode", "skeleton"))
        self.body_mode = mode if mode in BODY_MODES else "skeleton"
        state.sequence_changed.connect(self._on_state_pair)
        state.reference_changed.connect(self._on_state_pair)

    # ---- generation ------------------------------------------------------------------------
    def generate(
        self,
        text: str,
        lang: str,
        model_id: str = "lookup",
        prompt_mode: bool = False,
        options: dict[str, Any] | None = None,
    ) -> int:
        """Ask the runner for signing of ``text``; the answer comes to `finish_generation` (-1 and an
        error answer at once when the text is longer than the model signs)."""
        request = GenerateRequest(
            text=text,
            lang=lang,
            model_id=model_id or "lookup",
            prompt_mode=prompt_mode,
            options=options or {},
        )
        self.state.text = text
        if self._refuse_long_text(request):
            return -1
        self.generation_started_at = time.perf_counter()
        self.pending = self.runner.submit(request)
        self._cancel_fits()  # the new request has the CPU; a failed one fits the old pair again
        self.generation_started.emit(request)
        return self.pending

    def _refuse_long_text(self, request: GenerateRequest) -> bool:
        """A text longer than the model signs is refused before any model loads: an error answer
        ("text has 10 000 characters; lookup signs at most 3 000 (split it into several runs)")
        goes to `generation_finished` at once, nothing is submitted (`generate` returns -1) and
        a generation in progress goes on."""
        from signstudio.modeling.base import text_length_problem

        problem = text_length_problem(request.text, request.model_id, prompt=request.prompt_mode)
        if problem is None:
            return False
        response = GenerateResponse(-1, request, text=request.text, lang=request.lang, error=problem)
        self.generation_finished.emit(response)
        return True

    def cancel(self) -> bool:
        """Cancel the generation and the avatar fits in progress (True when there was one)."""
        generating = self.runner.cancel()
        fitting = self._cancel_fits()
        if fitting:
            self.avatars_cancelled.emit()
        return generating or fitting

    def finish_generation(self, response: GenerateResponse) -> bool:
        """The runner's answer: shown when it is the newest (False: dropped as stale). A failed
        or cancelled answer changes nothing on screen."""
        if not self.runner.is_current(response):
            return False  # a newer request was made: this answer must not overwrite it
        self.pending = None
        if response.ok:
            alignment = response.alignment
            self.show_pair(
                response.sequence,
                response.reference,
                warp_path=alignment.path if alignment is not None else None,
                scores=response.scores,
            )
        elif not response.cancelled:
            self.request_avatars()  # the pair stays: fit it again (the request cancelled its fit)
        self.generation_finished.emit(response)
        return True

    # ---- the pair on screen ----------------------------------------------------------------
    def show_pair(
        self,
        sequence: PoseSequence | None,
        reference: PoseSequence | None,
        warp_path: np.ndarray | None = None,
        scores: PairScores | None = None,
    ) -> None:
        """A new (generated, reference) pair. ``scores`` (from the generation) are the pair's;
        without them the pair is scored by the runner and `scores_changed` follows."""
        self._applying = True
        try:
            self.state.set_result(sequence, reference)
            if warp_path is not None and sequence is not None and reference is not None:
                self.state.warp_path = warp_path  # "warped" timing follows the DTW alignment
        finally:
            self._applying = False
        self.scores = scores
        self._new_pair(rescore=scores is None)

    def _on_state_pair(self, _seq: object) -> None:
        if not self._applying:  # someone else set the state's pair: score it afresh
            self.scores = None
            self._new_pair(rescore=True)

    def _new_pair(self, rescore: bool) -> None:
        self.pair_token += 1
        gen = self.state.sequence
        rescore = rescore and gen is not None
        self.pair_changed.emit(rescore)
        if rescore:
            self._request_scores()
        self._prune_fits()
        self.request_avatars()

    def edit(self, sequence: PoseSequence, final: bool) -> None:
        """An edit of the shown sequence (``final`` False while a drag goes on): it replaces the
        shown one; a final edit drops the scores and has the pair scored again."""
        self._applying = True  # not a new pair
        try:
            self.state.sequence = sequence
        finally:
            self._applying = False
        if final:
            self.scores = None
            self.pair_token += 1
            self._request_scores()
            self._prune_fits()
            self._reuse_mirrored_avatar(sequence)
            self.request_avatars()

    def _request_scores(self) -> None:
        gen, ref = self.state.sequence, self.state.reference
        if gen is not None:
            self.runner.score(self.pair_token, gen, ref, *pair_text(gen, ref))

    def receive_scores(self, token: int, result: PairScores | str) -> bool:
        """Scores (or a one-line error) of the pair made under ``token``; False when a newer
        pair replaced it (dropped)."""
        if token != self.pair_token:
            return False
        if isinstance(result, PairScores):
            self.scores = result
            gen, ref = self.state.sequence, self.state.reference
            if result.path is not None and gen is not None and ref is not None:
                self._applying = True
                try:
                    self.state.warp_path = result.path
                finally:
                    self._applying = False
        self.scores_changed.emit(result)
        return True

    # ---- files -----------------------------------------------------------------------------
    def open_file(self, path: str | Path, as_reference: bool = False) -> PoseSequence:
        """Read a pose file and show it (or use it as the reference); FormatError (one line)
        when it cannot be read, and then nothing changes."""
        from signstudio.pose.formats import read_one

        partner = self._reference_partner(path) if as_reference else None
        seq = partner if partner is not None else user_file(read_one(path))
        if as_reference:
            self.state.reference = seq
        else:
            self.show_pair(seq, None)
        self.state.add_recent_file(str(Path(path).resolve()))
        return seq

    def _reference_partner(self, path: str | Path) -> PoseSequence | None:
        """A multi-sequence reference (``.skels``, ``.h5``, folder) opened beside a shown sequence
        of a dataset: the shown one's partner by `signstudio.session.pairing.plan_pairs` (never
        the file's first sequence by accident). No partner: a `FormatError` naming the key and
        the pairing's summary (nothing changes). None: read the file as before."""
        from signstudio.pose.errors import FormatError
        from signstudio.session.dataset import open_dataset
        from signstudio.session.pairing import plan_pairs

        shown, p = self.state.sequence, Path(path)
        source = None if shown is None else shown.meta.get("source")
        if not source or not (p.is_dir() or p.suffix.lower() in (".skels", ".h5")):
            return None
        ref, pred = open_dataset(p), open_dataset(source)
        if len(ref) <= 1 or len(pred) <= 1:
            return None
        assert shown is not None  # it has a source
        key = shown.meta.get("key")
        index = pred.index_of(str(key)) if key else int(shown.meta.get("line", 1)) - 1  # .skels line
        plan = plan_pairs(pred, ref)
        partner = plan.partner_of(index)
        if partner is None:
            raise FormatError(p, f"no partner for the shown sequence {key or index + 1} ({plan.summary})")
        return user_file(ref.sequence(partner))

    @staticmethod
    def save(sequence: PoseSequence, target: str | Path, format: str | None = None) -> Path:
        """Write ``sequence`` to ``target`` atomically, as ``format`` (None: by the extension);
        FormatError (one line) when it cannot be written."""
        from signstudio.pose.formats import write

        target = Path(target)
        write(target, sequence, format=format)
        return target

    # ---- bodies ----------------------------------------------------------------------------
    def set_body_mode(self, mode: str) -> None:
        """``skeleton``, ``avatar`` or ``both``: what represents each sequence (avatars are
        fitted by the runner, the skeleton shows meanwhile)."""
        if mode not in BODY_MODES:
            raise ValueError(f"body mode must be one of {BODY_MODES}, got {mode!r}")
        self.body_mode = mode
        self.prefs.set("body_mode", mode)
        self.body_changed.emit()
        self.request_avatars()

    def body_model(self) -> tuple[str, str | None]:
        """(``mannequin`` | ``smplx``, the SMPL-X folder or None), as chosen and remembered."""
        name = str(self.prefs.get("body_model", "mannequin"))
        folder = self.prefs.get("smplx_folder")
        if name == "smplx" and folder:
            return "smplx", str(folder)
        return "mannequin", None

    def set_body_model(self, name: str, folder: str | None = None) -> None:
        """Use the built-in mannequin, or SMPL-X from ``folder`` (ValueError, one line, for a
        folder without SMPLX_NEUTRAL.npz: the body stays). Avatars are fitted again."""
        if name == "smplx":
            from signstudio.avatar.bodies import find_smplx_file

            find_smplx_file(folder or "")
            self.prefs.set("smplx_folder", str(folder))
        self.prefs.set("body_model", name)
        self._drop_avatars()
        self.body_changed.emit()
        if self.body_mode == "skeleton":
            self.set_body_mode("both")
        else:
            self.request_avatars()

    def body_shape(self) -> tuple[float, ...]:
        """The 10 SMPL-X shape coefficients (betas) of the avatar, as set and remembered."""
        raw = self.prefs.get("body_shape") or [0.0] * SHAPE_SIZE
        values = [float(v) for v in list(raw)[:SHAPE_SIZE]]
        return tuple(values + [0.0] * (SHAPE_SIZE - len(values)))

    def set_body_shape(self, betas: tuple[float, ...] | list[float]) -> None:
        """New shape coefficients (each clamped to ±3): avatars on screen are fitted again."""
        values = [min(SHAPE_LIMIT, max(-SHAPE_LIMIT, float(b))) for b in list(betas)[:SHAPE_SIZE]]
        self.prefs.set("body_shape", values + [0.0] * (SHAPE_SIZE - len(values)))
        self._drop_avatars()
        self.request_avatars()

    def export_motion(self, path: str | Path) -> Path:
        """Write the shown sequence's SMPL-X parameters (from its avatar's IK) as AMASS ``.npz``.
        ValueError (one line) when there is no fitted avatar yet."""
        from signstudio.pose.formats.amass import write_amass

        seq = self.state.sequence if self.state.sequence is not None else self.state.reference
        mesh = self.avatar_of(seq)
        if seq is None or mesh is None or mesh.motion is None:
            raise ValueError("no avatar fitted yet: choose View → Avatar and skeleton first")
        return write_amass(path, mesh.motion)

    def avatar_of(self, seq: PoseSequence | None) -> AvatarMesh | None:
        """The fitted avatar of ``seq`` (None: none yet)."""
        found = self._avatars.get(id(seq)) if seq is not None else None
        return found[1] if found is not None and found[0] is seq else None

    def fitting(self, token: int) -> bool:
        """True while the fit asked for under ``token`` is still wanted (its progress is shown)."""
        return token in self._avatar_requests

    def _cancel_fits(self) -> bool:
        """Cancel every avatar fit asked for (True when there was one)."""
        tokens = list(self._avatar_requests)
        self._avatar_requests.clear()
        for token in tokens:
            self.runner.cancel_avatar(token)
        return bool(tokens)

    def _prune_fits(self) -> None:
        """Cancel the fits of sequences no longer on screen."""
        shown = (self.state.sequence, self.state.reference)
        for token, seq in list(self._avatar_requests.items()):
            if not any(seq is s for s in shown):
                del self._avatar_requests[token]
                self.runner.cancel_avatar(token)

    def _reuse_mirrored_avatar(self, sequence: PoseSequence) -> None:
        """When ``sequence`` is the mirror image of a shown sequence with an avatar, its avatar
        is that avatar mirrored: no second fit."""
        if not self._avatars or self.body_mode == "skeleton" or self.avatar_of(sequence) is not None:
            return
        from signstudio.avatar.mirror import mirror_centre, mirrored

        for old, mesh in list(self._avatars.values()):
            centre = mirror_centre(old, sequence)
            if centre is not None:
                flipped = mirrored(mesh, centre)
                shown = (self.state.sequence, self.state.reference)
                self._avatars = {k: v for k, v in self._avatars.items() if any(v[0] is s for s in shown)}
                self._avatars[id(sequence)] = (sequence, flipped)
                self.avatar_fitted.emit(sequence, flipped)
                return

    def _drop_avatars(self) -> None:
        self._cancel_fits()
        self._avatars.clear()
        self.avatars_dropped.emit()

    def request_avatars(self) -> None:
        """Ask the runner for the avatars of the pair on screen that have none yet."""
        if self.body_mode == "skeleton":
            return
        for seq in (self.state.sequence, self.state.reference):
            if seq is None or self.avatar_of(seq) is not None:
                continue
            if any(s is seq for s in self._avatar_requests.values()):
                continue
            self._avatar_tokens += 1
            self._avatar_requests[self._avatar_tokens] = seq
            name, folder = self.body_model()
            self.avatar_requested.emit(name)
            self.runner.avatar(self._avatar_tokens, seq, name, folder, self.body_shape())

    def receive_avatar(self, token: int, result: AvatarMesh | str) -> bool:
        """An avatar (or a one-line error) for request ``token``; False when its sequence is no
        longer on screen (dropped). SMPL-X that cannot load falls back to the mannequin."""
        seq = self._avatar_requests.pop(token, None)
        if seq is None or seq not in (self.state.sequence, self.state.reference):
            return False  # the pair changed meanwhile
        if isinstance(result, str):
            fell_back = self.body_model()[0] == "smplx"
            if fell_back:  # the mannequin stays when SMPL-X cannot load
                self.prefs.set("body_model", "mannequin")
            self.avatar_failed.emit(result, fell_back)
            if fell_back:
                self.body_changed.emit()
                self.request_avatars()
            return True
        shown = (self.state.sequence, self.state.reference)
        self._avatars = {k: v for k, v in self._avatars.items() if any(v[0] is s for s in shown)}
        self._avatars[id(seq)] = (seq, result)
        self.avatar_fitted.emit(seq, result)
        return True


__all__ = [
    "BODY_MODES",
    "SAVE_FORMATS",
    "MemoryPrefs",
    "Prefs",
    "RunnerPort",
    "StudioController",
    "save_format_for",
    "user_file",
]
