"""Readers bound memory and time by what a file of its size can hold (`signstudio.pose.limits`).

Bombs are built here by code from the real pose-format recording; memory is measured in-process
with tracemalloc (numpy reports its buffers to it), so "refused before unpacking" is checked, not
assumed. The CLI-level bounds (subprocess, peak RSS, wall time) are in tests/hostile.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from signstudio.pose import formats, limits
from signstudio.pose.errors import FormatError
from signstudio.pose.formats import _bvh_parse
from signstudio.pose.sequence import PoseSequence

REAL = Path(__file__).resolve().parents[1] / "data" / "pose-format" / "openpose.pose"
MB = 1 << 20


@pytest.fixture(scope="module")
def real() -> PoseSequence:
    return formats.read_one(REAL)


@pytest.fixture
def real_npz(real: PoseSequence, tmp_path: Path) -> Path:
    path = tmp_path / "real.npz"
    formats.write(path, real)
    return path


def refused_within(fn: Callable[[], Any], limit_bytes: int) -> FormatError:
    """The FormatError ``fn`` raises, having allocated less than ``limit_bytes`` on the way."""
    tracemalloc.start()
    try:
        with pytest.raises(FormatError) as info:
            fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit_bytes, f"peak {peak / MB:.1f} MB before refusing: {info.value}"
    return info.value


def npy(shape: tuple[int, ...], descr: str) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def repack(src: Path, dst: Path, method: int, replace: dict[str, tuple[bytes, int]] | None = None) -> Path:
    """``src``'s members compressed by ``method``; ``replace``: member -> (npy header, zero bytes)."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            key = item.filename.removesuffix(".npy")
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            with zout.open(info, "w", force_zip64=True) as fh:
                if key in replace:
                    header, zeros = replace[key]
                    fh.write(header)
                    for _ in range(zeros // MB):
                        fh.write(bytes(MB))
                else:
                    fh.write(zin.read(item))
    return dst


METHODS = {"stored": zipfile.ZIP_STORED, "deflate": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2,
           "lzma": zipfile.ZIP_LZMA}  # fmt: skip


# ---- the limits themselves --------------------------------------------------------------------


def test_budget_scales_with_the_file_and_names_the_limit(tmp_path: Path) -> None:
    assert limits.byte_budget(17_000) == 32 * MB  # the floor
    assert limits.byte_budget(10 * MB) == 640 * MB  # 64x
    assert limits.byte_budget(1 << 40) == limits.MAX_BUDGET
    budget = limits.Budget(tmp_path / "x.npz", 17_000)
    budget.take(20 * MB, "member 'a'")
    with pytest.raises(FormatError) as info:
        budget.take(20 * MB, "member 'poses'", "key poses")
    assert str(info.value) == (
        f"{tmp_path / 'x.npz'}: member 'poses' would decompress beyond 32 MB (the limit for a 17 KB file)"
        " (at key poses)"
    )
    with pytest.raises(FormatError, match=r"has 5000 joints per frame, more than the 4096"):
        limits.check_points("x", 1, 5000)
    with pytest.raises(FormatError, match=r"holds 1000000 frames of 100 joints, more than the 64 million"):
        limits.check_points("x", 1_000_000, 100)


# ---- .npz: members unpacked step by step within the budget ------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_npz_reads_exactly_with_every_zip_compression(real_npz: Path, tmp_path: Path, method: str) -> None:
    """The step-by-step unpacker gives the bytes zipfile gives, for each method a zip may use."""
    want = formats.read_one(real_npz)
    got = formats.read_one(repack(real_npz, tmp_path / f"{method}.npz", METHODS[method]))
    assert np.array_equal(got.data, want.data) and np.array_equal(got.confidence, want.confidence)
    assert np.array_equal(got.filled, want.filled) and got.meta == want.meta and got.fps == want.fps


@pytest.mark.parametrize("method", ["deflate", "bzip2", "lzma"])
def test_npz_bomb_is_refused_before_unpacking(real_npz: Path, tmp_path: Path, method: str) -> None:
    frames = (64 * MB) // (137 * 12)  # 64 MB of zeros: twice the budget of a small file
    header = npy((frames, 137, 3), "<f4")
    bomb = repack(real_npz, tmp_path / "bomb.npz", METHODS[method], {"data": (header, frames * 137 * 12)})
    assert bomb.stat().st_size < 2 * MB
    # 16 MB: lzma's own dictionary is 8 MB; unpacking would take 64
    err = refused_within(lambda: formats.read(bomb), 16 * MB)
    assert "member 'data' would decompress beyond 32 MB" in str(err) and err.where == "key data"


def test_npz_member_longer_than_its_array_is_refused_unread(real_npz: Path, tmp_path: Path) -> None:
    """An .npy header declaring a small array at the head of a huge member: never unpacked."""
    header = npy((93, 137, 3), "<f4")
    bomb = repack(real_npz, tmp_path / "long.npz", zipfile.ZIP_BZIP2, {"data": (header, 64 * MB)})
    err = refused_within(lambda: formats.read(bomb), 8 * MB)
    assert "member 'data' holds" in str(err) and "its array needs" in str(err)


def test_npz_changed_byte_fails_the_checksum(real_npz: Path, tmp_path: Path) -> None:
    stored = repack(real_npz, tmp_path / "stored.npz", zipfile.ZIP_STORED)
    raw = bytearray(stored.read_bytes())
    with zipfile.ZipFile(stored) as zf:
        info = zf.getinfo("data.npy")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size // 2
    raw[at] ^= 0x40
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(bytes(raw))
    with pytest.raises(FormatError, match=r"member 'data' is damaged: its checksum does not match") as err:
        formats.read(damaged)
    assert err.value.where == "key data"


def test_amass_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    frames = 32_000  # (F, 165) float64: 42 MB of zero pose in ~1 KB
    path = tmp_path / "amass.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("poses.npy", npy((frames, 165), "<f8") + bytes(frames * 165 * 8))
        zf.writestr("trans.npy", npy((frames, 3), "<f8") + bytes(frames * 3 * 8))
        zf.writestr("betas.npy", npy((10,), "<f8") + bytes(80))
        zf.writestr("mocap_framerate.npy", npy((), "<f8") + np.float64(120).tobytes())
    err = refused_within(lambda: formats.read(path), 8 * MB)
    assert "member 'poses' would decompress beyond 32 MB" in str(err) and err.where == "key poses"


# ---- .h5: shapes checked before reading -------------------------------------------------------


def _gzip_zero_chunks(ds: Any, chunk: tuple[int, ...], dtype: str) -> None:
    packed = zlib.compress(bytes(int(np.prod(chunk)) * np.dtype(dtype).itemsize), 9)
    for start in range(0, ds.shape[0], chunk[0]):
        ds.id.write_direct_chunk((start, *([0] * (len(chunk) - 1))), packed)


def test_prompt2sign_h5_bomb_is_refused_before_reading(real: PoseSequence, tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "p2s.h5"
    formats.write(path, real, variant="p2s-2d")
    with h5py.File(path, "a") as f:  # 120 MB of gzip'd zeros in ~0.1 MB
        ds = f.create_dataset(
            "bomb", shape=(200_000, 150), chunks=(8192, 150), dtype="f4", compression="gzip"
        )
        _gzip_zero_chunks(ds, (8192, 150), "f4")
    err = refused_within(lambda: formats.read(path), 8 * MB)
    assert "dataset 'bomb' would decompress beyond 32 MB" in str(err) and err.where == "key bomb"


def test_h5_unwritten_chunks_are_refused(real: PoseSequence, tmp_path: Path) -> None:
    """An uncompressed dataset bigger than the file (its chunks never written: fill values)."""
    import h5py

    path = tmp_path / "ours.h5"
    formats.write(path, real)
    with h5py.File(path, "a") as f:
        f.attrs["count"] = 2
        g = f.create_group("seq000001")
        for key, value in f["seq000000"].attrs.items():
            g.attrs[key] = value
        g.create_dataset("data", shape=(100_000, 137, 3), chunks=(1024, 137, 3), dtype="f4")
    err = refused_within(lambda: formats.read(path), 8 * MB)
    assert "dataset claims 157 MB, more than the file can hold" in str(err)
    assert err.where == "key seq000001/data"


def test_prompt2sign_lifting_batch_is_bounded(real: PoseSequence, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from signstudio.pose import prompt2sign

    path = tmp_path / "two.h5"
    clips = [real.replace(meta_update={"key": k}) for k in ("a", "b")]
    formats.write(path, clips, variant="p2s-2d")
    monkeypatch.setattr(limits, "MAX_POINTS", 2 * real.num_frames * 50 - 1)
    with pytest.raises(FormatError, match=r"lifting pads its 2 clips to the longest \(93 frames\)"):
        prompt2sign.run_pipeline(path, tmp_path / "out.skels")
    assert not (tmp_path / "out.skels").exists()


# ---- BVH: linear parsing, joint and frame caps -------------------------------------------------


def _chain(joints: int, frames: int) -> str:
    """A chain of ``joints`` joints each under the previous one (3 rotation channels each)."""
    head = ["HIERARCHY", "ROOT j0", "{", "OFFSET 0 0 0", "CHANNELS 6 Xposition Yposition Zposition "
            "Zrotation Xrotation Yrotation"]  # fmt: skip
    body = [
        f"JOINT j{k}\n{{\nOFFSET 0 1 0\nCHANNELS 3 Zrotation Xrotation Yrotation" for k in range(1, joints)
    ]
    tail = ["End Site", "{", "OFFSET 0 1 0", "}"] + ["}"] * joints
    row = " ".join(["0"] * (6 + 3 * (joints - 1)))
    return (
        "\n".join([*head, *body, *tail, "MOTION", f"Frames: {frames}", "Frame Time: 0.04", *[row] * frames])
        + "\n"
    )


def test_bvh_deep_chain_reads_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "chain.bvh"
    path.write_text(_chain(3000, 2))
    seq = formats.read_one(path)
    assert seq.data.shape == (2, 3000, 3)
    assert np.allclose(seq.data[:, -1], [0.0, -2999.0, 0.0])  # straight up (y is flipped back to down)


def test_bvh_too_many_joints_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "many.bvh"
    path.write_text(_chain(limits.MAX_JOINTS + 1, 1))
    with pytest.raises(FormatError, match=r"more than 4096 joints") as err:
        formats.read(path)
    assert err.value.where == f"line {6 + 4 * (limits.MAX_JOINTS - 1)}"  # the 4097th JOINT


def test_bvh_frames_beyond_what_the_text_holds(tmp_path: Path) -> None:
    """Joints without channels cost no motion bytes: frames x joints is bounded by the size."""
    joints = "\n".join(f"JOINT j{k}\n{{\nOFFSET 0 1 0\n}}" for k in range(500))
    frames = 5000
    text = f"HIERARCHY\nROOT r\n{{\nOFFSET 0 0 0\nCHANNELS 1 Xposition\n{joints}\n}}\nMOTION\n"
    path = tmp_path / "frames.bvh"
    path.write_text(text + f"Frames: {frames}\nFrame Time: 0.04\n" + "0\n" * frames)
    frames_line = text.count("\n") + 1
    err = refused_within(lambda: formats.read(path), 8 * MB)
    assert "declares 5000 frames of 501 joints (2505000 joint-frames)" in str(err)
    assert err.where == f"line {frames_line}"


def test_bvh_forward_kinematics_in_chunks_is_exact(real: PoseSequence, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "real.bvh"
    formats.write(path, real)
    whole = formats.read_one(path)
    monkeypatch.setattr(_bvh_parse, "_FK_POINTS", 2000)  # ~10 frames of the 171-joint rig per chunk
    chunked = formats.read_one(path)
    assert np.array_equal(whole.data, chunked.data)
