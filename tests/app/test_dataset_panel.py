"""The Dataset dock with real key presses: PHOENIX14T's dev split opened in the studio, ↓ shows
the next sequence, sorting, filtering, a damaged line, scores and "next worst sequence", and
screenshots at 1600×1000 and 1366×768 (``SIGNSTUDIO_TEST_SHOTS``: a folder to keep them in)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
DEV = PT / "dev.skels"
TEXTS = (PT / "dev.text").read_text("utf-8").splitlines()
GLOSSES = (PT / "dev.gloss").read_text("utf-8").splitlines()
KEYS = (PT / "dev.files").read_text("utf-8").splitlines()


# `studio`: the shared window fixture (tests/app/conftest.py)


def _rows(win) -> list[int]:  # type: ignore[no-untyped-def]
    """The dataset indices in the table's order, as drawn (the proxy's rows)."""
    panel = win.datasets.panel
    proxy = panel.proxy
    return [int(proxy.index(r, 0).data()) for r in range(proxy.rowCount())]


def _cell(win, row: int, column: str) -> str:  # type: ignore[no-untyped-def]
    panel = win.datasets.panel
    return str(panel.proxy.index(row, panel.browser.columns.index(column)).data())


def _key(qtbot, widget, key) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.keyClick(widget, key)


def _shown_equals(win, seq) -> bool:  # type: ignore[no-untyped-def]
    shown = win.viewport.generated
    return shown is not None and np.array_equal(shown.data, seq.data, equal_nan=True)


def _shot(win, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = win.save_screenshot(tmp_path / name)
    keep = os.environ.get("SIGNSTUDIO_TEST_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return Path(path)


def test_dev_opens_as_a_dataset_and_the_keys_step_through_it(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    from signstudio.pose.formats import read

    Key = QtCore.Qt.Key
    assert studio.open_file(DEV)
    panel = studio.datasets.panel
    dataset = studio.datasets.browser.dataset
    assert dataset is not None and len(dataset) == 5
    assert _rows(studio) == [0, 1, 2, 3, 4]
    assert [_cell(studio, r, "text") for r in range(5)] == TEXTS
    assert [_cell(studio, r, "gloss") for r in range(5)] == GLOSSES
    assert [_cell(studio, r, "key") for r in range(5)] == KEYS
    eager = read(DEV)
    assert [_cell(studio, r, "frames") for r in range(5)] == [str(s.num_frames) for s in eager]
    assert _shown_equals(studio, dataset.sequence(0))
    assert studio.datasets.dock.isVisible() and "5 of 5 sequences" in panel.title.text()

    _key(qtbot, panel.table, Key.Key_Down)
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(1)), timeout=5000)
    assert studio.viewport.generated.meta["text"] == TEXTS[1]
    assert panel.table.currentIndex().row() == 1 and studio.clock.num_frames == eager[1].num_frames
    _key(qtbot, panel.table, Key.Key_PageDown)  # a page: to the last row here
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(4)), timeout=5000)
    _key(qtbot, panel.table, Key.Key_Up)
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(3)), timeout=5000)

    # sort by frames: a click on the header, then again for descending
    header = panel.table.horizontalHeader()
    col = panel.browser.columns.index("frames")
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(x, 5))
    frames = [s.num_frames for s in eager]
    first = _rows(studio)
    qtbot.mouseClick(header.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(x, 5))
    second = _rows(studio)
    assert {tuple(first), tuple(second)} == {
        tuple(sorted(range(5), key=frames.__getitem__)),
        tuple(sorted(range(5), key=frames.__getitem__, reverse=True)),
    }
    # ↓ follows the drawn order
    top = _rows(studio)[0]
    studio.datasets.browser.go_to(top)
    _key(qtbot, panel.table, Key.Key_Down)
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(_rows(studio)[1])), timeout=5000)

    # filter by a gloss word, typed; ↓ in the filter box steps through what is left
    panel.filter.setFocus()
    qtbot.keyClicks(panel.filter, "gewitter")
    assert sorted(_rows(studio)) == [i for i, g in enumerate(GLOSSES) if "GEWITTER" in g] == [1, 2]
    assert "2 of 5 sequences" in panel.title.text()
    studio.datasets.browser.go_to(_rows(studio)[0])
    _key(qtbot, panel.filter, Key.Key_Down)
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(_rows(studio)[1])), timeout=5000)
    _key(qtbot, panel.filter, Key.Key_Down)  # the last visible row: stays
    assert studio.datasets.browser.current == _rows(studio)[1]
    _shot(studio, tmp_path, "dataset_panel_1600x1000.png")


def test_a_damaged_line_shows_its_error_and_the_studio_keeps_running(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    for p in PT.glob("dev.*"):
        shutil.copy(p, tmp_path / p.name)
    lines = (tmp_path / "dev.skels").read_bytes().split(b"\n")
    lines[1] = lines[1][:80] + b" x1.5y " + lines[1][86:]  # a value that is no number, on line 2
    (tmp_path / "dev.skels").write_bytes(b"\n".join(lines))
    assert studio.open_file(tmp_path / "dev.skels")
    panel, dataset = studio.datasets.panel, studio.datasets.browser.dataset
    before = studio.viewport.generated
    _key(qtbot, panel.table, QtCore.Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: "line 2" in studio.statusBar().currentMessage(), timeout=5000)
    message = studio.statusBar().currentMessage()
    assert "dev.skels" in message and "\n" not in message and "Error" not in message
    assert panel.note.isVisible() and panel.note.text() == message
    bad = panel.model.index(1, 0)
    assert panel.model.data(bad, QtCore.Qt.ItemDataRole.ToolTipRole) == message
    assert panel.model.data(bad, QtCore.Qt.ItemDataRole.DecorationRole) is not None
    assert studio.viewport.generated is before  # the previous sequence stays
    _key(qtbot, panel.table, QtCore.Qt.Key.Key_Down)  # and the next one reads
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(2)), timeout=5000)
    assert not panel.note.isVisible() and studio.isVisible()


def test_scores_and_next_worst_sequence(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    assert studio.open_file(DEV)
    action = studio.actions_by_name["next_worst_sequence"]
    panel, dataset = studio.datasets.panel, studio.datasets.browser.dataset
    qtbot.waitUntil(lambda: not action.isEnabled(), timeout=2000)  # no scores yet: disabled, says why
    assert "No per-sequence scores" in action.statusTip() and not panel.next_worst_button.isEnabled()
    # per-sequence scores as the pairing fills them: real DTW-MJE of each dev sequence against test's
    from signstudio.metrics.dtw import dtw
    from signstudio.pose.formats import read

    test = read(PT / "test.skels")
    values = {i: dtw(dataset.sequence(i), test[i], metric="dtw-mje").score for i in (0, 1, 2, 4)}
    studio.datasets.set_scores("dtw-mje", values)
    assert action.isEnabled() and panel.next_worst_button.isEnabled()
    col = panel.browser.columns.index("dtw-mje")
    assert (
        _cell(studio, 3, "dtw-mje") == "n/a"
        and panel.proxy.headerData(col, QtCore.Qt.Orientation.Horizontal) == "dtw-mje"
    )
    panel.table.sortByColumn(col, QtCore.Qt.SortOrder.DescendingOrder)
    worst_first = sorted(values, key=values.__getitem__, reverse=True)
    assert _rows(studio) == [*worst_first, 3]  # the one without a score last
    studio.datasets.browser.go_to(3)
    studio.activateWindow()
    visited = []
    for _ in range(len(values)):
        qtbot.keyClick(
            studio,
            QtCore.Qt.Key.Key_N,
            QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier,
        )
        visited.append(studio.datasets.browser.current)
        assert _shown_equals(studio, dataset.sequence(visited[-1]))
    assert visited == worst_first
    qtbot.keyClick(
        studio,
        QtCore.Qt.Key.Key_N,
        QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier,
    )
    assert studio.datasets.browser.current == worst_first[-1]
    assert "No worse-ranked" in studio.statusBar().currentMessage()


def test_the_window_fits_a_laptop_with_the_panel(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert studio.open_file(DEV)
    studio.datasets.dock.raise_()
    studio.resize(1366, 768)
    qtbot.waitUntil(lambda: studio.width() == 1366, timeout=3000)
    assert studio.minimumSizeHint().height() <= 959  # the window's minimum before the dock (959 px)
    table = studio.datasets.panel.table
    qtbot.waitUntil(lambda: table.isVisible() and table.height() >= 80, timeout=3000)
    shot = _shot(studio, tmp_path, "dataset_panel_1366x768.png")
    assert shot.stat().st_size > 10000


def test_app_file_index_fills_the_panel_and_a_folder_opens_as_a_dataset(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from signstudio.app.launch import load_sequences
    from signstudio.pose.formats import read, write

    seq, _ = load_sequences(argparse.Namespace(file=str(DEV), gt=None, index=3, key=None))
    studio.set_pair(seq, None)
    shown = studio.viewport.generated
    studio.datasets.follow_launch(str(DEV), 3, None)
    assert _rows(studio) == [0, 1, 2, 3, 4] and studio.datasets.browser.current == 3
    assert studio.datasets.panel.table.currentIndex().row() == 3
    assert studio.viewport.generated is shown  # nothing read again, the --gt pair kept
    # a folder of pose files (two real sentences, one in a subfolder) opens as a dataset
    eager = read(DEV)
    (tmp_path / "clips" / "sub").mkdir(parents=True)
    write(tmp_path / "clips" / "a.pose", eager[0])
    write(tmp_path / "clips" / "sub" / "b.pose", eager[2])
    assert studio.open_file(tmp_path / "clips")
    assert [_cell(studio, r, "key") for r in range(2)] == ["a", "sub/b"]
    assert _cell(studio, 1, "frames") == str(eager[2].num_frames)
    assert _shown_equals(studio, eager[0])
    # a single file empties the table again
    assert studio.open_file(tmp_path / "clips" / "a.pose") and _rows(studio) == []


def test_the_built_in_corpus_opens_as_a_dataset(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """File → Browse the built-in corpus: every word of a (small) built corpus is a row with its
    key, text, gloss and frames; ↓ shows the next word's lexicon join; a missing cache is one line."""
    from PySide6 import QtCore

    from signstudio.corpus.store import Corpus, CorpusSettings, build

    settings = CorpusSettings(languages=("ase", "gsg"), words_per_language=6, prompts_per_word=1)
    corpus = Corpus(build(tmp_path / "small.h5", settings))
    words = [(sl, w) for sl in ("ase", "gsg") for w in corpus.words(sl)]
    assert studio.datasets.open_corpus(corpus)
    dataset = studio.datasets.browser.dataset
    assert dataset is not None and dataset.kind == "corpus" and len(dataset) == len(words) == 12
    assert [_cell(studio, r, "key") for r in range(12)] == [f"{sl}/{w.text}" for sl, w in words]
    assert [_cell(studio, r, "frames") for r in range(12)] == [str(w.frames) for _, w in words]
    assert _cell(studio, 7, "gloss").startswith("GSG_")
    panel = studio.datasets.panel
    _key(qtbot, panel.table, QtCore.Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: _shown_equals(studio, dataset.sequence(1)), timeout=5000)
    assert studio.viewport.generated.num_frames == words[1][1].frames  # the recorded count
    assert studio.viewport.generated.meta["reference_kind"] == "lexicon join"

    assert not studio.datasets.open_corpus()  # the test's data folder has no default cache
    assert "corpus" in studio.statusBar().currentMessage()
