"""A hand a neural model did not produce is missing, not a point at the neck (issue 20, item 6).

Every neural model shipped in ``models/`` signs a word on the CPU; the skeleton's line list for
each frame (`present_bones` over the drawn bones, what the viewport and `signstudio render`
upload) must hold no bone that ends at the neck's place unless the bone belongs to the neck.
"""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.app.viewport.joint_cloud import present_bones
from signstudio.modeling.output import produced
from signstudio.session.geometry import display_skeleton

NECK, L_ELBOW, L_WRIST = 1, 6, 7
LEFT_HAND, RIGHT_HAND = slice(8, 29), slice(29, 50)
NEURAL = ("nar-kd", "diffusion", "signllm-mlsf", "signllm-p2lg")


@pytest.fixture(scope="module", params=NEURAL)
def signed(request):  # type: ignore[no-untyped-def]
    from signstudio.modeling.registry import load_model

    model = load_model(request.param)
    try:
        # ASE "hello": the corpus has no left hand for it, the models leave it out
        return request.param, model.generate(["hello"], "ase")[0]
    finally:
        model.close()


def test_no_drawn_bone_ends_at_the_neck(signed) -> None:  # type: ignore[no-untyped-def]
    model_id, seq = signed
    skeleton = display_skeleton(seq)
    assert seq.skeleton.layout == "upper50" and seq.num_frames > 10
    drawn_per_frame = []
    for f in range(seq.num_frames):
        bones = present_bones(skeleton.bones, seq.confidence[f] > 0)
        drawn_per_frame.append(len(bones))
        other = bones[(bones != NECK).all(axis=1)]  # bones not belonging to the neck itself
        ends = seq.data[f][other.reshape(-1)] - seq.data[f, NECK]
        near = np.linalg.norm(ends, axis=1) < 0.05
        assert not near.any(), f"{model_id} frame {f}: a bone is drawn to the neck: {other.reshape(-1)[near]}"
        assert not ((bones == [L_ELBOW, L_WRIST]).all(axis=1).any() and seq.confidence[f, L_WRIST] == 0)
    # what the model did produce is still drawn: body, right arm and its hand's 20 bones
    assert min(drawn_per_frame) >= 20, f"{model_id}: a frame draws only {min(drawn_per_frame)} bones"


def test_the_left_hand_is_missing_and_the_neck_is_kept(signed) -> None:  # type: ignore[no-untyped-def]
    model_id, seq = signed
    assert (seq.confidence[:, NECK] == 1).all(), model_id  # the neck is the origin, and measured
    assert (seq.confidence[:, LEFT_HAND] == 0).mean() > 0.9, model_id
    assert (seq.confidence[:, L_WRIST] == 0).mean() > 0.9, model_id
    assert (seq.confidence[:, RIGHT_HAND] > 0).mean() > 0.9, model_id
    missing = seq.confidence == 0
    assert (seq.data[missing] == 0).all()  # PoseSequence's convention: kept at 0


def test_recorded_hands_near_the_neck_count_as_produced() -> None:
    """The rule keeps what the lexicon's recordings measure (in the corpus' units), hands at the
    chin included: it must only catch a model's place-holder zeros."""
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.convert import convert
    from signstudio.pose.formats import read
    from signstudio.pose.transforms import normalise

    measured = kept = 0
    closest = np.inf
    entries = [e for e in lexicon_index() if e.path.suffix == ".pose"]
    entries = entries[:: max(1, len(entries) // 150)]  # spread over the languages
    assert len(entries) >= 30
    for entry in entries:
        seq = normalise(convert(read(entry.path)[0], "upper50"))
        present = seq.confidence > 0
        ok = produced(np.where(present[..., None], seq.data, 0.0))
        measured += int(present.sum())
        kept += int((ok & present).sum())
        hands = present[:, RIGHT_HAND].all(axis=1)
        if hands.any():
            reach = np.median(np.linalg.norm(seq.data[hands][:, RIGHT_HAND], axis=2), axis=1)
            closest = min(closest, float(reach.min()))
    assert measured > 100_000
    assert kept / measured > 0.999, f"{measured - kept} of {measured} measured points called missing"
    assert closest < 1.0  # the sample holds hands signing in front of the body


def test_a_zero_hand_and_a_zero_wrist_are_missing_in_a_built_output() -> None:
    """The rule on a frame built by hand: a real-looking right arm and hand, a left hand at the
    origin with its wrist 0.15 away (as signllm-p2lg leaves it), the neck at exactly 0."""
    data = np.zeros((2, 50, 3), np.float32)
    data[:, 0] = (0, -0.6, 0)  # nose
    data[:, 2], data[:, 5] = (-0.5, 0, 0), (0.5, 0, 0)  # shoulders
    data[:, 3], data[:, 6] = (-0.7, 0.6, 0), (0.7, 0.6, 0)  # elbows
    data[:, 4] = (-0.4, 0.2, 0)  # right wrist, near the chest
    rng = np.random.default_rng(0)
    data[:, RIGHT_HAND] = data[:, 4:5] + rng.normal(0, 0.1, (2, 21, 3)).astype(np.float32)
    data[:, LEFT_HAND] = rng.normal(0, 0.005, (2, 21, 3)).astype(np.float32)
    data[0, L_WRIST] = (0.1, 0.1, 0.05)
    data[1, L_WRIST] = (0.6, 1.1, 0)  # a left wrist of its own, far from the neck: kept
    ok = produced(data)
    assert ok[:, [0, 1, 2, 3, 4, 5, 6]].all() and ok[:, RIGHT_HAND].all()
    assert not ok[:, LEFT_HAND].any()
    assert not ok[0, L_WRIST] and ok[1, L_WRIST]
