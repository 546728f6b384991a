"""Long-text benchmark: the ``lookup`` model on texts of 300 to 3 000 characters (its limit), against
spoken-to-signed's own route to the same frames, time and peak memory, each case in a child process.

Used by ``signstudio bench --only long-text [--quick]``. Texts: frequent English words
(wordfreq, the corpus's word source) drawn with a fixed seed, cut to length, signed in ASL.

* ours — ``LookupModel.generate([text], "ase")``: letter clips prepared once per (letter, place
  in the word), joined with spoken-to-signed's own steps, gaps filled a block of points at a time,
  the letter segments placed in one pass (`signstudio.modeling.models.lookup`).
* theirs — spoken-to-signed's ``FingerspellingPoseLookup.lookup`` per word (every letter clip
  prepared again) and ``concatenate_poses(words, max_sign_seconds=None)``: the same frames
  (``tests/corpus/test_join.py`` checks it bit for bit), as the model computed them before. Run
  up to 1 000 characters (3 000 take minutes).

The figure to read is growth: seconds at the longest text over seconds at the shortest, against
the ratio of their lengths (linear: about the same; quadratic: its square), and ours against
theirs at the same length. Peak memory: the child's peak resident set minus its resident set just
before the call (model loaded and warmed on "hello").
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from benchmarks._child import run_case, status_kib

SETTINGS: dict[str, dict[str, Any]] = {"full": {"sizes": (300, 1000, 3000)}, "quick": {"sizes": (100, 300)}}
THEIRS_MAX_CHARS = 1000


def long_text(chars: int, seed: int = 0) -> str:
    """``chars`` characters of frequent English words (ASCII letters only), reproducibly."""
    import random

    from wordfreq import top_n_list

    words = [w for w in top_n_list("en", 3000) if w.isascii() and w.isalpha()]
    rng = random.Random(seed)
    out: list[str] = []
    length = 0
    while length < chars:
        out.append(rng.choice(words))
        length += len(out[-1]) + 1
    return " ".join(out)[:chars].rstrip()


def _theirs(model: Any, text: str) -> int:
    from spoken_to_signed.gloss_to_pose import concatenate_poses

    from signstudio.modeling.models.lookup import _quiet

    plan = model.spell_text(text, "ase")
    with _quiet():
        words = [model._lookup.lookup(sp.prepared, sp.prepared, "en", "ase").pose for sp in plan]
        pose = concatenate_poses(words, max_sign_seconds=None) if len(words) > 1 else words[0]
    return len(pose.body.data)


def measure(chars: int, route: str) -> dict[str, Any]:
    """In this process: one timed call of ``route`` on a ``chars``-character text, and its memory."""
    from signstudio.modeling.models.lookup import LookupModel

    model = LookupModel()
    model.generate(["hello"], "ase")  # spoken-to-signed and scipy loaded, "hello"'s letters read
    text = long_text(chars)
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")  # resets the peak (VmHWM) to the current resident set
    rss_now = status_kib("VmRSS")
    t0 = time.perf_counter()
    frames = model.generate([text], "ase")[0].num_frames if route == "ours" else _theirs(model, text)
    seconds = time.perf_counter() - t0
    peak = max(0, status_kib("VmHWM") - rss_now)
    return {"chars": chars, "route": route, "seconds": seconds, "peak_mib": peak / 1024, "frames": frames}


def _child(chars: int, route: str) -> dict[str, Any]:
    return run_case("benchmarks.long_text", [str(chars), route], {"chars": chars, "route": route})


def run(quick: bool = False) -> dict[str, Any]:
    sizes = SETTINGS["quick" if quick else "full"]["sizes"]
    rows = []
    for chars in sizes:
        row: dict[str, Any] = {"chars": chars, "ours": _child(chars, "ours")}
        if chars <= THEIRS_MAX_CHARS:
            row["theirs"] = _child(chars, "theirs")
            if "seconds" in row["theirs"] and "seconds" in row["ours"]:
                row["speedup"] = row["theirs"]["seconds"] / row["ours"]["seconds"]
        rows.append(row)
    first, last = rows[0]["ours"], rows[-1]["ours"]
    growth = last["seconds"] / first["seconds"] if "seconds" in first and "seconds" in last else None
    return {
        "name": "long-text",
        "what": "lookup on long texts: ours vs spoken-to-signed's own route to the same frames",
        "cpus": os.cpu_count(),
        "rows": rows,
        "length_ratio": sizes[-1] / sizes[0],
        "growth": growth,
    }


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"long-text: {r['what']}",
        "  one call each, in a child process; peak = resident memory the call added",
        f"  {'chars':>6} {'frames':>7} {'ours':>9} {'peak':>9} {'theirs':>9} {'peak':>9} {'speed-up':>9}",
    ]
    for x in r["rows"]:
        o, t = x["ours"], x.get("theirs", {})
        ours = (
            f"{o['frames']:>7} {o['seconds']:8.2f}s {o['peak_mib']:6.0f}MiB"
            if "seconds" in o
            else o["failed"]
        )
        theirs = (
            f"{t['seconds']:8.2f}s {t['peak_mib']:6.0f}MiB {x['speedup']:8.1f}x"
            if "seconds" in t
            else f"  not run: {t.get('failed') or f'over {THEIRS_MAX_CHARS} characters'}"
        )
        lines.append(f"  {x['chars']:>6} {ours} {theirs}")
    if r["growth"] is not None:
        lines.append(
            f"  growth: {r['growth']:.1f}x the time for {r['length_ratio']:.0f}x the text"
            " (linear: about the same)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--case", nargs=2, metavar=("CHARS", "ROUTE"))
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.case:
        print(json.dumps(measure(int(args.case[0]), args.case[1])))
        return 0
    print(format_table(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
