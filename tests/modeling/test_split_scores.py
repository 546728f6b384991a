"""The evaluator fit rules and the shared-joint helpers behind `signstudio score` and the studio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from signstudio.metrics.fgd import keep_joints, shared_joints
from signstudio.modeling.evaluation.evaluator_fit import (
    DataDomain,
    data_domain,
    evaluator_domain,
    fit_problem,
)
from signstudio.pose.formats import read

PT = Path(__file__).resolve().parents[1] / "data" / "phoenix14t-pt"


def test_shipped_evaluators_fit_only_the_builtin_domain() -> None:
    shipped = evaluator_domain("fgd-encoder", {"languages": ["ase", "gsg"]})
    assert shipped.builtin and shipped.sign_languages == ("ase", "gsg")
    assert fit_problem(shipped, [DataDomain("upper50", "ase", None)]) is None
    assert "knows ase, gsg, not tsm" in (fit_problem(shipped, [DataDomain("upper50", "tsm", None)]) or "")
    assert "not known" in (fit_problem(shipped, [DataDomain("upper50", None, None)]) or "")
    phoenix = data_domain(read(PT / "dev.skels")[0], "gsg")  # even in a language it knows
    problem = fit_problem(shipped, [phoenix]) or ""
    assert "dev.skels (pt-skels, coordinates scaled by 3) is other data" in problem
    assert f"signstudio train fgd-encoder --data {PT / 'train.skels'}" in problem


def test_an_evaluator_trained_on_user_data() -> None:
    mine = evaluator_domain(
        "backtranslation", {"data": "PHOENIX", "sign_languages": ["gsg"], "target": "gloss"}
    )
    phoenix = data_domain(read(PT / "dev.skels")[0])
    assert fit_problem(mine, [phoenix]) is None  # language not known: the user chose it for this data
    assert fit_problem(mine, [DataDomain("upper50", "gsg", "x.skels")]) is None
    problem = fit_problem(mine, [DataDomain("upper50", "ase", "x.skels")]) or ""
    assert "not ase" in problem and problem.endswith("--target gloss`")
    other = evaluator_domain("fgd-encoder", {"data": "d", "normalisation": "pixels"})
    assert "pixels normalisation" in (fit_problem(other, [phoenix]) or "")


def test_shared_joints_and_keep_joints() -> None:
    a = np.ones((10, 3), bool)
    b = np.ones((10, 3), bool)
    a[:, 0] = False  # never there on one side
    b[:6, 2] = False  # there in 4 of 10 frames only
    assert shared_joints(a, b).tolist() == [False, True, False]
    frames = np.arange(2 * 9, dtype=np.float32).reshape(2, 9)
    out = keep_joints(frames, np.array([False, True, False]), np.full(9, -1.0))
    assert (
        out[:, 3:6].tolist() == frames[:, 3:6].tolist()
        and (out[:, :3] == -1).all()
        and (out[:, 6:] == -1).all()
    )
    with pytest.raises(ValueError):
        shared_joints(np.ones((2, 3), bool), np.ones((2, 4), bool))
