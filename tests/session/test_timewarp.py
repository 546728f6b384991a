"""Reference frame for a generated frame: own clock, linear warp, alignment path."""

import numpy as np
import pytest

from signstudio.session.timewarp import (
    frame_map,
    linear_warp,
    own_clock,
    path_table,
    path_warp,
    validate_path,
)


def test_own_clock_is_the_same_wall_time():
    # 30 fps generated, 25 fps reference: frame 6 at 0.2 s is reference frame 5
    assert own_clock(6, 30, 25, 100) == 5
    assert own_clock(0, 30, 25, 100) == 0
    assert own_clock(3, 30, 30, 100) == 3  # same rate: identity, no off-by-one from rounding
    frames = np.arange(100)
    np.testing.assert_array_equal(own_clock(frames, 24, 24, 100), frames)
    # the reference is shorter: it holds its last frame
    assert own_clock(99, 25, 25, 40) == 39
    assert isinstance(own_clock(5, 25, 25, 10), int)
    with pytest.raises(ValueError):
        own_clock(1, 0, 25, 10)


def test_linear_warp_maps_span_onto_span():
    assert linear_warp(0, 50, 100) == 0 and linear_warp(49, 50, 100) == 99
    assert linear_warp(25, 51, 101) == 50
    table = linear_warp(np.arange(80), 80, 30)
    assert table[0] == 0 and table[-1] == 29 and np.all(np.diff(table) >= 0)
    assert linear_warp(0, 1, 30) == 0  # a single generated frame shows the first reference frame
    assert linear_warp(7, 10, 1) == 0


def test_path_maps_through_the_alignment():
    # generated 0..4, reference 0..5; gen frame 1 matches ref 1 and 2; gen 3 is skipped by the path
    path = np.array([[0, 0], [1, 1], [1, 2], [2, 3], [4, 5]])
    table = path_table(path, 5, 6)
    np.testing.assert_array_equal(table, [0, 2, 3, 4, 5])  # mean of 1 and 2 rounds up; 3 interpolated
    assert path_warp(3, path, 5, 6) == 4 and path_warp(99, path, 5, 6) == 5
    np.testing.assert_array_equal(frame_map("warped", 5, 25, 6, 25, path), table)


def test_a_bad_path_is_refused():
    with pytest.raises(ValueError, match="non-decreasing"):
        validate_path(np.array([[0, 1], [1, 0]]), 2, 2)
    with pytest.raises(ValueError, match="out of range"):
        validate_path(np.array([[0, 0], [2, 1]]), 2, 2)
    with pytest.raises(ValueError, match=r"\(K, 2\)"):
        validate_path(np.zeros((0, 2)), 2, 2)
    with pytest.raises(ValueError, match="integers"):
        validate_path(np.array([[0, 0.5]]), 2, 2)
    assert validate_path(np.array([[0.0, 1.0]]), 2, 2).dtype == np.int64


def test_frame_map_modes():
    own = frame_map("own-clock", 50, 25, 30, 25)
    np.testing.assert_array_equal(own, np.minimum(np.arange(50), 29))
    warped = frame_map("warped", 50, 25, 30, 25)
    assert warped[-1] == 29 and warped.shape == (50,)
    with pytest.raises(ValueError, match="timing mode"):
        frame_map("dtw", 5, 25, 5, 25)  # type: ignore[arg-type]
