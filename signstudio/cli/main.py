"""`signstudio`: one entry point, one module per subcommand (DESIGN.md §9).

Each subcommand module defines ``add_parser(subparsers)``, which sets ``func`` to a callable
``(args) -> int``. Heavy imports happen inside those callables, so `signstudio info` stays fast.
Any `FormatError` is printed as its one line and the command exits 2: no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from signstudio import __version__

SUBCOMMANDS = (
    "app",
    "info",
    "convert",
    "corpus",
    "generate",
    "bench",
    "train",
    "evaluate",
    "score",
    "render",
    "doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signstudio", description="SignStudio: sign language production studio."
    )
    parser.add_argument("--version", action="version", version=f"signstudio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"signstudio.cli.{name}_cmd").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from signstudio.pose.errors import FormatError

    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list = ["app", *args_list]  # `signstudio` alone opens the studio
    args = parser.parse_args(args_list)
    try:
        return int(args.func(args) or 0)
    except FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
