"""One look on every desktop: Qt's Fusion style with a dark palette matching the viewport."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

_COLORS = {
    QtGui.QPalette.ColorRole.Window: (37, 40, 46),
    QtGui.QPalette.ColorRole.WindowText: (225, 228, 232),
    QtGui.QPalette.ColorRole.Base: (28, 30, 35),
    QtGui.QPalette.ColorRole.AlternateBase: (44, 47, 54),
    QtGui.QPalette.ColorRole.ToolTipBase: (250, 250, 250),
    QtGui.QPalette.ColorRole.ToolTipText: (20, 20, 20),
    QtGui.QPalette.ColorRole.Text: (225, 228, 232),
    QtGui.QPalette.ColorRole.Button: (50, 54, 61),
    QtGui.QPalette.ColorRole.ButtonText: (225, 228, 232),
    QtGui.QPalette.ColorRole.BrightText: (255, 90, 90),
    QtGui.QPalette.ColorRole.Highlight: (80, 160, 255),
    QtGui.QPalette.ColorRole.HighlightedText: (15, 15, 15),
    QtGui.QPalette.ColorRole.PlaceholderText: (140, 145, 152),
}


def apply(app: QtWidgets.QApplication) -> None:
    app.setStyle("Fusion")
    palette = QtGui.QPalette()
    for role, rgb in _COLORS.items():
        palette.setColor(role, QtGui.QColor(*rgb))
    disabled = QtGui.QPalette.ColorGroup.Disabled
    for role in (
        QtGui.QPalette.ColorRole.Text,
        QtGui.QPalette.ColorRole.ButtonText,
        QtGui.QPalette.ColorRole.WindowText,
    ):
        palette.setColor(disabled, role, QtGui.QColor(120, 124, 130))
    app.setPalette(palette)
