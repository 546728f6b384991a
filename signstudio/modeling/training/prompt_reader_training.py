"""Training the prompt reader of ``signllm-p2lg`` (`signstudio.modeling.text.prompt_reader`).

It learns from prompts made from the *training* templates only (`signstudio.corpus.prompts`), with
1-3 word texts, every quote style and filler words inserted outside the text (`labelled_prompt`,
`with_filler`, `with_alias`); it is measured on the *held-out* templates (`reader_accuracy`),
next to the rule-based `signstudio.corpus.prompts.extract_text` on the same prompts.

Issue 21: `sample_natural_batch` composes prompts the way people type them (cue phrases of
`signstudio.corpus.prompt_frames`, the gazetteer's names, unquoted, lowercase, typos, no question
mark; a quarter templates) for a stand-alone span reader, retrained with

    OMP_NUM_THREADS=1 nice -n 10 python -m signstudio.modeling.training.prompt_reader_training \
        --minutes 15 --export models/prompt-reader/prompt-reader.pt

(fp16, ~0.6 MB, with a ``.json`` log beside it). Measured against the cue-word reader in
`signstudio.modeling.text.reading` (15 minutes here: far below it, so none ships).
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from signstudio.modeling.text.prompt_reader import (
    NONE,
    PromptReader,
    Reader,
    ReaderConfig,
    ReaderVocab,
)


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
    natural: bool = False,
) -> Reader:
    """Train a `PromptReader` on generated training-template prompts of the corpus' train words
    (with ``natural``: on `sample_natural_batch`'s composed phrasings, three in four)."""
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
    if natural:
        vocab_source += [p for s in spoken_languages() for ps in _frames(s).values() for p in ps]
        vocab_source += [p.prompt for p in sample_natural_batch(words, 2000, np.random.default_rng(7))]
    sample = sample_natural_batch if natural else sample_reader_batch
    vocab = ReaderVocab.build(vocab_source)
    module = PromptReader(cfg, len(vocab), len(classes)).to(device)
    opt = torch.optim.AdamW(module.parameters(), lr=settings.lr, weight_decay=0.01)
    index = {c: i for i, c in enumerate(classes)}
    dev = sample(dev_words, 256, np.random.default_rng(settings.seed + 1))
    started = time.perf_counter()
    limit = settings.minutes * 60
    step = 0
    total = settings.max_steps or 10**9
    from tqdm import tqdm

    bar = tqdm(total=settings.max_steps, disable=not progress, desc="prompt reader")
    module.train()
    while step < total and time.perf_counter() - started < limit:
        batch = sample(words, settings.batch_size, rng)
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


# ----------------------------------------------------------------------------- natural phrasings
# The learned span reader shipped in models/prompt-reader/ (issue 21) learns from prompts composed
# the way people type them: cue phrases of `signstudio.corpus.prompt_frames` around the text, the
# gazetteer's sign-language names (`signstudio.corpus.gazetteer`), unquoted, lowercase, typos, no
# question mark; a quarter are the old training templates. Never from the held-out prompts.


@cache
def _frames(spoken: str) -> dict[str, list[str]]:
    import json
    from importlib import resources

    source = resources.files("signstudio.corpus").joinpath("prompt_frames.json")
    lists: dict[str, list[str]] = json.loads(source.read_text(encoding="utf-8"))["languages"][spoken]
    return lists


def _sl_name(spoken: str, code: str, rng: np.random.Generator) -> str:
    from signstudio.corpus.gazetteer import gazetteer

    data = gazetteer()
    names = list(data["names"][code].get(spoken, ())) + list(data["abbreviations"][code])
    return str(names[int(rng.integers(len(names)))])


def _pick(items: Sequence[str], rng: np.random.Generator) -> str:
    return str(items[int(rng.integers(len(items)))]) if items else ""


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word
    i = int(rng.integers(len(word) - 1))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def natural_prompt(text: str, spoken: str, code: str | None, rng: np.random.Generator) -> LabelledPrompt:
    """One composed prompt around ``text`` (character span labelled), naming ``code`` or none."""
    f = _frames(spoken)
    preps = [w for w in f["right"] if w.isalpha() and len(w) <= 3] or [""]
    sl = f"{_pick(preps, rng)} {_sl_name(spoken, code, rng)}".strip() if code else ""
    verbs = [w for w in f["right"] if len(w) >= 4 and w[0].isalpha()]
    form = rng.random()
    if form < 0.6 or not verbs:  # lead cue first: "[please] how do you sign TEXT [in ASL] [please]"
        before = [_pick(f["lead"] if rng.random() < 0.8 else f["weak"], rng)]
        if rng.random() < 0.3:
            before.insert(0, _pick([w for w in f["left"] if w[0].isalpha()], rng))
        if rng.random() < 0.15:
            before.insert(0, _pick(f["greet"], rng) + ",")
        after = [sl] if sl else []
        if rng.random() < 0.25:
            after.append(_pick([w for w in f["right"] if w[0].isalpha()], rng))
    else:  # verb-final: "[TİD'de] TEXT nasıl denir"
        before = [sl] if sl and rng.random() < 0.5 else []
        after = ([sl] if sl and not before else []) + [
            _pick(verbs, rng) for _ in range(int(rng.integers(1, 3)))
        ]
    if rng.random() < 0.15:
        before = [_typo(w, rng) if " " not in w else w for w in before]
    head = " ".join(w for w in before if w)
    head = head + " " if head else ""
    tail = " ".join(w for w in after if w)
    prompt = head + text + (" " + tail if tail else "") + _pick(["", "", "?", ".", " ?", "!"], rng)
    style = rng.random()
    if style < 0.4:
        prompt = prompt.lower()
    elif style < 0.7 and prompt[:1].isalpha():
        prompt = prompt[0].upper() + prompt[1:]
    start = len(head)
    return LabelledPrompt(prompt, start, start + len(text) - 1, code, f"{spoken}-natural", False)


def sample_natural_batch(
    words: Mapping[str, Sequence[str]], n: int, rng: np.random.Generator
) -> list[LabelledPrompt]:
    """``n`` prompts: three quarters composed (`natural_prompt`), a quarter the training templates
    (`sample_reader_batch`); a named sign language (any of the 20, named in the prompt's spoken
    language) in half of them."""
    from signstudio.corpus.gazetteer import gazetteer

    codes = sorted(gazetteer()["names"])
    spokens = sorted(words)
    out = []
    for _ in range(n):
        if rng.random() < 0.25:
            out += sample_reader_batch(words, 1, rng)
            continue
        spoken = spokens[int(rng.integers(len(spokens)))]
        pool = words[spoken]
        text = " ".join(pool[int(rng.integers(len(pool)))] for _ in range(int(rng.choice([1, 1, 2, 3]))))
        code = codes[int(rng.integers(len(codes)))] if rng.random() < 0.5 else None
        out.append(natural_prompt(text, spoken, code, rng))
    return out


def export_span_reader(reader: Reader, path: Any, meta: Mapping[str, Any]) -> int:
    """Write ``reader`` (floats as fp16) and ``meta`` to ``path``; returns its size in bytes."""
    from pathlib import Path

    from signstudio.modeling.text.prompt_reader import reader_state

    state = reader_state(reader)
    state["state_dict"] = {
        k: v.half() if v.is_floating_point() else v for k, v in state["state_dict"].items()
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    torch.save({"reader": state, "meta": dict(meta)}, tmp)
    tmp.replace(out)
    return out.stat().st_size


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m signstudio.modeling.training.prompt_reader_training --minutes 10 --export
    models/prompt-reader/prompt-reader.pt``: train the learned span reader on natural phrasings
    (nice it and set OMP_NUM_THREADS=1 on a shared machine) and write it with its log."""
    import argparse
    import json
    import platform
    from pathlib import Path

    from signstudio.corpus.store import open_corpus

    p = argparse.ArgumentParser(prog="python -m signstudio.modeling.training.prompt_reader_training")
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--max-steps", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--export", type=Path, required=True)
    args = p.parse_args(argv)
    settings = ReaderTraining(minutes=args.minutes, max_steps=args.max_steps, seed=args.seed, eval_every=250)
    log: list[dict[str, Any]] = []
    started = time.perf_counter()
    reader = train_reader(open_corpus(quiet=True), settings, log=log, natural=True, progress=False)
    seconds = time.perf_counter() - started
    meta = {
        "kind": "prompt-reader",
        "data": "sample_natural_batch over the corpus' train words (16 spoken languages)",
        "steps": log[-1]["step"] if log else None,
        "train_seconds": round(seconds, 1),
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "log": log,
    }
    size = export_span_reader(reader, args.export, meta)
    args.export.with_suffix(".json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    print(f"trained {meta['steps']} steps in {seconds:.0f} s -> {args.export} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
