"""MSE vs RL+PLC training efficiency: dev DTW against wall-clock training time (SignLLM Fig. 5).

    signstudio train compare-losses --langs ase gsg --size tiny --max-minutes 3 --out DIR

runs two trainings (back to back, or with ``--parallel`` side by side on half the CPU threads
each, so both see the same machine load) with the same seed and config, one with the MSE loss and
uniform (permutation) batches, one with the RL loss and the Priority Learning Channel
(`signstudio.modeling.training.rl_plc`), and writes

* ``DIR/loss_comparison.svg`` — dev score (pt-dtw, lower is better) against training time,
  one curve per run, the late-stage threshold and the time each run reached it (a self-written
  SVG; no plotting library needed);
* ``DIR/loss_comparison.json`` — both logs, the config, the late-stage numbers;
* ``DIR/loss_comparison.md`` — a markdown snippet for the model card;
* ``DIR/runs/mse`` and ``DIR/runs/rl_plc`` — the two run folders (cleared before each run, so
  the comparison never resumes a stale run).

**Time axis.** ``train_s``: wall-clock seconds of training only. The training loop's own clock
(``wall_s`` in log.json) also counts the dev evaluations, whose cost depends on how long the
free-running outputs are (an output that never stops runs to the frame cap), so it would
penalise a run for decoding longer, not for training slower. The evaluation time is measured
around every evaluation and subtracted; ``wall_s`` is kept in the JSON too.

**Late stage.** The paper (SignLLM §5.2, Fig. 5) reports that RL loss + PLC reaches the "Late"
stage of training in 72.9 % of the Base (MSE) time, but gives no numeric definition of the
stages. Here: the *late-stage threshold* is ``(1 + tolerance) x`` the best dev score the MSE run
reached (tolerance 10 % by default); a run's *late-stage time* is the training time of its first
evaluation at or below that threshold. The ratio reported is RL+PLC time / MSE time (< 1: RL+PLC
is faster; the paper's figure is 0.729). The same ratio in optimizer steps is reported as well:
it does not depend on machine load. If RL+PLC never reaches the threshold within its budget the
ratio is ``None`` (reported as "not reached").
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from signstudio.corpus.store import Corpus
from signstudio.modeling.training import signllm as train_module
from signstudio.modeling.training.signllm import TrainConfig

PAPER_RATIO = 0.729
RUNS = (("mse", "MSE", "mse", False), ("rl_plc", "RL loss + PLC", "rl", True))
COLOURS = {"mse": "#1f77b4", "rl_plc": "#d62728"}


def _run(cfg: TrainConfig, corpus: Corpus | None) -> list[dict[str, Any]]:
    """Train with `cfg`; its log (each entry has ``train_s``: wall time minus evaluation time)."""
    return [dict(e) for e in train_module.train(cfg, corpus).log]


def late_stage(
    logs: dict[str, list[dict[str, Any]]], tolerance: float = 0.10, reference: str = "mse"
) -> dict[str, Any]:
    """Late-stage threshold from the reference run's best dev score; first time/step each run
    reaches it; RL+PLC/MSE ratios (None where a run never reached it)."""
    best_ref = min(e["dev_score"] for e in logs[reference])
    threshold = best_ref * (1.0 + tolerance)
    reached: dict[str, dict[str, Any] | None] = {}
    for name, log in logs.items():
        hit = next((e for e in log if e["dev_score"] <= threshold), None)
        reached[name] = (
            None
            if hit is None
            else {"train_s": hit.get("train_s", hit["wall_s"]), "wall_s": hit["wall_s"], "step": hit["step"]}
        )
    out: dict[str, Any] = {
        "definition": (
            f"first evaluation with dev score <= (1 + {tolerance:g}) x best dev score of the "
            f"{reference} run; time = training wall-clock seconds (evaluations excluded)"
        ),
        "tolerance": tolerance,
        "reference_best": best_ref,
        "threshold": threshold,
        "reached": reached,
        "best": {name: min(e["dev_score"] for e in log) for name, log in logs.items()},
        "paper_ratio": PAPER_RATIO,
    }
    mse, rl = reached.get("mse"), reached.get("rl_plc")
    for key in ("train_s", "wall_s", "step"):
        ok = mse is not None and rl is not None and mse[key] > 0
        out[f"ratio_{key}"] = (rl[key] / mse[key]) if ok and rl and mse else None
    return out


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = step * int(lo / step)
    ticks = []
    t = first
    while t <= hi + 1e-9:
        if t >= lo - 1e-9:
            ticks.append(round(t, 10))
        t += step
    return ticks


def render_svg(logs: dict[str, list[dict[str, Any]]], stage: dict[str, Any], title: str) -> str:
    """A small standalone SVG: dev score vs training time, threshold line, late-stage markers."""
    w, h, left, right, top, bottom = 640, 400, 64, 16, 40, 52
    pw, ph = w - left - right, h - top - bottom
    xs = [e["train_s"] for log in logs.values() for e in log] + [0.0]
    ys = [e["dev_score"] for log in logs.values() for e in log] + [stage["threshold"]]
    x_hi = max(xs) * 1.03 or 1.0
    y_lo, y_hi = min(ys), max(ys)
    pad = (y_hi - y_lo) * 0.06 or 1.0
    y_lo, y_hi = max(y_lo - pad, 0.0), y_hi + pad

    def px(x: float) -> float:
        return left + pw * x / x_hi

    def py(y: float) -> float:
        return top + ph * (1 - (y - y_lo) / (y_hi - y_lo))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="13">{_esc(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>',
    ]
    for t in _nice_ticks(0.0, x_hi):
        parts.append(
            f'<line x1="{px(t):.1f}" y1="{top + ph}" x2="{px(t):.1f}" y2="{top + ph + 4}" stroke="#444"/>'
        )
        parts.append(f'<text x="{px(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{t:g}</text>')
    for t in _nice_ticks(y_lo, y_hi):
        parts.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + pw}" y2="{py(t):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    parts.append(
        f'<text x="{left + pw / 2}" y="{h - 12}" text-anchor="middle">'
        "training time (s, evaluations excluded)</text>"
    )
    parts.append(
        f'<text x="14" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 {top + ph / 2})">'
        "dev pt-dtw (lower is better)</text>"
    )
    thr = stage["threshold"]
    parts.append(
        f'<line x1="{left}" y1="{py(thr):.1f}" x2="{left + pw}" y2="{py(thr):.1f}" stroke="#888" '
        'stroke-dasharray="5,4"/>'
    )
    parts.append(
        f'<text x="{left + pw - 4}" y="{py(thr) - 4:.1f}" text-anchor="end" fill="#666">'
        f"late-stage threshold {thr:.2f}</text>"
    )
    labels = {name: label for name, label, _, _ in RUNS}
    for i, (name, log) in enumerate(logs.items()):
        colour = COLOURS.get(name, "#333")
        pts = " ".join(f"{px(e['train_s']):.1f},{py(e['dev_score']):.1f}" for e in log)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        for e in log:
            parts.append(
                f'<circle cx="{px(e["train_s"]):.1f}" cy="{py(e["dev_score"]):.1f}" r="2.5" fill="{colour}"/>'
            )
        hit = stage["reached"].get(name)
        if hit is not None:
            x = px(hit["train_s"])
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="{colour}" '
                'stroke-dasharray="2,3"/>'
            )
        when = "not reached" if hit is None else f"late stage at {hit['train_s']:.0f} s (step {hit['step']})"
        ly = top + 14 + 15 * i
        parts.append(
            f'<line x1="{left + 8}" y1="{ly - 4}" x2="{left + 28}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left + 32}" y="{ly}">{_esc(labels.get(name, name))}: {when}</text>')
    ratio = stage.get("ratio_train_s")
    note = "RL+PLC / MSE time to late stage: " + ("n/a" if ratio is None else f"{ratio:.2f}")
    parts.append(f'<text x="{left + 8}" y="{top + 14 + 15 * len(logs)}">{note} (paper: {PAPER_RATIO})</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown(stage: dict[str, Any], cfg: TrainConfig, logs: dict[str, list[dict[str, Any]]], svg: str) -> str:
    def fmt(v: float | None, spec: str = ".2f") -> str:
        return "not reached" if v is None else format(v, spec)

    rows = []
    for name, label, _, _ in RUNS:
        log = logs[name]
        hit = stage["reached"][name]
        rows.append(
            f"| {label} | {log[-1]['step']} | {log[-1]['train_s']:.0f} | {stage['best'][name]:.2f} | "
            f"{fmt(hit and hit['train_s'], '.0f')} | {fmt(hit and hit['step'], 'd')} |"
        )
    return "\n".join(
        [
            f"![dev DTW vs training time, MSE vs RL+PLC]({svg})",
            "",
            f"Config: langs {' '.join(cfg.langs)}, size {cfg.size}, seed {cfg.seed}, batch {cfg.batch_size}, "
            f"lr {cfg.lr}, eta {cfg.eta}, eval every {cfg.eval_every} steps on {cfg.dev_limit} dev words "
            f"per language, {cfg.max_minutes} min per run.",
            f"Late stage: {stage['definition']}; threshold {stage['threshold']:.2f}.",
            "",
            "| run | steps | train s | best dev | late stage at (s) | late stage at (step) |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"RL+PLC / MSE time to late stage: **{fmt(stage['ratio_train_s'])}** in training seconds, "
            f"{fmt(stage['ratio_step'])} in steps (paper: {PAPER_RATIO}).",
            "",
        ]
    )


def _child_run(cfg: TrainConfig, threads: int) -> list[dict[str, Any]]:
    """One run in a fresh process limited to ``threads`` CPU threads (see `compare_losses`)."""
    import torch

    torch.set_num_threads(threads)
    return _run(cfg, None)


def compare_losses(
    base: TrainConfig,
    out: Path,
    corpus: Corpus | None = None,
    tolerance: float = 0.10,
    parallel: bool = False,
) -> dict[str, Any]:
    """Run MSE and RL+PLC with `base`'s settings; write the SVG, JSON and markdown into `out`.

    parallel: run both at the same time in two processes with half the CPU threads each, so they
    train under the same machine load (back to back, a change of load between the runs would
    show up as a speed difference); needs ``base.corpus`` (or the built-in corpus)."""
    out.mkdir(parents=True, exist_ok=True)
    logs: dict[str, list[dict[str, Any]]] = {}
    cfgs = {}
    for name, _, loss, plc in RUNS:
        run_dir = out / "runs" / name
        if run_dir.exists():
            shutil.rmtree(run_dir)
        cfgs[name] = replace(base, loss=loss, plc=plc, out=str(run_dir), export=None)
    if parallel:
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        threads = max(1, (os.cpu_count() or 2) // len(cfgs))
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(len(cfgs), mp_context=ctx) as pool:
            futures = {name: pool.submit(_child_run, cfg, threads) for name, cfg in cfgs.items()}
            logs = {name: f.result() for name, f in futures.items()}
    else:
        logs = {name: _run(cfg, corpus) for name, cfg in cfgs.items()}
    stage = late_stage(logs, tolerance)
    title = f"signllm-mlsf {base.size} ({' '.join(base.langs)}): MSE vs RL loss + PLC"
    svg_path, json_path, md_path = (out / f"loss_comparison.{ext}" for ext in ("svg", "json", "md"))
    svg_path.write_text(render_svg(logs, stage, title), encoding="utf-8")
    cfg_dict = {k: v for k, v in vars(base).items() if k not in ("out", "export", "loss", "plc")}
    report = {"config": cfg_dict, "late_stage": stage, "logs": logs}
    json_path.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    md_path.write_text(markdown(stage, base, logs, svg_path.name), encoding="utf-8")
    return report
