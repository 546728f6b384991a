"""Round trips of every writable format on real lexicon recordings, and the readers' conventions."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose import convert
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import detect, read, read_one, skels, write
from signstudio.pose.formats import h5 as h5mod
from signstudio.pose.formats import npz as npzmod
from signstudio.pose.formats.amass import _mannequin, forward_kinematics, joint_map
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import SMPLX_JOINTS, get_layout

# ---- real recordings ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clips() -> list[PoseSequence]:
    """Two real lexicon recordings (holistic, 3D) from two sign languages, with text/gloss/key."""
    index = lexicon_index()
    chosen, langs = [], set()
    for entry in index:
        if entry.sign_language in langs:
            continue
        langs.add(entry.sign_language)
        seq = read_one(entry.path)
        chosen.append(
            seq.replace(
                meta_update={
                    "text": entry.letter,
                    "gloss": entry.gloss,
                    "key": f"{entry.sign_language}/{entry.path.stem}",
                    "sign_language": entry.sign_language,
                }
            )
        )
        if len(chosen) == 2:
            break
    assert all(s.layout == "holistic" and s.num_frames > 0 for s in chosen)
    return chosen


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


def assert_exact(a: PoseSequence, b: PoseSequence) -> None:
    assert a.skeleton.joints == b.skeleton.joints
    assert np.array_equal(bits(a.data), bits(b.data))
    assert np.array_equal(bits(a.confidence), bits(b.confidence))
    assert a.fps == b.fps


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---- .skels family -------------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["pt-skels", "p2s-legacy"])
def test_skels_151_round_trip_on_real_clips(tmp_path: Path, clips: list[PoseSequence], family: str) -> None:
    path = tmp_path / "train.skels"
    write(path, clips, format=family)
    assert leftovers(tmp_path) == ["train.files", "train.gloss", "train.skels", "train.text"]
    assert detect(path).name == family  # told apart by the counter pattern alone
    got = read(path)
    assert len(got) == 2
    fam = skels.FAMILIES[family]
    for orig, seq in zip(clips, got, strict=True):
        ref = convert.convert(orig, "upper50")
        assert seq.layout == "upper50" and seq.num_frames == ref.num_frames
        # write -> read: presence kept, confidence 1, coordinates within one float32 ulp
        assert np.array_equal(seq.present, ref.present)
        assert set(np.unique(seq.confidence)) <= {0.0, 1.0}
        m = ref.present
        ulp = np.spacing(np.abs(ref.data[m]))
        assert np.all(np.abs(seq.data[m] - ref.data[m]) <= ulp)
        assert np.all(seq.data[~m] == 0)
        assert seq.meta["text"] == orig.meta["text"]
        assert seq.meta["gloss"] == orig.meta["gloss"]
        assert seq.meta["key"] == orig.meta["key"]
        assert seq.meta["format"] == family
        conv = seq.meta["convention"]
        assert conv["layout"] == "upper50" and conv["scale"] == fam.scale and conv["counter"] == fam.counter
        assert "counter_values" not in conv
        assert seq.fps == 25.0 and conv["fps_assumed"] is True
    # read -> write -> read is bit-exact
    again = tmp_path / "again.skels"
    write(again, got, format=family)
    for a, b in zip(got, read(again), strict=True):
        assert_exact(a, b)
        assert a.meta["convention"] == b.meta["convention"]
        assert all(a.meta[k] == b.meta[k] for k in ("text", "gloss", "key"))
    assert path.read_bytes() == again.read_bytes()


def _plain_parse(path: Path) -> list[list[float]]:
    """An independent parser: one line per sequence, whitespace-separated decimal numbers."""
    with open(path, encoding="utf-8") as fh:
        return [[float(tok) for tok in line.split()] for line in fh.read().split("\n") if line.strip()]


@pytest.mark.parametrize(("family", "scale", "first"), [("pt-skels", 3, 0), ("p2s-legacy", 9, 1)])
def test_skels_151_values_match_design(
    tmp_path: Path, clips: list[PoseSequence], family: str, scale: int, first: int
) -> None:
    """DESIGN.md §4: 151 values per frame, joints divided by 3 (legacy 9), counter i/T (legacy 1/T..1)."""
    seq = convert.convert(clips[0], "upper50")
    path = tmp_path / "x.skels"
    write(path, seq, format=family)
    (line,) = _plain_parse(path)
    frames = seq.num_frames
    assert len(line) == 151 * frames
    rows = np.asarray(line).reshape(frames, 151)
    for t in range(frames):
        assert rows[t, 150] == pytest.approx((t + first) / frames, abs=1e-7)
        for j in range(50):
            for c in range(3):
                value = rows[t, j * 3 + c]  # joint-major: x0 y0 z0 x1 y1 z1 ...
                if seq.confidence[t, j] > 0:
                    assert value == pytest.approx(seq.data[t, j, c] / scale, rel=1e-6, abs=1e-9)
                else:
                    assert value == 0.0
    # every value is written as the shortest float32 decimal
    text = path.read_text().split()
    assert all(tok == str(np.float32(tok)) for tok in text[:500])


def test_p2s_2025_values_and_round_trip(tmp_path: Path, clips: list[PoseSequence]) -> None:
    path = tmp_path / "how2sign.skels"
    write(path, clips, format="p2s-2025")
    assert detect(path).name == "p2s-2025"
    got = read(path)
    for orig, seq in zip(clips, got, strict=True):
        ref = skels.to_p2s128(orig)
        assert seq.layout == "p2s128" and seq.num_joints == 128
        # 2D, scale 1: x, y and scores of present points are exact; z is 0; holistic has no face-68
        assert np.array_equal(seq.present, ref.present)
        m = ref.present
        assert np.array_equal(bits(seq.data[..., :2][m]), bits(ref.data[..., :2][m]))
        assert np.array_equal(bits(seq.confidence), bits(ref.confidence))
        assert np.all(seq.data[..., 2] == 0)
        assert not seq.present[:, 60:].any()
        assert seq.meta["convention"]["counter"] == "i/(T-1)" and seq.meta["convention"]["dims"] == 2
    # value for value against an independent reading of the documented block order
    (line, _) = _plain_parse(path)
    ref = skels.to_p2s128(clips[0])
    frames = ref.num_frames
    rows = np.asarray(line).reshape(frames, 385)
    for t in (0, frames // 2, frames - 1):
        xy = np.where(ref.present[t][:, None], ref.data[t, :, :2], 0)
        sc = np.where(ref.present[t], ref.confidence[t], 0)
        expected = np.concatenate(
            [
                xy[:18].ravel(),
                sc[:18],
                xy[18:60].ravel(),
                sc[18:60],
                xy[60:].ravel(),
                sc[60:],
                [t / (frames - 1)],
            ]
        )
        np.testing.assert_allclose(rows[t], expected, rtol=1e-6, atol=1e-9)
    again = tmp_path / "again.skels"
    write(again, got, format="p2s-2025")
    for a, b in zip(got, read(again), strict=True):
        assert_exact(a, b)


def test_p2s_2025_single_frame_counter_is_zero(tmp_path: Path, clips: list[PoseSequence]) -> None:
    one = clips[0].frames(0, 1)
    write(tmp_path / "one.skels", one, format="p2s-2025")
    (line,) = _plain_parse(tmp_path / "one.skels")
    assert len(line) == 385 and line[-1] == 0.0
    assert read_one(tmp_path / "one.skels").num_frames == 1


def test_skels_keeps_non_standard_counters(tmp_path: Path) -> None:
    """A model's predicted counter is kept in meta and written back unchanged."""
    rng = np.random.default_rng(1)
    frames = 6
    values = rng.normal(size=(frames, 150)).astype(np.float32)
    counter = np.array([0.0, 0.1, 0.3, 0.45, 0.7, 0.8], np.float32)
    line = " ".join(str(v) for v in np.concatenate([values, counter[:, None]], axis=1).ravel())
    path = tmp_path / "pred.skels"
    path.write_text(line + "\n")
    seq = read_one(path)
    assert seq.meta["format"] == "pt-skels"
    assert seq.meta["convention"]["counter_values"] == [float(c) for c in counter]
    write(tmp_path / "back.skels", seq, format="pt-skels")
    back = np.asarray(_plain_parse(tmp_path / "back.skels")[0]).reshape(frames, 151)
    assert np.array_equal(back[:, 150].astype(np.float32), counter)
    # the coordinates read back bit for bit (the stored decimals may pick another float32 that
    # gives the same coordinate when multiplied by 3)
    assert_exact(read_one(tmp_path / "back.skels"), seq)
    assert np.all(np.abs(back[:, :150].astype(np.float32) - values) <= np.spacing(np.abs(values)))


