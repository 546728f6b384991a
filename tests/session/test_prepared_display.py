"""`prepare_display`: a result's display geometry made off the GUI thread, then taken as it is."""

from __future__ import annotations

import dataclasses
import gc
import threading

import numpy as np

from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose.formats import read_one
from signstudio.session import geometry
from signstudio.session.geometry import display_skeleton, prepare_display


def _fields(disp: geometry.DisplaySkeleton) -> dict[str, object]:
    return {f.name: getattr(disp, f.name) for f in dataclasses.fields(disp) if f.name != "seq"}


def _assert_same(a: geometry.DisplaySkeleton, b: geometry.DisplaySkeleton) -> None:
    fa, fb = _fields(a), _fields(b)
    assert fa.keys() == fb.keys()
    for name in fa:
        if isinstance(fa[name], np.ndarray):
            np.testing.assert_array_equal(fa[name], fb[name], err_msg=name)
        else:
            assert fa[name] == fb[name], name


def test_prepared_on_another_thread_draws_the_same_and_is_taken_once() -> None:
    entries = lexicon_index()
    seq, ref = read_one(entries[0].path), read_one(entries[1].path)
    colors = {"body": (10, 20, 30)}
    plain = display_skeleton(seq, colors)
    worker = threading.Thread(target=prepare_display, args=(seq, None, ref))
    worker.start()
    worker.join()
    shape = geometry._PREPARED[seq]
    prepared = display_skeleton(seq, colors)
    assert prepared.matrix is shape.matrix  # the worker's arrays, not computed again
    _assert_same(prepared, plain)
    np.testing.assert_allclose(
        prepared.rgb[seq.skeleton.joint_groups() == "body"][0], np.float32([10, 20, 30]) / 255
    )
    assert seq not in geometry._PREPARED  # taken: a later call (e.g. new colours) computes afresh
    _assert_same(display_skeleton(ref), display_skeleton(ref))
    assert ref not in geometry._PREPARED


def test_a_prepared_sequence_that_is_never_shown_is_freed() -> None:
    seq = dataclasses.replace(read_one(lexicon_index()[2].path))  # our own copy, no one else holds it
    before = len(geometry._PREPARED)
    prepare_display(seq)
    assert len(geometry._PREPARED) == before + 1
    del seq
    gc.collect()
    assert len(geometry._PREPARED) == before
