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


def load_sequences(args: argparse.Namespace) -> tuple[PoseSequence, PoseSequence | None]:
    """The sequence to show (FILE, else the built-in default sample) and the optional --gt."""
    from signstudio.pose.formats import read_one

    if args.file:
        seq = read_one(args.file)
        seq = seq.replace(meta_update={"reference_kind": seq.meta.get("reference_kind", "user file")})
    else:
        from signstudio.corpus.lexicon import default_sample

        seq = default_sample()
    gt = None
    if args.gt:
        gt = read_one(args.gt)
    return seq, gt


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
    if app is None:
        QtWidgets.QApplication.setApplicationName("SignStudio")
        QtWidgets.QApplication.setOrganizationName("SignStudio")
        app = QtWidgets.QApplication(["signstudio"])
        from signstudio.app import theme

        theme.apply(app)
    assert isinstance(app, QtWidgets.QApplication)

    window = StudioWindow(seq, gt)
    window.show()
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
