"""Soak check of the viewport's GL items: repaint a GL view N times with new data each time.

The view holds what the studio's viewport draws in ghost mode: the floor grid and two
skeletons, each one `GLBonesItem` and one `GLJointsItem` sharing a `JointCloud`
(`signstudio.app.viewport.skeleton_items`), fed from two real holistic recordings (586 points). Every repaint
shows a new frame of both (one vertex-buffer upload each); the second skeleton's right hand
drops out every 5th of its frames, so its bone index buffer is re-sent often; every 1000th
repaint the first skeleton switches between holistic and upper50 (re-uploading its style,
growing or reusing its buffers).

    xvfb-run -a -s "-screen 0 1280x800x24" python packaging/soak_repaint.py [--n 100000]

Prints the repaint rate and the resident memory (RSS) after a warm-up and at the end, and "OK"
when the process survived every repaint, every repaint reached paintGL, memory grew by less
than ``--max-growth-mb`` after the warm-up, and the interpreter's reference count of None did
not fall (PySide6 6.12's QOpenGLBuffer bindings leak that way; these items do not use
QOpenGLBuffer, the check stays as a guard). Exit 0 on OK, 1 otherwise. Needs a display with
OpenGL (Xvfb + Mesa llvmpipe is enough).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WARMUP = 1000


def rss_mb() -> float | None:
    """Resident set size of this process in MiB (Linux /proc), None elsewhere."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _parse(argv: list[str] | None) -> argparse.Namespace:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of repaints (default 100000)")
    parser.add_argument("--width", type=int, default=480, help="view width in pixels")
    parser.add_argument("--height", type=int, default=360, help="view height in pixels")
    parser.add_argument(
        "--report-every", type=int, default=10_000, help="progress line every so many repaints"
    )
    parser.add_argument(
        "--max-growth-mb", type=float, default=40.0, help="allowed RSS growth after the warm-up (MiB)"
    )
    return parser.parse_args(argv)


@dataclass
class Scene:
    """The soaked view, its two skeletons' clouds and items, and the data fed to them."""

    app: Any
    view: Any
    clouds: list[Any]
    items: list[tuple[Any, Any]]
    variants: list[Any]  # skeleton 0: holistic, then upper50
    seq_b: Any
    conf_b: Any  # skeleton 1's confidence, its right hand dropped every 5th frame
    paints: Callable[[], int]


def _build_scene(width: int, height: int) -> Scene:
    """Grid + two skeletons (bones and joints sharing a cloud), the second translucent."""
    import numpy as np
    import pyqtgraph.opengl as gl
    from PySide6 import QtGui, QtWidgets

    from benchmarks.viewport import holistic_pair
    from signstudio.app.viewport.floor_grid import GLFloorGrid
    from signstudio.app.viewport.joint_cloud import JointCloud
    from signstudio.app.viewport.skeleton_items import GLBonesItem, GLJointsItem
    from signstudio.pose.convert import convert
    from signstudio.session.geometry import display_skeleton

    fmt = QtGui.QSurfaceFormat.defaultFormat()
    fmt.setSwapInterval(0)  # no vsync wait: measure the work, not the display's refresh
    QtGui.QSurfaceFormat.setDefaultFormat(fmt)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["soak_repaint"])
    assert isinstance(app, QtWidgets.QApplication)

    class View(gl.GLViewWidget):
        paints = 0

        def paintGL(self) -> None:
            super().paintGL()
            View.paints += 1

    seq_a, seq_b = holistic_pair()
    conf_b = seq_b.confidence.copy()
    conf_b[::5, seq_b.skeleton.groups["right_hand"]] = 0.0
    variants = [display_skeleton(seq_a), display_skeleton(convert(seq_a, "upper50"))]
    view = View()
    view.resize(width, height)
    view.setCameraPosition(distance=6.0, elevation=8, azimuth=-90)
    grid = GLFloorGrid()
    grid.set_grid(12.0, 0.5)
    grid.translate(0, 0, -3)
    view.addItem(grid)
    clouds, items = [], []
    for k, disp in enumerate((variants[0], display_skeleton(seq_b))):
        cloud = JointCloud()
        cloud.set_skeleton(disp.rgb, disp.size, disp.bones)
        bones, joints = GLBonesItem(cloud), GLJointsItem(cloud)
        if k == 1:
            for item in (bones, joints):
                item.set_look(opacity=0.35, desaturate=0.35, depth_write=False)
        for item in (bones, joints):
            item.setTransform(_matrix(disp))
            view.addItem(item)
        clouds.append(cloud)
        items.append((bones, joints))
    conf = np.ascontiguousarray(conf_b)
    return Scene(app, view, clouds, items, variants, seq_b, conf, lambda: View.paints)


