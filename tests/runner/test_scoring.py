"""Scoring one pair for the studio: DTW curve and heat map, the windowed FGD-style curve, DurACC,
the back-translated reading, and one-line notes for whatever cannot be scored."""

from __future__ import annotations

import numpy as np
import pytest

from signstudio.metrics.dtw import dtw
from signstudio.pose.transforms import resample
from signstudio.runner.scoring import score_pair


@pytest.fixture(scope="module")
def pair(tiny_corpus):
    words = tiny_corpus.words("ase")
    ref = tiny_corpus.word_sequence("ase", words[0], "upper50")
    other = tiny_corpus.word_sequence("ase", words[1], "upper50")
    gen = other.replace(meta_update={"text": words[0].text, "sign_language": "ase"})
    return gen, ref, words[0].text


def test_scores_of_a_pair(pair):
    gen, ref, text = pair
    s = score_pair(gen, ref, text, "ase")
    assert s.n_gen == gen.num_frames
    # scoring normalises each sequence again (median over its frames): a hair from the corpus' own
    assert s.dtw_mje == pytest.approx(dtw(gen, ref, metric="dtw-mje").score, rel=1e-3)
    assert s.pt_dtw == pytest.approx(dtw(gen, ref, metric="pt-dtw").score, rel=1e-3)
    assert s.dtw_curve.shape == (gen.num_frames,) and s.table.shape == (gen.num_frames,)
    assert s.joint_errors.shape == (gen.num_frames, 50)
    # the curve is the mean of the heat map's joints on frames matched with one reference frame
    once = np.bincount(s.path[:, 0], minlength=gen.num_frames) == 1
    assert np.allclose(np.nanmean(s.joint_errors[once], axis=1), s.dtw_curve[once], atol=1e-5)
    assert s.fgd_curve.shape == (gen.num_frames,) and np.all(s.fgd_curve >= 0)
    assert s.fgd_mean == pytest.approx(float(s.fgd_curve.mean()))
    assert s.duration_ok == (abs(gen.duration - ref.duration) <= 1.0)
    assert s.reading is not None and s.reading.expected == " ".join(text)
    assert s.reading.chrf is not None and s.reading.unit_errors is not None
    # the reference itself reads back as its own word (the reader's ceiling is near 100 %)
    assert score_pair(ref, ref, text, "ase").reading.text == text


def test_a_sequence_scored_against_itself(pair):
    _, ref, text = pair
    s = score_pair(ref, ref, text, "ase")
    assert s.dtw_mje == pytest.approx(0.0, abs=1e-9) and np.allclose(s.fgd_curve, 0.0, atol=1e-6)
    assert np.array_equal(s.table, np.arange(ref.num_frames)) and s.duration_ok


def test_another_frame_rate_keeps_curves_on_its_own_frames(pair):
    gen, ref, text = pair
    slow = resample(gen, 50.0)
    s = score_pair(slow, ref, text, "ase")
    assert s.dtw_curve.shape == s.fgd_curve.shape == (slow.num_frames,)
    assert s.duration == pytest.approx(slow.duration)


def test_what_cannot_be_scored_is_said(pair):
    gen, _, _ = pair
    unknown = gen.replace(meta={k: v for k, v in gen.meta.items() if k != "sign_language"})
    s = score_pair(unknown, None, None, None)
    assert s.dtw_mje is None and s.fgd_curve is None and s.joint_errors is None and s.reading is None
    assert any("no reference" in n for n in s.notes)
    assert any(n.startswith("back-translation n/a") and "not known" in n for n in s.notes)
    assert any("signstudio train backtranslation --data" in n for n in s.notes)


def test_a_joint_one_side_lacks_does_not_count(pair):
    """A real recording without a nose point against the real recording: the FGD-style curve is
    computed on the joints both sides have, so it stays at the real-vs-real floor, far below a
    different word's."""
    gen, ref, text = pair
    conf = ref.confidence.copy()
    conf[:, 0] = 0.0  # upper50's first point: the nose, which spoken-to-signed's output lacks
    data = ref.data.copy()
    data[:, 0] = 0.0
    no_nose = ref.replace(data=data, confidence=conf)
    same = score_pair(no_nose, ref, text, "ase")
    other = score_pair(gen, ref, text, "ase")
    assert same.fgd_mean is not None and other.fgd_mean is not None
    assert same.fgd_mean < 1e-6 < other.fgd_mean


def test_a_file_of_other_data_gets_no_fingerspelling_figures():
    """Real PHOENIX14T signing (PT's .skels) against itself: DTW 0, but the shipped evaluators
    learned the built-in fingerspelling corpus: FGD-style and back-translation are n/a, with why
    and the command that trains one on this data."""
    from pathlib import Path

    from signstudio.pose.formats import read

    skels = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt" / "dev.skels"
    seq = read(skels)[1]
    s = score_pair(seq, seq, seq.meta.get("text"), "gsg")
    assert s.dtw_mje == pytest.approx(0.0, abs=1e-9)
    assert s.fgd_curve is None and s.fgd_mean is None and s.reading is None
    fgd = next(n for n in s.notes if n.startswith("FGD-style n/a"))
    assert "dev.skels" in fgd and "signstudio train fgd-encoder --data" in fgd
    assert any(n.startswith("back-translation n/a") for n in s.notes)


def test_shared_window_features_equal_the_encoders_own(real_clips):
    # the FGD-style curve's features with the convolutions shared between windows: the encoder's
    # per-window codes, to float32 rounding, on real recordings (short, long, one frame)
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise
    from signstudio.runner.scoring import _corpus_frames, _encoder

    enc = _encoder("fgd")
    frames = np.concatenate([_corpus_frames(normalise(convert(c, "upper50"))) for c in real_clips])
    for n in (1, 2, 20, 34, 35, len(frames)):
        own = enc.frame_features_by_window(frames[:n])
        shared = enc.frame_features(frames[:n])
        assert shared.shape == own.shape == (n, enc.cfg.feature)
        np.testing.assert_allclose(shared, own, rtol=1e-4, atol=1e-4 * np.abs(own).max())


def test_a_pair_above_the_dtw_budget_is_scored_banded_and_says_so(pair):
    gen, ref, _ = pair
    exact = score_pair(gen, ref)
    assert not any(n.startswith("DTW:") for n in exact.notes)
    banded = score_pair(gen, ref, max_bytes=gen.num_frames * ref.num_frames // 4)
    [note] = [n for n in banded.notes if n.startswith("DTW:")]
    assert "banded DTW" in note and "upper bound" in note
    # the band only removes paths: pt-dtw is never below the exact one
    assert banded.pt_dtw >= exact.pt_dtw * (1 - 1e-12)
    assert banded.dtw_curve.shape == exact.dtw_curve.shape
