"""Saving rendered images (screenshots, rendered PNG frames) as PNG, atomically.

The folder must exist (`signstudio.pose.formats._atomic`: a missing folder is an error, never
created silently; `signstudio render --out FOLDER/` makes its one output folder first). A full or
read-only disk is one `FormatError` line and leaves no ``.part`` file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui

from signstudio.pose.errors import FormatError
from signstudio.pose.formats._atomic import atomic_path, disk_problem


def save_png(image: QtGui.QImage, path: str | Path) -> Path:
    """Write ``image`` to ``path`` via a temporary file; FormatError when it cannot be written."""
    out = Path(path)
    with atomic_path(out) as tmp:
        if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; str works
            # Qt says only "no": the file system tells why (full, read-only), else the encoder
            problem = disk_problem(tmp.parent) or "Qt could not encode or write the PNG"
            raise FormatError(out, f"cannot write: {problem}", f"folder {tmp.parent}")
    return out
