"""The inference service behind the studio's Generate button: request -> response, off the caller's thread.

    runner = Runner()
    rid = runner.submit(GenerateRequest("hello", "ase"), on_progress, on_done)
    runner.cancel()                  # the running request stops at its next slice of work
    runner.shutdown()

``on_progress(request_id, fraction, message)`` and ``on_done(response)`` run on the worker
thread; the app re-emits them as Qt signals (this module never imports Qt). Every submitted
request gets exactly one ``on_done``, also when it fails or is cancelled; failures come back as
``response.error`` (one readable line), never as an exception in the caller.

Newest wins: submitting a request cancels every older one still queued or running, and a
response is ``stale`` when a newer request was submitted before it finished. Because a newer
request can arrive while a response travels to the GUI thread, the receiver should also drop a
response for which ``runner.is_current(response.request_id)`` is False.

Isolation: by default (``isolation="process"``) the model runs in a child process
(`signstudio.runner.host`), because spoken-to-signed's pipeline, run on a thread of the GUI's
process, kept a GUI-like thread from the GIL for up to 66 ms (the issue's budget is 50 ms); from
a child process the stall is a few ms. ``isolation="thread"`` runs it on the worker thread itself
(the CLI, tests with injected models; nothing to start, but the stall is back).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from signstudio.modeling.base import Cancelled, CancelToken, ModelError
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.scoring import PairScores
from signstudio.runner.work import Alignment, Loader, ModelCache, Task, execute, one_line

if TYPE_CHECKING:
    from signstudio.avatar.mesh import AvatarMesh
    from signstudio.corpus.store import Corpus
    from signstudio.runner.host import ModelHost

log = logging.getLogger(__name__)

ProgressHandler = Callable[[int, float, str], None]
DoneHandler = Callable[["GenerateResponse"], None]

# Finished responses kept for `Runner.wait` (a few: they hold sequences).
_KEEP_DONE = 8


@dataclass(frozen=True)
class GenerateRequest:
    """text: what to sign, or in ``prompt_mode`` a request such as "How do I sign 'water' in DGS?".
    lang: ISO 639-3 sign language code (in prompt mode, the fallback when the prompt names none).
    model_id: a registered model; device: ``auto`` | ``cpu`` | ``cuda`` | ``cuda:N``.
    options: per-call model options (the model's config fields). reference: also look up the
    lexicon reference (ground truth) in ``reference_layout``. lexicons: folders of signs in
    priority order, variant_choices: (words, sign file) pairs the user chose; both go to a model
    that signs with lexicons (``uses_lexicons``: lookup) and are ignored by the others."""

    text: str
    lang: str
    model_id: str = "lookup"
    prompt_mode: bool = False
    device: str = "auto"
    options: Mapping[str, Any] = field(default_factory=dict)
    reference: bool = True
    reference_layout: str = "holistic"
    lexicons: tuple[Path, ...] = ()
    variant_choices: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "lexicons", tuple(Path(f) for f in self.lexicons))
        object.__setattr__(self, "variant_choices", tuple((str(w), str(p)) for w, p in self.variant_choices))


@dataclass(frozen=True)
class GenerateResponse:
    """What came of a request.

    sequence: the generated signing (None on error or cancel); reference: its lexicon reference
    (None when not asked for or when there is none: ``reference_reason`` says why).
    text / lang: what was signed and in which sign language (read from the prompt in prompt mode;
    ``lang_from_prompt`` says whether the prompt named the language).
    error: one readable line, or None. cancelled: stopped by `Runner.cancel` or a newer request.
    stale: a newer request was submitted before this one finished (drop it).
    seconds: wall time from the start of work to the response.
    alignment: DTW of sequence against reference (path for the time warp, score), or None.
    scores: everything `signstudio.runner.scoring.score_pair` measured of the pair (curves,
    heat map, back-translation), or None on error or cancel.
    """

    request_id: int
    request: GenerateRequest
    sequence: PoseSequence | None = None
    reference: PoseSequence | None = None
    text: str = ""
    lang: str = ""
    error: str | None = None
    cancelled: bool = False
    stale: bool = False
    seconds: float = 0.0
    reference_reason: str | None = None
    lang_from_prompt: bool = False
    device: str = ""
    alignment: Alignment | None = None
    scores: PairScores | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled and self.sequence is not None


@dataclass(frozen=True)
class Extracted:
    text: str
    lang: str
    lang_from_prompt: bool


def extract_request(request: GenerateRequest) -> Extracted:
    """The text to sign and the sign language of a request (`ModelError` if there is no text)."""
    if not request.prompt_mode:
        text = request.text.strip()
        if not text:
            raise ModelError("nothing to sign: type a word or a few words")
        return Extracted(text, request.lang, False)
    from signstudio.corpus.prompts import extract_text

    found, code = extract_text(request.text, guess=True)
    if not found or not found.strip():
        raise ModelError(
            "could not find the text to sign in the prompt; put it in quotes, "
            "e.g. How do I sign 'water' in German Sign Language?"
        )
    return Extracted(found.strip(), code or request.lang, code is not None)


def _reads_prompts(model_id: str) -> bool:
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.registry import model_info

    try:
        return model_info(model_id).reads_prompts
    except ModelError:
        return False  # an unknown model: loading it will say so


@dataclass
class _Job:
    request_id: int
    request: GenerateRequest
    token: CancelToken
    on_progress: ProgressHandler | None
    on_done: DoneHandler | None
    future: Future[GenerateResponse] | None = None


class Runner:
    """Runs `GenerateRequest`s on ``max_workers`` background threads, newest request first.

    isolation: ``process`` (the model runs in a child process; for the GUI) or ``thread``.
    corpus: where references come from (a `Corpus`, a cache path, or None: the default cache
    when built, the lexicon recordings otherwise).
    loader: ``(model_id, device) -> SignModel`` for ``thread`` isolation (default `load_model`;
    tests inject fakes).
    """

    def __init__(
        self,
        max_workers: int = 1,
        *,
        isolation: Literal["process", "thread"] = "process",
        corpus: Corpus | Path | None = None,
        loader: Loader | None = None,
    ) -> None:
        if isolation not in ("process", "thread"):
            raise ValueError(f"isolation must be 'process' or 'thread', got {isolation!r}")
        if loader is not None and isolation == "process":
            raise ValueError("a custom loader needs isolation='thread' (the model process loads its own)")
        self.isolation = isolation
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="signstudio-runner")
        self._corpus = corpus
        self._models = ModelCache(loader)
        self._host: ModelHost | None = None
        if isolation == "process":
            from signstudio.runner.host import ModelHost

            # the child opens its own copy: an open h5 file does not cross processes
            path = corpus if corpus is None or isinstance(corpus, Path) else corpus.path
            self._host = ModelHost(path)
        from signstudio.runner.fits import AvatarFitter

        fit_corpus = corpus if corpus is None or isinstance(corpus, Path) else corpus.path
        self._fitter = AvatarFitter(isolation, fit_corpus)  # own thread (and child): see runner.fits
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._done: OrderedDict[int, GenerateResponse] = OrderedDict()
        self._latest: int | None = None
        self._closed = False

    # ---- public ------------------------------------------------------------------------------
    @property
    def latest_id(self) -> int | None:
        """The id of the newest submitted request (None before the first)."""
        return self._latest

    def is_current(self, request_id: int) -> bool:
        """True while no newer request has been submitted."""
        return request_id == self._latest

    def submit(
        self,
        request: GenerateRequest,
        on_progress: ProgressHandler | None = None,
        on_done: DoneHandler | None = None,
    ) -> int:
        """Queue ``request``; older requests still queued or running are cancelled. Returns its id."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the runner was shut down")
            request_id = next(self._ids)
            for job in self._jobs.values():
                job.token.cancel()
            if self._host is not None:
                self._host.cancel_upto(request_id - 1)
            job = _Job(request_id, request, CancelToken(), on_progress, on_done)
            self._jobs[request_id] = job
            self._latest = request_id
            job.future = self._pool.submit(self._run_job, job)
        return request_id

    def score(
        self,
        sequence: PoseSequence,
        reference: PoseSequence | None,
        text: str | None,
        lang: str | None,
    ) -> Future[PairScores]:
        """Score a pair off the calling thread, where the models run (`score_pair`): after an
        edit, a file opened, a reference replaced. Queued behind a running generation; the
        future raises `ModelError` with one readable line when scoring fails."""
        return self._call("score", sequence, reference, text, lang)

    def avatar(
        self,
        sequence: PoseSequence,
        body: str = "mannequin",
        folder: str | None = None,
        shape: tuple[float, ...] | None = None,
        progress: Callable[[float, str], None] | None = None,
    ) -> Future[AvatarMesh]:
        """IK and the posed ``body`` mesh of every frame (`build_avatar`; ``folder``: SMPL-X's
        model folder), off the calling thread, on a worker and process of its own
        (`signstudio.runner.fits`); ``progress(fraction, message)`` on that thread. The future
        raises `ModelError` with one line when it cannot, `Cancelled` after `cancel_avatar`."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the runner was shut down")
        return self._fitter.fit(sequence, body, folder, shape, progress)

    def cancel_avatar(self, future: Future[Any] | None = None) -> bool:
        """Stop the fit behind ``future`` (default: every fit not finished); True if one was."""
        return self._fitter.cancel_all() if future is None else self._fitter.cancel(future)

    def _call(self, name: str, *args: Any) -> Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the runner was shut down")
        host = self._host

        def work() -> Any:
            if host is not None:
                return host.call(name, *args)
            from signstudio.runner.host import CALLS

            try:
                return CALLS[name](*args)
            except ModelError:
                raise
            except Exception as exc:
                log.error("%s failed", name, exc_info=True)
                raise ModelError(one_line(exc)) from exc

        return self._pool.submit(work)

    def cancel(self, request_id: int | None = None) -> bool:
        """Cancel one request (default: every unfinished one). True if something was cancelled."""
        with self._lock:
            jobs = list(self._jobs.values()) if request_id is None else [self._jobs.get(request_id)]
        found = False
        for job in jobs:
            if job is not None:
                job.token.cancel()
                found = True
        return found

    def wait(self, request_id: int, timeout: float | None = None) -> GenerateResponse:
        """Block until the request's response is ready (for the CLI and tests, not the GUI thread)."""
        with self._lock:
            job = self._jobs.get(request_id)
            done = self._done.get(request_id)
        if done is not None:
            return done
        if job is None or job.future is None:
            raise KeyError(f"no request {request_id} (unknown, or finished long ago)")
        return job.future.result(timeout)

    def run(self, request: GenerateRequest, on_progress: ProgressHandler | None = None) -> GenerateResponse:
        """Submit and wait: the synchronous form (``signstudio generate``)."""
        return self.wait(self.submit(request, on_progress))

    def warm_up(self) -> None:
        """Start the model process now (call after the first paint) rather than on the first request."""
        if self._host is not None:
            self._pool.submit(self._host.start)

    def loaded_models(self) -> list[tuple[str, str]]:
        """(model id, device) of the models loaded in this process (``thread`` isolation)."""
        return self._models.loaded()

    def shutdown(self, wait: bool = True) -> None:
        """Cancel everything, stop the workers and the model process, free the models.

        ``wait=False`` returns at once (a window closing): the running request stops at its
        next slice of work and the model process is stopped from a background thread.
        """
        with self._lock:
            self._closed = True
            for job in self._jobs.values():
                job.token.cancel()
        host = self._host
        if host is not None:
            host.cancel_upto(2**62)
        self._fitter.shutdown(wait=wait)
        self._pool.shutdown(wait=wait)
        if wait:
            if host is not None:
                host.close()
            self._models.close()
        else:
            # multiprocessing's exit handler still ends the (daemonic) child if the app exits first
            def close() -> None:
                if host is not None:
                    host.close()
                self._models.close()

            threading.Thread(target=close, name="signstudio-runner-close", daemon=True).start()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ---- worker ------------------------------------------------------------------------------
    def _run_job(self, job: _Job) -> GenerateResponse:
        start = time.perf_counter()
        out: dict[str, Any] = {}  # filled as the work advances: text and lang survive a failure
        try:
            self._work(job, out)
        except Cancelled:
            out.update(cancelled=True, sequence=None, reference=None)
        except ModelError as exc:  # expected: the message says it all
            log.info("request %d: %s", job.request_id, exc)
            out.update(error=one_line(exc), sequence=None, reference=None)
        except Exception as exc:
            log.error("request %d failed", job.request_id, exc_info=True)
            out.update(error=one_line(exc), sequence=None, reference=None)
        with self._lock:
            self._jobs.pop(job.request_id, None)
            stale = job.request_id != self._latest
        response = GenerateResponse(
            job.request_id, job.request, stale=stale, seconds=time.perf_counter() - start, **out
        )
        with self._lock:
            self._done[job.request_id] = response
            while len(self._done) > _KEEP_DONE:
                self._done.popitem(last=False)
        if job.on_done is not None:
            try:
                job.on_done(response)
            except Exception:  # a broken callback must not kill the worker
                log.exception("on_done of request %d raised", job.request_id)
        return response

    def _work(self, job: _Job, out: dict[str, Any]) -> None:
        request, token = job.request, job.token
        token.raise_if_cancelled()
        model_reads = request.prompt_mode and _reads_prompts(request.model_id)
        if model_reads:  # the model finds text and language itself, in its own process
            extracted = Extracted(request.text, request.lang, False)
        else:
            extracted = extract_request(request)
            out.update(text=extracted.text, lang=extracted.lang, lang_from_prompt=extracted.lang_from_prompt)
        task = Task(
            extracted.text,
            extracted.lang,
            request.model_id,
            request.device,
            dict(request.options),
            request.reference,
            request.reference_layout,
            read_prompt=model_reads,
            lexicons=request.lexicons,
            variant_choices=request.variant_choices,
        )
        progress = self._progress(job)
        if self._host is not None:
            outcome = self._host.run(job.request_id, task, progress, token)
        else:
            outcome = execute(task, self._models, self._corpus, progress, token)
        out.update(
            sequence=outcome.sequence,
            reference=outcome.reference,
            reference_reason=outcome.reference_reason,
            device=outcome.device,
            alignment=outcome.alignment,
            scores=outcome.scores,
        )
        if model_reads:
            out.update(text=outcome.text, lang=outcome.lang, lang_from_prompt=outcome.lang_from_prompt)

    def _progress(self, job: _Job) -> Callable[[float, str], None]:
        def progress(fraction: float, message: str) -> None:
            if job.on_progress is None:
                return
            try:
                job.on_progress(job.request_id, min(max(fraction, 0.0), 1.0), message)
            except Exception:
                log.exception("on_progress of request %d raised", job.request_id)

        return progress
