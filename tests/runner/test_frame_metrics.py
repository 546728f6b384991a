"""Per-frame metrics export: one row per generated frame from `score_pair`, CSV and JSON written
atomically and read back equal (floats bit for bit); `signstudio render --metrics` without a video."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from signstudio.pose.errors import FormatError
from signstudio.pose.skeleton import get_layout
from signstudio.runner.frame_metrics import (
    COLUMNS,
    frame_metrics_rows,
    read_frame_metrics,
    write_frame_metrics,
)
from signstudio.runner.scoring import PairScores, Reading, score_pair


@pytest.fixture(scope="module")
def scored(tiny_corpus):
    words = tiny_corpus.words("ase")
    ref = tiny_corpus.word_sequence("ase", words[0], "upper50")
    gen = tiny_corpus.word_sequence("ase", words[1], "upper50")
    return gen, score_pair(gen, ref, words[0].text, "ase")


def _synthetic() -> PairScores:
    """Five frames, hand-made: frame 1 matched with two reference frames, frame 3's left hand and
    frame 4's every joint missing, no FGD curve; floats that print long (1/3, float32 values)."""
    errors = np.full((5, 50), 0.1, np.float32)
    errors[:, :8] = np.float32(1 / 3)  # body
    errors[:, 29:] = np.float32(0.7)  # right hand
    errors[3, 8:29] = np.nan
    errors[4] = np.nan
    path = np.array([[0, 0], [1, 1], [1, 2], [2, 3], [3, 4], [4, 5]])
    return PairScores(
        n_gen=5,
        dtw_mje=0.1 + 0.2,
        pt_dtw=1 / 3,
        path=path,
        table=np.array([0, 2, 3, 4, 5]),
        dtw_curve=np.array([0.1, 0.2 + 0.1, 1e-17, 2 / 3, np.nan]),
        joint_errors=errors,
        duration=5 / 30,
        reference_duration=6 / 30,
        duration_ok=True,
        reading=Reading("hi", "h i", "h e y", 45.5, 2),
        notes=("no FGD-style curve: not shipped",),
    )


def test_rows_of_a_scored_pair(scored) -> None:
    gen, s = scored
    rows = frame_metrics_rows(s, fps=gen.fps, flags={3: "hand shape", 999: "ignored"}, notes={4: "check"})
    assert len(rows) == gen.num_frames and all(tuple(r) == COLUMNS for r in rows)
    groups = get_layout("upper50").groups
    for i in (0, 3, len(rows) - 1):
        r = rows[i]
        assert r["frame"] == i and r["time_s"] == i / gen.fps
        assert r["ref_frame"] == s.table[i]
        matched = s.path[s.path[:, 0] == i, 1]
        assert (r["ref_first"], r["ref_last"]) == (matched.min(), matched.max())
        assert r["ref_first"] <= r["ref_frame"] <= r["ref_last"]
        assert r["dtw_cost"] == s.dtw_curve[i] and r["fgd_window"] == s.fgd_curve[i]
        e = s.joint_errors[i].astype(np.float64)
        for key, joints in (
            ("joint", np.arange(50)),
            *((p, groups[p]) for p in ("body", "left_hand", "right_hand")),
        ):
            part = e[joints]
            if np.isnan(part).all():  # a hand out of the picture: no number, not NaN
                assert r[f"{key}_error"] is None
            else:
                assert r[f"{key}_error"] == pytest.approx(np.nanmean(part), rel=1e-12)
    assert rows[3]["flag"] == "hand shape" and rows[4]["note"] == "check"
    assert rows[0]["flag"] is None and rows[0]["note"] is None


def test_missing_values_are_none(scored) -> None:
    rows = frame_metrics_rows(_synthetic(), fps=30.0)
    assert rows[1]["ref_first"] == 1 and rows[1]["ref_last"] == 2 and rows[1]["ref_frame"] == 2
    assert all(r["fgd_window"] is None for r in rows)  # no FGD encoder: no column of NaNs
    assert rows[3]["left_hand_error"] is None and rows[3]["body_error"] == float(np.float32(1 / 3))
    assert rows[4]["joint_error"] is None and rows[4]["dtw_cost"] is None
    # no reference at all: frames and times only
    gen, _ = scored
    bare = frame_metrics_rows(score_pair(gen, None), fps=gen.fps)
    assert len(bare) == gen.num_frames
    assert all(v is None for r in bare for k, v in r.items() if k not in ("frame", "time_s"))


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_files_read_back_equal(scored, tmp_path, suffix) -> None:
    gen, s = scored
    for name, scores, fps in (("real", s, gen.fps), ("synthetic", _synthetic(), 30.0)):
        out = tmp_path / f"{name}{suffix}"
        flags, notes = {1: "flagged"}, {2: 'a "quoted", two-line\nnote'}
        meta = {"file": "gen.pose", "frames": np.int64(scores.n_gen)}
        write_frame_metrics(out, scores, meta, fps=fps, flags=flags, notes=notes)
        head, rows = read_frame_metrics(out)
        expected = frame_metrics_rows(scores, fps, flags, notes)
        assert rows == expected  # exact: floats are written as repr
        for got, want in zip(rows, expected, strict=True):
            for k, v in want.items():
                assert type(got[k]) is type(v), (k, got[k], v)
        assert not list(tmp_path.glob("*.part"))
        if suffix == ".json":
            assert head["meta"] == {"file": "gen.pose", "frames": scores.n_gen}
            assert head["frames"] == scores.n_gen and head["fps"] == fps
            assert head["dtw_mje"] == scores.dtw_mje and head["pt_dtw"] == scores.pt_dtw
            assert head["duration_s"] == scores.duration and head["duration_ok"] == scores.duration_ok
            assert head["reading"]["text"] == scores.reading.text
            assert head["reading"]["chrf"] == scores.reading.chrf
            assert head["notes"] == list(scores.notes)
            assert head["fgd_mean"] == scores.fgd_mean  # the synthetic pair has none: null, not NaN
            json.loads(out.read_text())  # plain JSON: no NaN
            assert "NaN" not in out.read_text()
        else:
            lines = out.read_text().splitlines()
            assert lines[0] == ",".join(COLUMNS)
            assert head == {}


