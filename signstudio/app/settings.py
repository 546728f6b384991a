"""What the studio remembers between runs (QSettings, INI file in the user's config folder).

Geometry and dock layout, recent files, the last sign language, model and input mode, the
reference display and timing modes, the theme, and the Lexicons setting: the lexicon folders
lookup signs known words from, in priority order (`lexicons`, `set_lexicons`), and the sign
variants the user chose (`variant_choices`). ``SIGNSTUDIO_CONFIG_DIR`` moves the file
(tests use it so they never touch a real user's settings).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6 import QtCore

MAX_RECENT = 10


def _store() -> QtCore.QSettings:
    folder = os.environ.get("SIGNSTUDIO_CONFIG_DIR")
    fmt = QtCore.QSettings.Format.IniFormat
    if folder:
        QtCore.QSettings.setPath(fmt, QtCore.QSettings.Scope.UserScope, folder)
    return QtCore.QSettings(fmt, QtCore.QSettings.Scope.UserScope, "SignStudio", "SignStudio")


class Settings:
    def __init__(self) -> None:
        self._s = _store()

    @property
    def path(self) -> str:
        return self._s.fileName()

    def get(self, key: str, default: Any = None) -> Any:
        value = self._s.value(key, default)
        if isinstance(default, bool) and isinstance(value, str):
            return value.lower() == "true"
        return value

    def set(self, key: str, value: Any) -> None:
        self._s.setValue(key, value)

    def recent_files(self) -> list[str]:
        value = self._s.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return []
        return [str(v) for v in value][:MAX_RECENT]

    def add_recent(self, path: str) -> list[str]:
        """Put ``path`` first (once); the list keeps the ``MAX_RECENT`` most recent."""
        path = str(path)
        recent = [path] + [p for p in self.recent_files() if p != path]
        recent = recent[:MAX_RECENT]
        self._s.setValue("recent_files", recent)
        return recent

    def _strings(self, key: str) -> list[str]:
        """A list of strings stored under ``key`` (QSettings gives one string back as a str).
        Through `get`, so a run's in-memory settings (`signstudio app --quit`) are read too."""
        value = self.get(key, [])
        if isinstance(value, str):
            value = [value] if value else []
        if not isinstance(value, list | tuple):
            return []
        return [str(v) for v in value if str(v)]

    def lexicons(self) -> list[str]:
        """The lexicon folders, first = highest priority (the first folder wins on equal phrases)."""
        seen: list[str] = []
        for folder in self._strings("lexicons"):
            if folder not in seen:
                seen.append(folder)
        return seen

    def set_lexicons(self, folders: list[str]) -> list[str]:
        """Remember ``folders`` in this order (each once), written out at once."""
        kept: list[str] = []
        for folder in (str(f) for f in folders):
            if folder and folder not in kept:
                kept.append(folder)
        self.set("lexicons", kept)
        self.sync()
        return kept

    def variant_choices(self) -> list[tuple[str, str]]:
        """The sign variants chosen: (normalised words, sign path) pairs, stored as "words\tpath"."""
        pairs = (item.partition("\t") for item in self._strings("variant_choices"))
        return [(words, path) for words, sep, path in pairs if sep and words and path]

    def set_variant_choices(self, pairs: list[tuple[str, str]]) -> None:
        self.set("variant_choices", [f"{w}\t{p}" for w, p in pairs])
        self.sync()

    def sync(self) -> None:
        self._s.sync()
