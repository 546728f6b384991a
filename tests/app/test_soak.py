"""Quick soak of the PySide6 pin: 3000 GL repaints with new data each time (see packaging/soak_repaint.py).

PySide6 6.12.0 crashes pyqtgraph's GL items after a few thousand repaints on Python 3.11; the
pinned version must survive. Runs in a subprocess so that a crash fails this test, not the run.
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
    assert "paintGL ran" in out
