"""Back-translation scores: how well the text read back from signing matches the text asked for.

    scores = translation_scores(["w a t e r", "h o u s e"], ["w a t e r", "m o u s e"])
    scores.bleu[4], scores.rouge_l, scores.chrf, scores.wer, scores.exact

Inputs are *tokenised* strings: tokens separated by single spaces, hypotheses and references in
the same order, one per sequence. What a token is belongs to the caller; for the built-in corpus
(fingerspelled words) the tokens are the lexicon's units, letters or digraphs such as ``ch`` —
the signs of a fingerspelled word, so n-gram scores over them measure what was signed.

* **BLEU-1..4** — sacrebleu's corpus BLEU with ``tokenize='none'`` (the tokens are ours),
  ``smooth_method='floor', smooth_value=0`` (no smoothing) and ``effective_order=True`` (a
  sentence shorter than n contributes only the orders it has), ``max_ngram_order`` = 1…4. The
  settings sign-language translation papers report (slt, Sign2GPT, Neural Sign Actors).
* **ROUGE-L** — F-measure of the longest common subsequence with β = 1.2, as slt computes it
  (recall weighted 1.2²): per sentence, then averaged. The LCS comes from rouge-score with a
  whitespace tokenizer: its default tokenizer drops non-ASCII letters ("süden" → "s", "den").
* **chrF** — sacrebleu's chrF (character 6-grams, β = 2) over the texts with the spaces removed
  (the words themselves), corpus level.
* **WER** — jiwer's word error rate over the tokens (for unit tokens: a unit error rate).
* **exact** — the share of sequences read back exactly.

All scores are in percent except WER (a ratio, lower is better). `count` is the number of
sequences: report it with the scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

ROUGE_BETA = 1.2


@dataclass(frozen=True)
class TranslationScores:
    bleu: dict[int, float]  # n -> BLEU-n in percent
    rouge_l: float  # percent
    chrf: float  # percent
    wer: float  # ratio
    exact: float  # percent
    count: int

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["bleu"] = {str(k): v for k, v in self.bleu.items()}
        return d


def _check(hypotheses: Sequence[str], references: Sequence[str]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not references:
        raise ValueError("no sentences to score")


def bleu(hypotheses: Sequence[str], references: Sequence[str], order: int) -> float:
    """Corpus BLEU-``order`` in percent (the settings in the module docstring)."""
    from sacrebleu.metrics import BLEU

    _check(hypotheses, references)
    metric = BLEU(
        tokenize="none",
        smooth_method="floor",
        smooth_value=0,
        effective_order=True,
        max_ngram_order=order,
    )
    return float(metric.corpus_score(list(hypotheses), [list(references)]).score)


class _Whitespace:
    """rouge-score's tokenizer interface: tokens are what the caller put between spaces."""

    def tokenize(self, text: str) -> list[str]:
        return text.split()


def rouge_l(hypotheses: Sequence[str], references: Sequence[str], beta: float = ROUGE_BETA) -> float:
    """Mean sentence ROUGE-L F_β in percent (β = 1.2: recall weighs more, as slt)."""
    from rouge_score.rouge_scorer import RougeScorer

    _check(hypotheses, references)
    scorer = RougeScorer(["rougeL"], tokenizer=_Whitespace())
    total = 0.0
    for hyp, ref in zip(hypotheses, references, strict=True):
        lcs = scorer.score(ref, hyp)["rougeL"]  # (target, prediction)
        p, rec = lcs.precision, lcs.recall
        if p > 0 and rec > 0:
            total += (1 + beta**2) * p * rec / (rec + beta**2 * p)
    return 100.0 * total / len(references)


def translation_scores(hypotheses: Sequence[str], references: Sequence[str]) -> TranslationScores:
    """Every score of the module docstring for tokenised ``hypotheses`` against ``references``."""
    import jiwer
    from sacrebleu.metrics import CHRF

    _check(hypotheses, references)
    hyps = [" ".join(h.split()) for h in hypotheses]
    refs = [" ".join(r.split()) for r in references]
    if not all(refs):
        raise ValueError("every reference needs at least one token")
    words_h = [h.replace(" ", "") for h in hyps]
    words_r = [r.replace(" ", "") for r in refs]
    chrf = float(CHRF().corpus_score(words_h, [words_r]).score)
    # jiwer refuses an empty hypothesis; one placeholder token scores the same n errors as n deletions.
    wer = float(jiwer.wer(refs, [h if h else "\u2205" for h in hyps]))
    exact = 100.0 * sum(h == r for h, r in zip(hyps, refs, strict=True)) / len(refs)
    return TranslationScores(
        {n: bleu(hyps, refs, n) for n in (1, 2, 3, 4)},
        rouge_l(hyps, refs),
        chrf,
        wer,
        exact,
        len(refs),
    )


__all__ = ["ROUGE_BETA", "TranslationScores", "bleu", "rouge_l", "translation_scores"]
