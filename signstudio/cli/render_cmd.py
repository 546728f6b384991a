"""`signstudio render FILE [--gt FILE] [--avatar mannequin|smplx|none] --out VIDEO`: a video, headless.

See `signstudio.app.render`. Needs a display with OpenGL (under `xvfb-run` on a server).

Beyond the contract line (DESIGN.md §9): ``--out`` may name PNG frames (a folder/, a ``%05d``
pattern or a ``.png`` name), ``--frames A:B`` renders a range, ``--strip`` stacks the DTW and
FGD-style rows under the video, and ``--metrics OUT.csv|json`` writes the per-frame metrics
(`signstudio.runner.frame_metrics`) — with or without a video. The strip and the metrics need
``--gt``; the pair is scored once, here, and both use that one result.

Checked before anything is read or rendered (issue 18), each one line and exit 2: a display Qt
can use ("no display: run under xvfb-run (e.g. xvfb-run -a signstudio render ...)": without one Qt
aborts the process), and the places written: the folder of a video, a ``.png`` name or a pattern
must exist ("OUT: folder DIR does not exist", never created silently) and be writable (not full,
not read-only); ``--out FOLDER/`` is the one folder made here, when its parent exists, with the
line "created folder DIR". A disk that fills up while rendering is one line and leaves no
``.part``.

A lesson (issue 20): ``--speed 0.25 --loops 2 --size 720p --mirror --caption`` (the caption is
the file's word unless a text follows), ``--avatar mannequin --body avatar`` for the avatar
without the skeleton over it; the line written says the video's length.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

SIZE_NAMES = ("360p", "720p", "1080p", "small", "hd")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "render", help="render a pose file to a video (mp4 or gif) or PNG frames, headless; per-frame metrics"
    )
    p.add_argument("file", metavar="FILE", help="pose file to render")
    p.add_argument("--gt", metavar="FILE", help="reference rendered beside it (and scored against)")
    p.add_argument("--avatar", choices=["mannequin", "smplx", "none"], default="none")
    p.add_argument(
        "--smplx-folder", default=None, help="the folder holding SMPLX_NEUTRAL.npz (--avatar smplx)"
    )
    p.add_argument(
        "--size", choices=SIZE_NAMES, default="360p", help="360p, 720p or 1080p (small = 360p, hd = 720p)"
    )
    p.add_argument(
        "--speed", type=float, default=1.0, help="play at this speed: 0.25 = four times slower (0.05-8)"
    )
    p.add_argument("--loops", type=int, default=1, help="play it this many times (1-100)")
    p.add_argument(
        "--body",
        choices=["both", "avatar"],
        default="both",
        help="with --avatar: the skeleton drawn over it (both) or the avatar alone",
    )
    p.add_argument("--mirror", action="store_true", help="left and right mirrored, as in a mirror")
    p.add_argument(
        "--caption",
        nargs="?",
        const="",
        default=None,
        metavar="TEXT",
        help="burn a caption into the video: TEXT, or the sequence's word when left out",
    )
    # a str, not a Path: a trailing "/" (PNG frames into a new folder) must survive
    p.add_argument(
        "--out",
        metavar="VIDEO|FOLDER/",
        help="VIDEO.mp4 or VIDEO.gif; a folder/, frame_%%05d.png or NAME.png for one PNG per frame "
        "(the folder must exist; a FOLDER/ is created when its parent exists)",
    )
    p.add_argument(
        "--strip", action="store_true", help="the DTW and FGD-style curves under the video (needs --gt)"
    )
    p.add_argument(
        "--frames",
        metavar="A:B",
        help="only frames A to B-1 (either may be left out: 10:, :50; from the end: --frames=-30:)",
    )
    p.add_argument(
        "--metrics",
        type=Path,
        metavar="OUT.csv|json",
        help="per-frame DTW, FGD-style and joint errors (needs --gt)",
    )
    p.add_argument(
        "--key", default=None, help="in a file of many sequences (.skels, .h5): the one with this key"
    )
    p.add_argument("--index", type=int, default=None, help="in a file of many sequences: the N-th (from 1)")
    p.set_defaults(func=run)


def _pick(path: str, key: str | None, index: int | None, other_key: str | None = None) -> Any:
    """The sequence of ``path`` asked for (``--key``/``--index``; for the reference, the key of the
    chosen sequence when it has one); a note on stderr when a many-sequence file gave its first."""
    from signstudio.pose.errors import FormatError
    from signstudio.pose.formats import read

    seqs = read(path)
    if not seqs:
        raise FormatError(path, "holds no sequence")
    want = key if key is not None else other_key
    if want is not None and any(s.meta.get("key") == want for s in seqs):
        return next(s for s in seqs if s.meta.get("key") == want)
    if key is not None:
        raise FormatError(path, f"no sequence with key {key!r}")
    if index is not None:
        if not 1 <= index <= len(seqs):
            raise FormatError(path, f"has {len(seqs)} sequences, no --index {index}")
        return seqs[index - 1]
    if len(seqs) > 1:
        label = f" (key {seqs[0].meta['key']})" if seqs[0].meta.get("key") else ""
        print(
            f"note: {path} holds {len(seqs)} sequences; using the first{label}: pick one with --key or "
            f"--index, or score them all with `signstudio score FILE REF --out REPORT.md`",
            file=sys.stderr,
        )
    return seqs[0]


def _check(args: argparse.Namespace) -> str | None:
    """What is wrong with the request before anything is read, or None."""
    if args.out is None and args.metrics is None:
        return "render needs --out VIDEO|FOLDER/ or --metrics OUT.csv|json (or both)"
    if args.gt is None and (args.strip or args.metrics is not None):
        what = "--strip" if args.strip else "--metrics"
        return f"{what} compares with a reference: give one with --gt FILE"
    if args.strip and args.out is None:
        return "--strip draws under a video or PNG frames: give --out"
    if args.metrics is not None and args.metrics.suffix.lower() not in (".csv", ".json"):
        return f"{args.metrics}: --metrics writes .csv or .json"
    from signstudio.session.render_plan import check_lesson

    try:
        check_lesson(args.speed, args.loops)
    except ValueError as exc:
        return f"--{exc}"
    return None


def check_places(args: argparse.Namespace) -> str | None:
    """Before any work: a usable display (for ``--out``) and writable places for ``--out`` and
    ``--metrics``; the problem as one line, or None. Makes a ``--out FOLDER/`` that is missing."""
    from signstudio.pose.formats._atomic import check_destination, make_output_folder
    from signstudio.session.render_plan import check_output

    if args.metrics is not None:
        check_destination(args.metrics)
    if args.out is None:
        return None
    pattern = check_output(args.out)  # a name render cannot write: said first
    folder_out = pattern is not None and (str(args.out).endswith(("/", "\\")) or Path(args.out).is_dir())
    if not (folder_out and Path(args.out).is_dir()):
        check_destination(args.out)  # its folder (for a new FOLDER/: the parent) must take files
    from signstudio.doctor.display import display_problem

    problem = display_problem("render")
    if problem is not None:
        return problem
    if folder_out and make_output_folder(args.out):
        print(f"created folder {args.out}")
        args.created_folder = Path(args.out)  # removed again if the render fails
    return None


def run(args: argparse.Namespace) -> int:
    from signstudio.modeling.base import ModelError
    from signstudio.pose.errors import FormatError

    problem = _check(args)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    bar: Any = None
    try:
        problem = check_places(args)
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        seq = _pick(args.file, args.key, args.index)
        ref = _pick(args.gt, args.key, args.index, seq.meta.get("key")) if args.gt else None
        frames = None
        if args.frames is not None:
            from signstudio.session.render_plan import frame_range, parse_frames

            frames = parse_frames(args.frames)
            frame_range(frames, seq.num_frames)  # a bad range fails before the models load
        scores = None
        if ref is not None and (args.strip or args.metrics is not None):
            from signstudio.session.render_plan import pair_scores, pair_text

            scores = pair_scores(seq, ref)
        if args.metrics is not None:
            assert scores is not None and ref is not None
            from signstudio.runner.frame_metrics import write_frame_metrics

            text, lang = pair_text(seq, ref)
            meta = {"file": str(args.file), "reference": str(args.gt), "text": text, "sign_language": lang}
            write_frame_metrics(args.metrics, scores, meta, fps=float(seq.fps))
            print(f"wrote {args.metrics}: {scores.n_gen} frames of per-frame metrics")
        if args.out is None:
            return 0
        from tqdm import tqdm

        from signstudio.app.render import render
        from signstudio.session.render_plan import SIZES

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:  # first frame drawn: nothing printed before an early error
                bar = tqdm(total=total, desc="render", unit="frame", file=sys.stderr, leave=False)
            bar.update(done - bar.n)

        result = render(
            seq,
            args.out,
            ref,
            args.avatar,
            SIZES[args.size],
            args.smplx_folder,
            progress,
            strip=args.strip,
            scores=scores,
            frames=frames,
            speed=args.speed,
            loops=args.loops,
            mirror=args.mirror,
            caption=_caption(args.caption, seq, ref),
            body=args.body,
        )
    except (FormatError, ValueError, ModelError) as exc:
        if bar is not None:
            bar.close()
        if getattr(args, "created_folder", None) is not None:
            with contextlib.suppress(OSError):
                args.created_folder.rmdir()  # only when still empty
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if bar is not None:
        bar.close()
    print(_wrote(result))
    return 0


def _wrote(result: dict[str, Any]) -> str:
    """The one line said after a render: what, how many frames, size and the video's length."""
    what = f"{len(result['files'])} PNG files" if "files" in result else f"{result['frames']} frames"
    lesson = "" if "files" in result else f", {result['duration']:.2f} s long"
    return (
        f"wrote {result['out']}: {what} at {result['fps']:g} fps, "
        f"{result['size'][0]}x{result['size'][1]}{lesson}, in {result['seconds']:.1f} s"
    )


def _caption(asked: str | None, seq: Any, ref: Any) -> str | None:
    """``--caption TEXT`` as given; ``--caption`` alone: the pair's word (an error when neither
    file says one)."""
    if asked is None or asked.strip():
        return asked
    from signstudio.session.render_plan import pair_text

    text, _ = pair_text(seq, ref)
    if not text:
        raise ValueError("--caption: the file names no word (meta 'text'): give one, --caption TEXT")
    return text
