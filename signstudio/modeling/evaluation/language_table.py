"""The report's 20-language table (issue 21): per sign language, every model on the report's split,
and where each trained model beats the baselines — and where not, with the numbers that say why.

    verdicts = language_verdicts(report)      # JSON-able, in the report as "language_verdicts"
    lines = language_markdown(report)         # the Markdown section

A trained model **beats the baselines** in a language on a metric when it is strictly better than
each of them there:

* pt-dtw (lower) and chrF of the back-translation (higher): against ``mean``, ``random`` and
  ``wrong-word``. chrF rather than BLEU-4 decides, because on one language's 20–60 short words
  BLEU-4 is often 0 for every row (no 4-gram read) and a tie at 0 says nothing; BLEU-4 is shown.
* FGD (lower): against ``mean`` and ``random`` only. ``wrong-word`` signs real recordings of other
  words, so its FGD is the real-vs-real floor: FGD cannot tell it from good signing, by design.

``lookup`` is shown beside the baselines but is no bar: it is spoken-to-signed's own join of the
very recordings the references are joined from, so its DTW sits near the floor (the trained models
learn from those joins).

Why a model fails where it does is not guessed: each failure carries the model's value, the best
baseline's value and name, and the ground truth's chrF in that language (the reader's ceiling:
where the back-translation cannot read real signing, it cannot credit a model either).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

GROUND_TRUTH = "ground truth"
BASELINES = ("mean", "random", "wrong-word")
NOT_TRAINED = (GROUND_TRUTH, "lookup", *BASELINES)


def _lower(a: float, b: float) -> bool:
    return a < b


def _higher(a: float, b: float) -> bool:
    return a > b


#: (key in per_lang, label, better-than, the baselines it must beat)
CRITERIA: tuple[tuple[str, str, Callable[[float, float], bool], tuple[str, ...]], ...] = (
    ("pt_dtw", "pt-dtw", _lower, BASELINES),
    ("chrf", "chrF", _higher, BASELINES),
    ("fgd", "FGD", _lower, ("mean", "random")),
)


def trained_models(report: dict[str, Any]) -> list[str]:
    """The report's models that learned from data (everything but the ground truth and baselines)."""
    return [m for m in report["models"] if m not in NOT_TRAINED]


def language_verdicts(report: dict[str, Any]) -> dict[str, Any]:
    """Per trained model and criterion: the languages where it beats every baseline, and each
    failure with the numbers (model, best baseline, ground truth's chrF there)."""
    per = {name: row["per_lang"] for name, row in report["table1"][report["split"]].items()}
    out: dict[str, Any] = {}
    for model in trained_models(report):
        out[model] = {}
        for key, _label, better, bars in CRITERIA:
            beats, fails = [], []
            for lang in report["langs"]:
                value = per[model][lang][key]
                present = [(b, per[b][lang][key]) for b in bars if b in per and per[b][lang][key] is not None]
                if value is not None and present and all(better(value, v) for _, v in present):
                    beats.append(lang)
                    continue
                best_name, best = (None, None)
                if present:
                    pick = max if better is _higher else min
                    best_name, best = pick(present, key=lambda p: p[1])
                fails.append(
                    {
                        "lang": lang,
                        "value": value,
                        "best_baseline": best_name,
                        "baseline_value": best,
                        "ceiling_chrf": per[GROUND_TRUTH][lang]["chrf"] if GROUND_TRUTH in per else None,
                    }
                )
            out[model][key] = {"beats": beats, "fails": fails, "against": list(bars)}
    return out


def _f(v: float | None, fmt: str = ".2f") -> str:
    return "–" if v is None else format(v, fmt)


