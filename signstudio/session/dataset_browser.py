"""Browsing a `Dataset` (Qt-free): the current sequence, the filter, the order, the scores.

    browser = DatasetBrowser()
    browser.sequence_shown.connect(lambda index, seq: ...)    # the viewport follows
    browser.problem_found.connect(lambda index, message: ...) # a sequence that did not read
    browser.set_dataset(open_dataset("dev.skels"))            # shows sequence 0
    browser.set_filter("regen")                # rows whose text, gloss or key hold "regen"
    browser.set_sort("frames", descending=True)
    browser.step(+1); browser.page(-1, rows=20); browser.next_worst()

The browser decides everything a Dataset panel does; the Qt dock only renders ``rows()`` and
forwards keys. Decisions (user-visible):

* **Rows.** ``rows()`` is the dataset's indices that pass the filter, in the chosen order. The
  filter matches, case-insensitively, every whitespace-separated word of it against the entry's
  text, gloss and key (all words must be found, each in any of the three).
* **Order.** By a column (`COLUMNS` or a score name), ascending or descending; ties keep the
  dataset's order. A missing value (no text, no score, a NaN score) sorts last in either
  direction, so "worst first" never starts with "n/a".
* **Stepping.** `step` (↑/↓) and `page` (PgUp/PgDn) move through ``rows()`` and stop at its ends;
  when the current sequence is filtered out they start from the first visible row. Each move
  reads the new sequence on demand (`Dataset.sequence`): on success ``sequence_shown(index,
  seq)``; when it does not read, the sequence is still the current row, the problem is kept
  (``problem(index)``) and ``problem_found(index, message)`` fires with the one-line error: the
  previous sequence stays on screen.
* **Scores.** `set_scores(name, {index: value})` adds (or replaces) a numeric column, higher
  meaning worse. `next_worst(name)` goes to the next visible row in descending order of that
  score after the current one (the worst when the current one has no score); at the last it
  stays and says so. With no scores it does nothing, and `next_worst_reason` says why. A column
  named in ``lower_is_worse`` (BLEU) counts its lowest value as the worst.
  `update_scores` sets several columns at once (one re-order: a background scorer fills them in
  batches), `clear_scores` drops them all (a new reference, a cancelled pairing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.dataset import Dataset, Entry
from signstudio.session.events import Event

#: The entry columns, in the panel's order (score columns follow, by name).
COLUMNS = ("index", "key", "text", "gloss", "frames", "duration")


def entry_value(entry: Entry, column: str) -> Any:
    """The entry's value in ``column`` (None when it has none)."""
    return getattr(entry, column)


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


