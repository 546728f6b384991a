"""Saving rendered images (screenshots) as PNG, atomically."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui

from signstudio.pose.errors import FormatError


def save_png(image: QtGui.QImage, path: str | Path) -> Path:
    """Write ``image`` to ``path`` via a temporary file; FormatError when it cannot be written."""
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FormatError(out, f"cannot create the folder: {exc.strerror or exc}") from None
    tmp = out.with_name(out.name + ".part")
    if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; str works
        tmp.unlink(missing_ok=True)
        raise FormatError(out, "cannot write the PNG (folder not writable?)")
    tmp.replace(out)
    return out
