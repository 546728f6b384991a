"""`signstudio info FILE`: what a pose file holds, or one line saying what is wrong with it."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("info", help="summary of a pose file (frames, fps, layout, missing points, metadata)")
    p.add_argument("file", help="any readable pose file or OpenPose folder")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    from signstudio.pose import formats

    spec = formats.detect(args.file)
    seqs = formats.read(args.file)
    summaries = [dict(s.summary()) for s in seqs]
    if args.json:
        print(
            json.dumps(
                {"file": args.file, "format": spec.name, "sequences": summaries}, default=str, indent=2
            )
        )
        return 0
    print(f"{args.file}: {spec.description}, {len(seqs)} sequence(s)")
    for i, s in enumerate(summaries[:20]):
        meta = s.pop("meta")
        if len(seqs) > 1:
            print(f"[{i}] {meta.get('key', '')}")
        print(
            f"  frames {s['frames']}  fps {s['fps']:g}  duration {s['duration_s']:.2f} s  "
            f"layout {s['layout']}  joints {s['joints']}  missing {100 * s['missing_ratio']:.1f} %"
        )
        print(f"  groups: {_fmt(s['groups'])}")
        for key in ("text", "gloss", "sign_language", "spoken_language", "convention", "normalisation"):
            if meta.get(key) not in (None, "", {}):
                print(f"  {key}: {_fmt(meta[key])}")
    if len(seqs) > 20:
        print(f"... and {len(seqs) - 20} more")
    return 0
