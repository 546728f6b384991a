"""Non-autoregressive vs autoregressive latency by output length, and diffusion latency by step count.

Used by ``signstudio bench --only nar [--quick]``. Ratios measured in the same run; torch on one
intra-op thread on the CPU (as the other generation benchmarks), and on CUDA where available.

* **Length** — ``nar-kd`` and ``signllm-mlsf`` generate the same real corpus words at 50, 100
  and 200 frames per text, at batch 1 and batch 32 (one call per batch). ``nar-kd`` is told the
  length (``num_frames``; its decoder runs all T_max queries whatever the length, as Hwang et al.'s
  design); ``signllm-mlsf`` decodes exactly that many frames with its stop counter out of reach
  (`benchmarks.generation.forced_length`). Reported: median seconds per call and
  ratio = mlsf / nar-kd. Hwang et al.'s point: the NAR time does not grow with the length.
* **Diffusion steps** — ``diffusion`` at 5, 10, 20 and 50 DDIM steps at its shipped guidance
  scale (1: one denoiser pass per step; otherwise two, conditional and unconditional), batch 1
  and batch 8, the length from its own regulator: median seconds per call and per step.
"""

from __future__ import annotations

import statistics
from functools import partial
from typing import Any

from benchmarks.generation import (
    _gpu_name,
    corpus_words,
    cuda_available,
    forced_length,
    median_seconds,
    one_torch_thread,
)

SETTINGS: dict[str, dict[str, Any]] = {
    "full": {
        "frames": (50, 100, 200),
        "batches": (1, 32),
        "repeats": 3,
        "steps": (5, 10, 20, 50),
        "diff_batches": (1, 8),
    },
    "quick": {"frames": (50, 100), "batches": (1, 4), "repeats": 1, "steps": (5, 10), "diff_batches": (1,)},
}
LANG = "ase"


def run(quick: bool = False) -> dict[str, Any]:
    from signstudio.modeling.registry import available_models, load_model

    cfg = SETTINGS["quick" if quick else "full"]
    gpu = cuda_available()
    devices = ["cpu", "cuda"] if gpu else ["cpu"]
    ids = {i.id for i in available_models()}
    result: dict[str, Any] = {
        "name": "nar",
        "what": "nar-kd vs signllm-mlsf latency by output length; diffusion latency by DDIM steps",
        "devices": devices,
        "gpu": _gpu_name() if gpu else "no GPU here",
        "repeats": cfg["repeats"],
        "length": [],
        "diffusion": [],
        "skipped": [],
    }
    words = corpus_words(LANG, max(cfg["batches"]))
    with one_torch_thread() as threads:
        result["torch_threads"] = threads
        for device in devices:
            if {"nar-kd", "signllm-mlsf"} <= ids:
                nar: Any = load_model("nar-kd", device=device)
                ar: Any = load_model("signllm-mlsf", device=device)
                channel = ar.model.channel(LANG)
                for batch in cfg["batches"]:
                    texts = words[:batch]
                    for frames in cfg["frames"]:
                        s_nar, out_nar = median_seconds(
                            partial(nar.generate, texts, LANG, num_frames=frames),
                            cfg["repeats"],
                            device,
                        )
                        with forced_length(channel):
                            s_ar, out_ar = median_seconds(
                                partial(ar.generate, texts, LANG, max_frames=frames),
                                cfg["repeats"],
                                device,
                            )
                        result["length"].append(
                            {
                                "device": device,
                                "batch": batch,
                                "frames": frames,
                                "nar_kd_s": s_nar,
                                "mlsf_s": s_ar,
                                "ratio": s_ar / s_nar,
                                "frames_out": sorted({len(s) for s in out_nar} | {len(s) for s in out_ar}),
                            }
                        )
            else:
                result["skipped"].append(
                    {"what": "length", "device": device, "reason": "nar-kd or signllm-mlsf not shipped"}
                )
            if "diffusion" in ids:
                diff: Any = load_model("diffusion", device=device)
                result["diffusion_guidance"] = diff.cfg.guidance
                for batch in cfg["diff_batches"]:
                    texts = words[:batch]
                    for steps in cfg["steps"]:
                        s, out = median_seconds(
                            partial(diff.generate, texts, LANG, steps=steps), cfg["repeats"], device
                        )
                        result["diffusion"].append(
                            {
                                "device": device,
                                "batch": batch,
                                "steps": steps,
                                "seconds": s,
                                "per_step_s": s / steps,
                                "mean_frames": statistics.fmean(len(x) for x in out),
                            }
                        )
            else:
                result["skipped"].append(
                    {"what": "diffusion", "device": device, "reason": "diffusion not shipped"}
                )
    return result


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"nar: {r['what']}",
        f"  median of {r['repeats']} runs after a warm-up; torch threads {r.get('torch_threads', '-')};"
        f" GPU: {r['gpu']}",
        f"  {'device':<6} {'batch':>5} {'frames':>6} {'nar-kd':>11} {'signllm-mlsf':>13} {'mlsf/nar':>9}",
    ]
    for row in r["length"]:
        lines.append(
            f"  {row['device']:<6} {row['batch']:>5} {row['frames']:>6} {row['nar_kd_s'] * 1e3:>8.1f} ms"
            f" {row['mlsf_s'] * 1e3:>10.1f} ms {row['ratio']:>8.1f}x"
        )
    if r["diffusion"]:
        w = r.get("diffusion_guidance")
        passes = "one denoiser pass per step" if w == 1.0 else "two denoiser passes per step"
        lines.append(f"  diffusion ({LANG}), DDIM at guidance {w} ({passes}), length from its regulator")
        lines.append(
            f"  {'device':<6} {'batch':>5} {'steps':>6} {'per call':>11} {'per step':>10} {'frames':>7}"
        )
        for d in r["diffusion"]:
            lines.append(
                f"  {d['device']:<6} {d['batch']:>5} {d['steps']:>6} {d['seconds'] * 1e3:>8.1f} ms"
                f" {d['per_step_s'] * 1e3:>7.1f} ms {d['mean_frames']:>7.1f}"
            )
    for s in r["skipped"]:
        lines.append(f"  {s['what']} on {s['device']}: skipped: {s['reason']}")
    return "\n".join(lines)
