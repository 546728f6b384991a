"""`signstudio app [FILE [--index N | --key KEY]] [--gt FILE] [--frame N] [--screenshot PNG --quit]`.

FILE may hold many sequences (a ``.skels`` with its ``.text/.gloss/.files``, an ``.h5``, a folder
of pose files): ``--index``/``--key`` pick one, read alone (`signstudio.session.dataset`: a
``.skels`` is indexed, not parsed whole); without them FILE is read whole and its first sequence
shown. An index or key that is not there is one line and exit 2.

Further flags set the studio up the way a user would through its menus, so that a screenshot
shows a real state of the UI (the user guide's pictures are made this way, by
``packaging/guide_screenshots.sh``): generate on start (``--text``, ``--lang``, ``--model``,
``--prompt``), how the reference is shown (``--reference``, ``--timing``), the body
(``--body``), the heat map, playback speed and loop, the camera, which panel is in front, the
window size and theme, and edits (``--mirror``, ``--keyframe``, ``--flag``, ``--edit``,
``--reach``, ``--drag``), and the lexicon (``--lexicon``, ``--mark``, ``--add-to-lexicon``:
`signstudio.app.lexicon_flags`). With ``--screenshot`` the picture is taken once everything asked for
has arrived: the generation, the pair's scores and the avatars.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

REFERENCE_MODES = ("side-by-side", "ghost")
TIMINGS = ("own-clock", "warped")
BODY_MODES = ("skeleton", "avatar", "both")
PANELS = ("Files", "Metrics", "History", "Dataset", "Lexicon")
THEMES = ("system", "light", "dark")
CAMERAS = ("front", "side", "top", "signer")
REACHES = ("frame", "falloff", "keyframes")


def window_size(text: str) -> tuple[int, int]:
    """``1400x860`` -> (1400, 860)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1400x860, not {text!r}") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is out of range (320x240 .. 10000x10000)")
    return w, h


def speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed must be a number such as 0.5, not {text!r}") from None
    if not 0.05 <= value <= 8:
        raise argparse.ArgumentTypeError(f"speed {value:g} is out of range (0.05 .. 8)")
    return value


