"""Issue 20, item 9: what a model left out (an emoji) leads the status line, before why there is
no reference, so the two lines of the Text panel show it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from signstudio.app.controller_feedback import answer_note
from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose.formats import read_one
from signstudio.runner.service import GenerateRequest, GenerateResponse


def test_what_was_not_signed_comes_before_the_missing_reference() -> None:
    seq = read_one(lexicon_index()[0].path)
    left_out = "not signed: 👋 (no sign or letter for it in American Sign Language)"
    response = GenerateResponse(
        1,
        GenerateRequest("hi 👋", "ase", model_id="nar-kd"),
        sequence=seq.replace(meta_update={"notes": [left_out]}),
        text="hi 👋",
        lang="ase",
        reference_reason="'👋' cannot be spelled with the American Sign Language (ase) manual alphabet",
    )
    note = answer_note(response)
    assert note.startswith(f"Signed “hi 👋” in American Sign Language; {left_out}")
    assert note.endswith(
        "; no reference: '👋' cannot be spelled with the American Sign Language (ase) manual alphabet"
    )
