"""Applying a generated result: the timeline repaints once, and what the GUI thread would work
out (curves, the Metrics facts) comes prepared from the runner's worker thread."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6 import QtCore

from signstudio.app import analysis_view, metrics_panel
from signstudio.app.analysis_view import prepare_curves, timeline_curves
from signstudio.app.metrics_panel import facts
from signstudio.app.runner_bridge import RunnerBridge
from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose.formats import read_one
from signstudio.runner.service import GenerateRequest, GenerateResponse, Runner
from signstudio.session.analysis import pair_curves
from signstudio.session.studio import StudioState

pytestmark = pytest.mark.gui


class _Paints(QtCore.QObject):
    """Counts the paint events of the widgets it watches, by object name."""

    def __init__(self) -> None:
        super().__init__()
        self.counting = False
        self.seen: dict[str, int] = {}

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if self.counting and event.type() == QtCore.QEvent.Type.Paint:
            self.seen[watched.objectName()] = self.seen.get(watched.objectName(), 0) + 1
        return False


def _generate(win, qtbot, word: str) -> GenerateResponse:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(win.generation_finished, timeout=60_000) as done:
        win.generate(word, "ase", "lookup", False)
    response = done.args[0]
    assert response.ok, response.error
    return response


def test_a_generated_result_repaints_the_timeline_once(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    win = studio
    strip, slider = win.timeline.strip, win.timeline.slider
    strip.viewport().setObjectName("strip_viewport")
    paints = _Paints()
    for widget in (strip.viewport(), slider):
        widget.installEventFilter(paints)
    # Count from the moment the result reaches the GUI thread (this slot runs after the window's).
    win.bridge.finished.connect(lambda _r: setattr(paints, "counting", True))
    _generate(win, qtbot, "wonderful")  # the first pair: the strip gets its score rows
    qtbot.wait(600)
    first = dict(paints.seen)
    for word in ("wonderful", "hello"):  # the same rows again, then another length
        paints.counting, paints.seen = False, {}
        uploads = strip.data_uploads
        response = _generate(win, qtbot, word)
        qtbot.wait(600)  # the table's later slice, the slider's alignment, any relayout
        assert response.sequence is win.state.sequence
        assert response.sequence in analysis_view._CURVES  # made on the runner's worker thread
        assert strip.data_uploads > uploads, "the new curves were not drawn"
        assert paints.seen.get("strip_viewport") == 1, (word, paints.seen)
        assert paints.seen.get("frame_slider", 0) <= 1, (word, paints.seen)
        # what is drawn is the new pair's
        shown = strip.curves
        expected = pair_curves(win.state.sequence, win.state.reference, win._scores, win.state.frame_table())
        assert list(shown) == list(expected)
        for key, c in expected.items():
            drawn = np.where(np.isfinite(c.values), c.values, np.nan)  # as `Curve` keeps them
            np.testing.assert_array_equal(shown[key].values, drawn)
    assert first.get("strip_viewport", 0) >= 1


def _pair() -> tuple:  # type: ignore[type-arg]
    entries = lexicon_index()
    return read_one(entries[3].path), read_one(entries[4].path)


@pytest.mark.parametrize("timing", ["own-clock", "warped"])
def test_prepared_curves_are_the_pairs_curves(timing: str) -> None:
    """Made on another thread, put on the generated frames by the current timing: the same rows,
    in the same order, with the same values as working them out on the GUI thread."""
    gen, ref = _pair()
    state = StudioState()
    state.set_result(gen, ref)
    state.reference_timing = timing
    table = state.frame_table()
    expected = timeline_curves(state, gen, ref, None)  # nothing prepared yet: worked out here
    assert gen not in analysis_view._CURVES
    prepare_curves(gen, ref, None)
    assert gen in analysis_view._CURVES
    got = timeline_curves(state, gen, ref, None)
    assert list(got) == list(expected) == list(pair_curves(gen, ref, None, table))
    assert any(key.endswith("(ref)") for key in got)
    for key, c in expected.items():
        np.testing.assert_array_equal(got[key].values, c.values)
        assert (got[key].color, got[key].group, got[key].label, got[key].unit) == (
            c.color,
            c.group,
            c.label,
            c.unit,
        )
    # Another reference (or other scores) than the prepared ones: worked out afresh, not reused.
    other = read_one(lexicon_index()[5].path)
    state.set_result(gen, other)
    again = timeline_curves(state, gen, other, None)
    fresh = pair_curves(gen, other, None, state.frame_table())
    for key, c in fresh.items():
        np.testing.assert_array_equal(again[key].values, np.where(np.isfinite(c.values), c.values, np.nan))


def test_the_bridge_prepares_curves_and_facts_before_the_window_hears(qapp) -> None:  # type: ignore[no-untyped-def]
    gen, ref = _pair()
    bridge = RunnerBridge(Runner(isolation="thread"))
    seen: list[tuple[bool, bool, bool]] = []

    def finished(r: GenerateResponse) -> None:
        with metrics_panel._FACTS_LOCK:
            have_facts = r.sequence in metrics_panel._FACTS and r.reference in metrics_panel._FACTS
        seen.append((r.sequence in analysis_view._CURVES, have_facts, r.sequence is gen))

    bridge.finished.connect(finished)
    try:
        bridge._on_done(GenerateResponse(1, GenerateRequest("hello", "ase"), sequence=gen, reference=ref))
        assert seen == [(True, True, True)]
        assert dict(metrics_panel.facts_of(gen)) == facts(gen)  # what the table shows, unchanged
        # A failed answer has nothing to prepare and is still delivered.
        bridge._on_done(GenerateResponse(2, GenerateRequest("hello", "ase"), error="no model"))
        assert len(seen) == 2
    finally:
        bridge.shutdown()


def test_the_metrics_table_keeps_the_cells_that_did_not_change(studio) -> None:  # type: ignore[no-untyped-def]
    win = studio
    gen, ref = _pair()
    table = win.metrics.table
    win.metrics.show_sequences(gen, ref, None, scoring=True)
    before = {(r, c): table.item(r, c) for r in range(table.rowCount()) for c in range(2)}
    win.metrics.show_sequences(gen, None, None)  # the reference column empties, the rest stays
    ref_col = {r for r in range(len(metrics_panel.SCORE_ROWS), table.rowCount())}
    for (r, c), item in before.items():
        if item is None:
            continue
        assert table.item(r, c) is item  # the same cell, its text rewritten only where it changed
        if c == 1 and r in ref_col:
            assert item.text() == "—"
    assert win.metrics.value("frames") == str(gen.num_frames)
    assert win.metrics.value("DTW (dtw-mje)") == "—"


def test_new_curves_do_not_pile_up_slider_alignments(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Each `set_curves` used to connect the strip's geometry signal once more: after a hundred
    results one relayout aligned the slider a hundred times."""
    from signstudio.app.curves import Curve
    from signstudio.app.timeline import Timeline
    from signstudio.session.clock import Clock

    timeline = Timeline(Clock(num_frames=50, fps=25.0))
    qtbot.addWidget(timeline)
    for k in range(5):
        timeline.set_curves({"speed": Curve(np.linspace(0, k + 1, 50), group="speed")})
    assert timeline.strip.receivers(QtCore.SIGNAL("plot_geometry_changed()")) == 1
