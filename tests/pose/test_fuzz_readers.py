"""Random and mutated bytes through ``signstudio.pose.formats.read``: only FormatError may come out.

The mutations start from real, valid files of every readable format (written from a lexicon
recording), so they reach deep into each reader. Whatever is read must be a valid sequence:
at least one frame, finite coordinates and confidences.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signstudio.pose.errors import FormatError
from signstudio.pose.formats import read
from tests.hostile.fuzz_downstream import build_samples

EXAMPLES = int(os.environ.get("SIGNSTUDIO_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FILE_FORMATS = ["pt-skels", "p2s-legacy", "p2s-2025", "h5", "npz", "amass", "pose"]
_counter = itertools.count()


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One valid file (or folder) per readable format, from a real lexicon recording (the first
    of `build_samples`, which the downstream fuzz shares)."""
    return {fmt: paths[0] for fmt, paths in build_samples(tmp_path_factory.mktemp("samples")).items()}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def only_format_errors(path: Path, fmt: str | None) -> None:
    try:
        seqs = read(path, format=fmt)
    except FormatError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for seq in seqs:
        assert seq.num_frames > 0
        assert np.isfinite(seq.data).all() and np.isfinite(seq.confidence).all()


def fresh(scratch: Path, suffix: str) -> Path:
    # A new name per example: nothing cached about an earlier example's file can apply.
    return scratch / f"f{next(_counter):06d}{suffix}"


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "delete", "insert", "duplicate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[at] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            size = draw(st.integers(1, 256))
            data[at:at] = data[at : at + size]
    return bytes(data)


@FUZZ
@given(st.data())
def test_mutated_files(samples: dict[str, Path], scratch: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(k for k in samples if k != "openpose")), label="sample")
    src = samples[name]
    path = fresh(scratch, src.suffix)
    path.write_bytes(data.draw(mutated(src.read_bytes()), label="bytes"))
    fmt = data.draw(st.sampled_from([None, None, *FILE_FORMATS]), label="format")
    only_format_errors(path, fmt)


@FUZZ
@given(
    st.binary(max_size=4096),
    st.sampled_from([b"", b"\x89HDF\r\n\x1a\n", b"PK\x03\x04", b"\xcd\xcc\x4c\x3e", b"0.0 "]),
    st.sampled_from([".skels", ".h5", ".npz", ".pose", ".json", ""]),
    st.sampled_from([None, *FILE_FORMATS]),
)
def test_random_bytes(scratch: Path, noise: bytes, magic: bytes, suffix: str, fmt: str | None) -> None:
    path = fresh(scratch, suffix)
    path.write_bytes(magic + noise)
    only_format_errors(path, fmt)


@st.composite
def numeric_text(draw: st.DrawFn) -> bytes:
    """Text that looks like a .skels line: numbers (and the odd non-number) separated by spaces."""
    tokens = draw(
        st.lists(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True, width=32).map(str),
                st.integers(-(10**40), 10**40).map(str),
                st.sampled_from(["0", "0.0", "-0", "1e-45", "3.4e38", "nan", "", "x", "\t", "\n"]),
            ),
            max_size=800,
        )
    )
    return " ".join(tokens).encode()


@FUZZ
@given(numeric_text(), st.sampled_from([None, "pt-skels", "p2s-legacy", "p2s-2025"]))
def test_numeric_text(scratch: Path, text: bytes, fmt: str | None) -> None:
    path = fresh(scratch, ".skels")
    path.write_bytes(text)
    only_format_errors(path, fmt)


@settings(FUZZ, max_examples=max(10, EXAMPLES // 2))
@given(st.data())
def test_mutated_openpose_frame(samples: dict[str, Path], scratch: Path, data: st.DataObject) -> None:
    folder = scratch / f"op{next(_counter):06d}"
    shutil.copytree(samples["openpose"], folder)
    frames = sorted(folder.iterdir())
    victim = frames[data.draw(st.integers(0, len(frames) - 1), label="frame")]
    victim.write_bytes(data.draw(mutated(victim.read_bytes()), label="bytes"))
    only_format_errors(folder, data.draw(st.sampled_from([None, "openpose"]), label="format"))
