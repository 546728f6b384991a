"""Which models sign a language, read from the model registry (the checkpoints' own metadata,
never a list here): the model selector's coverage line and the offer a prompt gets when it names
a sign language the chosen model lacks (issue 21, item 1).

    models_covering("ise")                      # every registered model covering it
    models_covering("ise", signing_only=True)   # those that sign the text: neural ones + lookup
    coverage_offer("ise", "nar-kd")             # None when it covers it, else one line naming others

The reference baselines (mean, random, wrong-word: ``kind="baseline"`` other than the default
model) cover every language but do not sign the text: they are never offered.
"""

from __future__ import annotations

from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

__all__ = ["DEFAULT_MODEL", "coverage_offer", "models_covering"]

DEFAULT_MODEL = "lookup"  # GenerateRequest's default: the lexicon lookup, which signs the text


def models_covering(code: str, signing_only: bool = False) -> list[str]:
    """The registered models that sign ``code`` (registry order); with ``signing_only`` only
    those that sign the text (the neural ones and the default lookup)."""
    from signstudio.modeling.registry import available_models

    return [
        info.id
        for info in available_models(code)
        if not signing_only or info.kind == "neural" or info.id == DEFAULT_MODEL
    ]


def coverage_offer(code: str, model_id: str) -> str | None:
    """None when ``model_id`` covers ``code``; else one line naming the models that do."""
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.registry import model_info

    try:
        if code in model_info(model_id).languages:
            return None
    except ModelError:
        return None  # an unknown model: loading it says so
    name = SIGN_LANGUAGE_NAMES.get(code, code)
    others = [m for m in models_covering(code, signing_only=True) if m != model_id]
    choose = f"choose {', '.join(others)}" if others else "no installed model covers it"
    return f"model {model_id!r} does not cover {name} ({code}), which the prompt asks for: {choose}"
