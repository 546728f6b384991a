"""Labels are not cut or crowded (issue 20, item 8), measured with the fonts in use at 1366x768: the
timeline's legends inside the strip, its y tick labels apart, the cursor tag inside the plot at
both ends, the Metrics table's facts inside their cells, the status line elided, not clipped.
Real data: a lexicon letter against the built-in "hello" (whose left hand is absent: "(no data)").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

pytestmark = pytest.mark.gui


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    """A 1366x768 window on a real pair, scored (in-thread runner)."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.lexicon import alphabet
    from signstudio.pose.formats import read_one
    from signstudio.runner.service import Runner

    seq = read_one(alphabet("ase")["w"].path)
    win = StudioWindow(seq, None, bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    assert win.wait_painted()
    with qtbot.waitSignal(win.scores_ready, timeout=60000):
        win.set_pair(seq, win.inputs.default_sample())
    qtbot.wait(100)  # the table's later slice, the strip's layout
    yield win
    win.clock.pause()
    win.close()


def _strip_rect(strip, item) -> QtCore.QRectF:  # type: ignore[no-untyped-def]
    """``item``'s bounding rect in the strip widget's pixels."""
    return strip.mapFromScene(item.sceneBoundingRect()).boundingRect().toRectF()


def test_legends_inside_the_strip(studio) -> None:  # type: ignore[no-untyped-def]
    strip = studio.timeline.strip
    legends = [row.legend.text for row in strip._rows]
    assert any("(no data)" in text for text in legends), legends  # the reference has no left hand
    inside = QtCore.QRectF(strip.viewport().rect()).adjusted(-0.5, -0.5, 0.5, 0.5)
    for row in strip._rows:
        rect = _strip_rect(strip, row.legend.item)
        assert inside.contains(rect), (row.title, rect.getRect(), inside.getRect())
        assert row.legend.width() + 0.5 >= row.legend.item.boundingRect().width(), row.title


def test_y_tick_labels_do_not_stack(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Labels that are drawn (whole inside the row) are at least a text line apart, and every
    row with data has one."""
    strip = studio.timeline.strip
    assert len(strip._rows) >= 3  # DTW, speed, confidence: short rows
    for row in strip._rows:
        lo, hi = row.view.viewRange()[1]
        size = row.view.height()
        font = row.axis.style.get("tickFont") or row.axis.font()
        line = QtGui.QFontMetricsF(font).height()
        per_px = (hi - lo) / size
        labelled = row.axis.tickValues(lo, hi, size)[:1]  # the one level whose values are written
        assert labelled, row.title
        spacing, values = labelled[0]
        drawn = [v for v in values if lo + line * per_px / 2 <= v <= hi - line * per_px / 2]
        assert drawn, (row.title, values, lo, hi, size)
        if len(drawn) > 1:
            assert spacing / per_px >= line, (row.title, spacing, size, line)


@pytest.mark.parametrize("where", ["first", "last"])
def test_cursor_tag_inside_the_plot_at_either_end(studio, qtbot, where) -> None:  # type: ignore[no-untyped-def]
    strip = studio.timeline.strip
    studio.clock.frame = 0 if where == "first" else studio.clock.num_frames - 1
    qtbot.wait(50)
    tag = strip._tag
    assert tag is not None and tag.isVisible() and tag.textItem.toPlainText()
    view = _strip_rect(strip, strip._rows[-1].view)
    rect = _strip_rect(strip, tag)
    assert view.left() - 1 <= rect.left(), (rect.getRect(), view.getRect())
    assert rect.right() <= view.right() + 1, (rect.getRect(), view.getRect())


@pytest.mark.parametrize("scale", [1.0, 1.3], ids=["font", "larger-font"])
def test_metrics_facts_fit_their_cells(studio, qtbot, scale) -> None:  # type: ignore[no-untyped-def]
    studio.docks["Metrics"].raise_()
    # as narrow as the left column gets on a small screen
    studio.resizeDocks([studio.docks["Metrics"]], [300], QtCore.Qt.Orientation.Horizontal)
    table = studio.metrics.table
    font = QtGui.QFont(table.font())
    font.setPointSizeF(font.pointSizeF() * scale)  # a user's larger system font
    table.setFont(font)
    studio.metrics.show_sequences(studio.state.sequence, studio.state.reference, studio._scores)
    qtbot.waitUntil(table.isVisible, timeout=5000)
    qtbot.wait(50)
    wrap = int(QtCore.Qt.TextFlag.TextWordWrap)
    # the delegate's text margins: the focus frame's + 1 px at either side, none above or below
    margin = table.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
    checked = 0
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is None or not item.text():
                continue
            rect = table.visualItemRect(item).adjusted(margin, 0, -margin, 0)
            need = QtGui.QFontMetrics(font).boundingRect(rect, wrap, item.text())
            assert need.width() <= rect.width() and need.height() <= rect.height(), (item.text(), need, rect)
            checked += 1
    assert checked > 10
    texts = [table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, 0)]
    assert any("joints)" in t for t in texts)  # "holistic (586 joints)" is among them


def test_status_line_is_elided_not_clipped(studio, qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = studio.statusBar()
    studio.resize(1280, 720)
    qtbot.waitUntil(lambda: studio.width() == 1280, timeout=5000)
    long = "Opened " + "/very/long/folder/name" * 12 + "/hello.pose"
    bar.showMessage(long, 5000)
    shown = bar.shown_message()
    assert shown != long and shown.endswith("…")
    assert bar.currentMessage() == long  # the message as given, for whoever asks
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_room()
    assert bar.toolTip() == long
    studio.resize(1366, 768)  # wider: more of it shows
    qtbot.waitUntil(lambda: len(bar.shown_message()) > len(shown), timeout=5000)
    short = "Signed “hello” in American Sign Language"
    bar.showMessage(short)
    assert bar.shown_message() == bar.currentMessage() == short
    assert isinstance(bar, QtWidgets.QStatusBar)
