"""`signstudio convert IN OUT [--layout L]`: any readable format to any writable one.

With ``--prompt2sign`` it runs SignLLM's three data steps instead: OpenPose JSON folders -> `.h5`
(2D, Prompt2Sign layout) -> 3D by the lifting of Algorithm 1 -> `.skels`.

Batch: ``signstudio convert IN_FOLDER OUT_FOLDER --to EXT [--recursive]`` converts every pose
file of the folder (files with a readable format's extension, and OpenPose JSON folders; with
``--recursive`` also those in subfolders, which are kept as subfolders of OUT_FOLDER). ``EXT``
is an extension (``pose``, ``eaf``, ``bvh``, ``skels``, ``h5``, ``npz``) or a format id
(``p2s-legacy``). Names are kept: ``a.skels`` -> ``a.pose``; two inputs that would give the same
name keep their extension in it (``a-npz.bvh``, ``a-pose.bvh``). A file holding several
sequences becomes one file when the target holds several (`HOLDS_MANY`), else one file per
sequence, ``a-<key>.pose`` (its ``meta["key"]``, else its index). A bad file prints one line,
``error: FILE: problem``, and the batch goes on; a summary line ends it. Exit 0 when every
file converted, 2 when any failed (or there was nothing to convert). ``.eaf`` outputs link the
pose file they came from. A ``.pose`` output keeps the annotations and word of its input in its
sidecar (``NAME.pose.signstudio.json``); sidecars in the input folder go with their ``.pose``
(never counted as passed over). A target that drops annotations (``.bvh``, ``.skels``...) is
named in one ``note:`` line. ``--rig compact`` writes BVH body and hands only (upper50).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A ``.pose`` file's sidecar (`signstudio.pose.formats._sidecar.SUFFIX`): read with its file.
SIDECAR = ".signstudio.json"
#: Formats whose files hold several sequences (one batch output per input file).
HOLDS_MANY = frozenset({"h5", "pt-skels", "p2s-legacy", "p2s-2025"})


def add_parser(sub: Any) -> None:
    p = sub.add_parser("convert", help="convert a pose file to another format or layout")
    p.add_argument(
        "input",
        type=Path,
        help="pose file, or an OpenPose JSON folder (or a folder of them; with --to: of pose files)",
    )
    p.add_argument(
        "output",
        type=Path,
        help="output file; its extension picks the format; its folder must exist (with --to: a folder, "
        "created when its parent exists)",
    )
    p.add_argument("--layout", help="convert to this layout first (upper50, ...)")
    p.add_argument("--format", dest="out_format", help="output format id (e.g. pt-skels, p2s-legacy, h5)")
    p.add_argument("--in-format", help="input format id when sniffing is not enough")
    p.add_argument(
        "--prompt2sign",
        action="store_true",
        help="run SignLLM's pipeline: OpenPose JSON -> .h5 -> 3D lifting -> .skels",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the lifting's root noise")
    p.add_argument(
        "--to",
        metavar="EXT",
        help="batch: convert every pose file in the INPUT folder to this extension or format id "
        "(pose, eaf, bvh, skels, h5, npz, ...) into the OUTPUT folder",
    )
    p.add_argument("--recursive", action="store_true", help="with --to: also the files in subfolders")
    p.add_argument(
        "--rig",
        choices=("full", "compact"),
        help="BVH only: full (every joint, rooted at the neck; default) or compact (body and hands, "
        "upper50's 50 joints, no face points)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signstudio.pose import formats
    from signstudio.pose.convert import convert
    from signstudio.pose.formats._atomic import check_destination

    if not args.to:
        check_destination(args.output)  # before reading or converting anything
    if args.prompt2sign:
        from tqdm import tqdm

        from signstudio.pose.prompt2sign import run_pipeline

        bar = tqdm(desc="prompt2sign", unit="clip", file=sys.stderr)

        def progress(stage: str, done: int, total: int) -> None:
            bar.set_description(f"prompt2sign: {stage}")
            bar.total = total
            bar.n = done
            bar.refresh()

        summary = run_pipeline(args.input, args.output, seed=args.seed, progress=progress)
        bar.close()
        print(", ".join(f"{k}: {v}" for k, v in summary.items()))
        return 0

    if args.to:
        return run_batch(
            args.input,
            args.output,
            args.to,
            args.recursive,
            args.layout,
            args.out_format,
            args.in_format,
            args.rig,
        )
    seqs = formats.read(args.input, format=args.in_format)
    if args.layout:
        try:
            seqs = [convert(s, args.layout) for s in seqs]
        except ValueError as exc:
            print(f"error: {args.input}: {exc}", file=sys.stderr)
            return 2
    from signstudio.pose.formats.skels import FAMILIES

    spec = formats.spec_named(args.out_format, args.output) if args.out_format else None
    spec = spec or formats.detect(args.output, for_writing=True)
    formats.write(
        args.output, seqs, format=args.out_format, **_write_options(spec.name, args.input, args.rig)
    )
    lost = lost_note(seqs, spec.name)
    if lost:
        print(f"note: {args.output}: {lost}", file=sys.stderr)
    written = FAMILIES[spec.name].layout if spec.name in FAMILIES else seqs[0].layout
    note = (
        f"converted from {seqs[0].layout} to {written}" if written != seqs[0].layout else f"layout {written}"
    )
    print(f"wrote {args.output} ({spec.name}, {len(seqs)} sequence(s), {note})")
    return 0


def _write_options(format_name: str, source: Path, rig: str | None = None) -> dict[str, Any]:
    # An ELAN file links the pose file it was made from; a BVH takes the rig asked for.
    if format_name == "eaf":
        return {"media": source if source.is_file() else False}
    return {"rig": rig} if format_name == "bvh" and rig else {}


def lost_note(seqs: Sequence[Any], format_name: str) -> str:
    """One line saying what writing ``seqs`` as ``format_name`` drops of their annotations
    (`signstudio.pose.annotations.lost_in`), "" when nothing."""
    from signstudio.pose.annotations import lost_in

    for i, seq in enumerate(seqs):
        lost = lost_in(seq, format_name)
        if lost:
            where = f" (sequence {i})" if len(seqs) > 1 else ""
            return f"{format_name} cannot keep {', '.join(lost)}{where}; they are not in the file"
    return ""


def target_format(to: str, out_format: str | None = None) -> tuple[Any, str]:
    """The `FormatSpec` and extension (with its dot) that ``--to`` names: a format id or an
    extension; ``--format`` picks the family among those sharing the extension."""
    from signstudio.pose import formats
    from signstudio.pose.errors import FormatError

    known = formats.formats()
    name = to.strip().lower()
    if name in known and known[name].write is not None and "/" not in known[name].extensions:
        spec = known[name]
        return (formats.spec_named(out_format) if out_format else spec), spec.extensions[0]
    ext = "." + name.lstrip(".")
    writable = sorted({e for s in known.values() if s.write for e in s.extensions if e != "/"})
    if ext not in writable:
        raise FormatError(None, f"--to {to}: no format writes {ext} (writable: {', '.join(writable)})")
    spec = formats.spec_named(out_format) if out_format else formats.detect(f"x{ext}", for_writing=True)
    return spec, ext


def _readable_extensions() -> set[str]:
    from signstudio.pose import formats

    return {e for s in formats.formats().values() if s.read for e in s.extensions if e != "/"}


def batch_inputs(
    folder: Path, recursive: bool = False, exclude: Path | None = None
) -> tuple[list[Path], int]:
    """The pose files (and OpenPose JSON folders) under ``folder``, sorted, and how many other files
    were passed over. ``exclude``: a folder not to look into (the output folder)."""
    if folder.is_file():
        return [folder], 0
    readable = _readable_extensions()
    found: list[Path] = []
    skipped = 0
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if exclude is not None and entry.resolve() == exclude.resolve():
                continue
            if any(not p.name.endswith(SIDECAR) for p in entry.glob("*.json")):
                found.append(entry)  # an OpenPose per-frame JSON folder (a .pose's sidecar is not)
            elif recursive:
                more, passed = batch_inputs(entry, True, exclude)
                found += more
                skipped += passed
        elif entry.suffix.lower() in readable:
            found.append(entry)
        elif not entry.name.endswith(SIDECAR):  # a sidecar goes with its .pose
            skipped += 1
    return found, skipped


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "_"


@dataclass
class _Job:
    source: Path
    out_dir: Path
    stem: str


def _jobs(sources: Sequence[Path], root: Path, out: Path) -> list[_Job]:
    relative = [s.relative_to(root) if root.is_dir() else Path(s.name) for s in sources]
    stems = [r.name if s.is_dir() else r.stem for s, r in zip(sources, relative, strict=True)]
    clash: dict[tuple[Path, str], int] = {}
    for r, stem in zip(relative, stems, strict=True):
        key = (r.parent, stem)
        clash[key] = clash.get(key, 0) + 1
    jobs = []
    for source, r, stem in zip(sources, relative, stems, strict=True):
        if clash[(r.parent, stem)] > 1:  # a.pose and a.npz: keep each one's extension in its name
            stem = f"{stem}-{source.suffix.lstrip('.').lower() or 'folder'}"
        jobs.append(_Job(source, out / r.parent, stem))
    return jobs


def _outputs(job: _Job, seqs: list[Any], spec: Any, ext: str) -> list[tuple[Path, list[Any]]]:
    if len(seqs) == 1 or spec.name in HOLDS_MANY:
        return [(job.out_dir / f"{job.stem}{ext}", seqs)]
    width = len(str(len(seqs) - 1))
    names: set[str] = set()
    out = []
    for i, seq in enumerate(seqs):
        key = seq.meta.get("key")
        name = _safe_name(str(key)) if key not in (None, "") else f"{i:0{width}d}"
        if name in names:
            name = f"{name}-{i:0{width}d}"
        names.add(name)
        out.append((job.out_dir / f"{job.stem}-{name}{ext}", [seq]))
    return out


def _one_line(source: Path, exc: Exception) -> str:
    from signstudio.pose.errors import FormatError

    if isinstance(exc, FormatError):
        return str(exc)
    message = str(exc).replace("\n", " ")
    return f"{source}: {type(exc).__name__}: {message}"


def _make_subfolder(folder: Path) -> None:
    """A subfolder of the batch's output folder (``--recursive``): ours to create."""
    from signstudio.pose.formats._atomic import write_error

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(folder, exc) from None


