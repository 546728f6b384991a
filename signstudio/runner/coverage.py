"""Which models sign a language, read from the model registry (the checkpoints' own metadata,
never a list here): the model selector's coverage line and the offer a prompt gets when it names
a sign language the chosen model lacks (issue 21, item 1).

    models_covering("ise")            # ["lookup", "signllm-mlsf", ...]
    coverage_offer("ise", "nar-kd")   # None when it covers it, else one line naming the others
"""

from __future__ import annotations

from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

__all__ = ["coverage_offer", "models_covering"]


def models_covering(code: str) -> list[str]:
    """The registered models that sign ``code`` (registry order)."""
    from signstudio.modeling.registry import available_models

    return [info.id for info in available_models(code)]


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
    others = [m for m in models_covering(code) if m != model_id]
    choose = f"choose {', '.join(others)}" if others else "no installed model covers it"
    return f"model {model_id!r} does not cover {name} ({code}), which the prompt asks for: {choose}"
