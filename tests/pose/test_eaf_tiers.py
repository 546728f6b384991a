"""The ELAN export's tiers read back with pympi-ling (issue 20, item 4): flags and notes with
their frames' times, a text tier that is never empty when the sequence says what it signs, and
for a lexicon letter (no segments) its hand tier filled."""

from __future__ import annotations

import pytest
from pympi.Elan import Eaf

from signstudio.corpus.lexicon import lexicon_index, load_clip
from signstudio.corpus.store import open_corpus
from signstudio.pose import formats
from signstudio.pose.formats.eaf import frame_ms
from signstudio.session.document import PoseDocument


def _tiers(path) -> dict[str, list[tuple[int, int, str]]]:  # type: ignore[no-untyped-def]
    eaf = Eaf(str(path))
    return {t: sorted(eaf.get_annotation_data_for_tier(t)) for t in eaf.get_tier_names()}


@pytest.fixture(scope="module")
def word():
    corpus = open_corpus(quiet=True)
    return corpus.word_sequence("ase", corpus.words("ase", "test")[0], "upper50")


def test_flags_and_notes_are_tiers_at_their_frames(word, tmp_path) -> None:
    doc = PoseDocument(word)
    doc.flag(12, "flagged")  # the default reason: the tier says the frame's note instead
    doc.note(12, "the thumb crosses the palm")
    doc.flag(30, "wrist fixed")
    doc.note(41, "hold too short")
    path = tmp_path / "w.eaf"
    formats.write(path, doc.sequence, media=False)
    tiers = _tiers(path)
    fps = word.fps
    span = lambda f: (frame_ms(f, fps), frame_ms(f + 1, fps))  # noqa: E731
    assert tiers["flags"] == [(*span(12), "the thumb crosses the palm"), (*span(30), "wrist fixed")]
    assert tiers["notes"] == [(*span(12), "the thumb crosses the palm"), (*span(41), "hold too short")]
    assert tiers["flags"][0][:2] == (480, 520)  # frame 12 at 25 fps
    assert tiers["text"] == [(0, frame_ms(word.num_frames, fps), word.meta["text"])]
    right = [s["label"] for s in word.meta["segments"] if s["hand"] != "left"]
    assert [a[2] for a in tiers["right hand"]] == right


def test_a_lexicon_letter_fills_its_hand_tier_and_the_text(tmp_path) -> None:
    entry = next(e for e in lexicon_index() if e.sign_language == "ase" and e.letter == "B")
    letter = load_clip(entry)
    assert not letter.meta.get("segments")  # one recorded sign: no letter segments of its own
    path = tmp_path / "b.eaf"
    formats.write(path, letter, media=False)
    tiers = _tiers(path)
    end = frame_ms(letter.num_frames, letter.fps)
    assert tiers["text"] == [(0, end, "B")]
    signing = tiers["right hand"] + tiers["left hand"]
    assert signing and all(a == (0, end, "B") for a in signing)
    assert tiers["flags"] == [] and tiers["notes"] == []


def test_text_falls_back_to_the_file_name_never_empty(word, tmp_path) -> None:
    bare = word.replace(meta={"source": str(tmp_path / "hallo.pose")})
    path = tmp_path / "x.eaf"
    formats.write(path, bare, media=False)
    assert _tiers(path)["text"] == [(0, frame_ms(word.num_frames, word.fps), "hallo")]
