"""The model process: generations run in a child process so the GUI thread keeps the GIL.

spoken-to-signed's pipeline makes thousands of small numpy calls that release and retake the
GIL; a thread waiting for the GIL meanwhile is woken and sent back to wait again and again (the
"convoy effect"), so in one process a GUI-like thread waited up to 66 ms (p99 ~ 25-40 ms) while
a two-word lookup ran on a worker thread. With the work in a child process it waits at most a
few ms (``python -m signstudio.runner.stall`` measures both). The price: the child's start
(spawn, imports, model load: ~1.5 s, once) and pickling each result (a few ms).

Protocol over one duplex pipe; the parent sends ``("run", request_id, Task)`` or ``("stop",)``,
the child answers ``("progress", fraction, message)``..., then one of ``("done", Outcome)``,
``("cancelled",)``, ``("error", line, user_error)``. Cancel goes through a shared integer: every
request id <= it is cancelled, which is all "newest wins" needs with one child.

The child runs at nice 0 with torch's threads sized to the free cores before each request (at
nice 10, as it once ran, a model gets about a tenth of a core next to any ordinary process: a
lookup took 20x its idle time beside two CPU hogs). Avatar fits go to a host of their own
(`signstudio.runner.fits`), also nice 0, one thread sized to the free cores
(`signstudio.avatar.threads`), so it never crowds the window. A fit is ``("fit", fit_id, args)``;
its cancel is a second shared integer set to the fit's id (one fit at a time per host).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from signstudio.modeling.base import Cancelled, CancelToken, ModelError
from signstudio.runner.scoring import score_pair
from signstudio.runner.work import ModelCache, Outcome, Task, execute, one_line

log = logging.getLogger(__name__)


def _avatar(*args: Any, **kwargs: Any) -> Any:
    """`build_avatar` with its errors as the runner's: ModelError (one line), Cancelled."""
    from signstudio.avatar.build import build_avatar
    from signstudio.avatar.ik import FitCancelled

    try:
        return build_avatar(*args, **kwargs)
    except ValueError as exc:
        raise ModelError(str(exc)) from None
    except FitCancelled:
        raise Cancelled from None


#: what the child runs besides generations, by name
CALLS: dict[str, Any] = {"score": score_pair, "avatar": _avatar}

_POLL_S = 0.02  # how often the waiting parent thread passes a cancel on to the child


class ModelProcessError(ModelError):
    """The model process crashed, or failed in a way a user cannot fix; the message is one
    readable line all the same (shown as it is)."""


class _SharedToken(CancelToken):
    """The child's view of the parent's cancel: request ``request_id`` is cancelled once the
    shared value reaches it."""

    def __init__(self, shared: Any, request_id: int) -> None:
        super().__init__()
        self._shared = shared
        self._request_id = request_id

    @property
    def cancelled(self) -> bool:
        return bool(self._shared.value >= self._request_id)

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled

    def cancel(self) -> None:
        raise RuntimeError("cancel from the parent process")


def _answer_fit(conn: Connection, fit_shared: Any, fit_id: int, args: tuple[Any, ...]) -> None:
    """Run one avatar fit in the child and send its answer (progress on the way)."""

    def progress(fraction: float, message: str) -> None:
        conn.send(("progress", fraction, message))

    try:
        stop = lambda: fit_shared.value == fit_id  # noqa: E731
        # this child runs one thing at a time: the only place torch's pool may be resized
        conn.send(("done", _avatar(*args, progress=progress, stop=stop, size_threads=True)))
    except Cancelled:
        conn.send(("cancelled",))
    except ModelError as exc:
        conn.send(("error", one_line(exc), True))
    except Exception as exc:
        log.exception("model process: avatar fit failed")
        conn.send(("error", one_line(exc), False))


def _size_torch() -> None:
    """torch's threads sized to the cores free now (`signstudio.avatar.threads`), once torch is in
    use: its default (every core) next to other work makes each small step wait for a thread
    that is not running, and would take the window's core."""
    if "torch" in sys.modules:
        from signstudio.avatar.threads import threads_now

        sys.modules["torch"].set_num_threads(threads_now())


