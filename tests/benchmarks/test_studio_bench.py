"""Launch to first paint: torch must not be imported before the window paints.

The time itself is a benchmark figure (`signstudio bench`, ratio to a bare Qt + GL window), not
a test; this only checks what a slow import would break, and that the probe line exists.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_first_paint_happens_without_torch() -> None:
    from signstudio.app.bench_app import startup

    result = startup(repeats=1)
    assert result["torch_imported_before_first_paint"] is False
    assert result["studio_s"] > 0 and result["bare_qt_gl_s"] > 0
