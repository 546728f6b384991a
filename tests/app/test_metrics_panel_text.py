"""The Metrics panel's cells say "n/a" where an evaluator does not fit the data."""

from __future__ import annotations

import pytest

from signstudio.runner.scoring import PairScores

pytestmark = pytest.mark.gui


def test_cells_say_na_where_the_evaluators_do_not_fit() -> None:
    from signstudio.app.metrics_panel import score_cells

    notes = (
        "FGD-style n/a: the shipped fgd-encoder …",
        "back-translation n/a: the shipped backtranslation …",
    )
    cells = score_cells(PairScores(n_gen=10, dtw_mje=0.0, pt_dtw=0.0, notes=notes))
    assert cells["FGD-style"].startswith("n/a") and cells["read back"].startswith("n/a")
    assert "FGD-style" not in score_cells(PairScores(n_gen=10, dtw_mje=0.0, pt_dtw=0.0))
