"""The one error type every reader and writer raises for bad input, and how a library's
exception on hostile bytes is said in our words.

A user message names the file, the problem in our words and the place (``header, component
'POSE_LANDMARKS', limb 7``; ``line 3, value 12``; ``byte 123``). A library's exception text
(``UnicodeDecodeError: 'utf-8' codec can't decode ...``, ``struct.error: unpack requires ...``)
never reaches a user: `in_our_words` maps what a reader let through — raised, or wrapped in a
`FormatError` whose text still carries it — to a sentence of ours. When no reader knew the place,
the place is ``whole file`` (the problem is real but not pinned down further).
"""

from __future__ import annotations

import errno
import json
import lzma
import re
import struct
import zipfile
import zlib
from pathlib import Path

#: Text that only a library's exception would put in a message: exception class names, codec
#: and struct wording. A message of ours never matches it.
LIBRARY_TEXT = re.compile(
    r"\b\w*(Error|Exception)\b|\berror:|\bcodec\b|\bstruct\b|\bunpack|BadZipFile|\[Errno|\bzlib\b|Traceback"
)
#: A damaged container (zip, HDF5, compressed stream) in our words.
DAMAGED = "the file is damaged (its compressed data or container structure cannot be read)"
_FIELD_NAME = re.compile(r"[\w.:/-]{1,64}")
#: OSError numbers that are about the disk or the permissions, not the file's content.
_ACCESS_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EIO,
    errno.ENOENT,
    errno.EISDIR,
    errno.ENOTDIR,
    errno.ENXIO,
}
#: The place of a problem no reader pinned down.
WHOLE_FILE = "whole file"


class FormatError(ValueError):
    """A file could not be read (or written) as the format it claims to be.

    The message is one line: ``<file>: <problem> (at <place>)``. The CLI prints it as is and
    exits 2; the app shows it in a dialog.
    """

    def __init__(self, path: str | Path | None, problem: str, where: str | None = None):
        self.path = None if path is None else str(path)
        self.problem = problem
        self.where = where
        head = f"{self.path}: " if self.path else ""
        tail = f" (at {where})" if where else ""
        super().__init__(f"{head}{problem}{tail}".replace("\n", " "))


class SkeletonError(ValueError):
    """A skeleton that is not valid: ``problem`` in our words, ``where`` the place in it
    (``component 'POSE_LANDMARKS', limb 7``). Readers turn it into a `FormatError` of the file."""

    def __init__(self, problem: str, where: str):
        self.problem = problem
        self.where = where
        super().__init__(f"{problem} (at {where})")


def has_library_text(text: str) -> bool:
    return LIBRARY_TEXT.search(text) is not None


def describe(exc: BaseException) -> tuple[str, str | None]:
    """(problem in our words, place or None) for an exception raised while reading a file."""
    if isinstance(exc, SkeletonError):
        return f"the skeleton is not valid: {exc.problem}", exc.where
    if isinstance(exc, FormatError):
        return own_words(exc.problem), exc.where
    if isinstance(exc, UnicodeDecodeError):
        return "a name or text in the file is not valid UTF-8 text", None
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON ({exc.msg})", f"line {exc.lineno} column {exc.colno}"
    if isinstance(exc, MemoryError):
        return "too large to read (not enough memory for what the file declares)", None
    if isinstance(exc, RecursionError):
        return "nested too deeply to read", None
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) and "not a zip file" in text:
        return "is not a valid zip archive (no zip directory at its end)", "end of file"
    if isinstance(exc, OSError) and ("signature" in text or "superblock" in text):
        return "is not a valid HDF5 file (its superblock is damaged)", "start of file"
    return _by_kind(exc), None


def _by_kind(exc: BaseException) -> str:
    if isinstance(exc, struct.error):
        return "the file ends early or a binary field is malformed"
    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile):
        if "CRC" in str(exc):
            return "compressed data is damaged (its checksum does not match)"
        return "is not a valid zip archive (its directory or a member's header is damaged)"
    if isinstance(exc, zlib.error | lzma.LZMAError | EOFError):
        return "compressed data is damaged"
    if isinstance(exc, KeyError):
        key = str(exc.args[0]) if exc.args else ""
        if _FIELD_NAME.fullmatch(key):
            return f"required field {key!r} is missing"
        # h5py says "Unable to synchronously open object (bad object header ...)" as a KeyError
        return DAMAGED
    if isinstance(exc, NotImplementedError):
        return "uses a feature SignStudio cannot read"
    if isinstance(exc, OSError):
        if exc.errno in _ACCESS_ERRNOS and exc.strerror:
            return f"cannot read: {exc.strerror.lower()}"
        # bz2 "Invalid data stream", h5py "Unable to open file (...)", a zip's seek to a
        # negative offset (EINVAL): a damaged container, not a disk problem
        return DAMAGED
    return "the content is malformed (a field has a value or size the format does not allow)"


def own_words(problem: str) -> str:
    """``problem`` without the library text a reader appended (``corrupt array (zlib.error: ...)``
    -> ``corrupt array``; ``cannot read as h5: OSError: ...`` -> ``cannot read as h5``)."""
    if not has_library_text(problem):
        return problem
    cut = min((i for i in (problem.find(" ("), problem.find(": ")) if i > 0), default=-1)
    head = problem[:cut] if cut > 0 else ""
    return head if head and not has_library_text(head) else "the content is malformed"


def in_our_words(path: str | Path, exc: BaseException) -> FormatError:
    """A `FormatError` for ``exc`` raised while reading ``path``: in our words, with a place."""
    if isinstance(exc, FormatError) and not has_library_text(exc.problem):
        if exc.where:
            return exc
        return FormatError(exc.path or path, exc.problem, WHOLE_FILE)
    outer_where = exc.where if isinstance(exc, FormatError) else None
    inner = exc.__context__ if isinstance(exc, FormatError) else exc
    if isinstance(exc, FormatError) and inner is None:
        problem, where = own_words(exc.problem), None
    else:
        assert inner is not None
        problem, where = describe(inner)
        if outer_where and where:
            where = where.removeprefix("skeleton, ")  # "key skeleton, component 'X', limb 7"
        if isinstance(exc, FormatError) and problem == _by_kind(Exception()):
            problem = own_words(exc.problem)  # the reader's words say more than the generic ones
    place = ", ".join(w for w in (outer_where, where) if w) or WHOLE_FILE
    target = exc.path if isinstance(exc, FormatError) and exc.path else path
    return FormatError(target, problem, place)
