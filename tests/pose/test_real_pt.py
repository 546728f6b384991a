"""Progressive Transformers' own PHOENIX14T sample (tests/data/phoenix14t-pt): PT's zero neck.

PT normalise every frame so that the neck, their root, is exactly (0, 0, 0): that zero is a
measured point. Any other joint at exactly zero (an undetected hand) is still missing.
"""

from pathlib import Path

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.pose import formats
from signstudio.pose.formats.skels import PT_ROOT

DATA = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"
SPLITS = ("train", "dev", "test")


@pytest.mark.parametrize("split", SPLITS)
def test_every_sample_sentence_reads_with_nothing_missing(split: str) -> None:
    seqs = formats.read(DATA / f"{split}.skels")
    assert len(seqs) == 5
    for seq in seqs:
        assert seq.meta["format"] == "pt-skels" and seq.layout == "upper50"
        assert seq.skeleton.joints[PT_ROOT] == "BODY:Neck"
        # The neck really is PT's origin in every frame, and it is read as present.
        assert np.array_equal(seq.data[:, PT_ROOT], np.zeros((seq.num_frames, 3), np.float32))
        assert (seq.confidence == 1).all()
        # ... so the shoulder line and the head bone have both ends.
        bones = {tuple(b) for b in seq.skeleton.bones.tolist()}
        assert {(1, 0), (1, 2), (1, 5)} <= bones


def test_info_reports_zero_missing_on_the_real_files(capsys: pytest.CaptureFixture[str]) -> None:
    for split in SPLITS:
        assert main(["info", str(DATA / f"{split}.skels")]) == 0
        out = capsys.readouterr().out
        assert out.count("missing 0.0 %") == 5, out


def _with_zeros(tmp_path: Path, frame: int, columns: slice) -> Path:
    """The real dev.skels with some values of the first sentence's frame set to zero."""
    lines = (DATA / "dev.skels").read_text("utf-8").splitlines()
    values = lines[0].split()
    row = np.array(values[frame * 151 : (frame + 1) * 151], dtype=object)
    row[columns] = "0.0"
    values[frame * 151 : (frame + 1) * 151] = list(row)
    lines[0] = " ".join(values)
    out = tmp_path / "dev.skels"
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


def test_an_undetected_hand_written_as_zeros_stays_missing(tmp_path: Path) -> None:
    # Right hand = upper50 joints 29..49: values 87..149 of the frame.
    seq = formats.read_one(_with_zeros(tmp_path, 3, slice(87, 150)))
    assert (seq.confidence[3, 29:50] == 0).all()
    assert seq.confidence[3, PT_ROOT] == 1 and (seq.confidence[3, :29] == 1).all()
    assert (seq.confidence[[2, 4]] == 1).all()


def test_any_other_joint_at_zero_is_missing_and_an_all_zero_frame_is_missing_whole(tmp_path: Path) -> None:
    seq = formats.read_one(_with_zeros(tmp_path, 5, slice(6, 9)))  # the right shoulder
    assert seq.confidence[5, 2] == 0 and seq.confidence[5, PT_ROOT] == 1
    blank = formats.read_one(_with_zeros(tmp_path, 7, slice(0, 150)))
    assert (blank.confidence[7] == 0).all() and (blank.confidence[6] == 1).all()
    kept = formats.read_one(_with_zeros(tmp_path, 7, slice(0, 150)), zeros_missing=False)
    assert (kept.confidence == 1).all()


def test_round_trips_stay_exact(tmp_path: Path) -> None:
    original = formats.read(DATA / "dev.skels")
    formats.write(tmp_path / "a.skels", original)
    again = formats.read(tmp_path / "a.skels")
    for a, b in zip(original, again, strict=True):
        assert np.array_equal(a.data, b.data) and np.array_equal(a.confidence, b.confidence)
        assert a.meta["text"] == b.meta["text"] and a.meta["key"] == b.meta["key"]
    for i, seq in enumerate(original):
        formats.write(tmp_path / f"{i}.pose", seq)
        via_pose = formats.read_one(tmp_path / f"{i}.pose")
        assert (via_pose.confidence == 1).all()
        formats.write(tmp_path / f"{i}.skels", via_pose, format="pt-skels")
        back = formats.read_one(tmp_path / f"{i}.skels")
        assert np.array_equal(back.data, seq.data) and np.array_equal(back.confidence, seq.confidence)


def test_cli_convert_skels_to_skels_keeps_every_value(tmp_path: Path) -> None:
    out = tmp_path / "copy.skels"
    assert main(["convert", str(DATA / "test.skels"), str(out)]) == 0
    for a, b in zip(formats.read(DATA / "test.skels"), formats.read(out), strict=True):
        assert np.array_equal(a.data, b.data) and np.array_equal(a.confidence, b.confidence)
    assert out.with_suffix(".gloss").read_text("utf-8") == (DATA / "test.gloss").read_text("utf-8")
