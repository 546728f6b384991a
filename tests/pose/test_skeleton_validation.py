"""`validate_skeleton` and `Skeleton.from_dict`: what a skeleton must be before anything uses it,
and every reader refusing a file whose skeleton is not (tests/hostile/cases_*.py, read in-process).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from signstudio.pose.errors import LIBRARY_TEXT, WHOLE_FILE, FormatError, SkeletonError, in_our_words
from signstudio.pose.formats import read
from signstudio.pose.skeleton import (
    FAMILY_LAYOUTS,
    LAYOUTS,
    Component,
    Skeleton,
    get_layout,
    validate_skeleton,
)
from tests.hostile import cases_messages, cases_skeleton

REPO = Path(__file__).resolve().parents[2]
HAND = get_layout("upper50").component("LEFT_HAND")


@pytest.mark.parametrize("name", LAYOUTS + FAMILY_LAYOUTS)
def test_every_named_layout_is_valid(name: str) -> None:
    validate_skeleton(get_layout(name), get_layout(name).num_joints)


def test_every_real_file_reads() -> None:
    files = sorted((REPO / "tests/data").rglob("*.pose")) + sorted((REPO / "tests/data").rglob("*.skels"))
    assert len(files) >= 7
    for f in files:
        for seq in read(f):
            validate_skeleton(seq.skeleton, seq.num_joints)


def _skel(limbs=HAND.limbs, links=(), mirror=(), name="HAND", group="left_hand") -> Skeleton:
    comp = Component(name, HAND.points, tuple(limbs), group=group)
    return Skeleton("custom", (comp,), tuple(mirror), tuple(links))


@pytest.mark.parametrize(
    ("skel", "problem", "where"),
    [
        (_skel(limbs=[(0, 1), (2, 21)]), "joins point 21, outside 0..20", "component 'HAND', limb 1"),
        (_skel(limbs=[(-1, 3)]), "joins point -1, outside 0..20", "component 'HAND', limb 0"),
        (_skel(limbs=[(0, 1), (5, 5)]), "joins point 5 to itself", "component 'HAND', limb 1"),
        (_skel(links=[(0, 40)]), "joins joint 40, outside 0..20", "link 0"),
        (_skel(links=[(3, 3)]), "joins joint 3 to itself", "link 0"),
        (_skel(mirror=range(20)), "mirror map has 20 entries for 21 joints", "mirror map"),
        (_skel(mirror=[21, *range(1, 21)]), "joint 0 mirrors to 21, not a joint", "mirror map, joint 0"),
        (
            _skel(mirror=[1, 2, 0, *range(3, 21)]),
            "mirroring twice does not give joint 0 back",
            "mirror map, joint 0",
        ),
        (_skel(group="hands"), "unknown group 'hands'", "component 'HAND'"),
        (_skel(name="\udcb9"), "no UTF-8 form", "component 0, name"),
    ],
)
def test_invalid_skeletons_name_their_place(skel: Skeleton, problem: str, where: str) -> None:
    with pytest.raises(SkeletonError) as info:
        validate_skeleton(skel)
    assert problem in info.value.problem
    assert info.value.where == where


def test_joint_count_must_match_the_data() -> None:
    with pytest.raises(SkeletonError, match="has 21 joints but the data has 50"):
        validate_skeleton(_skel(), 50)


def test_repeated_names_mirror_to_themselves() -> None:
    # A file with a repeated point name: the mirror by name stays a permutation (its own inverse)
    points = ("LEFT_WRIST", "LEFT_WRIST", "RIGHT_WRIST", "NOSE")
    skel = Skeleton("custom", (Component("BODY", points, ((0, 3),)),))
    m = skel.mirror
    assert np.array_equal(m[m], np.arange(4))
    assert m.tolist() == [0, 1, 2, 3]
    validate_skeleton(skel)


@pytest.mark.parametrize(
    ("d", "where"),
    [
        ([], "skeleton"),
        ({"layout": "x"}, "skeleton, field 'components'"),
        ({"layout": "x", "components": [{"name": "A", "points": [1, 2]}]}, "skeleton, component 'A'"),
        (
            {"layout": "x", "components": [{"name": "A", "points": ["a"], "limbs": [[0, 1.5]]}]},
            "skeleton, component 'A', limb 0",
        ),
        (
            {"layout": "x", "components": [{"name": "A", "points": ["a"]}], "mirror": ["0"]},
            "skeleton, field 'mirror'",
        ),
    ],
)
def test_from_dict_refuses_what_is_not_a_skeleton(d: object, where: str) -> None:
    with pytest.raises(SkeletonError) as info:
        Skeleton.from_dict(d)  # type: ignore[arg-type]
    assert info.value.where == where


def test_library_exceptions_in_our_words(tmp_path: Path) -> None:
    import struct
    import zlib

    path = tmp_path / "x.npz"
    for exc, words in (
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not valid UTF-8 text"),
        (struct.error("unpack requires a buffer of 4 bytes"), "ends early or a binary field is malformed"),
        (zlib.error("Error -3 while decompressing data"), "compressed data is damaged"),
        (KeyError("poses"), "required field 'poses' is missing"),
        (MemoryError(), "too large to read"),
    ):
        err = in_our_words(path, exc)
        assert words in str(err) and not LIBRARY_TEXT.search(str(err)), err
        assert err.where
    try:
        try:
            raise zlib.error("Error -3 while decompressing data: invalid distance")
        except zlib.error as exc:
            raise FormatError(path, f"corrupt array (error: {exc})", "key data") from None
    except FormatError as wrapped:  # a reader wrapped the library's text: the place stays
        err = in_our_words(path, wrapped)
    assert str(err) == f"{path}: compressed data is damaged (at key data)"


CASES = {**cases_skeleton.CASES, **cases_messages.CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_cases_are_refused_in_our_words(name: str, tmp_path: Path) -> None:
    path = CASES[name](tmp_path)
    with pytest.raises(FormatError) as info:
        read(path)
    err = info.value
    text = str(err)
    assert "\n" not in text and str(path.with_suffix("") if path.is_file() else path) in text
    assert not LIBRARY_TEXT.search(text), text
    assert err.where and err.where != WHOLE_FILE, text
    if name in cases_skeleton.CASES:
        assert "the skeleton is not valid" in err.problem
        assert err.where.startswith(("header", "skeleton", "key")), text
