"""BVH export and import: the rig reproduces every joint up to bone-length changes, on real words."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.pose import formats, kinematics
from signstudio.pose.convert import convert
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import bvh
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.reference import reference_for

PRINT_PRECISION = 1e-5  # the file holds 9 significant digits


@pytest.fixture(scope="module")
def word() -> PoseSequence:
    """A real word: DGS "hallo", recorded letters joined, upper50, neck origin, shoulder width 1."""
    return reference_for("hallo", "gsg", layout="upper50")


def _depth_order(parent: np.ndarray) -> list[int]:
    depth = np.zeros(len(parent), int)
    for j in range(len(parent)):
        k = j
        while parent[k] >= 0:
            depth[j] += 1
            k = parent[k]
    return [int(j) for j in np.argsort(depth, kind="stable")]


def _length_tolerance(seq: PoseSequence) -> tuple[np.ndarray, np.ndarray]:
    """(F, J) bound on each joint's round-trip error — the sum, over the bones from the root to
    it, of how far that frame's bone length is from the bone's median length — and (F, J) bool
    where the bound applies (the joint and every joint above it present). The tree is the
    written rig's: rooted at the neck, added where the skeleton has none (`bvh.with_neck`)."""
    n = seq.num_joints
    seq = bvh.with_neck(seq)
    parent, _ = bvh.spanning_tree(seq.skeleton)
    x, present = seq.data.astype(np.float64), seq.present
    tolerance = np.zeros(present.shape)
    chain = np.zeros(present.shape, bool)
    for j in _depth_order(parent):
        p = parent[j]
        if p < 0:
            chain[:, j] = present[:, j]
            continue
        length = np.linalg.norm(x[:, j] - x[:, p], axis=-1)
        both = present[:, j] & present[:, p]
        median = np.median(length[both]) if both.any() else 0.0
        tolerance[:, j] = tolerance[:, p] + np.abs(length - median)
        chain[:, j] = chain[:, p] & present[:, j]
    return tolerance[:, :n], chain[:, :n]


def _constant_lengths(seq: PoseSequence) -> PoseSequence:
    """``seq`` rebuilt by forward kinematics with every bone at its median length."""
    parent, _ = bvh.spanning_tree(seq.skeleton)
    x, present = seq.data.astype(np.float64), seq.present
    out = x.copy()
    for j in _depth_order(parent):
        p = parent[j]
        if p < 0:
            continue
        both = present[:, j] & present[:, p]
        if not both.any():
            continue
        vector = x[:, j] - x[:, p]
        median = np.median(np.linalg.norm(vector[both], axis=-1))
        unit = vector / np.maximum(np.linalg.norm(vector, axis=-1, keepdims=True), 1e-12)
        out[both, j] = out[both, p] + median * unit[both]
    return seq.replace(data=out.astype(np.float32))


def _round_trip(seq: PoseSequence, tmp_path, **options) -> PoseSequence:
    path = tmp_path / "motion.bvh"
    formats.write(path, seq, **options)
    return formats.read_one(path)


def test_real_word_round_trips_within_the_bone_length_tolerance(word, tmp_path):
    back = _round_trip(word, tmp_path)
    assert back.layout == "upper50" and back.skeleton.joints == word.skeleton.joints
    assert back.num_frames == word.num_frames and back.fps == word.fps == 25.0
    assert (back.confidence == 1).all()  # BVH cannot say "missing"
    tolerance, chain = _length_tolerance(word)
    assert chain.sum() > 0.5 * word.present.sum()
    error = np.linalg.norm(back.data.astype(np.float64) - word.data, axis=-1)
    assert (error[chain] <= tolerance[chain] + PRINT_PRECISION).all()
    # the root is positioned, not rotated into place: exact
    neck = word.skeleton.index("BODY:Neck")
    assert np.allclose(back.data[:, neck], word.data[:, neck], atol=PRINT_PRECISION)


def test_constant_bone_lengths_round_trip_exactly(word, tmp_path):
    rigid = _constant_lengths(word)
    tolerance, chain = _length_tolerance(rigid)
    assert tolerance[chain].max() < 1e-5  # the FK rebuild made the lengths constant
    back = _round_trip(rigid, tmp_path)
    error = np.linalg.norm(back.data.astype(np.float64) - rigid.data, axis=-1)
    assert error[chain].max() < 2e-5
    # the word's left arm and hand are never seen: they stand in the mirrored right one's rest
    left, right = rigid.skeleton.index("LEFT_HAND:WRIST"), rigid.skeleton.index("RIGHT_HAND:WRIST")
    assert not word.present[:, left].any()
    assert (
        np.all(np.isfinite(back.data[:, left]))
        and np.linalg.norm(back.data[0, left] - back.data[0, right]) > 0.5
    )


