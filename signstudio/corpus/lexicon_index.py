"""Reading a lexicon folder (spoken-to-signed layout): its rows as `Sign`s, its problems as lines.

The decisions (spans, bad rows, duplicate glosses, words) are in `signstudio.corpus.user_lexicon`,
the module to import; this one holds its reading half so that each stays a readable size.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from signstudio.corpus.words import normalise_word
from signstudio.pose.errors import FormatError, in_our_words
from signstudio.pose.sequence import PoseSequence

INDEX = "index.csv"
#: spoken-to-signed's columns, in its order (a new index is written with these).
COLUMNS = ("path", "spoken_language", "signed_language", "start", "end", "words", "glosses", "priority")
#: An index.csv larger than this is not read (a lexicon of 100 000 signs is about 10 MB).
MAX_INDEX_BYTES = 64 * 1024 * 1024
#: A .pose larger than this is not read into memory to check it.
MAX_POSE_BYTES = 512 * 1024 * 1024
_APOSTROPHES = frozenset("'\u2019\u02bc\u2018`")
_INT = re.compile(r"[+-]?\d{1,12}")


@dataclass(frozen=True)
class Sign:
    """One row of ``index.csv``."""

    folder: Path
    path: str  # as written in index.csv (relative to the folder)
    spoken_language: str
    sign_language: str
    start_ms: int | None
    end_ms: int | None
    words: str  # the words or phrase it signs, as written
    gloss: str
    priority: int
    row: int  # 1-based data row in index.csv (for messages)

    @property
    def file(self) -> Path:
        return self.folder / self.path

    @property
    def key(self) -> tuple[str, ...]:
        """The words it signs, as lookup compares them (`phrase_key`)."""
        return phrase_key(self.words)

    def span_frames(self, fps: float, num_frames: int) -> tuple[int, int]:
        """Its frames ``[start, end)`` in a clip of ``num_frames`` at ``fps`` (module docstring);
        ``end <= start`` when the span holds no frame of the clip."""
        frame_ms = 1000.0 / fps
        start = int(self.start_ms // frame_ms) if self.start_ms else 0
        end = int(self.end_ms // frame_ms) if self.end_ms else num_frames
        return start, min(end, num_frames)


@dataclass(frozen=True)
class Lexicon:
    folder: Path
    signs: tuple[Sign, ...]
    problems: tuple[str, ...]  # one line each: file, problem, place; the rest still loads

    def languages(self) -> set[tuple[str, str]]:
        """The (spoken, sign) language pairs it has signs for."""
        return {(s.spoken_language, s.sign_language) for s in self.signs}


def phrase_key(text: str) -> tuple[str, ...]:
    """The words of ``text`` as lookup compares them: ``"Good  Morning!"`` -> ``("good", "morning")``."""
    cleaned = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _APOSTROPHES:
            continue
        cleaned.append(" " if unicodedata.category(ch).startswith("P") else ch)
    return tuple(normalise_word(w) for w in "".join(cleaned).split())


# ---- reading the index ---------------------------------------------------------------------------


@dataclass
class IndexRows:
    """index.csv as rows of fields: ``rows[i]`` is data row ``i + 1``, ``lines[i]`` its line."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    newline: str
    complete: bool  # False: the CSV broke off; the rows before it are here (never rewritten)
    tail_problem: str | None

    def column(self, name: str) -> int:
        return self.header.index(name)


def _read_text(index: Path) -> str:
    if not index.parent.is_dir():
        raise FormatError(index.parent, "the lexicon folder does not exist")
    try:
        size = index.stat().st_size
        if size > MAX_INDEX_BYTES:
            raise FormatError(index, f"is {size} bytes, more than a lexicon index holds ({MAX_INDEX_BYTES})")
        raw = index.read_bytes()
    except FileNotFoundError:
        raise FormatError(index, "the lexicon has no index.csv (the folder is not a lexicon)") from None
    except OSError as exc:
        raise in_our_words(index, exc) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(index, "is not UTF-8 text", f"byte {exc.start}") from None


