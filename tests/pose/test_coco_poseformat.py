"""OpenPose COCO-18 and COCO-WholeBody (MMPose, AlphaPose-133) ``.pose`` files: recognised by
component names and point counts, converted to upper50 and .skels, shown by ``info``.

No such real files are among ours, so each is derived from a real one: pose-format's own
OpenPose test file (``tests/data/pose-format/openpose.pose``, BODY_25 + 70 face + both hands, 2D,
93 frames). Its points are copied by name into the other tools' components and written with the
pose-format library under the component and point names those tools use:

* COCO-18 (OpenPose's ``--model_pose COCO``): ``pose_keypoints_2d`` holds the 18 BODY_25 points of
  the same names (Nose, Neck, RShoulder ... LEar), ``face_keypoints_2d`` and
  ``hand_left/right_keypoints_2d`` are the original's face and hands, its own components.
* COCO-WholeBody: pose-format's ``cocowholebody133_header`` (what its MMPose estimator writes:
  ``BODY`` 23 points ``nose``, ``left_eye`` ... ``right_heel``, ``FACE`` ``face-0..67``,
  ``LEFT_HAND``/``RIGHT_HAND`` ``hand_0..20``) and AlphaPose-133's ``BODY_133`` ... names; body
  points from the BODY_25 points of the same meaning (``left_shoulder`` <- ``LShoulder``, the feet
  from the toes and heels), the face from the first 68 face points (iBUG-68), hands as they are.
"""

from pathlib import Path

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.pose import formats
from signstudio.pose.convert import convert
from signstudio.pose.sequence import PoseSequence

ORIGINAL = Path(__file__).resolve().parents[1] / "data" / "pose-format" / "openpose.pose"

COCO18 = ("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "RHip",
          "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar")  # fmt: skip
# OpenPose's POSE_COCO_PAIRS (poseParameters.hpp): its COCO-18 limbs.
COCO18_PAIRS = [(1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12),
                (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17)]  # fmt: skip
# COCO-WholeBody body name -> BODY_25 name.
WHOLEBODY_FROM_BODY25 = {
    "nose": "Nose", "left_eye": "LEye", "right_eye": "REye", "left_ear": "LEar", "right_ear": "REar",
    "left_shoulder": "LShoulder", "right_shoulder": "RShoulder", "left_elbow": "LElbow",
    "right_elbow": "RElbow", "left_wrist": "LWrist", "right_wrist": "RWrist", "left_hip": "LHip",
    "right_hip": "RHip", "left_knee": "LKnee", "right_knee": "RKnee", "left_ankle": "LAnkle",
    "right_ankle": "RAnkle", "left_big_toe": "LBigToe", "left_small_toe": "LSmallToe",
    "left_heel": "LHeel", "right_big_toe": "RBigToe", "right_small_toe": "RSmallToe", "right_heel": "RHeel",
}  # fmt: skip


def _derive(path: Path, parts: list[tuple[object, list[int]]]) -> Path:
    """Write ``parts`` (a pose-format header component and the original's flat point indices it
    takes, in order) as a .pose file with the original's body, fps and dimensions."""
    from pose_format import Pose
    from pose_format.numpy import NumPyPoseBody
    from pose_format.pose_header import PoseHeader

    original = Pose.read(ORIGINAL.read_bytes())
    idx = [i for _, ids in parts for i in ids]
    data = original.body.data[:, :, idx]
    conf = original.body.confidence[:, :, idx]
    body = NumPyPoseBody(fps=original.body.fps, data=data, confidence=conf)
    header = PoseHeader(0.1, original.header.dimensions, [c for c, _ in parts])
    with open(path, "wb") as fh:
        Pose(header, body).write(fh)
    return path


def _original_index(component: str, point: str) -> int:
    from pose_format import Pose

    return Pose.read(ORIGINAL.read_bytes()).header._get_point_index(component, point)