def test_missing_points_hold_the_last_rotation(word, tmp_path):
    rigid = _constant_lengths(word)
    data, conf = rigid.data.copy(), rigid.confidence.copy()
    hand = rigid.skeleton.groups["right_hand"]
    # frames 0-4 and 20: the right hand is lost while the body stands as in frame 5 / 19
    data[:5], conf[:5] = data[5], conf[5]
    data[20], conf[20] = data[19], conf[19]
    conf[:5, hand] = conf[20, hand] = 0.0
    data[:5, hand] = data[20, hand] = 0.0
    back = _round_trip(rigid.replace(data=data, confidence=conf), tmp_path)
    # before the hand is first seen it takes its first known pose; when lost, its last one
    assert np.allclose(back.data[:5, hand], back.data[5, hand], atol=PRINT_PRECISION)
    assert np.allclose(back.data[20, hand], back.data[19, hand], atol=PRINT_PRECISION)
    assert np.allclose(back.data[19, hand], rigid.data[19, hand], atol=2e-5)


def test_euler_zxy_decomposition_is_exact_also_at_gimbal_lock():
    rng = np.random.default_rng(0)
    angles = rng.uniform(-180, 180, (200, 3))
    angles[:10, 1] = 90.0  # x = ±90°: gimbal lock
    angles[10:20, 1] = -90.0
    rot = kinematics.from_euler([2, 0, 1], angles)
    again = kinematics.from_euler([2, 0, 1], kinematics.euler_zxy(rot))
    assert np.allclose(again, rot, atol=1e-9)
    arc = kinematics.shortest_arc(
        np.tile([[0.0, 1.0, 0.0]], (3, 1)), np.asarray([[0, -1.0, 0], [1.0, 0, 0], [0, 1.0, 0]])
    )
    assert np.allclose(arc @ [0.0, 1.0, 0.0], [[0, -1, 0], [1, 0, 0], [0, 1, 0]], atol=1e-12)
    assert np.allclose(np.linalg.det(arc), 1.0)


def test_file_reads_the_way_blenders_importer_reads_it(word, tmp_path):
    """A port of the line-by-line walk of Blender's ``import_bvh.read_bvh``: ROOT/JOINT, then '{',
    OFFSET and CHANNELS on the next lines; End Site, '{', OFFSET, '}'; one motion line per frame
    with a value per channel. Bone names fit Blender's 63 bytes."""
    path = tmp_path / "word.bvh"
    formats.write(path, word)
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    assert lines[0] == ["HIERARCHY"]
    i, channels, names, depth = 1, 0, [], 0
    while lines[i] != ["MOTION"]:
        head = lines[i][0]
        if head in ("ROOT", "JOINT"):
            assert len(lines[i]) == 2 and lines[i + 1] == ["{"] and lines[i + 2][0] == "OFFSET"
            assert len(lines[i + 2]) == 4 and lines[i + 3][0] == "CHANNELS"
            assert int(lines[i + 3][1]) == len(lines[i + 3]) - 2
            channels += int(lines[i + 3][1])
            names.append(lines[i][1])
            depth += 1
            i += 4
        elif head == "End":
            assert lines[i][1] == "Site" and lines[i + 1] == ["{"] and lines[i + 2][0] == "OFFSET"
            assert lines[i + 3] == ["}"]
            i += 4
        else:
            assert lines[i] == ["}"]
            depth -= 1
            i += 1
    assert depth == 0 and lines[i + 1] == ["Frames:", str(word.num_frames)]
    assert lines[i + 2][:2] == ["Frame", "Time:"] and float(lines[i + 2][2]) == pytest.approx(0.04)
    motion = lines[i + 3 :]
    assert len(motion) == word.num_frames and {len(m) for m in motion} == {channels}
    assert len(set(names)) == len(names) and max(len(n.encode()) for n in names) <= 63
    assert names[0] == "BODY:Neck" and "RIGHT_HAND:WRIST>INDEX_FINGER_MCP" in names


def test_display_units_normalise_a_sequence_in_pixels(real_holistic, tmp_path):
    from signstudio.pose.transforms import normalisation_of

    pixels = convert(real_holistic, "upper50")
    _, scale = normalisation_of(pixels)
    assert scale > 50  # the recording is in pixels
    shown = _round_trip(pixels, tmp_path)  # default: display units
    origin_shown, scale_shown = normalisation_of(shown)
    assert np.abs(origin_shown).max() < 0.05 and scale_shown == pytest.approx(1.0, abs=0.05)
    path = tmp_path / "half.bvh"
    formats.write(path, pixels, units="file", scale=0.5)
    assert normalisation_of(formats.read_one(path))[1] == pytest.approx(scale / 2, rel=0.05)
    raw = formats.read_one(path, scale=0.5)  # the scale undone on reading
    assert normalisation_of(raw)[1] == pytest.approx(scale, rel=0.05)
    tolerance, chain = _length_tolerance(pixels)
    error = np.linalg.norm(raw.data.astype(np.float64) - pixels.data, axis=-1)
    assert (error[chain] <= tolerance[chain] + 1e-3).all()


