"""One row of the doctor's report (`Check`), its status words, and what several checks share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OK, INFO, WARN, FAIL, SKIP = "ok", "info", "warn", "FAIL", "skip"
STATUSES = (OK, INFO, WARN, FAIL, SKIP)

BOOTSTRAP = "bash packaging/bootstrap.sh studio"
NAME_WIDTH = 21  # "model backtranslation"


@dataclass(frozen=True)
class Check:
    """One line of the report: ``status`` (ok/info/warn/FAIL/skip), what was checked (``name``),
    what was found (``detail``) and, for warn/FAIL, what to do (``remedy``)."""

    name: str
    status: str
    detail: str
    remedy: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def blocks(self) -> bool:
        return self.status == FAIL

    def line(self, name_width: int = NAME_WIDTH) -> str:
        text = f"{self.status:<5} {self.name:<{name_width}} {self.detail}"
        if self.remedy and self.status in (WARN, FAIL):
            text += f"  → {self.remedy}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def repo_root() -> Path:
    """The checkout this package runs from (pyproject.toml and models/ lie there in a checkout)."""
    return Path(__file__).resolve().parents[2]


def human_size(n: float) -> str:
    """A byte count as people read it: 812 B, 48.3 MB."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover
