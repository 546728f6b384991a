"""`signstudio corpus build|info [--langs ...] [--lexicon DIR ...]`: the built-in real corpus.

``--lexicon DIR`` (build, repeatable) adds the signs of a lexicon folder and sentences of them as
words (`signstudio.corpus.lexicon_words`); each sign left out is one ``note:`` line on stderr.

``build`` without ``--force`` keeps an existing cache only when it passes its checksum
(`signstudio.corpus.integrity`): a damaged cache, or one of an older version, is rebuilt, and the
reason is said on stderr. ``info`` on a damaged cache is one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from signstudio.corpus.store import CorpusSettings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("corpus", help="build or describe the built-in corpus (lexicon recordings)")
    p.add_argument("action", choices=["build", "info"])
    p.add_argument("--langs", nargs="+", metavar="SL", help="sign languages (ISO 639-3), default all 20")
    p.add_argument("--words", type=int, default=None, help="words per sign language (default 300)")
    p.add_argument("--out", type=Path, default=None, help="cache file (default: the data folder)")
    p.add_argument("--force", action="store_true", help="rebuild even if the cache exists")
    p.add_argument(
        "--lexicon",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="build: also add the signs of this lexicon folder (spoken-to-signed layout) and sentences "
        "of them as words (repeatable); train on the cache with --corpus PATH",
    )
    p.add_argument("--json", action="store_true", help="info as JSON")
    p.set_defaults(func=run)


def _settings(args: argparse.Namespace) -> CorpusSettings:
    from signstudio.corpus.store import CorpusSettings

    kw: dict[str, Any] = {}
    if args.langs:
        kw["languages"] = tuple(sorted(args.langs))
    if args.words:
        kw["words_per_language"] = args.words
    if args.lexicon:
        kw["lexicons"] = tuple(str(folder.resolve()) for folder in args.lexicon)
    return CorpusSettings(**kw)


def _lexicon_problems(settings: CorpusSettings) -> list[str]:
    """One line per lexicon sign left out of the build (`FormatError` for an unreadable folder)."""
    from signstudio.corpus.lexicon import sign_languages
    from signstudio.corpus.lexicon_words import plan

    if not settings.lexicons:
        return []
    return plan(settings.lexicons, settings.languages or sign_languages()).problems


def _problem(path: Path) -> str | None:
    """Why the cache at ``path`` cannot be kept (None: it passes its check)."""
    from signstudio.corpus.store import check_cache
    from signstudio.pose.errors import FormatError

    try:
        check_cache(path)
    except FormatError as exc:
        return str(exc)
    return None


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from signstudio.corpus import store
    from signstudio.pose.errors import FormatError

    settings = _settings(args)
    try:
        problems = _lexicon_problems(settings) if args.action == "build" else []
    except FormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in problems:
        print(f"note: {line}", file=sys.stderr)
    path = args.out or store.default_cache_path(settings)
    if args.action == "build":
        problem = _problem(path) if path.exists() and not args.force else "missing"
        if problem is None:
            print(f"corpus cache is up to date: {path} (use --force to rebuild)")
        else:
            if problem != "missing":
                print(f"rebuilding: {problem}", file=sys.stderr)
            try:
                store.build(
                    path,
                    settings,
                    progress=lambda it: iter(
                        tqdm(list(it), desc="sign languages", unit="lang", file=sys.stderr)
                    ),
                )
            except KeyError as exc:
                print(f"error: {exc.args[0]}", file=sys.stderr)
                return 2
            print(f"built {path}")
        args.action = "info"
    if not path.exists():
        build = "signstudio corpus build" + (f" --out {path}" if args.out else "")
        print(f"error: {path}: corpus cache not built; build it with: {build}", file=sys.stderr)
        return 2
    rows = store.Corpus(path).info()
    if args.json:
        print(json.dumps({"path": str(path), "languages": rows}, indent=2, ensure_ascii=False))
        return 0
    print(f"corpus {path}")
    cols = [
        "sign_language",
        "spoken_language",
        "letters",
        "letter_frames",
        "words_train",
        "words_dev",
        "words_test",
        "word_frames",
        "prompts",
    ]
    heads = [
        "sign lang",
        "spoken",
        "letters",
        "letter frames",
        "train",
        "dev",
        "test",
        "word frames",
        "prompts",
    ]
    widths = [max(len(h), 6) for h in heads]
    print("  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r[c]).rjust(w) for c, w in zip(cols, widths, strict=True)) + f"  {r['name']}")
    total = {c: sum(r[c] for r in rows) for c in cols[2:]}
    print(
        "  ".join(
            ["total".rjust(widths[0]), "".rjust(widths[1])]
            + [str(total[c]).rjust(w) for c, w in zip(cols[2:], widths[2:], strict=True)]
        )
    )
    return 0
