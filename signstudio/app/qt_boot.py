"""The Qt application's set-up, shared by the studio, `signstudio render` and the tests.

Nothing here knows the studio window: the window, the off-screen renderer and the flag driver
(`signstudio.app.launch`) all start Qt through these functions, so none imports another.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


def display_problem() -> str | None:
    """One line ("no display: run under xvfb-run ...") when Qt would find no usable display and
    abort the process, else None (`signstudio.doctor.display.display_problem`: DISPLAY or
    WAYLAND_DISPLAY set, an X server answering there, a platform plugin with OpenGL)."""
    from signstudio.doctor.display import display_problem as problem

    return problem("app")


def has_display() -> bool:
    """Whether Qt can open windows here (see `display_problem`)."""
    return display_problem() is None


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


__all__ = ["display_problem", "has_display", "offscreen_application", "prepare_qt", "studio_application"]
