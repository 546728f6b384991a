"""Issue 21, item 3: the line saying that another spoken language's words are spelled letter by
letter with the sign language's manual alphabet (wordfreq's real frequencies)."""

from __future__ import annotations

import pytest

from signstudio.modeling.text.spelling import prompt_hint, spelling_note, text_language


@pytest.mark.parametrize(
    ("text", "lang", "language"),
    [
        ("thank you", "gsg", "English"),
        ("Wasser", "ase", "German"),
        ("merhaba", "ase", "Turkish"),
        ("good morning", "ise", "English"),
    ],
)
def test_other_languages_words_are_said_to_be_spelled(text: str, lang: str, language: str) -> None:
    note = spelling_note(text, lang)
    assert note is not None and note.startswith(f"{language} words: spelled letter by letter")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("danke", "gsg"), ("merhaba", "tsm"), ("hello", "fsl"), ("Priya", "ase"), ("tere", "eso")],
)
def test_no_note_for_own_words_shared_words_and_names(text: str, lang: str) -> None:
    assert spelling_note(text, lang) is None


def test_the_prompt_language_breaks_near_ties() -> None:
    assert text_language("casa") in {"pt", "it", "es"}
    assert text_language("casa", hint="it") == "it"
    assert prompt_hint("come si dice casa in LIS") == "it"
