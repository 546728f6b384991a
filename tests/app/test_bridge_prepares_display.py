"""The bridge prepares a finished generation's display geometry before the window hears of it."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from signstudio.app.runner_bridge import RunnerBridge
from signstudio.corpus.lexicon import lexicon_index
from signstudio.pose.formats import read_one
from signstudio.runner.service import GenerateRequest, GenerateResponse, Runner
from signstudio.session import geometry


def test_the_pair_is_prepared_when_finished_is_emitted(qapp) -> None:
    entries = lexicon_index()
    seq, ref = read_one(entries[3].path), read_one(entries[4].path)
    bridge = RunnerBridge(Runner(isolation="thread"))
    seen: list[tuple[bool, bool]] = []
    bridge.finished.connect(
        lambda r: seen.append((r.sequence in geometry._PREPARED, r.reference in geometry._PREPARED))
    )
    try:
        bridge._on_done(GenerateResponse(1, GenerateRequest("hello", "ase"), sequence=seq, reference=ref))
        assert seen == [(True, True)]
        geometry.display_skeleton(seq)
        assert seq not in geometry._PREPARED
        # A failed answer has nothing to prepare and is still delivered.
        bridge._on_done(GenerateResponse(2, GenerateRequest("hello", "ase"), error="no model"))
        assert seen[-1] == (False, False) and len(seen) == 2
    finally:
        bridge.shutdown()
