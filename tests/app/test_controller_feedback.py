"""The status line's one line on a generated answer (`answer_note`)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from signstudio.app.controller_feedback import answer_note
from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose.formats import read_one
from signstudio.runner.service import GenerateRequest, GenerateResponse


def test_the_note_names_what_the_model_left_out():
    seq = read_one(lexicon_index()[0].path)
    request = GenerateRequest("hello 👋", "ase")
    plain = GenerateResponse(1, request, sequence=seq, text="hello 👋", lang="ase")
    assert answer_note(plain) == "Signed “hello 👋” in American Sign Language"
    left_out = "not signed: 👋 (no sign or letter for it in American Sign Language)"
    noted = GenerateResponse(
        1, request, sequence=seq.replace(meta_update={"notes": [left_out]}), text="hello 👋", lang="ase"
    )
    assert answer_note(noted) == f"Signed “hello 👋” in American Sign Language; {left_out}"