def test_skels_zero_joint_is_missing_and_options(tmp_path: Path) -> None:
    frames = 3
    rows = np.ones((frames, 151), np.float32)
    rows[:, 150] = np.arange(frames) / frames
    rows[1, 6:9] = 0.0  # joint 2 of frame 1 (not the neck, PT's root)
    path = tmp_path / "z.skels"
    path.write_text(" ".join(str(v) for v in rows.ravel()) + "\n")
    seq = read_one(path)
    assert seq.confidence[1, 2] == 0 and seq.confidence[0, 2] == 1 and seq.data[0, 0, 0] == 3.0
    assert read_one(path, zeros_missing=False).confidence[1, 2] == 1
    assert (
        read_one(path, fps=50).fps == 50 and read_one(path, fps=50).meta["convention"]["fps_assumed"] is False
    )
    assert read_one(path, format="p2s-legacy").data[0, 0, 0] == 9.0  # forced family, scale 9
    assert read_one(path, scale=2).data[0, 0, 0] == 2.0


def test_legacy_placeholder_is_missing(tmp_path: Path) -> None:
    frames = 2
    rows = np.full((frames, 151), 0.5)
    rows[:, 150] = (np.arange(frames) + 1) / frames
    rows[0, 6:9] = 0.016  # Prompt2Sign's placeholder for zero/NaN
    path = tmp_path / "legacy.skels"
    path.write_text(" ".join(f"{v:.5f}" for v in rows.ravel()) + "\n")
    seq = read_one(path)
    assert seq.meta["format"] == "p2s-legacy"
    assert seq.confidence[0, 2] == 0 and seq.confidence[1, 2] == 1
    assert seq.data[0, 0, 0] == np.float32(4.5)


