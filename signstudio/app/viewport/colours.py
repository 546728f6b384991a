"""The viewport's colour sets, one per look (dark, light).

Not to be confused with `signstudio.app.theme.Theme`, the application's Qt theme manager: the
viewport picks `DARK_COLOURS` or `LIGHT_COLOURS` from the palette that manager sets (or as
forced with `Viewport.set_dark`), and the metric strip draws with the same colours.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ViewColours:
    """Background, floor grid, text and badge colours of the 3D view on one look."""

    background: tuple[int, int, int]
    grid: tuple[float, float, float, float]
    text: str
    muted: str
    panel: str
    generated: str
    reference: str
    #: group colours that differ from `GROUP_COLORS` on this background
    colors: dict[str, tuple[int, int, int]]


DARK_COLOURS = ViewColours(
    background=(26, 29, 34),
    grid=(1.0, 1.0, 1.0, 0.17),
    text="#e8eaed",
    muted="#a0a6ad",
    panel="rgba(12, 14, 18, 165)",
    generated="#8cc4ff",
    reference="#ffc46b",
    colors={},
)
LIGHT_COLOURS = ViewColours(
    background=(236, 238, 242),
    grid=(0.0, 0.0, 0.0, 0.2),
    text="#1f2328",
    muted="#59636e",
    panel="rgba(255, 255, 255, 200)",
    generated="#1a62c9",
    reference="#a45c00",
    colors={"face": (105, 110, 118)},
)
