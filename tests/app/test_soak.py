"""Quick soak of the viewport's GL items: 3000 repaints with new data each time (packaging/soak_repaint.py).

Two real holistic skeletons through `signstudio.app.viewport.skeleton_items`, a new frame each repaint, bone
index uploads and skeleton switches along the way. Runs in a subprocess so that a crash fails
this test, not the run; the script itself checks that every repaint reached paintGL and that
memory did not grow after its warm-up. The full run is 100 000 repaints (``--n 100000``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "soak_repaint.py"


@pytest.mark.gui
@pytest.mark.slow
def test_quick_soak_survives_3000_repaints() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--n", "3000", "--report-every", "0"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert out.strip().splitlines()[-1] == "OK", out
    assert "paintGL ran" in out and "frame uploads" in out
    assert "RSS:" in out and "FAIL" not in out
