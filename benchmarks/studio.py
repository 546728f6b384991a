"""Studio benchmarks: launch to first painted frame, and GUI stalls while generating.

Run under a display (``xvfb-run -a python -m benchmarks.studio``); `signstudio bench`
runs it in a child process. Each figure comes with a baseline measured in the same run:

startup  seconds from process start to the first painted GL frame of ``signstudio app FILE``,
         against a bare PySide6 window with one empty pyqtgraph GL view (what any Qt + GL app
         pays); also whether torch was imported by then (it must not be).
stall    the longest gap of a 2 ms GUI timer while the studio generates (request, model run in
         the runner's child process, result applied to the views), against the same probe on
         an idle window; and the GUI thread's own CPU time in the longest gap while a result is
         applied (what stalls the window on an idle machine; wall gaps on a busy one are mostly
         other processes holding the cores); and how many times the timeline's curve strip was
         painted per applied result (once is right).
edit     on a 300-frame sequence with its reference: a joint dragged in the viewport, from each
         mouse move to the repaint that shows it, and from the release (one undo step) to its
         repaint and to the pair's new scores (DTW/FGD strip and Metrics, computed off the GUI
         thread in the model process); baseline: stepping one frame to its repaint, same window,
         same run. The GUI timer's longest gap while the re-scoring runs is reported too.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BARE_WINDOW = r"""
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from PySide6 import QtWidgets
import pyqtgraph.opengl as gl
app = QtWidgets.QApplication(["bare"])
class View(gl.GLViewWidget):
    def paintGL(self, *a, **k):
        super().paintGL(*a, **k)
        print(f"startup: first frame painted after {time.time() - t0:.3f} s", flush=True)
        os._exit(0)
