"""Pairs of sequences from two datasets (predictions, references), and their scores per pair.

    plan = plan_pairs(open_dataset("pred.skels"), open_dataset("dev.skels"))   # by="auto"
    plan.summary        # "5 of 5 sequences paired by key; 0 unmatched"
    plan.warning        # None, or one line when pairing by index meets keys that differ
    plan.partner_of(3)  # the reference index of prediction 3 (None: no partner)

    scores = DatasetScores(plan, pred, ref)      # Qt-free, evented; computes on its own thread
    scores.row_ready.connect(fill_table_row)  # (pair position, row dict)
    scores.start(); scores.wait()
    scores.worst_first("dtw_mje")             # prediction indices, worst first
    scores.next_worst(current, "dtw_mje")     # "next worst sequence" after the one shown

**Pairing** (`plan_pairs`) is the one place both the studio and ``signstudio score`` pair
sequences (`signstudio.cli.score_cmd` opens both sides as datasets and goes through it). Keys are
the datasets' keys (`signstudio.session.dataset`): a ``.skels``' ``.files`` lines, ``.h5`` keys,
a folder's file paths without suffix. ``by``:

* ``key``: the prediction with key K and the reference with key K; every entry on both sides
  needs a unique key (else a one-line `FormatError`). Zero matches is a plan with no pairs whose
  warning says so (``signstudio score`` refuses it; the studio shows it).
* ``index``: the i-th with the i-th, the shorter side decides. Where keys exist on both sides and
  differ, the plan's ``warning`` names the first differing pair: pairing by position across
  different keys is never silent.
* ``auto``: ``key`` when both sides have a unique key for every entry, else ``index`` (and
  ``reason`` says why).

**Scores** (`DatasetScores`): per pair ``dtw_mje``, ``pt_dtw``, ``duration_diff_s`` (prediction minus
reference, seconds) and ``dur_ok``, and ``fgd`` / ``reading`` only where an evaluator fits the
data, else None with ``fgd_na`` / ``bt_na`` saying why — computed by
`signstudio.modeling.evaluation.split_scores.score_split` on the one pair, so each row holds the
same numbers as that key's row of ``signstudio score PRED REF``. (Whether an evaluator fits is
decided per pair, from that pair's two sequences; ``score`` decides it over the split, which is the
same whenever a file holds one kind of data.)

Threading contract: `DatasetScores.start` runs the pairs on one daemon worker thread; ``progress``
(done, total), ``row_ready`` (pair position, row) and ``finished`` (cancelled: bool) are emitted
ON THAT THREAD (a Qt view re-emits them as signals; this module never imports Qt). ``failed``
(one line) is emitted there too when the datasets cannot be read; ``finished`` still follows.
`cancel` is safe from any thread: the worker stops before its next pair (a pair being scored
completes). `rows`, `worst_first` and `next_worst` read a snapshot under a lock, so the GUI thread
may call them while the worker runs. A second `start` while running is refused (RuntimeError).

Cache: finished rows are kept in ``$SIGNSTUDIO_DATA_DIR/pair-scores/<digest>.json``, the digest of
both files' (absolute path, size, mtime_ns), the pairing and the evaluator options; written
atomically (also after a cancel, so the next run goes on from there); a changed file is a new
digest, so its old rows are never reused. A damaged or unwritable cache is ignored (scores are
recomputed; nothing is lost but time).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signstudio.pose.errors import FormatError
from signstudio.session.events import Event, EventedModel, Field

if TYPE_CHECKING:
    from signstudio.modeling.evaluation.split_scores import Pairing
    from signstudio.session.dataset import Dataset

log = logging.getLogger(__name__)

BY_CHOICES = ("auto", "key", "index")
#: Metrics `worst_first` knows; larger is worse (duration by its absolute difference).
METRICS = ("dtw_mje", "pt_dtw", "duration_diff_s", "fgd")
CACHE_VERSION = 1


@dataclass(frozen=True)
class PairPlan:
    """Which prediction goes with which reference.

    by: ``key`` or ``index`` (what was used); reason: why (``auto``'s choice, or "asked");
    pairs: ((prediction index, reference index), ...); keys: the key shown for each pair;
    unmatched_pred / unmatched_ref: keys (or ``#N``, 1-based, where a side has none) left without
    a partner; warning: one line when the pairing needs the user's attention (keys that differ
    under index pairing, no key match), else None.
    """

    by: str
    reason: str
    pairs: tuple[tuple[int, int], ...]
    keys: tuple[str, ...]
    unmatched_pred: tuple[str, ...]
    unmatched_ref: tuple[str, ...]
    total_pred: int
    total_ref: int
    warning: str | None = None

    @property
    def summary(self) -> str:
        """One line: how many were paired, how, and how many were left over."""
        if self.by == "index" and self.reason != "asked":
            return f"{len(self.pairs)} of {self.total_pred} sequences paired by index: {self.reason}"
        unmatched = len(self.unmatched_pred) + len(self.unmatched_ref)
        return f"{len(self.pairs)} of {self.total_pred} sequences paired by {self.by}; {unmatched} unmatched"

    def partner_of(self, pred_index: int) -> int | None:
        """The reference index paired with prediction ``pred_index`` (None: it has no partner)."""
        for p, r in self.pairs:
            if p == pred_index:
                return r
        return None

    def split_pairing(self, pred: Dataset, ref: Dataset) -> Pairing:
        """The plan as `split_scores.Pairing` (sequences read now, one pair at a time)."""
        from signstudio.modeling.evaluation.split_scores import Pairing

        pairs = [
            (k, pred.sequence(p), ref.sequence(r)) for k, (p, r) in zip(self.keys, self.pairs, strict=True)
        ]
        return Pairing(self.by, pairs, list(self.unmatched_pred), list(self.unmatched_ref))


def _key_problem(ds: Dataset) -> str | None:
    """Why ``ds`` cannot be paired by key (an entry without a key, a key twice), or None."""
    missing = [e.index for e in ds.entries if e.key is None]
    if missing:
        hint = "a .files beside it" if ds.path.suffix.lower() == ".skels" else "keys"
        return f"sequence {missing[0] + 1} has no key (needs {hint})"
    seen: set[str] = set()
    for key in ds.keys:
        if key in seen:
            return f"key {key!r} occurs twice; keys must be unique to pair by key"
        seen.add(str(key))
    return None


def plan_pairs(pred: Dataset, ref: Dataset, by: str = "auto") -> PairPlan:
    """Pair ``pred``'s sequences with ``ref``'s (module docstring); a `FormatError` when ``by`` is
    ``key`` and a side has an entry without a key or a key twice."""
    if by not in BY_CHOICES:
        raise ValueError(f"pairing is by {', '.join(BY_CHOICES)}, not {by!r}")
    problems = [(ds, _key_problem(ds)) for ds in (pred, ref)]
    if by == "key":
        for ds, problem in problems:
            if problem:
                raise FormatError(ds.path, f"{problem}, so it cannot be paired by key (pair by index)")
        return _by_key(pred, ref, "asked")
    if by == "auto":
        for ds, problem in problems:
            if problem:
                return _by_index(pred, ref, f"{ds.path.name}: {problem}")
        return _by_key(pred, ref, "both files have keys")
    return _by_index(pred, ref, "asked")


def _by_key(pred: Dataset, ref: Dataset, reason: str) -> PairPlan:
    ref_index = {e.key: e.index for e in ref.entries}
    pairs = [(e.index, ref_index[e.key]) for e in pred.entries if e.key in ref_index]
    pred_keys = set(pred.keys)
    unmatched_pred = tuple(str(e.key) for e in pred.entries if e.key not in ref_index)
    unmatched_ref = tuple(str(e.key) for e in ref.entries if e.key not in pred_keys)
    warning = None
    if not pairs:
        warning = (
            f"{pred.path}: no key matches one of {ref.path}'s {len(ref)} keys "
            f"(e.g. {unmatched_pred[0]!r} vs {unmatched_ref[0]!r}); pair by index to pair by position"
        )
    keys = tuple(str(pred.entries[p].key) for p, _ in pairs)
    return PairPlan(
        "key", reason, tuple(pairs), keys, unmatched_pred, unmatched_ref, len(pred), len(ref), warning
    )


def _by_index(pred: Dataset, ref: Dataset, reason: str) -> PairPlan:
    n = min(len(pred), len(ref))
    pairs = tuple((i, i) for i in range(n))
    keys = tuple(_index_key(pred, ref, i) for i in range(n))
    unmatched_pred = tuple(_index_key(pred, ref, i) for i in range(n, len(pred)))
    unmatched_ref = tuple(_index_key(pred, ref, i) for i in range(n, len(ref)))
    differ = [i for i in range(n) if None not in (pred.keys[i], ref.keys[i]) and pred.keys[i] != ref.keys[i]]
    warning = None
    if differ:
        i = differ[0]
        warning = (
            f"{pred.path}: paired by index, but {len(differ)} of {n} pairs have different keys "
            f"(first: sequence {i + 1}, {pred.keys[i]!r} vs {ref.path.name}'s {ref.keys[i]!r})"
        )
    if reason == "asked" and not any(pred.keys + ref.keys):
        reason = "the files carry no keys"
    return PairPlan("index", reason, pairs, keys, unmatched_pred, unmatched_ref, len(pred), len(ref), warning)


def _index_key(pred: Dataset, ref: Dataset, i: int) -> str:
    for ds in (ref, pred):
        if i < len(ds) and ds.keys[i] is not None:
            return str(ds.keys[i])
    return f"#{i + 1}"


#: A row's field -> its column in the Dataset panel. FGD and BLEU appear only when a row has them.
SCORE_COLUMNS = {
    "dtw_mje": "dtw-mje",
    "pt_dtw": "pt-dtw",
    "duration_diff_s": "|dur diff| s",
    "fgd": "FGD",
    "bleu": "BLEU-4",
}
#: Columns where lower is worse (every other score: higher is worse).
LOWER_IS_WORSE = frozenset({"BLEU-4"})


def score_columns(plan: PairPlan, rows: dict[int, dict[str, Any]]) -> dict[str, dict[int, float]]:
    """The panel's score columns from `DatasetScores.rows`: column -> {prediction index: value}.

    The duration difference is shown as its absolute value (seconds), so that higher is worse in
    every column but BLEU; a column none of whose rows has a value (FGD/BLEU without an evaluator
    that fits) is left out, the always-computed ones are always there."""
    columns: dict[str, dict[int, float]] = {}
    for field, name in SCORE_COLUMNS.items():
        values = {
            plan.pairs[pos][0]: abs(float(row[field])) if field == "duration_diff_s" else float(row[field])
            for pos, row in rows.items()
            if row.get(field) is not None
        }
        if values or field in ("dtw_mje", "pt_dtw", "duration_diff_s"):
            columns[name] = values
    return columns


# ---- scores per pair -------------------------------------------------------------------------


def _stamp(path: Path | None) -> list[Any]:
    """(absolute path, size, mtime_ns) of a file or folder (None: not given)."""
    if path is None:
        return [None]
    p = Path(path).resolve()
    st = p.stat()
    return [str(p), st.st_size, st.st_mtime_ns]


def cache_path(
    plan: PairPlan, pred: Dataset, ref: Dataset, options: dict[str, Any], folder: Path | None = None
) -> Path:
    """Where the rows of this (pred, ref, plan, options) are cached (module docstring)."""
    if folder is None:
        from signstudio.corpus.store import data_dir

        folder = data_dir() / "pair-scores"
    stamp = {
        "v": CACHE_VERSION,
        "pred": _stamp(pred.path),
        "ref": _stamp(ref.path),
        "pairs": plan.pairs,
        "options": {k: _stamp(v) if isinstance(v, Path) else v for k, v in sorted(options.items())},
    }
    digest = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()[:24]
    return folder / f"{digest}.json"


def _row_sort_value(row: dict[str, Any], metric: str) -> float | None:
    value = row.get(metric)
    if value is None:
        return None
    return abs(float(value)) if metric == "duration_diff_s" else float(value)


class DatasetScores(EventedModel):
    """Scores of every pair of a `PairPlan`, computed in the background (module docstring).

    ``state``: ``idle`` | ``running`` | ``done`` | ``cancelled`` | ``failed`` (evented:
    ``state_changed``). ``computed``: how many pairs this run scored (the rest came from the
    cache). Options: ``fgd_encoder`` / ``backtranslation`` (checkpoint paths; None: the shipped
    ones, used only where they fit), ``lang``, ``device``, ``cache_dir`` (None: the data dir's).
    """

    state = Field("idle")
    state_changed: Event

    def __init__(
        self,
        plan: PairPlan,
        pred: Dataset,
        ref: Dataset,
        *,
        fgd_encoder: Path | None = None,
        backtranslation: Path | None = None,
        lang: str | None = None,
        device: str = "cpu",
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.plan, self.pred, self.ref = plan, pred, ref
        self.options: dict[str, Any] = {
            "fgd_encoder": None if fgd_encoder is None else Path(fgd_encoder),
            "backtranslation": None if backtranslation is None else Path(backtranslation),
            "lang": lang,
        }
        self.device = device
        self.cache_dir = cache_dir
        self.progress = Event("progress")
        self.row_ready = Event("row_ready")
        self.finished = Event("finished")
        self.failed = Event("failed")
        self.computed = 0
        self.error: str | None = None
        self._rows: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- control (any thread) ----------------------------------------------------------------
    def start(self) -> None:
        """Score the pairs not yet scored, on a worker thread (returns at once)."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("these pair scores are already being computed")
        self._cancel.clear()
        self.state = "running"
        self._thread = threading.Thread(target=self._work, name="pair-scores", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop before the next pair (a pair being scored completes)."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends; False when ``timeout`` passed first."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    # ---- results (any thread) ----------------------------------------------------------------
    @property
    def rows(self) -> dict[int, dict[str, Any]]:
        """Pair position -> row (a snapshot; rows not yet scored are absent)."""
        with self._lock:
            return dict(self._rows)

    def row_of(self, pred_index: int) -> dict[str, Any] | None:
        """The row of prediction ``pred_index`` (None: unpaired or not yet scored)."""
        for pos, (p, _) in enumerate(self.plan.pairs):
            if p == pred_index:
                return self.rows.get(pos)
        return None

    def worst_first(self, metric: str = "dtw_mje") -> list[int]:
        """Prediction indices of the scored pairs, worst ``metric`` first (``duration_diff_s``
        by its absolute value); pairs where the metric is n/a come last, in pair order."""
        if metric not in METRICS:
            raise ValueError(f"no metric {metric!r} (known: {', '.join(METRICS)})")
        scored = [(pos, _row_sort_value(row, metric)) for pos, row in sorted(self.rows.items())]
        ranked = sorted(((v, pos) for pos, v in scored if v is not None), key=lambda vp: -vp[0])
        rest = [pos for pos, v in scored if v is None]
        return [self.plan.pairs[pos][0] for pos in [pos for _, pos in ranked] + rest]

    def next_worst(self, current_index: int | None, metric: str = "dtw_mje") -> int | None:
        """The prediction after ``current_index`` in `worst_first` order; the worst one when
        ``current_index`` is None or not scored; None after the last."""
        order = self.worst_first(metric)
        if not order:
            return None
        if current_index not in order:
            return order[0]
        at = order.index(current_index)
        return order[at + 1] if at + 1 < len(order) else None

    # ---- the worker ----------------------------------------------------------------------------
    def _work(self) -> None:
        cancelled = False
        try:
            path = cache_path(self.plan, self.pred, self.ref, self.options, self.cache_dir)
            cached = _read_cache(path)
            cancelled = self._run(path, cached)
        except Exception as exc:  # a file that vanished or does not read: one line, then finished
            from signstudio.pose.errors import in_our_words

            self.error = (
                str(in_our_words(self.pred.path, exc)) if not isinstance(exc, FormatError) else str(exc)
            )
            self.state = "failed"
            self.failed.emit(self.error)
            self.finished.emit(False)
            return
        self.state = "cancelled" if cancelled else "done"
        self.finished.emit(cancelled)

    def _run(self, path: Path, cached: dict[str, dict[str, Any]]) -> bool:
        total = len(self.plan.pairs)
        evaluators = None
        self.computed = 0
        for pos, (p, r) in enumerate(self.plan.pairs):
            if self._cancel.is_set():
                _write_cache(path, self.rows)
                return True
            row = cached.get(f"{p}:{r}")
            if row is None:
                if evaluators is None:
                    evaluators = self._evaluators()
                row = self._score_one(pos, evaluators)
                self.computed += 1
            with self._lock:
                self._rows[pos] = row
            self.row_ready.emit(pos, row)
            self.progress.emit(pos + 1, total)
        if self.computed or not cached:
            _write_cache(path, self.rows)
        return False

    def _evaluators(self) -> Any:
        from signstudio.modeling.evaluation.split_scores import load_evaluators

        return load_evaluators(self.options["fgd_encoder"], self.options["backtranslation"], self.device)

    def _score_one(self, pos: int, evaluators: Any) -> dict[str, Any]:
        """One pair's row, by `split_scores.score_split` (the numbers of ``signstudio score``)."""
        from signstudio.modeling.evaluation.split_scores import Pairing, check_layouts, score_split

        p, r = self.plan.pairs[pos]
        key = self.plan.keys[pos]
        pairing = Pairing(self.plan.by, [(key, self.pred.sequence(p), self.ref.sequence(r))])
        check_layouts(pairing, self.pred.path, self.ref.path)
        report = score_split(pairing, evaluators, self.options["lang"], self.device)
        row = dict(report["rows"][0])
        corpus = report["corpus"]
        row.update(pred_index=p, ref_index=r, fgd_na=corpus.get("fgd_na"), bt_na=corpus.get("bt_na"))
        bleu = corpus.get("bleu")
        row["bleu"] = bleu.get("4") if isinstance(bleu, dict) else None  # the pair's own BLEU-4
        return row


def _read_cache(path: Path) -> dict[str, dict[str, Any]]:
    """Cached rows by ``"pred:ref"`` ({} when absent or damaged: they are recomputed)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        rows = data["rows"]
        if data.get("v") != CACHE_VERSION or not isinstance(rows, dict):
            return {}
        return {str(k): dict(v) for k, v in rows.items() if isinstance(v, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_cache(path: Path, rows: dict[int, dict[str, Any]]) -> None:
    """Atomically; a full or read-only disk only costs the cache (logged)."""
    from signstudio.pose.formats._atomic import atomic_path

    payload = {
        "v": CACHE_VERSION,
        "rows": {f"{row['pred_index']}:{row['ref_index']}": row for row in rows.values()},
    }
    try:
        with atomic_path(path, make_parents=True) as tmp:
            tmp.write_text(json.dumps(payload), encoding="utf-8")
    except (FormatError, OSError) as exc:
        log.warning("pair scores not cached: %s", exc)


__all__ = [
    "BY_CHOICES",
    "LOWER_IS_WORSE",
    "METRICS",
    "SCORE_COLUMNS",
    "DatasetScores",
    "PairPlan",
    "cache_path",
    "plan_pairs",
    "score_columns",
]