def panel(text: str) -> str:
    for name in PANELS:
        if name.lower() == text.strip().lower():
            return name
    raise argparse.ArgumentTypeError(f"panel must be one of {', '.join(PANELS)}, not {text!r}")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "app",
        help="open the studio (the default command)",
        description="Open the studio on FILE, or on a real recording from the built-in corpus. "
        "The other options set the studio up as the menus would (a choice made here is remembered "
        "like a menu choice, except with --quit, which leaves your settings as they were).",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="pose file to show (default: a built-in sample)")
    p.add_argument(
        "--index", metavar="N", type=int, help="show sequence N (0 = first) of FILE (.skels, .h5, folder)"
    )
    p.add_argument(
        "--key", metavar="KEY", help="show the sequence with this key (.files line, .h5 key, file stem)"
    )
    p.add_argument("--gt", metavar="FILE", help="ground-truth reference shown beside it")
    p.add_argument(
        "--sort", metavar="COLUMN[:desc]",
        help="sort FILE's Dataset table by a column (index, key, text, ..., or a score such as "
        "dtw-mje once --gt scored it); ':desc' puts the largest first, e.g. dtw-mje:desc (worst "
        "first); the top row is then shown",
    )  # fmt: skip
    p.add_argument("--frame", metavar="N", type=int, help="start on frame N (0 = first; clamped)")
    p.add_argument("--screenshot", metavar="PNG", help="save the whole window as PNG once it has painted")
    p.add_argument("--quit", action="store_true", help="exit after the first paint (and the screenshot)")

    gen = p.add_argument_group("generate on start (instead of FILE)")
    gen.add_argument("--text", metavar="T", help="sign this text (or, with --prompt, this request)")
    gen.add_argument("--lang", metavar="L", help="sign language code, e.g. ase (default: the last used)")
    gen.add_argument("--model", metavar="ID", help="model id, e.g. lookup, nar-kd (default: the last used)")
    gen.add_argument("--checkpoint", metavar="PT",
                     help="open with this checkpoint file (a training run's best.pt) as the model in use "
                     "(remembered in Models)")  # fmt: skip
    gen.add_argument("--prompt", action="store_true", help="prompt mode: read the text out of a request")
    gen.add_argument("--compare", nargs="+", metavar="ID",
                     help="also sign --text with these one or two models and show every model side by "
                     "side with the reference, with a metrics column per model")  # fmt: skip

    view = p.add_argument_group("view")
    view.add_argument("--reference", choices=REFERENCE_MODES, help="reference beside or as a ghost (S, G)")
    view.add_argument("--timing", choices=TIMINGS, help="reference on its own clock or time-warped (W)")
    view.add_argument("--body", choices=BODY_MODES, help="skeleton, avatar or both (A, Shift+A)")
    view.add_argument("--heat", action="store_true", help="joint error heat map on (H)")
    view.add_argument("--camera", choices=CAMERAS, help="camera preset (1-4)")
    view.add_argument("--speed", type=speed, metavar="X", help="playback speed, e.g. 0.5")
    view.add_argument("--loop", action="store_true", help="loop playback (L)")
    view.add_argument("--panel", type=panel, metavar="NAME",
                      help="bring a panel to the front: " + ", ".join(PANELS))  # fmt: skip
    view.add_argument("--size", type=window_size, metavar="WxH", help="window size, e.g. 1400x860")
    view.add_argument(
        "--theme", choices=THEMES, help="light or dark look (default: as chosen in View → Theme)"
    )

    edit = p.add_argument_group("edit (on the generated or opened sequence, in this order)")
    edit.add_argument("--mirror", action="store_true", help="Edit → Mirror left and right")
    edit.add_argument("--keyframe", type=int, action="append", default=[], metavar="N",
                      help="Keyframe this frame (K) on frame N (repeatable)")  # fmt: skip
    edit.add_argument("--flag", type=int, action="append", default=[], metavar="N",
                      help="Flag this frame (F) on frame N (repeatable)")  # fmt: skip
    edit.add_argument("--edit", action="store_true", help="Edit joints on (E)")
    edit.add_argument("--reach", choices=REACHES, help="Drag reaches: this frame, falloff, or up to the "
                      "neighbouring keyframes")  # fmt: skip
    edit.add_argument(
        "--drag",
        nargs=3,
        metavar=("JOINT", "DX", "DY"),
        help="with the mouse, drag JOINT of the generated skeleton (e.g. 'right wrist') by DX, DY "
        "pixels (right, down) on frame --frame; turns Edit joints on",
    )
    _add_lexicon_flags(p)
    p.set_defaults(func=run)


def _add_lexicon_flags(p: Any) -> None:
    """`--lexicon`, `--mark`, `--add-to-lexicon` (`signstudio.app.lexicon_flags`)."""
    lexicon = p.add_argument_group("lexicon (signstudio.app.lexicon_flags)")
    lexicon.add_argument(
        "--lexicon",
        action="append",
        metavar="DIR",
        help="use these lexicon folders, in priority order (repeatable; Lexicon → Lexicons…)",
    )
    lexicon.add_argument(
        "--mark",
        nargs=2,
        type=int,
        metavar=("FROM", "TO"),
        help="mark frames FROM..TO (included) for Add to lexicon (I, O)",
    )
    lexicon.add_argument("--add-to-lexicon", nargs=2, metavar=("GLOSS", "WORDS"),
                         help="Add to lexicon… the marked frames (or the whole clip) as GLOSS signing WORDS, "
                         "into the first --lexicon folder")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from signstudio.app.launch import run as run_app

    if getattr(args, "checkpoint", None):
        if args.model:
            print("error: give --model or --checkpoint, not both", file=sys.stderr)
            return 2
        from signstudio.app.input_binding import remember_checkpoint
        from signstudio.app.settings import Settings
        from signstudio.modeling.base import ModelError

        try:  # before the window: it opens with this model selected (the remembered "model")
            model_id = remember_checkpoint(Settings(), args.checkpoint).id
        except ModelError as exc:
            print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        if args.text:
            args.model = model_id

    return run_app(args)
