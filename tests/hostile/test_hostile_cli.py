"""Every hostile file of ``tests/hostile/cases_*.py`` through the commands a user would run.

Each cases module defines ``CASES: dict[str, Callable[[Path], Path]]`` (name -> build(tmp) ->
hostile file or folder, built by code from real data). Each case runs, in a subprocess with a
fresh output folder, as

    info FILE | convert FILE OUT.pose | convert FILE OUT.bvh | render FILE --out OUT.mp4 |
    app FILE --screenshot SHOT.png --quit

and must exit 2 with exactly one non-empty line of output (stdout + stderr) that names the file
and holds no traceback, within `MAX_MB` of peak memory (``os.wait4``'s rusage) and `MAX_S`
seconds (`APP_MAX_S` for the app, whose Qt start is slower), leaving nothing in the output
folder. ``render`` and ``app`` run under the test's X display (CI runs the suite under
``xvfb-run``) and are skipped with the reason when there is none.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from signstudio.pose.errors import LIBRARY_TEXT

from .harness import child_env, run_cli

MAX_MB = 500
MAX_S = 5.0
APP_MAX_S = 15.0
#: A command still running after this is killed and fails the test (bombs used to run minutes).
KILL_S = 60.0
COLUMNS = ("info", "convert_pose", "convert_bvh", "render", "app")
NEEDS_DISPLAY = frozenset({"render", "app"})
HAS_DISPLAY = bool(os.environ.get("DISPLAY"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _collect() -> dict[str, Callable[[Path], Path]]:
    """``module:name`` -> builder, over every cases_*.py beside this file."""
    cases: dict[str, Callable[[Path], Path]] = {}
    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        module = importlib.import_module(f"{__package__}.{path.stem}")
        for name, build in module.CASES.items():
            cases[f"{path.stem.removeprefix('cases_')}:{name}"] = build
    return cases


CASES = _collect()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Builds each case once per module (the columns share the input, never the output)."""
    built: dict[str, Path] = {}

    def get(case: str) -> Path:
        if case not in built:
            built[case] = CASES[case](tmp_path_factory.mktemp(case.replace(":", "_")))
        return built[case]

    return get


def _args(column: str, path: Path, out: Path) -> list[str]:
    return {
        "info": ["info", str(path)],
        "convert_pose": ["convert", str(path), str(out / "out.pose")],
        "convert_bvh": ["convert", str(path), str(out / "out.bvh")],
        "render": ["render", str(path), "--out", str(out / "out.mp4")],
        "app": ["app", str(path), "--screenshot", str(out / "shot.png"), "--quit"],
    }[column]


def test_cases_are_collected() -> None:
    assert any(case.startswith("bombs:") for case in CASES), sorted(CASES)


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file(case: str, column: str, hostile: Callable[[str], Path], tmp_path: Path) -> None:
    if column in NEEDS_DISPLAY and not HAS_DISPLAY:
        if IN_CI:
            pytest.fail("CI=true but no X display: run the suite under xvfb-run")
        pytest.skip(f"{column} needs an X display (DISPLAY unset): run under `xvfb-run -a pytest`")
    path = hostile(case)
    out = tmp_path / "out"
    out.mkdir()
    env = child_env(tmp_path / "home", {"QT_QPA_PLATFORM": "xcb"} if column == "app" else None)
    run = run_cli(_args(column, path, out), cwd=tmp_path, timeout=KILL_S, env=env)
    report = run.describe()
    assert not run.killed, report
    assert run.returncode == 2, report
    assert len(run.lines) == 1, report
    assert path.name in run.lines[0], report
    assert "Traceback" not in run.output, report
    message = run.lines[0].removeprefix("error: ")  # the CLI's own prefix
    assert not LIBRARY_TEXT.search(message), f"library text in the message: {report}"
    assert run.peak_mb < MAX_MB, report
    assert run.wall_s < (APP_MAX_S if column == "app" else MAX_S), report
    left = sorted(p.name for p in out.rglob("*"))
    assert not left, f"{report}\nleft in the output folder: {left}"