def _coco18(path: Path, face: bool = True, hands: bool = True) -> Path:
    from pose_format import Pose
    from pose_format.pose_header import PoseHeaderComponent

    by_name = {c.name: c for c in Pose.read(ORIGINAL.read_bytes()).header.components}
    body25 = by_name["pose_keypoints_2d"]
    body = PoseHeaderComponent("pose_keypoints_2d", list(COCO18), COCO18_PAIRS, body25.colors, "XYC")
    body_idx = [_original_index("pose_keypoints_2d", n) for n in COCO18]
    parts: list[tuple[object, list[int]]] = [(body, body_idx)]
    names = (["face_keypoints_2d"] if face else []) + (
        ["hand_left_keypoints_2d", "hand_right_keypoints_2d"] if hands else []
    )
    for name in names:
        comp = by_name[name]
        parts.append((comp, [_original_index(name, p) for p in comp.points]))
    return _derive(path, parts)


def _wholebody(path: Path, alphapose: bool = False) -> Path:
    from pose_format.utils.alphapose_133 import get_alphapose_133_components
    from pose_format.utils.cocowholebody133_header import cocowholebody_components

    comps = get_alphapose_133_components() if alphapose else cocowholebody_components()
    body = comps[0]
    sources = [
        [_original_index("pose_keypoints_2d", WHOLEBODY_FROM_BODY25[n]) for n in body.points],
        [_original_index("face_keypoints_2d", "FB_0") + i for i in range(68)],
        [_original_index("hand_left_keypoints_2d", "BASE") + i for i in range(21)],
        [_original_index("hand_right_keypoints_2d", "BASE") + i for i in range(21)],
    ]
    return _derive(path, list(zip(comps, sources, strict=True)))


@pytest.fixture(scope="module")
def original_upper50() -> PoseSequence:
    return convert(formats.read_one(ORIGINAL), "upper50")


def test_the_derivation_reads_the_original_points() -> None:
    """Guard the index helper against a changed header of the original."""
    assert _original_index("pose_keypoints_2d", "Nose") == 0
    assert _original_index("face_keypoints_2d", "FB_0") == 25
    assert _original_index("hand_left_keypoints_2d", "BASE") == 95


