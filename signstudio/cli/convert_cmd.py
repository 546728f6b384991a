"""`signstudio convert IN OUT [--layout L]`: any readable format to any writable one.

With ``--prompt2sign`` it runs SignLLM's three data steps instead: OpenPose JSON folders -> `.h5`
(2D, Prompt2Sign layout) -> 3D by the lifting of Algorithm 1 -> `.skels`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("convert", help="convert a pose file to another format or layout")
    p.add_argument("input", type=Path, help="pose file, or an OpenPose JSON folder (or a folder of them)")
    p.add_argument("output", type=Path, help="output file; its extension picks the format")
    p.add_argument("--layout", help="convert to this layout first (upper50, ...)")
    p.add_argument("--format", dest="out_format", help="output format id (e.g. pt-skels, p2s-legacy, h5)")
    p.add_argument("--in-format", help="input format id when sniffing is not enough")
    p.add_argument(
        "--prompt2sign",
        action="store_true",
        help="run SignLLM's pipeline: OpenPose JSON -> .h5 -> 3D lifting -> .skels",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the lifting's root noise")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.pose import formats
    from signstudio.pose.convert import convert

    if args.prompt2sign:
        from tqdm import tqdm

        from signstudio.pose.prompt2sign import run_pipeline

        bar = tqdm(desc="prompt2sign", unit="clip", file=sys.stderr)

        def progress(stage: str, done: int, total: int) -> None:
            bar.set_description(f"prompt2sign: {stage}")
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = run_pipeline(args.input, args.output, seed=args.seed, progress=progress)
        bar.close()
        print(", ".join(f"{k}: {v}" for k, v in summary.items()))
        return 0

    seqs = formats.read(args.input, format=args.in_format)
    if args.layout:
        try:
            seqs = [convert(s, args.layout) for s in seqs]
        except ValueError as exc:
            print(f"error: {args.input}: {exc}", file=sys.stderr)
            return 2
    from signstudio.pose.formats.skels import FAMILIES

    spec = formats.spec_named(args.out_format, args.output) if args.out_format else None
    formats.write(args.output, seqs, format=args.out_format)
    spec = spec or formats.detect(args.output, for_writing=True)
    written = FAMILIES[spec.name].layout if spec.name in FAMILIES else seqs[0].layout
    note = (
        f"converted from {seqs[0].layout} to {written}" if written != seqs[0].layout else f"layout {written}"
    )
    print(f"wrote {args.output} ({spec.name}, {len(seqs)} sequence(s), {note})")
    return 0
