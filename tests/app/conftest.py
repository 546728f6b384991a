"""GUI tests run on a real X display with OpenGL (Xvfb + Mesa llvmpipe in CI).

Qt's ``offscreen`` platform has no OpenGL, so tests marked ``gui`` use the ``xcb`` platform.
Without a display they are skipped with the reason — except under CI (``CI=true``), where a
missing display is a broken setup and stops the run: `bash packaging/bootstrap.sh test` runs
the suite under ``xvfb-run``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

HAS_DISPLAY = bool(os.environ.get("DISPLAY"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NO_DISPLAY_REASON = (
    "no X display (DISPLAY unset): GUI tests need a display with OpenGL; "
    "run `bash packaging/bootstrap.sh test` or `xvfb-run -a pytest`"
)

if HAS_DISPLAY:
    # Before pytest-qt creates the QApplication: xcb, never offscreen (no OpenGL there), and
    # the studio's own process-wide settings (shared GL contexts).
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from signstudio.app.qt_boot import prepare_qt

    prepare_qt()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gui = [item for item in items if item.get_closest_marker("gui")]
    if not gui or HAS_DISPLAY:
        return
    if IN_CI:
        raise pytest.UsageError(
            f"CI=true but there is no X display for the {len(gui)} GUI tests: "
            "run the suite through `bash packaging/bootstrap.sh test` (it provides Xvfb)"
        )
    skip = pytest.mark.skip(reason=NO_DISPLAY_REASON)
    for item in gui:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The studio's default sample (a real recording) written as a .pose file."""
    from signstudio.corpus.store import default_sample
    from signstudio.pose.formats import write

    path = tmp_path_factory.mktemp("app") / "sample.pose"
    write(path, default_sample())
    return path


@pytest.fixture
def window(qtbot) -> Iterator:  # type: ignore[no-untyped-def]
    """The studio window on the default sample, shown and painted once."""
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.store import default_sample

    win = StudioWindow(default_sample())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    # Window shortcuts need the window to be active (no window manager activates it under Xvfb).
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    assert win.wait_painted(), "the GL view did not paint"
    yield win
    win.clock.pause()


@pytest.fixture
def open_studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    """Opens studio windows for a test: ``open_studio(sequence=None, reference=None,
    size=(1600, 1000), own_data=True)`` -> a `StudioWindow` on ``sequence``/``reference`` (None:
    the built-in sample, not generated), with its own settings and autosave folders (and its
    own data folder — dataset index, pair-score cache — unless ``own_data`` is False: a test that
    reads the corpus cache keeps the shared one), an in-thread runner (no child process),
    errors on the status bar instead of message boxes; shown, active (window shortcuts work)
    and painted once. Every window it opened is paused and closed after the test."""
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    opened = []

    def open_window(sequence=None, reference=None, size=(1600, 1000), own_data=True):  # type: ignore[no-untyped-def]
        if own_data:
            monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(tmp_path / "data"))
        bridge = RunnerBridge(Runner(isolation="thread"))
        win = StudioWindow(sequence, reference, bridge=bridge, auto_generate=False)
        win.quiet_errors = True
        qtbot.addWidget(win)
        opened.append(win)
        win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        # Window shortcuts need the window to be active (no window manager activates it under Xvfb).
        win.activateWindow()
        qtbot.waitUntil(win.isActiveWindow, timeout=5000)
        assert win.wait_painted(), "the GL view did not paint"
        return win

    yield open_window
    for win in opened:
        win.clock.pause()
        win.close()


@pytest.fixture
def studio(open_studio) -> object:  # type: ignore[no-untyped-def]
    """A studio window at 1600×1000 with its own settings, data and autosave folders and an
    in-thread runner (`open_studio`), nothing generated yet."""
    return open_studio()
