"""Per-sequence scores in the Dataset panel, with real clicks: predictions from another file
(PHOENIX14T's dev sentences with noise, the same keys, shuffled) scored against dev.skels in the
background, sorted by dtw-mje with two header clicks, the worst pair on top, "Next worst sequence";
and dev against test (keys that never match) shows the warning above the table.
Screenshot at 1600×1000 (``SIGNSTUDIO_TEST_SHOTS``: a folder to keep it in)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
DEV = PT / "dev.skels"
#: noise per dev sentence (in the file's units): different, so the pairs rank clearly
NOISE = (0.004, 0.03, 0.012, 0.002, 0.02)
ORDER = (3, 0, 4, 1, 2)  # the predictions' order: dev's sentences shuffled


# `studio`: the shared window fixture (tests/app/conftest.py)


def _predictions(folder: Path) -> Path:
    """dev's five sentences with Gaussian noise, in another order, keys kept (``.files`` too)."""
    from signstudio.pose.formats import read, write

    dev = read(DEV)
    rng = np.random.default_rng(19)
    seqs = []
    for i in ORDER:
        s = dev[i]
        noisy = s.data + rng.normal(0.0, NOISE[i], s.data.shape).astype(s.data.dtype)
        seqs.append(s.replace(data=noisy))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pred.skels"
    write(path, seqs)
    assert (folder / "pred.files").read_text("utf-8").split() == [str(dev[i].meta["key"]) for i in ORDER]
    return path


def _rows(win) -> list[int]:  # type: ignore[no-untyped-def]
    proxy = win.datasets.panel.proxy
    return [int(proxy.index(r, 0).data()) for r in range(proxy.rowCount())]


def _click_header(qtbot, win, column: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    panel = win.datasets.panel
    header = panel.table.horizontalHeader()
    col = panel.browser.columns.index(column)
    panel.table.scrollTo(panel.proxy.index(0, col))
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(x, 5))