class DatasetBrowser:
    """See the module docstring. Events: ``dataset_changed()``, ``rows_changed()``,
    ``current_changed(index | None)``, ``scores_changed(name)``, ``sequence_shown(index, seq)``,
    ``problem_found(index, message)``."""

    def __init__(self) -> None:
        self.dataset: Dataset | None = None
        self.current: int | None = None
        self.filter_text = ""
        self.sort_column = "index"
        self.descending = False
        self.scores: dict[str, dict[int, float]] = {}
        self.lower_is_worse: frozenset[str] = frozenset()
        self.problems: dict[int, str] = {}
        self._rows: list[int] = []
        self.dataset_changed = Event("dataset_changed")
        self.rows_changed = Event("rows_changed")
        self.current_changed = Event("current_changed")
        self.scores_changed = Event("scores_changed")
        self.sequence_shown = Event("sequence_shown")
        self.problem_found = Event("problem_found")

    # ---- the dataset -------------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset | None, index: int = 0, show: bool = True) -> bool:
        """Browse ``dataset`` (None: nothing) from sequence ``index``; with ``show`` it is read and
        shown (False when it does not read), else it is only marked current (the caller shows it)."""
        self.dataset = dataset
        self.scores, self.problems, self.current = {}, {}, None
        self.filter_text, self.sort_column, self.descending = "", "index", False
        self._rows = self._compute_rows()
        self.dataset_changed.emit()
        self.rows_changed.emit()
        if dataset is None or not len(dataset):
            self.current_changed.emit(None)
            return False
        if show:
            return self.go_to(index)
        self.current = index
        self.current_changed.emit(index)
        return True

    def entry(self, index: int) -> Entry:
        assert self.dataset is not None
        return self.dataset.entries[index]

    def problem(self, index: int) -> str | None:
        """Why sequence ``index`` does not read (found when read, or known from the index)."""
        if index in self.problems:
            return self.problems[index]
        return self.entry(index).problem if self.dataset is not None else None

    def value(self, index: int, column: str) -> Any:
        """Sequence ``index``'s value in an entry column or a score column (None: none)."""
        if column in self.scores:
            score = self.scores[column].get(index)
            return None if score is None or math.isnan(score) else score
        return entry_value(self.entry(index), column)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*COLUMNS, *self.scores)

    # ---- rows: filter and order --------------------------------------------------------------
    def rows(self) -> list[int]:
        """The visible dataset indices, in order."""
        return list(self._rows)

    def accepts(self, index: int) -> bool:
        words = self.filter_text.lower().split()
        if not words:
            return True
        e = self.entry(index)
        hay = " ".join(s for s in (e.text, e.gloss, e.key) if s).lower()
        return all(w in hay for w in words)

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self._refresh_rows()

    def set_sort(self, column: str, descending: bool = False) -> None:
        if column not in self.columns:
            raise ValueError(f"no column {column!r} (the columns are {', '.join(self.columns)})")
        if (column, descending) != (self.sort_column, self.descending):
            self.sort_column, self.descending = column, descending
            self._refresh_rows()

    def _ordered(self, indices: list[int], column: str, descending: bool) -> list[int]:
        """``indices`` by ``column`` (ties in dataset order), missing values last."""
        present = [i for i in indices if not _missing(self.value(i, column))]
        absent = [i for i in indices if _missing(self.value(i, column))]

        def key(i: int) -> Any:
            v = self.value(i, column)
            return v.lower() if isinstance(v, str) else v

        return sorted(present, key=key, reverse=descending) + absent

    def _compute_rows(self) -> list[int]:
        if self.dataset is None:
            return []
        shown = [i for i in range(len(self.dataset)) if self.accepts(i)]
        return self._ordered(shown, self.sort_column, self.descending)

    def _refresh_rows(self) -> None:
        self._rows = self._compute_rows()
        self.rows_changed.emit()

    # ---- moving ------------------------------------------------------------------------------
    def go_to(self, index: int) -> bool:
        """Make sequence ``index`` current and read it; True when it was shown."""
        if self.dataset is None:
            return False
        if self.current != index:
            self.current = index
            self.current_changed.emit(index)
        try:
            seq: PoseSequence = self.dataset.sequence(index)
        except FormatError as exc:
            self.problems[index] = str(exc)
            self.problem_found.emit(index, str(exc))
            return False
        self.problems.pop(index, None)
        self.sequence_shown.emit(index, seq)
        return True

    def step(self, delta: int) -> bool:
        """Move ``delta`` visible rows (↑ -1, ↓ +1), stopping at the ends; False if nothing moved."""
        rows = self._rows
        if not rows:
            return False
        if self.current not in rows:
            return self.go_to(rows[0] if delta >= 0 else rows[-1])
        at = rows.index(self.current)
        to = min(max(at + delta, 0), len(rows) - 1)
        if to == at:
            return False
        self.go_to(rows[to])
        return True

    def page(self, direction: int, rows: int) -> bool:
        """PgUp (-1) / PgDn (+1): ``rows`` visible rows at a time (at least one)."""
        return self.step(direction * max(1, rows - 1))

    # ---- scores ------------------------------------------------------------------------------
    def set_scores(self, name: str, values: Mapping[int, float]) -> None:
        """A numeric column ``name`` (higher is worse); indices not in ``values`` show "n/a"."""
        if name in COLUMNS:
            raise ValueError(f"{name!r} is an entry column, not a score")
        self.scores[name] = {int(i): float(v) for i, v in values.items()}
        self.scores_changed.emit(name)
        self._refresh_rows()

    def update_scores(self, columns: Mapping[str, Mapping[int, float]]) -> None:
        """`set_scores` for several columns, the rows re-ordered once."""
        for name, values in columns.items():
            if name in COLUMNS:
                raise ValueError(f"{name!r} is an entry column, not a score")
            self.scores[name] = {int(i): float(v) for i, v in values.items()}
        for name in columns:
            self.scores_changed.emit(name)
        self._refresh_rows()

    def clear_scores(self) -> None:
        """No score columns (the sort falls back to the index when it was by a score)."""
        if not self.scores:
            return
        self.scores = {}
        if self.sort_column not in COLUMNS:
            self.sort_column, self.descending = "index", False
        self.scores_changed.emit("")
        self._refresh_rows()

    def next_worst_reason(self, name: str | None = None) -> str | None:
        """Why `next_worst` cannot run now (None: it can)."""
        if self.dataset is None:
            return "No dataset is open"
        if not self.scores:
            return "No per-sequence scores yet: set a reference or predictions to score the sequences"
        if name is not None and name not in self.scores:
            return f"No score called {name!r}"
        return None

    def worst_order(self, name: str) -> list[int]:
        """The visible scored rows, worst (highest) first."""
        scored = [i for i in self._rows if not _missing(self.value(i, name))]
        return self._ordered(scored, name, descending=name not in self.lower_is_worse)

    def next_worst(self, name: str | None = None) -> int | None:
        """Go to the next visible sequence by descending ``name`` (default: the first score column)
        after the current one; the index gone to, or None (no scores, or the current one is the
        last)."""
        if self.next_worst_reason(name) is not None:
            return None
        name = name or next(iter(self.scores))
        order = self.worst_order(name)
        at = order.index(self.current) + 1 if self.current in order else 0
        if at >= len(order):
            return None
        self.go_to(order[at])
        return order[at]


__all__ = ["COLUMNS", "DatasetBrowser", "entry_value"]
