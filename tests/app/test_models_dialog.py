"""Models → Add checkpoint…: a run's checkpoint becomes a selectable, remembered model; one that does
not fit is one line in a message box. (`signstudio app --checkpoint` goes through the same path.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from PySide6 import QtWidgets

from signstudio.modeling import registry
from signstudio.modeling.shipped_models import NARKD_CHECKPOINT

pytestmark = pytest.mark.gui


def _window(qtbot):  # type: ignore[no-untyped-def]
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def config(tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    yield tmp_path
    for info in registry.available_models():
        if registry.is_checkpoint_model(info.id):
            registry.unregister(info.id)


@pytest.mark.skipif(not NARKD_CHECKPOINT.exists(), reason="needs the shipped nar-kd checkpoint")
def test_add_checkpoint_from_the_menu_is_selected_and_remembered(qtbot, config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run = config / "runs" / "narkd-phoenix"
    run.mkdir(parents=True)
    best = run / "best.pt"
    shutil.copy(NARKD_CHECKPOINT, best)
    win = _window(qtbot)
    monkeypatch.setattr(
        QtWidgets.QFileDialog, "getOpenFileName", lambda *a: (str(best), "Checkpoints (*.pt)")
    )
    win.actions_by_name["add_checkpoint"].trigger()
    model_id = registry.checkpoint_model_id("nar-kd", best)
    panel = win.text_panel
    assert panel.current_model() == model_id and win.state.model_id == model_id
    assert "narkd-phoenix/best.pt" in panel.model.currentText()
    win.settings.sync()
    win.close()

    registry.unregister(model_id)  # a new start: only the settings know the file
    again = _window(qtbot)
    assert again.text_panel.current_model() == model_id
    again.close()


def test_a_file_that_is_not_a_checkpoint_is_one_line(qtbot, config, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = config / "notes.pt"
    bad.write_bytes(b"not a checkpoint at all")
    win = _window(qtbot)
    before = [win.text_panel.model.itemData(i) for i in range(win.text_panel.model.count())]
    shown: list[str] = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", lambda *a: (str(bad), ""))
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    win.actions_by_name["add_checkpoint"].trigger()
    assert len(shown) == 1 and str(bad) in shown[0] and "not a readable checkpoint" in shown[0]
    assert "\n" not in shown[0]
    assert [win.text_panel.model.itemData(i) for i in range(win.text_panel.model.count())] == before
    win.close()