@pytest.mark.parametrize(("face", "hands"), [(True, True), (False, True), (False, False)])
def test_coco18_is_recognised_and_converts_like_the_body25_original(
    tmp_path: Path,
    original_upper50: PoseSequence,
    face: bool,
    hands: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _coco18(tmp_path / "coco18.pose", face, hands)
    seq = formats.read_one(path)
    assert seq.layout == "coco18"
    assert seq.num_joints == 18 + 70 * face + 42 * hands
    assert main(["info", str(path)]) == 0
    assert f"layout coco18  joints {seq.num_joints} " in capsys.readouterr().out
    up = convert(seq, "upper50")
    # COCO-18's points 0-7 are BODY_25's (the neck included): the body equals the original's.
    assert np.array_equal(up.data[:, :8], original_upper50.data[:, :8])
    assert np.array_equal(up.confidence[:, :8], original_upper50.confidence[:, :8])
    if hands:
        assert np.array_equal(up.data, original_upper50.data)
        assert np.array_equal(up.confidence, original_upper50.confidence)
    else:
        assert not up.confidence[:, 8:].any()  # no hands in the file: missing, not invented


def test_coco18_links_the_wrists_to_the_hands_and_mirrors_left_and_right(tmp_path: Path) -> None:
    seq = formats.read_one(_coco18(tmp_path / "c.pose"))
    joints = seq.skeleton.joints
    links = {(joints[a], joints[b]) for a, b in seq.skeleton.links}
    assert links == {("BODY_18:LWrist", "LEFT_HAND:WRIST"), ("BODY_18:RWrist", "RIGHT_HAND:WRIST")}
    mirror = seq.skeleton.mirror
    assert joints[mirror[joints.index("BODY_18:LShoulder")]] == "BODY_18:RShoulder"
    assert joints[mirror[joints.index("LEFT_HAND:THUMB_TIP")]] == "RIGHT_HAND:THUMB_TIP"
    body_only = formats.read_one(_coco18(tmp_path / "b.pose", face=False, hands=False))
    assert body_only.skeleton.joints[mirror[5]] == "RShoulder" and len(body_only.skeleton.bones) == 17


@pytest.mark.parametrize("alphapose", [False, True])
def test_wholebody_is_recognised_and_its_neck_is_the_shoulders_midpoint(
    tmp_path: Path, original_upper50: PoseSequence, alphapose: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _wholebody(tmp_path / "wb.pose", alphapose)
    seq = formats.read_one(path)
    assert seq.layout == "wholebody133" and seq.num_joints == 133
    assert main(["info", str(path)]) == 0
    assert "layout wholebody133  joints 133 " in capsys.readouterr().out
    up = convert(seq, "upper50")
    rest = [j for j in range(50) if j != 1]
    assert np.array_equal(up.data[:, rest], original_upper50.data[:, rest])
    assert np.array_equal(up.confidence[:, rest], original_upper50.confidence[:, rest])
    # The neck: the midpoint of the shoulders, present exactly where both shoulders are.
    both = (up.confidence[:, 2] > 0) & (up.confidence[:, 5] > 0)
    assert np.array_equal(up.confidence[:, 1] > 0, both)
    assert both.sum() > 0.9 * len(both)
    mid = (up.data[:, 2] + up.data[:, 5]) / 2
    assert np.allclose(up.data[both, 1], mid[both], atol=1e-4)
    assert not up.data[~both, 1].any()
    # Close to OpenPose's own neck on this recording (a few per cent of the shoulder width).
    width = np.linalg.norm(up.data[both, 2] - up.data[both, 5], axis=-1)
    gap = np.linalg.norm(up.data[both, 1] - original_upper50.data[both, 1], axis=-1)
    assert np.median(gap / width) < 0.15


@pytest.mark.parametrize("kind", ["coco18", "wholebody133"])
def test_skels_out_and_back_and_the_header_kept(tmp_path: Path, kind: str) -> None:
    from pose_format import Pose

    src = _coco18(tmp_path / "in.pose") if kind == "coco18" else _wholebody(tmp_path / "in.pose")
    up = convert(formats.read_one(src), "upper50")
    out = tmp_path / "x.skels"
    assert main(["convert", str(src), str(out)]) == 0
    back = formats.read_one(out)
    assert back.layout == "upper50" and back.num_frames == 93
    present = up.confidence > 0
    assert np.allclose(back.data[present], up.data[present], rtol=1e-6, atol=1e-6)
    assert main(["convert", str(src), str(tmp_path / "p2s.npz"), "--layout", "p2s128"]) == 0
    assert formats.read_one(tmp_path / "p2s.npz").num_joints == 128
    same = tmp_path / "same.pose"
    assert main(["convert", str(src), str(same)]) == 0
    original, written = Pose.read(src.read_bytes()).header, Pose.read(same.read_bytes()).header
    names = [(c.name, c.points) for c in original.components]
    assert names == [(c.name, c.points) for c in written.components]
    assert formats.read_one(same).equals(formats.read_one(src))


@pytest.mark.parametrize("kind", ["coco18", "coco18-body", "wholebody133"])
def test_normalisation_finds_the_shoulders(tmp_path: Path, kind: str) -> None:
    """Origin and scale as for the BODY_25 original: same shoulders, so the same numbers."""
    from signstudio.pose.transforms import normalisation_of

    if kind == "wholebody133":
        src = _wholebody(tmp_path / "s.pose")
    else:
        src = _coco18(tmp_path / "s.pose", face=kind == "coco18", hands=kind == "coco18")
    origin, scale = normalisation_of(formats.read_one(src))
    want_origin, want_scale = normalisation_of(formats.read_one(ORIGINAL))
    assert np.allclose(origin, want_origin) and scale == pytest.approx(want_scale)
