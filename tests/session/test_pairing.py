"""Pairs by key (`plan_pairs`) and per-pair scores (`DatasetScores`) on PT's real PHOENIX14T sample:
dev and test hold five different sentences each, so their keys never match."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import read, write
from signstudio.session.dataset import open_dataset
from signstudio.session.pairing import DatasetScores, plan_pairs

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
DEV, TEST = PT / "dev.skels", PT / "test.skels"
DEV_KEYS = (PT / "dev.files").read_text("utf-8").split()
TEST_KEYS = (PT / "test.files").read_text("utf-8").split()
ORDER = [4, 2, 0, 3, 1]


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Index and score caches go to the test's folder, never the user's data folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(folder))
    return folder


def _shuffled_prediction(tmp_path: Path) -> Path:
    """dev with noise added, its sequences (keys, text) written in ORDER."""
    seqs = read(DEV)
    rng = np.random.default_rng(0)
    out = []
    for i in ORDER:
        s = seqs[i]
        noisy = s.data + rng.normal(0, 0.01, s.data.shape).astype(np.float32)
        out.append(s.replace(data=np.where(s.present[..., None], noisy, 0.0).astype(np.float32)))
    path = tmp_path / "pred" / "pred.skels"
    path.parent.mkdir()
    write(path, out)
    return path


def test_dev_and_test_share_no_key() -> None:
    dev, test = open_dataset(DEV), open_dataset(TEST)
    plan = plan_pairs(dev, test)
    assert plan.by == "key" and plan.pairs == ()
    assert plan.summary == "0 of 5 sequences paired by key; 10 unmatched"
    assert plan.unmatched_pred == tuple(DEV_KEYS) and plan.unmatched_ref == tuple(TEST_KEYS)
    assert plan.warning is not None and "no key matches" in plan.warning and DEV_KEYS[0] in plan.warning


def test_by_index_across_different_keys_is_never_silent() -> None:
    plan = plan_pairs(open_dataset(DEV), open_dataset(TEST), by="index")
    assert plan.by == "index" and plan.pairs == tuple((i, i) for i in range(5))
    assert plan.warning is not None and "5 of 5 pairs have different keys" in plan.warning
    assert DEV_KEYS[0] in plan.warning and TEST_KEYS[0] in plan.warning  # the first differing pair
    same = plan_pairs(open_dataset(DEV), open_dataset(DEV), by="index")
    assert same.warning is None and same.summary == "5 of 5 sequences paired by index; 0 unmatched"


def test_itself_pairs_by_key() -> None:
    plan = plan_pairs(open_dataset(DEV), open_dataset(DEV))
    assert plan.summary == "5 of 5 sequences paired by key; 0 unmatched" and plan.warning is None
    assert plan.keys == tuple(DEV_KEYS)


def test_files_without_keys_pair_by_index_and_say_why(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(DEV, bare / "dev.skels")  # no .files beside it: no keys
    plan = plan_pairs(open_dataset(bare / "dev.skels"), open_dataset(TEST))
    assert plan.by == "index" and len(plan.pairs) == 5 and plan.warning is None
    assert plan.summary.startswith("5 of 5 sequences paired by index: dev.skels: sequence 1 has no key")
    shutil.copy(TEST, bare / "test.skels")
    both = plan_pairs(open_dataset(bare / "dev.skels"), open_dataset(bare / "test.skels"), by="index")
    assert both.reason == "the files carry no keys" and both.keys[0] == "#1"
    with pytest.raises(FormatError, match="has no key"):
        plan_pairs(open_dataset(bare / "dev.skels"), open_dataset(TEST), by="key")


def test_shuffled_prediction_pairs_back_by_key(tmp_path: Path) -> None:
    pred, ref = open_dataset(_shuffled_prediction(tmp_path)), open_dataset(DEV)
    plan = plan_pairs(pred, ref)
    assert plan.by == "key" and len(plan.pairs) == 5 and not plan.unmatched_pred
    assert plan.pairs == tuple((p, ORDER[p]) for p in range(5))
    for p, r in plan.pairs:
        assert pred.keys[p] == ref.keys[r] and pred.entries[p].frames == ref.entries[r].frames
    assert plan.partner_of(0) == 4


def _scores(plan_args: tuple, **kw: object) -> DatasetScores:
    pred, ref = open_dataset(plan_args[0]), open_dataset(plan_args[1])
    scores = DatasetScores(plan_pairs(pred, ref, *plan_args[2:]), pred, ref, **kw)  # type: ignore[arg-type]
    scores.start()
    assert scores.wait(300)
    return scores


@pytest.mark.parametrize("case", ["dev-vs-test-by-index", "shuffled-by-key"])
def test_scores_equal_signstudio_score(case: str, tmp_path: Path) -> None:
    if case == "shuffled-by-key":
        pred, ref, by = _shuffled_prediction(tmp_path), DEV, "auto"
    else:
        pred, ref, by = DEV, TEST, "index"
    scores = _scores((pred, ref, by))
    assert scores.state == "done" and scores.computed == 5
    out = tmp_path / "r.json"
    argv = ["score", str(pred), str(ref), "--out", str(out)] + (["--by", by] if by != "auto" else [])
    assert main(argv) == 0
    report = json.loads(out.read_text())
    rows = scores.rows
    assert [rows[i]["key"] for i in range(5)] == [r["key"] for r in report["rows"]]
    for mine, theirs in zip((rows[i] for i in range(5)), report["rows"], strict=True):
        for name in ("pt_dtw", "dtw_mje", "duration_diff_s", "dur_ok", "fgd", "pred_frames", "ref_frames"):
            assert mine[name] == theirs[name], (name, mine["key"])
        # the shipped evaluators learned fingerspelling, not PHOENIX: n/a and why
        assert mine["fgd"] is None and mine["fgd_na"] == report["corpus"]["fgd_na"]
        assert "signstudio train fgd-encoder" in mine["fgd_na"]
    assert any(r["dtw_mje"] > 0 for r in rows.values())


def test_runs_on_its_thread_with_progress_and_rows() -> None:
    pred, ref = open_dataset(DEV), open_dataset(TEST)
    scores = DatasetScores(plan_pairs(pred, ref, "index"), pred, ref)
    seen: list[tuple[str, object]] = []
    scores.progress.connect(lambda done, total: seen.append((threading.current_thread().name, (done, total))))
    scores.row_ready.connect(lambda pos, row: seen.append((threading.current_thread().name, pos)))
    states: list[str] = []
    scores.state_changed.connect(states.append)
    scores.start()
    assert scores.wait(300)
    assert {name for name, _ in seen} == {"pair-scores"}
    assert [v for _, v in seen if isinstance(v, tuple)] == [(i, 5) for i in range(1, 6)]
    assert [v for _, v in seen if isinstance(v, int)] == list(range(5))
    assert states == ["running", "done"]


def test_cache_hit_and_invalidation(tmp_path: Path, _own_data_dir: Path) -> None:
    pred = _shuffled_prediction(tmp_path)
    first = _scores((pred, DEV))
    assert first.computed == 5
    cached = list((_own_data_dir / "pair-scores").glob("*.json"))
    assert len(cached) == 1 and not list((_own_data_dir / "pair-scores").glob(".*"))  # no temporaries
    second = _scores((pred, DEV))
    assert second.computed == 0 and second.rows == first.rows
    # the prediction changes (same keys, other poses): its old rows are not reused
    seqs = read(pred)
    write(pred, [s.replace(data=(s.data * 1.01).astype(np.float32)) for s in seqs])
    st = pred.stat()
    os.utime(pred, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    third = _scores((pred, DEV))
    assert third.computed == 5 and third.rows[0]["dtw_mje"] != first.rows[0]["dtw_mje"]


def test_a_damaged_cache_is_recomputed(_own_data_dir: Path) -> None:
    first = _scores((DEV, TEST, "index"))
    (path,) = (_own_data_dir / "pair-scores").glob("*.json")
    path.write_bytes(b"{not json")
    again = _scores((DEV, TEST, "index"))
    assert again.computed == 5 and again.rows == first.rows


def test_cancel_stops_before_the_next_pair() -> None:
    pred, ref = open_dataset(DEV), open_dataset(TEST)
    scores = DatasetScores(plan_pairs(pred, ref, "index"), pred, ref)
    ended: list[bool] = []
    scores.row_ready.connect(lambda pos, row: scores.cancel())
    scores.finished.connect(ended.append)
    scores.start()
    assert scores.wait(300)
    assert scores.state == "cancelled" and ended == [True] and list(scores.rows) == [0]
    # the next run goes on from the cache: only the four left are scored
    rest = DatasetScores(plan_pairs(pred, ref, "index"), pred, ref)
    rest.start()
    assert rest.wait(300) and rest.computed == 4 and len(rest.rows) == 5


def test_worst_first_and_next_worst() -> None:
    scores = _scores((DEV, TEST, "index"))
    rows = scores.rows
    by_mje = sorted(range(5), key=lambda i: -rows[i]["dtw_mje"])
    assert scores.worst_first("dtw_mje") == by_mje  # index pairing: pair position == pred index
    assert len(set(rows[i]["dtw_mje"] for i in range(5))) == 5  # a real order, no ties
    walk, current = [], None
    while (current := scores.next_worst(current, "dtw_mje")) is not None:
        walk.append(current)
    assert walk == by_mje
    by_dur = scores.worst_first("duration_diff_s")
    assert [abs(rows[i]["duration_diff_s"]) for i in by_dur] == sorted(
        (abs(rows[i]["duration_diff_s"]) for i in range(5)), reverse=True
    )
    assert scores.worst_first("fgd") == list(range(5))  # n/a everywhere: pair order
    with pytest.raises(ValueError, match="no metric"):
        scores.worst_first("bleu")


def test_controller_opens_the_partner_as_reference(tmp_path: Path) -> None:
    from signstudio.runner.service import Runner
    from signstudio.session.controller import MemoryPrefs, StudioController
    from signstudio.session.studio import StudioState
    from tests.session.test_controller import QueuedRunner

    runner = Runner(isolation="thread")
    try:
        controller = StudioController(StudioState(), QueuedRunner(runner), MemoryPrefs())
        shown = controller.open_file(_shuffled_prediction(tmp_path))  # its first: dev's ORDER[0]
        controller.open_file(DEV, as_reference=True)
        reference = controller.state.reference
        assert reference is not None and reference.meta["key"] == shown.meta["key"] == DEV_KEYS[ORDER[0]]
        assert np.array_equal(reference.data, read(DEV)[ORDER[0]].data)
        with pytest.raises(FormatError, match=r"no partner for the shown sequence .*0 of 5 sequences paired"):
            controller.open_file(TEST, as_reference=True)
        assert controller.state.reference is reference  # nothing changed
    finally:
        runner.shutdown()
