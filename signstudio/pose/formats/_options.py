"""Reader and writer options shared by the format families, checked once."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from signstudio.pose.errors import FormatError


def scale_option(path: Path, scale: Any) -> float:
    """``scale=`` as a positive finite float, or a one-line `FormatError` naming ``path``."""
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise FormatError(path, f"option scale={scale!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise FormatError(path, f"option scale={scale!r} must be a positive number")
    return value
