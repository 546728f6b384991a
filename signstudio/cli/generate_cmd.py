"""`signstudio generate --text T --lang L [--model ID] [--prompt] [--device D] --out FILE`.

Runs the same request the studio's Generate button sends (`signstudio.runner.service.Runner`, on
a thread of this process), writes the result in the format the extension of ``--out`` picks (or
``--format``), and prints one line: what was signed, in which sign language, by which model (for
``--prompt``: the text it understood). Any failure (unknown language or model, text it cannot
sign, a file it cannot write) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("generate", help="sign a text (or a prompt) with a model and write the poses")
    p.add_argument("--text", required=True, help="what to sign, or with --prompt a request in any words")
    p.add_argument(
        "--lang", default="ase", help="ISO 639-3 sign language code (with --prompt: used when it names none)"
    )
    p.add_argument("--model", default="lookup", help="a registered model id (default: lookup)")
    p.add_argument(
        "--prompt", action="store_true", help="read the text (and the sign language) out of a prompt"
    )
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N (default: auto)")
    p.add_argument("--out", required=True, type=Path, help="output file; its extension picks the format")
    p.add_argument("--format", dest="out_format", help="output format id (e.g. pose, pt-skels, npz)")
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


def run(args: argparse.Namespace) -> int:
    from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
    from signstudio.pose import formats
    from signstudio.pose.errors import FormatError
    from signstudio.runner.service import GenerateRequest, Runner

    if args.out.is_dir():
        return _fail(f"{args.out}: cannot write there: it is a folder")
    try:  # an unwritable format fails before the model runs
        spec = (
            formats.spec_named(args.out_format, args.out)
            if args.out_format
            else formats.detect(args.out, for_writing=True)
        )
    except FormatError as exc:
        return _fail(str(exc))
    if spec.write is None:
        return _fail(f"{args.out}: format {spec.name} can be read but not written")
    blocked = next((d for d in args.out.parents if d.exists()), None)
    if blocked is not None and not blocked.is_dir():
        return _fail(f"{args.out}: cannot write there: {blocked} is a file")

    from signstudio.cli.evaluate_cmd import parse_value

    options = {}
    for item in args.option:
        key, eq, value = item.partition("=")
        if not eq or not key:
            return _fail(f"--option wants KEY=VALUE, got {item!r}")
        options[key] = parse_value(value)
    request = GenerateRequest(
        args.text,
        args.lang,
        model_id=args.model,
        prompt_mode=args.prompt,
        device=args.device,
        reference=False,
        options=options,
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
        f"{what} in {lang_name} ({response.lang}){origin} with model {args.model!r} on {response.device}: "
        f"{len(seq)} frames at {seq.fps:g} fps -> {args.out} ({spec.name})"
    )
    return 0
