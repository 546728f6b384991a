"""ELAN export: read back with pympi-ling itself, tiers, times and the linked file as exported."""

from __future__ import annotations

from pathlib import Path

import pytest
from pympi.Elan import Eaf

from signstudio.pose import formats
from signstudio.pose.errors import FormatError
from signstudio.pose.formats.eaf import frame_ms
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.reference import reference_for


@pytest.fixture(scope="module")
def word() -> PoseSequence:
    """A real word of a two-handed alphabet: Czech "ahoj" (A and H with both hands)."""
    return reference_for("ahoj", "cse", layout="upper50")


def _tiers(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    eaf = Eaf(str(path))
    return {tier: sorted(eaf.get_annotation_data_for_tier(tier)) for tier in eaf.get_tier_names()}


def test_tiers_hold_the_text_and_the_letters_per_hand(word, tmp_path):
    path = tmp_path / "ahoj.eaf"
    formats.write(path, word, media=False)
    tiers = _tiers(path)
    assert set(tiers) == {"text", "right hand", "left hand", "flags", "notes"}
    assert tiers["flags"] == [] and tiers["notes"] == []  # nothing flagged or noted
    assert tiers["text"] == [(0, 3840, "ahoj")]  # 96 frames at 25 fps
    assert len(word) == 96 and word.fps == 25.0
    segments = word.meta["segments"]
    expected = {
        tier: [
            (frame_ms(s["start"], 25.0), frame_ms(s["end"], 25.0), s["label"])
            for s in segments
            if s["hand"] in (hand, "both")
        ]
        for tier, hand in (("right hand", "right"), ("left hand", "left"))
    }
    assert tiers["right hand"] == expected["right hand"]
    assert tiers["left hand"] == expected["left hand"]
    assert [a[2] for a in tiers["right hand"]] == ["A", "H", "O", "J"]
    assert [a[2] for a in tiers["left hand"]] == ["A", "H"]  # the two-handed letters
    assert frame_ms(segments[1]["start"], 25.0) == 40 * segments[1]["start"]
    assert Eaf(str(path)).get_linked_files() == [] and Eaf(str(path)).get_secondary_linked_files() == []


def test_linked_video_has_its_mime_type_and_a_relative_path(word, tmp_path):
    video = tmp_path / "media" / "ahoj.mp4"
    path = tmp_path / "annotations" / "ahoj.eaf"
    path.parent.mkdir()  # writers never create a missing folder
    formats.write(path, word, media=video)
    (linked,) = Eaf(str(path)).get_linked_files()
    assert linked["MEDIA_URL"] == video.resolve().as_uri()
    assert linked["RELATIVE_MEDIA_URL"] == "../media/ahoj.mp4"
    assert linked["MIME_TYPE"] == "video/mp4"
    assert path.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_default_link_is_the_pose_file_it_was_read_from(word, tmp_path):
    pose_file = tmp_path / "ahoj.pose"
    formats.write(pose_file, word)
    read = formats.read_one(pose_file)
    path = tmp_path / "ahoj.eaf"
    formats.write(path, read)
    eaf = Eaf(str(path))
    assert eaf.get_linked_files() == []  # not a video: ELAN lists it without playing it
    (linked,) = eaf.get_secondary_linked_files()
    assert linked["LINK_URL"] == pose_file.resolve().as_uri()
    assert linked["RELATIVE_LINK_URL"] == "./ahoj.pose"
    assert linked["MIME_TYPE"] == "application/octet-stream"
    assert _tiers(path)["text"] == [(0, 3840, "ahoj")]  # the .pose's sidecar kept the text


def test_cli_convert_links_the_input_file(word, tmp_path):
    from signstudio.cli.main import main

    source = tmp_path / "poses" / "ahoj.npz"  # .npz keeps text and segments
    out = tmp_path / "elan" / "ahoj.eaf"
    for folder in (source.parent, out.parent):
        folder.mkdir()  # writers never create a missing folder
    formats.write(source, word)
    assert main(["convert", str(source), str(out)]) == 0
    (linked,) = Eaf(str(out)).get_secondary_linked_files()
    assert linked["RELATIVE_LINK_URL"] == "../poses/ahoj.npz"
    tiers = _tiers(out)
    assert tiers["text"] == [(0, 3840, "ahoj")]
    assert [a[2] for a in tiers["right hand"]] == ["A", "H", "O", "J"]


def test_bad_requests_raise_and_leave_nothing(word, tmp_path):
    path = tmp_path / "x.eaf"
    with pytest.raises(FormatError, match="one sequence"):
        formats.write(path, [word, word])
    broken = word.replace(
        meta_update={"segments": [{"start": 90, "end": 120, "label": "J", "hand": "right"}]}
    )
    with pytest.raises(FormatError, match=r"segment 0 \[90, 120\) is outside"):
        formats.write(path, broken)
    assert list(tmp_path.iterdir()) == []
    formats.write(path, word)
    formats.write(path, word)  # overwriting leaves no .bak behind (pympi's own writer would)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.eaf"]
    with pytest.raises(FormatError, match="not a pose file"):
        formats.read(path)
