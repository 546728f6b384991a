"""Shared fixtures: real lexicon recordings from the spoken-to-signed package."""

from __future__ import annotations

import pytest

from signstudio.corpus.lexicon import alphabet, load_clip
from signstudio.pose.sequence import PoseSequence


@pytest.fixture(scope="session")
def real_holistic() -> PoseSequence:
    """A real MediaPipe Holistic recording (DGS letter "h"), as read from its .pose file."""
    return load_clip(alphabet("gsg")["h"])


@pytest.fixture(scope="session")
def real_clips() -> list[PoseSequence]:
    """A few real recordings from different sign languages and frame rates."""
    picks = [
        ("ase", "w"),
        ("gsg", "sch") if "sch" in alphabet("gsg") else ("gsg", "a"),
        ("ukl", "я"),
        ("ise", "zz"),
    ]
    return [load_clip(alphabet(sl)[letter]) for sl, letter in picks]
