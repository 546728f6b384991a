import numpy as np
import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout


def _seq(frames=4):
    skel = get_layout("upper50")
    rng = np.random.default_rng(0)
    return PoseSequence(rng.normal(size=(frames, 50, 3)), np.ones((frames, 50)), 25, skel, {"text": "hi"})


def test_arrays_are_contiguous_float32():
    s = _seq()
    assert s.data.dtype == np.float32 and s.data.flags.c_contiguous
    assert s.confidence.dtype == np.float32 and s.filled.dtype == bool
    assert s.duration == pytest.approx(4 / 25)


@pytest.mark.parametrize(
    ("data", "conf", "fps"),
    [
        (np.zeros((3, 50, 2)), np.ones((3, 50)), 25),
        (np.zeros((3, 49, 3)), np.ones((3, 49)), 25),
        (np.zeros((3, 50, 3)), np.ones((3, 49)), 25),
        (np.zeros((3, 50, 3)), np.ones((3, 50)), 0),
        (np.zeros((3, 50, 3)), np.ones((3, 50)), float("nan")),
    ],
)
def test_rejects_inconsistent_shapes(data, conf, fps):
    with pytest.raises(ValueError):
        PoseSequence(data, conf, fps, get_layout("upper50"))


def test_operations_return_new_objects():
    s = _seq()
    t = s.replace(meta_update={"gloss": "X"})
    assert t is not s and "gloss" not in s.meta and t.meta["gloss"] == "X" and t.meta["text"] == "hi"
    part = s.frames(1, 3)
    assert len(part) == 2 and np.array_equal(part.data, s.data[1:3])
    c = s.copy()
    c.data[0, 0, 0] = 123
    assert s.data[0, 0, 0] != 123


def test_equals_ignores_coordinates_of_missing_points():
    s = _seq()
    conf = s.confidence.copy()
    conf[0, 3] = 0
    a = s.replace(confidence=conf)
    data = a.data.copy()
    data[0, 3] = 99
    assert a.equals(a.replace(data=data))
    assert not a.equals(s)


def test_summary_reports_missing_ratio():
    s = _seq()
    conf = s.confidence.copy()
    conf[:, :5] = 0
    info = s.replace(confidence=conf).summary()
    assert info["missing_ratio"] == pytest.approx(0.1)
    assert info["layout"] == "upper50" and info["frames"] == 4 and info["joints"] == 50
