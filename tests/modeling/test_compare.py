"""MSE vs RL+PLC comparison: two tiny runs, the SVG / JSON / markdown they write, the late stage."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("torch")

from signstudio.corpus import store
from signstudio.corpus.store import CorpusSettings
from signstudio.modeling.evaluation.loss_comparison import compare_losses, late_stage
from signstudio.modeling.training.signllm import TrainConfig


@pytest.mark.parametrize("parallel", [False, True], ids=["back-to-back", "side-by-side"])
def test_compare_losses_writes_figure_and_numbers(tmp_path: Path, parallel: bool) -> None:
    corpus = tmp_path / "c.h5"
    store.build(corpus, CorpusSettings(languages=("ase",), words_per_language=10))
    cfg = TrainConfig(
        langs=("ase",),
        corpus=str(corpus),
        device="cpu",
        batch_size=4,
        epochs=1,
        max_steps=3,
        eval_every=1,
        dev_limit=2,
        model_overrides={"d_model": 32, "ff": 64, "max_frames": 30, "dropout": 0.0},
        progress=False,
    )
    out = tmp_path / "cmp"
    report = compare_losses(cfg, out, parallel=parallel)
    root = ET.parse(out / "loss_comparison.svg").getroot()
    assert root.tag.endswith("svg")
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 2
    data = json.loads((out / "loss_comparison.json").read_text())
    assert set(data["logs"]) == {"mse", "rl_plc"}
    for log in data["logs"].values():
        assert [e["step"] for e in log] == [1, 2, 3]
        assert all(0 <= e["train_s"] <= e["wall_s"] for e in log)
    assert [e["loss"] for e in data["logs"]["rl_plc"]] == ["rl"] * 3 and data["logs"]["rl_plc"][0]["plc"]
    stage = data["late_stage"]
    assert stage["reached"]["mse"] is not None  # the MSE run always reaches its own threshold
    assert stage["threshold"] == pytest.approx(1.1 * stage["best"]["mse"])
    assert report["late_stage"]["paper_ratio"] == 0.729
    assert "loss_comparison.svg" in (out / "loss_comparison.md").read_text()


def test_late_stage_ratio() -> None:
    def log(scores: list[float]) -> list[dict[str, float]]:
        return [
            {"dev_score": s, "step": 10 * (i + 1), "wall_s": 2.0 * (i + 1), "train_s": 1.0 * (i + 1)}
            for i, s in enumerate(scores)
        ]

    stage = late_stage({"mse": log([9, 5, 4, 2, 3]), "rl_plc": log([8, 2.1, 3, 3, 3])})
    assert stage["threshold"] == pytest.approx(2.2)
    assert stage["reached"]["mse"]["step"] == 40 and stage["reached"]["rl_plc"]["step"] == 20
    assert stage["ratio_train_s"] == pytest.approx(0.5) and stage["ratio_step"] == pytest.approx(0.5)
    never = late_stage({"mse": log([3, 2]), "rl_plc": log([9, 9])})
    assert never["reached"]["rl_plc"] is None and never["ratio_train_s"] is None
