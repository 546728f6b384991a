"""`signstudio score PRED REF [--by key|index] [--fgd-encoder PT] [--backtranslation PT] --out R`.

Pairs predictions with references (by key: ``.files`` beside a ``.skels``, ``.h5`` keys, file
names in a folder of pose files; or by index), says how many pairs it made and which keys are
unmatched, and writes per-sequence and corpus scores (`signstudio.modeling.evaluation.split_scores`)
as ``.md`` (with the JSON beside it), ``.json`` or ``.csv`` (one row per sequence), atomically.
Bad input is one ``error:`` line and exit 2. ``--out``'s folder must exist (it is never created)
and be writable, checked before anything is scored; a full or read-only disk is one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT_SUFFIXES = (".md", ".json", ".csv")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "score", help="score predictions against references over a split (DTW, DurACC, FGD, BLEU)"
    )
    p.add_argument("pred", type=Path, help="predictions: .skels (+ .files), .h5, a folder of .pose …")
    p.add_argument("ref", type=Path, help="references, in the same layout")
    p.add_argument(
        "--by", choices=["key", "index"], default=None, help="pairing (default: key when both have keys)"
    )
    p.add_argument(
        "--fgd-encoder", type=Path, default=None, metavar="PT", help="an FGD encoder for this data"
    )
    p.add_argument(
        "--backtranslation", type=Path, default=None, metavar="PT", help="a back-translation model"
    )
    p.add_argument("--lang", default=None, metavar="SL", help="the data's sign language (files do not say)")
    p.add_argument("--device", default="cpu")
    p.add_argument(
        "--out", type=Path, required=True, help="REPORT.md, REPORT.json or REPORT.csv (in an existing folder)"
    )
    p.set_defaults(func=run)


def _out_problem(out: Path) -> str | None:
    """What is wrong with ``--out``, before any scoring: its suffix; then its folder must exist
    (never created) and take a file (`check_destination`: not full, not read-only)."""
    from signstudio.pose.formats._atomic import check_destination

    if out.suffix.lower() not in OUT_SUFFIXES:
        return f"{out}: --out writes .md, .json or .csv"
    check_destination(out)
    if out.suffix.lower() == ".md":
        check_destination(out.with_suffix(".json"))
    return None


def run(args: argparse.Namespace) -> int:
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.evaluation import split_scores as ss

    problem = _out_problem(args.out)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        pairing = _pairing(args)
        ss.check_layouts(pairing, args.pred, args.ref)
        evaluators = ss.load_evaluators(args.fgd_encoder, args.backtranslation, args.device)
        print(_pairing_line(pairing, args), file=sys.stderr, flush=True)
        report = ss.score_split(pairing, evaluators, args.lang, args.device)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = {"pred": str(args.pred), "ref": str(args.ref), **report}
    _write(args.out, report)
    c = report["corpus"]
    print(
        f"wrote {args.out}: {report['pairs']} pairs, pt-dtw {c['pt_dtw']:.3f}, dtw-mje {c['dtw_mje']:.4f}, "
        f"DurACC {c['dur_acc']:.2f}, FGD {'n/a' if c['fgd'] is None else format(c['fgd'], '.2f')}, "
        f"BLEU-4 {'n/a' if c['bleu'] is None else format(c['bleu']['4'], '.2f')}"
    )
    for note in report["notes"]:
        print(f"note: {note}")
    return 0


def _pairing(args: argparse.Namespace) -> Any:
    """Both sides opened as datasets and paired by `signstudio.session.pairing.plan_pairs` (the
    studio's pairing too); scoring nothing is refused: no key match, or an empty side."""
    from signstudio.pose.errors import FormatError
    from signstudio.session.dataset import open_dataset
    from signstudio.session.pairing import plan_pairs

    pred, ref = open_dataset(args.pred), open_dataset(args.ref)
    for ds in (pred, ref):
        if not len(ds):
            raise FormatError(ds.path, "holds no sequence")
    plan = plan_pairs(pred, ref, args.by or "auto")
    if not plan.pairs:
        raise FormatError(pred.path, str(plan.warning or "no pair to score").split(": ", 1)[-1])
    if plan.warning:
        print(f"warning: {plan.warning}", file=sys.stderr, flush=True)
    return plan.split_pairing(pred, ref)


def _pairing_line(pairing: Any, args: argparse.Namespace) -> str:
    line = f"paired {len(pairing.pairs)} sequences by {pairing.by}"
    for what, keys, path in (
        ("predictions", pairing.unmatched_pred, args.ref),
        ("references", pairing.unmatched_ref, args.pred),
    ):
        if keys:
            shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
            line += f"; {len(keys)} {what} with no partner in {path}: {shown}"
    return line


def _write(out: Path, report: dict[str, Any]) -> None:
    from signstudio.modeling.evaluation.split_report import split_csv, split_markdown
    from signstudio.pose.formats._atomic import atomic_paths

    suffix = out.suffix.lower()
    payload = json.dumps(report, indent=1, ensure_ascii=False)
    if suffix == ".json":
        writes = [(out, payload)]
    elif suffix == ".csv":
        writes = [(out, split_csv(report))]
    else:
        writes = [(out, split_markdown(report)), (out.with_suffix(".json"), payload)]
    with atomic_paths([p for p, _ in writes]) as temps:
        for tmp, (_, text) in zip(temps, writes, strict=True):
            tmp.write_text(text, encoding="utf-8")


__all__ = ["add_parser", "run"]
