"""`describe_view`: what each view says it shows, per kind, from the sequence's meta alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from signstudio.pose.sequence import PoseSequence
from signstudio.session.captions import describe_view, model_and_checkpoint, view_kind


def _clip() -> PoseSequence:
    from signstudio.corpus.lexicon import alphabet, load_clip

    return load_clip(alphabet("ase")["a"])


@pytest.fixture(scope="module")
def generated() -> PoseSequence:
    """A real generation (the fingerspelling lookup model: no network to load)."""
    from signstudio.modeling.registry import load_model

    model = load_model("lookup", device="cpu")
    try:
        return model.generate(["hello"], "ase")[0]
    finally:
        model.close()


def _opened(seq: PoseSequence, path: Path) -> PoseSequence:
    """``seq`` saved to ``path`` and opened as the studio opens a file."""
    from signstudio.pose.formats import read_one, write
    from signstudio.session.controller import user_file

    write(path, seq)
    return user_file(read_one(path))


def test_generated_says_its_model_and_never_recorded(generated) -> None:
    cap = describe_view(generated, "shown")
    assert cap.kind == "generated" and cap.badge == "generated · lookup"
    assert cap.title == "hello" and cap.language == "American Sign Language (ase)"
    ref = describe_view(generated, "reference")
    assert ref.badge == "reference · generated · lookup"


def test_a_checkpoint_model_names_its_run(generated) -> None:
    seq = generated.replace(meta_update={"model": "nar-kd@/home/me/runs/run-7/best.pt"})
    cap = describe_view(seq)
    assert cap.badge == "generated · nar-kd" and cap.detail == "checkpoint run-7/best.pt"
    windows = {"model": "mlsf", "checkpoint": "C:\\runs\\a\\last.pt"}
    assert model_and_checkpoint(windows) == ("mlsf", "a/last.pt")


def test_a_saved_generation_opened_again_keeps_word_language_and_model(generated, tmp_path) -> None:
    back = _opened(generated, tmp_path / "mine.h5")
    cap = describe_view(back, "reference")  # opened as the reference of another model's output
    assert cap.kind == "generated" and cap.badge == "reference · generated · lookup"
    assert cap.title == "hello" and cap.language.endswith("(ase)")
    assert "user file" not in cap.badge


def test_an_opened_recording_is_never_called_generated(tmp_path) -> None:
    clip = _clip()
    cap = describe_view(clip)
    assert cap.kind == "recorded" and cap.badge == "recorded clip"
    assert cap.detail and cap.detail in str(clip.meta["source"]).replace("\\", "/")
    back = _opened(clip, tmp_path / "clip.pose")  # its sidecar keeps the kind: a recording, named
    cap = describe_view(back, "shown")
    assert cap.kind == "recorded" and cap.badge == "recorded clip" and cap.detail == "clip.pose"
    assert "generated" not in cap.badge
    skels = _opened(clip.replace(meta_update={"text": "a"}), tmp_path / "clip.skels")
    cap = describe_view(skels, "reference")
    assert cap == describe_view(skels, "reference") and cap.badge == "reference · user file"
    assert cap.title == "a" and cap.detail == "clip.skels"


def test_lexicon_join_and_a_sequence_that_says_nothing() -> None:
    from signstudio.corpus.store import default_sample

    sample = default_sample()
    cap = describe_view(sample, "reference")
    assert cap.kind == "lexicon join" and cap.badge == "reference · lexicon join"
    assert cap.detail == f"{sample.meta['joined_from']} recorded clips joined" and cap.title == "hello"
    bare = PoseSequence(sample.data, sample.confidence, sample.fps, sample.skeleton, {})
    cap = describe_view(bare)
    said = (cap.kind, cap.badge, cap.title, cap.language, cap.detail)
    assert said == ("sequence", "pose sequence", "", "", "")
    assert view_kind(bare.replace(meta_update={"format": "pose"})) == "user file"
    assert view_kind(bare.replace(meta_update={"reference_kind": "Recorded clip"})) == "recorded"
