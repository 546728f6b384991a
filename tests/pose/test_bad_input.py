"""Every reader turns bad input into one `FormatError` naming the file, the problem and the place."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import read, read_one, write
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import get_layout

WRITABLE = {"pt-skels": ".skels", "p2s-legacy": ".skels", "p2s-2025": ".skels", "h5": ".h5", "npz": ".npz"}
READ_ONLY = {"amass": ".npz"}
FILE_FORMATS = {**WRITABLE, **READ_ONLY, "pose": ".pose"}


@pytest.fixture(scope="module")
def clip() -> PoseSequence:
    return read_one(lexicon_index()[0].path).frames(0, 6)


def fails(path: Path, *fragments: str, file: Path | None = None, **options) -> FormatError:
    """Read ``path``; it must raise FormatError naming ``file`` (default ``path``) and ``fragments``."""
    with pytest.raises(FormatError) as info:
        read(path, **options)
    err = info.value
    msg = str(err)
    assert "\n" not in msg
    assert str(file or path) in msg, msg
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in {msg!r}"
    return err


def skels_rows(frames: int = 3, per_frame: int = 151) -> np.ndarray:
    rows = np.full((frames, per_frame), 0.25, np.float32)
    rows[:, -1] = np.arange(frames) / frames if per_frame == 151 else np.arange(frames) / max(frames - 1, 1)
    return rows


def line(rows: np.ndarray) -> str:
    return " ".join(str(v) for v in rows.ravel())


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory: pytest.TempPathFactory, clip: PoseSequence) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("valid")
    out = {}
    for fmt, ext in WRITABLE.items():
        out[fmt] = root / f"{fmt}{ext}"
        write(out[fmt], clip, format=fmt)
    out["amass"] = root / "amass.npz"
    np.savez(
        out["amass"],
        poses=np.zeros((4, 165)),
        trans=np.zeros((4, 3)),
        betas=np.zeros(10),
        mocap_framerate=np.array(30.0),
    )
    out["pose"] = lexicon_index()[0].path
    return out


# ---- generic: empty, truncated, random bytes, wrong extension --------------------------------------


@pytest.mark.parametrize("fmt", sorted(FILE_FORMATS))
def test_empty_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"empty{FILE_FORMATS[fmt]}"
    path.write_bytes(b"")
    fails(path, "empty")
    fails(path, "empty", format=fmt)


@pytest.mark.parametrize("fmt", sorted(FILE_FORMATS))
def test_truncated_file(tmp_path: Path, valid_files: dict[str, Path], fmt: str) -> None:
    data = valid_files[fmt].read_bytes()
    path = tmp_path / f"cut{FILE_FORMATS[fmt]}"
    cut = len(data) * 2 // 3 + 1
    if fmt in ("pt-skels", "p2s-legacy", "p2s-2025"):
        # cut inside a frame: a text file cut exactly at a frame boundary is a valid shorter file
        per_frame = 385 if fmt == "p2s-2025" else 151
        while len(data[:cut].split()) % per_frame == 0:
            cut -= 1
    path.write_bytes(data[:cut])
    err = fails(path, format=fmt)
    assert err.problem
    fails(path)


@pytest.mark.parametrize("fmt", sorted(FILE_FORMATS))
def test_random_bytes(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"noise{FILE_FORMATS[fmt]}"
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    fails(path)
    fails(path, format=fmt)


def test_wrong_extension(tmp_path: Path, valid_files: dict[str, Path]) -> None:
    # Content decides for existing files: a .skels file named .h5 still reads as .skels ...
    renamed = tmp_path / "really_skels.h5"
    renamed.write_bytes(valid_files["pt-skels"].read_bytes())
    assert read_one(renamed).meta["format"] == "pt-skels"
    # ... but forcing the extension's format says what is wrong.
    fails(renamed, "not an HDF5 file", format="h5")
    npz_as_skels = tmp_path / "x.skels"
    npz_as_skels.write_bytes(valid_files["npz"].read_bytes())
    assert read_one(npz_as_skels).meta["format"] == "pose"  # our npz, by its members
    fails(npz_as_skels, "line 1", format="pt-skels")
    unknown = tmp_path / "notes.xyz"
    unknown.write_text("hello\n")
    fails(unknown, "not a pose file")
    fails(tmp_path / "missing.skels", "no such file")


# ---- .skels ----------------------------------------------------------------------------------------


def test_skels_wrong_number_of_values(tmp_path: Path) -> None:
    path = tmp_path / "bad.skels"
    path.write_text(line(skels_rows()) + "\n" + line(skels_rows())[:-8] + " 0.5 0.5\n")
    fails(path, "not a whole number of 151-value frames", "line 2")
    path.write_text(line(skels_rows(per_frame=385)) + "\n" + line(skels_rows(2, 385)) + " 1.0\n")
    fails(path, "385-value frames", "line 2")


def test_skels_not_a_number_and_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.skels"
    toks = line(skels_rows()).split()
    toks[4] = "abc"
    path.write_text(line(skels_rows()) + "\n" + " ".join(toks) + "\n")
    fails(path, "not a number", "'abc'", "line 2, value 5")
    path.write_bytes(line(skels_rows()).encode() + b"\n0.5 \xff\xfe 0.5\n")
    fails(path, "not UTF-8", "line 2")


@pytest.mark.parametrize("bad", ["nan", "inf", "-Infinity", "1e39"])
@pytest.mark.parametrize("fmt", ["pt-skels", "p2s-legacy", "p2s-2025"])
def test_skels_nan_inf(tmp_path: Path, fmt: str, bad: str) -> None:
    per_frame = 385 if fmt == "p2s-2025" else 151
    toks = line(skels_rows(3, per_frame)).split()
    toks[per_frame + 7] = bad  # frame 1, value 8
    path = tmp_path / "nan.skels"
    path.write_text(" ".join(toks) + "\n")
    fails(path, "line 1, frame 1, value 8", format=fmt)


def test_skels_zero_frames(tmp_path: Path) -> None:
    path = tmp_path / "zero.skels"
    path.write_text(line(skels_rows()) + "\n\n" + line(skels_rows()) + "\n")
    fails(path, "zero frames", "line 2")
    assert len(read(path, skip_empty=True)) == 2
    path.write_text("   \n\n")
    fails(path, "zero frames", "line 1", format="pt-skels")
    fails(path, "no sequence", format="pt-skels", skip_empty=True)


def test_skels_parallel_file_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "train.skels"
    path.write_text(line(skels_rows()) + "\n" + line(skels_rows()) + "\n")
    (tmp_path / "train.text").write_text("only one line\n")
    fails(path, "has 1 lines", "2 sequences", file=tmp_path / "train.text")
    (tmp_path / "train.text").write_bytes(b"ok\n\xff\n")
    fails(path, "not UTF-8", "line 2", file=tmp_path / "train.text")


def test_bad_read_options(tmp_path: Path, valid_files: dict[str, Path]) -> None:
    fails(valid_files["pt-skels"], "fps", fps=-1)
    fails(valid_files["pt-skels"], "scale", scale="x")
    fails(valid_files["h5"], "variant", variant="nope")


# ---- .h5 ---------------------------------------------------------------------------------------------


def test_h5_missing_keys(tmp_path: Path, valid_files: dict[str, Path]) -> None:
    for victim, fragments in (
        ("seq000000/confidence", ("missing dataset 'confidence'", "key seq000000/confidence")),
        ("seq000000/data", ("missing dataset 'data'", "key seq000000/data")),
    ):
        path = tmp_path / "k.h5"
        path.write_bytes(valid_files["h5"].read_bytes())
        with h5py.File(path, "a") as f:
            del f[victim]
        fails(path, *fragments)
    path = tmp_path / "attr.h5"
    path.write_bytes(valid_files["h5"].read_bytes())
    with h5py.File(path, "a") as f:
        del f["seq000000"].attrs["meta"]
    fails(path, "missing attribute 'meta'", "key seq000000/@meta")
    with h5py.File(path, "a") as f:
        del f["seq000000"]
    fails(path, "no sequence")
    empty = tmp_path / "nothing.h5"
    with h5py.File(empty, "w"):
        pass
    fails(empty, "no datasets")


def test_h5_nan_zero_frames_shapes(tmp_path: Path, clip: PoseSequence) -> None:
    path = tmp_path / "n.h5"
    write(path, clip)
    with h5py.File(path, "a") as f:
        data = f["seq000000/data"][()]
        data[3, 10, 1] = np.nan
        del f["seq000000/data"]
        f["seq000000"].create_dataset("data", data=data)
    fails(path, "NaN or infinite", "key seq000000/data, frame 3")
    with h5py.File(path, "a") as f:
        g = f["seq000000"]
        for name in ("data", "confidence", "filled"):
            shape = g[name].shape
            del g[name]
            g.create_dataset(name, shape=(0, *shape[1:]), dtype=bool if name == "filled" else np.float32)
    fails(path, "zero frames", "key seq000000/data")
    p2s = tmp_path / "p2s.h5"
    with h5py.File(p2s, "w") as f:
        f.create_dataset("vid1", data=np.ones((4, 150), np.float32))
        f.create_dataset("vid2", data=np.ones((4, 149), np.float32))
    fails(p2s, "expected (T, 150)", "key vid2")
    with h5py.File(p2s, "w") as f:
        rows = np.ones((4, 150), np.float32)
        rows[2, 7] = np.inf
        f.create_dataset("vid1", data=rows)
        f.create_dataset("empty", data=np.ones((0, 150), np.float32))
    fails(p2s, "zero frames", "key empty")
    with h5py.File(p2s, "w") as f:
        f.create_dataset("vid1", data=rows)
    fails(p2s, "NaN or infinite", "key vid1, frame 2, joint 2")


# ---- .npz (ours and AMASS) ------------------------------------------------------------------------------


def _rewrite_npz(src: Path, dst: Path, drop: str | None = None, **replace) -> Path:
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != drop}
    arrays.update(replace)
    np.savez(dst, **arrays)
    return dst


@pytest.mark.parametrize("key", ["data", "confidence", "filled", "fps", "skeleton", "meta"])
def test_npz_missing_key(tmp_path: Path, valid_files: dict[str, Path], key: str) -> None:
    path = _rewrite_npz(valid_files["npz"], tmp_path / "m.npz", drop=key)
    fails(path, f"missing key '{key}'", f"key {key}")


def test_npz_bad_values(tmp_path: Path, valid_files: dict[str, Path], clip: PoseSequence) -> None:
    data = clip.data.copy()
    data[4, 2, 0] = np.inf
    fails(
        _rewrite_npz(valid_files["npz"], tmp_path / "a.npz", data=data),
        "NaN or infinite",
        "key data, frame 4",
    )
    zero = {
        "data": np.zeros((0, clip.num_joints, 3), np.float32),
        "confidence": np.zeros((0, clip.num_joints)),
        "filled": np.zeros((0, clip.num_joints), bool),
    }
    fails(_rewrite_npz(valid_files["npz"], tmp_path / "b.npz", **zero), "zero frames", "key data")
    fails(
        _rewrite_npz(valid_files["npz"], tmp_path / "c.npz", meta=np.array("{not json")), "JSON", "key meta"
    )
    five = {"data": clip.data[:, :5], "confidence": clip.confidence[:, :5], "filled": np.zeros((6, 5), bool)}
    fails(_rewrite_npz(valid_files["npz"], tmp_path / "d.npz", **five), "5 joints", "586", "key data")
    fails(_rewrite_npz(valid_files["npz"], tmp_path / "e.npz", fps=np.array(-3.0)), "fps", "key fps")
    obj = np.empty(1, dtype=object)
    obj[0] = {"x": 1}
    path = tmp_path / "f.npz"
    with np.load(valid_files["npz"]) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["meta"] = obj
    np.savez(path, **arrays)
    fails(path, "Python objects", "key meta")
    other = tmp_path / "g.npz"
    np.savez(other, something=np.ones(3))
    fails(other, "missing key 'signstudio_format'", "something")


@pytest.mark.parametrize("key", ["poses", "trans", "betas", "mocap_framerate"])
def test_amass_missing_key(tmp_path: Path, valid_files: dict[str, Path], key: str) -> None:
    path = _rewrite_npz(valid_files["amass"], tmp_path / "m.npz", drop=key)
    fails(path, f"missing key '{key}'", f"key {key}", format="amass")
    if key != "poses":
        fails(path, f"missing key '{key}'")  # still sniffed as AMASS by its other keys


def test_amass_bad_values(tmp_path: Path, valid_files: dict[str, Path]) -> None:
    poses = np.zeros((4, 165))
    poses[2, 10] = np.nan
    fails(_rewrite_npz(valid_files["amass"], tmp_path / "a.npz", poses=poses), "NaN", "key poses, frame 2")
    fails(
        _rewrite_npz(valid_files["amass"], tmp_path / "b.npz", poses=np.zeros((4, 100))),
        "100 values",
        "key poses",
    )
    fails(
        _rewrite_npz(
            valid_files["amass"], tmp_path / "c.npz", poses=np.zeros((0, 165)), trans=np.zeros((0, 3))
        ),
        "zero frames",
        "key poses",
    )
    fails(
        _rewrite_npz(valid_files["amass"], tmp_path / "d.npz", trans=np.zeros((3, 3))), "'trans'", "key trans"
    )
    fails(
        _rewrite_npz(valid_files["amass"], tmp_path / "e.npz", mocap_framerate=np.array(0.0)),
        "positive",
        "key mocap_framerate",
    )


# ---- OpenPose folders ---------------------------------------------------------------------------------


def _op_folder(root: Path, frames: int = 5, clip: PoseSequence | None = None) -> Path:
    folder = root / "op"
    folder.mkdir()
    for t in range(frames):
        body = np.ones((25, 3)).ravel().tolist()
        person = {
            "pose_keypoints_2d": body,
            "face_keypoints_2d": [],
            "hand_left_keypoints_2d": [0.5] * 63,
            "hand_right_keypoints_2d": [0.5] * 63,
        }
        (folder / f"vid_{t:012d}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": [person]}))
    return folder


def test_openpose_malformed_json(tmp_path: Path) -> None:
    folder = _op_folder(tmp_path)
    bad = folder / "vid_000000000003_keypoints.json"
    bad.write_text('{"people": [{"pose_keypoints_2d": [1, 2,')
    fails(folder, "malformed JSON", "frame 3", file=bad)
    bad.write_bytes(b"\xff\xfe{}")
    fails(folder, "not UTF-8", "frame 3", file=bad)
    bad.write_text("")
    fails(folder, "empty", "frame 3", file=bad)
    bad.write_text('{"persons": []}')
    fails(folder, "'people'", "frame 3", file=bad)


def test_openpose_bad_values(tmp_path: Path) -> None:
    folder = _op_folder(tmp_path)
    bad = folder / "vid_000000000002_keypoints.json"
    doc = json.loads(bad.read_text())
    doc["people"][0]["hand_left_keypoints_2d"] = [0.5] * 60
    bad.write_text(json.dumps(doc))
    fails(folder, "'hand_left_keypoints_2d' has 60 values", "frame 2, key hand_left_keypoints_2d", file=bad)
    doc["people"][0]["hand_left_keypoints_2d"] = [0.5] * 62 + [float("nan")]
    bad.write_text(json.dumps(doc))  # json writes NaN, and Python's json reads it back
    fails(folder, "NaN or infinite", "frame 2, key hand_left_keypoints_2d, value 63", file=bad)
    doc["people"][0]["hand_left_keypoints_2d"] = [[0.5]] * 63
    bad.write_text(json.dumps(doc))
    fails(folder, "not a flat list of numbers", "frame 2", file=bad)
    doc["people"][0]["pose_keypoints_2d"] = [1.0] * 30
    doc["people"][0]["hand_left_keypoints_2d"] = []
    (folder / "vid_000000000000_keypoints.json").write_text(json.dumps(doc))
    fails(folder, "30 values", "frame 0", file=folder / "vid_000000000000_keypoints.json")


def test_openpose_zero_frames_and_duplicates(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no frames here")
    fails(empty, "zero frames")
    folder = _op_folder(tmp_path, frames=2)
    (folder / "other_000000000001_keypoints.json").write_text('{"people": []}')
    fails(folder, "two files for frame number 1")
    fails(folder / "vid_000000000000_keypoints.json", "not a pose file")


# ---- writers refuse what readers would refuse -----------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(WRITABLE))
def test_writers_refuse_nan_and_zero_frames(tmp_path: Path, clip: PoseSequence, fmt: str) -> None:
    data = clip.data.copy()
    data[2, 0, 0] = np.nan
    bad = clip.replace(data=data, confidence=np.ones_like(clip.confidence))
    target = tmp_path / f"x{WRITABLE[fmt]}"
    with pytest.raises(FormatError, match="NaN or infinite"):
        write(target, bad, format=fmt)
    with pytest.raises(FormatError, match="zero frames"):
        write(target, clip.frames(0, 0), format=fmt)
    assert list(tmp_path.iterdir()) == []


def test_writer_cannot_convert(tmp_path: Path, clip: PoseSequence) -> None:
    smplx = PoseSequence(np.zeros((2, 55, 3)), np.ones((2, 55)), 30.0, get_layout("smplx"))
    with pytest.raises(FormatError, match="cannot write layout smplx as p2s-2025"):
        write(tmp_path / "x.skels", [clip, smplx], format="p2s-2025")
    assert list(tmp_path.iterdir()) == []
