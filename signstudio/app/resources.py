"""Where the studio's own files are: ``resources/`` (icons, the user guide) beside the package in
a checkout or an editable install, or inside a PyInstaller bundle (``sys._MEIPASS``)."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    """The ``resources`` folder (it may be missing in a plain wheel install; callers check)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    """A path under `resource_dir` (not checked for existence)."""
    return resource_dir().joinpath(*parts)


__all__ = ["resource", "resource_dir"]