def test_csv_cells_are_plain_numbers(tmp_path) -> None:
    out = write_frame_metrics(tmp_path / "m.csv", _synthetic(), fps=30.0)
    import csv

    with open(out, newline="") as fh:
        table = list(csv.DictReader(fh))
    assert table[4]["joint_error"] == "" and table[4]["dtw_cost"] == ""
    assert float(table[1]["dtw_cost"]) == 0.2 + 0.1 and table[1]["dtw_cost"] == repr(0.2 + 0.1)
    assert math.isclose(float(table[0]["body_error"]), 1 / 3, rel_tol=1e-7)


def test_bad_requests(tmp_path) -> None:
    with pytest.raises(FormatError, match=r"\.csv or \.json"):
        write_frame_metrics(tmp_path / "m.txt", _synthetic())
    assert not list(tmp_path.iterdir())
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(FormatError, match="header"):
        read_frame_metrics(bad)


def test_render_writes_metrics_without_a_video(tmp_path, capsys) -> None:
    from signstudio.cli.main import main
    from signstudio.corpus.store import default_sample
    from signstudio.pose.formats import read_one, write
    from signstudio.session.render_plan import pair_text

    full = default_sample()
    short = full.replace(data=full.data[:12], confidence=full.confidence[:12], filled=full.filled[:12])
    write(tmp_path / "short.pose", short)
    write(tmp_path / "full.pose", full)
    gen, ref = read_one(tmp_path / "short.pose"), read_one(tmp_path / "full.pose")
    text, lang = pair_text(gen, ref)  # what the files carry (a .pose file: no text)
    expected = frame_metrics_rows(score_pair(gen, ref, text, lang), fps=gen.fps)
    for name in ("m.csv", "m.json"):
        argv = ["render", str(tmp_path / "short.pose"), "--gt", str(tmp_path / "full.pose")]
        assert main([*argv, "--metrics", str(tmp_path / name)]) == 0
        assert f"{name}: 12 frames" in capsys.readouterr().out
        head, rows = read_frame_metrics(tmp_path / name)
        assert rows == expected
    assert head["meta"]["text"] == text and head["meta"]["sign_language"] == lang
    assert _written(tmp_path) == ["full.pose", "m.csv", "m.json", "short.pose"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "needs --out"),
        (["--metrics", "m.csv"], "--metrics compares with a reference"),
        (["--gt", "{f}", "--metrics", "m.txt"], ".csv or .json"),
        (["--gt", "{f}", "--strip", "--metrics", "m.csv"], "--strip draws under a video"),
        (["--out", "v.avi"], "writes .mp4 or .gif"),
    ],
)
def test_render_requests_that_end_with_one_line(tmp_path, capsys, extra, message) -> None:
    from signstudio.cli.main import main
    from signstudio.corpus.store import default_sample
    from signstudio.pose.formats import write

    f = tmp_path / "s.pose"
    write(f, default_sample())
    argv = [
        "render",
        str(f),
        *(str(tmp_path / a) if a.startswith("m.") or a.startswith("v.") else a for a in extra),
    ]
    argv = [a.replace("{f}", str(f)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and message in err and len(err.splitlines()) == 1
    assert _written(tmp_path) == ["s.pose"]


def test_render_metrics_of_many_sequence_files_says_which_pair(tmp_path, capsys) -> None:
    """Two 5-sequence PT files: without a choice the first pair is scored and stderr says so;
    --key picks the pair asked for (the reference by the same key)."""
    import json
    from pathlib import Path

    from signstudio.cli.main import main

    pt = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
    dev = str(pt / "dev.skels")
    out = tmp_path / "m.json"
    assert main(["render", dev, "--gt", dev, "--metrics", str(out)]) == 0
    err = capsys.readouterr().err
    assert "holds 5 sequences; using the first" in err and "signstudio score" in err
    key = (pt / "dev.files").read_text().split()[2]
    assert main(["render", dev, "--gt", dev, "--key", key, "--metrics", str(out)]) == 0
    assert "148 frames" in capsys.readouterr().out
    rows = json.loads(out.read_text())
    frames = rows["frames"] if isinstance(rows, dict) and "frames" in rows else rows
    assert len(frames) == 148
    assert main(["render", dev, "--gt", dev, "--key", "nope", "--metrics", str(out)]) == 2
    assert "no sequence with key 'nope'" in capsys.readouterr().err


def _written(folder: Path) -> list[str]:
    """The files in ``folder`` but the `.pose` sidecars (`signstudio.pose.formats._sidecar`)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".signstudio.json"))
