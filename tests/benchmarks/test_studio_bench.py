"""Launch to first paint: torch must not be imported before the window paints.

The time itself is a benchmark figure (`signstudio bench`, ratio to a bare Qt + GL window), not
a test; this only checks what a slow import would break, and that the probe line exists.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_first_paint_happens_without_torch() -> None:
    from benchmarks.studio import startup

    result = startup(repeats=1)
    assert result["torch_imported_before_first_paint"] is False
    assert result["studio_s"] > 0 and result["bare_qt_gl_s"] > 0


def test_edit_to_repaint_benchmark_measures_drags_and_rescoring() -> None:
    """The edit benchmark runs end to end on a short pair: every drag move repainted, each
    release re-scored (the figures themselves are `signstudio bench` output, not asserted)."""
    from benchmarks.studio import edit

    result = edit(frames=120, drags=2, moves=3)
    assert result["drag_move"]["samples"] == 6 and result["drag_release"]["samples"] == 2
    assert result["rescored"]["samples"] == 2 and result["rescored"]["max_ms"] < 60_000  # arrived
    assert result["frame_step"]["median_ms"] > 0 and result["ratio_move"] > 0


def test_stall_benchmark_counts_one_timeline_paint_per_result() -> None:
    """The GUI-stall benchmark applies real results (the runner's model process): each one
    repaints the timeline's curve strip once (the stall figures are bench output, not asserted)."""
    from benchmarks.studio import stall

    result = stall(generations=2)
    assert result["timeline_paints_per_result"] == [1, 1]
    assert result["applying_result"]["samples"] > 0 and result["model_running"]["samples"] > 0
