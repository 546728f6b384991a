"""Lexicon → Lexicons… : the Lexicons setting, the lexicon folders lookup signs known words from.

A list in priority order — the first folder wins when two lexicons sign the same words — with
Add folder…, New lexicon…, Remove, Move up and Move down; OK remembers it (`Settings.set_lexicons`)
and the next Generate uses it. "Add folder…" takes an existing spoken-to-signed lexicon folder
(one with an ``index.csv``; a folder without one is refused with a line saying so), "New
lexicon…" makes an empty one (``index.csv`` with its header only, `create_lexicon`).

    dialog = LexiconsDialog(parent, settings.lexicons())
    if dialog.exec(): settings.set_lexicons(dialog.folders())
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets

from signstudio.corpus.user_lexicon import create_lexicon
from signstudio.pose.errors import FormatError


def ask_new_lexicon(parent: QtWidgets.QWidget | None) -> str | None:
    """A new, empty lexicon folder asked for and made (its one-line problem in a message box);
    None when cancelled or when it could not be made."""
    path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, "New lexicon folder", "", "Folders (*)")
    if not path:
        return None
    try:
        lexicon = create_lexicon(Path(path))
    except (FormatError, OSError) as exc:
        QtWidgets.QMessageBox.warning(parent, "New lexicon", " ".join(str(exc).split()))
        return None
    return str(lexicon.folder)


def ask_existing_lexicon(parent: QtWidgets.QWidget | None) -> str | None:
    """An existing lexicon folder (with an ``index.csv``) asked for; None when cancelled or refused."""
    folder = QtWidgets.QFileDialog.getExistingDirectory(parent, "Add a lexicon folder")
    if not folder:
        return None
    if not (Path(folder) / "index.csv").is_file():
        QtWidgets.QMessageBox.warning(
            parent, "Add a lexicon folder", f"{folder}: no index.csv here, so it is not a lexicon folder"
        )
        return None
    return folder


class LexiconsDialog(QtWidgets.QDialog):
    """The setting's editor (object name ``lexicons_dialog``); `folders` is the list as edited."""

    def __init__(self, parent: QtWidgets.QWidget | None, folders: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lexicons")
        self.setObjectName("lexicons_dialog")
        self.resize(560, 320)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            QtWidgets.QLabel("Lexicon folders lookup signs known words from; the first wins.", self)
        )
        row = QtWidgets.QHBoxLayout()
        self.list = QtWidgets.QListWidget(self)
        self.list.setObjectName("lexicon_list")
        for folder in folders:
            self.list.addItem(folder)
        self.list.setCurrentRow(0)
        row.addWidget(self.list, 1)
        column = QtWidgets.QVBoxLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for name, label, slot in (
            ("add", "Add folder…", self.add_existing),
            ("new", "New lexicon…", self.add_new),
            ("remove", "Remove", self.remove),
            ("up", "Move up", lambda: self.move_row(-1)),
            ("down", "Move down", lambda: self.move_row(+1)),
        ):
            button = QtWidgets.QPushButton(label, self)
            button.setObjectName(f"lexicons_{name}")
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            column.addWidget(button)
            self.buttons[name] = button
        column.addStretch(1)
        row.addLayout(column)
        layout.addLayout(row)
        std = QtWidgets.QDialogButtonBox.StandardButton
        box = QtWidgets.QDialogButtonBox(std.Ok | std.Cancel, self)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.list.currentRowChanged.connect(self._sync)
        self._sync()

    def folders(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _add(self, folder: str | None) -> None:
        if folder and folder not in self.folders():
            self.list.addItem(folder)
            self.list.setCurrentRow(self.list.count() - 1)

    def add_existing(self) -> None:
        self._add(ask_existing_lexicon(self))

    def add_new(self) -> None:
        self._add(ask_new_lexicon(self))

    def remove(self) -> None:
        """Out of the setting only: the folder and its signs stay on disk."""
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
        self._sync()

    def move_row(self, step: int) -> None:
        row = self.list.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(to, item)
        self.list.setCurrentRow(to)

    def _sync(self, *_: object) -> None:
        row, count = self.list.currentRow(), self.list.count()
        self.buttons["remove"].setEnabled(row >= 0)
        self.buttons["up"].setEnabled(row > 0)
        self.buttons["down"].setEnabled(0 <= row < count - 1)


__all__ = ["LexiconsDialog", "ask_existing_lexicon", "ask_new_lexicon"]
