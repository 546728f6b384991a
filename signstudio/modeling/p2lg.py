"""SignLLM's Prompt2LangGloss (P2LG): prompt -> language-tagged glosses -> pose, one shared model.

Paper: SignLLM (seeds/001), §4 "Prompt2LangGloss": Text2Gloss2Pose becomes
Prompt2LangGloss2Pose, with a language marker on every gloss (``ASL_When ASL_does ...``) so one
set of parameters serves every language. Here, in one checkpoint, every parameter shared:

1. **Prompt reader** (`PromptReader`): a character transformer encoder over the prompt, in any
   of the corpus' 16 spoken languages. Two pointer heads give, per character, the logit that the
   text to sign starts / ends there (the quotes are not part of it); a head on the pooled
   encoding names the sign language the prompt asks for (one of the 20, or ``none`` when it
   only says "sign language"). Trained on prompts made from the *training* templates only
   (`signstudio.corpus.prompts`), with 1-3 word texts, every quote style and filler words
   inserted outside the text; measured on the *held-out* templates (`reader_accuracy`), next to
   the rule-based `signstudio.corpus.prompts.extract_text` on the same prompts.
2. **LangGloss** (`lang_glosses`): the text's words spelled with the sign language's manual
   alphabet, one gloss per letter unit, tagged with the language: "water" in ASL ->
   ``ASE_W ASE_A ASE_T ASE_E ASE_R``. The built-in corpus is fingerspelling, so the gloss
   channel is per letter; the alphabets ship in the checkpoint.
3. **Gloss2Pose**: one progressive-transformer encoder-decoder (`signllm.LanguageChannel`, the
   same decoder, counter and KV cache as MLSF) over the gloss vocabulary of every trained
   language, with shared normalisation statistics. ``ASE_A`` and ``GSG_A`` are different tokens:
   the language lives in the gloss, not in a separate channel.

``signstudio train signllm-p2lg`` trains the reader, then the gloss-to-pose channel (the shared
training stack of `signstudio.modeling.train`), and exports both into
``models/signllm-p2lg/signllm-p2lg.pt`` (`export_p2lg`).
"""

from __future__ import annotations

import json
import math
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from signstudio.modeling.base import (
    CancelToken,
    ModelError,
    ProgressCallback,
    SignModel,
    apply_options,
    report,
)
from signstudio.modeling.checkpoint import (
    load_checkpoint,
    open_model_checkpoint,
    save_checkpoint,
    weights_error,
)
from signstudio.modeling.data import NormStats, TokenVocab
from signstudio.modeling.shipped import P2LG_CHECKPOINT, P2LG_ID, p2lg_info, sidecar
from signstudio.modeling.signllm import MLSF, GenerateOptions, MLSFConfig, decode_texts, to_sequence
from signstudio.pose.sequence import PoseSequence

CHANNEL = "langgloss"  # the single shared gloss -> pose channel
NONE = "none"  # the prompt names no sign language
PAD, UNK = 0, 1


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


# ----------------------------------------------------------------------------- prompt reader


@dataclass(frozen=True)
class ReaderConfig:
    d_model: int = 96
    heads: int = 4
    layers: int = 3
    ff: int = 192
    dropout: float = 0.1
    max_chars: int = 256
    max_span: int = 96  # longest text (characters) the reader returns

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ReaderConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class ReaderVocab:
    """Characters of the training prompts, lower-cased one to one (a character whose lower case
    is longer, as Turkish 'İ', keeps its own entry), so position i is character i of the prompt."""

    chars: tuple[str, ...]

    @staticmethod
    def fold(c: str) -> str:
        low = c.lower()
        return low if len(low) == 1 else c

    @classmethod
    def build(cls, prompts: Sequence[str]) -> ReaderVocab:
        return cls(tuple(sorted({cls.fold(c) for p in prompts for c in p})))

    def __len__(self) -> int:
        return 2 + len(self.chars)

    def encode(self, prompts: Sequence[str], max_chars: int) -> tuple[np.ndarray, np.ndarray]:
        """(B, L) int64 ids and (B, L) bool mask; prompts longer than ``max_chars`` are cut."""
        index = {c: i + 2 for i, c in enumerate(self.chars)}
        width = max(1, min(max_chars, max(len(p) for p in prompts)))
        ids = np.zeros((len(prompts), width), np.int64)
        for row, p in enumerate(prompts):
            codes = [index.get(self.fold(c), UNK) for c in p[:width]]
            ids[row, : len(codes)] = codes
        return ids, ids != PAD


