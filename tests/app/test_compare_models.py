"""`signstudio app --text T --lang L --model A --compare B [C]`: models side by side with the reference."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6 import QtCore

from signstudio.session.compare import check_models

TEXT, LANG = "hello", "ase"
MODELS = ("lookup", "diffusion", "mean")  # the fast ones: real models, seconds on a CPU


@pytest.fixture(scope="module")
def compared(qapp) -> Iterator:  # type: ignore[no-untyped-def]
    """A studio window set up by ``--text hello --lang ase --model lookup --compare diffusion mean``
    (one run for the module: three real generations)."""
    from signstudio.app.launch import Arrivals, apply_flags
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.cli.main import build_parser
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    win.quiet_errors = True
    watch = Arrivals(win)
    win.resize(1500, 900)
    win.show()
    assert win.wait_painted()
    argv = ["app", "--text", TEXT, "--lang", LANG, "--model", MODELS[0], "--compare", *MODELS[1:]]
    assert apply_flags(win, watch, build_parser().parse_args(argv)) == 0
    yield win
    win.clock.pause()
    win.close()


@pytest.fixture(scope="module")
def own_outputs() -> dict:
    """Each model's output for the text, generated apart from the studio."""
    from signstudio.runner.service import GenerateRequest, Runner

    with Runner(isolation="thread") as runner:
        return {m: runner.run(GenerateRequest(TEXT, LANG, m)) for m in MODELS}


@pytest.mark.gui
def test_compare_shows_one_view_per_model_and_the_reference(compared, own_outputs) -> None:  # type: ignore[no-untyped-def]
    from signstudio.session.captions import describe_view

    win = compared
    vp = win.viewport
    session = win.compare_session
    assert session.done
    views = vp._views()
    assert len(views) == len(MODELS) + 1  # three models and the reference
    assert views[0] is vp.view and views[-1] is vp.view_b
    shown = [vp.main.display.seq, *(s.display.seq for s in session.views.slots if s.display is not None)]
    for model_id, seq in zip(MODELS, shown, strict=True):
        np.testing.assert_array_equal(seq.data, own_outputs[model_id].sequence.data)
        assert describe_view(seq).badge == f"generated · {model_id}"
    for label in session.views.captions:
        assert label.isVisible()
    captions = [label.text() for label in session.views.captions]
    assert "GENERATED · DIFFUSION" in captions[0] and "GENERATED · MEAN" in captions[1]
    assert vp.side.display.seq is win.state.reference
    assert describe_view(win.state.reference, "reference").badge == "reference · lexicon join"
    # the timeline: one DTW row per model, in the plan's order
    rows = [row.title for row in win.timeline.strip._rows]
    assert [r for r in rows if r.startswith("DTW")] == [f"DTW {m} (sh. w.)" for m in MODELS]


@pytest.mark.gui
def test_one_clock_drives_every_view(compared) -> None:  # type: ignore[no-untyped-def]
    win = compared
    session = win.compare_session
    lengths = [s.num_frames for s in session.state.sequences()]
    assert win.clock.num_frames == max(lengths)
    for frame in (0, 40, max(lengths) - 1):
        win.clock.frame = frame
        assert win.viewport.main.cloud.frame == min(frame, lengths[0] - 1)
        assert session.views.shown_frames() == [min(frame, n - 1) for n in lengths[1:]]
    assert win.viewport.wait_painted()


@pytest.mark.gui
def test_camera_moved_in_one_view_moves_the_others(compared) -> None:  # type: ignore[no-untyped-def]
    win = compared
    vp = win.viewport
    extra = win.compare_session.views.views[1]
    before = vp.view.pose()
    extra.orbit(40, 15)  # what a mouse drag in the third view does
    after = extra.pose()
    assert after.azimuth != pytest.approx(before.azimuth)
    for view in vp._views():
        assert view.pose() == after


@pytest.mark.gui
def test_metrics_table_has_score_pairs_numbers_per_model(compared) -> None:  # type: ignore[no-untyped-def]
    from signstudio.runner.scoring import score_pair

    win = compared
    table = win.compare_session.table
    cols = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert cols == list(MODELS)
    ref = win.state.reference
    assert ref is not None
    for model_id, result in win.compare_session.state.results.items():
        scores = score_pair(result.sequence, ref, TEXT, LANG)
        assert table.value("dtw-mje", model_id) == pytest.approx(scores.dtw_mje, rel=1e-9)
        assert table.value("pt-dtw", model_id) == pytest.approx(scores.pt_dtw, rel=1e-9)
        assert table.value("duration diff", model_id) == pytest.approx(
            result.sequence.duration - ref.duration, abs=1e-9
        )
        assert table.value("frames", model_id) == result.sequence.num_frames
        if scores.fgd_mean is not None:
            assert table.value("FGD-style", model_id) == pytest.approx(scores.fgd_mean, rel=1e-6)
    # different models, different numbers: the columns are not one pair repeated
    assert len({round(table.value("dtw-mje", m), 9) for m in MODELS}) == len(MODELS)


