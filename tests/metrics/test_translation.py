"""Back-translation scores: sacrebleu/rouge-score/jiwer with the settings the papers report,
checked on cases worked out by hand."""

from __future__ import annotations

import pytest

from signstudio.metrics.translation import bleu, rouge_l, translation_scores


def test_a_perfect_reading_scores_full_marks():
    s = translation_scores(["w a t e r", "h a u s"], ["w a t e r", "h a u s"])
    assert all(v == pytest.approx(100.0) for v in s.bleu.values())
    assert s.rouge_l == pytest.approx(100.0) and s.chrf == pytest.approx(100.0)
    assert s.wer == 0.0 and s.exact == 100.0 and s.count == 2


def test_bleu_by_hand():
    # hypothesis "a b c d" vs reference "a b x d": unigrams 3/4, bigrams 1/3 (a b), no trigram,
    # equal lengths (no brevity penalty); no smoothing: BLEU-3 is 0, BLEU-2 = sqrt(3/4 * 1/3) = 0.5
    assert bleu(["a b c d"], ["a b x d"], 1) == pytest.approx(75.0)
    assert bleu(["a b c d"], ["a b x d"], 2) == pytest.approx(50.0)
    assert bleu(["a b c d"], ["a b x d"], 3) == 0.0


def test_effective_order_scores_short_sentences_on_the_orders_they_have():
    # one-token sentences have no bigrams: with effective order BLEU-4 is their unigram precision
    assert bleu(["a", "b"], ["a", "c"], 4) == pytest.approx(50.0)


def test_rouge_l_weights_recall_by_beta_1_2():
    # LCS(a b c d, a x c d e) = 3: P = 3/4, R = 3/5, F = (1 + 1.44) P R / (R + 1.44 P)
    p, r = 3 / 4, 3 / 5
    assert rouge_l(["a b c d"], ["a x c d e"]) == pytest.approx(100 * 2.44 * p * r / (r + 1.44 * p))
    assert rouge_l(["a b"], ["c d"]) == 0.0


def test_non_ascii_letters_are_tokens_too():
    # rouge-score's default tokenizer would drop "ü" and "ç"; ours keeps the caller's tokens
    s = translation_scores(["s ü d e n", "ç i ç e k"], ["s ü d e n", "c i c e k"])
    assert s.rouge_l < 100.0 and s.exact == 50.0
    assert rouge_l(["ü"], ["ü"]) == pytest.approx(100.0)


def test_wer_counts_an_empty_reading_as_all_errors():
    assert translation_scores([""], ["a b c"]).wer == pytest.approx(1.0)
    assert translation_scores(["a b"], ["a b c"]).wer == pytest.approx(1 / 3)


def test_bad_input():
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        translation_scores(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="no sentences"):
        translation_scores([], [])
    with pytest.raises(ValueError, match="at least one token"):
        translation_scores(["a"], [" "])
