import numpy as np
import pytest

from signstudio.pose import transforms as T
from signstudio.pose.convert import convert
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout


@pytest.fixture(scope="module")
def upper(real_holistic):
    return convert(real_holistic, "upper50")


def test_normalise_puts_neck_at_origin_and_unit_shoulders(upper):
    n = T.normalise(upper)
    left, right, ok = T.shoulders(n)
    assert np.median(np.linalg.norm(left[ok] - right[ok], axis=1)) == pytest.approx(1.0, abs=1e-5)
    neck = n.data[:, n.skeleton.index("BODY:Neck")]
    assert np.abs(np.median(neck, axis=0)).max() < 1e-5
    back = T.denormalise(n)
    assert back.equals(upper, atol=1e-3)
    assert "normalisation" not in back.meta


def test_resample_keeps_duration_and_endpoints(upper):
    r = T.resample(upper, upper.fps * 2)
    assert len(r) == round(len(upper) * 2)
    assert r.duration == pytest.approx(upper.duration, abs=1 / r.fps)
    assert np.allclose(r.data[0], upper.data[0])
    # every second frame lands on an original one
    assert np.allclose(r.data[2][r.present[2]], upper.data[1][r.present[2]], atol=1e-5)


def test_resample_never_invents_points():
    skel = get_layout("upper50")
    data = np.ones((4, 50, 3), np.float32)
    conf = np.ones((4, 50), np.float32)
    conf[1, 0] = 0
    s = PoseSequence(data, conf, 10, skel)
    r = T.resample(s, 20)
    # frames between 0-1 and 1-2 touch the missing frame: missing there
    assert r.confidence[1, 0] == 0 and r.confidence[2, 0] == 0 and r.confidence[3, 0] == 0
    assert r.confidence[0, 0] == 1 and r.confidence[4, 0] == 1


def test_trim_cuts_rest_frames(upper):
    # Add 10 frames with both hands lowered (wrists below elbows) before the signing.
    rest = upper.frames(0, 1).copy()
    d = rest.data.copy()
    for side in ("L", "R"):
        w, e = upper.skeleton.index(f"BODY:{side}Wrist"), upper.skeleton.index(f"BODY:{side}Elbow")
        d[:, w, 1] = d[:, e, 1] + 50
    rest_frames = np.repeat(d, 10, axis=0)
    seq = upper.replace(
        data=np.concatenate([rest_frames, upper.data]),
        confidence=np.concatenate([np.repeat(upper.confidence[:1], 10, 0), upper.confidence]),
        filled=None,
    )
    first_raised = 10 + T.signing_span(upper, margin=0)[0]
    start, stop = T.signing_span(seq, margin=5)
    assert start == first_raised - 5 and stop == len(seq)
    assert len(T.trim_to_signing(seq)) == len(seq) - start


def test_mirror_swaps_hands_and_is_an_involution(upper):
    n = T.normalise(upper)
    m = T.mirror(n)
    lw, rw = n.skeleton.index("LEFT_HAND:WRIST"), n.skeleton.index("RIGHT_HAND:WRIST")
    ok = n.present[:, rw]
    assert np.allclose(m.data[ok, lw, 0], -n.data[ok, rw, 0], atol=1e-5)
    assert np.allclose(m.data[ok, lw, 1:], n.data[ok, rw, 1:], atol=1e-6)
    assert m.meta["mirrored"] is True
    assert T.mirror(m).equals(n, atol=1e-5)


def test_mirror_holistic_keeps_face_shape(real_holistic):
    m = T.mirror(T.mirror(real_holistic))
    assert m.equals(real_holistic, atol=1e-3)


def test_select_groups(real_holistic):
    s = T.select_groups(real_holistic, ["left_hand", "right_hand"])
    assert s.num_joints == 42 and set(s.skeleton.groups) == {"left_hand", "right_hand"}
    with pytest.raises(ValueError):
        T.select_groups(real_holistic, ["tail"])


def test_fill_missing_interpolates_and_marks(upper):
    j = int(np.flatnonzero(upper.present.all(axis=0))[-1])  # a point measured in every frame
    conf = upper.confidence.copy()
    conf[3:6, j] = 0
    data = upper.data.copy()
    data[3:6, j] = 0
    holed = upper.replace(data=data, confidence=conf)
    filled = T.fill_missing(holed)
    assert filled.filled[3:6, j].all() and filled.filled.sum() == 3 + holed.filled.sum()
    assert (filled.confidence[3:6, j] > 0).all()
    w = 1 / 4
    expect = upper.data[2, j] * (1 - w) + upper.data[6, j] * w
    assert np.allclose(filled.data[3, j], expect, atol=1e-5)
    # a gap longer than max_gap stays missing
    assert not T.fill_missing(holed, max_gap=2).filled[3:6, j].any()


def test_fill_missing_does_not_extrapolate():
    skel = get_layout("upper50")
    conf = np.ones((5, 50), np.float32)
    conf[:2, 0] = 0
    conf[4, 1] = 0
    s = PoseSequence(np.ones((5, 50, 3)), conf, 25, skel)
    f = T.fill_missing(s)
    assert f.confidence[0, 0] == 0 and f.confidence[4, 1] == 0 and not f.filled.any()


def test_letter_segments_follow_frames_resampling_and_mirroring(real_holistic):
    from signstudio.pose.transforms import mirror, resample

    seq = real_holistic.replace(
        meta={**real_holistic.meta, "segments": [
            {"start": 2, "end": 10, "label": "H", "hand": "right"},
            {"start": 12, "end": 20, "label": "I", "hand": "left"},
        ]}
    )  # fmt: skip
    cut = seq.frames(5, 15)
    assert [(g["start"], g["end"]) for g in cut.meta["segments"]] == [(0, 5), (7, 10)]
    double = resample(seq, seq.fps * 2)
    assert [(g["start"], g["end"]) for g in double.meta["segments"]] == [(4, 20), (24, 40)]  # the same times
    assert [g["hand"] for g in mirror(seq).meta["segments"]] == ["left", "right"]
    assert seq.meta["segments"][0]["hand"] == "right"  # the original is untouched