def read_index(folder: Path) -> IndexRows:
    index = folder / INDEX
    text = _read_text(index)
    newline = "\r\n" if "\r\n" in text[:65536] else "\n"
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    tail = None
    try:
        header = next(reader, None)
        for row in reader:
            if row:  # csv gives [] for a blank line
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error:
        tail = str(
            FormatError(
                index,
                "the rest cannot be read as CSV (a quote is not closed or a field is too long); "
                "the rows before it load",
                f"line {reader.line_num}",
            )
        )
    if header is None:
        raise FormatError(index, "is empty (no header line)", "line 1")
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise FormatError(index, f"has no column {', '.join(missing)} (spoken-to-signed's layout)", "line 1")
    return IndexRows(index, header, rows, lines, newline, tail is None, tail)


def _place(idx: IndexRows, i: int, field: str | None = None) -> str:
    head = f"row {i + 1}, line {idx.lines[i]}"
    return f"{head}, field {field}" if field else head


def _int_field(value: str, name: str, minimum: int | None) -> int | str | None:
    """The number in ``value`` (None when empty), or the problem in our words."""
    value = value.strip()
    if not value:
        return None
    if not _INT.fullmatch(value):
        return f"{name} {value[:40]!r} is not a whole number"
    number = int(value)
    if minimum is not None and number < minimum:
        return f"{name} {number} is negative"
    return number


def parse_row(folder: Path, idx: IndexRows, i: int) -> Sign | str:
    """Data row ``i`` as a `Sign`, or one line saying what is wrong with it."""
    fields = idx.rows[i]
    index = idx.path
    if len(fields) != len(idx.header):
        return str(
            FormatError(
                index,
                f"the row has {len(fields)} fields, the header names {len(idx.header)}; it is skipped",
                _place(idx, i),
            )
        )
    get = dict(zip(idx.header, fields, strict=True))
    numbers: dict[str, int | None] = {}
    for name, minimum in (("start", 0), ("end", 0), ("priority", None)):
        value = _int_field(get[name], name, minimum)
        if isinstance(value, str):
            return str(FormatError(index, f"{value}; the row is skipped", _place(idx, i, name)))
        numbers[name] = value
    start, end = numbers["start"], numbers["end"]
    problem = _row_problem(get, start, end)
    if problem is not None:
        return str(FormatError(index, f"{problem[0]}; the row is skipped", _place(idx, i, problem[1])))
    return Sign(
        folder=folder,
        path=get["path"].strip(),
        spoken_language=get["spoken_language"].strip(),
        sign_language=get["signed_language"].strip(),
        start_ms=start,
        end_ms=end,
        words=get["words"],
        gloss=get["glosses"].strip(),
        priority=numbers["priority"] or 0,
        row=i + 1,
    )


def _row_problem(get: dict[str, str], start: int | None, end: int | None) -> tuple[str, str] | None:
    """(problem, field) for a row whose fields are readable but do not make a sign."""
    path = get["path"].strip()
    if not path:
        return "the path is empty", "path"
    if "://" in path or Path(path).is_absolute() or ".." in Path(path).parts:
        return f"the path {path!r} is not a file inside the lexicon folder", "path"
    for name in ("spoken_language", "signed_language", "glosses"):
        if not get[name].strip():
            return f"{name} is empty", name
    if start and end and start >= end:
        return f"start {start} ms is not before end {end} ms", "start"
    return None


# ---- checking the clips --------------------------------------------------------------------------

#: (path, mtime_ns, size) -> (frames, fps) or its error: a studio reloads a lexicon often.
_CLIPS: dict[tuple[str, int, int], tuple[int, float] | FormatError] = {}


