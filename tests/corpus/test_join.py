"""Our numpy join against spoken-to-signed's own functions, on real recordings."""

import contextlib
import io
import itertools

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


# ---- letter segments ---------------------------------------------------------------------------


def _check_segments(seq, word: str) -> list[dict]:
    """Segments spell ``word`` (upper case), in order, inside the frames, not overlapping."""
    segments = seq.meta["segments"]
    assert "".join(s["label"] for s in segments) == word.upper()
    previous_end = 0
    for s in segments:
        assert isinstance(s["start"], int) and isinstance(s["end"], int)
        assert previous_end <= s["start"] < s["end"] <= seq.num_frames
        assert s["hand"] in J.HANDS
        previous_end = s["end"]
    return segments


def test_join_records_letter_segments_between_the_bridges(dgs_letters):
    clips = [dgs_letters[c] for c in "hallo"]
    cuts = J.plan_cuts(clips)
    word = J.join(clips)
    segments = _check_segments(word, "hallo")
    bridge = int(J.BRIDGE_S * 25)
    starts = [0, *(c.next_start for c in cuts)]
    ends = [*(c.end for c in cuts), len(clips[-1])]
    assert [s["end"] - s["start"] for s in segments] == [e - s for s, e in zip(starts, ends, strict=True)]
    # exactly one bridge between consecutive letters, and the bridge frames are the filled ones
    assert all(b["start"] - a["end"] == bridge for a, b in itertools.pairwise(segments))
    assert segments[0]["start"] == 0 and segments[-1]["end"] == len(word)
    inside = np.zeros(len(word), bool)
    for s in segments:
        inside[s["start"] : s["end"]] = True
    assert not word.filled[inside].any() and word.filled[~inside].any(axis=1).all()
    # the DGS recordings sign with the right hand only
    assert {s["hand"] for s in segments} == {"right"}


def test_joining_words_keeps_their_letters(dgs_letters):
    hallo = J.join([dgs_letters[c] for c in "hallo"])
    so = J.join([dgs_letters[c] for c in "so"])
    both = J.join([hallo, so])
    segments = _check_segments(both, "halloso")
    # the letters of the second word lie after the first word's last letter and the bridge
    cut = J.best_connection(hallo, so)
    assert segments[4]["end"] <= cut.end < segments[5]["start"]


def test_signing_hand_follows_which_hands_are_present():
    clip = {sl: prepare_letter(load_clip(alphabet(sl)[k]), 25.0) for sl, k in [("ise", "a"), ("cse", "a")]}
    assert J.signing_hand(clip["ise"]) == "left"  # the LIS clips are signed with the left hand
    assert J.signing_hand(clip["cse"]) == "both"  # Czech two-handed alphabet
    conf = clip["cse"].confidence.copy()
    conf[:, clip["cse"].skeleton.groups["left_hand"]] = 0
    assert J.signing_hand(clip["cse"].replace(confidence=conf)) == "right"
    # present in only a third of the frames: not signing
    third = len(conf) // 3
    conf = clip["cse"].confidence.copy()
    conf[third:, clip["cse"].skeleton.groups["left_hand"]] = 0
    assert J.signing_hand(clip["cse"].replace(confidence=conf)) == "right"
    assert J.signing_hand(clip["cse"].replace(confidence=conf), 0, third) == "both"


def test_segments_reach_the_lexicon_reference_and_survive_npz(tmp_path):
    from signstudio.pose import formats
    from signstudio.runner.reference import reference_for

    ref = reference_for("hallo welt", "gsg", layout="upper50")
    segments = _check_segments(ref, "hallowelt")
    path = tmp_path / "ref.npz"
    formats.write(path, ref)
    assert formats.read_one(path).meta["segments"] == segments


def test_lookup_model_output_has_letter_segments_and_is_spoken_to_signeds_own():
    pytest.importorskip("spoken_to_signed")
    from spoken_to_signed.gloss_to_pose import concatenate_poses

    from signstudio.modeling.models.lookup import LookupModel, _quiet

    model = LookupModel()
    for text in ("hallo", "hallo welt"):
        seq = model.generate([text], "gsg")[0]
        _check_segments(seq, text.replace(" ", ""))
        # the step-by-step join gives exactly what spoken-to-signed's own pipeline gives
        plan = model.spell_text(text, "gsg")
        with _quiet():
            words = [model._lookup.lookup(sp.prepared, sp.prepared, "de", "gsg").pose for sp in plan]
            theirs = concatenate_poses(words, max_sign_seconds=None) if len(words) > 1 else words[0]
        expected = model._to_sequence(theirs, text, plan, "gsg", "de", model.config)
        assert np.array_equal(expected.data, seq.data)
        assert np.array_equal(expected.confidence, seq.confidence)
