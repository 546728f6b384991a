"""Our numpy join against spoken-to-signed's own functions, on real recordings."""

import contextlib
import io

import numpy as np
import pytest

from signstudio.corpus import join as J
from signstudio.corpus.lexicon import alphabet, load_clip
from signstudio.corpus.store import prepare_letter
from signstudio.pose.convert import convert
from signstudio.pose.formats.poseformat import to_pose


@pytest.fixture(scope="module")
def dgs_letters():
    return {k: prepare_letter(load_clip(e), 25.0) for k, e in alphabet("gsg").items() if k in "halosü"}


def test_connection_point_matches_spoken_to_signed(dgs_letters):
    from spoken_to_signed.gloss_to_pose.smoothing import find_best_connection_point

    for a, b in [("h", "a"), ("a", "l"), ("l", "o"), ("o", "s"), ("s", "ü")]:
        ours = J.best_connection(dgs_letters[a], dgs_letters[b])
        theirs = find_best_connection_point(to_pose(dgs_letters[a]), to_pose(dgs_letters[b]))
        assert (ours.end, ours.next_start) == tuple(int(x) for x in theirs)


def test_smoothing_matches_spoken_to_signed_butterworth(dgs_letters):
    from spoken_to_signed.gloss_to_pose.smoothing import pose_butterworth_filter

    raw = J.join([dgs_letters[c] for c in "hallo"], smoothing=False)
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = np.ma.getdata(pose_butterworth_filter(to_pose(raw)).body.data)[:, 0]
    ours = J.smooth(raw)
    always = raw.present.all(axis=0)  # points measured throughout: no gap handling involved
    always[raw.skeleton.groups["face"]] = False  # both leave the face alone (theirs but its last point)
    assert np.allclose(ours.data[:, always], theirs[:, always], atol=1e-5)


def test_join_layout_bridge_and_length(dgs_letters):
    clips = [dgs_letters[c] for c in "hallo"]
    cuts = J.plan_cuts(clips)
    word = J.join(clips)
    bridge = int(J.BRIDGE_S * 25)
    expected = (
        sum(
            (cuts[i].end if i < 4 else len(c)) - (cuts[i - 1].next_start if i else 0)
            for i, c in enumerate(clips)
        )
        + 4 * bridge
    )
    assert len(word) == expected
    assert word.meta["reference_kind"] == "lexicon join"
    # bridge frames are marked as filled, recorded frames are not
    first_bridge = cuts[0].end
    assert word.filled[first_bridge : first_bridge + bridge].any()
    assert not word.filled[:first_bridge].any()


def test_join_is_the_same_in_upper50_as_converting_the_holistic_join(dgs_letters):
    clips = [dgs_letters[c] for c in "hallo"]
    holistic_word = J.join(clips)
    up_word = J.join([convert(c, "upper50") for c in clips], cuts=J.plan_cuts(clips))
    assert len(up_word) == len(holistic_word)
    conv = convert(holistic_word, "upper50")
    both = conv.present & up_word.present
    # body and hands only differ by the neck, which is a midpoint computed before vs after smoothing
    assert np.allclose(conv.data[both], up_word.data[both], atol=1e-4)


def test_join_refuses_mixed_frame_rates(dgs_letters):
    from signstudio.pose.transforms import resample

    with pytest.raises(ValueError, match="frame rates"):
        J.join([dgs_letters["h"], resample(dgs_letters["a"], 30)])
