"""The bundle's entry point: the ``signstudio`` command, frozen by PyInstaller.

``multiprocessing.freeze_support()`` must come first: the runner's model process is started
with the ``spawn`` method (signstudio/runner/host.py), which in a frozen app re-executes this
very executable with ``--multiprocessing-fork ...``; freeze_support recognises those arguments,
runs the child's work and exits before the command line is parsed.
"""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()
    from signstudio.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
