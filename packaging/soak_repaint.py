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
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
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
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
    import pyqtgraph
    import pyqtgraph.opengl as gl
    import PySide6
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

    import numpy as np

    seq_a, seq_b = holistic_pair()
    # the right hand drops out every 5th frame of the second skeleton: bone index re-uploads
    conf_b = seq_b.confidence.copy()
    conf_b[::5, seq_b.skeleton.groups["right_hand"]] = 0.0
    conf_b = np.ascontiguousarray(conf_b)
    variants = [display_skeleton(seq_a), display_skeleton(convert(seq_a, "upper50"))]
    disp_b = display_skeleton(seq_b)

    view = View()
    view.resize(args.width, args.height)
    view.setCameraPosition(distance=6.0, elevation=8, azimuth=-90)
    grid = GLFloorGrid()
    grid.set_grid(12.0, 0.5)
    grid.translate(0, 0, -3)
    view.addItem(grid)
    clouds, items = [], []
    for k, disp in enumerate((variants[0], disp_b)):
        cloud = JointCloud()
        cloud.set_skeleton(disp.rgb, disp.size, disp.bones)
        bones, joints = GLBonesItem(cloud), GLJointsItem(cloud)
        if k == 1:
            for item in (bones, joints):
                item.set_look(opacity=0.35, desaturate=0.35, depth_write=False)
        m = QtGui.QMatrix4x4(*(float(v) for v in disp.matrix.reshape(-1)))
        for item in (bones, joints):
            item.setTransform(m)
            view.addItem(item)
        clouds.append(cloud)
        items.append((bones, joints))
    view.show()
    deadline = time.monotonic() + 10
    while not view.isValid() and time.monotonic() < deadline:
        app.processEvents()
    if not view.isValid():
        print("FAIL: the GL view never became valid (no OpenGL on this display?)")
        return 1

    print(
        f"PySide6 {PySide6.__version__}, pyqtgraph {pyqtgraph.__version__}, Python {sys.version.split()[0]}, "
        f"platform {app.platformName()}: {args.n} repaints of 2 skeletons "
        f"({seq_a.num_joints} points, {len(variants[0].bones)} bones each) with new data each time",
        flush=True,
    )
    none_refs_before = sys.getrefcount(None)
    rss_start: float | None = None
    current = 0
    start = last = time.perf_counter()
    for i in range(1, args.n + 1):
        if i % 1000 == 0:  # switch skeleton 0 between holistic and upper50
            current = 1 - current
            disp = variants[current]
            clouds[0].set_skeleton(disp.rgb, disp.size, disp.bones)
            m = QtGui.QMatrix4x4(*(float(v) for v in disp.matrix.reshape(-1)))
            for item in items[0]:
                item.setTransform(m)
        a = variants[current].seq
        clouds[0].set_frame(a.data, a.confidence, i % a.num_frames)
        clouds[1].set_frame(seq_b.data, conf_b, (3 * i + 1) % seq_b.num_frames)
        view.update()
        app.processEvents()  # delivers the update request: paintEvent -> paintGL -> upload + draw
        if i == min(WARMUP, args.n):
            rss_start = rss_mb()
        if args.report_every and i % args.report_every == 0:
            now = time.perf_counter()
            rss = rss_mb()
            rss_text = f"  RSS {rss:7.1f} MiB" if rss is not None else ""
            print(f"  {i:>7} repaints  {args.report_every / (now - last):8.0f} /s{rss_text}", flush=True)
            last = now
    app.processEvents()
    elapsed = time.perf_counter() - start
    rss_end = rss_mb()
    none_drift = sys.getrefcount(None) - none_refs_before
    painted = View.paints
    uploads = sum(c.uploads for c in clouds)
    index_uploads = sum(c.index_uploads for c in clouds)
    rate = args.n / elapsed if elapsed > 0 else float("inf")
    print(f"repaints: {args.n} in {elapsed:.1f} s = {rate:.0f} repaints/s; paintGL ran {painted} times")
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
    view.close()
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