v = View()
v.addItem(gl.GLGridItem())
v.resize(800, 600)
v.show()
app.exec()
"""

PAINTED = re.compile(r"first frame painted after ([0-9.]+) s(?:; torch imported: (\w+))?")


def _first_paint(cmd: list[str], env: dict[str, str]) -> tuple[float, bool | None]:
    env = {**env, "BENCH_T0": f"{time.time():.6f}"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)
    m = PAINTED.search(proc.stdout + proc.stderr)
    if not m:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{cmd[:4]}: no first-paint line (exit {proc.returncode}): {tail[0]}")
    torch = None if m.group(2) is None else m.group(2) == "True"
    return float(m.group(1)), torch


def startup(repeats: int = 3) -> dict[str, Any]:
    from signstudio.corpus.lexicon import alphabet
    from signstudio.pose.formats import read_one, write

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "xcb")
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.pose"
        write(sample, read_one(alphabet("ase")["w"].path))
        env["SIGNSTUDIO_CONFIG_DIR"] = str(Path(tmp) / "config")
        env["SIGNSTUDIO_REPORT_STARTUP"] = "1"
        studio_cmd = [sys.executable, "-m", "signstudio", "app", str(sample), "--quit"]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        studio, bare, torch_seen = [], [], []
        for _ in range(repeats):  # interleaved, so load changes hit both alike
            b, _t = _first_paint(bare_cmd, env)
            s, torch = _first_paint(studio_cmd, env)
            bare.append(b)
            studio.append(s)
            torch_seen.append(bool(torch))
    s_med, b_med = statistics.median(studio), statistics.median(bare)
    return {
        "studio_s": s_med,
        "bare_qt_gl_s": b_med,
        "ratio": s_med / b_med,
        "torch_imported_before_first_paint": any(torch_seen),
        "runs": {"studio": studio, "bare": bare},
    }


def _open_studio(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The QApplication and a shown, painted 1400x900 studio window (settings and autosaves in
    temporary folders)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    os.environ.setdefault("SIGNSTUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="signstudio-bench-"))
    os.environ.setdefault("SIGNSTUDIO_AUTOSAVE_DIR", tempfile.mkdtemp(prefix="signstudio-bench-"))
    from PySide6 import QtWidgets

    from signstudio.app.qt_boot import prepare_qt
    from signstudio.app.window import StudioWindow

    prepare_qt()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["bench"])
    win = StudioWindow(*args, auto_generate=False, **kwargs)
    win.resize(1400, 900)
    win.show()
    win.wait_painted()
    return app, win


def _sleep_until(app: Any, done: Callable[[], bool], timeout: float) -> float:
    """Sleep in the event loop until ``done()`` or ``timeout`` s; returns the time then. A spinning
    wait would hold the GIL and a core that the runner's reader thread and the model process need,
    and measure itself rather than the studio (a running timer must wake the loop)."""
    from PySide6 import QtCore

    end = time.perf_counter() + timeout
    while not done() and time.perf_counter() < end:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    return time.perf_counter()


class _GapProbe:
    """A precise 2 ms GUI timer recording (end time, gap) between its ticks: the event-loop stalls.
    ``cpu`` holds, per gap, the GUI thread's own CPU time in it (`time.thread_time`): the work
    that stalled the loop, without the time other processes held the cores (on a shared, busy
    machine the wall gaps are mostly the scheduler's)."""

    def __init__(self) -> None:
        from PySide6 import QtCore

        self.gaps: list[tuple[float, float]] = []
        self.cpu: list[float] = []
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.timer = QtCore.QTimer()
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append((now, now - self.last))
        self.cpu.append(cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def restart(self) -> None:
        """Forget the gaps so far; the next one counts from now."""
        self.gaps.clear()
        self.cpu.clear()
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()

    def values(self) -> list[float]:
        return [g for _, g in self.gaps]


class _Paints:
    """When a widget was painted (`time.perf_counter` per paint event it got)."""

    def __init__(self, widget: Any) -> None:
        from PySide6 import QtCore

        times: list[float] = []
        self.times = times

        class Filter(QtCore.QObject):
            def eventFilter(self, _watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
                if event.type() == QtCore.QEvent.Type.Paint:
                    times.append(time.perf_counter())
                return False

        self.filter = Filter()
        widget.installEventFilter(self.filter)

    def between(self, start: float, end: float) -> int:
        return sum(1 for t in self.times if start <= t <= end)


def _stall_summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values) or [0.0]
    return {"max_ms": ms[-1], "p99_ms": ms[int(0.99 * (len(ms) - 1))], "samples": len(ms)}


def _generate_once(win: Any, text: str) -> float:
    """Seconds from a lookup generation of ``text`` to the window's ``generation_finished``."""
    from PySide6 import QtCore

    loop = QtCore.QEventLoop()
    win.generation_finished.connect(loop.quit)
    started = time.perf_counter()
    win.generate(text, "ase", "lookup", False)
    QtCore.QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    win.generation_finished.disconnect(loop.quit)
    return time.perf_counter() - started


def stall(generations: int = 4, text: str = "wonderful") -> dict[str, Any]:
    from PySide6 import QtCore

    app, win = _open_studio()
    arrivals: list[tuple[float, float]] = []  # (response arrived, result applied) per generation
    # Note when each response reaches the GUI thread, before the window applies it.
    arrived = [0.0]
    win.bridge.finished.disconnect(win._on_finished)

    def on_finished(response: object) -> None:
        arrived[0] = time.perf_counter()
        win._on_finished(response)

    win.bridge.finished.connect(on_finished)
    wake = QtCore.QTimer()  # keeps the waits short before the probe starts
    wake.start(5)
    probe = _GapProbe()
    strip_paints = _Paints(win.timeline.strip.viewport())
    _generate_once(win, text)  # warm: the runner's child process starts and loads the model once
    probe.timer.start(2)
    _sleep_until(app, lambda: False, 1.0)  # let the first result's repaints pass
    probe.restart()
    _sleep_until(app, lambda: False, 2.0)
    idle = probe.values()
    idle_cpu = list(probe.cpu)
    probe.restart()
    seconds = []
    for _ in range(generations):
        seconds.append(_generate_once(win, text))
        arrivals.append((arrived[0], time.perf_counter()))
        _sleep_until(app, lambda: False, 0.3)  # the result's repaints land here; they count as applying
    probe.timer.stop()
    win.close()

    def applying(end: float, gap: float) -> bool:
        # A gap belongs to applying a result when it overlaps [arrival, applied + 0.3 s].
        return any(end - gap < done + 0.3 and end > start for start, done in arrivals)

    paints = [strip_paints.between(start, done + 0.3) for start, done in arrivals]
    run_s = _stall_summary([g for end, g in probe.gaps if not applying(end, g)])
    idle_s = _stall_summary(idle)
    pairs = zip(probe.gaps, probe.cpu, strict=True)
    apply_cpu = _stall_summary([c for (end, g), c in pairs if applying(end, g)])
    idle_cpu_s = _stall_summary(idle_cpu)
    return {
        "text": text,
        "generations": generations,
        "generation_s": statistics.median(seconds),
        "idle": idle_s,
        "model_running": run_s,
        "applying_result": _stall_summary([g for end, g in probe.gaps if applying(end, g)]),
        "applying_result_cpu": apply_cpu,  # the GUI thread's CPU time per gap: its own work
        "idle_cpu": idle_cpu_s,
        "ratio_apply_cpu": apply_cpu["max_ms"] / max(idle_cpu_s["max_ms"], 1e-9),
        "timeline_paints_per_result": paints,  # the curve strip's paint events per applied result
        "stall_ms": run_s["max_ms"],
        "ratio_p99": run_s["p99_ms"] / max(idle_s["p99_ms"], 1e-9),
    }


def _long_pair(frames: int) -> tuple[Any, Any]:
    """A real ``frames``-frame sequence (consecutive ASL test words joined end to end) and a
    reference of the same words in another order."""
    import numpy as np

    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    words = corpus.words("ase", "test")
    seqs = []
    total = 0
    for word in words:
        seqs.append(corpus.word_sequence("ase", word, "upper50"))
        total += seqs[-1].num_frames
        if total >= 2 * frames:
            break

    def glue(parts: list[Any]) -> Any:
        first = parts[0]
        return first.replace(
            data=np.concatenate([p.data for p in parts])[:frames],
            confidence=np.concatenate([p.confidence for p in parts])[:frames],
            filled=np.concatenate([p.filled for p in parts])[:frames],
            meta={**first.meta, "text": " ".join(str(p.meta.get("text", "")) for p in parts)[:60]},
        )

    return glue(seqs), glue(seqs[::-1])


class _EditTimes:
    """Per drag: two frame steps (the baseline), each mouse move, the release, the new scores."""

    def __init__(self) -> None:
        self.step: list[float] = []
        self.move: list[float] = []
        self.release: list[float] = []
        self.rescore: list[float] = []
        self.rescore_gaps: list[float] = []


def _drag_once(
    app: Any, win: Any, drag: tuple[int, int, int], scored: list[float], times: _EditTimes, probe: _GapProbe
) -> None:
    """Step a frame each way, then drag the joint ``drag = (joint, frame, moves)`` moves times and
    release; each to its repaint, and from the release to the pair's new scores (``scored[0]``: when
    they were drawn; the GUI probe runs meanwhile)."""
    from PySide6 import QtCore

    from signstudio.app.pointer import send_mouse

    wrist, frame, moves = drag
    view = win.viewport.view

    def repainted(action: Callable[[], object]) -> float:
        count = view.paint_count
        start = time.perf_counter()
        action()
        return _sleep_until(app, lambda: view.paint_count > count, 60.0) - start

    win.clock.frame = frame
    _sleep_until(app, lambda: False, 0.05)
    times.step.append(repainted(win.timeline.step_forward))
    times.step.append(repainted(win.timeline.step_back))
    start = win.viewport.joint_pixel(wrist)
    send_mouse(view, "press", start)
    for m in range(1, moves + 1):
        to = start + QtCore.QPointF(-6 * m, -5 * m)
        times.move.append(repainted(functools.partial(send_mouse, view, "move", to)))
    scored[0] = 0.0
    t0 = time.perf_counter()
    probe.restart()
    probe.timer.start(2)
    end = start + QtCore.QPointF(-6 * moves, -5 * moves)

    def release() -> None:
        send_mouse(view, "release", end)

    times.release.append(repainted(release))
    times.rescore.append(_sleep_until(app, lambda: scored[0] > 0, 60.0) - t0)
    probe.timer.stop()
    times.rescore_gaps.extend(probe.values())


def _ms(values: list[float]) -> dict[str, float]:
    v = sorted(x * 1000 for x in values)
    return {"median_ms": statistics.median(v), "max_ms": v[-1], "samples": len(v)}


def edit(frames: int = 300, drags: int = 8, moves: int = 6) -> dict[str, Any]:
    from PySide6 import QtCore

    seq, ref = _long_pair(frames)
    app, win = _open_studio(seq, ref)
    scored = [0.0]
    win.scores_ready.connect(lambda _s: scored.__setitem__(0, time.perf_counter()))
    tick = QtCore.QTimer()  # wakes the waits: they sleep in the event loop, never spin
    tick.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    tick.start(1)
    _sleep_until(app, lambda: scored[0] > 0, 120)  # the model process is up, the pair scored
    probe = _GapProbe()
    win.set_editing(True)
    wrist = seq.skeleton.index("RWrist", "BODY")
    times = _EditTimes()
    for k in range(drags):
        _drag_once(app, win, (wrist, 40 + 25 * k, moves), scored, times, probe)
    win.close()
    base = _ms(times.step)
    return {
        "frames": frames,
        "drags": drags,
        "frame_step": base,
        "drag_move": _ms(times.move),
        "drag_release": _ms(times.release),
        "rescored": _ms(times.rescore),
        "rescore_max_gui_gap_ms": max(times.rescore_gaps, default=0.0) * 1000,
        "ratio_move": _ms(times.move)["median_ms"] / max(base["median_ms"], 1e-9),
        "ratio_release": _ms(times.release)["median_ms"] / max(base["median_ms"], 1e-9),
    }


def run(quick: bool = False) -> dict[str, Any]:
    return {
        "name": "studio",
        "startup": startup(repeats=2 if quick else 3),
        "stall": stall(generations=2 if quick else 4),
        "edit": edit(drags=3 if quick else 8),
    }


def format_table(result: dict[str, Any]) -> str:
    st, sl = result["startup"], result["stall"]
    idle, run_, apply_ = sl["idle"], sl["model_running"], sl["applying_result"]
    first = (
        f"  first frame painted: studio {st['studio_s']:.2f} s vs bare Qt + GL window "
        f"{st['bare_qt_gl_s']:.2f} s (x{st['ratio']:.2f}); "
        f"torch imported before it: {st['torch_imported_before_first_paint']}"
    )
    gaps = (
        f'  GUI stalls (gaps of a 2 ms timer), generating "{sl["text"]}" x{sl["generations"]} '
        f"(median {sl['generation_s']:.2f} s each): "
        f"idle max {idle['max_ms']:.1f} ms (p99 {idle['p99_ms']:.1f}); "
        f"while the model runs max {run_['max_ms']:.1f} ms (p99 {run_['p99_ms']:.1f}); "
        f"applying the result (views, curves, table repaint) max {apply_['max_ms']:.1f} ms"
    )
    cpu = sl.get("applying_result_cpu")
    if cpu:
        gaps += (
            f"; the GUI thread's own work in one gap (CPU time) max {cpu['max_ms']:.1f} ms applying "
            f"vs {sl['idle_cpu']['max_ms']:.1f} ms idle (x{sl['ratio_apply_cpu']:.0f})"
        )
    paints = sl.get("timeline_paints_per_result")
    if paints:
        gaps += f"; timeline painted {'/'.join(str(n) for n in paints)} times per applied result"
    lines = [
        "studio: launch to first painted frame, GUI stalls while generating, edit to repaint",
        first,
        gaps,
    ]
    ed = result.get("edit")
    if ed:
        lines.append(
            f"  edit to repaint ({ed['frames']} frames, {ed['drags']} wrist drags): "
            f"drag move {ed['drag_move']['median_ms']:.1f} ms (max {ed['drag_move']['max_ms']:.1f}), "
            f"release {ed['drag_release']['median_ms']:.1f} ms vs one frame step "
            f"{ed['frame_step']['median_ms']:.1f} ms (x{ed['ratio_move']:.2f} / x{ed['ratio_release']:.2f}); "
            f"new scores {ed['rescored']['median_ms']:.0f} ms after release "
            f"(GUI gap max {ed['rescore_max_gui_gap_ms']:.1f} ms meanwhile)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--only", choices=["edit"], help="run only this part")
    args = parser.parse_args(argv)
    if args.only == "edit":
        result = {"name": "studio", "edit": edit(drags=3 if args.quick else 8)}
        ed = result["edit"]
        print(json.dumps(ed, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")
        return 0
    result = run(quick=args.quick)
    print(format_table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
