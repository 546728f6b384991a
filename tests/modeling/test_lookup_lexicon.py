"""lookup signs the words of a lexicon with their signs and fingerspells the rest (issue 22).

The lexicons are built here from real recordings: German (gsg) letter clips of the package's
fingerspelling lexicon saved under made-up glosses (the W clip as WASSER "water", the M clip as
GUTEN-MORGEN "good morning", ...). They are STAND-INS for recordings of lexical signs, which no
installable package ships; what is tested is which clip is used where, not what it shows.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from signstudio.cli.main import main
from signstudio.corpus.lexicon import alphabet
from signstudio.corpus.user_lexicon import (
    INDEX,
    add_sign,
    create_lexicon,
    load_lexicon,
    remove_sign,
    restore_sign,
)
from signstudio.modeling.base import ModelError
from signstudio.modeling.models.lookup import LookupModel
from signstudio.pose.convert import convert
from signstudio.pose.formats import read_one
from signstudio.pose.sequence import PoseSequence

LANG = "gsg"


def _clip(letter: str) -> PoseSequence:
    return read_one(alphabet(LANG)[letter].path)


def _add(folder: Path, letter: str, gloss: str, words: str, priority: int = 0):
    return add_sign(
        folder,
        _clip(letter),
        gloss=gloss,
        words=words,
        spoken_language="de",
        sign_language=LANG,
        priority=priority,
    )


@pytest.fixture(scope="module")
def model() -> LookupModel:
    return LookupModel()


@pytest.fixture
def lexicon(tmp_path: Path) -> Path:
    folder = tmp_path / "dgs"
    create_lexicon(folder)
    _add(folder, "w", "WASSER", "water")
    _add(folder, "m", "GUTEN-MORGEN", "good morning")
    _add(folder, "g", "GUT", "good")
    return folder


def _parts(seq: PoseSequence) -> list[tuple[str, str, str]]:
    """(kind, text, gloss) per word or phrase, in order, from the segments."""
    out: list[tuple[str, str, str]] = []
    last = None
    for seg in seq.meta["segments"]:
        if seg["part"] != last:
            out.append((seg["kind"], seg["text"], seg["gloss"]))
            last = seg["part"]
    return out


def test_known_words_are_signed_and_the_rest_spelled_in_order(model: LookupModel, lexicon: Path) -> None:
    [seq] = model.generate(["Good morning, water is wet. Good!"], LANG, lexicons=(lexicon,))
    assert _parts(seq) == [
        ("sign", "good morning", "GUTEN-MORGEN"),  # the longest phrase first, not GUT + "morning"
        ("sign", "water", "WASSER"),
        ("spelled", "is", "I-S"),
        ("spelled", "wet", "W-E-T"),
        ("sign", "good", "GUT"),
    ]
    segments = seq.meta["segments"]
    starts = [s["start"] for s in segments]
    assert starts == sorted(starts) and all(a["end"] <= b["start"] for a, b in itertools.pairwise(segments))
    assert all(s["end"] <= seq.num_frames for s in segments)
    signs = [s for s in segments if s["kind"] == "sign"]
    assert [s["label"] for s in signs] == ["GUTEN-MORGEN", "WASSER", "GUT"]
    assert all(s["source"] == str(lexicon) and s["variants"] == [] for s in signs)
    letters = [s["label"] for s in segments if s["kind"] == "spelled"]
    assert letters == ["I", "S", "W", "E", "T"] and {
        s["source"] for s in segments if s["kind"] == "spelled"
    } == {"alphabet"}
    assert seq.meta["words"] == ["good morning", "water", "is", "wet", "good"]
    assert seq.meta["gloss"] == "GUTEN-MORGEN WASSER GSG_I GSG_S GSG_W GSG_E GSG_T GUT"
    assert seq.meta["config"]["lexicons"] == [str(lexicon)]


def test_a_word_signed_alone_is_its_recording(model: LookupModel, lexicon: Path) -> None:
    [signed] = model.generate(["water"], LANG, lexicons=(lexicon,))
    [spelled] = model.generate(["water"], LANG)
    clip = _clip("w")
    # one sign keeps its onset and offset (spoken-to-signed's process_sign): every frame
    assert signed.num_frames == clip.num_frames < spelled.num_frames
    assert signed.meta["segments"][0]["kind"] == "sign" and spelled.meta["segments"][0]["kind"] == "spelled"
    # the right wrist moves as in the recording (both normalised: shoulder width 1)
    from signstudio.pose.transforms import normalise

    def wrist(seq: PoseSequence) -> np.ndarray:
        up = normalise(convert(seq, "upper50"))
        return up.data[:, up.skeleton.index("BODY:RWrist"), :2]

    assert np.abs(wrist(signed) - wrist(clip)).max() < 0.1
    assert not np.allclose(wrist(signed)[:20], wrist(spelled)[:20], atol=0.1)


def test_priority_lower_number_wins_and_variants_are_listed(model: LookupModel, tmp_path: Path) -> None:
    folder = tmp_path / "dgs"
    create_lexicon(folder)
    first = _add(folder, "w", "WASSER", "water", priority=1)
    second = _add(folder, "a", "WASSER-2", "Water", priority=0)
    third = _add(folder, "q", "WASSER-3", "water", priority=0)
    [seq] = model.generate(["water"], LANG, lexicons=(folder,))
    [seg] = seq.meta["segments"]
    # priority 0 before 1 (spoken-to-signed: lower is better), then index order
    assert seg["gloss"] == "WASSER-2"
    assert seg["variants"] == [str(third.file), str(first.file)]
    # the user's choice wins, by file or by the path written in index.csv
    for chosen in (str(first.file), first.path):
        [seq] = model.generate(["water"], LANG, lexicons=(folder,), variant_choices=(("Water!", chosen),))
        assert seq.meta["segments"][0]["gloss"] == "WASSER"
    assert second.priority == 0


def test_the_first_lexicon_wins_on_equal_words(model: LookupModel, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for folder in (mine, theirs):
        create_lexicon(folder)
    _add(mine, "w", "MEIN-WASSER", "water", priority=9)
    _add(theirs, "a", "IHR-WASSER", "water", priority=0)
    _add(theirs, "h", "HAUS", "house")
    [seq] = model.generate(["water house"], LANG, lexicons=(mine, theirs))
    assert _parts(seq) == [("sign", "water", "MEIN-WASSER"), ("sign", "house", "HAUS")]
    [seq] = model.generate(["water"], LANG, lexicons=(theirs, mine))
    assert _parts(seq) == [("sign", "water", "IHR-WASSER")]


def test_an_added_sign_is_used_and_undo_removes_it(model: LookupModel, lexicon: Path) -> None:
    [before] = model.generate(["house"], LANG, lexicons=(lexicon,))
    assert _parts(before) == [("spelled", "house", "H-O-U-S-E")]
    sign = _add(lexicon, "h", "HAUS", "house")
    [after] = model.generate(["house"], LANG, lexicons=(lexicon,))
    assert _parts(after) == [("sign", "house", "HAUS")]
    removed = remove_sign(lexicon, sign)
    [undone] = model.generate(["house"], LANG, lexicons=(lexicon,))
    assert _parts(undone) == [("spelled", "house", "H-O-U-S-E")] and undone.equals(before)
    restore_sign(lexicon, removed)
    [redone] = model.generate(["house"], LANG, lexicons=(lexicon,))
    assert redone.equals(after)


def test_words_of_another_sign_language_are_not_used(model: LookupModel, lexicon: Path) -> None:
    [seq] = model.generate(["water"], "ase", lexicons=(lexicon,))
    assert _parts(seq) == [("spelled", "water", "W-A-T-E-R")]


def test_a_lexicon_with_problems_is_used_and_says_so(model: LookupModel, lexicon: Path) -> None:
    with open(lexicon / INDEX, "a", encoding="utf-8", newline="") as fh:
        fh.write("gone.pose,de,gsg,0,,gone,WEG,0\n")
    [seq] = model.generate(["water"], LANG, lexicons=(lexicon,))
    assert _parts(seq) == [("sign", "water", "WASSER")]
    [note] = seq.meta["notes"]
    assert note.startswith(f"lexicon {lexicon}: 1 problem, the rest was used") and "gone.pose" in note


def test_a_sign_that_is_not_holistic_is_one_line(model: LookupModel, lexicon: Path) -> None:
    add_sign(
        lexicon,
        convert(_clip("k"), "upper50"),
        gloss="KALT",
        words="cold",
        spoken_language="de",
        sign_language=LANG,
    )
    with pytest.raises(ModelError, match=r"'KALT'.*not a MediaPipe Holistic recording") as err:
        model.generate(["cold"], LANG, lexicons=(lexicon,))
    assert "\n" not in str(err.value)


def test_the_runner_passes_lexicons_and_elan_has_a_gloss_tier(lexicon: Path, tmp_path: Path) -> None:
    from pympi.Elan import Eaf

    from signstudio.pose.formats import write
    from signstudio.runner.service import GenerateRequest, Runner

    request = GenerateRequest("good morning sun", LANG, reference=False, lexicons=(lexicon,))
    with Runner(isolation="thread") as runner:
        response = runner.run(request)
    assert response.error is None and response.sequence is not None
    seq = response.sequence
    assert _parts(seq) == [("sign", "good morning", "GUTEN-MORGEN"), ("spelled", "sun", "S-U-N")]
    out = tmp_path / "sentence.eaf"
    write(out, seq)
    eaf = Eaf(str(out))
    glosses = eaf.get_annotation_data_for_tier("gloss")
    assert [g[2] for g in glosses] == ["GUTEN-MORGEN", "S-U-N"]
    assert glosses[0][1] <= glosses[1][0] and glosses[1][1] <= round(1000 * seq.num_frames / seq.fps)
    # the letters stay on the hand tier
    assert [a[2] for a in eaf.get_annotation_data_for_tier("right hand")] == ["GUTEN-MORGEN", "S", "U", "N"]
    # the built-in reference spells words: none for a signed text, and the reason says so
    with Runner(isolation="thread") as runner:
        answer = runner.run(GenerateRequest("water", LANG, lexicons=(lexicon,)))
    assert answer.error is None and answer.reference is None
    assert answer.reference_reason is not None and "WASSER" in answer.reference_reason
    with Runner(isolation="thread") as runner:
        spelled = runner.run(GenerateRequest("sun", LANG, lexicons=(lexicon,)))
    assert spelled.reference is not None and spelled.reference_reason is None


def test_pauses_at_a_signs_ends_do_not_reach_the_sentence(model: LookupModel, tmp_path: Path) -> None:
    """spoken-to-signed#23: a clip recorded with long pauses (nobody in the picture) at its ends
    joins as the same clip without them, in the middle of a sentence."""
    clip = _clip("h")
    blank = np.zeros((40, *clip.data.shape[1:]), np.float32)
    none = np.zeros((40, clip.num_joints), np.float32)
    paused = clip.replace(
        data=np.concatenate([blank, clip.data, blank]),
        confidence=np.concatenate([none, clip.confidence, none]),
        filled=None,
    )
    out = []
    for name, seq in (("plain", clip), ("paused", paused)):
        folder = tmp_path / name
        create_lexicon(folder)
        add_sign(folder, seq, gloss="HAUS", words="house", spoken_language="de", sign_language=LANG)
        out.append(model.generate(["sun house day"], LANG, lexicons=(folder,))[0])
    plain, with_pauses = out
    assert (
        load_lexicon(tmp_path / "paused").signs[0].end_ms > load_lexicon(tmp_path / "plain").signs[0].end_ms
    )
    assert with_pauses.num_frames == plain.num_frames
    np.testing.assert_allclose(with_pauses.data, plain.data, atol=1e-4)


def test_cli_lexicon_option(lexicon: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    create_lexicon(other)
    _add(other, "h", "HAUS", "house")
    out = tmp_path / "out.pose"
    argv = ["generate", "--text", "water house", "--lang", LANG, "--out", str(out)]
    assert main([*argv, "--lexicon", str(lexicon), "--lexicon", str(other)]) == 0
    assert "'water house'" in capsys.readouterr().out
    assert read_one(out).num_frames > 0
    assert main([*argv, "--lexicon", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "missing" in err and "does not exist" in err and "\n" not in err
    assert main([*argv, "--lexicon", str(lexicon), "--model", "random"]) == 2
    assert "--lexicon goes with --model lookup" in capsys.readouterr().err
    assert load_lexicon(lexicon).problems == ()