def _shot(win, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = Path(win.save_screenshot(tmp_path / name))
    keep = os.environ.get("SIGNSTUDIO_TEST_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


def test_predictions_scored_against_dev_sort_worst_first(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    from signstudio.modeling.evaluation.split_scores import load_evaluators, score_split
    from signstudio.session.dataset import open_dataset
    from signstudio.session.pairing import plan_pairs

    pred_path = _predictions(tmp_path / "pred")
    assert studio.open_file(pred_path)
    # File → Open reference… on dev.skels (the dialog's path): paired by key, scored in the background
    assert studio.open_file(DEV, as_reference=True)
    binding = studio.datasets
    panel, scoring = binding.panel, binding.scoring
    assert panel.pairing.isVisible() and panel.pairing.text().startswith("5 of 5 sequences paired by key")
    qtbot.waitUntil(
        lambda: studio.statusBar().currentMessage() == "5 of 5 sequences paired by key; 0 unmatched",
        timeout=3000,
    )
    browser = binding.browser
    qtbot.waitUntil(lambda: len(browser.scores.get("dtw-mje", {})) == 5, timeout=120_000)
    assert panel.progress.text() == "scored 5 of 5"
    assert scoring.scores is not None and scoring.scores.state == "done"
    columns = binding.browser.columns
    assert {"dtw-mje", "pt-dtw", "|dur diff| s"} <= set(columns)

    # the same numbers as `signstudio score`'s split (one pass over the whole split here)
    pred, ref = open_dataset(pred_path), open_dataset(DEV)
    plan = plan_pairs(pred, ref)
    report = score_split(plan.split_pairing(pred, ref), load_evaluators(None, None))
    expected = {plan.pairs[pos][0]: row["dtw_mje"] for pos, row in enumerate(report["rows"])}
    assert len(expected) == 5 and len(set(expected.values())) == 5
    for index, value in expected.items():
        assert binding.browser.scores["dtw-mje"][index] == pytest.approx(value, rel=1e-9)
        row = _rows(studio).index(index)
        cell = panel.proxy.index(row, columns.index("dtw-mje")).data()
        assert cell == f"{value:.4g}"
    worst = max(expected, key=expected.__getitem__)
    assert ORDER[worst] == int(np.argmax(NOISE))  # the noisiest sentence is the worst pair

    # two clicks on the dtw-mje header: descending, the worst pair on top
    _click_header(qtbot, studio, "dtw-mje")
    _click_header(qtbot, studio, "dtw-mje")
    header = panel.table.horizontalHeader()
    assert header.sortIndicatorOrder() == QtCore.Qt.SortOrder.DescendingOrder
    assert _rows(studio) == sorted(expected, key=expected.__getitem__, reverse=True)
    assert _rows(studio)[0] == worst
    assert panel.proxy.index(0, columns.index("key")).data() == str(pred.keys[worst])

    # the shown sequence has its partner as the reference; "Next worst sequence" goes worst first
    ranked = _rows(studio)
    top = panel.table.visualRect(panel.proxy.index(0, 0)).center()
    qtbot.mouseClick(panel.table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=top)
    assert binding.browser.current == worst
    shown, partner = studio.viewport.generated, studio.viewport.reference
    assert np.array_equal(shown.data, pred.sequence(worst).data)
    assert partner is not None and np.array_equal(partner.data, ref.sequence(ORDER[worst]).data)
    studio.activateWindow()
    mods = QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(studio, QtCore.Qt.Key.Key_N, mods)
    assert binding.browser.current == ranked[1]
    qtbot.mouseClick(panel.next_worst_button, QtCore.Qt.MouseButton.LeftButton)
    assert binding.browser.current == ranked[2]
    assert np.array_equal(studio.viewport.reference.data, ref.sequence(ORDER[ranked[2]]).data)
    binding.browser.go_to(worst)
    _shot(studio, tmp_path, "dataset_scores_1600x1000.png")

    # reopened: the cache answers (nothing recomputed)
    assert studio.open_file(pred_path) and studio.open_file(DEV, as_reference=True)
    qtbot.waitUntil(lambda: panel.progress.text() == "scored 5 of 5 (5 from the cache)", timeout=30_000)
    assert scoring.scores is not None and scoring.scores.computed == 0


def test_keys_that_do_not_match_show_the_warning_line(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert studio.open_file(DEV)
    binding = studio.datasets
    panel = binding.panel
    assert not panel.pairing.isVisible()
    assert binding.scoring.open_reference(PT / "test.skels")
    line = panel.pairing.text()
    assert panel.pairing.isVisible() and "no key matches" in line and "\n" not in line
    assert "dev.skels" in line and "test.skels" in line
    assert "color: #d03030" in panel.pairing.styleSheet()
    qtbot.waitUntil(lambda: studio.statusBar().currentMessage() == line, timeout=3000)
    assert panel.progress.text() == "nothing to score" and binding.browser.scores == {}
    assert not panel.next_worst_button.isEnabled()
    # a new dataset drops the pairing and its line
    assert studio.open_file(PT / "test.skels")
    assert not panel.pairing.isVisible() and binding.scoring.plan is None


def test_a_new_dataset_cancels_the_scoring(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pred_path = _predictions(tmp_path / "pred")
    assert studio.open_file(pred_path) and studio.open_file(DEV, as_reference=True)
    scores = studio.datasets.scoring.scores
    assert scores is not None
    assert studio.open_file(PT / "test.skels")  # while it runs (or just after)
    assert scores.wait(60.0) and scores.state in ("cancelled", "done")
    qtbot.wait(300)  # rows it still sent are dropped: the new dataset has no scores
    assert studio.datasets.browser.scores == {} and studio.datasets.scoring.scores is None
    assert not studio.datasets.panel.progress.isVisible()


def test_app_sort_flag_shows_the_worst_pair_first(studio, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`signstudio app PRED --gt DEV --sort dtw-mje:desc` (the guide's picture): once the scores
    are in, the table is sorted worst first and the worst pair is on screen; a bad column is one
    line (ValueError, exit 2 from `run`)."""
    from signstudio.app.launch import Arrivals, apply_flags, load_sequences
    from signstudio.cli.main import build_parser
    from signstudio.session.dataset import open_dataset

    pred_path = _predictions(tmp_path / "pred")
    args = build_parser().parse_args(["app", str(pred_path), "--gt", str(DEV), "--sort", "dtw-mje:desc"])
    seq, gt = load_sequences(args, [])
    studio.set_pair(seq, gt)
    studio.datasets.follow_launch(args.file, None, None, gt=args.gt)
    assert apply_flags(studio, Arrivals(studio), args) == 0
    browser, panel = studio.datasets.browser, studio.datasets.panel
    scores = browser.scores["dtw-mje"]
    assert len(scores) == 5
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    assert _rows(studio) == ranked
    assert panel.table.horizontalHeader().sortIndicatorSection() == browser.columns.index("dtw-mje")
    assert browser.current == ranked[0] and ORDER[ranked[0]] == int(np.argmax(NOISE))
    assert np.array_equal(studio.viewport.generated.data, open_dataset(pred_path).sequence(ranked[0]).data)
    bad = build_parser().parse_args(["app", str(pred_path), "--sort", "no-such-column"])
    with pytest.raises(ValueError, match=r"^--sort no-such-column: no such column \(the columns are index, "):
        apply_flags(studio, Arrivals(studio), bad)
