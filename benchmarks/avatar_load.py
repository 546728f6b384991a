"""``signstudio bench --only avatar-load``: the studio's avatar fit on an idle and on a busy CPU.

For a real ~5 s word (ASL ``national``, fingerspelled by ``lookup``: holistic, as the studio shows it),
each in a child process with no thread variables set (as the studio runs):

* **skeleton** — the studio's Generate path without the window: ``Runner(isolation="process")``
  generating the word with its reference and scores (what is drawn as skeletons), seconds;
* **avatar** — then the studio's avatar request for that sequence (``Runner.avatar``: the fit's
  own worker and nice-0 child, torch threads sized to the free cores), seconds from the request
  to the mesh back in the studio's process; both after a warm-up (models loaded, the fit's
  child started), as on a second click;
* **before** — the old route for comparison: `build_avatar` at nice 10 (the model process's) with
  torch's default thread count (every core), given `BEFORE_TIMEOUT_S` at most.

Each is measured idle and with every usable core busy: the benchmark starts one CPU hog process
per core (plain Python busy loops at normal priority) around the case and stops them after.
Idle and busy runs alternate (`REPEATS`, ``--quick``: 2) and the medians are reported, so that a
machine whose other load comes and goes weighs on both alike.
Target: the avatar under load within 2x its idle time. This measures the studio's fit path
(runner, processes, IK, posing, the mesh sent back), not the window's painting.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

CHECKOUT = Path(__file__).resolve().parent.parent
WORD, LANG = "national", "ase"
BEFORE_TIMEOUT_S = 240
CASE_TIMEOUT_S = 600
REPEATS = {"full": 3, "quick": 2}
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _studio_case() -> dict[str, Any]:
    """In the child: skeleton path then avatar fit through the studio's runner, warm."""
    from signstudio.runner.service import GenerateRequest, Runner

    with Runner(isolation="process") as runner:
        warm = runner.run(GenerateRequest("a", LANG))  # the model process up, lookup loaded
        if warm.sequence is None:
            raise SystemExit(f"no warm-up generation: {warm.error}")
        runner.avatar(warm.sequence).result()  # the fit's child up, torch and the body loaded
        t0 = time.perf_counter()
        response = runner.run(GenerateRequest(WORD, LANG))
        skeleton_s = time.perf_counter() - t0
        if response.sequence is None:
            raise SystemExit(f"no generation: {response.error}")
        t0 = time.perf_counter()
        mesh = runner.avatar(response.sequence).result()
        avatar_s = time.perf_counter() - t0
    seq = response.sequence
    return {
        "frames": seq.num_frames,
        "seconds_of_signing": seq.num_frames / seq.fps,
        "skeleton_s": skeleton_s,
        "avatar_s": avatar_s,
        "ik_s": mesh.ik_seconds,
    }


def _before_case() -> dict[str, Any]:
    """In the child: the old route, nice 10 and torch's default threads, on the same word."""
    import torch

    from signstudio.avatar.build import build_avatar
    from signstudio.runner.service import GenerateRequest, Runner

    with Runner(isolation="thread") as runner:
        seq = runner.run(GenerateRequest(WORD, LANG)).sequence
    if seq is None:
        raise SystemExit("no generation")
    os.nice(10)
    threads = torch.get_num_threads()
    build_avatar(seq.replace(data=seq.data[:5], confidence=seq.confidence[:5], filled=seq.filled[:5]))
    t0 = time.perf_counter()
    build_avatar(seq, threads=threads)
    return {"avatar_s": time.perf_counter() - t0, "threads": threads}


def _child(case: str, timeout: float) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "benchmarks.avatar_load", "--case", case]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"timed_out": timeout}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"failed": f"exit {proc.returncode}: {tail[0]}"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _with_hogs(count: int, case: str, timeout: float) -> dict[str, Any]:
    """``case`` while ``count`` busy-loop processes keep the cores busy (stopped after)."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        time.sleep(0.5)
        return _child(case, timeout)
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


def run(quick: bool = False) -> dict[str, Any]:
    from signstudio.avatar.threads import usable_cpus

    cores = usable_cpus()
    out: dict[str, Any] = {"name": "avatar-load", "word": f"{WORD} ({LANG})", "cores": cores}
    runs: dict[str, list[dict[str, Any]]] = {"idle": [], "busy": []}
    for _ in range(REPEATS["quick" if quick else "full"]):
        runs["idle"].append(_child("studio", CASE_TIMEOUT_S))
        runs["busy"].append(_with_hogs(cores, "studio", CASE_TIMEOUT_S))
    for name, done in runs.items():
        ok = [r for r in done if "avatar_s" in r]
        out[name] = dict(done[-1]) if not ok else {**ok[0], "runs": len(ok)}
        for key in ("skeleton_s", "avatar_s", "ik_s"):
            if ok:
                out[name][key] = float(np.median([r[key] for r in ok]))
                out[name][key + "_all"] = [r[key] for r in ok]
    if not quick:
        out["before_idle"] = _child("before", BEFORE_TIMEOUT_S)
        out["before_busy"] = _with_hogs(cores, "before", BEFORE_TIMEOUT_S)
    return out


def _seconds(r: dict[str, Any], key: str) -> str:
    if "timed_out" in r:
        return f"> {r['timed_out']:.0f} s (stopped)"
    if "failed" in r:
        return f"failed ({r['failed']})"
    return f"{r[key]:.2f} s"


def format_table(r: dict[str, Any]) -> str:
    idle, busy = r["idle"], r["busy"]
    head = f"avatar under load ({r['word']}, {r['cores']} cores; busy = {r['cores']} CPU hogs started here)"
    if "frames" in idle:
        head += f": {idle['frames']} frames, {idle['seconds_of_signing']:.1f} s of signing"
    lines = [head]
    for name, key in (("skeleton (generate + reference + scores)", "skeleton_s"), ("avatar fit", "avatar_s")):
        ratio = ""
        if key in idle and key in busy:
            ratio = f" = {busy[key] / max(idle[key], 1e-9):.2f}x idle"
        runs = (
            f" (medians of {idle.get('runs', 1)} and {busy.get('runs', 1)} runs)" if key == "avatar_s" else ""
        )
        lines.append(f"  {name}: idle {_seconds(idle, key)}, busy {_seconds(busy, key)}{ratio}{runs}")
    if "avatar_s" in idle and "avatar_s" in busy:
        ok = busy["avatar_s"] <= 2 * idle["avatar_s"]
        lines.append(f"  target: avatar busy <= 2x idle: {'met' if ok else 'NOT met'}")
    if "before_idle" in r:
        b0, b1 = r["before_idle"], r["before_busy"]
        threads = b0.get("threads", "?")
        lines.append(
            f"  before (nice 10, torch's default {threads} threads): idle {_seconds(b0, 'avatar_s')}, "
            f"busy {_seconds(b1, 'avatar_s')}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--case", choices=("studio", "before"))
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.case:
        print(json.dumps(_studio_case() if args.case == "studio" else _before_case()))
        return 0
    print(format_table(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["format_table", "run"]
