"""Viewport frame time: two holistic skeletons with new data every frame, as a ratio to an empty
frame measured in the same run.

    xvfb-run -a -s "-screen 0 1600x1000x24" python -m benchmarks.viewport [--quick] [--json OUT]

One `Viewport` widget, 800x600 by default, shows in turn:

* ``empty``: nothing but the floor grid (the baseline; the captions, legend and camera buttons
  are hidden in every scenario unless ``--overlays``, so that their compositing does not pad
  the baseline);
* ``signstudio``: two real holistic recordings (586 points each: the lexicon joins of ASL
  "hello" and "world") overlaid in one view (ghost mode), through the viewport's own GL items
  (`signstudio.app.viewport.skeleton_items`), a new frame of each every frame;
* ``pyqtgraph-build``: the same two sequences, the same joints and bones drawn, through
  pyqtgraph's stock ``GLLinePlotItem`` (``mode='lines'``, width 3, antialiased) and
  ``GLScatterPlotItem`` in the same view, the way the viewport drew them before: each frame's
  vertex arrays (two vertices and colours per bone, a colour and size per joint) built by
  `SkeletonGeometry` when the frame is shown, as new data from a model needs, and handed over
  with ``setData`` (``ratio_pyqtgraph``);
* ``pyqtgraph`` (their best case): the same with every frame's arrays built ahead, so that only
  ``setData`` and the paint are timed (``ratio_pyqtgraph_prebuilt``);
* ``side-by-side`` (for information): the two sequences in two linked 400x600 views.

A frame is: set the new frame's data, ``update()``, ``processEvents()`` (which paints and
composes the window), then ``glFinish``, so the GPU work is inside the time. The scenarios are
interleaved over several rounds and each scenario's time is its median frame over all rounds;
the result is the ratios to ``empty``, which mean the same on any machine (absolute times are
printed for context only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Step = Callable[[int], None]

#: (frames per round, rounds) for a full and a quick run
SETTINGS = {"full": (100, 12), "quick": (50, 6)}
WORDS = ("hello", "world")


def holistic_pair() -> tuple[Any, Any]:
    """Two real holistic recordings (586 points): ASL lexicon joins of two words."""
    from signstudio.corpus.join import join
    from signstudio.corpus.lexicon import alphabet, load_clip

    letters = alphabet("ase")
    out = []
    for word in WORDS:
        seq = join([load_clip(letters[c]) for c in word])
        out.append(seq.replace(meta_update={"text": word, "reference_kind": "lexicon join"}))
    return out[0], out[1]


def _frame_loop(app: Any, n: int, step: Step, views: list[Any]) -> list[float]:
    """Seconds of each of ``n`` frames: new data, paint, compose, glFinish."""
    from OpenGL import GL

    out = []
    views[0].makeCurrent()
    for i in range(n):
        t0 = time.perf_counter()
        step(i)
        for v in views:
            v.update()
        app.processEvents()
        views[0].makeCurrent()
        GL.glFinish()
        out.append(time.perf_counter() - t0)
    return out


def _open_viewport(app: Any, size: tuple[int, int], overlays: bool) -> tuple[Any, str, str]:
    """A shown `Viewport` whose GL view is valid, and the renderer's name and GL version."""
    from OpenGL import GL
    from PySide6 import QtCore

    from signstudio.app.viewport import Viewport

    vp = Viewport()
    vp.resize(*size)
    vp.set_overlays_visible(overlays)  # by default a bare GL view: the baseline is the grid alone
    vp.show()
    deadline = time.monotonic() + 15
    while not vp.view.isValid() and time.monotonic() < deadline:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if not vp.view.isValid():
        raise RuntimeError("the GL view never became valid (no OpenGL on this display?)")
    vp.view.makeCurrent()
    renderer = GL.glGetString(GL.GL_RENDERER).decode(errors="replace")
    version = GL.glGetString(GL.GL_VERSION).decode(errors="replace")
    return vp, renderer, version


