"""The Qt application's set-up, shared by the studio, `signstudio render` and the tests.

Nothing here knows the studio window: the window, the off-screen renderer and the flag driver
(`signstudio.app.launch`) all start Qt through these functions, so none imports another.
"""

from __future__ import annotations

import os
import sys

from PySide6 import QtCore, QtWidgets

NO_DISPLAY = (
    "error: no display: the studio needs a graphical session (DISPLAY or WAYLAND_DISPLAY).\n"
    "  On a machine without a screen run it under a virtual display, e.g.\n"
    "    xvfb-run -a -s '-screen 0 1600x1000x24' signstudio app --screenshot out/studio.png --quit\n"
    "  or simply: bash packaging/bootstrap.sh studio"
)


def has_display() -> bool:
    """Whether Qt can open windows here (Linux: an X or Wayland display, or another plugin)."""
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
    if QtWidgets.QApplication.instance() is None:
        QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def offscreen_application(name: str = "signstudio-render") -> QtWidgets.QApplication:
    """The running QApplication, or a bare one for off-screen work (no icon, no theme)."""
    prepare_qt()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([name])
    assert isinstance(app, QtWidgets.QApplication)
    return app


def studio_application(theme_choice: str) -> QtWidgets.QApplication:
    """The studio's QApplication (made once, named for the desktop file), with its icon and
    ``theme_choice`` (``system``, ``light`` or ``dark``) applied."""
    from signstudio.app import theme
    from signstudio.app.icons import app_icon

    prepare_qt()
    app = QtWidgets.QApplication.instance()
    if app is None:
        QtWidgets.QApplication.setApplicationName("SignStudio")
        QtWidgets.QApplication.setOrganizationName("SignStudio")
        # ties the windows to packaging/linux/signstudio.desktop (its icon in docks and task bars)
        QtWidgets.QApplication.setDesktopFileName("signstudio")
        app = QtWidgets.QApplication(["signstudio"])
    assert isinstance(app, QtWidgets.QApplication)
    app.setWindowIcon(app_icon())
    theme.apply(app, theme_choice)
    return app


__all__ = ["NO_DISPLAY", "has_display", "offscreen_application", "prepare_qt", "studio_application"]
