"""What ``nar-kd`` and ``diffusion`` share at inference: one checkpoint for every sign language, the
frozen MiniLM text encoder, a character vocabulary, and upper50 output sequences.

A subclass sets ``model_id``, builds its network from the checkpoint (`build`) and implements
`SignModel.generate` with `inputs` and `sequence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from signstudio.modeling.base import ModelError, ModelInfo, SignModel, TextLimit
from signstudio.modeling.checkpoint import open_model_checkpoint, weights_error
from signstudio.modeling.data import CharVocab
from signstudio.modeling.output import generated_sequence
from signstudio.modeling.text.conditioner import TextInputs
from signstudio.modeling.text.coverage import (
    Rule,
    Signable,
    alphabet_rule,
    both,
    fit,
    signable_text,
    vocab_rule,
)
from signstudio.modeling.text.sentence_encoder import SentenceEncoder
from signstudio.pose.sequence import PoseSequence

_ENCODERS: dict[str, SentenceEncoder] = {}


def shared_encoder(device: str) -> SentenceEncoder:
    """One frozen MiniLM per device for every model in the process (it is read-only)."""
    if device not in _ENCODERS:
        _ENCODERS[device] = SentenceEncoder(device)
    return _ENCODERS[device]


def to_sequence(
    frames: np.ndarray, text: str, lang: str, model_id: str, spoken: str | None = None
) -> PoseSequence:
    """(F, 150) corpus-unit values -> an upper50 `PoseSequence` at 25 fps, meta as `SignModel` says;
    joints the network left out are missing (`signstudio.modeling.output`)."""
    return generated_sequence(frames, text, lang, model_id, spoken)


class TextPoseModel(SignModel):
    """Loads ``checkpoint`` (default: the shipped one) for ``model_id`` and its network."""

    model_id: str
    default_checkpoint: Path
    train_hint: str

    def __init__(self, device: str = "cpu", checkpoint: str | Path | None = None):
        path = Path(checkpoint) if checkpoint is not None else self.default_checkpoint
        ck = open_model_checkpoint(path, self.model_id, device, self.train_hint)
        self.device = device
        self.path = path
        self.checkpoint_meta: dict[str, Any] = ck["meta"]
        self.vocab = CharVocab.from_list(ck["vocab"]["chars"])
        self.langs: tuple[str, ...] = tuple(ck["meta"]["languages"])
        self.spoken: dict[str, str] = dict(ck["meta"].get("spoken_languages", {}))
        self.net = self.build(ck)
        try:
            self.net.load_state_dict(ck["state_dict"])
        except RuntimeError as exc:
            raise weights_error(path, self.model_id, exc) from None
        self.net.to(device).eval()
        self.info = self.make_info(self.langs)
        self.encoder = shared_encoder(device)

    def build(self, ck: dict[str, Any]) -> torch.nn.Module:
        raise NotImplementedError

    def make_info(self, langs: tuple[str, ...]) -> ModelInfo:
        raise NotImplementedError

    def check_num_frames(self, num_frames: int | None, max_frames: int) -> None:
        """A forced length must be 1..``max_frames`` (the model's T_max)."""
        if num_frames is not None and not 1 <= num_frames <= max_frames:
            raise ModelError(f"num_frames must be 1..{max_frames}, got {num_frames}")

    @property
    def text_limit(self) -> TextLimit:
        """The family's limit, narrowed to what this checkpoint's character encoder reads
        (``max_text`` tokens less the start and end marks): beyond it the text would be cut."""
        family = super().text_limit
        width = int(getattr(getattr(self, "cfg", None), "max_text", family.chars + 2)) - 2
        return TextLimit(min(family.chars, width), family.reason)

    def rule(self, lang: str) -> Rule:
        """The characters this model signs in ``lang``: its vocabulary's, within the sign
        language's manual alphabet where the lexicon has it (one vocabulary serves every language)."""
        from signstudio.corpus.lexicon import alphabet

        chars = vocab_rule(self.vocab.chars)
        try:
            letters = tuple(alphabet(lang))
        except (KeyError, OSError, ValueError):
            letters = ()
        return both(alphabet_rule(letters), chars) if letters else chars

    def signable(self, texts: Sequence[str], lang: str) -> list[Signable]:
        """Each text as the model signs it (`signstudio.modeling.text.coverage`: what it has no
        unit for dropped, a text longer than it reads cut, both said): every error before any work."""
        rule = self.rule(lang)
        width = self.text_limit.chars
        return [fit(signable_text(t, lang, rule), width, self.id) for t in texts]

    @staticmethod
    def frames_note(frames: int, max_frames: int, forced: int | None) -> str | None:
        """A line when the length regulator asked for more frames than the model makes."""
        if forced is None and frames >= max_frames:
            return f"signed in {max_frames} frames, the most this model makes: the signing may be cut short"
        return None

    def inputs(self, texts: Sequence[str], lang: str) -> TextInputs:
        texts = [t.strip() for t in texts]
        states = self.encoder.encode(texts)
        index = self.langs.index(lang)
        return TextInputs.build(texts, [index] * len(texts), self.vocab, states, self.device)

    def sequence(self, frames: np.ndarray, text: str, lang: str) -> PoseSequence:
        return to_sequence(frames, text, lang, self.model_id, self.spoken.get(lang))

    def close(self) -> None:
        self.net.to("cpu")
