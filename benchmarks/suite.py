"""The benchmark suite behind `signstudio bench`: every figure against a baseline in the same run.

Every benchmark measures its baseline in the same run and reports the ratio to it, so the
numbers mean the same on any machine. ``lifting``: SignLLM's 2D -> 3D lifting (Algorithm 1) on
1000 clips of 100 frames (``--quick``: 100 clips), vectorised vs a plain per-frame loop, on one
CPU core, with the paper's figure (1000 clips in 10 hours on an RTX 3060) alongside.
``viewport``: the studio viewport's frame time for two holistic skeletons with new data every
frame, as a ratio to an empty frame, next to pyqtgraph's stock GL items
(`benchmarks.viewport`, run in a child process); only where a display with OpenGL is
available, otherwise it says it was skipped and why.
``studio``: seconds from launch to the first painted frame against a bare Qt + GL window, whether
torch was imported by then, and GUI event-loop stalls while generating against an idle window
(`benchmarks.studio`), also only with a display.
``generation``: per registered model that loads here, generation latency per text at batch 1 and
batch 32 (``--quick``: 8) on real corpus words, on the CPU and on CUDA where torch sees a GPU, as
the batch gain; and for ``signllm-mlsf`` the key/value-cached decoding's speed-up over its uncached
path on the same inputs and frames (`benchmarks.generation`).
``nar``: ``nar-kd`` vs ``signllm-mlsf`` latency at 50/100/200 frames, and ``diffusion`` per DDIM
step count (`benchmarks.nar`).
``dtw``: our exact DTW against dtaidistance and fastdtw on real holistic and upper50 frames
(`benchmarks.dtw`).
``long-dtw``: the studio's whole pair scoring (`signstudio.runner.scoring.score_pair`: both DTW
scores in one pass, the FGD-style curve, the reading) of long real pairs (1 500, 7 500, 15 000
frames) against the whole-matrix route, time and peak memory in child processes
(`benchmarks.dtw_long`).
``long-text``: the ``lookup`` model on texts of 300, 1 000 and 3 000 characters against
spoken-to-signed's own route to the same frames, time, peak memory and growth with the length
(`benchmarks.long_text`).
``avatar-load``: the studio's avatar fit of a 5.5 s word (its runner, the fit's own process)
next to the skeleton-only path, idle and with every core busy with CPU hogs the benchmark starts
and stops, against the old nice-10, default-threads route (`benchmarks.avatar_load`).
``dataset``: sequence 0 of a 7 096-sequence ``.skels`` tiled from real PHOENIX14T sentences (``--quick``:
300), opened as a `signstudio.session.dataset.Dataset` with no index cache and with one, then
sequence 5 000, against a numpy parse of the whole file, time and peak memory in child processes
(`benchmarks.dataset`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent
#: GUI benchmarks run in a child process; a benchmark's module in benchmarks/ is its name, except:
GUI_BENCHMARKS = ("viewport", "studio")
MODULES = {"long-dtw": "dtw_long", "long-text": "long_text", "avatar-load": "avatar_load"}
BENCHMARKS = (
    "lifting",
    "viewport",
    "studio",
    "generation",
    "nar",
    "dtw",
    "long-dtw",
    "long-text",
    "avatar",
    "avatar-load",
    "dataset",
)

#: name -> (full, quick) settings
LIFTING = {
    "full": {"clips": 1000, "frames": 100, "sources": 100, "loop_clips": 10, "repeats": 3},
    "quick": {"clips": 100, "frames": 100, "sources": 20, "loop_clips": 5, "repeats": 3},
}


def real_upper50_clips(count: int) -> list[tuple[Any, Any, Any]]:
    """(x, y, likelihood) (T, 50) of ``count`` real lexicon recordings, spread over the languages."""
    import numpy as np

    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.convert import convert
    from signstudio.pose.formats import read_one

    entries = lexicon_index()
    picks = np.linspace(0, len(entries) - 1, min(count, len(entries))).astype(int)
    out = []
    for i in picks:
        seq = convert(read_one(entries[int(i)].path), "upper50")
        out.append((seq.data[..., 0], seq.data[..., 1], seq.confidence))
    return out


def real_long_sequences(frames: int = 520) -> dict[int, dict[str, Any]]:
    """{values per frame: {sign language: (frames, J, 3)}} of real lexicon recordings: each
    language's letters one after another, normalised (neck at the origin, shoulder width 1), a
    missing point holding its last value; 1629 values = MediaPipe Holistic's 543 points (33 body,
    468 face without the iris points, 2 x 21 hands) and 150 values = the same frames as upper50.
    ASL is the "generated" side of the DTW benchmark and DGS the reference: real, different signing."""
    import numpy as np

    from signstudio.corpus.lexicon import alphabet, load_clip
    from signstudio.pose.convert import convert
    from signstudio.pose.transforms import normalise

    out: dict[int, dict[str, Any]] = {}
    for lang in ("ase", "gsg"):
        parts, total = [], 0
        for clip_path in alphabet(lang).values():
            seq = normalise(convert(load_clip(clip_path), "holistic"))
            parts.append(seq)
            total += seq.num_frames
            if total >= frames:
                break
        sk = parts[0].skeleton
        offsets = dict(zip((c.name for c in sk.components), sk.offsets, strict=True))
        face, hands = offsets["FACE_LANDMARKS"], offsets["LEFT_HAND_LANDMARKS"]
        keep = np.r_[0:face, face : face + 468, hands : hands + 42]  # no iris, no world landmarks
        for arrays in (
            [np.asarray(p.data, np.float64)[:, keep] for p in parts],
            [np.asarray(convert(p, "upper50").data, np.float64) for p in parts],
        ):
            data = np.concatenate(arrays)[:frames]
            for t in range(1, len(data)):
                bad = ~np.isfinite(data[t])
                data[t][bad] = data[t - 1][bad]
            out.setdefault(data.shape[1] * 3, {})[lang] = np.nan_to_num(data)
    return out


def lifting_benchmark(quick: bool = False) -> dict[str, Any]:
    """Run the lifting benchmark on real data; returns `benchmarks.lifting.run`'s dict."""
    from benchmarks import lifting as bench_lifting

    cfg = LIFTING["quick" if quick else "full"]
    sources = real_upper50_clips(cfg["sources"])
    xs, ys, ws = bench_lifting.tile_clips(sources, cfg["clips"], cfg["frames"])
    result = bench_lifting.run(xs, ys, ws, loop_clips=cfg["loop_clips"], repeats=cfg["repeats"])
    result["data"] = (
        f"{len(sources)} real lexicon recordings (spoken-to-signed, MediaPipe Holistic -> upper50 x, y, "
        f"likelihood, pixels), tiled/cropped to {cfg['frames']} frames"
    )
    return result


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def viewport_unavailable() -> str | None:
    """Why the viewport benchmark cannot run here (no display, no OpenGL platform), or None."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return f"QT_QPA_PLATFORM={platform} has no OpenGL (use xcb on a display or under xvfb-run)"
    if sys.platform == "linux" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "no display (DISPLAY and WAYLAND_DISPLAY unset); run it under a virtual display: "
            "xvfb-run -a -s '-screen 0 1600x1000x24' signstudio bench"
        )
    return None


def viewport_benchmark(quick: bool = False) -> dict[str, Any]:
    return gui_benchmark("benchmarks.viewport", "viewport", quick=quick)


def gui_benchmark(module: str, name: str, quick: bool = False) -> dict[str, Any]:
    """Run a GUI benchmark module in a child process (Qt and GL stay out of this one).

    Returns its result, or ``{"name": name, "skipped": reason}``.
    """
    import subprocess
    import tempfile

    reason = viewport_unavailable()
    if reason is not None:
        return {"name": name, "skipped": reason}
    env = dict(os.environ)
    if sys.platform == "linux" and env.get("DISPLAY") and not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "xcb"
    # the child imports `benchmarks.*` from this checkout
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.json"
        cmd = [sys.executable, "-m", module, "--json", str(out)]
        if quick:
            cmd.append("--quick")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return {"name": name, "skipped": f"the benchmark failed (exit {proc.returncode}): {tail[0]}"}
        result: dict[str, Any] = json.loads(out.read_text("utf-8"))
        return result


def _measure(name: str, quick: bool) -> tuple[dict[str, Any], str]:
    """Run benchmark ``name``; its result and the table to print (or why it was skipped)."""
    import importlib

    if name == "lifting":
        from benchmarks import lifting as bench_lifting

        result = lifting_benchmark(quick=quick)
        return result, f"{bench_lifting.format_table(result)}\n  data: {result['data']}"
    module = importlib.import_module(f"benchmarks.{MODULES.get(name, name)}")
    if name in GUI_BENCHMARKS:  # Qt and GL stay out of this process
        result = gui_benchmark(module.__name__, name, quick=quick)
        if "skipped" in result:
            return result, f"{name}: skipped: {result['skipped']}"
    elif name == "dtw":
        result = module.run(real_long_sequences(), quick=quick)
    else:
        result = module.run(quick=quick)
    return result, module.format_table(result)


def run(args: argparse.Namespace) -> int:
    if "numpy" not in sys.modules:
        # One core: BLAS/OpenMP pools read these when numpy loads (threadpoolctl is used if present).
        for var in THREAD_VARS:
            os.environ[var] = "1"
    only = set(args.only or BENCHMARKS)
    results: list[dict[str, Any]] = []
    for name in BENCHMARKS:
        if name in only:
            result, table = _measure(name, args.quick)
            results.append(result)
            print(table)
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps({"quick": bool(args.quick), "benchmarks": results}, indent=2) + "\n", "utf-8"
        )
        print(f"wrote {out}", file=sys.stderr)
    return 0
