"""`signstudio convert IN_FOLDER OUT_FOLDER --to EXT`: a folder of real files, one of them bad."""

from __future__ import annotations

import shutil

import pytest

from signstudio.cli.convert_cmd import batch_inputs
from signstudio.cli.main import main
from signstudio.corpus.lexicon import alphabet
from signstudio.pose import formats
from signstudio.runner.reference import reference_for


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """a.pose (a lexicon recording), b.npz (a word), c.skels (two words, with its parallel
    files), d.h5 (two keyed words), bad.pose (garbage), notes.txt, sub/e.pose."""
    root = tmp_path_factory.mktemp("poses")
    shutil.copy(alphabet("ase")["b"].path, root / "a.pose")
    hallo = reference_for("hallo", "gsg", layout="upper50")
    hello = reference_for("hello", "ase", layout="upper50")
    formats.write(root / "b.npz", hallo)
    formats.write(root / "c.skels", [hallo, hello])
    formats.write(
        root / "d.h5",
        [hallo.replace(meta_update={"key": "de/hallo"}), hello.replace(meta_update={"key": "hello"})],
    )
    (root / "bad.pose").write_bytes(b"\x00not a pose file\xff" * 8)
    (root / "notes.txt").write_text("not a pose file, passed over\n")
    (root / "sub").mkdir()
    shutil.copy(alphabet("gsg")["h"].path, root / "sub" / "e.pose")
    return root


def _names(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_batch_to_pose_goes_past_the_bad_file(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["convert", str(folder), str(out), "--to", "pose"]) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {folder / 'bad.pose'}: ")
    assert "Traceback" not in captured.err and "convert to .pose" in captured.err  # the progress bar
    poses = [n for n in _names(out) if not n.endswith(".signstudio.json")]
    assert poses == ["a.pose", "b.pose", "c-0.pose", "c-1.pose", "d-de_hallo.pose", "d-hello.pose"]
    # the sentences' text went into sidecars beside them; a second batch passes them with their files
    assert (out / "c-0.pose.signstudio.json").is_file()
    assert batch_inputs(out)[1] == 0 and len(batch_inputs(out)[0]) == 6
    assert captured.out.strip().splitlines()[-1] == (
        f"converted 4 of 5 files to pose (6 written into {out}); 1 failed; 4 other files passed over"
    )
    # the sequences are the ones in the files, in order
    assert formats.read_one(out / "c-1.pose").num_frames == formats.read(folder / "c.skels")[1].num_frames
    assert formats.read_one(out / "a.pose").equals(formats.read_one(folder / "a.pose"), atol=1e-4)


def test_batch_keeps_several_sequences_in_one_file_when_the_format_holds_many(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["convert", str(folder), str(out), "--to", "h5", "--recursive", "--layout", "upper50"]) == 2
    assert _names(out) == ["a.h5", "b.h5", "c.h5", "d.h5", "sub/e.h5"]
    assert len(formats.read(out / "c.h5")) == 2 and formats.read_one(out / "sub/e.h5").layout == "upper50"
    assert "converted 5 of 6 files to h5" in capsys.readouterr().out


def test_batch_of_good_files_exits_0_and_links_each_eaf_to_its_file(folder, tmp_path, capsys):
    from pympi.Elan import Eaf

    good = tmp_path / "good"
    good.mkdir()
    for name in ("a.pose", "b.npz"):
        shutil.copy(folder / name, good / name)
    out = tmp_path / "elan"
    assert main(["convert", str(good), str(out), "--to", "eaf"]) == 0
    assert _names(out) == ["a.eaf", "b.eaf"]
    (linked,) = Eaf(str(out / "b.eaf")).get_secondary_linked_files()
    assert linked["RELATIVE_LINK_URL"] == "../good/b.npz"
    assert [a[2] for a in sorted(Eaf(str(out / "b.eaf")).get_annotation_data_for_tier("right hand"))] == list(
        "HALLO"
    )
    assert "converted 2 of 2 files to eaf" in capsys.readouterr().out


def test_batch_names_keep_the_extension_when_two_inputs_share_a_name(folder, tmp_path):
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(folder / "a.pose", both / "x.pose")
    shutil.copy(folder / "b.npz", both / "x.npz")
    out = tmp_path / "bvh"
    assert main(["convert", str(both), str(out), "--to", "bvh"]) == 0
    assert _names(out) == ["x-npz.bvh", "x-pose.bvh"]
    assert formats.read_one(out / "x-npz.bvh").layout == "upper50"


def test_batch_refuses_an_unknown_target_and_an_empty_folder(tmp_path, capsys):
    assert main(["convert", str(tmp_path), str(tmp_path / "out"), "--to", "docx"]) == 2
    assert "no format writes .docx" in capsys.readouterr().err
    assert main(["convert", str(tmp_path), str(tmp_path / "out"), "--to", "pose"]) == 2
    assert "no pose files to convert" in capsys.readouterr().err
