"""What Generate will sign, decided once for the Text & Prompt panel's preview and for Generate.

    reading = read_request("how do you sign thank you in ASL", "gsg", "nar-kd", prompt_mode=True)
    reading.text      # what is signed (None: nothing found, ``problem`` says why)
    reading.lang      # the sign language it is signed in
    reading.from_prompt   # the prompt named that language (the language box follows it)
    reading.reader    # "typed" | "rules" | "learned"

The decision is the runner's own: `signstudio.runner.service.extract_request` is what Generate
runs on the request, so the preview calls that very function on the same (text, language, model)
and cannot say one thing while Generate does another. In prompt mode it reads with
`signstudio.modeling.text.reading.read_prompt` whatever the model (issue 21: a model's own prompt
reader is no longer asked). A prompt naming a sign language the chosen model lacks gets a
``problem`` naming the models that cover it, while ``text`` and ``lang`` still say what was read
(``offer`` lists those models, for the panel to offer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signstudio.modeling.base import ModelError
from signstudio.runner.service import GenerateRequest, extract_request

Reader = Literal["typed", "rules", "learned"]


@dataclass(frozen=True)
class Reading:
    """text: what will be signed (None when nothing is found; ``problem`` says why, one line);
    lang: the sign language code; from_prompt: the prompt named it; reader: who reads the input
    (``typed``: text mode, the words as typed; ``rules``: the cue-word reader; ``learned``: the
    learned span reader, where the rules found nothing). With a ``problem`` and a text, the text
    and language are what was read, and ``offer`` names the models that could sign it."""

    text: str | None
    lang: str
    from_prompt: bool
    reader: Reader
    problem: str | None = None
    offer: tuple[str, ...] = ()


def read_request(text: str, lang: str, model_id: str, prompt_mode: bool) -> Reading:
    """What Generate does with (text, lang, model, mode): the same `extract_request` the runner
    runs, so preview and result agree."""
    request = GenerateRequest(text=text, lang=lang, model_id=model_id, prompt_mode=prompt_mode)
    if not prompt_mode:
        try:
            found = extract_request(request)
        except ModelError as exc:
            return Reading(None, lang, False, "typed", str(exc))
        return Reading(found.text, found.lang, False, "typed")
    from signstudio.modeling.text.reading import read_prompt
    from signstudio.runner.coverage import models_covering

    read = read_prompt(text)
    try:
        found = extract_request(request)
    except ModelError as exc:
        code = read.sign_language
        if read.text and code is not None:  # read, but the model lacks the language
            offer = tuple(m for m in models_covering(code, signing_only=True) if m != model_id)
            return Reading(read.text, code, True, read.reader, str(exc), offer)
        return Reading(None, lang, False, read.reader, str(exc))
    return Reading(found.text, found.lang, found.lang_from_prompt, read.reader)


__all__ = ["Reading", "read_request"]
