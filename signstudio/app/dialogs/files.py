"""File → Open…, Open reference…, Save as…, Save screenshot…: the file asked for, then the
window's own command (`open_file`, `save_document`) or the viewport's screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6 import QtWidgets

from signstudio.app.dialogs.common import as_parent
from signstudio.app.viewport import Viewport
from signstudio.pose.errors import FormatError

POSE_FILES = "Pose files (*.pose *.skels *.h5 *.hdf5 *.npz);;All files (*)"


class FilesHost(Protocol):
    """What the file dialogs use of the studio window (`signstudio.app.window.StudioWindow`)."""

    viewport: Viewport

    def open_file(self, path: str | Path, as_reference: bool = False) -> bool: ...

    def save_document(
        self, path: str | Path | None = None, ask: bool = False, format: str | None = None
    ) -> Path | None: ...

    def _status(self, text: str, ms: int = 5000) -> None: ...


def open_dialog(window: FilesHost, as_reference: bool = False) -> None:
    """File → Open… (or Open reference…): a pose file asked for, opened."""
    title = "Open reference" if as_reference else "Open pose file"
    path, _ = QtWidgets.QFileDialog.getOpenFileName(as_parent(window), title, "", POSE_FILES)
    if path:
        window.open_file(path, as_reference=as_reference)


def save_as(window: FilesHost) -> None:
    """File → Save as…: `save_document` asks where and in which format."""
    window.save_document(ask=True)


def screenshot_dialog(window: FilesHost) -> None:
    """File → Save screenshot… (P): the viewport as PNG."""
    parent = as_parent(window)
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        parent, "Save screenshot", "signstudio.png", "PNG (*.png)"
    )
    if path:
        try:
            window.viewport.save_screenshot(path)
            window._status(f"Saved {path}", 5000)
        except (FormatError, RuntimeError) as exc:
            QtWidgets.QMessageBox.critical(parent, "Cannot save screenshot", str(exc))


__all__ = ["POSE_FILES", "FilesHost", "open_dialog", "save_as", "screenshot_dialog"]
