"""`read_request` (the Text & Prompt preview) says what the runner then signs: the same text, the
same sign language, the same "named in the prompt" — for quoted, unquoted and unreadable
prompts, checked against real generations (lookup, in-thread runner)."""

from __future__ import annotations

import pytest

from signstudio.runner.service import GenerateRequest, Runner
from signstudio.session.prompt_reading import read_request

CASES = [
    ("how do you sign thank you in ASL", "gsg", True),  # issue 20's case: unquoted, DGS selected
    ("How do I sign 'water' in German Sign Language?", "ase", True),
    ("Wie gebärdet man „Wasser“ in DGS?", "ase", True),
    ("show me hello", "ase", True),
    ("?", "ase", True),  # nothing to sign: the preview's problem is Generate's error
    ("hello world", "gsg", False),  # text mode: as typed, in the selected language
]


@pytest.fixture(scope="module")
def runner():  # type: ignore[no-untyped-def]
    r = Runner(isolation="thread")
    yield r
    r.shutdown()


@pytest.mark.parametrize(("text", "lang", "prompt_mode"), CASES)
def test_preview_reading_is_what_generate_signs(runner, text: str, lang: str, prompt_mode: bool) -> None:
    reading = read_request(text, lang, "lookup", prompt_mode)
    assert reading.reader == ("rules" if prompt_mode else "typed")
    request_id = runner.submit(
        GenerateRequest(text=text, lang=lang, model_id="lookup", prompt_mode=prompt_mode)
    )
    response = runner.wait(request_id, timeout=120)
    assert response is not None
    if reading.text is None:
        assert response.error == reading.problem
        return
    assert response.error is None, response.error
    assert (response.text, response.lang, response.lang_from_prompt) == (
        reading.text,
        reading.lang,
        reading.from_prompt,
    )


def test_a_model_with_its_own_reader_is_read_by_the_same_reader() -> None:
    """Issue 21: the reader does not depend on the model (p2lg has a learned reader of its own)."""
    reading = read_request("Could you show me “hello” in ASL?", "gsg", "signllm-p2lg", True)
    found = (reading.text, reading.lang, reading.from_prompt, reading.reader)
    assert found == ("hello", "ase", True, "rules")
    assert read_request("hello", "gsg", "signllm-p2lg", False).reader == "typed"