def _matrix(disp: Any) -> Any:
    from PySide6 import QtGui

    return QtGui.QMatrix4x4(*(float(v) for v in disp.matrix.reshape(-1)))


def _soak(scene: Scene, n: int, report_every: int) -> tuple[float, float | None]:
    """Repaint ``n`` times with new data; seconds taken and the RSS after the warm-up."""
    rss_start: float | None = None
    current = 0
    start = last = time.perf_counter()
    for i in range(1, n + 1):
        if i % 1000 == 0:  # switch skeleton 0 between holistic and upper50
            current = 1 - current
            disp = scene.variants[current]
            scene.clouds[0].set_skeleton(disp.rgb, disp.size, disp.bones)
            for item in scene.items[0]:
                item.setTransform(_matrix(disp))
        a = scene.variants[current].seq
        scene.clouds[0].set_frame(a.data, a.confidence, i % a.num_frames)
        scene.clouds[1].set_frame(scene.seq_b.data, scene.conf_b, (3 * i + 1) % scene.seq_b.num_frames)
        scene.view.update()
        scene.app.processEvents()  # delivers the update request: paintEvent -> paintGL -> upload + draw
        if i == min(WARMUP, n):
            rss_start = rss_mb()
        if report_every and i % report_every == 0:
            now = time.perf_counter()
            rss = rss_mb()
            rss_text = f"  RSS {rss:7.1f} MiB" if rss is not None else ""
            print(f"  {i:>7} repaints  {report_every / (now - last):8.0f} /s{rss_text}", flush=True)
            last = now
    scene.app.processEvents()
    return time.perf_counter() - start, rss_start


def _verdict(
    args: argparse.Namespace, scene: Scene, elapsed: float, rss_start: float | None, none_drift: int
) -> bool:
    """Print the figures and every failure; True when the soak passed."""
    rss_end = rss_mb()
    painted = scene.paints()
    rate = args.n / elapsed if elapsed > 0 else float("inf")
    print(f"repaints: {args.n} in {elapsed:.1f} s = {rate:.0f} repaints/s; paintGL ran {painted} times")
    uploads = sum(c.uploads for c in scene.clouds)
    index_uploads = sum(c.index_uploads for c in scene.clouds)
    print(f"uploads: {uploads} frame uploads, {index_uploads} bone index uploads")
    ok = painted >= args.n
    if rss_start is not None and rss_end is not None:
        growth = rss_end - rss_start
        print(
            f"RSS: {rss_start:.1f} MiB after {min(WARMUP, args.n)} repaints, "
            f"{rss_end:.1f} MiB at the end ({growth:+.1f} MiB)"
        )
        if growth > args.max_growth_mb:
            print(f"FAIL: memory grew by {growth:.1f} MiB (more than {args.max_growth_mb:g})")
            ok = False
    else:
        print("RSS: not measured on this platform")
    print(f"reference count of None: {none_drift:+d} over the run")
    if painted < args.n:
        print(f"FAIL: only {painted} of {args.n} repaints reached paintGL")
    if none_drift <= -max(100, args.n // 10):
        print("FAIL: None lost references during the run (the QOpenGLBuffer refcount bug)")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
    import pyqtgraph
    import PySide6

    scene = _build_scene(args.width, args.height)
    scene.view.show()
    deadline = time.monotonic() + 10
    while not scene.view.isValid() and time.monotonic() < deadline:
        scene.app.processEvents()
    if not scene.view.isValid():
        print("FAIL: the GL view never became valid (no OpenGL on this display?)")
        return 1
    a = scene.variants[0]
    print(
        f"PySide6 {PySide6.__version__}, pyqtgraph {pyqtgraph.__version__}, Python {sys.version.split()[0]}, "
        f"platform {scene.app.platformName()}: {args.n} repaints of 2 skeletons "
        f"({a.seq.num_joints} points, {len(a.bones)} bones each) with new data each time",
        flush=True,
    )
    none_refs_before = sys.getrefcount(None)
    elapsed, rss_start = _soak(scene, args.n, args.report_every)
    ok = _verdict(args, scene, elapsed, rss_start, sys.getrefcount(None) - none_refs_before)
    scene.view.close()
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
