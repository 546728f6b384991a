"""Every check, in report order, each timed; a check that breaks is a finding, not a traceback."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict

from signstudio.doctor.check import WARN, Check
from signstudio.doctor.checkpoints import check_checkpoints
from signstudio.doctor.corpus import check_corpus
from signstudio.doctor.cuda import check_cuda
from signstudio.doctor.display import check_display, check_opengl, start_gl_probe
from signstudio.doctor.folders import BodyChoice, check_autosave, check_smplx
from signstudio.doctor.packages import check_packages, check_python


def _timed(name: str, fn: Callable[[], Check | list[Check]]) -> list[Check]:
    t0 = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:  # a check that breaks is itself a finding, not a traceback
        return [
            Check(name, WARN, f"the check itself failed: {type(exc).__name__}: {exc}", "report this as a bug")
        ]
    rows = out if isinstance(out, list) else [out]
    took = time.perf_counter() - t0
    return [c if c.seconds else Check(**{**asdict(c), "seconds": took / len(rows)}) for c in rows]


def run_checks(
    *,
    body: BodyChoice | None = None,
    read_body: Callable[[], BodyChoice] | None = None,
    progress: Callable[[Check], None] | None = None,
) -> list[Check]:
    """Every check, in report order. ``body``: the studio's (body model, SMPL-X folder) when the
    caller knows them (the window); else ``read_body()`` reads them from the studio's settings
    (the app's, given by the caller: this package imports no Qt). ``progress`` is called with each
    row as soon as it is known (in report order)."""
    display = check_display()
    proc = None
    if not display.blocks:
        with contextlib.suppress(OSError):
            proc = start_gl_probe()  # runs while the other checks do
    rows: list[Check] = []

    def add(items: list[Check]) -> None:
        for c in items:
            rows.append(c)
            if progress is not None:
                progress(c)

    try:
        add(_timed("python", check_python))
        add(_timed("packages", check_packages))
        add([display])
        add(_timed("OpenGL", lambda: check_opengl(display, proc)))
        add(_timed("CUDA", check_cuda))
        add(_timed("corpus", check_corpus))
        add(_timed("models", check_checkpoints))
        add(_timed("SMPL-X", lambda: check_smplx(body, read_body)))
        add(_timed("autosave", check_autosave))
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()
    return rows
