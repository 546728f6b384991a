"""`signstudio`: one entry point, one module per subcommand (DESIGN.md §9).

Each subcommand module defines ``add_parser(subparsers)``, which sets ``func`` to a callable
``(args) -> int``. Heavy imports happen inside those callables, so `signstudio info` stays fast.
Any `FormatError` is printed as its one line and the command exits 2: no traceback reaches a user.
A closed stdout (``signstudio info FILE | head -1``) ends the command quietly with status 141, as
a program killed by SIGPIPE would.
"""

from __future__ import annotations

import argparse
import importlib
import os
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
    "evaluate_prompts",
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
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit does not report the closed pipe
    again (the recipe of Python's `signal` documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (e.g. captured in tests)
        pass


if __name__ == "__main__":
    sys.exit(main())