def test_skels_idempotent_scaling_is_exact() -> None:
    rng = np.random.default_rng(0)
    coords = (rng.standard_normal(200_000) * rng.choice([1e-3, 1.0, 300.0], 200_000)).astype(np.float32)
    for scale in (3.0, 9.0):
        once = skels.decode_scaled(skels.encode_scaled(coords, scale), scale)
        assert np.all(np.abs(once - coords) <= np.spacing(np.abs(coords)))
        twice = skels.decode_scaled(skels.encode_scaled(once, scale), scale)
        assert np.array_equal(bits(once), bits(twice))
        text = skels.format_values(skels.encode_scaled(once, scale))
        parsed = np.array(text.split(), dtype=np.float64).astype(np.float32)
        assert np.array_equal(bits(skels.decode_scaled(parsed, scale)), bits(once))


def test_writing_converts_other_layouts(tmp_path: Path, clips: list[PoseSequence]) -> None:
    p2s = skels.to_p2s128(clips[0])
    write(tmp_path / "a.skels", p2s, format="pt-skels")  # p2s128 -> upper50 via the registered recipe
    seq = read_one(tmp_path / "a.skels")
    ref = convert.convert(p2s, "upper50")
    assert np.array_equal(seq.present, ref.present)
    with pytest.raises(FormatError, match="cannot write layout"):
        write(
            tmp_path / "b.skels",
            clips[0]
            .replace(meta={})
            .frames(0, 2)
            .replace(
                skeleton=get_layout("upper50").subset(["body"])[0],
                data=np.zeros((2, 8, 3)),
                confidence=np.ones((2, 8)),
                filled=np.zeros((2, 8), bool),
            ),
            format="pt-skels",
        )
    assert not (tmp_path / "b.skels").exists()


