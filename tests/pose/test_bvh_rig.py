"""BVH rigs (issue 20, item 9): the full rig is rooted at the neck (a holistic recording has
none: the shoulders' midpoint is added, and dropped again on reading); the compact rig is body
and hands only (upper50, no face points), from the CLI too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus.lexicon import lexicon_index, load_clip
from signstudio.pose import formats
from signstudio.pose.formats import bvh

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def letter():
    """A real holistic lexicon recording (MediaPipe: no neck joint, a face mesh)."""
    return load_clip(next(e for e in lexicon_index() if e.sign_language == "ase" and e.letter == "A"))


def _joints(text: str) -> list[str]:
    return [line.split()[1] for line in text.splitlines() if line.strip().startswith(("ROOT", "JOINT"))]


def test_full_rig_is_rooted_at_the_neck_between_the_shoulders(letter, tmp_path) -> None:
    text = bvh.bvh_text(letter, units="file")
    joints = _joints(text)
    assert joints[0] == "SIGNSTUDIO_NECK:Neck"  # was POSE_LANDMARKS:LEFT_SHOULDER
    assert "POSE_LANDMARKS:LEFT_SHOULDER" in joints and len(joints) > letter.num_joints
    necked = bvh.with_neck(letter)
    left = letter.skeleton.index("LEFT_SHOULDER", "POSE_LANDMARKS")
    right = letter.skeleton.index("RIGHT_SHOULDER", "POSE_LANDMARKS")
    both = letter.present[:, left] & letter.present[:, right]
    mid = (letter.data[:, left] + letter.data[:, right]) / 2
    assert np.allclose(necked.data[both, -1], mid[both]) and (necked.confidence[~both, -1] == 0).all()
    # the root's position channels are the neck's: first frame, in BVH axes (x, -y, -z)
    first = text.split("MOTION", 1)[1].splitlines()[3].split()
    frame = int(np.argmax(both))
    if frame == 0:
        assert np.allclose([float(v) for v in first[:3]], mid[0] * bvh.AXES, atol=1e-4)
    # read back: the added neck is not a point of the sequence
    path = tmp_path / "a.bvh"
    formats.write(path, letter, units="file")
    back = formats.read_one(path)
    assert back.num_joints == letter.num_joints and set(back.skeleton.joints) == set(letter.skeleton.joints)


def test_compact_rig_is_body_and_hands_without_the_face(letter, tmp_path) -> None:
    text = bvh.bvh_text(letter, rig="compact")
    joints = _joints(text)
    points = [j for j in joints if bvh.BRANCH not in j]
    assert joints[0] == "BODY:Neck" and len(points) == 50
    assert not any(j.startswith(("FACE", "POSE_LANDMARKS")) for j in joints)
    assert len(joints) < len(_joints(bvh.bvh_text(letter))) / 10  # 63 against 945
    path = tmp_path / "a.bvh"
    formats.write(path, letter, rig="compact")
    back = formats.read_one(path)
    assert back.layout == "upper50" and back.num_joints == 50 and back.num_frames == letter.num_frames
    with pytest.raises(formats.FormatError, match="rig='tiny'"):
        formats.write(tmp_path / "b.bvh", letter, rig="tiny")


def test_cli_convert_to_bvh_with_the_compact_rig(letter, tmp_path) -> None:
    source = tmp_path / "in" / "a.npz"
    source.parent.mkdir()
    formats.write(source, letter.replace(meta={}))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "convert", str(source.parent), str(out), "--to", "bvh",
         "--rig", "compact"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    back = formats.read_one(out / "a.bvh")
    assert back.layout == "upper50" and back.num_joints == 50
    single = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "convert", str(source), str(tmp_path / "b.bvh"),
         "--rig", "compact"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert single.returncode == 0, single.stderr
    assert _joints((tmp_path / "b.bvh").read_text())[0] == "BODY:Neck"
