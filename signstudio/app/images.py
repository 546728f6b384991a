"""Saving rendered images (screenshots, rendered PNG frames) as PNG, atomically.

The PNG is encoded in memory and its bytes written through the atomic writer: the disk is ours to
write, not libpng's (on a full disk it printed "libpng error: Write Error" beside our line). The
folder must exist (`signstudio.pose.formats._atomic`: a missing folder is an error, never created
silently; `signstudio render --out FOLDER/` makes its one output folder first). A full or
read-only disk is one `FormatError` line and leaves no ``.part`` file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui

from signstudio.pose.errors import FormatError
from signstudio.pose.formats._atomic import atomic_path


def png_bytes(image: QtGui.QImage) -> bytes:
    """``image`` encoded as PNG, in memory."""
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; str works
    buffer.close()
    if not ok:
        raise ValueError("Qt could not encode the image as PNG")
    return bytes(data.data())


def save_png(image: QtGui.QImage, path: str | Path) -> Path:
    """Write ``image`` to ``path`` via a temporary file; FormatError when it cannot be written."""
    out = Path(path)
    try:
        data = png_bytes(image)
    except ValueError as exc:
        raise FormatError(out, f"cannot write: {exc}") from None
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return out
