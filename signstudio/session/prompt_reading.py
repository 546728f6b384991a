"""What Generate will sign, decided once for the Text & Prompt panel's preview and for Generate.

    reading = read_request("how do you sign thank you in ASL", "gsg", "nar-kd", prompt_mode=True)
    reading.text      # what is signed (None: nothing found, ``problem`` says why)
    reading.lang      # the sign language it is signed in
    reading.from_prompt   # the prompt named that language (the language box follows it)
    reading.reader    # "typed" | "rules" | "model"

The decision is the runner's own: `signstudio.runner.service.extract_request` (the rule-based
reader, with its guess for unquoted prompts) is what Generate runs on the request, so the preview
calls that very function on the same (text, language) and cannot say one thing while Generate
does another. A model that reads prompts itself (``ModelInfo.reads_prompts``) reads them in its
own process when Generate is pressed; the preview cannot run it on every key, so its reading is
``reader="model"`` with the rule-based reading shown as a hint. Reading *well* (better unquoted
prompts) is the reader's business (`signstudio.corpus.prompts`), not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signstudio.modeling.base import ModelError
from signstudio.runner.service import GenerateRequest, extract_request

Reader = Literal["typed", "rules", "model"]


@dataclass(frozen=True)
class Reading:
    """text: what will be signed (None when nothing is found; ``problem`` says why, one line);
    lang: the sign language code; from_prompt: the prompt named it; reader: who reads the input
    (``typed``: text mode, the words as typed; ``rules``: the runner's rule-based prompt reader;
    ``model``: the model reads the prompt itself at Generate — text/lang are then the rules' hint)."""

    text: str | None
    lang: str
    from_prompt: bool
    reader: Reader
    problem: str | None = None


def model_reads_prompts(model_id: str) -> bool:
    """Whether ``model_id`` reads prompts itself (an unknown model: no)."""
    from signstudio.modeling.registry import model_info

    try:
        return model_info(model_id).reads_prompts
    except ModelError:
        return False


def read_request(text: str, lang: str, model_id: str, prompt_mode: bool) -> Reading:
    """What Generate does with (text, lang, model, mode): the same `extract_request` the runner
    runs, so preview and result agree."""
    reader: Reader = "typed"
    if prompt_mode:
        reader = "model" if model_reads_prompts(model_id) else "rules"
    try:
        found = extract_request(
            GenerateRequest(text=text, lang=lang, model_id=model_id, prompt_mode=prompt_mode)
        )
    except ModelError as exc:
        return Reading(None, lang, False, reader, str(exc))
    return Reading(found.text, found.lang, found.lang_from_prompt, reader)


__all__ = ["Reading", "model_reads_prompts", "read_request"]