def _metric_table(report: dict[str, Any], key: str, title: str) -> list[str]:
    split = report["split"]
    rows = report["table1"][split]
    names = report["models"]
    lines = [
        "",
        f"#### {title}",
        "",
        "| sign language | words | " + " | ".join(names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for lang in report["langs"]:
        n = rows[GROUND_TRUTH]["per_lang"][lang]["n"] if GROUND_TRUTH in rows else ""
        cells = [_f(rows[name]["per_lang"][lang][key]) for name in names]
        lines.append(f"| {lang} | {n} | " + " | ".join(cells) + " |")
    return lines


def _verdict_table(report: dict[str, Any], verdicts: dict[str, Any]) -> list[str]:
    n = len(report["langs"])
    lines = [
        "",
        "#### Where the trained models beat the baselines",
        "",
        "| model | " + " | ".join(f"{label}: beats in" for _, label, _, _ in CRITERIA) + " |",
        "|---|" + "---|" * len(CRITERIA),
    ]
    for model, by_key in verdicts.items():
        cells = []
        for key, _label, _better, _bars in CRITERIA:
            v = by_key[key]
            missing = ", ".join(f["lang"] for f in v["fails"])
            cells.append(f"{len(v['beats'])}/{n}" + (f" (not {missing})" if missing else ""))
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return lines


def _reads_nothing(fail: dict[str, Any]) -> bool:
    """A chrF failure where the model, the best baseline and the ground truth score the same: the
    reader's output does not depend on the signing."""
    values = (fail["value"], fail["baseline_value"], fail["ceiling_chrf"])
    return None not in values and max(values) - min(values) < 1e-6


def _closing_note(verdicts: dict[str, Any], n: int) -> list[str]:
    lines = ["", "#### Closing note: where a model does not beat the baselines", ""]
    any_fail = False
    for model, by_key in verdicts.items():
        for key, label, _better, bars in CRITERIA:
            fails = by_key[key]["fails"]
            if not fails:
                continue
            any_fail = True
            if key == "chrf" and all(_reads_nothing(f) for f in fails):
                lines.append(
                    f"- **{model}**, {label}: ties with the baselines in {len(fails)} of {n} "
                    f"({', '.join(f['lang'] for f in fails)}): there the back-translation gives real "
                    "signing (the ground truth) the same chrF as every baseline — it reads no signing "
                    "in these languages, so chrF cannot rank any model there."
                )
                continue
            parts = [
                f"{f['lang']} {_f(f['value'])} vs {f['best_baseline']} {_f(f['baseline_value'])}"
                + (f" (ceiling chrF {_f(f['ceiling_chrf'], '.0f')})" if key == "chrf" else "")
                for f in fails
            ]
            lines.append(
                f"- **{model}**, {label} (against {', '.join(bars)}): not better in "
                f"{len(fails)} of {n}: " + "; ".join(parts) + "."
            )
    if not any_fail:
        lines.append(f"Every trained model beats the baselines on every criterion in all {n} languages.")
    lines += [
        "",
        "Reading the failures: the value after each language is the model's, then the best baseline's "
        "there. chrF failures next to a low ceiling (the ground truth's own chrF) are the reader's "
        "limit as much as the model's; pt-dtw failures against `wrong-word` mean the model's motion "
        "is no closer to the word than a real recording of another word of similar length; FGD is "
        "judged against `mean` and `random` only (`wrong-word` is real motion, at the floor). How long "
        "each model trained, on how much data per language, is on its card (`models/*/MODEL_CARD.md`): "
        "a model that trained little for its languages fails where the others' numbers say so.",
    ]
    return lines


def language_markdown(report: dict[str, Any]) -> list[str]:
    """The 20-language section: four per-language tables, the verdicts and the closing note."""
    verdicts = report.get("language_verdicts") or language_verdicts(report)
    split = report["split"]
    lines = [
        "",
        f"## Every sign language ({len(report['langs'])} languages, {split} split)",
        "",
        "Each model on each language's "
        f"{split} words (`words`). Criteria (module `signstudio.modeling.evaluation.language_table`): "
        "a trained model beats the baselines in a language when its pt-dtw is lower and its chrF "
        "higher than each of `mean`, `random` and `wrong-word`, and its FGD lower than `mean`'s and "
        "`random`'s. `lookup` is shown, not a bar (it joins the very recordings the references are "
        "joined from).",
    ]
    lines += _metric_table(report, "pt_dtw", "pt-dtw ↓")
    lines += _metric_table(report, "chrf", "chrF of the back-translation ↑")
    lines += _metric_table(report, "bleu4", "BLEU-4 of the back-translation ↑")
    lines += _metric_table(report, "fgd", "FGD ↓ (against that language's train Gaussian)")
    lines += _verdict_table(report, verdicts)
    lines += _closing_note(verdicts, len(report["langs"]))
    return lines


__all__ = ["BASELINES", "CRITERIA", "language_markdown", "language_verdicts", "trained_models"]
