"""`signstudio.session.dataset_browser`: filter, order, stepping and "next worst" over PHOENIX14T's
real dev split, and a damaged line that is marked while the others still show."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from signstudio.pose.formats import read
from signstudio.session.dataset import open_dataset
from signstudio.session.dataset_browser import DatasetBrowser

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
DEV = PT / "dev.skels"
GLOSS = (PT / "dev.gloss").read_text("utf-8").splitlines()


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def browser() -> tuple[DatasetBrowser, list]:
    b = DatasetBrowser()
    shown: list = []
    b.sequence_shown.connect(lambda i, seq: shown.append((i, seq)))
    b.set_dataset(open_dataset(DEV))
    return b, shown


def test_opening_shows_sequence_0_and_steps_follow(browser: tuple[DatasetBrowser, list]) -> None:
    b, shown = browser
    eager = read(DEV)
    assert b.rows() == [0, 1, 2, 3, 4] and b.current == 0
    assert b.step(+1) and b.step(+1) and b.step(-5)  # -5 stops at the first row
    assert [i for i, _ in shown] == [0, 1, 2, 0]
    for i, seq in shown:
        assert np.array_equal(seq.data, eager[i].data)
    assert not b.step(-1) and b.current == 0  # already at the first row: nothing moves
    assert b.page(+1, rows=3) and b.current == 2  # a page of 3 rows moves 2 (one row overlaps)
    assert b.page(+1, rows=100) and b.current == 4 and not b.step(+1)


def test_sort_by_frames_both_ways(browser: tuple[DatasetBrowser, list]) -> None:
    b, _ = browser
    frames = [e.frames for e in b.dataset.entries]  # type: ignore[union-attr]
    b.set_sort("frames")
    assert [frames[i] for i in b.rows()] == sorted(frames)
    b.set_sort("frames", descending=True)
    assert [frames[i] for i in b.rows()] == sorted(frames, reverse=True)
    # stepping follows the shown order
    b.go_to(b.rows()[0])
    b.step(+1)
    assert b.current == b.rows()[1]
    with pytest.raises(ValueError, match="no column 'dtw'"):
        b.set_sort("dtw")


def test_filter_by_a_gloss_word_and_text(browser: tuple[DatasetBrowser, list]) -> None:
    b, _ = browser
    b.set_filter("gewitter")
    assert b.rows() == [i for i, g in enumerate(GLOSS) if "GEWITTER" in g] == [1, 2]
    b.set_filter("GEWITTER wind")  # every word must match
    assert b.rows() == [2]
    b.set_filter("freitag")  # text and gloss both hold it
    assert b.rows() == [4]
    b.set_filter("")
    assert b.rows() == [0, 1, 2, 3, 4]


def test_a_damaged_line_is_marked_and_the_others_still_show(tmp_path: Path) -> None:
    for p in PT.glob("dev.*"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    lines = (tmp_path / "dev.skels").read_bytes().split(b"\n")
    lines[2] = lines[2][:50] + b" nonsense " + lines[2][60:]
    (tmp_path / "dev.skels").write_bytes(b"\n".join(lines))
    b = DatasetBrowser()
    problems: list = []
    shown: list = []
    b.problem_found.connect(lambda i, m: problems.append((i, m)))
    b.sequence_shown.connect(lambda i, _s: shown.append(i))
    b.set_dataset(open_dataset(tmp_path / "dev.skels"))
    b.step(+1)
    b.step(+1)  # line 3: does not read
    assert b.current == 2 and shown == [0, 1]
    assert len(problems) == 1 and problems[0][0] == 2
    message = problems[0][1]
    assert "dev.skels" in message and "line 3" in message and "\n" not in message
    assert b.problem(2) == message and b.problem(1) is None
    b.step(+1)
    assert shown == [0, 1, 3]


def test_scores_sort_with_missing_last_and_next_worst(browser: tuple[DatasetBrowser, list]) -> None:
    b, shown = browser
    assert b.next_worst_reason() is not None and b.next_worst() is None and b.current == 0
    b.set_scores("dtw-mje", {0: 0.2, 1: 0.9, 3: 0.5, 4: float("nan")})
    assert b.next_worst_reason() is None and b.columns[-1] == "dtw-mje"
    b.set_sort("dtw-mje", descending=True)
    assert b.rows() == [1, 3, 0, 2, 4]  # n/a (none, NaN) last
    b.set_sort("dtw-mje")
    assert b.rows() == [0, 3, 1, 2, 4]  # ascending: still last
    assert b.next_worst() is None  # sequence 0 (0.2) is the least bad: nothing after it
    b.go_to(2)  # no score: start from the worst
    shown.clear()
    assert [b.next_worst() for _ in range(4)] == [1, 3, 0, None]
    assert [i for i, _ in shown] == [1, 3, 0] and b.current == 0
    b.set_filter("gewitter")  # only rows 1 and 2 visible; 2 has no score
    b.go_to(2)
    assert b.next_worst("dtw-mje") == 1 and b.next_worst("dtw-mje") is None
    assert b.next_worst_reason("fgd") == "No score called 'fgd'"