def test_p2s128_layout() -> None:
    skel = get_layout("p2s128")
    assert skel.layout == "p2s128" and skel.num_joints == 128
    assert {g: len(ix) for g, ix in skel.groups.items()} == {
        "body": 18,
        "left_hand": 21,
        "right_hand": 21,
        "face": 68,
    }
    mirror = skel.mirror
    assert np.array_equal(mirror[mirror], np.arange(128))
    assert skel.joints[mirror[skel.index("BODY_18:LWrist")]] == "BODY_18:RWrist"
    assert skel.joints[mirror[skel.index("LEFT_HAND:THUMB_TIP")]] == "RIGHT_HAND:THUMB_TIP"
    assert convert.can_convert("p2s128", "upper50")
    # COCO-18's first eight points are BODY_25's
    assert skel.component("BODY_18").points[:8] == get_layout("upper50").component("BODY").points


# ---- .h5 -----------------------------------------------------------------------------------------


def test_h5_signstudio_round_trip_is_exact(tmp_path: Path, clips: list[PoseSequence]) -> None:
    filled = np.zeros(clips[1].confidence.shape, bool)
    filled[2, :5] = True
    seqs = [clips[0], clips[1].replace(filled=filled, meta_update={"tuple": [1, 2], "nested": {"a": 1.5}})]
    path = tmp_path / "many.h5"
    write(path, seqs)
    assert detect(path).name == "h5"
    with h5py.File(path, "r") as f:
        assert int(f.attrs["signstudio_format"]) == h5mod.H5_VERSION and int(f.attrs["count"]) == 2
        assert f["seq000001"].attrs["key"] == clips[1].meta["key"]
        assert json.loads(f["seq000000"].attrs["skeleton"])["layout"] == "holistic"
    got = read(path)
    for a, b in zip(seqs, got, strict=True):
        assert_exact(a, b)
        assert a.filled is not None and b.filled is not None and np.array_equal(a.filled, b.filled)
        assert a.skeleton == b.skeleton and a.skeleton.mirror_index == b.skeleton.mirror_index
        assert b.meta == json.loads(json.dumps(a.meta))
    assert read_one(path, key=clips[1].meta["key"]).num_frames == clips[1].num_frames


def test_h5_p2s_2d_round_trip(tmp_path: Path, clips: list[PoseSequence]) -> None:
    path = tmp_path / "p2s.h5"
    write(path, clips, format="h5", variant="p2s-2d")
    with h5py.File(path, "r") as f:
        names = sorted(f)
        assert all(f[n].shape[1] == 150 and f[n].dtype == np.float32 for n in names)
    got = read(path)
    for orig, seq in zip(clips, got, strict=True):
        ref = convert.convert(orig, "upper50")
        m = ref.present & ~((ref.data[..., 0] == 0) & (ref.data[..., 1] == 0))
        assert np.array_equal(seq.present, m)
        assert np.array_equal(bits(seq.data[..., :2][m]), bits(ref.data[..., :2][m]))
        assert np.array_equal(bits(seq.confidence[m]), bits(ref.confidence[m]))
        assert np.all(seq.data[..., 2] == 0)
        assert seq.meta["key"] == orig.meta["key"] and seq.meta["text"] == orig.meta["text"]
        assert seq.fps == orig.fps
    write(tmp_path / "again.h5", got, variant="p2s-2d")
    for a, b in zip(got, read(tmp_path / "again.h5"), strict=True):
        assert_exact(a, b)


