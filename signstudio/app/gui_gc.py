"""Garbage collection on the GUI thread only.

Why: CPython's cyclic collector runs in whichever thread happens to allocate when a threshold
is passed. A closed window whose Python wrapper sits in a reference cycle is then destroyed by
*that* thread: measured in the test suite, a `StudioWindow` was finalized on the runner's
``signstudio-avatar_0`` worker thread, its QWidget tree and GL context torn down off the GUI
thread, and the process later died of a segmentation fault in unrelated code (once in a torch
forward on the scoring thread, once in pure Python during an autosave). Qt objects must die on
the thread they live on.

What: `take_over` (once per process, with a QApplication) turns the automatic collector off and
starts a timer on the GUI thread that collects what is due every `INTERVAL_MS`, by the same
thresholds CPython uses (`collect_due`): generation g is collected when its count has passed its
threshold, the oldest such generation winning (``gc.get_count()``: allocations since the last
generation-0 pass, then passes of the younger generation since the last pass of each older one).
It also freezes the start-up heap once (`gc.freeze`): a full pass walking the modules, Qt
wrappers and corpus index stalled a result's arrival ~90 ms.

Worker threads (scoring, fits) never collect; child processes are spawned, so the model and fit
processes keep Python's automatic collector. Code that runs without an event loop in a process
where the studio took over (the test suite after its GUI tests) calls `collect_due` itself.
"""

from __future__ import annotations

import gc
import threading

from PySide6 import QtCore, QtWidgets

#: How often the GUI thread collects what is due (calibre's pattern; 1 s keeps garbage bounded
#: by one second's allocations).
INTERVAL_MS = 1000

_collector: _GuiThreadCollector | None = None
_collector_app: int | None = None  # id() of the QApplication the timer belongs to


def collect_due() -> int | None:
    """Collect the oldest generation whose count passed its threshold, on the calling thread;
    the generation collected, or None when nothing was due."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = None
    for generation in range(3):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
    if due is not None:
        gc.collect(due)
    return due


class _GuiThreadCollector(QtCore.QObject):
    """A timer on the GUI thread that collects what is due (see the module docstring)."""

    def __init__(self, app: QtCore.QCoreApplication) -> None:
        super().__init__(app)
        self._timer = QtCore.QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(collect_due)
        self._timer.start()


def take_over() -> bool:
    """Move garbage collection to the GUI thread (idempotent); False without a QApplication or
    when called off the GUI thread (nothing changes then)."""
    global _collector, _collector_app
    app = QtWidgets.QApplication.instance()
    if app is None or threading.current_thread() is not threading.main_thread():
        return False
    if gc.get_freeze_count() == 0:
        gc.freeze()
    if _collector_app != id(app):  # the first, or a new application (the old timer died with its)
        _collector, _collector_app = _GuiThreadCollector(app), id(app)
    gc.disable()  # again each time: a test or library may have turned it back on
    return True


def in_charge() -> bool:
    """Whether the GUI thread collects (the automatic collector is off because of `take_over`)."""
    return _collector is not None and not gc.isenabled()


__all__ = ["INTERVAL_MS", "collect_due", "in_charge", "take_over"]
