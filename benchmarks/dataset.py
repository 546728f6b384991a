"""Dataset benchmark: the first sequence of a PHOENIX-train-sized ``.skels`` against a numpy parse.

Used by ``signstudio bench --only dataset [--quick]``. Builds a ``.skels`` of 7 096 sequences
(``--quick``: 300) with its ``.text``/``.gloss``/``.files`` in a temporary folder by tiling the 15
real PHOENIX14T sentences of ``tests/data/phoenix14t-pt`` (dev, test, train; about 1.15 GB at
full size, as PHOENIX14T's train.skels), keys made unique with ``#k``; the folder is deleted
after. Each case runs in a child process:

* cold — `signstudio.session.dataset.open_dataset` with an empty index cache (one scan of the
  bytes, the index written) and ``sequence(0)``;
* cached — the same with the index written by the cold run;
* far — cached open and ``sequence(5000)`` (``--quick``: 250), the read timed on its own;
* numpy — the baseline: every line parsed by numpy (``np.array(line.split(), float64)``) and kept
  as float32 frames, what a reader that parses every sequence to draw the first one does.

Under a display (``DISPLAY`` set, e.g. ``xvfb-run -a signstudio bench --only dataset``) the same
file is also opened in the studio, each a fresh ``signstudio app FILE --screenshot --quit`` with
``SIGNSTUDIO_REPORT_STARTUP``: seconds from process start to the first painted frame, for a small
real file (the baseline: Qt, OpenGL and the window alone), the big file with no index cache, with
the index cached, and ``--index 5000``; peak memory of each (``ru_maxrss``; the benchmark process
that starts it is small, so its share is a few tens of MiB).

Time: wall seconds of the case in the child (imports excluded). Memory: the child's peak resident
set (VmHWM) and its resident set just before the case (numpy and signstudio imported), so "added"
is what the case itself took. The issue's targets: sequence 0 in <= 3 s cold and <= 1 s with the
index cached, memory near one sequence. The OS page cache is left alone (dropping it would
disturb a shared machine), so "cold" means "no index yet", with the file's pages as the build
left them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._child import run_case, status_kib

CHECKOUT = Path(__file__).resolve().parent.parent
PT_DATA = CHECKOUT / "tests" / "data" / "phoenix14t-pt"
SETTINGS: dict[str, dict[str, int]] = {
    "full": {"sequences": 7096, "far": 5000},
    "quick": {"sequences": 300, "far": 250},
}
TARGETS = {"cold": 3.0, "cached": 1.0}
CASES = ("cold", "cached", "far", "numpy")


def real_lines() -> list[tuple[bytes, str, str, str]]:
    """(skels line, text, gloss, key) of the 15 real PHOENIX14T sentences in tests/data."""
    out = []
    for split in ("dev", "test", "train"):
        stem = PT_DATA / split
        lines = stem.with_suffix(".skels").read_bytes().splitlines()
        texts, glosses, keys = (
            stem.with_suffix(s).read_text("utf-8").splitlines() for s in (".text", ".gloss", ".files")
        )
        out += list(zip(lines, texts, glosses, keys, strict=True))
    return out


def build(folder: Path, sequences: int) -> Path:
    """``folder/train.skels`` (+ .text/.gloss/.files) of ``sequences`` real lines, tiled."""
    lines = real_lines()
    path = folder / "train.skels"
    with (
        open(path, "wb") as skels,
        open(path.with_suffix(".text"), "w", encoding="utf-8") as text,
        open(path.with_suffix(".gloss"), "w", encoding="utf-8") as gloss,
        open(path.with_suffix(".files"), "w", encoding="utf-8") as files,
    ):
        for i in range(sequences):
            line, t, g, k = lines[i % len(lines)]
            skels.write(line + b"\n")
            text.write(t + "\n")
            gloss.write(g + "\n")
            files.write(f"{k}#{i // len(lines)}\n")
    return path


def _numpy_parse(path: Path) -> int:
    import numpy as np

    kept = []
    with open(path, "rb") as fh:
        for raw in fh:
            kept.append(np.array(raw.split(), dtype=np.float64).astype(np.float32).reshape(-1, 151))
    return len(kept)


def measure(case: str, path: Path, cache: Path, far: int) -> dict[str, Any]:
    """One case in this process: seconds, resident MiB before and at the peak."""
    import numpy  # noqa: F401  (imported before the baseline resident set is read)

    from signstudio.session.dataset import open_dataset

    before = status_kib("VmRSS")
    start = time.perf_counter()
    result: dict[str, Any] = {"case": case}
    if case == "numpy":
        result["sequences"] = _numpy_parse(path)
    else:
        ds = open_dataset(path, cache_dir=cache)
        opened = time.perf_counter()
        index = far if case == "far" else 0
        seq = ds.sequence(index)
        result.update(
            sequences=len(ds),
            index=index,
            frames=seq.num_frames,
            open_seconds=opened - start,
            read_seconds=time.perf_counter() - opened,
            text=ds.entries[index].text,
        )
    result["seconds"] = time.perf_counter() - start
    result["rss_before_mib"] = before / 1024
    result["peak_mib"] = status_kib("VmHWM") / 1024
    result["added_mib"] = (status_kib("VmHWM") - before) / 1024
    return result


def _child(case: str, path: Path, cache: Path, far: int) -> dict[str, Any]:
    return run_case("benchmarks.dataset", [case, str(path), str(cache), str(far)], {"case": case})


def run(quick: bool = False, sequences: int | None = None) -> dict[str, Any]:
    cfg = SETTINGS["quick" if quick else "full"]
    n = sequences or cfg["sequences"]
    far = min(cfg["far"], n - 1)
    folder = Path(tempfile.mkdtemp(prefix="signstudio-bench-dataset-"))
    try:
        path = build(folder, n)
        size = path.stat().st_size
        cache = folder / "index-cache"
        cases = {case: _child(case, path, cache, far) for case in CASES}
        studio = _studio_cases(path, far, folder) if os.environ.get("DISPLAY") else {}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base = cases["numpy"].get("seconds")
    for case in ("cold", "cached", "far"):
        r = cases[case]
        if base and "seconds" in r:
            r["speedup"] = base / r["seconds"]
        if case in TARGETS and "seconds" in r:
            r["target_seconds"] = TARGETS[case]
            r["within_target"] = r["seconds"] <= TARGETS[case]
    return {
        "name": "dataset",
        "what": "a .skels dataset's sequence 0 (cold, cached index) and sequence far, vs a numpy parse",
        "sequences": n,
        "bytes": size,
        "far": far,
        "cases": cases,
        "studio": studio,
    }


SMALL_FILE = CHECKOUT / "tests" / "data" / "pose-format" / "mediapipe.pose"


def _studio_cases(path: Path, far: int, folder: Path) -> dict[str, Any]:
    """First paint of the studio on a small file (baseline, after one warm-up start), then on
    ``path``: no index cache, index cached, sequence ``far``."""
    runs = {
        "small file": [str(SMALL_FILE)],
        "cold": [str(path)],
        "cached": [str(path)],
        f"seq {far}": [str(path), "--index", str(far)],
    }
    out: dict[str, Any] = {}
    _studio_run([str(SMALL_FILE)], folder)  # a warm-up: the first start also pays for cold libraries
    for label, args in runs.items():
        out[label] = _studio_run(args, folder)
    return out


def _studio_run(args: list[str], folder: Path) -> dict[str, Any]:
    env = dict(os.environ, SIGNSTUDIO_REPORT_STARTUP="1", QT_QPA_PLATFORM="xcb")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH", "")]))
    env["SIGNSTUDIO_DATA_DIR"] = str(folder / "studio-data")  # its index cache: cold, then cached
    env["SIGNSTUDIO_CONFIG_DIR"] = str(folder / "studio-config")
    shot = folder / "shot.png"
    cmd = [sys.executable, "-m", "signstudio.cli.main", "app", *args, "--screenshot", str(shot), "--quit"]
    start = time.perf_counter()
    pid = os.posix_spawn(sys.executable, cmd, env, file_actions=_quiet_stdio(folder))
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    log = (folder / "studio.log").read_text("utf-8", errors="replace")
    painted = [line for line in log.splitlines() if line.startswith("startup: first frame painted after")]
    if os.waitstatus_to_exitcode(status) != 0 or not painted:
        return {"failed": f"exit {os.waitstatus_to_exitcode(status)}: {log.strip().splitlines()[-1:]}"}
    return {"first_paint_s": float(painted[0].split()[5]), "wall_s": wall, "peak_mib": usage.ru_maxrss / 1024}


def _quiet_stdio(folder: Path) -> list[tuple[Any, ...]]:
    log = str(folder / "studio.log")
    return [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"dataset: {r['what']}",
        f"  {r['sequences']} real PHOENIX14T lines tiled, {r['bytes'] / 1e9:.2f} GB; a child process each",
        f"  {'case':<8} {'seconds':>8} {'open':>7} {'read':>7} {'peak':>9} {'added':>9} {'vs numpy':>9}"
        "  target",
    ]
    for case in CASES:
        x = r["cases"][case]
        if "failed" in x:
            lines.append(f"  {case:<8} failed: {x['failed']}")
            continue
        label = case if case != "far" else f"seq {r['far']}"
        opened = f"{x['open_seconds']:6.2f}s" if "open_seconds" in x else f"{'':>7}"
        read = f"{x['read_seconds']:6.3f}s" if "read_seconds" in x else f"{'':>7}"
        ratio = f"{x['speedup']:8.1f}x" if "speedup" in x else f"{'(base)':>9}"
        target = ""
        if "target_seconds" in x:
            target = f"<= {x['target_seconds']:g} s: {'yes' if x['within_target'] else 'NO'}"
        lines.append(
            f"  {label:<8} {x['seconds']:7.2f}s {opened} {read} {x['peak_mib']:6.0f}MiB"
            f" {x['added_mib']:6.0f}MiB {ratio}  {target}"
        )
    lines += _studio_table(r.get("studio") or {})
    return "\n".join(lines)


def _studio_table(studio: dict[str, Any]) -> list[str]:
    if not studio:
        return ["  studio: not measured (no DISPLAY; run under xvfb-run)"]
    base = studio.get("small file", {}).get("first_paint_s")
    lines = ["  studio (app FILE, a fresh process each): first painted frame, process start to paint"]
    for label, x in studio.items():
        if "failed" in x:
            lines.append(f"  {label:<10} failed: {x['failed']}")
            continue
        extra = ""
        if base and label != "small file":
            extra = f" (+{x['first_paint_s'] - base:.2f} s over the small file)"
        lines.append(f"  {label:<10} {x['first_paint_s']:6.2f}s  peak {x['peak_mib']:5.0f}MiB{extra}")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--case", nargs=4, metavar=("CASE", "SKELS", "CACHE", "FAR"))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sequences", type=int, help="build this many sequences instead")
    p.add_argument("--json", metavar="OUT")
    args = p.parse_args(argv)
    if args.case:
        case, path, cache, far = args.case
        print(json.dumps(measure(case, Path(path), Path(cache), int(far))))
        return 0
    result = run(quick=args.quick, sequences=args.sequences)
    print(format_table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
