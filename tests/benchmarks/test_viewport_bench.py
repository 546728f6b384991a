"""Viewport frame time as a ratio to an empty frame, ours against pyqtgraph's stock GL items.

Two holistic skeletons (2 x 586 points), new data every frame, 800x600 under the test display
(Xvfb + Mesa llvmpipe in CI). Only ratios measured in the same run are asserted, never times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.gui
@pytest.mark.slow
def test_viewport_items_keep_up_with_pyqtgraph_items(tmp_path) -> None:
    from benchmarks.suite import viewport_unavailable

    reason = viewport_unavailable()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true but the viewport benchmark cannot run: {reason}")
        pytest.skip(reason)
    out = tmp_path / "viewport.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.viewport", "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads(out.read_text())
    print(proc.stdout)
    assert r["name"] == "viewport" and r["size"] == [800, 600] and r["points_per_skeleton"] == 586
    # every frame of every scenario was painted, and ours uploaded each new frame
    for name, paints in r["paints"].items():
        views = 2 if name in ("side-by-side", "avatars") else 1
        assert paints >= r["frames"] * r["rounds"] * views, (name, paints)
    assert r["frame_uploads_signstudio"] >= 2 * r["frames"] * r["rounds"]
    # the comparison: a ratio to an empty frame measured in the same run, never an absolute time;
    # pyqtgraph's items with new data every frame (their arrays built as frames come)
    # (measured here, quick runs: ours 1.18-1.22, pyqtgraph's 1.21-1.37 on a quiet machine; in a
    # loaded full run 1.13 against 1.08: within 5 % is what these quick runs can tell apart)
    assert r["ratio_signstudio"] < 1.05 * r["ratio_pyqtgraph"], r["ratio"]
    # two mannequins cost more than their skeletons alone, and the rate is reported
    assert r["ratio_avatars"] > 1.0 and r["fps_avatars"] > 0


def test_bench_cli_says_why_the_viewport_is_skipped(monkeypatch) -> None:
    from benchmarks import suite as bench_cmd

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    r = bench_cmd.viewport_benchmark(quick=True)
    assert r["name"] == "viewport" and "no display" in r["skipped"] and "xvfb-run" in r["skipped"]
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert "no OpenGL" in bench_cmd.viewport_benchmark(quick=True)["skipped"]
