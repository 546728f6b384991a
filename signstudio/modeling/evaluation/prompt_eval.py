"""Accuracy of the prompt readers on hand-written held-out prompts (``signstudio evaluate-prompts``).

    rows = load_prompts(HELDOUT)                 # tests/data/prompts_heldout.jsonl
    scores = evaluate(READERS["rules"], rows)
    print(format_table({"rules": scores}))

A held-out file is JSON lines: ``prompt``, ``spoken_language`` (ISO 639-1), ``text`` (what is to
be signed, as written in the prompt), ``sign_language`` (the ISO 639-3 code the prompt names, or
null when it names none: the selected language is then used) and ``quoted``. A reading is right
on the text when it equals ``text`` after case folding and white space collapsing (signing does
not depend on case), on the language when the code is the same (None for None), and "both" when
both are. Scores are kept per quoted / unquoted and per spoken language.

The two shipped sets were written by hand, in the corpus' 16 spoken languages, unlike any
training template: ``prompts_heldout.jsonl`` (321: 241 unquoted, 80 quoted; the rule reader's
development set, so its figure there is optimistic) and ``prompts_heldout_blind.jsonl`` (160
unquoted, written after the rules were frozen and never used to change them). Nothing trains on
either.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BLIND",
    "HELDOUT",
    "READERS",
    "HeldOutPrompt",
    "evaluate",
    "format_table",
    "load_prompts",
]

_DATA = Path(__file__).resolve().parents[3] / "tests" / "data"
HELDOUT = _DATA / "prompts_heldout.jsonl"
BLIND = _DATA / "prompts_heldout_blind.jsonl"

Reading = tuple[str | None, str | None]
ReadMany = Callable[[Sequence[str]], list[Reading]]


@dataclass(frozen=True)
class HeldOutPrompt:
    prompt: str
    spoken_language: str
    text: str
    sign_language: str | None
    quoted: bool


def load_prompts(path: Path) -> list[HeldOutPrompt]:
    """The rows of a held-out JSON-lines file (a `FormatError` naming the line when one is bad)."""
    from signstudio.pose.errors import FormatError

    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append(
                    HeldOutPrompt(
                        str(row["prompt"]),
                        str(row["spoken_language"]),
                        str(row["text"]),
                        None if row["sign_language"] is None else str(row["sign_language"]),
                        bool(row["quoted"]),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                del exc  # the parser's own words are not ours
                problem = "not a JSON object with prompt, spoken_language, text, sign_language, quoted"
                raise FormatError(path, problem, f"line {number}") from None
    return out


def same_text(got: str | None, want: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return got is not None and norm(got) == norm(want)


def _rules(prompts: Sequence[str]) -> list[Reading]:
    from signstudio.corpus.prompt_frames import read_frames

    return [(r.text, r.sign_language) for r in map(read_frames, prompts)]


def _studio(prompts: Sequence[str]) -> list[Reading]:
    from signstudio.modeling.text.reading import read_prompt

    return [(r.text, r.sign_language) for r in map(read_prompt, prompts)]


def _templates(prompts: Sequence[str]) -> list[Reading]:
    from signstudio.corpus.prompts import extract_text

    return [extract_text(p, guess=True) for p in prompts]


def _p2lg(prompts: Sequence[str]) -> list[Reading]:
    from signstudio.modeling.registry import load_model

    model: Any = load_model("signllm-p2lg", "cpu")
    return [(r.text or None, r.sign_language) for r in model.read_prompts(list(prompts))]


def _learned(prompts: Sequence[str]) -> list[Reading]:
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.text.reading import learned_reader_path, load_learned_reader

    reader = load_learned_reader(learned_reader_path())
    if reader is None:
        raise ModelError(f"no learned prompt reader at {learned_reader_path()}")
    return [(r.text or None, r.sign_language) for r in reader.read(list(prompts))]


#: name -> reader over many prompts. ``studio``: what Generate uses (`read_prompt`); ``rules``:
#: the cue-word reader alone; ``templates``: the old template matcher with its guess;
#: ``p2lg``: signllm-p2lg's own character reader; ``learned``: the shipped span reader alone.
READERS: dict[str, ReadMany] = {
    "studio": _studio,
    "rules": _rules,
    "templates": _templates,
    "p2lg": _p2lg,
    "learned": _learned,
}


def evaluate(read: ReadMany, rows: Sequence[HeldOutPrompt]) -> dict[str, dict[str, dict[str, float | int]]]:
    """{"quoted"|"unquoted"|"all": {spoken language | "all": {n, text, language, both}}}."""
    found = read([r.prompt for r in rows])
    cells: dict[tuple[str, str], list[tuple[bool, bool]]] = {}
    for row, (text, code) in zip(rows, found, strict=True):
        hit = (same_text(text, row.text), code == row.sign_language)
        for quoting in ("quoted" if row.quoted else "unquoted", "all"):
            for spoken in (row.spoken_language, "all"):
                cells.setdefault((quoting, spoken), []).append(hit)
    out: dict[str, dict[str, dict[str, float | int]]] = {}
    for (quoting, spoken), hits in sorted(cells.items()):
        n = len(hits)
        out.setdefault(quoting, {})[spoken] = {
            "n": n,
            "text": sum(t for t, _ in hits) / n,
            "language": sum(c for _, c in hits) / n,
            "both": sum(t and c for t, c in hits) / n,
        }
    return out


def format_table(results: dict[str, dict[str, dict[str, dict[str, float | int]]]]) -> str:
    """One row per spoken language (and "all"), per reader and quoting: n, text, language, both."""
    lines = [f"{'reader':<10} {'quoting':<9} {'spoken':<6} {'n':>4} {'text':>6} {'lang':>6} {'both':>6}"]
    for reader, scores in results.items():
        for quoting in ("unquoted", "quoted"):
            per = scores.get(quoting, {})
            for spoken in sorted(per, key=lambda s: (s == "all", s)):
                c = per[spoken]
                lines.append(
                    f"{reader:<10} {quoting:<9} {spoken:<6} {c['n']:>4} {c['text']:>6.1%} "
                    f"{c['language']:>6.1%} {c['both']:>6.1%}"
                )
    return "\n".join(lines)
