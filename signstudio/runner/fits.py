"""Avatar fits off the caller's thread: one at a time, each with progress and a cancel.

    fitter = AvatarFitter("process", corpus_path)
    future = fitter.fit(seq, "mannequin", None, None, progress)   # Future[AvatarMesh]
    fitter.cancel(future)        # it stops within one IK step; the future raises Cancelled

A fit has its own worker thread, so it never waits behind a generation or scoring (and they
never wait behind it), and with ``process`` isolation its own child process (a `ModelHost` at
nice 0, see `signstudio.runner.host`): at the model process's nice 10 a fit on a machine busy
with other work got a tenth of a core. The fit's torch threads are sized to the free cores in
the child (`signstudio.avatar.threads`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from signstudio.modeling.base import Cancelled

if TYPE_CHECKING:
    from signstudio.avatar.mesh import AvatarMesh
    from signstudio.pose.sequence import PoseSequence
    from signstudio.runner.host import ModelHost

FitProgress = Callable[[float, str], None]


class AvatarFitter:
    """See the module docstring. ``isolation``: ``process`` (a child of its own, started on the
    first fit) or ``thread`` (the fit runs on the worker thread itself)."""

    def __init__(self, isolation: Literal["process", "thread"], corpus: Path | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="signstudio-avatar")
        self._host: ModelHost | None = None
        if isolation == "process":
            from signstudio.runner.host import ModelHost

            self._host = ModelHost(corpus, nice=0)
        self._lock = threading.Lock()
        self._ids = 0
        self._stops: dict[Future[Any], threading.Event] = {}

    def fit(
        self,
        sequence: PoseSequence,
        body: str = "mannequin",
        folder: str | None = None,
        shape: tuple[float, ...] | None = None,
        progress: FitProgress | None = None,
    ) -> Future[AvatarMesh]:
        """IK and the posed mesh of ``sequence`` (`build_avatar`); the future raises `Cancelled`
        after `cancel`, `ModelError` (one line) when there is no avatar to be had."""
        stop = threading.Event()
        with self._lock:
            self._ids += 1
            fit_id = self._ids
        args = (sequence, body, "auto", folder, shape)
        host = self._host

        def work() -> AvatarMesh:
            if stop.is_set():
                raise Cancelled
            if host is not None:
                mesh: AvatarMesh = host.fit(fit_id, args, progress, stop.is_set)
                return mesh
            from signstudio.runner.host import _avatar

            # in this process other threads may be running torch (in-thread generation and
            # scoring): its thread pool is left as it is (`build_avatar`'s default)
            built: AvatarMesh = _avatar(*args, progress=progress, stop=stop.is_set)
            return built

        future = self._pool.submit(work)
        with self._lock:
            self._stops[future] = stop
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._stops.pop(future, None)

    def cancel(self, future: Future[Any]) -> bool:
        """Stop ``future``'s fit (queued: never started; running: within one IK step). True when
        it had not finished."""
        with self._lock:
            stop = self._stops.get(future)
        if stop is None:
            return False
        stop.set()
        future.cancel()
        return True

    def cancel_all(self) -> bool:
        """`cancel` every fit not finished yet; True when there was one."""
        with self._lock:
            futures = list(self._stops)
        return any([self.cancel(f) for f in futures])

    def warm_up(self) -> None:
        """Start the fit's child process now rather than on the first fit."""
        if self._host is not None:
            self._pool.submit(self._host.start)

    def shutdown(self, wait: bool = True) -> None:
        self.cancel_all()
        self._pool.shutdown(wait=wait)
        if self._host is not None:
            if wait:
                self._host.close()
            else:
                threading.Thread(target=self._host.close, name="signstudio-avatar-close", daemon=True).start()


__all__ = ["AvatarFitter", "FitProgress"]