def clip_shape(path: Path) -> tuple[int, float]:
    """(frames, fps) of a ``.pose`` file; `FormatError` in our words when it cannot be read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise FormatError(path, "the file is missing") from None
    except OSError as exc:
        raise in_our_words(path, exc) from None
    key = (str(path), st.st_mtime_ns, st.st_size)
    found = _CLIPS.get(key)
    if found is None:
        try:
            found = _read_shape(path, st.st_size)
        except FormatError as exc:
            found = exc
        if len(_CLIPS) > 100_000:
            _CLIPS.clear()
        _CLIPS[key] = found
    if isinstance(found, FormatError):
        raise FormatError(path, found.problem, found.where)
    return found


def _read_shape(path: Path, size: int) -> tuple[int, float]:
    from signstudio.pose.formats.poseformat import parse_pose

    if not path.is_file():
        raise FormatError(path, "is a folder, not a .pose file")
    if size == 0:
        raise FormatError(path, "file is empty", "byte 0")
    if size > MAX_POSE_BYTES:
        raise FormatError(path, f"is {size} bytes, more than a lexicon sign is read ({MAX_POSE_BYTES})")
    try:
        pose = parse_pose(path, path.read_bytes())
    except OSError as exc:
        raise in_our_words(path, exc) from None
    frames = int(pose.body.data.shape[0])
    fps = float(pose.body.fps)
    if not math.isfinite(fps) or fps <= 0:
        raise FormatError(path, f"frame rate is {fps:g}, not a positive number", "body, fps")
    if frames == 0:
        raise FormatError(path, "holds zero frames", "body")
    return frames, fps


def _clip_problem(sign: Sign, place: str) -> str | None:
    """One line when the sign's clip is missing, unreadable, or its span holds no frame of it."""
    try:
        frames, fps = clip_shape(sign.file)
    except FormatError as exc:
        where = f"{exc.where}; " if exc.where else ""
        return str(FormatError(sign.file, f"{exc.problem}; the row is skipped", f"{where}index.csv {place}"))
    start, end = sign.span_frames(fps, frames)
    if start >= frames or end <= start:
        span = f"{sign.start_ms or 0}-{sign.end_ms or ''} ms"
        return str(
            FormatError(
                sign.folder / INDEX,
                f"the span {span} holds no frame of {sign.path} ({frames} frames at {fps:g} fps, "
                f"{frames * 1000 / fps:.0f} ms); the row is skipped",
                f"{place}, fields start/end",
            )
        )
    return None


def _duplicates(signs: list[Sign], index: Path) -> list[str]:
    first: dict[tuple[str, str, str], Sign] = {}
    out = []
    for s in signs:
        key = (s.spoken_language, s.sign_language, s.gloss.casefold())
        if key in first:
            out.append(
                str(
                    FormatError(
                        index,
                        f"gloss {s.gloss!r} ({s.spoken_language} -> {s.sign_language}) repeats row "
                        f"{first[key].row}; both load, as variants (rename one to tell them apart)",
                        f"row {s.row}, field glosses",
                    )
                )
            )
        else:
            first[key] = s
    return out


def load_lexicon(folder: str | Path) -> Lexicon:
    """Every usable row of ``folder/index.csv`` as a `Sign`, in index order, and one line per
    problem (module docstring). `FormatError` only when there is no readable index.csv."""
    root = Path(folder)
    idx = read_index(root)
    signs: list[Sign] = []
    problems: list[str] = []
    for i in range(len(idx.rows)):
        parsed = parse_row(root, idx, i)
        if isinstance(parsed, str):
            problems.append(parsed)
            continue
        problem = _clip_problem(parsed, _place(idx, i))
        if problem is not None:
            problems.append(problem)
            continue
        signs.append(parsed)
    problems.extend(_duplicates(signs, idx.path))
    if idx.tail_problem:
        problems.append(idx.tail_problem)
    return Lexicon(root, tuple(signs), tuple(problems))


def load_sign(sign: Sign) -> PoseSequence:
    """The frames of ``sign``'s span, as recorded, with its words, gloss and languages in ``meta``."""
    from signstudio.pose.formats import read_one

    seq = read_one(sign.file, format="pose")
    start, end = sign.span_frames(seq.fps, seq.num_frames)
    if end <= start:
        raise FormatError(sign.folder / INDEX, "the span holds no frame of its clip", f"row {sign.row}")
    seq = seq.frames(start, end) if (start, end) != (0, seq.num_frames) else seq
    return seq.replace(
        meta_update={
            "text": sign.words,
            "gloss": sign.gloss,
            "sign_language": sign.sign_language,
            "spoken_language": sign.spoken_language,
            "reference_kind": "recorded sign",
        }
    )
