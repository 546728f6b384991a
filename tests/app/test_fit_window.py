"""The studio fits small screens (issue 20, item 2): at 1366x768 and 1280x720 every control of the
Text & Prompt panel is on screen, uncovered and clickable (Diffusion's settings too), Generate
clicked with the mouse starts a generation, and the timeline and status bar are inside the window.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6 import QtCore, QtWidgets

pytestmark = pytest.mark.gui

SIZES = [(1366, 768), (1280, 720)]


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    """A window with its own settings (a first start) and an in-thread runner."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.wait_painted()
    yield win
    win.clock.pause()
    win.close()


def _fit(qtbot, win, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    win.resize(*size)
    qtbot.waitUntil(lambda: (win.width(), win.height()) == size, timeout=5000)
    qtbot.wait(50)  # the dock layout settles in a later turn


def _reachable(win: QtWidgets.QMainWindow, widget: QtWidgets.QWidget) -> str | None:
    """Why ``widget`` cannot be clicked in ``win`` (None: it can): hidden, outside the window,
    scrolled out of its scroll area, or covered by another widget at its centre."""
    if not widget.isVisible():
        return "hidden"
    rect = QtCore.QRect(widget.mapTo(win, QtCore.QPoint(0, 0)), widget.size())
    if not win.rect().contains(rect):
        return f"at {rect.getRect()}, outside the window {win.rect().getRect()}"
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QtWidgets.QScrollArea):
        area = area.parentWidget()
    if area is not None:
        port = area.viewport()
        seen = QtCore.QRect(port.mapTo(win, QtCore.QPoint(0, 0)), port.size())
        if not seen.contains(rect):
            return f"at {rect.getRect()}, scrolled out of the panel's view {seen.getRect()}"
    hit = win.childAt(rect.center())
    if hit is not widget and not widget.isAncestorOf(hit):
        return f"covered at its centre by {type(hit).__name__} {hit.objectName()!r}"
    return None


def _controls(win) -> list[QtWidgets.QWidget]:  # type: ignore[no-untyped-def]
    tp = win.text_panel
    base = [tp.text_button, tp.prompt_button, tp.input, tp.language, tp.model]
    settings = tp.settings_box.findChildren(QtWidgets.QAbstractSpinBox)
    return [*base, *settings, tp.generate_button, tp.cancel_button, tp.progress, tp.status]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_small_screen_every_text_control_clickable_and_generate_starts(qtbot, studio, size) -> None:  # type: ignore[no-untyped-def]
    assert studio.minimumSizeHint().height() < 600, "the window's minimum height must sit well under 720"
    _fit(qtbot, studio, size)
    problems = {w.objectName() or type(w).__name__: _reachable(studio, w) for w in _controls(studio)}
    assert {k: v for k, v in problems.items() if v} == {}
    for part in (studio.timeline, studio.statusBar(), studio.viewport):
        assert _reachable(studio, part) is None, part.objectName()
    assert studio.viewport.height() >= 150, "the viewport keeps a usable height"
    studio.text_panel.input.setText("hello")
    with qtbot.waitSignal(studio.generation_finished, timeout=60000) as blocker:
        qtbot.mouseClick(studio.text_panel.generate_button, QtCore.Qt.MouseButton.LeftButton)
        assert studio._pending is not None, "the click started a generation"
    assert blocker.args[0].ok
    assert studio.state.sequence is not None


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_small_screen_with_diffusion_settings(qtbot, studio, size) -> None:  # type: ignore[no-untyped-def]
    _fit(qtbot, studio, size)
    tp = studio.text_panel
    before = tp.height()
    assert tp.set_model("diffusion")
    qtbot.waitUntil(lambda: len(tp.settings_box.findChildren(QtWidgets.QAbstractSpinBox)) >= 2, timeout=5000)
    qtbot.waitUntil(lambda: tp.height() > before, timeout=5000)  # the dock grew for the settings rows
    qtbot.wait(50)
    assert studio.minimumSizeHint().height() <= 640, "Diffusion's rows must not push the minimum past 720"
    problems = {w.objectName() or type(w).__name__: _reachable(studio, w) for w in _controls(studio)}
    assert {k: v for k, v in problems.items() if v} == {}
    steps = tp.settings_box.findChild(QtWidgets.QSpinBox, "setting_steps")
    assert steps is not None
    # A real click on the spin box's up arrow (its right edge, upper half) changes the setting.
    value = steps.value()
    qtbot.mouseClick(steps, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(steps.width() - 6, 4))
    assert steps.value() == value + steps.singleStep()
    assert _reachable(studio, studio.timeline) is None and _reachable(studio, studio.statusBar()) is None


def test_first_start_fits_the_screen(studio) -> None:  # type: ignore[no-untyped-def]
    screen = studio.screen().availableGeometry()
    assert studio.width() <= screen.width() and studio.height() <= screen.height()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run for a 1280x720 screen")
def test_first_start_on_a_1280x720_screen(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A first start (no saved geometry) on a 1280x720 screen: the window is the screen's size,
    not the 1400x860 default, and its picture shows the whole window."""
    from PySide6 import QtGui

    shot = tmp_path / "first.png"
    env = {
        **os.environ,
        "SIGNSTUDIO_CONFIG_DIR": str(tmp_path / "c"),
        "SIGNSTUDIO_AUTOSAVE_DIR": str(tmp_path / "a"),
    }
    env.pop("DISPLAY", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", sys.executable, "-m", "signstudio", "app"]
    cmd += ["--text", "hello", "--lang", "ase", "--model", "lookup", "--screenshot", str(shot), "--quit"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = QtGui.QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 720)


def test_word_list_takes_the_files_height(qtbot, studio) -> None:  # type: ignore[no-untyped-def]
    """Item 9: the corpus word list, not the recent files, gets the Files dock's height."""
    _fit(qtbot, studio, (1366, 768))
    studio.docks["Files"].raise_()
    files = studio.files
    qtbot.waitUntil(files.words.isVisible, timeout=5000)
    qtbot.wait(50)
    row = files.words.sizeHintForRow(0) if files.words.count() else files.words.fontMetrics().height()
    assert files.words.viewport().height() >= 8 * row, (files.words.viewport().height(), row)
    assert files.words.height() > files.recent.height()
