"""`signstudio generate --text-file SENTENCES.txt [--files KEYS.files] --out PRED.skels|.h5|FOLDER/`.

One model load, then the sentences in batches of ``--batch-size`` with a progress bar (stderr).
Every prediction keeps its key (``--files``, else the line number) and its text in ``meta``, so a
``.skels`` gets PT's parallel ``.text``/``.files`` (and ``.gloss`` when the model writes one) and
``signstudio score pred.skels dev.skels`` pairs them by key. A folder gets one ``.pose`` per line,
named by its key (``/`` in a key becomes ``__``).

Checked before the model loads (one ``error:`` line, exit 2): the text file (readable UTF-8, not
empty, no blank line, no line over `MAX_LINE_CHARS`), ``--files`` (same line count, no blank or
repeated key), the language (the model must cover it), ``--out`` (a writable place and format:
a file's folder must exist, it is never created; a full or read-only disk is found by a probe).
The output FOLDER is the one thing made for the user: when it is missing and its parent exists
it is created before the model loads, with the line "created folder DIR" (and removed again,
if still empty, when the run fails). Nothing is written unless every sentence was signed: a file
goes in by one atomic rename, a folder's files are written into a temporary folder beside it
(``.NAME.<pid>.<random>.part`` inside it) and moved in at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_LINE_CHARS = 2000  # a sentence, not a document: PHOENIX14T's longest is ~300 characters


class BatchError(Exception):
    """One line for the user; the CLI prints it as ``error: ...`` and exits 2."""


def read_lines(path: Path, what: str) -> list[str]:
    """The lines of a UTF-8 text file, each stripped; blank lines and over-long lines refused."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise BatchError(f"{path}: is a folder, not a {what} file") from None
    except OSError as exc:
        raise BatchError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = data[: exc.start].count(b"\n") + 1
        raise BatchError(f"{path}: line {where} is not UTF-8 text") from None
    lines = text.splitlines()
    if not lines:
        raise BatchError(f"{path}: is empty (one {what} per line expected)")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            raise BatchError(f"{path}: line {number} is blank (one {what} per line, none empty)")
        if len(line) > MAX_LINE_CHARS:
            raise BatchError(
                f"{path}: line {number} has {len(line)} characters; "
                f"the most a {what} may have is {MAX_LINE_CHARS}"
            )
    return [line.strip() for line in lines]


def read_keys(files: Path | None, count: int) -> list[str]:
    """Keys from a ``.files`` (one per sentence, unique), else the line numbers 1..count."""
    if files is None:
        return [str(n) for n in range(1, count + 1)]
    keys = read_lines(files, "key")
    if len(keys) != count:
        raise BatchError(
            f"{files}: has {len(keys)} keys but the text file has {count} lines (they must match)"
        )
    seen: dict[str, int] = {}
    for number, key in enumerate(keys, 1):
        if key in seen:
            raise BatchError(f"{files}: line {number} repeats the key {key!r} of line {seen[key]}")
        seen[key] = number
    return keys


def output_kind(out: Path) -> tuple[str, str | None]:
    """(``"folder"``, None) or (``"file"``, format name) for ``--out``; `BatchError` when it
    cannot be written. A file's folder must exist and take a file (`check_destination`); a
    folder is checked by `prepare_folder` (made when missing, if its parent exists)."""
    from signstudio.pose import formats
    from signstudio.pose.errors import FormatError
    from signstudio.pose.formats._atomic import check_destination

    blocked = next((d for d in out.parents if d.exists()), None)
    if blocked is not None and not blocked.is_dir():
        raise BatchError(f"{out}: cannot write there: {blocked} is a file")
    if out.is_dir() or str(out).endswith(("/", os.sep)) or not out.suffix:
        return "folder", None
    try:
        spec = formats.detect(out, for_writing=True)
    except FormatError as exc:
        raise BatchError(str(exc)) from None
    if spec.write is None:
        raise BatchError(f"{out}: format {spec.name} can be read but not written")
    if spec.name in ("pose", "bvh", "npz", "eaf"):
        raise BatchError(
            f"{out}: a {spec.name} file holds one sequence; for many give a .skels, a .h5 or a folder"
        )
    check_destination(out)
    return "file", spec.name