class _Scenarios:
    """The scenes one round shows, each a ``setup() -> (step, views)`` and an optional teardown."""

    def __init__(self, vp: Any, gen: Any, ref: Any) -> None:
        import numpy as np
        import pyqtgraph.opengl as gl

        from signstudio.avatar.build import build_avatar
        from signstudio.session.geometry import SkeletonGeometry

        self.vp, self.gen, self.ref = vp, gen, ref
        # pyqtgraph's stock items, fed like the old viewport (display-normalised like ours).
        self.displays = []
        vp.set_sequences(gen, ref)
        vp.set_reference_mode("ghost")
        for slot in (vp.main, vp.ghost):
            assert slot.display is not None
            d = slot.display
            data = d.to_display(d.seq.data)
            # SkeletonGeometry applies `to_display` itself: hand it the inverse so positions match ours.
            raw = np.stack([data[..., 0], -data[..., 2], data[..., 1]], axis=-1)
            self.displays.append(SkeletonGeometry(d.seq.replace(data=raw)))
        self.stock_frames = [[geo.frame(i) for i in range(geo.num_frames)] for geo in self.displays]
        self.stock_items = [
            (
                gl.GLLinePlotItem(mode="lines", width=3.0, antialias=True, glOptions="translucent"),
                gl.GLScatterPlotItem(pxMode=True, glOptions="translucent"),
            )
            for _ in self.displays
        ]
        self.cam = vp.camera.pose
        # two avatars (the mannequin fitted by IK, built once here, as the studio builds them once)
        self.meshes = {id(gen): build_avatar(gen), id(ref): build_avatar(ref)}

    def table(self) -> dict[str, tuple[Callable[[], tuple[Step, list[Any]]], Callable[[], None] | None]]:
        return {
            "empty": (self.empty, None),
            "signstudio": (self.ours, None),
            "pyqtgraph-build": (self.stock_build, self.teardown_stock),
            "pyqtgraph": (self.stock, self.teardown_stock),
            "side-by-side": (self.side, None),
            "avatars": (self.avatars, self.teardown_avatars),
        }

    def _pair_step(self) -> Step:
        fg, fr = self.gen.num_frames, self.ref.num_frames
        return lambda i: self.vp.set_frames(i % fg, (i * 3 + 1) % fr)

    def empty(self) -> tuple[Step, list[Any]]:
        self.vp.set_sequences(None, None)
        self.vp.camera.set_pose(self.cam)
        return (lambda i: self.vp.set_frames(i, i)), [self.vp.view]

    def ours(self) -> tuple[Step, list[Any]]:
        self.vp.set_sequences(self.gen, self.ref)
        self.vp.set_reference_mode("ghost")
        self.vp.camera.set_pose(self.cam)
        return self._pair_step(), [self.vp.view]

    def side(self) -> tuple[Step, list[Any]]:
        self.vp.set_sequences(self.gen, self.ref)
        self.vp.set_reference_mode("side-by-side")
        return self._pair_step(), [self.vp.view, self.vp.view_b]

    def _show_stock(self) -> None:
        self.vp.set_sequences(None, None)
        self.vp.set_reference_mode("ghost")
        self.vp.camera.set_pose(self.cam)
        for lines, points in self.stock_items:
            self.vp.view.addItem(lines)
            self.vp.view.addItem(points)

    def stock(self) -> tuple[Step, list[Any]]:
        self._show_stock()

        def step(i: int) -> None:
            for k, (lines, points) in enumerate(self.stock_items):
                frames_k = self.stock_frames[k]
                f = frames_k[(i if k == 0 else i * 3 + 1) % len(frames_k)]
                lines.setData(pos=f.line_pos, color=f.line_color)
                points.setData(pos=f.point_pos, color=f.point_color, size=f.point_size)

        return step, [self.vp.view]

    def stock_build(self) -> tuple[Step, list[Any]]:
        self._show_stock()

        def step(i: int) -> None:
            for k, (lines, points) in enumerate(self.stock_items):
                geo = self.displays[k]
                f = geo._build((i if k == 0 else i * 3 + 1) % geo.num_frames)
                lines.setData(pos=f.line_pos, color=f.line_color)
                points.setData(pos=f.point_pos, color=f.point_color, size=f.point_size)

        return step, [self.vp.view]

    def avatars(self) -> tuple[Step, list[Any]]:
        step, views = self.side()
        for seq in (self.gen, self.ref):
            self.vp.set_avatar(seq, self.meshes[id(seq)])
        self.vp.set_body_mode("both")
        return step, views

    def teardown_avatars(self) -> None:
        self.vp.set_body_mode("skeleton")

    def teardown_stock(self) -> None:
        for lines, points in self.stock_items:
            self.vp.view.removeItem(lines)
            self.vp.view.removeItem(points)


def _measure(
    app: Any, scenes: _Scenarios, frames: int, rounds: int
) -> tuple[dict[str, list[float]], dict[str, int], int]:
    """Every scene's frame times over interleaved rounds, its paint count, and the frame uploads."""
    vp = scenes.vp
    scenarios = scenes.table()
    times: dict[str, list[float]] = {k: [] for k in scenarios}
    paints: dict[str, int] = dict.fromkeys(scenarios, 0)
    uploads_before = vp.main.cloud.uploads + vp.ghost.cloud.uploads
    for _ in range(rounds):
        for name, (setup, teardown) in scenarios.items():
            step, views = setup()
            _frame_loop(app, 10, step, views)  # warm-up: shaders, buffers, caches
            before = sum(v.paint_count for v in views)
            times[name].extend(_frame_loop(app, frames, step, views))
            paints[name] += sum(v.paint_count for v in views) - before
            if teardown is not None:
                teardown()
    return times, paints, vp.main.cloud.uploads + vp.ghost.cloud.uploads - uploads_before


def _ratios(times: dict[str, list[float]], frames: int, rounds: int) -> dict[str, Any]:
    """Median and mean frame (ms), the ratio of each median to the empty frame's, and per round.

    The median frame over all rounds: other processes only ever add time, in bursts, and the
    median of thousands of frames shrugs those off better than a mean does."""
    ms = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    mean_ms = {k: statistics.fmean(v) * 1e3 for k, v in times.items()}
    round_ratio = {
        k: [
            statistics.median(v[i * frames : (i + 1) * frames])
            / statistics.median(times["empty"][i * frames : (i + 1) * frames])
            for i in range(rounds)
        ]
        for k, v in times.items()
        if k not in ("side-by-side", "avatars")
    }
    ratio = {k: ms[k] / ms["empty"] for k in ms}
    return {"ms": ms, "mean_ms": mean_ms, "round_ratios": round_ratio, "ratio": ratio}


