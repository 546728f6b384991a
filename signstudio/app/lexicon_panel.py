"""The Lexicon dock: the entries of one lexicon folder, and what can be done to them.

    panel = LexiconPanel(parent)
    panel.set_folders(settings.lexicons(), chosen)    # the folder box: the Lexicons setting
    panel.show_lexicon(load_lexicon(folder))          # rows, the count line, the problems

One row per sign, in index order: gloss, words, language (spoken → signed), priority and span
(seconds of the clip, "whole clip" when the row gives none). The filter box keeps the rows whose
gloss or words contain what is typed (any case). Under the table, each problem `load_lexicon`
found is one line (file, problem, row), in the error colour; the rest of the lexicon still shows.

The panel only shows and asks; `signstudio.app.lexicon_binding` does the work when its signals
fire: ``play_requested(Sign)`` (also a double click or Enter on a row), ``rename_requested(Sign)``,
``priority_requested(Sign)``, ``delete_requested(Sign)`` (also the Delete key), ``undo_requested()``
(the Undo button, or Ctrl+Z while the panel has the keyboard: the window's Undo — the edited
sequence's — everywhere else), ``folder_chosen(str)`` and ``setting_requested()``.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.dialogs.add_to_lexicon import PRIORITY_TIP
from signstudio.corpus.user_lexicon import Lexicon, Sign

COLUMNS = ("Gloss", "Words", "Language", "Priority", "Span")
ERROR_COLOUR = "#d03030"
SIGN_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1


def span_text(sign: Sign) -> str:
    """The row's span as the panel shows it: "0.40–1.60 s", "from 0.40 s", "whole clip"."""
    if sign.start_ms is None and sign.end_ms is None:
        return "whole clip"
    start = f"{(sign.start_ms or 0) / 1000:.2f}"
    return f"from {start} s" if sign.end_ms is None else f"{start}–{sign.end_ms / 1000:.2f} s"


def used_line(segments: object) -> str | None:
    """How a generated sequence was signed, from its ``meta["segments"]``: "Signed: WATER (sign) ·
    “and” spelled · BREAD (sign)" — None when no segment says (not signed by lookup)."""
    parts: list[tuple[str, str, str]] = []
    for seg in segments if isinstance(segments, list | tuple) else ():
        if not isinstance(seg, dict) or seg.get("kind") not in ("sign", "spelled"):
            continue
        part = (str(seg["kind"]), str(seg.get("text", "")), str(seg.get("gloss", "")))
        if not parts or parts[-1][:2] != part[:2] or part[0] == "sign":  # letters of one word: once
            parts.append(part)
    words = [f"{gloss} (sign)" if kind == "sign" else f"“{text}” spelled" for kind, text, gloss in parts]
    return "Signed: " + " · ".join(words) if words else None


def row_texts(sign: Sign) -> tuple[str, ...]:
    return (
        sign.gloss,
        sign.words,
        f"{sign.spoken_language} → {sign.sign_language}",
        str(sign.priority),
        span_text(sign),
    )