def prepare_folder(out: Path) -> bool:
    """The output folder, before the model loads: made when missing and its parent exists (True:
    it was made; the CLI says so), else `FormatError`; probed for a writable, non-full disk."""
    from signstudio.pose.formats._atomic import make_output_folder

    return make_output_folder(out)


def _folder_names(keys: Sequence[str]) -> list[str]:
    names = [key.replace("/", "__").replace(os.sep, "__") + ".pose" for key in keys]
    if len(set(names)) != len(names):
        raise BatchError("two keys give the same file name in the folder; use a .skels or .h5 --out")
    return names


def write_folder(out: Path, keys: Sequence[str], seqs: Sequence[Any]) -> None:
    """One ``.pose`` per key, written into a temporary folder inside ``out`` (named like our other
    temporaries, so a killed run's is swept; inside, so that the moves stay on one file system)
    and moved in at the end."""
    from signstudio.pose import formats
    from signstudio.pose.formats._atomic import staging_folder, write_error

    names = _folder_names(keys)
    staging = staging_folder(out / out.name)
    try:
        for name, seq in zip(names, seqs, strict=True):
            formats.write(staging / name, seq, format="pose")
        try:
            for name in names:
                (staging / name).replace(out / name)
        except OSError as exc:
            raise write_error(out, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def sign_all(
    model: Any, texts: Sequence[str], lang: str, batch_size: int, options: dict[str, Any]
) -> list[Any]:
    """Generate every text in batches, with a tqdm bar on stderr."""
    from tqdm import tqdm

    out: list[Any] = []
    with tqdm(total=len(texts), desc="generate", unit="sentence", file=sys.stderr, leave=False) as bar:
        for start in range(0, len(texts), batch_size):
            chunk = list(texts[start : start + batch_size])
            out.extend(model.generate(chunk, lang, **options))
            bar.update(len(chunk))
    return out


def _check(args: argparse.Namespace) -> tuple[list[str], list[str], str, str | None]:
    if args.batch_size < 1:
        raise BatchError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.prompt:
        raise BatchError("--prompt signs one request; --text-file wants one sentence per line and --lang")
    texts = read_lines(args.text_file, "sentence")
    keys = read_keys(args.files, len(texts))
    kind, fmt = output_kind(args.out)
    return texts, keys, kind, fmt


def run_batch(args: argparse.Namespace, model_id: str, options: dict[str, Any]) -> int:
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.registry import load_model, model_info
    from signstudio.pose import formats
    from signstudio.pose.errors import FormatError

    created: Path | None = None
    try:
        texts, keys, kind, fmt = _check(args)
        if kind == "folder" and prepare_folder(args.out):
            created = args.out
            print(f"created folder {args.out}")
        info = model_info(model_id)
        if args.lang not in info.languages:
            raise BatchError(
                f"model {model_id!r} does not cover sign language {args.lang!r}; "
                f"it covers: {', '.join(info.languages)} (--lang)"
            )
        started = time.perf_counter()
        model = load_model(model_id, args.device)
        loaded = time.perf_counter()
        seqs = sign_all(model, texts, args.lang, args.batch_size, options)
        signed = time.perf_counter()
        for key, text, seq in zip(keys, texts, seqs, strict=True):
            seq.meta["key"], seq.meta["text"] = key, text
        if kind == "folder":
            write_folder(args.out, keys, seqs)
        else:
            formats.write(args.out, seqs, format=fmt)
    except (BatchError, ModelError, FormatError, OSError) as exc:
        if created is not None:
            with contextlib.suppress(OSError):
                created.rmdir()  # only when still empty
        if isinstance(exc, OSError):
            from signstudio.pose.formats._atomic import write_error

            exc = write_error(args.out, exc)
        return _fail(str(exc))
    rate = len(texts) / max(signed - loaded, 1e-9)
    print(
        f"signed {len(texts)} sentences in {args.lang} with model {model_id!r} on {model.device} "
        f"(load {loaded - started:.1f} s, {rate:.1f} sentences/s) -> {args.out} ({fmt or 'folder of .pose'})"
    )
    return 0


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2
