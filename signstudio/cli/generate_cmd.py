"""`signstudio generate --text T --lang L [--model ID | --checkpoint PT] [--prompt] [--device D]
[--lexicon DIR ...] --out FILE`,
and the batch form `signstudio generate --text-file SENTENCES.txt [--files KEYS.files] ... --out
PRED.skels|.h5|FOLDER/` (`signstudio.cli.generate_batch`: one model load, batches, a progress bar).

Runs the same request the studio's Generate button sends (`signstudio.runner.service.Runner`, on
a thread of this process), writes the result in the format the extension of ``--out`` picks (or
``--format``), and prints one line: what was signed, in which sign language, by which model (for
``--prompt``: the text it understood). Any failure (unknown language or model, text it cannot
sign, a file it cannot write) is one line on stderr and exit code 2. ``--out`` is checked before
the model runs: its folder must exist (it is never created: "OUT: folder DIR does not exist") and
take a file (not full, not read-only; `output_spec`). The batch form's output folder is the one
exception: created when its parent exists, with the line "created folder DIR".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("generate", help="sign a text (or a prompt) with a model and write the poses")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="what to sign, or with --prompt a request in any words")
    what.add_argument(
        "--text-file",
        type=Path,
        help="one sentence per line (UTF-8), all signed with one model load; --out is then a .skels, "
        ".h5 or a folder (one .pose per line)",
    )
    p.add_argument(
        "--files",
        type=Path,
        help="with --text-file: one key per line (PT's .files), kept so predictions pair with references "
        "by key (default: the line numbers)",
    )
    p.add_argument("--batch-size", type=int, default=16, help="with --text-file: sentences per batch (16)")
    p.add_argument(
        "--lang", default="ase", help="ISO 639-3 sign language code (with --prompt: used when it names none)"
    )
    p.add_argument("--model", help="a registered model id (default: lookup)")
    p.add_argument(
        "--checkpoint",
        type=Path,
        help="a checkpoint file (a training run's best.pt or last.pt, or a shipped .pt) to sign with; "
        "its model family and languages are read from the file",
    )
    p.add_argument(
        "--prompt", action="store_true", help="read the text (and the sign language) out of a prompt"
    )
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default: auto)")
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output file, in an existing folder; its extension picks the format (with --text-file "
        "also a FOLDER/, created when its parent exists)",
    )
    p.add_argument("--format", dest="out_format", help="output format id (e.g. pose, pt-skels, npz)")
    p.add_argument(
        "--lexicon",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a lexicon folder (spoken-to-signed layout: index.csv + .pose): its words are signed with "
        "their signs, the rest fingerspelled; repeatable, the first wins on equal words (lookup only)",
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model option, e.g. steps=10 guidance=2 for diffusion, num_frames=80 (repeatable)",
    )
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def model_id_for(args: argparse.Namespace) -> str:
    """The registry id to sign with: ``--model``, or ``--checkpoint`` registered from its file
    (a `ModelError` naming the file when it does not fit)."""
    if args.checkpoint is None:
        return str(args.model or "lookup")
    from signstudio.modeling.registry import register_checkpoint

    return register_checkpoint(args.checkpoint).id


def check_text_fits(args: argparse.Namespace, model_id: str) -> None:
    """A `TextTooLongError` (one line) when ``--text`` (or the ``--prompt``) is longer than the
    model signs, before the model loads (`signstudio.modeling.base.text_length_problem`)."""
    from signstudio.modeling.base import TextTooLongError, text_length_problem

    problem = None if args.text is None else text_length_problem(args.text, model_id, prompt=args.prompt)
    if problem is not None:
        raise TextTooLongError(problem)


def check_lexicons(folders: list[Path], model_id: str) -> None:
    """``--lexicon`` goes with the lookup model, and each folder has a readable index.csv
    (`FormatError` before the model loads; rows with problems are named in the output's notes)."""
    from signstudio.corpus.user_lexicon import load_lexicon
    from signstudio.modeling.base import ModelError

    if folders and model_id != "lookup":
        raise ModelError(
            f"--lexicon goes with --model lookup (model {model_id!r} does not sign with lexicons)"
        )
    for folder in folders:
        load_lexicon(folder)


def output_spec(out: Path, out_format: str | None) -> Any:
    """The format ``--out`` is written in, once its place is known to take it: before the model
    runs, a `FormatError` for an unwritable format, a folder, a missing folder (never created)
    or a full or read-only disk (`check_destination` writes and removes a probe file there)."""
    from signstudio.pose import formats
    from signstudio.pose.errors import FormatError
    from signstudio.pose.formats._atomic import check_destination

    spec = formats.spec_named(out_format, out) if out_format else formats.detect(out, for_writing=True)
    if spec.write is None:
        raise FormatError(out, f"format {spec.name} can be read but not written")
    check_destination(out)
    return spec


def run(args: argparse.Namespace) -> int:
    from signstudio.cli.evaluate_cmd import parse_value
    from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
    from signstudio.modeling.base import ModelError
    from signstudio.pose import formats
    from signstudio.pose.errors import FormatError
    from signstudio.runner.service import GenerateRequest, Runner

    if args.model and args.checkpoint:
        return _fail("give --model or --checkpoint, not both")
    options = {}
    for item in args.option:
        key, eq, value = item.partition("=")
        if not eq or not key:
            return _fail(f"--option wants KEY=VALUE, got {item!r}")
        options[key] = parse_value(value)
    if args.text_file is None and args.files is not None:
        return _fail("--files goes with --text-file")
    try:
        model_id = model_id_for(args)
        check_text_fits(args, model_id)
        check_lexicons(args.lexicon, model_id)
    except (ModelError, FormatError) as exc:
        return _fail(str(exc))
    if args.lexicon and args.text_file is not None:
        options["lexicons"] = tuple(args.lexicon)
    if args.text_file is not None:
        from signstudio.cli.generate_batch import run_batch

        return run_batch(args, model_id, options)
    try:
        spec = output_spec(args.out, args.out_format)
    except FormatError as exc:
        return _fail(str(exc))

    request = GenerateRequest(
        args.text,
        args.lang,
        model_id=model_id,
        prompt_mode=args.prompt,
        device=args.device,
        reference=False,
        options=options,
        lexicons=tuple(args.lexicon),
    )
    with Runner(isolation="thread") as runner:
        response = runner.run(request)
    if response.error or response.sequence is None:
        return _fail(response.error or "generation was cancelled")
    try:
        formats.write(args.out, response.sequence, format=spec.name)
    except FormatError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{args.out}: cannot write ({exc.strerror or exc})")

    lang_name = SIGN_LANGUAGE_NAMES.get(response.lang, response.lang)
    seq = response.sequence
    what = f"understood {response.text!r}" if args.prompt else f"signed {response.text!r}"
    origin = " (named in the prompt)" if response.lang_from_prompt else ""
    print(
        f"{what} in {lang_name} ({response.lang}){origin} with model {model_id!r} on {response.device}: "
        f"{len(seq)} frames at {seq.fps:g} fps -> {args.out} ({spec.name})"
        + "".join(f"; {note}" for note in seq.meta.get("notes", []))
    )
    return 0