class LexiconPanel(QtWidgets.QWidget):
    """See the module docstring (object name ``lexicon_panel``)."""

    play_requested = QtCore.Signal(object)
    rename_requested = QtCore.Signal(object)
    priority_requested = QtCore.Signal(object)
    delete_requested = QtCore.Signal(object)
    undo_requested = QtCore.Signal()
    folder_chosen = QtCore.Signal(str)
    setting_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lexicon_panel")
        self.lexicon: Lexicon | None = None
        self.can_undo = False
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._folder_row())
        self.filter = QtWidgets.QLineEdit(self)
        self.filter.setObjectName("lexicon_filter")
        self.filter.setPlaceholderText("Filter gloss or words")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        layout.addWidget(self.filter)
        self.table = self._make_table()
        layout.addWidget(self.table, 1)
        layout.addLayout(self._button_row())
        self.count = QtWidgets.QLabel(self)
        self.count.setObjectName("lexicon_count")
        layout.addWidget(self.count)
        self.used = QtWidgets.QLabel(self)
        self.used.setObjectName("lexicon_used")
        self.used.setWordWrap(True)
        self.used.hide()
        layout.addWidget(self.used)
        self.problems = QtWidgets.QListWidget(self)
        self.problems.setObjectName("lexicon_problems")
        self.problems.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.problems.hide()
        layout.addWidget(self.problems)
        self.table.installEventFilter(self)
        self.filter.installEventFilter(self)
        self._sync_buttons()

    def _folder_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.folder_box = QtWidgets.QComboBox(self)
        self.folder_box.setObjectName("lexicon_folder_box")
        self.folder_box.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.folder_box.setMinimumContentsLength(10)
        self.folder_box.setToolTip("The lexicon shown (the Lexicons setting, in priority order)")
        self.folder_box.activated.connect(
            lambda _i: self.folder_chosen.emit(str(self.folder_box.currentData()))
        )
        row.addWidget(self.folder_box, 1)
        setting = QtWidgets.QPushButton("Lexicons…", self)
        setting.setObjectName("lexicons_setting")
        setting.setToolTip("Which lexicon folders generation uses, in priority order")
        setting.clicked.connect(self.setting_requested)
        row.addWidget(setting)
        return row

    def _make_table(self) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(COLUMNS), self)
        table.setObjectName("lexicon_table")
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.verticalHeader().hide()
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        table.doubleClicked.connect(lambda _i: self._emit(self.play_requested))
        table.itemSelectionChanged.connect(self._sync_buttons)
        return table

    def _button_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for name, label, tip, slot in (
            ("play", "Play", "Open the sign in the view and play it (Enter)", self.play_requested),
            ("rename", "Rename…", "Change the gloss and the words", self.rename_requested),
            ("priority", "Priority…", PRIORITY_TIP, self.priority_requested),
            ("delete", "Delete", "Remove the sign and its file (Undo brings it back)", self.delete_requested),
        ):  # fmt: skip
            button = QtWidgets.QPushButton(label, self)
            button.setObjectName(f"lexicon_{name}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, s=slot: self._emit(s))
            row.addWidget(button)
            self.buttons[name] = button
        undo = QtWidgets.QPushButton("Undo", self)
        undo.setObjectName("lexicon_undo")
        undo.setToolTip("Bring back the last deleted sign (Ctrl+Z in this panel)")
        undo.clicked.connect(self.undo_requested)
        row.addWidget(undo)
        self.buttons["undo"] = undo
        return row

    # ---- showing -----------------------------------------------------------------------------
    def set_folders(self, folders: list[str], chosen: str | None) -> None:
        """The folder box: ``folders`` by name (the whole path as the tooltip), ``chosen`` current."""
        box = self.folder_box
        blocked = box.blockSignals(True)
        box.clear()
        for folder in folders:
            name = QtCore.QFileInfo(folder).fileName() or folder
            box.addItem(name, folder)
            box.setItemData(box.count() - 1, folder, QtCore.Qt.ItemDataRole.ToolTipRole)
        if chosen in folders:
            box.setCurrentIndex(folders.index(chosen))
        box.blockSignals(blocked)
        if not folders:
            self.show_lexicon(None, "No lexicon yet: Lexicons… adds or makes one")

    def show_lexicon(self, lexicon: Lexicon | None, line: str | None = None) -> None:
        """Rows of ``lexicon`` (None: empty), its problems one line each; ``line`` replaces the count."""
        self.lexicon = lexicon
        keep = self.selected()
        signs = lexicon.signs if lexicon is not None else ()
        self.table.setRowCount(len(signs))
        for r, sign in enumerate(signs):
            for c, text in enumerate(row_texts(sign)):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(f"{sign.path} (row {sign.row})" if c == 0 else text)
                if c == 3:
                    item.setTextAlignment(
                        QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
                    )
                item.setData(SIGN_ROLE, sign)
                self.table.setItem(r, c, item)
        problems = lexicon.problems if lexicon is not None else ()
        self.problems.clear()
        for problem in problems:
            entry = QtWidgets.QListWidgetItem(problem)
            entry.setToolTip(problem)  # the whole line: the panel is narrower than most
            self.problems.addItem(entry)
        rows = min(len(problems), 4)
        frame = 2 * self.problems.frameWidth() + self.problems.horizontalScrollBar().sizeHint().height()
        self.problems.setFixedHeight(rows * self.problems.sizeHintForRow(0) + frame if rows else 0)
        self.problems.setVisible(bool(problems))
        if line is None and lexicon is not None:
            noun = "sign" if len(signs) == 1 else "signs"
            extra = f", {len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else ""
            line = f"{len(signs)} {noun}{extra} · {lexicon.folder}"
        self.count.setText(line or "")
        self.count.setToolTip(line or "")
        self._apply_filter()
        if keep is not None:
            self.select_path(keep.path)
        self._sync_buttons()

    def show_used(self, line: str | None) -> None:
        """The line saying how the sequence on screen was signed (None: hidden)."""
        self.used.setText(line or "")
        self.used.setToolTip(line or "")
        self.used.setVisible(bool(line))

    def _apply_filter(self, *_: object) -> None:
        needle = self.filter.text().casefold().strip()
        for r in range(self.table.rowCount()):
            sign = self.sign_at(r)
            hay = f"{sign.gloss} {sign.words}".casefold() if sign is not None else ""
            self.table.setRowHidden(r, bool(needle) and needle not in hay)

    # ---- selection ---------------------------------------------------------------------------
    def sign_at(self, row: int) -> Sign | None:
        item = self.table.item(row, 0)
        value = item.data(SIGN_ROLE) if item is not None else None
        return value if isinstance(value, Sign) else None

    def selected(self) -> Sign | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.sign_at(rows[0].row()) if rows else None

    def select_path(self, path: str) -> bool:
        """Select the row of the sign whose index.csv path is ``path``."""
        for r in range(self.table.rowCount()):
            sign = self.sign_at(r)
            if sign is not None and sign.path == path:
                self.table.selectRow(r)
                return True
        return False

    def visible_rows(self) -> list[int]:
        return [r for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]

    def _emit(self, signal: QtCore.SignalInstance) -> None:
        sign = self.selected()
        if sign is not None:
            signal.emit(sign)

    def set_can_undo(self, can: bool, tip: str = "") -> None:
        self.can_undo = can
        self.buttons["undo"].setEnabled(can)
        self.buttons["undo"].setToolTip(tip or "Bring back the last deleted sign (Ctrl+Z in this panel)")

    def _sync_buttons(self) -> None:
        chosen = self.selected() is not None
        for name in ("play", "rename", "priority", "delete"):
            self.buttons[name].setEnabled(chosen)
        self.buttons["undo"].setEnabled(self.can_undo)

    # ---- keys --------------------------------------------------------------------------------
    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """Ctrl+Z undoes the panel's last delete while the panel has the keyboard (taken from the
        window's Undo by accepting the shortcut override); Delete deletes, Enter plays."""
        kind = event.type()
        if kind in (QtCore.QEvent.Type.ShortcutOverride, QtCore.QEvent.Type.KeyPress):
            assert isinstance(event, QtGui.QKeyEvent)
            if event.matches(QtGui.QKeySequence.StandardKey.Undo) and self.can_undo:
                event.accept()
                if kind == QtCore.QEvent.Type.KeyPress:
                    self.undo_requested.emit()
                return True
            if watched is self.table and kind == QtCore.QEvent.Type.KeyPress:
                return self._table_key(event)
        return super().eventFilter(watched, event)

    def _table_key(self, event: QtGui.QKeyEvent) -> bool:
        key = event.key()
        if key == QtCore.Qt.Key.Key_Delete:
            self._emit(self.delete_requested)
            return True
        if key in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            self._emit(self.play_requested)
            return True
        return False


__all__ = ["COLUMNS", "LexiconPanel", "row_texts", "span_text", "used_line"]
