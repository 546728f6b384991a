"""`signstudio render FILE [--gt FILE] [--avatar mannequin|smplx|none] --out VIDEO`: a video, headless.

See `signstudio.app.render`. Needs a display with OpenGL (under `xvfb-run` on a server).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SIZE_NAMES = ("hd", "small")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("render", help="render a pose file to a video (mp4 or gif), headless")
    p.add_argument("file", metavar="FILE", help="pose file to render")
    p.add_argument("--gt", metavar="FILE", help="reference rendered beside it")
    p.add_argument("--avatar", choices=["mannequin", "smplx", "none"], default="none")
    p.add_argument(
        "--smplx-folder", default=None, help="the folder holding SMPLX_NEUTRAL.npz (--avatar smplx)"
    )
    p.add_argument("--size", choices=SIZE_NAMES, default="small")
    p.add_argument("--out", required=True, type=Path, help="VIDEO.mp4 or VIDEO.gif")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.app.render import SIZES, render
    from signstudio.pose.errors import FormatError
    from signstudio.pose.formats import read_one

    try:
        seq = read_one(args.file)
        ref = read_one(args.gt) if args.gt else None
        result = render(seq, args.out, ref, args.avatar, SIZES[args.size], args.smplx_folder)
    except (FormatError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {result['out']}: {result['frames']} frames at {result['fps']:g} fps, "
        f"{result['size'][0]}x{result['size'][1]}, in {result['seconds']:.1f} s"
    )
    return 0
