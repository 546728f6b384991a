"""The one error type every reader and writer raises for bad input."""

from __future__ import annotations

from pathlib import Path


class FormatError(ValueError):
    """A file could not be read (or written) as the format it claims to be.

    The message is one line: ``<file>: <problem> (at <place>)``. The CLI prints it as is and
    exits 2; the app shows it in a dialog.
    """

    def __init__(self, path: str | Path | None, problem: str, where: str | None = None):
        self.path = None if path is None else str(path)
        self.problem = problem
        self.where = where
        head = f"{self.path}: " if self.path else ""
        tail = f" (at {where})" if where else ""
        super().__init__(f"{head}{problem}{tail}".replace("\n", " "))
