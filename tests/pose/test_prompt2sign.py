"""Prompt2Sign's pipeline: OpenPose JSON folders -> .h5 -> 3D -> .skels, on real lexicon data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus.lexicon import alphabet, load_clip
from signstudio.pose import formats, transforms
from signstudio.pose.errors import FormatError
from signstudio.pose.lifting import UPPER50_STRUCTURE, bone_lengths_3d
from signstudio.pose.prompt2sign import (
    keep_p2s_frames,
    lift_sequences,
    normalisation_3d,
    p2s_rows,
    read_p2s_h5,
    run_pipeline,
    skels_rows,
    split_rows,
    to_upper50,
)
from signstudio.pose.sequence import PoseSequence

PICKS = (("ase", "b"), ("gsg", "h"), ("ukl", "я"))


def upper50_2d(sign_language: str, letter: str) -> PoseSequence:
    """A real lexicon recording in ``upper50``, x and y only (pixels), as OpenPose would see it."""
    seq = to_upper50(load_clip(alphabet(sign_language)[letter]))
    data = seq.data.copy()
    data[..., 2] = 0.0
    return seq.replace(data=data, meta={"key": f"{sign_language}-{letter}"})


def write_openpose_folder(folder: Path, seq: PoseSequence, empty_frames: tuple[int, ...] = ()) -> None:
    """One OpenPose BODY_25 ``*_keypoints.json`` per frame; frames in ``empty_frames`` have nobody."""
    folder.mkdir(parents=True)

    def part(points: np.ndarray, conf: np.ndarray, count: int) -> list[float]:
        out = np.zeros((count, 3))
        out[: len(points), :2] = np.where(conf[:, None] > 0, points[:, :2], 0.0)
        out[: len(points), 2] = conf
        return [float(v) for v in out.ravel()]

    for t in range(seq.num_frames):
        d, c = seq.data[t], seq.confidence[t]
        person = {
            "person_id": [-1],
            "pose_keypoints_2d": part(d[:8], c[:8], 25),
            "face_keypoints_2d": [0.0] * 210,
            "hand_left_keypoints_2d": part(d[8:29], c[8:29], 21),
            "hand_right_keypoints_2d": part(d[29:], c[29:], 21),
        }
        doc = {"version": 1.3, "people": [] if t in empty_frames else [person]}
        (folder / f"{folder.name}_{t:012d}_keypoints.json").write_text(json.dumps(doc))


@pytest.fixture(scope="module")
def clips() -> list[PoseSequence]:
    out = [upper50_2d(sl, letter) for sl, letter in PICKS]
    # detection failures: a few right-hand points of the second clip lost in frames 2..4
    conf = out[1].confidence.copy()
    assert (conf[:, 29:36] > 0).all()
    conf[2:5, 29:36] = 0.0
    data = out[1].data.copy()
    data[2:5, 29:36] = 0.0
    out[1] = out[1].replace(data=data, confidence=conf)
    return out


@pytest.fixture(scope="module")
def json_root(tmp_path_factory, clips) -> Path:
    root = tmp_path_factory.mktemp("openpose")
    for i, seq in enumerate(clips):
        write_openpose_folder(root / "videos" / seq.meta["key"], seq, empty_frames=(1,) if i == 0 else ())
    return root


# ---- the numpy core --------------------------------------------------------------------------


def test_p2s_rows_are_joint_major_x_y_likelihood(clips):
    seq = clips[1]
    rows = p2s_rows(seq)
    assert rows.shape == (seq.num_frames, 150) and rows.dtype == np.float32
    np.testing.assert_array_equal(rows[:, 0::3], np.where(seq.present, seq.data[..., 0], 0))
    np.testing.assert_array_equal(rows[:, 1::3], np.where(seq.present, seq.data[..., 1], 0))
    np.testing.assert_array_equal(rows[:, 2::3], seq.confidence)
    xs, ys, ws = split_rows([rows])
    assert xs[0].shape == ys[0].shape == (seq.num_frames, 50)
    np.testing.assert_array_equal(ys[0], rows[:, 1::3])
    np.testing.assert_array_equal(ws[0], seq.confidence)


def test_keep_p2s_frames_drops_frames_without_a_nose(clips):
    seq = clips[0]
    conf = seq.confidence.copy()
    conf[[0, 3], 0] = 0.0
    kept = keep_p2s_frames(seq.replace(confidence=conf))
    assert kept.num_frames == seq.num_frames - 2 and kept.meta["dropped_frames"] == 2


def test_skels_rows_conventions(clips):
    seq = lift_sequences([clips[0]], seed=0).sequences[0]
    legacy, pt = skels_rows(seq, "legacy"), skels_rows(seq, "pt")
    T = seq.num_frames
    assert legacy.shape == pt.shape == (T, 151)
    np.testing.assert_allclose(legacy[:, 150], np.arange(1, T + 1) / T)
    np.testing.assert_allclose(pt[:, 150], np.arange(T) / T)
    np.testing.assert_allclose(legacy[:, :150] * 9, seq.data.reshape(T, 150), rtol=1e-6)
    np.testing.assert_allclose(pt[:, :150] * 3, seq.data.reshape(T, 150), rtol=1e-6)
    with pytest.raises(ValueError):
        skels_rows(seq, "other")


def test_lift_sequences_neck_normalisation(clips):
    res = lift_sequences(clips, seed=3)
    assert len(res.sequences) == len(clips) and not res.skipped
    for seq, src in zip(res.sequences, clips, strict=True):
        assert seq.layout == "upper50" and seq.num_frames == src.num_frames and seq.fps == src.fps
        assert seq.meta["key"] == src.meta["key"] and seq.meta["lifting"]["sigma"] == 0.001
        # neck at the origin, shoulder width 1, as transforms.normalise defines them
        origin, scale = transforms.normalisation_of(seq)
        np.testing.assert_allclose(origin, 0.0, atol=1e-5)
        assert scale == pytest.approx(1.0, rel=1e-5)
    lifted = res.lifting
    assert lifted is not None
    for i, (seq, src) in enumerate(zip(res.sequences, clips, strict=True)):
        # undone, it gives back the lifting's own numbers
        back = transforms.denormalise(seq)
        np.testing.assert_allclose(
            back.data[seq.present], lifted.Y[i, : seq.num_frames][seq.present], rtol=1e-5, atol=1e-5
        )
        # missing stays missing (or is marked filled); measured points keep their likelihood
        assert not seq.present[~src.present & ~seq.filled].any()
        np.testing.assert_array_equal(seq.confidence[src.present], src.confidence[src.present])
    # points lost in a few frames are filled (marked), with their joint's mean likelihood
    filled = res.sequences[1].filled
    assert filled[2:5, 29:36].all() and filled.sum() == 21
    conf = res.sequences[1].confidence
    src_conf = clips[1].confidence
    np.testing.assert_allclose(conf[3, 29:36], src_conf[src_conf[:, 30] > 0, 29:36].mean(axis=0), rtol=1e-6)
    # the batch statistics are those of transforms.normalisation_of
    T = max(s.num_frames for s in res.sequences) + 3
    Y = np.stack([np.pad(s.data, ((0, T - s.num_frames), (0, 0), (0, 0))) for s in res.sequences])
    present = np.stack([np.pad(s.present, ((0, T - s.num_frames), (0, 0))) for s in res.sequences])
    o3, s3, ok = normalisation_3d(Y, present)
    assert ok.all()
    for i, s in enumerate(res.sequences):
        o, sc = transforms.normalisation_of(s)
        np.testing.assert_allclose(o3[i], o, atol=1e-6)
        assert s3[i] == pytest.approx(sc, rel=1e-6)


def test_lifted_bones_keep_one_length_per_clip(clips):
    res = lift_sequences(clips, seed=0)
    for seq in res.sequences:
        lengths = bone_lengths_3d(seq.data.astype(np.float64), UPPER50_STRUCTURE)  # (T, B)
        ok = np.array([seq.present[:, a] & seq.present[:, b] for a, b, _ in UPPER50_STRUCTURE]).T
        for bone in range(len(UPPER50_STRUCTURE)):
            vals = lengths[ok[:, bone], bone]
            if len(vals):
                np.testing.assert_allclose(vals, vals[0], rtol=1e-4)


def test_lift_sequences_is_seeded(clips):
    a = lift_sequences(clips, seed=5, sigma=0.05)
    b = lift_sequences(clips, seed=5, sigma=0.05)
    c = lift_sequences(clips, seed=6, sigma=0.05)
    for x, y, z in zip(a.sequences, b.sequences, c.sequences, strict=True):
        np.testing.assert_array_equal(x.data, y.data)
        assert not np.array_equal(x.data, z.data)


def test_p2s_normalisation_option(clips):
    res = lift_sequences(clips[:1], seed=0, normalisation="p2s")
    seq = res.sequences[0]
    assert "normalisation" not in seq.meta
    norm = seq.meta["lifting"]["input_normalisation"]
    assert norm["kind"] == "p2s" and norm["scale"] > 1  # pixels -> about unit spread
    assert np.abs(seq.data[seq.present][:, :2]).max() < 10
    with pytest.raises(ValueError):
        lift_sequences(clips, normalisation="other")


def test_clip_without_shoulders_is_skipped(clips):
    bad = clips[0].copy()
    conf = bad.confidence.copy()
    conf[:, [2, 5]] = 0.0
    bad = bad.replace(confidence=conf, meta_update={"key": "no-shoulders"})
    res = lift_sequences([bad, clips[1]], seed=0)
    assert [s.meta["key"] for s in res.sequences] == [clips[1].meta["key"]]
    assert res.skipped == [("no-shoulders", "no frame with both shoulders apart")]


# ---- files: the whole pipeline ------------------------------------------------------------------


def test_pipeline_end_to_end(json_root, clips, tmp_path):
    out = tmp_path / "out" / "train.skels"
    out.parent.mkdir()  # writers never create a missing folder
    calls = []
    summary = run_pipeline(json_root, out, seed=0, progress=lambda *a: calls.append(a))
    keys = sorted(s.meta["key"] for s in clips)
    assert summary["clips"] == 3 and sorted(summary["keys"]) == keys
    dropped = {s.meta["key"]: set(np.flatnonzero(s.confidence[:, 0] <= 0)) for s in clips}
    dropped[clips[0].meta["key"]].add(1)  # the frame with nobody
    assert summary["frames"] == sum(s.num_frames - len(dropped[s.meta["key"]]) for s in clips)
    assert {c[0] for c in calls} == {"json to h5", "h5 to 3D", "3D to skels"}
    assert summary["format"] == "p2s-legacy" and summary["skipped"] == []
    assert summary["filled_points"] == 21

    # step (a): one (T, 150) dataset per folder, as Prompt2Sign stores it
    h5 = Path(summary["h5"])
    assert h5 == out.with_suffix(".h5") and h5.exists()
    two_d = {s.meta["key"]: s for s in read_p2s_h5(h5)}
    assert sorted(two_d) == keys
    for src in clips:
        want = np.delete(p2s_rows(src), sorted(dropped[src.meta["key"]]), axis=0)
        np.testing.assert_array_equal(p2s_rows(two_d[src.meta["key"]]), want)

    # steps (b) and (c): the .skels line of each clip is its lifted sequence (float32 text)
    lifted = {s.meta["key"]: s for s in lift_sequences(read_p2s_h5(h5), seed=0).sequences}
    skels = formats.read(out)
    assert [s.meta["format"] for s in skels] == ["p2s-legacy"] * 3
    assert out.with_suffix(".files").read_text().split() == summary["keys"]
    for s in skels:
        ref = lifted[s.meta["key"]]
        assert s.num_frames == ref.num_frames
        np.testing.assert_array_equal(s.present, ref.present)
        np.testing.assert_allclose(s.data, ref.data, rtol=1e-6, atol=1e-6)
        rows = skels_rows(ref, "legacy")
        first = out.read_text().splitlines()[summary["keys"].index(s.meta["key"])].split()
        assert len(first) == 151 * ref.num_frames
        assert float(first[150]) == pytest.approx(rows[0, 150])


def test_pipeline_from_h5_is_deterministic_and_pt_counter(json_root, tmp_path):
    for name in "abcd":
        (tmp_path / name).mkdir()  # writers never create a missing folder
    first = run_pipeline(json_root, tmp_path / "a" / "x.skels", seed=1)
    again = run_pipeline(first["h5"], tmp_path / "b" / "x.skels", seed=1)
    other = run_pipeline(first["h5"], tmp_path / "c" / "x.skels", seed=2, sigma=0.05)
    text = (tmp_path / "a" / "x.skels").read_text()
    assert text == (tmp_path / "b" / "x.skels").read_text()
    assert text != (tmp_path / "c" / "x.skels").read_text()
    assert again["clips"] == other["clips"] == 3 and "json to h5" not in again["seconds"]
    pt = run_pipeline(first["h5"], tmp_path / "d" / "x.skels", seed=1, counter="pt")
    assert pt["format"] == "pt-skels"
    seqs = formats.read(tmp_path / "d" / "x.skels")
    assert seqs[0].meta["format"] == "pt-skels" and seqs[0].meta["convention"]["counter"] == "i/T"
    legacy = formats.read(tmp_path / "a" / "x.skels")
    for a, b in zip(seqs, legacy, strict=True):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError):
        run_pipeline(first["h5"], tmp_path / "e" / "x.skels", counter="nine")


def test_pipeline_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="no OpenPose"):
        run_pipeline(tmp_path / "empty", tmp_path / "x.skels")
    assert not (tmp_path / "x.skels").exists() and not (tmp_path / "x.h5").exists()


def test_folder_without_a_person_is_skipped(clips, tmp_path):
    root = tmp_path / "json"
    write_openpose_folder(root / "good", clips[2])
    write_openpose_folder(root / "nobody", clips[2].frames(0, 4), empty_frames=(0, 1, 2, 3))
    summary = run_pipeline(root, tmp_path / "out.skels", seed=0)
    assert summary["keys"] == ["good"]
    assert summary["skipped"] == [{"key": "nobody", "reason": "no frame with a detected nose"}]
    with pytest.raises(FormatError, match="no folder"):
        run_pipeline(root / "nobody", tmp_path / "none.skels")