def test_h5_reads_upstream_prompt2sign_file(tmp_path: Path) -> None:
    """The layout Prompt2Sign's json2h5 writes: a bare (T, 150) dataset per key, x y likelihood."""
    rng = np.random.default_rng(3)
    rows = rng.uniform(1, 500, size=(5, 150)).astype(np.float32)
    rows[2, 3:6] = 0.0  # joint 1 missing in frame 2
    path = tmp_path / "train.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("-fZc293MpJk_0-1-rgb_front", data=rows, dtype="float32")
    (seq,) = read(path, fps=24)
    assert seq.meta["key"] == "-fZc293MpJk_0-1-rgb_front" and seq.fps == 24
    assert seq.confidence[2, 1] == 0 and seq.confidence[1, 1] == rows[1, 5]
    assert seq.data[0, 1, 0] == rows[0, 3] and seq.data[0, 1, 1] == rows[0, 4] and seq.data[0, 1, 2] == 0
    assert seq.meta["convention"]["fps_assumed"] is False


# ---- .npz ----------------------------------------------------------------------------------------


def test_npz_round_trip_is_exact(tmp_path: Path, clips: list[PoseSequence]) -> None:
    path = tmp_path / "one.npz"
    write(path, clips[0])
    assert detect(path).name == "npz"
    (got,) = read(path)
    assert_exact(clips[0], got)
    assert got.meta == json.loads(json.dumps(clips[0].meta))
    assert got.skeleton == clips[0].skeleton
    # and back to .pose unchanged (meta keeps the .pose convention)
    write(tmp_path / "back.pose", got)
    assert_exact(read_one(tmp_path / "back.pose"), clips[0])
    with pytest.raises(FormatError, match="holds one sequence"):
        write(tmp_path / "two.npz", clips)


def test_npz_refuses_non_json_meta(tmp_path: Path, clips: list[PoseSequence]) -> None:
    with pytest.raises(FormatError, match="JSON"):
        write(tmp_path / "x.npz", clips[0].replace(meta_update={"bad": object()}))
    assert leftovers(tmp_path) == []


# ---- AMASS ---------------------------------------------------------------------------------------


def _amass(path: Path, width: int = 165, frames: int = 5, fps_key: str = "mocap_framerate", **extra) -> Path:
    rng = np.random.default_rng(width)
    poses = rng.normal(scale=0.1, size=(frames, width))
    poses[:, 0:3] = [np.pi / 2, 0, 0]  # AMASS's usual root: model y-up -> world z-up
    trans = np.zeros((frames, 3))
    trans[:, 2] = 0.9
    trans[:, 0] = np.linspace(0, 1, frames)
    arrays = {
        "poses": poses,
        "trans": trans,
        "betas": rng.normal(size=16),
        "gender": np.array("female"),
        fps_key: np.array(60.0),
    }
    arrays.update(extra)
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("fps_key", ["mocap_framerate", "mocap_frame_rate"])
def test_amass_smplx(tmp_path: Path, fps_key: str) -> None:
    path = _amass(tmp_path / "motion.npz", fps_key=fps_key)
    assert detect(path).name == "amass"
    (seq,) = read(path)
    j = {n: i for i, n in enumerate(SMPLX_JOINTS)}
    assert seq.layout == "smplx" and seq.fps == 60.0 and seq.meta["gender"] == "female"
    assert seq.confidence[:, [j["jaw"], j["left_eye_smplhf"], j["right_eye_smplhf"]]].max() == 0
    assert seq.confidence[:, j["left_thumb3"]].min() == 1
    d = seq.data
    # y down: the head is above the pelvis, the feet below; the subject faces the camera, so its
    # left wrist is on the image's right (larger x)
    assert np.all(d[:, j["head"], 1] < d[:, j["pelvis"], 1])
    assert np.all(d[:, j["left_ankle"], 1] > d[:, j["pelvis"], 1])
    assert np.all(d[:, j["left_shoulder"], 0] > d[:, j["right_shoulder"], 0])
    # the pelvis sits at J_pelvis(betas) + trans (SMPL-X), whatever the root rotation
    raw = seq.meta["smplx_params"]
    rest = forward_kinematics(np.zeros((1, 165)), np.zeros((1, 3)), np.asarray(raw["betas"]), "smplx")[0, 0]
    expected = (rest + np.asarray(raw["trans"])) @ np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]]).T
    np.testing.assert_allclose(d[:, j["pelvis"]], expected, atol=1e-5)
    assert np.asarray(raw["poses"]).shape == (5, 165) and raw["model"] == "smplx"
    assert seq.meta["convention"]["fps_key"] == fps_key
    # it travels through our own formats unchanged, parameters included
    write(tmp_path / "copy.npz", seq)
    back = read_one(tmp_path / "copy.npz")
    assert_exact(seq, back)
    assert back.meta["smplx_params"]["poses"] == raw["poses"]


