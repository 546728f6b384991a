"""Generate → Compare models… and Leave compare mode with real clicks: the menu opened on the menu
bar, two models ticked in the dialog, Compare clicked; the studio then shows the Text panel's model
and the two others beside the reference, with the Compare table; Leave compare mode brings the
normal view back."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

pytestmark = pytest.mark.gui

LEFT = QtCore.Qt.MouseButton.LeftButton
TEXT, LANG = "hello", "ase"
FIRST, OTHERS = "lookup", ("diffusion", "mean")  # real models, seconds on a CPU


def _click_menu_entry(qtbot, win, title: str, object_name: str) -> QtGui.QAction:  # type: ignore[no-untyped-def]
    """Open the menu ``title`` on the menu bar with a click, then click its entry ``object_name``."""
    bar = win.menuBar()
    menu = next(a.menu() for a in bar.actions() if a.text().replace("&", "") == title)
    qtbot.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    action = next(a for a in menu.actions() if a.objectName() == object_name)
    if not action.isEnabled():
        menu.close()
        return action
    qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5000)
    return action


def _tick(qtbot, box: QtWidgets.QCheckBox) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(box, LEFT, pos=QtCore.QPoint(8, box.height() // 2))  # on the box itself


def test_compare_models_from_the_menu_and_back(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.dialogs.compare import CompareDialog
    from signstudio.session.captions import describe_view

    win = studio
    panel = win.text_panel
    assert panel.set_language(LANG) and panel.set_model(FIRST)
    panel.set_text(TEXT)
    # not comparing yet: Leave compare mode is greyed out
    leave = _click_menu_entry(qtbot, win, "Generate", "leave_compare_mode")
    assert not leave.isEnabled()
    _click_menu_entry(qtbot, win, "Generate", "compare_models")
    qtbot.waitUntil(lambda: win.findChild(CompareDialog) is not None, timeout=5000)
    dialog = win.findChild(CompareDialog)
    qtbot.waitExposed(dialog)
    assert dialog.text.text() == TEXT and dialog.language.currentData() == LANG
    assert FIRST not in dialog.boxes and set(OTHERS) <= set(dialog.boxes)
    assert not dialog.ok.isEnabled()  # nothing ticked yet
    for model_id in OTHERS:
        _tick(qtbot, dialog.boxes[model_id])
    assert dialog.picked() == [m for m in dialog.boxes if m in OTHERS]
    spare = [box for m, box in dialog.boxes.items() if m not in OTHERS]
    assert spare and not any(box.isEnabled() for box in spare)  # two at most
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: getattr(win, "compare_session", None) is not None, timeout=5000)
    session = win.compare_session
    qtbot.waitUntil(lambda: session.done, timeout=180000)

    vp = win.viewport
    models = session.plan.models
    assert models[0] == FIRST and set(models[1:]) == set(OTHERS)
    assert all(r.error is None for r in session.state.ordered())
    assert len(vp._views()) == 4 and vp._views()[-1] is vp.view_b  # three models and the reference
    assert describe_view(vp.main.display.seq).badge == f"generated · {FIRST}"
    shown = [describe_view(s.display.seq).badge for s in session.views.slots if s.display is not None]
    assert shown == [f"generated · {m}" for m in models[1:]]
    table = session.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == list(models)
    assert table.value("dtw-mje", models[1]) is not None
    rows = [row.title for row in win.timeline.strip._rows]
    assert sum(r.startswith("DTW") for r in rows) == 3
    main_frames = win.state.sequence.num_frames
    assert vp.wait_painted()

    assert _click_menu_entry(qtbot, win, "Generate", "leave_compare_mode").isEnabled()
    assert vp._views() == [vp.view, vp.view_b]  # the normal view: generated beside its reference
    assert vp.extra_views == [] and vp.extra_slots == []
    qtbot.waitUntil(lambda: win.findChild(QtWidgets.QDockWidget, "dock_compare") is None, timeout=5000)
    rows = [row.title for row in win.timeline.strip._rows]
    assert sum(r.startswith("DTW") for r in rows) == 1
    assert win.clock.num_frames == main_frames
    assert vp.wait_painted()
    _click_menu_entry(qtbot, win, "Generate", "leave_compare_mode")
    assert not leave.isEnabled()  # left: nothing to leave any more
