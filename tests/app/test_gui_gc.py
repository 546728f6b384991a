"""Garbage collection happens on the GUI thread only (`signstudio.app.gui_gc`).

The failure it prevents, measured in this suite: a closed window held only by a reference cycle
was finalized on the runner's worker thread by the automatic collector, and the process later
died of a segmentation fault elsewhere.
"""

from __future__ import annotations

import gc
import threading
import weakref

import pytest


def _churn() -> None:
    """Allocate like a busy worker: many container objects that live a while (they reach the
    old generation, which is what lets the automatic collector run a full pass)."""
    keep: list[list[object]] = []
    for i in range(400_000):
        item: list[object] = [i]
        item.append(item)
        keep.append(item)
        if len(keep) > 150_000:
            keep.clear()


@pytest.mark.gui
def test_the_studio_window_hands_collection_to_the_gui_thread(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    from signstudio.app import gui_gc
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.store import open_corpus
    from signstudio.runner.service import Runner

    corpus = open_corpus(quiet=True)
    seq = corpus.word_sequence("ase", corpus.words("ase", "test")[0], "upper50")
    gc.enable()  # as a fresh process has it
    win = StudioWindow(seq, None, bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    assert gui_gc.in_charge() and not gc.isenabled()
    assert gc.get_freeze_count() > 0  # the start-up heap is out of the collector's walks


@pytest.mark.gui
def test_a_widget_in_a_garbage_cycle_dies_on_the_gui_thread_never_a_worker(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtWidgets

    from signstudio.app import gui_gc

    assert gui_gc.take_over()
    widget = QtWidgets.QWidget()
    died_on: list[str] = []
    weakref.finalize(widget, lambda: died_on.append(threading.current_thread().name))
    cycle: dict[str, object] = {"widget": widget}
    cycle["cycle"] = cycle  # reachable only through a cycle: only the collector can free it
    del widget, cycle

    worker = threading.Thread(target=_churn, name="busy-worker")
    worker.start()
    worker.join()
    assert died_on == [], f"the widget was destroyed on {died_on[0]!r}, not the GUI thread"
    while gui_gc.collect_due() not in (None, 2):  # what the GUI thread's timer does
        pass
    gc.collect()
    assert died_on == ["MainThread"]


def test_collect_due_follows_the_thresholds() -> None:
    from signstudio.app import gui_gc

    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.disable()
    try:
        gc.set_threshold(10**9, 10, 10)
        assert gui_gc.collect_due() is None  # far below the threshold: nothing due
        gc.set_threshold(100, 10, 10)
        junk = [[[]] for _ in range(1000)]
        assert gui_gc.collect_due() == 0
        del junk
    finally:
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()
