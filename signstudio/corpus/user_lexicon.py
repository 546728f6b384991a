"""A lexicon of signs in the spoken-to-signed (sign.mt) layout: read it, check it, add to it.

A lexicon is a folder holding ``index.csv`` and the ``.pose`` files it names (paths relative to
the folder). Its columns are spoken-to-signed's: ``path, spoken_language, signed_language, start,
end, words, glosses, priority`` (start/end in milliseconds of the clip; other columns are kept as
they are). The package's fingerspelling lexicon (`signstudio.corpus.lexicon.lexicon_dir`) is one
and loads unchanged.

Decisions:

* **The span** of a row is spoken-to-signed's (``PoseLookup.get_pose``): frames
  ``[start // frame_ms, end // frame_ms)`` with ``frame_ms = 1000 / fps``; an empty or zero
  ``end`` (and an empty ``start``) means the clip's end (its start). An ``end`` past the clip's
  last frame is cut there, as slicing does in spoken-to-signed: the package's own lexicon does
  this on every row (its clips were trimmed after the index was written). A span that holds no
  frame of the clip (it starts at or after the clip's end) is a problem.
* **Bad rows are skipped, not fatal** (`load_lexicon`): a row with the wrong number of fields, an
  empty path or gloss, a start/end/priority that is not a whole number >= 0 (priority: any whole
  number), start >= end, a path that leaves the folder, a missing or unreadable ``.pose``, a span
  outside its clip: one line each in ``Lexicon.problems`` naming the file, the problem and the
  row; the other rows load. Only a folder without a readable ``index.csv`` (missing, not UTF-8
  text, without the columns above, over `MAX_INDEX_BYTES`) raises `FormatError`.
* **Duplicate glosses** (two rows with the same gloss for the same spoken and sign language, case
  ignored) are named as a problem, and both rows load: they are variants of each other, the
  studio shows both so that one can be renamed. `add_sign` and `update_sign` refuse to make one.
* **Writes are atomic and keep what they do not understand**: ``index.csv`` is rewritten from its
  own rows (broken rows and unknown columns kept verbatim, line endings as found) through
  `signstudio.pose.formats._atomic`; a ``.pose`` is written by the ``.pose`` writer. `add_sign`
  writes the ``.pose`` first, then the index; if the index cannot be written the new ``.pose``
  is removed again, so a full or read-only disk leaves the folder as it was. An index that cannot
  be read in full is never rewritten. A missing folder is an error; only `create_lexicon` makes one.
* **A new sign's file** is named after its gloss (ASCII letters, digits and ``-``; ``sign`` when
  none is left), ``-2``, ``-3``... added until no file of that name exists, in the folder itself.
  It holds the chosen frames only (trimmed to the signing when asked: `trim_to_signing`, the
  elbow heuristic of spoken-to-signed), and its row spans the whole file: start 0, end its
  duration in ms rounded up so that spoken-to-signed's rounding keeps every frame
  (`covering_ms`; numbers, not empty: spoken-to-signed reads them with ``int``).
* **Removing** a sign takes its row out of the index, then deletes its ``.pose`` unless another
  row still names it (the fingerspelling lexicon shares clips between languages). `RemovedSign`
  keeps the row and the file's bytes, so `restore_sign` (undo) puts both back, the row at its old
  place.
* **Words** are compared as `phrase_key` says: lower case (NFC), apostrophes dropped, every other
  punctuation mark separates words (the rule of ``modeling.text.words.split_words``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from signstudio.corpus.lexicon_index import (
    COLUMNS,
    INDEX,
    IndexRows,
    Lexicon,
    Sign,
    clip_shape,
    load_lexicon,
    load_sign,
    parse_row,
    phrase_key,
    read_index,
)
from signstudio.pose.errors import FormatError, in_our_words
from signstudio.pose.sequence import PoseSequence


@dataclass(frozen=True)
class RemovedSign:
    """What `remove_sign` took away, for `restore_sign` (undo)."""

    sign: Sign
    fields: tuple[str, ...]  # the row as it was in index.csv
    position: int  # 0-based place among the data rows
    pose_bytes: bytes | None  # None when the file was kept (another row still names it)


# ---- writing -------------------------------------------------------------------------------------


def _paths(idx: IndexRows, rows: list[list[str]]) -> list[str]:
    """The path field of each row that has one (broken rows included: their files stay)."""
    column = idx.column("path")
    return [row[column].strip() for row in rows if len(row) > column]


def _check_complete(idx: IndexRows) -> None:
    if not idx.complete:
        raise FormatError(idx.path, "cannot be read in full, so it is not rewritten; repair it first")


def _write_index(idx: IndexRows, rows: list[list[str]]) -> None:
    from signstudio.pose.formats._atomic import atomic_path

    _check_complete(idx)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=idx.newline)
    writer.writerow(idx.header)
    writer.writerows(rows)
    with atomic_path(idx.path) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def create_lexicon(folder: str | Path) -> Lexicon:
    """A new, empty lexicon: ``folder`` (made when missing, inside an existing folder) with an
    index.csv of the header only. `FormatError` when the folder already has an index.csv."""
    from signstudio.pose.formats._atomic import atomic_path, write_error

    root = Path(folder)
    index = root / INDEX
    if index.exists():
        raise FormatError(index, "already exists: the folder is a lexicon already")
    if root.exists() and not root.is_dir():
        raise FormatError(root, "cannot make a lexicon there: it is a file, not a folder")
    made = not root.exists()
    if made and not root.parent.is_dir():
        raise FormatError(root, f"folder {root.parent} does not exist")
    try:
        root.mkdir(exist_ok=True)
    except OSError as exc:
        raise write_error(root, exc, root.parent) from None
    try:
        with atomic_path(index) as tmp:
            tmp.write_text(",".join(COLUMNS) + "\n", encoding="utf-8", newline="")
    except FormatError:
        if made:  # a full disk still takes an empty folder: leave none behind
            with contextlib.suppress(OSError):
                root.rmdir()
        raise
    return Lexicon(root, (), ())


def covering_ms(frames: int, fps: float) -> int:
    """The smallest whole ``end`` in ms whose span (``end // (1000 / fps)``, spoken-to-signed's
    rounding) covers all ``frames``: ``ceil(frames * 1000 / fps)`` can fall short by a rounding
    error (30 frames at 30 fps: 1000 // 33.33... = 29)."""
    end = math.ceil(frames * 1000 / fps)
    while int(end // (1000 / fps)) < frames:
        end += 1
    return end


def _row_fields(idx: IndexRows, values: dict[str, str]) -> list[str]:
    return [values.get(name, "") for name in idx.header]


def _gloss_taken(idx: IndexRows, spoken: str, signed: str, gloss: str, skip: int | None = None) -> int | None:
    """The 1-based row that already has ``gloss`` for these languages (case ignored), or None."""
    s, g, p = idx.column("spoken_language"), idx.column("signed_language"), idx.column("glosses")
    for i, row in enumerate(idx.rows):
        if i == skip or len(row) != len(idx.header):
            continue
        if (
            row[s].strip() == spoken
            and row[g].strip() == signed
            and row[p].strip().casefold() == gloss.casefold()
        ):
            return i + 1
    return None


def file_stem(gloss: str) -> str:
    """A file name for a gloss: ASCII letters, digits and ``-`` (``"HAUS-2 (alt)"`` -> ``haus-2-alt``)."""
    ascii_ = unicodedata.normalize("NFKD", gloss).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60].strip("-")
    return stem or "sign"


def _free_name(folder: Path, idx: IndexRows, gloss: str) -> str:
    named = set(_paths(idx, idx.rows))
    stem = file_stem(gloss)
    for n in range(1, 100_000):
        name = f"{stem}.pose" if n == 1 else f"{stem}-{n}.pose"
        if name not in named and not os.path.lexists(folder / name):
            return name
    raise FormatError(folder, f"no free file name for gloss {gloss!r}")


def _check_text(folder: Path, **values: str) -> None:
    for name, value in values.items():
        if not value.strip():
            raise FormatError(folder / INDEX, f"the {name} is empty; a sign needs one")
        if "\n" in value or "\r" in value:
            raise FormatError(folder / INDEX, f"the {name} holds a line break; write it on one line")


def _sign_at(folder: Path, idx: IndexRows, i: int) -> Sign:
    parsed = parse_row(folder, idx, i)
    if isinstance(parsed, str):
        raise FormatError(idx.path, parsed)
    return parsed


def _clip_for(sequence: PoseSequence, start_frame: int, end_frame: int | None, trim: bool) -> PoseSequence:
    end = sequence.num_frames if end_frame is None else end_frame
    if not 0 <= start_frame < end <= sequence.num_frames:
        raise FormatError(
            None,
            f"frames {start_frame}-{end} are not a range of the sequence "
            f"(it has {sequence.num_frames} frames)",
        )
    clip = sequence.frames(start_frame, end)
    if trim:
        from signstudio.pose.transforms import trim_to_signing

        clip = trim_to_signing(clip)
    # Only what the .pose writer needs: the index holds the words, no sidecar beside the clip.
    keep = {k: v for k, v in clip.meta.items() if k in ("format", "convention")}
    return clip.replace(meta=keep)


def add_sign(
    folder: str | Path,
    sequence: PoseSequence,
    *,
    gloss: str,
    words: str,
    spoken_language: str,
    sign_language: str,
    start_frame: int = 0,
    end_frame: int | None = None,
    priority: int = 0,
    trim: bool = False,
) -> Sign:
    """Write frames ``[start_frame, end_frame)`` of ``sequence`` as a new sign of the lexicon in
    ``folder`` (``NAME.pose``, then its index.csv row; module docstring). `FormatError` when the
    gloss is taken for these languages, a text is empty, or the folder cannot be written."""
    from signstudio.pose.formats import write

    root = Path(folder)
    gloss, spoken_language, sign_language = gloss.strip(), spoken_language.strip(), sign_language.strip()
    _check_text(root, gloss=gloss, words=words, spoken_language=spoken_language, sign_language=sign_language)
    idx = read_index(root)
    taken = _gloss_taken(idx, spoken_language, sign_language, gloss)
    if taken is not None:
        raise FormatError(
            idx.path,
            f"gloss {gloss!r} is taken ({spoken_language} -> {sign_language}); choose another",
            f"row {taken}",
        )
    _check_complete(idx)  # before any file is written
    clip = _clip_for(sequence, start_frame, end_frame, trim)
    name = _free_name(root, idx, gloss)
    end_ms = covering_ms(clip.num_frames, clip.fps)
    values = {
        "path": name,
        "spoken_language": spoken_language,
        "signed_language": sign_language,
        "start": "0",
        "end": str(end_ms),
        "words": words.strip(),
        "glosses": gloss,
        "priority": str(int(priority)),
    }
    write(root / name, clip, format="pose")
    rows = [*idx.rows, _row_fields(idx, values)]
    try:
        _write_index(idx, rows)
    except BaseException:
        with contextlib.suppress(OSError):
            (root / name).unlink()
        raise
    idx.rows, idx.lines = rows, [*idx.lines, (idx.lines[-1] + 1 if idx.lines else 2)]
    return _sign_at(root, idx, len(rows) - 1)


def _find_row(folder: Path, idx: IndexRows, sign: Sign) -> int:
    """The 0-based row of ``sign`` now: its own row when it still matches, else the one row with
    its path and gloss (the index changed since it was loaded)."""

    def matches(i: int) -> bool:
        parsed = parse_row(folder, idx, i)
        return isinstance(parsed, Sign) and (parsed.path, parsed.gloss, parsed.sign_language) == (
            sign.path,
            sign.gloss,
            sign.sign_language,
        )

    if 0 < sign.row <= len(idx.rows) and matches(sign.row - 1):
        return sign.row - 1
    found = [i for i in range(len(idx.rows)) if matches(i)]
    if len(found) != 1:
        raise FormatError(
            idx.path, f"sign {sign.gloss!r} ({sign.path}) is no longer in the index", f"row {sign.row}"
        )
    return found[0]


def remove_sign(folder: str | Path, sign: Sign) -> RemovedSign:
    """Take ``sign`` out of the lexicon: its row, then its ``.pose`` unless another row names it.
    The returned `RemovedSign` undoes it (`restore_sign`)."""
    root = Path(folder)
    idx = read_index(root)
    i = _find_row(root, idx, sign)
    fields = idx.rows[i]
    rows = idx.rows[:i] + idx.rows[i + 1 :]
    shared = sign.path in _paths(idx, rows)
    pose_bytes = None
    if not shared:
        try:
            pose_bytes = sign.file.read_bytes()
        except OSError as exc:
            raise in_our_words(sign.file, exc) from None
    _write_index(idx, rows)
    if pose_bytes is not None:
        with contextlib.suppress(OSError):  # the row is gone: a file left over harms nothing
            sign.file.unlink()
    return RemovedSign(
        sign=replace(sign, folder=root), fields=tuple(fields), position=i, pose_bytes=pose_bytes
    )


def restore_sign(folder: str | Path, removed: RemovedSign) -> Sign:
    """Put a removed sign back: its file (under a new name if its old one was taken meanwhile)
    and its row at its old place (or the end, when the index has fewer rows now)."""
    from signstudio.pose.formats._atomic import atomic_path

    root = Path(folder)
    idx = read_index(root)
    fields = list(removed.fields)
    written = None
    if removed.pose_bytes is not None:
        target = root / removed.sign.path
        if target.exists() and target.read_bytes() != removed.pose_bytes:
            fields[idx.column("path")] = _free_name(root, idx, removed.sign.gloss)
            target = root / fields[idx.column("path")]
        if not target.exists():
            with atomic_path(target) as tmp:
                tmp.write_bytes(removed.pose_bytes)
            written = target
    position = min(removed.position, len(idx.rows))
    rows = [*idx.rows[:position], fields, *idx.rows[position:]]
    try:
        _write_index(idx, rows)
    except BaseException:
        if written is not None:
            with contextlib.suppress(OSError):
                written.unlink()
        raise
    idx.rows = rows
    idx.lines = [*idx.lines[:position], 0, *idx.lines[position:]]
    return _sign_at(root, idx, position)


def update_sign(
    folder: str | Path,
    sign: Sign,
    *,
    gloss: str | None = None,
    words: str | None = None,
    priority: int | None = None,
) -> Sign:
    """``sign`` with a new gloss, words or priority (None: unchanged), its row rewritten in place."""
    root = Path(folder)
    idx = read_index(root)
    i = _find_row(root, idx, sign)
    fields = list(idx.rows[i])
    if gloss is not None:
        gloss = gloss.strip()
        _check_text(root, gloss=gloss)
        taken = _gloss_taken(idx, sign.spoken_language, sign.sign_language, gloss, skip=i)
        if taken is not None:
            raise FormatError(
                idx.path,
                f"gloss {gloss!r} is taken ({sign.spoken_language} -> {sign.sign_language}); choose another",
                f"row {taken}",
            )
        fields[idx.column("glosses")] = gloss
    if words is not None:
        _check_text(root, words=words)
        fields[idx.column("words")] = words.strip()
    if priority is not None:
        fields[idx.column("priority")] = str(int(priority))
    rows = [*idx.rows[:i], fields, *idx.rows[i + 1 :]]
    _write_index(idx, rows)
    idx.rows = rows
    return _sign_at(root, idx, i)


__all__ = [
    "COLUMNS",
    "INDEX",
    "Lexicon",
    "RemovedSign",
    "Sign",
    "add_sign",
    "clip_shape",
    "covering_ms",
    "create_lexicon",
    "load_lexicon",
    "load_sign",
    "phrase_key",
    "remove_sign",
    "restore_sign",
    "update_sign",
]
