"""Soak check for the PySide6 pin: repaint a GL view with a line and a point item N times.

PySide6 6.12.0 leaks a reference to None in QOpenGLBuffer.release/write/allocate on Python 3.11,
and pyqtgraph's GL items crash after a few thousand repaints. This script drives exactly those
calls: every repaint sets new data on one `GLLinePlotItem` (mode='lines') and one
`GLScatterPlotItem`, then paints synchronously; every 7th repaint changes the vertex count so
that both `allocate` (size change) and `write` (same size) paths run.

    xvfb-run -a -s "-screen 0 1280x800x24" python packaging/soak_repaint.py [--n 100000]

Prints the repaint rate and "OK" when the process survives every repaint and the interpreter's
reference count of None did not fall (a leak of that kind shows long before the crash). Exit 0
on OK, 1 otherwise. Needs a display with OpenGL (Xvfb + Mesa llvmpipe is enough).
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of repaints (default 100000)")
    parser.add_argument("--bones", type=int, default=79, help="bones per frame (holistic body+hands: 79)")
    parser.add_argument("--points", type=int, default=553, help="points per frame (holistic drawn: 553)")
    parser.add_argument("--width", type=int, default=480, help="view width in pixels")
    parser.add_argument("--height", type=int, default=360, help="view height in pixels")
    parser.add_argument(
        "--report-every", type=int, default=10_000, help="progress line every so many repaints"
    )
    args = parser.parse_args(argv)

    import numpy as np
    import pyqtgraph
    import pyqtgraph.opengl as gl
    import PySide6
    from PySide6 import QtGui, QtWidgets

    fmt = QtGui.QSurfaceFormat.defaultFormat()
    fmt.setSwapInterval(0)  # no vsync wait: measure the work, not the display's refresh
    QtGui.QSurfaceFormat.setDefaultFormat(fmt)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["soak_repaint"])

    class View(gl.GLViewWidget):
        paints = 0

        def paintGL(self) -> None:
            super().paintGL()
            View.paints += 1

    view = View()
    view.resize(args.width, args.height)
    view.setCameraPosition(distance=4.0, elevation=10, azimuth=-90)
    lines = gl.GLLinePlotItem(mode="lines", width=2.0, antialias=True, glOptions="translucent")
    points = gl.GLScatterPlotItem(pxMode=True, glOptions="translucent")
    view.addItem(lines)
    view.addItem(points)
    view.show()
    deadline = time.monotonic() + 10
    while not view.isValid() and time.monotonic() < deadline:
        app.processEvents()
    if not view.isValid():
        print("FAIL: the GL view never became valid (no OpenGL on this display?)")
        return 1

    rng = np.random.default_rng(0)
    base_lines = rng.uniform(-1, 1, (2 * args.bones, 3)).astype(np.float32)
    base_points = rng.uniform(-1, 1, (args.points, 3)).astype(np.float32)
    line_rgba = np.tile(np.float32([0.3, 0.6, 1.0, 1.0]), (2 * args.bones, 1))
    point_rgba = np.tile(np.float32([0.2, 0.8, 0.5, 1.0]), (args.points, 1))
    sizes = np.full(args.points, 6.0, np.float32)

    print(
        f"PySide6 {PySide6.__version__}, pyqtgraph {pyqtgraph.__version__}, Python {sys.version.split()[0]}, "
        f"platform {app.platformName()}: {args.n} repaints, {args.bones} bones, {args.points} points",
        flush=True,
    )
    none_refs_before = sys.getrefcount(None)
    start = last = time.perf_counter()
    for i in range(1, args.n + 1):
        wobble = np.float32(0.05 * np.sin(i * 0.01))
        shrink = 1 if i % 7 == 0 else 0  # other vertex count: allocate instead of write
        nb, npts = 2 * (args.bones - shrink), args.points - shrink
        lines.setData(pos=base_lines[:nb] + wobble, color=line_rgba[:nb])
        points.setData(pos=base_points[:npts] - wobble, color=point_rgba[:npts], size=sizes[:npts])
        view.update()
        app.processEvents()  # delivers the update request: paintEvent -> paintGL -> upload + draw
        if args.report_every and i % args.report_every == 0:
            now = time.perf_counter()
            print(f"  {i:>7} repaints  {args.report_every / (now - last):8.0f} /s", flush=True)
            last = now
    app.processEvents()
    elapsed = time.perf_counter() - start
    none_drift = sys.getrefcount(None) - none_refs_before
    painted = View.paints
    rate = args.n / elapsed if elapsed > 0 else float("inf")
    print(f"repaints: {args.n} in {elapsed:.1f} s = {rate:.0f} repaints/s; paintGL ran {painted} times")
    print(f"reference count of None: {none_drift:+d} over the run")
    ok = painted >= args.n and none_drift > -max(100, args.n // 10)
    if painted < args.n:
        print(f"FAIL: only {painted} of {args.n} repaints reached paintGL")
    if none_drift <= -max(100, args.n // 10):
        print("FAIL: None lost references during the run (the QOpenGLBuffer refcount bug)")
    view.close()
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
