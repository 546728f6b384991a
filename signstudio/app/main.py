"""`signstudio app`: open the studio on a file, or on a real recording of the built-in corpus.

Files are read before any window exists, so a bad file ends as the CLI's one-line error and
exit 2 (DESIGN.md §4); once the window is up, errors go to a dialog instead.
"""

from __future__ import annotations

import argparse
import os
import sys

from signstudio.pose.sequence import PoseSequence

NO_DISPLAY = (
    "error: no display: the studio needs a graphical session (DISPLAY or WAYLAND_DISPLAY).\n"
    "  On a machine without a screen run it under a virtual display, e.g.\n"
    "    xvfb-run -a -s '-screen 0 1600x1000x24' signstudio app --screenshot out/studio.png --quit\n"
    "  or simply: bash packaging/bootstrap.sh studio"
)


def load_sequences(args: argparse.Namespace) -> tuple[PoseSequence | None, PoseSequence | None]:
    """The sequence to show (FILE; None: the window's built-in first view) and the optional --gt."""
    from signstudio.pose.formats import read_one

    def user_file(path: str) -> PoseSequence:
        seq = read_one(path)
        return seq.replace(meta_update={"reference_kind": seq.meta.get("reference_kind", "user file")})

    seq = user_file(args.file) if args.file else None
    gt = user_file(args.gt) if args.gt else None
    return seq, gt


def _report_first_paint(window: object) -> None:
    """Print seconds from process start to the first painted GL frame, and whether torch was
    imported by then (`signstudio bench` reads this line)."""
    import time

    viewport = window.viewport  # type: ignore[attr-defined]

    def once() -> None:
        viewport.painted.disconnect(once)
        started = _process_start()
        print(
            f"startup: first frame painted after {time.time() - started:.3f} s; "
            f"torch imported: {'torch' in sys.modules}",
            flush=True,
        )

    viewport.painted.connect(once)


def _process_start() -> float:
    """Wall-clock time this process started (Linux: /proc; elsewhere: now)."""
    import time

    try:
        with open("/proc/self/stat") as fh:
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # the user chose another platform plugin (eglfs, vnc ...): let Qt decide
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_qt() -> None:
    """Process-wide Qt settings that must precede the QApplication.

    GL views share one context group: pyqtgraph caches its shader programs per class, and a
    view that moves to another top-level window (a floating dock) or a second window must find
    them valid in its own context.
    """
    from PySide6 import QtCore, QtWidgets

    if QtWidgets.QApplication.instance() is None:
        QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def run(args: argparse.Namespace) -> int:
    seq, gt = load_sequences(args)  # FormatError -> one line, exit 2 (cli.main)
    if not _has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1

    from PySide6 import QtWidgets

    from signstudio.app.window import StudioWindow

    prepare_qt()
    app = QtWidgets.QApplication.instance()
    from signstudio.app import theme
    from signstudio.app.settings import Settings

    settings = Settings()
    if app is None:
        QtWidgets.QApplication.setApplicationName("SignStudio")
        QtWidgets.QApplication.setOrganizationName("SignStudio")
        app = QtWidgets.QApplication(["signstudio"])
    assert isinstance(app, QtWidgets.QApplication)
    theme.apply(app, str(settings.get("theme", "system")))

    window = StudioWindow(seq, gt, settings=settings)
    if os.environ.get("SIGNSTUDIO_REPORT_STARTUP"):
        _report_first_paint(window)
    window.show()
    if args.screenshot:
        # The first view generates its sample: let it finish so the picture is complete.
        window.wait_generated(timeout=120)
    if args.frame is not None:
        window.clock.frame = args.frame
    if args.screenshot:
        path = window.save_screenshot(args.screenshot)
        print(f"screenshot: {path}")
    if args.quit:
        if not args.screenshot and not window.wait_painted():
            print("error: the 3D view did not paint (no OpenGL on this display?)", file=sys.stderr)
            return 1
        window.close()
        return 0
    return int(app.exec())