def run(
    frames: int = 100, rounds: int = 12, size: tuple[int, int] = (800, 600), overlays: bool = False
) -> dict[str, Any]:
    """Run the benchmark in this process (needs a display with OpenGL); returns the results."""
    from PySide6 import QtGui, QtWidgets

    fmt = QtGui.QSurfaceFormat.defaultFormat()
    fmt.setSwapInterval(0)  # never wait for a vertical refresh: time the work
    QtGui.QSurfaceFormat.setDefaultFormat(fmt)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["bench_viewport"])
    assert isinstance(app, QtWidgets.QApplication)

    gen, ref = holistic_pair()
    gen = gen.replace(meta_update={"reference_kind": "generated"})
    vp, renderer, version = _open_viewport(app, size, overlays)
    times, paints, uploads = _measure(app, _Scenarios(vp, gen, ref), frames, rounds)
    vp.close()
    r = _ratios(times, frames, rounds)
    ms, ratio = r["ms"], r["ratio"]
    return {
        "name": "viewport",
        "what": "viewport frame time, two holistic skeletons (2 x 586 points), new data every frame",
        "size": list(size),
        "overlays": overlays,
        "frames": frames,
        "rounds": rounds,
        "renderer": renderer,
        "gl_version": version,
        "platform": app.platformName(),
        "points_per_skeleton": gen.num_joints,
        "data": f"ASL lexicon joins of {' and '.join(repr(w) for w in WORDS)} (real MediaPipe Holistic "
        f"recordings, {gen.num_frames} and {ref.num_frames} frames)",
        **r,
        "paints": paints,
        "frame_uploads_signstudio": uploads,
        "ratio_signstudio": ratio["signstudio"],
        # new data every frame, as pyqtgraph's items need it: vertex arrays built per frame
        "ratio_pyqtgraph": ratio["pyqtgraph-build"],
        # the most favourable case for them: every frame's arrays built ahead
        "ratio_pyqtgraph_prebuilt": ratio["pyqtgraph"],
        # two translucent mannequins (5466 vertices each) around the skeletons, side by side,
        # against the same two skeletons alone
        "ratio_avatars": ms["avatars"] / ms["side-by-side"],
        "fps_avatars": 1000.0 / ms["avatars"],
    }


def format_table(r: dict[str, Any]) -> str:
    w, h = r["size"]
    rows = [
        f"viewport: {r['what']}",
        f"  {w}x{h}, {r['renderer']} ({r['gl_version']}), {r['platform']}; "
        f"{r['frames']} frames x {r['rounds']} interleaved rounds, median frame; "
        f"overlays {'shown' if r['overlays'] else 'hidden'}",
        f"  {'':<48} {'ms/frame':>9} {'x empty':>8}",
    ]
    names = {
        "empty": "empty view (floor grid)",
        "signstudio": "signstudio GL items (one view, ghost)",
        "pyqtgraph-build": "pyqtgraph GLLinePlotItem + GLScatterPlotItem",
        "pyqtgraph": "  the same, every frame's arrays built ahead",
        "side-by-side": "signstudio, side by side (two 1/2-width views)",
        "avatars": "  the same with two translucent mannequins",
    }
    for key, label in names.items():
        rows.append(f"  {label:<48} {r['ms'][key]:>9.2f} {r['ratio'][key]:>8.2f}")
    rows.append(
        f"  ratio to an empty frame: signstudio {r['ratio_signstudio']:.2f}x, pyqtgraph's items "
        f"{r['ratio_pyqtgraph']:.2f}x ({r['ratio_pyqtgraph_prebuilt']:.2f}x with arrays built ahead); "
        "target <= 1.3x"
    )
    rows.append(
        f"  two mannequins (IK-fitted, both shown) cost {r['ratio_avatars']:.2f}x the two skeletons alone: "
        f"{r['fps_avatars']:.0f} frames per second here"
    )
    rows.append(f"  data: {r['data']}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and rounds (for tests)")
    parser.add_argument("--frames", type=int, help="frames per round")
    parser.add_argument("--rounds", type=int, help="interleaved rounds")
    parser.add_argument("--size", default="800x600", help="viewport size WxH (default 800x600)")
    parser.add_argument("--overlays", action="store_true", help="keep captions, legend and buttons shown")
    parser.add_argument("--json", metavar="OUT", help="also write the result as JSON to OUT")
    args = parser.parse_args(argv)
    frames, rounds = SETTINGS["quick" if args.quick else "full"]
    w, h = (int(v) for v in args.size.lower().split("x"))
    result = run(args.frames or frames, args.rounds or rounds, (w, h), overlays=args.overlays)
    print(format_table(result), flush=True)
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
