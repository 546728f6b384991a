"""Light and dark looks that follow the system (Qt's colour scheme), or a fixed choice.

Fusion style everywhere for one look on every desktop; the palette is ours. ``Theme`` is the
QObject the window keeps: it applies the palette, remembers the user's choice ("system",
"light", "dark") and re-applies when the desktop switches between light and dark.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

Role = QtGui.QPalette.ColorRole

DARK = {
    Role.Window: (37, 40, 46),
    Role.WindowText: (225, 228, 232),
    Role.Base: (28, 30, 35),
    Role.AlternateBase: (44, 47, 54),
    Role.ToolTipBase: (250, 250, 250),
    Role.ToolTipText: (20, 20, 20),
    Role.Text: (225, 228, 232),
    Role.Button: (50, 54, 61),
    Role.ButtonText: (225, 228, 232),
    Role.BrightText: (255, 90, 90),
    Role.Highlight: (80, 160, 255),
    Role.HighlightedText: (15, 15, 15),
    Role.PlaceholderText: (140, 145, 152),
    Role.Link: (110, 180, 255),
}
LIGHT = {
    Role.Window: (240, 241, 244),
    Role.WindowText: (25, 28, 33),
    Role.Base: (255, 255, 255),
    Role.AlternateBase: (246, 247, 249),
    Role.ToolTipBase: (255, 255, 225),
    Role.ToolTipText: (20, 20, 20),
    Role.Text: (25, 28, 33),
    Role.Button: (228, 230, 234),
    Role.ButtonText: (25, 28, 33),
    Role.BrightText: (200, 30, 30),
    Role.Highlight: (40, 110, 220),
    Role.HighlightedText: (255, 255, 255),
    Role.PlaceholderText: (120, 124, 130),
    Role.Link: (30, 90, 200),
}
CHOICES = ("system", "light", "dark")


def system_is_dark() -> bool:
    """True when the desktop asks for a dark look; dark when it does not say (a studio default)."""
    hints = QtGui.QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else QtCore.Qt.ColorScheme.Unknown
    return scheme != QtCore.Qt.ColorScheme.Light


def palette(dark: bool) -> QtGui.QPalette:
    pal = QtGui.QPalette()
    for role, rgb in (DARK if dark else LIGHT).items():
        pal.setColor(role, QtGui.QColor(*rgb))
    disabled = QtGui.QPalette.ColorGroup.Disabled
    grey = QtGui.QColor(120, 124, 130) if dark else QtGui.QColor(160, 163, 168)
    for role in (Role.Text, Role.ButtonText, Role.WindowText):
        pal.setColor(disabled, role, grey)
    return pal


class Theme(QtCore.QObject):
    """The current look; emits ``changed(dark)`` whenever it flips."""

    changed = QtCore.Signal(bool)

    def __init__(self, app: QtWidgets.QApplication, choice: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self._choice = choice if choice in CHOICES else "system"
        self.dark = True
        hints = QtGui.QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(self._on_system_changed)
        self.apply()

    @property
    def choice(self) -> str:
        return self._choice

    def set_choice(self, choice: str) -> None:
        if choice not in CHOICES:
            raise ValueError(f"theme must be one of {CHOICES}")
        self._choice = choice
        self.apply()

    def apply(self) -> None:
        dark = system_is_dark() if self._choice == "system" else self._choice == "dark"
        self._app.setStyle("Fusion")
        self._app.setPalette(palette(dark))
        if dark != self.dark:
            self.dark = dark
            self.changed.emit(dark)
        self.dark = dark

    def _on_system_changed(self, _scheme: QtCore.Qt.ColorScheme) -> None:
        if self._choice == "system":
            self.apply()


def apply(app: QtWidgets.QApplication, choice: str = "system") -> Theme:
    """Apply the look to ``app`` and return the `Theme` that keeps following the system."""
    existing = app.findChild(Theme)
    if isinstance(existing, Theme):
        existing.set_choice(choice)
        return existing
    return Theme(app, choice)