def test_unknown_model_in_compare_is_one_line_and_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "app", "--text", TEXT, "--lang", LANG,
         "--model", "lookup", "--compare", "nar-kd", "no-such-model"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: --compare no-such-model: no such model (known: lookup,")
    assert "Traceback" not in proc.stderr


def test_compare_flag_combinations() -> None:
    known = ["lookup", "nar-kd", "diffusion", "mean"]
    assert check_models("lookup", ["nar-kd", "diffusion"], known) is None
    assert "given twice" in str(check_models("lookup", ["lookup"], known))
    assert "one or two models" in str(check_models("lookup", ["nar-kd", "diffusion", "mean"], known))
    assert check_models("lookup", ["family@/runs/a/best.pt"], known) is None  # a checkpoint model


def _activate(qtbot, win) -> None:  # type: ignore[no-untyped-def]
    """Window shortcuts need the window active (no window manager activates it under Xvfb)."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    win.viewport.view.setFocus()


@pytest.mark.gui
def test_ghost_key_overlays_the_reference_in_every_compare_view(compared, qtbot) -> None:  # type: ignore[no-untyped-def]
    from signstudio.session.timewarp import own_clock

    win = compared
    vp, views = win.viewport, win.compare_session.views
    ref = win.state.reference
    lengths = [s.num_frames for s in win.compare_session.state.sequences()]
    _activate(qtbot, win)
    assert not views.ghosted and all(g.display is None for g in views.ghosts)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_G)  # View → Reference as ghost
    assert win.ghost_action.isChecked() and vp.mode == "ghost"
    assert not vp.view_b.isVisible()  # the reference's own view goes: it is drawn in every view
    assert vp._views() == [vp.view, *views.views[:2]]
    for i, ghost in enumerate(views.ghosts[:2]):
        assert ghost.display is not None and ghost.display.seq is ref
        assert ghost.bones.visible()
        assert views.slots[i].display.seq is win.compare_session.state.sequences()[i + 1]
        assert "translucent" in views.captions[i].text()  # the ghost caption: what is solid, what is not
    assert vp.ghost.display.seq is ref  # the main view as before
    frame = 17
    win.clock.frame = frame
    assert views.ghost_frames() == [
        own_clock(min(frame, n - 1), win.clock.fps, ref.fps, ref.num_frames) for n in lengths[1:]
    ]
    assert vp.wait_painted()
    image = vp.grab_image()
    assert not image.isNull()
    # back: side by side, the compare views show their models alone again
    qtbot.keyClick(win, QtCore.Qt.Key.Key_S)
    assert vp.mode == "side-by-side" and vp.view_b.isVisible()
    assert all(g.display is None for g in views.ghosts) and views.ghost_frames() == []


@pytest.mark.gui
def test_warped_ghost_follows_each_models_own_path(compared, qtbot) -> None:  # type: ignore[no-untyped-def]
    from signstudio.session.timewarp import path_table

    win = compared
    session = win.compare_session
    views, ref = session.views, win.state.reference
    _activate(qtbot, win)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_G)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_W)  # reference time-warped onto generated
    try:
        assert win.state.reference_timing == "warped"
        others = session.state.ordered()[1:]
        tables = [path_table(r.scores.path, r.sequence.num_frames, ref.num_frames) for r in others]
        assert not np.array_equal(tables[0][: len(tables[1])], tables[1][: len(tables[0])])  # two paths
        for frame in (0, 9, 30):
            win.clock.frame = frame
            want = [int(t[min(frame, len(t) - 1)]) for t in tables]
            assert views.ghost_frames() == want
    finally:
        qtbot.keyClick(win, QtCore.Qt.Key.Key_S)
        win.own_clock_action.trigger()


@pytest.mark.gui
def test_another_text_leaves_compare_mode(compared, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Last in the module: it ends the comparison the other tests look at."""
    win = compared
    session = win.compare_session
    vp = win.viewport
    assert len(vp._views()) == len(MODELS) + 1
    win.text_panel.set_text("water")
    with qtbot.waitSignal(win.generation_finished, timeout=60000):
        qtbot.mouseClick(win.text_panel.generate_button, QtCore.Qt.MouseButton.LeftButton)
    assert session.closed
    assert vp._views() == [vp.view, vp.view_b] and vp.extra_views == []
    assert win.clock.num_frames == win.state.sequence.num_frames
    rows = [row.title for row in win.timeline.strip._rows]
    assert not any(r.startswith(("DTW diffusion", "DTW mean")) for r in rows)