def _child_main(
    conn: Connection, shared: Any, corpus: str | None, nice: int = 0, fit_shared: Any = None
) -> None:
    # nice 0 (it was 10): below ordinary work a model got a tenth of a core on a busy machine (a
    # lookup took 20x its idle time next to two CPU hogs); the window keeps its core because
    # torch's threads leave one free (`_size_torch`).
    if nice:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(nice)
    models = ModelCache()
    corpus_path = Path(corpus) if corpus else None
    try:
        while True:
            try:
                msg = conn.recv()
            except EOFError:  # the parent went away
                return
            if msg[0] == "fit":
                _answer_fit(conn, fit_shared, msg[1], msg[2])
                continue
            if msg[0] in CALLS:
                try:
                    conn.send(("done", CALLS[msg[0]](*msg[1])))
                except ModelError as exc:
                    conn.send(("error", one_line(exc), True))
                except Exception as exc:
                    log.exception("model process: scoring failed")
                    conn.send(("error", one_line(exc), False))
                continue
            if msg[0] != "run":
                return
            _, request_id, task = msg
            token = _SharedToken(shared, request_id)

            def progress(fraction: float, message: str) -> None:
                conn.send(("progress", fraction, message))

            try:
                _size_torch()
                outcome = execute(task, models, corpus_path, progress, token)
                conn.send(("done", outcome))
            except Cancelled:
                conn.send(("cancelled",))
            except ModelError as exc:
                conn.send(("error", one_line(exc), True))
            except Exception as exc:
                log.exception("model process: request %d failed", request_id)
                conn.send(("error", one_line(exc), False))
    finally:
        models.close()


class ModelHost:
    """A child process (spawned on first use, restarted after a crash) that runs `execute`.

    One generation at a time: callers from several threads take turns.
    """

    def __init__(self, corpus: Path | None = None, nice: int = 0) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # fork would copy the GUI's threads and Qt
        self._corpus = str(corpus) if corpus else None
        self._nice = nice
        self._shared = self._ctx.Value("q", 0)
        self._fit_shared = self._ctx.Value("q", 0)  # the id of the fit to cancel
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def cancel_upto(self, request_id: int) -> None:
        """Cancel every request with an id <= ``request_id``."""
        with self._shared.get_lock():
            if self._shared.value < request_id:
                self._shared.value = request_id

    def run(
        self, request_id: int, task: Task, progress: Callable[[float, str], None], cancel: CancelToken
    ) -> Outcome:
        def poll() -> None:
            if cancel.cancelled:
                self.cancel_upto(request_id)

        outcome: Outcome = self._exchange(("run", request_id, task), progress, poll)
        return outcome

    def call(self, name: str, *args: Any) -> Any:
        """One of `CALLS` in the child (``score``: `score_pair`, tens of ms once the encoders are
        loaded; ``avatar``: `build_avatar`, seconds): no progress, no cancel."""
        if name not in CALLS:
            raise ValueError(f"the model process has no call {name!r}")
        return self._exchange((name, args))

    def fit(
        self,
        fit_id: int,
        args: tuple[Any, ...],
        progress: Callable[[float, str], None] | None,
        cancelled: Callable[[], bool],
    ) -> Any:
        """`build_avatar(*args)` in the child with progress; `Cancelled` within one IK step of
        ``cancelled()`` turning true (checked every few ms while it runs)."""

        def poll() -> None:
            if cancelled():
                self._fit_shared.value = fit_id

        return self._exchange(("fit", fit_id, args), progress, poll)

    def _exchange(
        self,
        message: tuple[Any, ...],
        progress: Callable[[float, str], None] | None = None,
        poll: Callable[[], None] | None = None,
    ) -> Any:
        """Send ``message`` and wait for its answer (``done``), passing progress on; `Cancelled`,
        `ModelError` or `ModelProcessError` for the other answers and for a child that died."""
        with self._lock:
            conn = self._ensure_started()
            conn.send(message)
            while True:
                if poll is not None:
                    poll()
                if not conn.poll(_POLL_S):
                    if not self._proc.is_alive():
                        raise self._died()
                    continue
                try:
                    msg = conn.recv()
                except EOFError:
                    raise self._died() from None
                if msg[0] == "progress":
                    if progress is not None:
                        progress(msg[1], msg[2])
                elif msg[0] == "done":
                    return msg[1]
                elif msg[0] == "cancelled":
                    raise Cancelled
                else:
                    _, line, user_error = msg
                    raise ModelError(line) if user_error else ModelProcessError(line)

    def start(self) -> None:
        """Start the child now (e.g. after the window's first paint) instead of on first use."""
        with self._lock:
            self._ensure_started()

    def close(self, timeout: float = 5.0) -> None:
        self.cancel_upto(2**62)
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError, ValueError):  # already gone
                    self._conn.send(("stop",))
            if self._proc is not None:
                self._proc.join(timeout)
                if self._proc.is_alive():
                    self._proc.terminate()
                    self._proc.join(timeout)
            self._reset()
        with self._shared.get_lock():
            self._shared.value = 0

    def _ensure_started(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._reset()
        parent, child = self._ctx.Pipe(duplex=True)
        self._proc = self._ctx.Process(
            target=_child_main,
            args=(child, self._shared, self._corpus, self._nice, self._fit_shared),
            name="signstudio-models",
            daemon=True,
        )
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def _died(self) -> ModelProcessError:
        self._proc.join(1.0)
        code = self._proc.exitcode
        self._reset()
        return ModelProcessError(
            f"the model process stopped (exit code {code}); the next request restarts it"
        )

    def _reset(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._proc = None
