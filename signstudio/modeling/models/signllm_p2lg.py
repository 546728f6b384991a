"""SignLLM's Prompt2LangGloss (P2LG): prompt -> language-tagged glosses -> pose, one shared model.

Paper: SignLLM (seeds/001), §4 "Prompt2LangGloss": Text2Gloss2Pose becomes
Prompt2LangGloss2Pose, with a language marker on every gloss (``ASL_When ASL_does ...``) so one
set of parameters serves every language. Here, in one checkpoint, every parameter shared:

1. **Prompt reader** (`signstudio.modeling.text.prompt_reader`): a character transformer
   encoder over the prompt, in any of the corpus' 16 spoken languages. Two pointer heads give,
   per character, the logit that the text to sign starts / ends there (the quotes are not part
   of it); a head on the pooled encoding names the sign language the prompt asks for (one of the
   20, or ``none`` when it only says "sign language"). Trained on prompts made from the
   *training* templates only (`signstudio.corpus.prompts`), with 1-3 word texts, every quote
   style and filler words inserted outside the text; measured on the *held-out* templates
   (`reader_accuracy`), next to the rule-based `signstudio.corpus.prompts.extract_text` on the
   same prompts.
2. **LangGloss** (`lang_glosses`): the text's words spelled with the sign language's manual
   alphabet, one gloss per letter unit, tagged with the language: "water" in ASL ->
   ``ASE_W ASE_A ASE_T ASE_E ASE_R``. The built-in corpus is fingerspelling, so the gloss
   channel is per letter; the alphabets ship in the checkpoint.
3. **Gloss2Pose**: one progressive-transformer encoder-decoder (`signllm_mlsf.LanguageChannel`, the
   same decoder, counter and KV cache as MLSF) over the gloss vocabulary of every trained
   language, with shared normalisation statistics. ``ASE_A`` and ``GSG_A`` are different tokens:
   the language lives in the gloss, not in a separate channel.

``signstudio train signllm-p2lg`` trains the reader, then the gloss-to-pose channel (the shared
training stack of `signstudio.modeling.training.signllm`), and exports both into
``models/signllm-p2lg/signllm-p2lg.pt`` (`signstudio.modeling.training.signllm_p2lg`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from signstudio.modeling.base import (
    CancelToken,
    ModelError,
    ProgressCallback,
    SignModel,
    TextLimit,
    apply_options,
    report,
)
from signstudio.modeling.checkpoint import (
    open_model_checkpoint,
    weights_error,
)
from signstudio.modeling.data import NormStats, TokenVocab
from signstudio.modeling.models.signllm_mlsf import (
    MLSF,
    GenerateOptions,
    MLSFConfig,
    decode_texts,
    frames_cap_note,
    narrowed_limit,
    to_sequence,
)
from signstudio.modeling.shipped_models import P2LG_CHECKPOINT, P2LG_ID, p2lg_info
from signstudio.modeling.text.coverage import Signable, alphabet_rule, fit, signable_text, with_note
from signstudio.modeling.text.prompt_reader import ReadPrompt, reader_from_state
from signstudio.pose.sequence import PoseSequence

CHANNEL = "langgloss"  # the single shared gloss -> pose channel


# ----------------------------------------------------------------------------- LangGloss


def gloss_tag(sign_language: str) -> str:
    return sign_language.upper()


def lang_glosses(text: str, sign_language: str, alphabet: Sequence[str]) -> list[str]:
    """Language-tagged glosses of ``text``: one per letter unit of the manual alphabet.

    Raises `ModelError` naming the first word the alphabet cannot spell."""
    from signstudio.corpus.words import spell

    glosses: list[str] = []
    words = [w for w in re.split(r"[\s\-_/]+", text) if w]
    for raw in words:
        word = "".join(c for c in raw if c.isalnum() or unicodedata.combining(c))
        if not word:
            continue
        units = spell(word, alphabet)
        if units is None:
            raise ModelError(f"{raw!r} cannot be fingerspelled with the {sign_language} manual alphabet")
        glosses.extend(f"{gloss_tag(sign_language)}_{u.upper()}" for u in units)
    if not glosses:
        raise ModelError(f"nothing to sign in {text!r}")
    return glosses


def learned_glosses(text: str, sign_language: str, vocabulary: Sequence[str]) -> list[str]:
    """The words of ``text`` as language-tagged glosses of ``vocabulary`` (a model trained on
    glossed data: give it glosses, such as PHOENIX's ``.gloss`` lines). Raises `ModelError`
    naming the words it never learned."""
    tag = gloss_tag(sign_language)
    known = set(vocabulary)
    glosses = [f"{tag}_{w.upper()}" for w in text.split()]
    unknown = [g.split("_", 1)[1] for g in glosses if g not in known]
    if unknown:
        sample = ", ".join(sorted(g.split("_", 1)[1] for g in known if g.startswith(tag + "_"))[:5])
        raise ModelError(
            f"{', '.join(repr(u) for u in unknown[:5])} not among the {sign_language} glosses this model "
            f"learned (e.g. {sample}): give it glosses, such as the data's .gloss lines"
        )
    if not glosses:
        raise ModelError(f"nothing to sign in {text!r}")
    return glosses


class SignLLMP2LG(SignModel):
    """The registry's ``signllm-p2lg``: texts (or prompts, `read_prompts`) -> LangGloss -> pose."""

    def __init__(self, device: str = "cpu", checkpoint: str | Path | None = None):
        path = Path(checkpoint) if checkpoint is not None else P2LG_CHECKPOINT
        ck = open_model_checkpoint(
            path, P2LG_ID, device, f"signstudio train signllm-p2lg --langs ase gsg --export {path}"
        )
        self.device = device
        self.cfg = MLSFConfig.from_dict(ck["config"])
        vocab = ck["vocab"]
        self.glosses = TokenVocab.from_list(vocab[CHANNEL])
        self.alphabets = {k.split(":", 1)[1]: tuple(v) for k, v in vocab.items() if k.startswith("alphabet:")}
        self.stats = NormStats.from_dict(ck["stats"][CHANNEL])
        self.spoken: dict[str, str] = dict(ck["meta"].get("spoken_languages", {}))
        state = ck["state_dict"]
        self.model = MLSF(self.cfg, {CHANNEL: len(self.glosses)}).to(device)
        try:
            self.model.load_state_dict({k: v for k, v in state.items() if not k.startswith("reader.")})
            self.reader = self._reader(ck, device)
        except (RuntimeError, KeyError) as exc:
            raise weights_error(path, P2LG_ID, exc) from None
        self.model.eval()
        self.checkpoint_meta = ck["meta"]
        # a run on the user's glossed data (`train signllm-p2lg --data`) has no manual alphabets:
        # its languages are the data's, and it signs the glosses it learned
        langs = tuple(self.alphabets) or tuple(str(x) for x in ck["meta"].get("sign_languages", ()))
        self.info = replace(p2lg_info(langs), reads_prompts=self.reader is not None)

    @staticmethod
    def _reader(ck: dict[str, Any], device: str) -> Any:
        """The checkpoint's prompt reader, or None where it was trained without one."""
        if "reader" not in ck["config"] or "reader" not in ck["vocab"]:
            return None
        state = ck["state_dict"]
        return reader_from_state(
            {
                "config": ck["config"]["reader"],
                "vocab": ck["vocab"]["reader"],
                "classes": ck["vocab"]["reader_classes"],
                "state_dict": {k[len("reader.") :]: v for k, v in state.items() if k.startswith("reader.")},
            },
            device,
        )

    def read_prompts(self, prompts: Sequence[str]) -> list[ReadPrompt]:
        """The text and named sign language of each prompt (the model's own Prompt2LangGloss reader)."""
        if self.reader is None:
            raise ModelError(f"model {self.id!r} was trained without a prompt reader: give it text")
        return list(self.reader.read(prompts))

    def read_prompt(self, prompt: str) -> tuple[str | None, str | None]:
        [found] = self.read_prompts([prompt])
        return (found.text or None), found.sign_language

    @property
    def text_limit(self) -> TextLimit:
        """The family's, narrowed to the glosses this checkpoint's encoder reads (``max_text``; a
        character is at most one gloss)."""
        return narrowed_limit(self, self.cfg.max_text)

    def signable(self, text: str, lang: str) -> Signable:
        """``text`` without the characters the manual alphabet has no letter for (named in the
        note); a model trained on glosses takes its glosses as they are."""
        if lang in self.alphabets:
            return signable_text(text, lang, alphabet_rule(self.alphabets[lang]))
        return Signable(text, (), None)

    def lang_glosses(self, text: str, lang: str) -> list[str]:
        """Fingerspelled letters where the model knows the manual alphabet; else the text's words
        as the glosses the model learned from the data (``WETTER`` -> ``GSG_WETTER``)."""
        self.check_language(lang)
        if lang in self.alphabets:
            return lang_glosses(text, lang, self.alphabets[lang])
        return learned_glosses(text, lang, self.glosses.tokens)

    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        opts = apply_options(GenerateOptions(), options)
        self.check_language(lang)
        if not texts:
            return []
        found = [fit(self.signable(t, lang), self.max_text_chars, self.id) for t in texts]
        glosses = [" ".join(self.lang_glosses(f.text, lang)) for f in found]
        channel = self.model.channel(CHANNEL)
        outs = decode_texts(channel, self.glosses, glosses, self.device, opts, cancel, progress)
        cap = min(opts.max_frames, self.cfg.max_frames)
        result = []
        for o, t, g, f in zip(outs, texts, glosses, found, strict=True):
            seq = to_sequence(self.stats.denormalise(o.float().cpu().numpy()), t, lang, self.spoken.get(lang))
            seq = seq.replace(meta_update={"model": P2LG_ID, "source": f"model:{P2LG_ID}", "gloss": g})
            result.append(with_note(seq, f, frames_cap_note(len(o), cap)))
        report(progress, 1.0, "done")
        return result

    def close(self) -> None:
        self.model.to("cpu")