def test_holistic_with_unconnected_parts_round_trips(real_holistic, tmp_path):
    """The face mesh and world landmarks hang from the root with their own positions."""
    back = _round_trip(real_holistic, tmp_path, units="file")
    assert back.layout == "bvh" and set(back.skeleton.joints) == set(real_holistic.skeleton.joints)
    order = [back.skeleton.joints.index(n) for n in real_holistic.skeleton.joints]
    tolerance, chain = _length_tolerance(real_holistic)
    error = np.linalg.norm(back.data[:, order].astype(np.float64) - real_holistic.data, axis=-1)
    assert (error[chain] <= tolerance[chain] + 1e-3).all()
    groups = back.skeleton.groups
    assert len(groups["face"]) == 478 and len(groups["left_hand"]) == 21


CMU_LIKE = """HIERARCHY
ROOT Hips
{
  OFFSET 0.0 0.0 0.0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
  JOINT Spine
  {
    OFFSET 0.0 1.0 0.0
    CHANNELS 3 Zrotation Yrotation Xrotation
    End Site
    {
      OFFSET 0.0 0.5 0.0
    }
  }
  JOINT Leg
  {
    OFFSET 0.5 0.0 0.0
    CHANNELS 3 Xrotation Yrotation Zrotation
    End Site
    {
      OFFSET 0.0 -1.0 0.0
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.0083333
1 2 3 0 0 0 0 0 0 0 0 0
1 2 3 90 0 0 0 0 0 0 0 0
"""


def test_reads_a_foreign_bvh_into_a_generic_layout(tmp_path):
    path = tmp_path / "cmu.bvh"
    path.write_text(CMU_LIKE)
    seq = formats.read_one(path)
    assert seq.layout == "bvh" and seq.skeleton.joints == ("Hips", "Spine", "Leg")
    assert sorted(map(tuple, seq.skeleton.bones.tolist())) == [(0, 1), (0, 2)]
    assert seq.fps == pytest.approx(120.0, rel=1e-4)
    # frame 1: the hips turn 90° about z, so the spine (0, 1, 0) points along -x; y up -> y down
    assert np.allclose(seq.data[0], [[1, -2, -3], [1, -3, -3], [1.5, -2, -3]], atol=1e-6)
    assert np.allclose(seq.data[1], [[1, -2, -3], [0, -2, -3], [1, -2.5, -3]], atol=1e-6)


def _line_of(text: str, marker: str) -> int:
    """The number of the last line holding ``marker``."""
    return [n for n, line in enumerate(text.splitlines(), 1) if marker in line][-1]


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("", "file is empty", None),
        ("HELLO\n", "expected HIERARCHY", 1),
        ("HIERARCHY\nROOT a\nOFFSET 0 0 0\n", "expected '{'", 3),
        ("HIERARCHY\nROOT a\n{\nOFFSET 0 zero 0\n", "'zero' is not a number", 4),
        ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 4 Xrotation Yrotation Zrotation\n", "count", 5),
        ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 1 Wrotation\n", "unknown channel", 5),
        ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 1 Xrotation\n", "ends before", 5),
        (CMU_LIKE.replace("Frames: 2", "Frames: 3"), "holds 2 frames", "Frames:"),
        (CMU_LIKE.replace("Frames: 2", "Frames: 1"), "holds 2 frames", "1 2 3 90"),
        (CMU_LIKE.replace("Frame Time: 0.0083333", "Frame Time: 0"), "Frame Time must be", "Frame Time"),
        (
            CMU_LIKE.replace("1 2 3 90 0 0 0 0 0 0 0 0", "1 2 3 90 0 0 0 0 0"),
            "frame 1 has 9 values",
            "1 2 3 90",
        ),
        (CMU_LIKE.replace("1 2 3 90 0 0 0 0 0 0 0 0", "1 2 3 nan 0 0 0 0 0 0 0 0"), "NaN", "nan"),
        (CMU_LIKE.replace("JOINT Leg", "BONE Leg"), "expected JOINT, End Site or '}'", "BONE"),
        (CMU_LIKE.replace("JOINT Leg", "JOINT Spine"), "joint name 'Spine' occurs twice", "JOINT Spine"),
        (
            CMU_LIKE.split("MOTION")[0] + "MOTION\nFrames: 0\nFrame Time: 0.01\n",
            "holds zero frames",
            "Frames: 0",
        ),
    ],
)
def test_bad_files_give_one_line_errors_naming_the_line(tmp_path, text, problem, line):
    path = tmp_path / "bad.bvh"
    path.write_text(text)
    with pytest.raises(FormatError) as info:
        formats.read(path, format="bvh")
    message = str(info.value)
    assert "\n" not in message and problem in message and str(path) in message
    if isinstance(line, str):
        line = _line_of(text, line)
    if line is not None:
        assert message.endswith(f"(at line {line})")


def test_writer_refuses_several_sequences_and_leaves_nothing_behind(word, tmp_path):
    path = tmp_path / "two.bvh"
    with pytest.raises(FormatError, match="one sequence"):
        formats.write(path, [word, word])
    with pytest.raises(FormatError, match="units"):
        formats.write(path, word, units="metres")
    assert list(tmp_path.iterdir()) == []
