"""`signstudio app` flags for the lexicon, applied as the menus would (the user guide's pictures
of "Your lexicon" are made with them, `packaging/guide_screenshots.sh`):

    --lexicon DIR            (repeatable) the Lexicons setting, in this order (Lexicon → Lexicons…);
                             a folder without index.csv is made an empty lexicon (New lexicon…)
    --mark FROM TO           the frame range to add (Lexicon → Mark range start / end, I and O)
    --add-to-lexicon GLOSS WORDS
                             Lexicon → Add to lexicon… with GLOSS and WORDS typed in and OK
                             pressed: the entry is written into the first --lexicon folder

``--lexicon`` is applied before anything is generated (the first generation uses it); the others
once the opened or generated sequence is on screen. A flag that cannot be applied raises
ValueError (one line: `signstudio app` prints it and exits 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from signstudio.app.lexicon_range import RangeMarks
from signstudio.corpus.user_lexicon import create_lexicon
from signstudio.pose.errors import FormatError


class LexiconBinding(Protocol):
    """What the flags use of `signstudio.app.lexicon_binding.LexiconBinding` (which calls them)."""

    marks: RangeMarks
    window: Any

    def folders(self) -> list[str]: ...

    def set_folders(self, folders: list[str]) -> list[str]: ...

    def add_dialog(self) -> tuple[Any, Any] | None: ...

    def write_entry(self, e: Any, seq: Any, quiet: bool = False) -> Any: ...


def apply_lexicon_flags(binding: LexiconBinding, args: Any, early: bool) -> None:
    if early:
        folders = [str(Path(f).resolve()) for f in getattr(args, "lexicon", None) or []]
        if folders:
            for folder in folders:
                if not (Path(folder) / "index.csv").is_file():
                    try:
                        create_lexicon(Path(folder))
                    except FormatError as exc:
                        raise ValueError(f"--lexicon {folder}: {exc}") from None
            binding.set_folders(folders)
        return
    mark = getattr(args, "mark", None)
    if mark:
        a, b = mark
        if a < 0 or b < 0:
            raise ValueError(f"--mark {a} {b}: frames count from 0")
        binding.marks.mark_start(a)
        binding.marks.mark_end(b)
    adding = getattr(args, "add_to_lexicon", None)
    if adding:
        _add(binding, *adding)


def _add(binding: LexiconBinding, gloss: str, words: str) -> None:
    """Add to lexicon… as a user fills it in: the form with its defaults, GLOSS and WORDS typed."""
    if not binding.folders():
        raise ValueError("--add-to-lexicon: give the lexicon folder with --lexicon DIR")
    made = binding.add_dialog()
    if made is None:
        raise ValueError("--add-to-lexicon: nothing on screen to add")
    dialog, seq = made
    dialog.gloss.setText(gloss)
    dialog.words.setText(words)
    entry = dialog.entry()
    dialog.deleteLater()
    if binding.write_entry(entry, seq, quiet=True) is None:
        raise ValueError(f"--add-to-lexicon {gloss}: {binding.window.statusBar().currentMessage()}")


__all__ = ["apply_lexicon_flags"]
