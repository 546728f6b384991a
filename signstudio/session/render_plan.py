"""What a render asks for, decided before Qt starts (`signstudio render`, File → Export).

    pattern = png_pattern("shots/")            # "shots/frame_%05d.png"; None for a video name
    picked = frame_range(parse_frames("10:50"), seq.num_frames)   # range(10, 50)
    text, lang = pair_text(seq, ref)           # what the pair says it signs
    scores = pair_scores(seq, ref)             # for the metric strip and per-frame metrics
    shown = lesson_frames(range(50), speed=0.25, loops=2)   # 400 video frames, each frame 4 times

A lesson video (issue 20): ``speed`` slows (or speeds) the signing without changing the video's
frame rate, so any player plays it: at 0.25 every frame of the sequence is shown 4 times, at 2
every other one (the studio's own playback shows the same frames at that speed). ``loops``
repeats it. The video then lasts ``frames / fps / speed * loops`` seconds (rounded to whole
video frames per loop). ``SIZES`` are the heights a lesson is watched at: 360p, 720p, 1080p
(``small`` and ``hd`` are the older names of the first two).

Qt-free, so the CLI checks a request (and fails in one line) before a window or a model loads;
the drawing itself is `signstudio.app.render`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from signstudio.pose.sequence import PoseSequence

if TYPE_CHECKING:
    from signstudio.runner.scoring import PairScores

#: (width, height) of the viewport in a render, by the name ``--size`` takes.
SIZES = {
    "360p": (640, 360),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "small": (640, 360),
    "hd": (1280, 720),
}
#: The sizes offered by name in the export dialog and ``--size`` help (the rest are aliases).
LESSON_SIZES = ("360p", "720p", "1080p")
#: Slowest and fastest lesson speed; the most loops.
SPEED_RANGE = (0.05, 8.0)
MAX_LOOPS = 100
VIDEO_SUFFIXES = (".mp4", ".gif")
#: The file names of PNG frames written into a folder.
FOLDER_PATTERN = "frame_%05d.png"
_PERCENT_D = re.compile(r"%0?\d*d")


def png_pattern(out: str | Path) -> str | None:
    """The ``%``-pattern of the PNG files ``out`` asks for, or None when it names a video.

    ``out`` is a folder (it exists, or the text ends in ``/``): ``out/frame_%05d.png``; it holds
    one ``%d``-style field (``shots/f%04d.png``; ``.png`` added when it has no suffix): itself; it
    ends in ``.png``: ``name_%05d.png`` beside it (every frame gets its own file, even a single
    one). ValueError for a pattern with two fields or another suffix.
    """
    text = str(out)
    path = Path(text)
    if text.endswith(("/", "\\")) or path.is_dir():
        folder, name = path, FOLDER_PATTERN
    else:
        folder, name = path.parent, path.name
        fields = _PERCENT_D.findall(name)
        if len(fields) > 1 or (not fields and "%" in name):
            raise ValueError(f"{text}: a frame pattern holds one %d field (e.g. frame_%05d.png)")
        if fields and path.suffix.lower() not in (".png", ""):
            raise ValueError(f"{text}: frames are written as PNG: end the pattern in .png")
        if fields:
            name = name if path.suffix else name + ".png"
        elif path.suffix.lower() == ".png":
            name = f"{path.stem}_%05d.png"
        else:
            return None
    # a "%" in a folder's name is a character, not a field
    return str(folder).replace("%", "%%") + "/" + name


def check_output(out: str | Path) -> str | None:
    """The ``%``-pattern of PNG output (`png_pattern`), or None for a video; ValueError (one
    line) when ``out`` is neither a video name nor PNG frames."""
    pattern = png_pattern(out)
    suffix = Path(out).suffix.lower()
    if pattern is None and suffix not in VIDEO_SUFFIXES:
        raise ValueError(
            f"{out}: render writes .mp4 or .gif, not {suffix or 'no extension'} "
            "(or PNG frames: a folder/, a %05d pattern or a .png name)"
        )
    return pattern


def parse_frames(text: str) -> tuple[int | None, int | None]:
    """``"A:B"`` (either side may be empty or negative, as in a Python slice) -> ``(A, B)``."""
    head, sep, tail = text.partition(":")
    if not sep or ":" in tail:
        raise ValueError(f"--frames {text}: expected START:STOP, e.g. 10:50 (frames 10 to 49)")
    try:
        return (int(head) if head.strip() else None, int(tail) if tail.strip() else None)
    except ValueError:
        raise ValueError(f"--frames {text}: START and STOP are whole frame numbers") from None


def frame_range(frames: tuple[int | None, int | None] | None, n: int) -> range:
    """The frames of a ``(start, stop)`` slice of ``n`` frames; ValueError when it is empty or
    reaches past the end (a typo should not quietly render something else)."""
    if frames is None:
        return range(n)
    start, stop = frames
    for v in (start, stop):
        if v is not None and not -n <= v <= n:
            raise ValueError(f"frames {start}:{stop}: the sequence has {n} frames (0 to {n - 1})")
    picked = range(n)[slice(start, stop)]
    if not picked:
        raise ValueError(f"frames {start}:{stop}: no frames (the sequence has {n}, 0 to {n - 1})")
    return picked


def check_lesson(speed: float, loops: int) -> None:
    """ValueError (one line) for a speed outside `SPEED_RANGE` or a loop count outside 1..MAX_LOOPS."""
    lo, hi = SPEED_RANGE
    if not (isinstance(speed, int | float) and lo <= float(speed) <= hi):
        raise ValueError(f"speed {speed}: a lesson plays at {lo:g}x to {hi:g}x (1 = as signed)")
    if isinstance(loops, bool) or not isinstance(loops, int) or not 1 <= loops <= MAX_LOOPS:
        raise ValueError(f"loops {loops}: play it 1 to {MAX_LOOPS} times")


def lesson_frames(picked: range, speed: float = 1.0, loops: int = 1) -> list[int]:
    """The sequence frame shown in each video frame: ``picked`` played at ``speed`` (video frame
    k of a loop shows ``picked[floor(k * speed)]``; round(len / speed) video frames, at least
    one), ``loops`` times over. Frame rate and duration: see the module docstring."""
    check_lesson(speed, loops)
    n = len(picked)
    per_loop = max(1, round(n / speed))
    # the slack keeps k * speed from falling just short of a whole frame (3 * 1/3 = 0.999...)
    one = [picked[min(n - 1, int(k * speed + 1e-9))] for k in range(per_loop)]
    return one * loops


def pair_text(sequence: PoseSequence, reference: PoseSequence | None = None) -> tuple[str | None, str | None]:
    """The text and sign language of a pair as the studio takes them: the sequence's ``meta``,
    else the reference's (None when neither says)."""
    meta, ref_meta = sequence.meta, reference.meta if reference is not None else {}
    text = str(meta.get("text") or ref_meta.get("text") or "") or None
    lang = str(meta.get("sign_language") or ref_meta.get("sign_language") or "") or None
    return text, lang


def pair_scores(sequence: PoseSequence, reference: PoseSequence | None) -> PairScores:
    """`score_pair` in this process (loads the shipped FGD encoder and back-translation model
    once), with the pair's `pair_text`: what ``strip`` and the per-frame metrics show."""
    from signstudio.runner.scoring import score_pair

    return score_pair(sequence, reference, *pair_text(sequence, reference))


__all__ = [
    "FOLDER_PATTERN",
    "LESSON_SIZES",
    "MAX_LOOPS",
    "SIZES",
    "SPEED_RANGE",
    "VIDEO_SUFFIXES",
    "check_lesson",
    "check_output",
    "frame_range",
    "lesson_frames",
    "pair_scores",
    "pair_text",
    "parse_frames",
    "png_pattern",
]
