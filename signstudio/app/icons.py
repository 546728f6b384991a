"""SignStudio's own icon: ``resources/icons`` (a skeleton hand on the studio's blue), PNGs at
16-512 px rendered from ``signstudio.svg`` by ``packaging/make_icons.py``.

``app_icon()`` is what the window and the application show (title bar, task bar, Alt+Tab); on
Linux desktops the installed ``.desktop`` entry names the same icon (``packaging/linux``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui

from signstudio.app.resources import resource

ICON_NAME = "signstudio"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files() -> dict[int, Path]:
    """The icon's PNG files that exist, by pixel size."""
    files = {size: resource("icons", f"{ICON_NAME}-{size}.png") for size in ICON_SIZES}
    return {size: path for size, path in files.items() if path.is_file()}


def app_icon() -> QtGui.QIcon:
    """The studio's icon with every size it ships (Qt picks the closest for each use); the SVG
    when the PNGs are missing; an empty icon (Qt's default) when ``resources/`` is absent, as in
    a plain wheel install. Call it once a QGuiApplication exists."""
    icon = QtGui.QIcon()
    for size, path in icon_files().items():
        icon.addFile(str(path), QtCore.QSize(size, size))
    if icon.isNull():
        svg = resource("icons", f"{ICON_NAME}.svg")
        if svg.is_file():
            icon = QtGui.QIcon(str(svg))
    return icon


__all__ = ["ICON_NAME", "ICON_SIZES", "app_icon", "icon_files"]
