"""The prompt reader Generate uses in prompt mode, whatever model signs (lookup included): one
function, `read_prompt`, for the studio's preview, its Generate and ``generate --prompt``.

    r = read_prompt("how do you sign thank you in ASL")
    r.text, r.sign_language, r.reader     # "thank you", "ase", "rules"

Decisions (issue 21, items 1 and 2; measured with ``signstudio evaluate-prompts``,
`signstudio.modeling.evaluation.prompt_eval`, on three hand-written held-out sets, text AND
language exact, unquoted):

    reader                          dev set (241)   blind set (160)          final set (80)
    cue words + gazetteer (this)    100 %           81.2 % first sight,      90.0 %
                                                    96.9 % after fixes
    templates (old extract_text)    32.8 %          34.4 %                   41.2 %
    signllm-p2lg's own reader       50.2 %          40.0 %                   58.8 %
    learned span reader, 15 min     12.9 %          22.5 %                   21.2 %

  The dev set was used while writing the cue lists; the blind set was written after them and
  its first-sight figure taken before the fixes it prompted; the final set was written after
  the lists were frozen and scored once. Quoted prompts: 100 % (80) for this reader.
- The reader is therefore the cue-word reader with the sign-language gazetteer
  (`signstudio.corpus.prompt_frames`, `signstudio.corpus.gazetteer`), for every model: a
  model's own reader (``ModelInfo.reads_prompts``, p2lg's) is no longer what Generate follows,
  so the preview and every model agree.
- The learned span reader (`signstudio.modeling.text.prompt_reader`, trained on composed
  natural phrasings by ``python -m signstudio.modeling.training.prompt_reader_training``) made
  485 steps in 15 minutes on the shared 2-core machine (nice 10, one thread) and stayed far
  below the rules, so none ships. Where a retrained one is put at `learned_reader_path`
  (``models/prompt-reader/prompt-reader.pt``), it reads the prompts the rules find no text in
  (``reader == "learned"``); its language head is never trusted over the gazetteer.
- Which models cover the language read is the runner's business (`signstudio.runner.coverage`,
  from the model registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from signstudio.corpus.prompt_frames import read_frames

__all__ = ["PromptReading", "learned_reader_path", "load_learned_reader", "read_prompt"]

ReaderName = Literal["rules", "learned"]


@dataclass(frozen=True)
class PromptReading:
    """text: what to sign (None: nothing found); sign_language: the code the prompt names (None:
    it names none, the selected language is used); reader: who found the text; spoken_language:
    the language of the prompt's cue words; quoted: the text stood in quotes."""

    text: str | None
    sign_language: str | None
    reader: ReaderName
    spoken_language: str
    quoted: bool


def learned_reader_path() -> Path:
    """Where the learned span reader's checkpoint ships."""
    from signstudio.modeling.shipped_models import MODELS_DIR

    return MODELS_DIR / "prompt-reader" / "prompt-reader.pt"


def load_learned_reader(path: Path) -> Any:
    """The learned span reader (`signstudio.modeling.text.prompt_reader.Reader`) stored at
    ``path``, or None when there is none or it cannot be read."""
    if not path.is_file():
        return None
    try:
        import torch

        from signstudio.modeling.text.prompt_reader import reader_from_state

        state = torch.load(path, map_location="cpu", weights_only=True)
        return reader_from_state(state["reader"])
    except Exception:  # a damaged file: the rules alone read
        return None


@cache
def _learned() -> Any:
    return load_learned_reader(learned_reader_path())


def read_prompt(prompt: str) -> PromptReading:
    """The text and the sign language a prompt asks for."""
    found = read_frames(prompt)
    if found.text:
        return PromptReading(found.text, found.sign_language, "rules", found.spoken_language, found.quoted)
    learned = _learned()
    if learned is not None:
        [got] = learned.read([prompt])
        if got.text:
            return PromptReading(got.text, found.sign_language, "learned", found.spoken_language, False)
    return PromptReading(None, found.sign_language, "rules", found.spoken_language, found.quoted)
