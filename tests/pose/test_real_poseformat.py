"""pose-format's own files (tests/data/pose-format): every version it reads, layouts recognised
by component names and point counts, conversions to upper50 and .skels, headers kept."""

from pathlib import Path

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.pose import formats
from signstudio.pose.convert import convert
from signstudio.pose.errors import FormatError

DATA = Path(__file__).resolve().parents[1] / "data" / "pose-format"
LAYOUTS = {
    "openpose.pose": ("openpose137", 2, 0.0),  # format v0.0, BODY_25 + face + hands, 2D
    "pose-viewer-example.pose": ("openpose137", 2, 0.1),
    "mediapipe.pose": ("holistic", 3, 0.1),  # a reduced Holistic: 8 pose, 128 face points
    "mediapipe_hand_normalized.pose": ("custom", 3, 0.1),  # one right hand
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_info_reads_every_file_and_names_its_layout(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    layout, dims, version = LAYOUTS[name]
    assert main(["info", str(DATA / name)]) == 0
    out = capsys.readouterr().out
    assert f"layout {layout} " in out
    seq = formats.read_one(DATA / name)
    conv = seq.meta["convention"]
    assert conv["dims"] == dims and conv["version"] == pytest.approx(version)
    if dims == 2:
        assert not seq.data[..., 2].any()


def test_the_v0_0_file_is_sniffed_as_pose_and_matches_pose_format() -> None:
    from pose_format import Pose

    path = DATA / "openpose.pose"
    assert formats.detect(path).name == "pose"
    pose = Pose.read(path.read_bytes())
    seq = formats.read_one(path)
    assert seq.num_frames == pose.body.data.shape[0] == 93
    present = seq.confidence > 0
    expected = np.ma.getdata(pose.body.data)[:, 0, :, :2]
    assert np.array_equal(seq.data[..., :2][present], expected[present])


@pytest.mark.parametrize("name", ["openpose.pose", "pose-viewer-example.pose"])
def test_openpose_files_read_under_the_layout_names_and_convert(name: str) -> None:
    seq = formats.read_one(DATA / name)
    assert seq.skeleton.joints[:2] == ("BODY_25:Nose", "BODY_25:Neck")
    assert seq.skeleton.joints[95] == "LEFT_HAND:WRIST"
    up = convert(seq, "upper50")
    assert up.layout == "upper50" and up.num_frames == seq.num_frames
    # upper50 is BODY_25 0-7 and the hands, point for point.
    idx = list(range(8)) + list(range(95, 137))
    assert np.array_equal(up.data, seq.data[:, idx]) and np.array_equal(up.confidence, seq.confidence[:, idx])
    assert (up.confidence[:, [1, 2, 5]] > 0).mean() > 0.9  # neck and shoulders
    p2s = convert(seq, "p2s128")
    assert p2s.num_joints == 128


@pytest.mark.parametrize("name", ["openpose.pose", "pose-viewer-example.pose", "mediapipe.pose"])
def test_convert_to_upper50_and_skels_then_read_back(name: str, tmp_path: Path) -> None:
    seq = formats.read_one(DATA / name)
    up = convert(seq, "upper50")
    out = tmp_path / "x.skels"
    assert main(["convert", str(DATA / name), str(out)]) == 0
    back = formats.read_one(out)
    assert back.layout == "upper50" and back.num_frames == seq.num_frames
    # .skels keeps coordinates to a float32 ulp after / 3 * 3; confidence is 1 or 0.
    present = up.confidence > 0
    assert np.allclose(back.data[present], up.data[present], rtol=1e-6, atol=1e-6)
    pose_out = tmp_path / "u.pose"
    assert main(["convert", str(DATA / name), str(pose_out), "--layout", "upper50"]) == 0
    assert formats.read_one(pose_out).equals(up)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_writing_back_keeps_the_files_own_header(name: str, tmp_path: Path) -> None:
    from pose_format import Pose

    seq = formats.read_one(DATA / name)
    out = tmp_path / name
    assert main(["convert", str(DATA / name), str(out)]) == 0
    original = Pose.read((DATA / name).read_bytes()).header
    written = Pose.read(out.read_bytes()).header
    for a, b in zip(original.components, written.components, strict=True):
        assert (a.name, a.points, a.format) == (b.name, b.points, b.format)
        assert [tuple(x) for x in a.limbs] == [tuple(x) for x in b.limbs]
    again = formats.read_one(out)
    assert again.layout == seq.layout and again.skeleton == seq.skeleton
    assert np.array_equal(again.data, seq.data) and np.array_equal(again.confidence, seq.confidence)


def test_a_hand_only_file_says_in_one_line_why_it_does_not_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DATA / "mediapipe_hand_normalized.pose"
    seq = formats.read_one(path)
    assert set(seq.skeleton.groups) >= {"right_hand"} and len(seq.skeleton.groups["right_hand"]) == 21
    with pytest.raises(ValueError, match=r"hand-only file .* has no body joints"):
        convert(seq, "upper50")
    assert main(["convert", str(path), str(tmp_path / "h.skels")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "hand-only" in err and "\n" not in err
    assert not list(tmp_path.iterdir())
    assert main(["convert", str(path), str(tmp_path / "h.npz")]) == 0


def test_zero_bytes_with_a_pose_extension_are_still_refused(tmp_path: Path) -> None:
    bad = tmp_path / "zeros.pose"
    bad.write_bytes(bytes(64))
    with pytest.raises(FormatError):
        formats.read(bad)