def run_batch(
    source: Path,
    out: Path,
    to: str,
    recursive: bool = False,
    layout: str | None = None,
    out_format: str | None = None,
    in_format: str | None = None,
    rig: str | None = None,
) -> int:
    """Convert every pose file in ``source`` into ``out`` (see the module docstring); exit code."""
    from tqdm import tqdm

    from signstudio.pose import formats
    from signstudio.pose.convert import convert
    from signstudio.pose.errors import FormatError
    from signstudio.pose.formats._atomic import DiskError, make_output_folder

    if not source.exists():
        raise FormatError(source, "no such file or folder")
    spec, ext = target_format(to, out_format)
    sources, skipped = batch_inputs(source, recursive, exclude=out)
    if not sources:
        print(f"error: {source}: no pose files to convert", file=sys.stderr)
        return 2
    if make_output_folder(out):
        print(f"created folder {out}")
    failed = written = converted = 0
    bar = tqdm(_jobs(sources, source, out), desc=f"convert to {ext}", unit="file", file=sys.stderr)
    for job in bar:
        try:
            seqs = formats.read(job.source, format=in_format)
            if layout:
                seqs = [convert(s, layout) for s in seqs]
            if job.out_dir != out:
                _make_subfolder(job.out_dir)
            for target, items in _outputs(job, seqs, spec, ext):
                if target.resolve() == job.source.resolve():
                    raise FormatError(
                        job.source, f"would overwrite itself (write to another folder than {out})"
                    )
                formats.write(target, items, format=spec.name, **_write_options(spec.name, job.source, rig))
                written += 1
            converted += 1
        except Exception as exc:  # one bad file never stops the batch
            failed += 1
            tqdm.write(f"error: {_one_line(job.source, exc)}", file=sys.stderr)
            if isinstance(exc, DiskError):
                break  # a full or read-only disk: the next files would fail the same way
    bar.close()
    summary = f"converted {converted} of {len(sources)} files to {spec.name} ({written} written into {out})"
    if failed:
        summary += f"; {failed} failed"
    if converted + failed < len(sources):
        summary += f"; stopped, {len(sources) - converted - failed} not tried (the disk)"
    if skipped:
        summary += f"; {skipped} other files passed over"
    print(summary)
    return 2 if failed or converted < len(sources) else 0
