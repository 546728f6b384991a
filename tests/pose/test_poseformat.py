"""`.pose` through pose-format: exact round trips on real recordings, header kept."""

from pathlib import Path

import numpy as np

from signstudio.pose import formats
from signstudio.pose.convert import convert
from signstudio.pose.skeleton import get_layout


def test_real_recording_round_trip_is_exact(real_clips, tmp_path):
    for i, clip in enumerate(real_clips):
        out = tmp_path / f"{i}.pose"
        formats.write(out, clip)
        back = formats.read_one(out)
        assert back.equals(clip)
        assert np.array_equal(back.data, clip.data) and np.array_equal(back.confidence, clip.confidence)
        assert back.skeleton == clip.skeleton and back.fps == clip.fps
        assert back.meta["convention"]["dimensions"] == clip.meta["convention"]["dimensions"]


def test_header_components_survive(real_holistic, tmp_path):
    from pose_format import Pose

    out = tmp_path / "h.pose"
    formats.write(out, real_holistic)
    original = Pose.read(Path(real_holistic.meta["source"]).read_bytes()).header
    written = Pose.read(out.read_bytes()).header
    assert [c.name for c in written.components] == [c.name for c in original.components]
    for a, b in zip(written.components, original.components, strict=True):
        assert a.points == b.points and [tuple(x) for x in a.limbs] == [tuple(x) for x in b.limbs]


def test_other_layouts_round_trip_through_pose(real_holistic, tmp_path):
    up = convert(real_holistic, "upper50")
    out = tmp_path / "u.pose"
    formats.write(out, up)
    back = formats.read_one(out)
    assert back.layout == "upper50" and back.equals(up)
    assert back.skeleton.mirror.tolist() == get_layout("upper50").mirror.tolist()


def test_p2s128_is_a_named_layout(real_holistic, tmp_path):
    p = convert(real_holistic, "p2s128")
    assert p.skeleton == get_layout("p2s128") and p.num_joints == 128
    out = tmp_path / "p.pose"
    formats.write(out, p)
    assert formats.read_one(out).layout == "p2s128"


def test_a_legacy_skels_sequence_goes_back_to_its_family(real_holistic, tmp_path):
    up = convert(real_holistic, "upper50")
    first = tmp_path / "a.skels"
    formats.write(first, up, format="p2s-legacy")
    seq = formats.read_one(first, format="p2s-legacy")
    second = tmp_path / "b.skels"
    formats.write(second, seq)  # no format given: follows meta["format"]
    assert formats.read_one(second, format="p2s-legacy").meta["convention"]["scale"] == 9
    assert first.read_text().split() == second.read_text().split()
