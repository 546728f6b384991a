"""A lexicon folder in spoken-to-signed's layout: load, bad input, add/remove/restore/update.

The small lexicons here are built from real recordings: letter clips of the package's
fingerspelling lexicon, added under made-up glosses (WASSER, HAUS...). They are STAND-INS for
recordings of lexical signs (no installable package ships any); what is tested is the folder,
the index and the writes, which do not depend on what the clip shows.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus.lexicon import alphabet, lexicon_dir
from signstudio.corpus.user_lexicon import (
    COLUMNS,
    INDEX,
    Sign,
    add_sign,
    covering_ms,
    create_lexicon,
    load_lexicon,
    load_sign,
    phrase_key,
    remove_sign,
    restore_sign,
    update_sign,
)
from signstudio.pose.errors import FormatError, has_library_text
from signstudio.pose.formats import read_one
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.transforms import trim_to_signing


def _clip(letter: str, lang: str = "gsg") -> PoseSequence:
    return read_one(alphabet(lang)[letter].path)


def _with_pauses(seq: PoseSequence, frames: int = 15) -> PoseSequence:
    """``seq`` with ``frames`` frames of nobody at both ends (the pauses a recording starts with)."""
    blank = np.zeros((frames, *seq.data.shape[1:]), np.float32)
    none = np.zeros((frames, seq.num_joints), np.float32)
    return seq.replace(
        data=np.concatenate([blank, seq.data, blank]),
        confidence=np.concatenate([none, seq.confidence, none]),
        filled=None,
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line(message: str) -> None:
    assert "\n" not in message and not has_library_text(message), message


@pytest.fixture
def lexicon(tmp_path: Path) -> Path:
    """WASSER (water), HAUS (house) and GUTEN-MORGEN (good morning): gsg letter clips as stand-ins."""
    folder = tmp_path / "dgs"
    create_lexicon(folder)
    for letter, gloss, words in (
        ("w", "WASSER", "water"),
        ("h", "HAUS", "house"),
        ("g", "GUTEN-MORGEN", "good morning"),
    ):
        add_sign(folder, _clip(letter), gloss=gloss, words=words, spoken_language="de", sign_language="gsg")
    return folder


# ---- the real lexicon --------------------------------------------------------------------------


def test_the_packages_fingerspelling_lexicon_loads_unchanged() -> None:
    root = lexicon_dir()
    index = root / INDEX
    before = hashlib.sha256(index.read_bytes()).hexdigest(), index.stat().st_mtime_ns
    with open(index, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lex = load_lexicon(root)
    assert lex.problems == ()
    assert len(lex.signs) == len(rows) > 500
    for sign, row in zip(lex.signs, rows, strict=True):
        assert (sign.path, sign.sign_language, sign.gloss, sign.words) == (
            row["path"],
            row["signed_language"],
            row["glosses"],
            row["words"],
        )
        assert (sign.start_ms, sign.end_ms, sign.priority) == (
            int(row["start"]),
            int(row["end"]),
            int(row["priority"]),
        )
    assert (hashlib.sha256(index.read_bytes()).hexdigest(), index.stat().st_mtime_ns) == before
    # its ends lie past its trimmed clips: cut at the clip's end, as spoken-to-signed slices
    first = lex.signs[0]
    seq = load_sign(first)
    assert seq.num_frames == read_one(first.file).num_frames
    assert seq.meta["gloss"] == first.gloss and seq.meta["text"] == first.words


# ---- writing -----------------------------------------------------------------------------------


def test_add_sign_writes_a_clip_and_a_row_spoken_to_signed_reads(lexicon: Path) -> None:
    lex = load_lexicon(lexicon)
    assert lex.problems == ()
    assert [s.gloss for s in lex.signs] == ["WASSER", "HAUS", "GUTEN-MORGEN"]
    assert [s.path for s in lex.signs] == ["wasser.pose", "haus.pose", "guten-morgen.pose"]
    assert lex.signs[2].key == ("good", "morning")
    assert sorted(p.name for p in lexicon.iterdir()) == sorted(
        [INDEX, "wasser.pose", "haus.pose", "guten-morgen.pose"]
    )
    header = (lexicon / INDEX).read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(COLUMNS)
    # the stored sign is the recording, frame for frame
    original, stored = _clip("w"), load_sign(lex.signs[0])
    assert stored.num_frames == original.num_frames
    np.testing.assert_allclose(stored.data, original.data, atol=1e-4)
    # spoken-to-signed's own lookup finds it and cuts the whole clip
    from spoken_to_signed.gloss_to_pose.lookup.csv_lookup import CSVPoseLookup

    found = CSVPoseLookup(str(lexicon)).lookup("water", "WASSER", "de", "gsg")
    assert len(found.pose.body.data) == original.num_frames


def test_add_sign_takes_the_chosen_frames_and_trims_on_request(lexicon: Path) -> None:
    seq = _with_pauses(_clip("m"))
    part = add_sign(
        lexicon,
        seq,
        gloss="MEHR",
        words="more",
        spoken_language="de",
        sign_language="gsg",
        start_frame=3,
        end_frame=20,
        priority=2,
    )
    assert load_sign(part).num_frames == 17 and part.priority == 2
    trimmed = add_sign(
        lexicon, seq, gloss="MEHR-2", words="more", spoken_language="de", sign_language="gsg", trim=True
    )
    want = trim_to_signing(seq)
    assert want.num_frames < seq.num_frames  # the clip has rest frames to trim
    assert load_sign(trimmed).num_frames == want.num_frames
    with pytest.raises(FormatError, match="not a range of the sequence"):
        add_sign(
            lexicon,
            seq,
            gloss="X",
            words="x",
            spoken_language="de",
            sign_language="gsg",
            start_frame=5,
            end_frame=5,
        )


@pytest.mark.parametrize("fps", [24.0, 25.0, 29.970029830932617, 30.0, 50.0, 59.94])
def test_a_new_rows_end_covers_every_frame_in_spoken_to_signeds_rounding(fps: float) -> None:
    for frames in range(1, 400):
        end = covering_ms(frames, fps)
        frame_ms = 1000 / fps
        assert int(end // frame_ms) >= frames > int((end - 1) // frame_ms), (frames, end)
        assert Sign(Path(), "a.pose", "de", "gsg", 0, end, "a", "A", 0, 1).span_frames(fps, frames) == (
            0,
            frames,
        )


def test_add_sign_never_overwrites_and_refuses_a_taken_gloss(lexicon: Path) -> None:
    stranger = lexicon / "brot.pose"
    stranger.write_bytes(b"somebody else's file")
    sign = add_sign(
        lexicon, _clip("b"), gloss="Brot", words="bread", spoken_language="de", sign_language="gsg"
    )
    assert sign.path == "brot-2.pose" and stranger.read_bytes() == b"somebody else's file"
    before = _tree(lexicon)
    with pytest.raises(FormatError, match="gloss 'haus' is taken") as err:
        add_sign(lexicon, _clip("h"), gloss="haus", words="home", spoken_language="de", sign_language="gsg")
    _one_line(str(err.value))
    assert _tree(lexicon) == before
    # the same gloss in another language is another sign
    other = add_sign(
        lexicon, _clip("h", "ase"), gloss="HAUS", words="house", spoken_language="en", sign_language="ase"
    )
    assert other.path == "haus-2.pose"


def test_a_missing_folder_is_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "dgs"
    with pytest.raises(FormatError, match="does not exist"):
        add_sign(
            missing, _clip("w"), gloss="WASSER", words="water", spoken_language="de", sign_language="gsg"
        )
    with pytest.raises(FormatError, match="does not exist"):
        create_lexicon(missing)
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(FormatError, match="already"):
        create_lexicon(lexicon_dir())


def test_remove_and_restore_undo_each_other(lexicon: Path) -> None:
    before = _tree(lexicon)
    haus = load_lexicon(lexicon).signs[1]
    removed = remove_sign(lexicon, haus)
    assert not haus.file.exists()
    assert [s.gloss for s in load_lexicon(lexicon).signs] == ["WASSER", "GUTEN-MORGEN"]
    back = restore_sign(lexicon, removed)
    assert (back.gloss, back.row, back.path) == ("HAUS", 2, "haus.pose")
    assert _tree(lexicon) == before


def test_removing_a_shared_clip_keeps_the_file(lexicon: Path) -> None:
    index = lexicon / INDEX
    with open(index, "a", encoding="utf-8", newline="") as fh:
        fh.write("haus.pose,de,gsg,0,,home,HEIM,0\n")
    heim = load_lexicon(lexicon).signs[3]
    removed = remove_sign(lexicon, heim)
    assert (lexicon / "haus.pose").exists() and removed.pose_bytes is None
    assert restore_sign(lexicon, removed).gloss == "HEIM"


def test_columns_in_another_order_are_read_and_written_in_theirs(tmp_path: Path) -> None:
    folder = tmp_path / "reordered"
    folder.mkdir()
    shutil.copy(alphabet("gsg")["w"].path, folder / "w.pose")
    order = ["glosses", "words", "priority", "path", "end", "start", "signed_language", "spoken_language"]
    lines = [",".join(order), "WASSER,water,0,w.pose,,,gsg,de", "NASS,wet,0,w.pose,,,gsg,de"]
    (folder / INDEX).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    lex = load_lexicon(folder)
    assert [(s.gloss, s.words, s.path) for s in lex.signs] == [
        ("WASSER", "water", "w.pose"),
        ("NASS", "wet", "w.pose"),
    ]
    added = add_sign(
        folder, _clip("h"), gloss="HAUS", words="house", spoken_language="de", sign_language="gsg"
    )
    text = (folder / INDEX).read_bytes().decode("utf-8")  # line ends as written
    assert text.startswith("\r\n".join(lines) + "\r\n") and text.endswith("\r\n")
    assert text.splitlines()[-1].startswith("HAUS,house,0,haus.pose,") and added.row == 3
    # the clip two rows share stays when one of them goes
    removed = remove_sign(folder, lex.signs[0])
    assert removed.pose_bytes is None and (folder / "w.pose").exists()


def test_update_keeps_every_other_byte(tmp_path: Path, lexicon: Path) -> None:
    index = lexicon / INDEX
    # a column we do not know and a broken row: both must survive a rewrite verbatim
    lines = index.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",segment_start"] + [line + "," for line in lines[1:]] + ["broken,row"]
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = index.read_text(encoding="utf-8")
    lex = load_lexicon(lexicon)
    assert len(lex.signs) == 3 and len(lex.problems) == 1
    new = update_sign(lexicon, lex.signs[0], words="water, drink", priority=5)
    assert (new.words, new.priority, new.gloss) == ("water, drink", 5, "WASSER")
    after = index.read_text(encoding="utf-8")
    assert after.replace('"water, drink"', "water").replace(",5,", ",0,", 1) == before
    renamed = update_sign(lexicon, new, gloss="WASSER-TRINKEN")
    assert load_lexicon(lexicon).signs[0].gloss == "WASSER-TRINKEN" == renamed.gloss
    with pytest.raises(FormatError, match="is taken"):
        update_sign(lexicon, renamed, gloss="Haus")
    # a sign that is gone
    stale = Sign(lexicon, "nope.pose", "de", "gsg", 0, None, "no", "NOPE", 0, 1)
    with pytest.raises(FormatError, match="no longer in the index"):
        update_sign(lexicon, stale, priority=1)


def test_phrase_key_splits_like_the_models() -> None:
    from signstudio.modeling.text.words import split_words

    for text in ("Guten  Morgen!", "ice-cream isn't", "Ελληνικός", "ÄPFEL, birnen"):
        assert list(phrase_key(text)) == split_words(text)


# ---- bad input ---------------------------------------------------------------------------------


def test_each_bad_row_is_one_line_and_the_rest_loads(lexicon: Path) -> None:
    (lexicon / "garbage.pose").write_bytes(b"\x00\x01not a pose file at all" * 3)
    good = (lexicon / "haus.pose").read_bytes()
    (lexicon / "cut.pose").write_bytes(good[: len(good) // 2])
    bad_rows = [
        "wasser.pose,de,gsg,0,100",  # 5 fields
        "wasser.pose,de,gsg,zero,,drink,TRINKEN,0",  # start not a number
        "missing.pose,de,gsg,0,,lost,WEG,0",  # no such file
        "garbage.pose,de,gsg,0,,trash,MUELL,0",  # not a .pose
        "cut.pose,de,gsg,0,,half,HALB,0",  # ends early
        "wasser.pose,de,gsg,90000,99000,late,SPAET,0",  # span after the clip
        "../outside.pose,de,gsg,0,,out,AUSSEN,0",  # leaves the folder
        "haus.pose,de,gsg,0,,home,haus,1",  # duplicate gloss: loads, named
    ]
    with open(lexicon / INDEX, "a", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(bad_rows) + "\n")
    lex = load_lexicon(lexicon)
    assert [s.gloss for s in lex.signs] == ["WASSER", "HAUS", "GUTEN-MORGEN", "haus"]
    assert len(lex.problems) == len(bad_rows)
    for line in lex.problems:
        _one_line(line)
    expected = [
        ("index.csv", "5 fields", "row 4, line 5"),
        ("index.csv", "start 'zero' is not a whole number", "row 5, line 6, field start"),
        ("missing.pose", "the file is missing", "index.csv row 6"),
        ("garbage.pose", "the row is skipped", "index.csv row 7"),
        ("cut.pose", "ends early", "index.csv row 8"),
        ("index.csv", "holds no frame of wasser.pose", "row 9, line 10, fields start/end"),
        ("index.csv", "is not a file inside the lexicon folder", "row 10, line 11, field path"),
        ("index.csv", "gloss 'haus' (de -> gsg) repeats row 2", "row 11, field glosses"),
    ]
    for line, (name, problem, place) in zip(lex.problems, expected, strict=True):
        assert line.startswith(str(lexicon / name)), line
        assert problem in line and place in line, line


def test_without_a_readable_index_it_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    folder.mkdir()
    with pytest.raises(FormatError, match=r"has no index\.csv"):
        load_lexicon(folder)
    (folder / INDEX).write_bytes(b"path,words\n\xff\xfe")
    with pytest.raises(FormatError, match="not UTF-8") as err:
        load_lexicon(folder)
    _one_line(str(err.value))
    (folder / INDEX).write_text("path,words,glosses\na.pose,a,A\n", encoding="utf-8")
    with pytest.raises(FormatError, match="no column spoken_language, signed_language, start, end, priority"):
        load_lexicon(folder)
    with pytest.raises(FormatError, match="lexicon folder does not exist"):
        load_lexicon(tmp_path / "nope")


def test_an_index_that_breaks_off_loads_its_start_and_is_never_rewritten(lexicon: Path) -> None:
    with open(lexicon / INDEX, "a", encoding="utf-8", newline="") as fh:
        fh.write('haus.pose,de,gsg,0,,"home' + "x" * 200_000 + "\n")
    before = _tree(lexicon)
    lex = load_lexicon(lexicon)
    assert len(lex.signs) == 3 and len(lex.problems) == 1 and "cannot be read as CSV" in lex.problems[0]
    with pytest.raises(FormatError, match="not rewritten"):
        update_sign(lexicon, lex.signs[0], priority=3)
    with pytest.raises(FormatError, match="not rewritten"):
        add_sign(lexicon, _clip("b"), gloss="BROT", words="bread", spoken_language="de", sign_language="gsg")
    assert _tree(lexicon) == before


def test_a_huge_index_is_refused_and_a_long_one_loads_in_bounds(tmp_path: Path, lexicon: Path) -> None:
    """A sparse 65 MiB index.csv is refused before it is read; 100 000 rows naming one clip load
    in a child process within 500 MB and 20 s (the child's own peak RSS, wall time)."""
    import sys
    import time

    huge = tmp_path / "huge"
    huge.mkdir()
    with open(huge / INDEX, "wb") as fh:
        fh.write((",".join(COLUMNS) + "\n").encode())
        fh.truncate(65 * 1024 * 1024)
    with pytest.raises(FormatError, match="more than a lexicon index holds"):
        load_lexicon(huge)
    rows = "".join(f"wasser.pose,de,gsg,0,,water {i},WASSER-{i},0\n" for i in range(100_000))
    with open(lexicon / INDEX, "a", encoding="utf-8", newline="") as fh:
        fh.write(rows)
    code = (
        "import sys; from signstudio.corpus.user_lexicon import load_lexicon; "
        f"lex = load_lexicon({str(lexicon)!r}); "
        "ok = len(lex.signs) == 100_003 and not lex.problems; "
        "print(next(ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM:'))); "
        "sys.exit(0 if ok else 1)"
    )
    started = time.perf_counter()
    # the child reports its own peak (VmHWM): wait4's ru_maxrss also counts the forked copy of
    # this test process, gigabytes late in a full run
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr[-2000:]
    peak_kib = int(done.stdout.split()[-1])
    assert peak_kib < 500 * 1024, f"{peak_kib} KiB"
    assert seconds < 20, f"{seconds:.1f} s"


# ---- full and read-only disks ------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    root = tmp_path / "disk"
    root.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def _fill(root: Path, leave: int) -> None:
    with open(root / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(root / "filler", max(0, (root / "filler").stat().st_size - leave))


@pytest.mark.parametrize("leave", ["nothing", "room for the clip only"])
def test_a_full_disk_leaves_the_lexicon_as_it_was(tmp_path: Path, small_disk: Path, leave: str) -> None:
    folder = small_disk / "dgs"
    create_lexicon(folder)
    small = _clip("w").frames(0, 2)
    add_sign(folder, small, gloss="WASSER", words="water", spoken_language="de", sign_language="gsg")
    probe = tmp_path / "probe"
    create_lexicon(probe)
    clip_bytes = (
        (
            probe
            / add_sign(
                probe, small, gloss="HAUS", words="house", spoken_language="de", sign_language="gsg"
            ).path
        )
        .stat()
        .st_size
    )
    _fill(small_disk, 0 if leave == "nothing" else -(-clip_bytes // 4096) * 4096)
    before = _tree(folder)
    with pytest.raises(FormatError, match="the disk is full") as err:
        add_sign(folder, small, gloss="HAUS", words="house", spoken_language="de", sign_language="gsg")
    _one_line(str(err.value))
    assert _tree(folder) == before and sorted(p.name for p in folder.iterdir()) == [INDEX, "wasser.pose"]
    if leave != "nothing":
        return  # the clip's room is free again: a rewrite of the index fits
    with pytest.raises(FormatError, match="the disk is full"):
        update_sign(folder, load_lexicon(folder).signs[0], priority=4)
    assert _tree(folder) == before


def test_a_read_only_disk_leaves_the_lexicon_as_it_was(small_disk: Path) -> None:
    folder = small_disk / "dgs"
    create_lexicon(folder)
    sign = add_sign(
        folder,
        _clip("w").frames(0, 2),
        gloss="WASSER",
        words="water",
        spoken_language="de",
        sign_language="gsg",
    )
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    before = _tree(folder)
    for attempt in (
        lambda: remove_sign(folder, sign),
        lambda: update_sign(folder, sign, gloss="NASS"),
        lambda: add_sign(
            folder,
            _clip("h").frames(0, 2),
            gloss="HAUS",
            words="house",
            spoken_language="de",
            sign_language="gsg",
        ),
        lambda: create_lexicon(small_disk / "new"),
    ):
        with pytest.raises(FormatError, match="read-only") as err:
            attempt()
        _one_line(str(err.value))
    assert _tree(folder) == before and load_lexicon(folder).signs == (sign,)