def test_amass_joint_map_covers_smplx_but_jaw_and_eyes() -> None:
    src, dst = joint_map()
    assert len(set(dst.tolist())) == len(dst) == 52
    missing = {SMPLX_JOINTS[i] for i in set(range(55)) - set(dst.tolist())}
    assert missing == {"jaw", "left_eye_smplhf", "right_eye_smplhf"}
    names = _mannequin(True).joint_names
    assert all(
        names[s].lower().replace("l_", "left_").replace("r_", "right_") == SMPLX_JOINTS[d]
        for s, d in zip(src, dst, strict=True)
    )


def test_upper50_to_p2s_2025(tmp_path: Path, clips: list[PoseSequence]) -> None:
    up = convert.convert(clips[0], "upper50")
    write(tmp_path / "u.skels", up, format="p2s-2025")
    seq = read_one(tmp_path / "u.skels")
    back = convert.convert(seq, "upper50")
    assert np.array_equal(back.present, up.present)
    assert np.array_equal(bits(back.data[..., :2][up.present]), bits(up.data[..., :2][up.present]))
    assert not seq.present[:, 8:18].any() and not seq.present[:, 60:].any()


def test_amass_smplh_and_smpl(tmp_path: Path) -> None:
    j = {n: i for i, n in enumerate(SMPLX_JOINTS)}
    smplh = read_one(_amass(tmp_path / "h.npz", width=156))
    assert smplh.meta["convention"]["model"] == "smplh" and smplh.confidence[:, j["left_index1"]].min() == 1
    smpl = read_one(_amass(tmp_path / "s.npz", width=72))
    assert smpl.meta["convention"]["model"] == "smpl"
    assert smpl.confidence[:, j["left_index1"]].max() == 0 and smpl.confidence[:, j["left_wrist"]].min() == 1
    assert read_one(tmp_path / "s.npz", fps=30).fps == 30


# ---- OpenPose ------------------------------------------------------------------------------------


def _openpose_person(body: np.ndarray, face: np.ndarray, left: np.ndarray, right: np.ndarray, dims: int = 2):
    def flat(points: np.ndarray) -> list[float]:
        return [float(v) for v in points.reshape(-1)]

    s = f"_keypoints_{dims}d"
    return {
        "pose" + s: flat(body),
        "face" + s: flat(face),
        "hand_left" + s: flat(left),
        "hand_right" + s: flat(right),
    }