class PromptReader(nn.Module):
    """Prompt characters -> start logits (B, L), end logits (B, L), sign-language logits (B, K)."""

    def __init__(self, cfg: ReaderConfig, vocab_size: int, num_classes: int):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.embed = nn.Embedding(vocab_size, d, padding_idx=PAD)
        self.pos = nn.Embedding(cfg.max_chars, d)
        layer = nn.TransformerEncoderLayer(
            d, cfg.heads, cfg.ff, cfg.dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.span = nn.Linear(d, 2)
        # mean and max over the prompt: a short name ("DGS") must not drown in a long prompt
        self.lang = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Linear(d, num_classes))

    def forward(self, ids: Tensor, mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        pos = torch.arange(ids.shape[1], device=ids.device)
        x = self.norm(self.encoder(self.embed(ids) + self.pos(pos), src_key_padding_mask=~mask))
        start, end = self.span(x).unbind(-1)
        start = start.masked_fill(~mask, -1e9)
        end = end.masked_fill(~mask, -1e9)
        m = mask.to(x.dtype)[..., None]
        mean = (x * m).sum(1) / m.sum(1).clamp(min=1)
        peak = x.masked_fill(~mask[..., None], -1e4).amax(1)
        return start, end, self.lang(torch.cat([mean, peak], dim=-1))


HARD_QUOTES = frozenset('"\u201c\u201d\u201e\u00ab\u00bb\u201a')  # never inside a text (unlike ' ‘ ’)


def best_spans(
    start: Tensor, end: Tensor, max_span: int, blocked: Tensor | None = None
) -> list[tuple[int, int]]:
    """Per row the (s, e) with s <= e < s + max_span maximising start[s] + end[e] (e inclusive).

    blocked: (B, L) bool, characters a span may not contain (hard quote marks)."""
    length = start.shape[1]
    scores = start[:, :, None] + end[:, None, :]
    i = torch.arange(length, device=start.device)
    band = (i[None, :] >= i[:, None]) & (i[None, :] < i[:, None] + max_span)
    allowed = band[None].expand(start.shape[0], -1, -1)
    if blocked is not None:
        count = torch.cumsum(blocked.to(torch.int64), dim=1)  # blocked characters up to i
        before = count - blocked.to(torch.int64)  # ... strictly before i
        allowed = allowed & (count[:, None, :] - before[:, :, None] == 0)
    flat = scores.masked_fill(~allowed, -math.inf).flatten(1).argmax(1)
    return [(int(f) // length, int(f) % length) for f in flat]


@dataclass(frozen=True)
class ReadPrompt:
    """What the reader found: the text to sign, and the sign language the prompt names (or None)."""

    text: str
    sign_language: str | None
    confidence: float  # probability of the chosen span's start x end


class Reader:
    """A trained `PromptReader` with its vocabulary and classes; `read` works on raw prompts.

    The text is always the learned span. The sign language is, with ``use_aliases`` (the
    default), the first sign-language name or abbreviation found outside the text in the alias
    list of `signstudio.corpus.prompts` (a closed vocabulary: a lookup is exact where a small
    classifier confuses "DGS" with "DSGS"), else the learned head's answer when it is at least
    ``min_confidence`` sure; without ``use_aliases`` the learned head alone."""

    def __init__(
        self,
        module: PromptReader,
        vocab: ReaderVocab,
        classes: Sequence[str],
        device: str = "cpu",
        use_aliases: bool = True,
        min_confidence: float = 0.9,
    ):
        self.module = module.to(device).eval()
        self.vocab = vocab
        self.classes = tuple(classes)
        self.device = device
        self.use_aliases = use_aliases
        self.min_confidence = min_confidence

    def read(self, prompts: Sequence[str]) -> list[ReadPrompt]:
        cfg = self.module.cfg
        ids, mask = self.vocab.encode(list(prompts), cfg.max_chars)
        with torch.inference_mode():
            start, end, lang = self.module(
                torch.from_numpy(ids).to(self.device), torch.from_numpy(mask).to(self.device)
            )
        blocked = torch.tensor(
            [[c in HARD_QUOTES for c in p[: ids.shape[1]].ljust(ids.shape[1])] for p in prompts],
            device=start.device,
        )
        spans = best_spans(start.float(), end.float(), cfg.max_span, blocked)
        p_start, p_end = start.float().softmax(-1), end.float().softmax(-1)
        p_lang, codes = lang.float().softmax(-1).max(-1)
        out = []
        for row, (prompt, (s, e)) in enumerate(zip(prompts, spans, strict=True)):
            conf = float(p_start[row, s] * p_end[row, e])
            learned: str | None = self.classes[int(codes[row])]
            if self.use_aliases and float(p_lang[row]) < self.min_confidence:
                learned = NONE
            code = learned if learned != NONE else None
            if self.use_aliases:
                from signstudio.corpus.prompts import named_sign_language

                code = named_sign_language(prompt[:s] + " \u2063 " + prompt[e + 1 :]) or code
            out.append(ReadPrompt(prompt[s : e + 1].strip(), code, conf))
        return out


# ----------------------------------------------------------------------------- reader data


@dataclass(frozen=True)
class LabelledPrompt:
    prompt: str
    start: int  # first character of the text
    end: int  # last character of the text (inclusive)
    sign_language: str | None
    template_id: str
    quoted: bool = True  # the text stands in quote marks


_SENTINEL = "\ue000"


def labelled_prompt(
    text: str,
    spoken: str,
    sign_language: str | None,
    rng: np.random.Generator,
    held_out: bool = False,
    template_index: int | None = None,
) -> LabelledPrompt:
    """`signstudio.corpus.prompts.make_prompt` with the text's character span: the same draws are
    made once with a placeholder (to find where the text goes) and once with the text."""
    from signstudio.corpus.prompts import make_prompt

    state = rng.bit_generator.state
    probe = make_prompt(
        _SENTINEL, spoken, sign_language, rng=rng, held_out=held_out, template_index=template_index
    )
    rng.bit_generator.state = state
    real = make_prompt(text, spoken, sign_language, rng=rng, held_out=held_out, template_index=template_index)
    start = probe.prompt.index(_SENTINEL)
    return LabelledPrompt(
        real.prompt, start, start + len(text) - 1, real.sign_language, real.template_id, any(real.quote)
    )


def _filler_words(spoken: str) -> list[str]:
    """Words of the language's training templates (never the held-out ones): extra words to insert."""
    from signstudio.corpus.prompts import templates

    words = set()
    for t in templates(spoken):
        for w in re.split(r"\s+", t.replace("{text}", " ").replace("{sign_language}", " ")):
            w = w.strip(".,;:!?¿¡()\"'«»“”„")
            if w and w.isalpha():
                words.add(w)
    return sorted(words)


def with_filler(lp: LabelledPrompt, words: Sequence[str], rng: np.random.Generator) -> LabelledPrompt:
    """Insert one or two filler words at word boundaries outside the text."""
    prompt, start, end = lp.prompt, lp.start, lp.end
    for _ in range(int(rng.integers(1, 3))):
        gaps = [i for i, c in enumerate(prompt) if c == " " and not start - 1 <= i <= end + 1]
        gaps = [0, *gaps, len(prompt)]
        at = gaps[int(rng.integers(len(gaps)))]
        word = words[int(rng.integers(len(words)))]
        piece = word + " " if at == 0 else " " + word
        prompt = prompt[:at] + piece + prompt[at:]
        if at <= start:
            start, end = start + len(piece), end + len(piece)
    return LabelledPrompt(prompt, start, end, lp.sign_language, lp.template_id, lp.quoted)


def with_alias(lp: LabelledPrompt, rng: np.random.Generator) -> LabelledPrompt:
    """Swap the sign-language name a template inserted for another of its aliases (other cases,
    other languages' names, abbreviations), so the reader learns names, not template slots."""
    from signstudio.corpus.prompts import sign_language_aliases, sign_language_names

    if lp.sign_language is None:
        return lp
    for name in sorted(sign_language_names(lp.sign_language), key=len, reverse=True):
        at = lp.prompt.find(name)
        if at < 0 or lp.start <= at <= lp.end:
            continue
        aliases = sign_language_aliases(lp.sign_language)
        alias = aliases[int(rng.integers(len(aliases)))]
        prompt = lp.prompt[:at] + alias + lp.prompt[at + len(name) :]
        shift = len(alias) - len(name) if at < lp.start else 0
        return LabelledPrompt(
            prompt, lp.start + shift, lp.end + shift, lp.sign_language, lp.template_id, lp.quoted
        )
    return lp


def reader_words(corpus: Any, *splits: str) -> dict[str, list[str]]:
    """{spoken language: word texts of ``splits``} over every sign language of the corpus
    (spoken languages without such words are left out)."""
    out: dict[str, set[str]] = {}
    for sl in corpus.languages:
        spoken = corpus.spoken_language(sl)
        for split in splits:
            out.setdefault(spoken, set()).update(w.text for w in corpus.words(sl, split))
    return {k: sorted(v) for k, v in out.items() if v}


def sample_reader_batch(
    words: Mapping[str, Sequence[str]],
    n: int,
    rng: np.random.Generator,
    filler_p: float = 0.3,
    alias_p: float = 0.4,
) -> list[LabelledPrompt]:
    """``n`` training prompts: random spoken language, 1-3 words, a training template, a named sign
    language of that spoken language or none; with probability ``alias_p`` the name is swapped for
    another alias, with probability ``filler_p`` filler words are inserted."""
    from signstudio.corpus.prompts import sign_languages_of

    spokens = sorted(words)
    out = []
    for _ in range(n):
        spoken = spokens[int(rng.integers(len(spokens)))]
        pool = words[spoken]
        k = int(rng.choice([1, 1, 2, 3]))
        text = " ".join(pool[int(rng.integers(len(pool)))] for _ in range(k))
        sls = sign_languages_of(spoken)
        sl = sls[int(rng.integers(len(sls)))] if rng.random() < 0.7 else None
        lp = labelled_prompt(text, spoken, sl, rng)
        if rng.random() < alias_p:
            lp = with_alias(lp, rng)
        if rng.random() < filler_p:
            lp = with_filler(lp, _filler_words(spoken), rng)
        out.append(lp)
    return out


def held_out_prompts(corpus: Any, seed: int = 0) -> list[tuple[LabelledPrompt, str, str]]:
    """Evaluation prompts: every held-out template of every spoken language, each with dev and
    test words of the corpus (a named sign language or none, random quote style).
    Returns (prompt, text, spoken language)."""
    from signstudio.corpus.prompts import sign_languages_of, templates

    rng = np.random.default_rng(seed)
    out = []
    for spoken, texts in sorted(reader_words(corpus, "dev", "test").items()):
        sls = sign_languages_of(spoken)
        for ti in range(len(templates(spoken, held_out=True))):
            for _ in range(6):
                text = texts[int(rng.integers(len(texts)))]
                sl = sls[int(rng.integers(len(sls)))] if rng.random() < 0.7 else None
                out.append(
                    (labelled_prompt(text, spoken, sl, rng, held_out=True, template_index=ti), text, spoken)
                )
    return out


def _norm_text(s: str | None) -> str:
    return unicodedata.normalize("NFC", (s or "").strip().lower())


def reader_accuracy(
    reader: Reader | None, prompts: Sequence[tuple[LabelledPrompt, str, str]]
) -> dict[str, Any]:
    """Exact-match extraction accuracy (text, sign language, both) per spoken language and overall;
    ``reader=None`` scores the rule-based `extract_text` (with guessing) on the same prompts."""
    from signstudio.corpus.prompts import extract_text

    found: list[tuple[str | None, str | None]] = []
    if reader is not None:
        for i in range(0, len(prompts), 128):
            chunk = prompts[i : i + 128]
            found += [(r.text, r.sign_language) for r in reader.read([p.prompt for p, _, _ in chunk])]
    else:
        found = [extract_text(p.prompt, guess=True) for p, _, _ in prompts]
    rows: dict[str, list[tuple[bool, bool]]] = {}
    styles: dict[str, list[tuple[bool, bool]]] = {"quoted": [], "unquoted": []}
    for (lp, text, spoken), (got, code) in zip(prompts, found, strict=True):
        hit = (_norm_text(got) == _norm_text(text), code == lp.sign_language)
        rows.setdefault(spoken, []).append(hit)
        styles["quoted" if lp.quoted else "unquoted"].append(hit)

    def summary(items: list[tuple[bool, bool]]) -> dict[str, float | int]:
        a = np.asarray(items, bool)
        return {
            "n": len(items),
            "text": round(float(a[:, 0].mean()), 4),
            "sign_language": round(float(a[:, 1].mean()), 4),
            "both": round(float((a[:, 0] & a[:, 1]).mean()), 4),
        }

    every = [x for items in rows.values() for x in items]
    return {
        "overall": summary(every),
        "by_quoting": {k: summary(v) for k, v in styles.items() if v},
        "per_spoken_language": {k: summary(v) for k, v in sorted(rows.items())},
    }


# ----------------------------------------------------------------------------- reader training


@dataclass
class ReaderTraining:
    minutes: float = 4.0
    max_steps: int | None = None
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0
    eval_every: int = 200


def train_reader(
    corpus: Any,
    settings: ReaderTraining,
    cfg: ReaderConfig | None = None,
    device: str = "cpu",
    progress: bool = True,
    log: list[dict[str, Any]] | None = None,
) -> Reader:
    """Train a `PromptReader` on generated training-template prompts of the corpus' train words."""
    from signstudio.corpus.prompts import spoken_languages, templates

    cfg = cfg or ReaderConfig()
    rng = np.random.default_rng(settings.seed)
    torch.manual_seed(settings.seed)
    words = reader_words(corpus, "train")
    dev_words = reader_words(corpus, "dev") or words
    all_codes = sorted({c for s in spoken_languages() for c in _sign_languages(s)})
    classes = (NONE, *all_codes)
    # the vocabulary covers every training template and every corpus word (all splits' letters are
    # alphabet letters); held-out templates may bring unseen characters: they read as UNK
    vocab_source = [t for s in spoken_languages() for t in templates(s)]
    vocab_source += [w for ws in (words, dev_words) for v in ws.values() for w in v]
    vocab = ReaderVocab.build(vocab_source)
    module = PromptReader(cfg, len(vocab), len(classes)).to(device)
    opt = torch.optim.AdamW(module.parameters(), lr=settings.lr, weight_decay=0.01)
    index = {c: i for i, c in enumerate(classes)}
    dev = sample_reader_batch(dev_words, 256, np.random.default_rng(settings.seed + 1))
    started = time.perf_counter()
    limit = settings.minutes * 60
    step = 0
    total = settings.max_steps or 10**9
    from tqdm import tqdm

    bar = tqdm(total=settings.max_steps, disable=not progress, desc="prompt reader")
    module.train()
    while step < total and time.perf_counter() - started < limit:
        batch = sample_reader_batch(words, settings.batch_size, rng)
        ids, mask = vocab.encode([b.prompt for b in batch], cfg.max_chars)
        s_t = torch.tensor([min(b.start, ids.shape[1] - 1) for b in batch], device=device)
        e_t = torch.tensor([min(b.end, ids.shape[1] - 1) for b in batch], device=device)
        l_t = torch.tensor([index[b.sign_language or NONE] for b in batch], device=device)
        start, end, lang = module(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device))
        loss = F.cross_entropy(start, s_t) + F.cross_entropy(end, e_t) + F.cross_entropy(lang, l_t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        # warm-up, then a cosine to 10 % over the budget (steps, or minutes when no step limit)
        done = step / total if settings.max_steps else (time.perf_counter() - started) / limit
        scale = min(1.0, (step + 1) / 50) * (0.1 + 0.45 * (1 + math.cos(math.pi * min(done, 1.0))))
        for group in opt.param_groups:
            group["lr"] = settings.lr * scale
        opt.step()
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
        if step % settings.eval_every == 0 and log is not None:
            acc = _dev_accuracy(Reader(module, vocab, classes, device, use_aliases=False), dev)
            module.train()
            log.append(
                {
                    "step": step,
                    "wall_s": round(time.perf_counter() - started, 2),
                    "loss": float(loss.detach()),
                    **acc,
                }
            )
    bar.close()
    if log is not None:  # the learned heads alone (no alias lookup): what training achieved
        learned = _dev_accuracy(Reader(module, vocab, classes, device, use_aliases=False), dev)
        log.append({"step": step, "wall_s": round(time.perf_counter() - started, 2), **learned})
    return Reader(module, vocab, classes, device)


def _sign_languages(spoken: str) -> tuple[str, ...]:
    from signstudio.corpus.prompts import sign_languages_of

    return sign_languages_of(spoken)


def _dev_accuracy(reader: Reader, dev: Sequence[LabelledPrompt]) -> dict[str, float]:
    got = reader.read([d.prompt for d in dev])
    text = np.mean(
        [
            _norm_text(g.text) == _norm_text(d.prompt[d.start : d.end + 1])
            for g, d in zip(got, dev, strict=True)
        ]
    )
    lang = np.mean([g.sign_language == d.sign_language for g, d in zip(got, dev, strict=True)])
    return {"dev_text": round(float(text), 4), "dev_sign_language": round(float(lang), 4)}


def reader_state(reader: Reader) -> dict[str, Any]:
    return {
        "config": asdict(reader.module.cfg),
        "vocab": list(reader.vocab.chars),
        "classes": list(reader.classes),
        "state_dict": {k: v.detach().cpu() for k, v in reader.module.state_dict().items()},
    }


def reader_from_state(state: Mapping[str, Any], device: str = "cpu") -> Reader:
    cfg = ReaderConfig.from_dict(state["config"])
    vocab = ReaderVocab(tuple(state["vocab"]))
    module = PromptReader(cfg, len(vocab), len(state["classes"]))
    module.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in state["state_dict"].items()}
    )
    return Reader(module, vocab, state["classes"], device)


# ----------------------------------------------------------------------------- checkpoint + model


def export_p2lg(
    gloss_checkpoint: Path,
    reader: Reader,
    alphabets: Mapping[str, Sequence[str]],
    target: Path,
    meta: Mapping[str, Any],
) -> Path:
    """One shipped fp16 file: the gloss -> pose channel, the prompt reader and the alphabets,
    plus the registry sidecar (languages, dev score)."""
    ck = load_checkpoint(gloss_checkpoint)
    rs = reader_state(reader)
    state = dict(ck["state_dict"])
    state.update({f"reader.{k}": v for k, v in rs["state_dict"].items()})
    languages = sorted(alphabets)
    save_checkpoint(
        target,
        model_id=P2LG_ID,
        config={**ck["config"], "reader": rs["config"]},
        state_dict=state,
        stats=ck["stats"],
        vocab={
            **ck["vocab"],
            "reader": rs["vocab"],
            "reader_classes": rs["classes"],
            **{f"alphabet:{k}": list(v) for k, v in alphabets.items()},
        },
        layout=ck["layout"],
        meta={**ck["meta"], **meta, "languages": languages},
        half=True,
    )
    info = {
        "id": P2LG_ID,
        "languages": languages,
        "layout": ck["layout"],
        "metric": ck["meta"].get("metric"),
        "best_dev": ck["meta"].get("best_dev"),
        "step": ck["meta"].get("step"),
        "wall_s": ck["meta"].get("wall_s"),
        "reader_held_out": meta.get("reader_held_out", {}).get("overall"),
    }
    sidecar(target).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return target


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
            self.reader = reader_from_state(
                {
                    "config": ck["config"]["reader"],
                    "vocab": vocab["reader"],
                    "classes": vocab["reader_classes"],
                    "state_dict": {
                        k[len("reader.") :]: v for k, v in state.items() if k.startswith("reader.")
                    },
                },
                device,
            )
        except (RuntimeError, KeyError) as exc:
            raise weights_error(path, P2LG_ID, exc) from None
        self.model.eval()
        self.checkpoint_meta = ck["meta"]
        self.info = p2lg_info(tuple(self.alphabets))

    def read_prompts(self, prompts: Sequence[str]) -> list[ReadPrompt]:
        """The text and named sign language of each prompt (the model's own Prompt2LangGloss reader)."""
        return self.reader.read(prompts)

    def read_prompt(self, prompt: str) -> tuple[str | None, str | None]:
        [found] = self.reader.read([prompt])
        return (found.text or None), found.sign_language

    def lang_glosses(self, text: str, lang: str) -> list[str]:
        self.check_language(lang)
        return lang_glosses(text, lang, self.alphabets[lang])

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
        glosses = [" ".join(lang_glosses(t, lang, self.alphabets[lang])) for t in texts]
        channel = self.model.channel(CHANNEL)
        outs = decode_texts(channel, self.glosses, glosses, self.device, opts, cancel, progress)
        result = []
        for o, t, g in zip(outs, texts, glosses, strict=True):
            seq = to_sequence(self.stats.denormalise(o.float().cpu().numpy()), t, lang, self.spoken.get(lang))
            result.append(
                seq.replace(meta_update={"model": P2LG_ID, "source": f"model:{P2LG_ID}", "gloss": g})
            )
        report(progress, 1.0, "done")
        return result

    def close(self) -> None:
        self.model.to("cpu")