def test_openpose_folder_from_real_clip(tmp_path: Path, clips: list[PoseSequence]) -> None:
    """A BODY_25 folder built from a real recording reads back into openpose137, value for value."""
    up = convert.convert(clips[0], "upper50")
    folder = tmp_path / "clip"
    folder.mkdir()
    for t in range(up.num_frames):
        xyc = np.concatenate([up.data[t, :, :2], up.confidence[t][:, None]], axis=1).astype(np.float64)
        body = np.zeros((25, 3))
        body[:8] = xyc[:8]
        person = _openpose_person(body, np.zeros((70, 3)), xyc[8:29], xyc[29:50])
        people = [] if t == 1 else [person]
        (folder / f"clip_{t:012d}_keypoints.json").write_text(json.dumps({"version": 1.3, "people": people}))
    assert detect(folder).name == "openpose"
    (seq,) = read(folder, fps=30)
    assert seq.layout == "openpose137" and seq.num_frames == up.num_frames and seq.fps == 30
    back = convert.convert(seq, "upper50")
    keep = np.ones(up.num_frames, bool)
    keep[1] = False
    assert not back.present[1].any()  # no people -> all missing
    assert np.array_equal(back.present[keep], up.present[keep])
    m = up.present & keep[:, None]
    np.testing.assert_array_equal(back.data[..., :2][m], up.data[..., :2][m])
    np.testing.assert_array_equal(back.confidence[m], up.confidence[m])
    assert not seq.present[:, 8:25].any() and not seq.present[:, 25:95].any()


def test_openpose_coco18_3d_and_order(tmp_path: Path) -> None:
    folder = tmp_path / "coco"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for number in (10, 2, 5):  # frame order comes from the number in the name
        pts = {k: rng.uniform(1, 100, size=(n, 4)) for k, n in (("b", 18), ("f", 70), ("l", 21), ("r", 21))}
        pts["b"][:, 0] = number
        person = _openpose_person(pts["b"], pts["f"], pts["l"], pts["r"], dims=3)
        (folder / f"v_{number}_keypoints.json").write_text(json.dumps({"people": [person]}))
    (seq,) = read(folder)
    assert seq.layout == "p2s128" and seq.meta["convention"]["dims"] == 3
    assert list(seq.data[:, 0, 0]) == [2, 5, 10]
    assert seq.meta["convention"]["frame_numbers"] == [2, 5, 10]
    assert seq.present.all()


# ---- writers leave nothing behind ----------------------------------------------------------------


def test_failed_skels_write_leaves_nothing(tmp_path: Path, clips: list[PoseSequence], monkeypatch) -> None:
    calls = {"n": 0}
    real = skels._write_text

    def failing(tmp: Path, content: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the .skels and .text are written, then the .gloss fails
            with open(tmp, "w") as fh:
                fh.write(content[: len(content) // 2])
            raise OSError("disk full")
        real(tmp, content)

    monkeypatch.setattr(skels, "_write_text", failing)
    with pytest.raises(FormatError, match="cannot write"):  # an OSError of a write is one line
        write(tmp_path / "x.skels", clips)
    assert leftovers(tmp_path) == []


def test_failed_write_keeps_old_file(tmp_path: Path, clips: list[PoseSequence], monkeypatch) -> None:
    target = tmp_path / "x.h5"
    write(target, clips[0])
    before = target.read_bytes()
    real = h5mod._write_signstudio_group

    def failing(f, index: int, seq: PoseSequence, path: Path) -> None:
        real(f, index, seq, path)
        if index == 1:
            raise RuntimeError("boom in the middle")

    monkeypatch.setattr(h5mod, "_write_signstudio_group", failing)
    with pytest.raises(RuntimeError, match="boom"):
        write(target, clips)
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == ["x.h5"]


def test_failed_npz_write_leaves_nothing(tmp_path: Path, clips: list[PoseSequence], monkeypatch) -> None:
    def failing(fh, **arrays) -> None:
        fh.write(b"PK\x03\x04 partial")
        raise OSError("no space left")

    monkeypatch.setattr(npzmod.np, "savez_compressed", failing)
    with pytest.raises(FormatError, match="cannot write"):
        write(tmp_path / "x.npz", clips[0])
    assert leftovers(tmp_path) == []
