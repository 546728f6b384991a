"""Lexicon → Add to lexicon… (also Edit → Add to lexicon… and the timeline's context menu): the
form that asks how a frame range of the sequence on screen goes into a lexicon folder.

    dialog = AddToLexiconDialog(parent, defaults, folders)
    if dialog.exec(): entry = dialog.entry()     # NewEntry: what `add_sign` is given

Decisions (user-visible):

* The frames default to the range marked on the timeline (Lexicon → Mark range start / end, the
  timeline's context menu), else the whole clip; "To frame" is included, as on the timeline.
* Gloss defaults to the sequence's text in capitals (``WATER``), words to its text, the spoken
  and sign languages to the sequence's own (``meta["spoken_language"]``, ``["sign_language"]``),
  else English and the studio's sign language. The gloss names the file written (a unique name
  made from it: nothing is overwritten).
* "Trim to signing" is on by default: still frames at both ends are dropped before writing, so
  a clip that starts with a long pause does not spoil the join.
* OK is enabled only with a gloss, words and a lexicon folder; with no lexicon in the Lexicons
  setting the folder box offers "New lexicon…" / "Add a folder…" right there.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtWidgets

#: spoken-to-signed's rule, which lookup follows
PRIORITY_TIP = "Among signs for the same words, the lower number is used (as in spoken-to-signed)"


@dataclass(frozen=True)
class NewEntry:
    """What the form asks: frames ``[start_frame, end_frame)`` of the sequence and the row."""

    gloss: str
    words: str
    spoken_language: str
    sign_language: str
    folder: str
    priority: int
    start_frame: int
    end_frame: int
    trim: bool


@dataclass(frozen=True)
class EntryDefaults:
    """The form's first values (`entry_defaults` makes them from the sequence on screen)."""

    gloss: str
    words: str
    spoken_language: str
    sign_language: str
    num_frames: int
    start_frame: int = 0
    end_frame: int | None = None  # None: the whole clip


def entry_defaults(
    meta: dict, num_frames: int, sign_language: str, marked: tuple[int, int] | None
) -> EntryDefaults:
    """Defaults from a sequence's ``meta`` (its text and languages), its length and the range
    marked on the timeline (half-open; None: the whole clip)."""
    text = " ".join(str(meta.get("text", "") or "").split())
    start, end = marked if marked is not None else (0, None)
    return EntryDefaults(
        gloss=text.upper().replace(" ", "-"),
        words=text,
        spoken_language=str(meta.get("spoken_language") or "en"),
        sign_language=str(meta.get("sign_language") or sign_language),
        num_frames=max(1, num_frames),
        start_frame=start,
        end_frame=end,
    )


class AddToLexiconDialog(QtWidgets.QDialog):
    """The form (object name ``add_to_lexicon``). ``folders``: the Lexicons setting, in priority
    order (the first is chosen); ``new_folder`` is called by the folder row's "New lexicon…"
    button and returns the folder made (None: cancelled)."""

    def __init__(
        self,
        parent: QtWidgets.QWidget | None,
        defaults: EntryDefaults,
        folders: list[str],
        new_folder: object = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to lexicon")
        self.setObjectName("add_to_lexicon")
        self._new_folder = new_folder
        form = QtWidgets.QFormLayout(self)
        self.gloss = self._line("gloss", defaults.gloss, "The sign's gloss, e.g. WATER (names the file)")
        self.words = self._line("words", defaults.words, "The word or phrase it signs, e.g. water")
        self.spoken = self._line("spoken_language", defaults.spoken_language, "e.g. en, de")
        self.signed = self._line("sign_language", defaults.sign_language, "e.g. ase, gsg")
        for label, box in (("Gloss", self.gloss), ("Words", self.words)):
            form.addRow(label, box)
        form.addRow("Spoken / sign language", self._pair(self.spoken, self.signed))
        form.addRow("Frames", self._frames(defaults))
        form.addRow("Lexicon", self._folder_row(folders))
        self.priority = QtWidgets.QSpinBox(self)
        self.priority.setObjectName("priority")
        self.priority.setRange(-1000, 1000)
        self.priority.setToolTip(PRIORITY_TIP)
        form.addRow("Priority", self.priority)
        self.trim = QtWidgets.QCheckBox("Trim to signing (drop still frames at both ends)", self)
        self.trim.setObjectName("trim")
        self.trim.setChecked(True)
        form.addRow(self.trim)
        std = QtWidgets.QDialogButtonBox.StandardButton
        self.buttons = QtWidgets.QDialogButtonBox(std.Ok | std.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for box in (self.gloss, self.words):
            box.textChanged.connect(self._sync_ok)
        self.folder.currentIndexChanged.connect(self._sync_ok)
        self._sync_ok()
        self.gloss.selectAll()

    def _line(self, name: str, text: str, tip: str) -> QtWidgets.QLineEdit:
        box = QtWidgets.QLineEdit(text, self)
        box.setObjectName(name)
        box.setPlaceholderText(tip)
        box.setToolTip(tip)
        return box

    def _pair(self, *widgets: QtWidgets.QWidget) -> QtWidgets.QWidget:
        """``widgets`` in one row of the form."""
        row = QtWidgets.QWidget(self)
        layout = QtWidgets.QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return row

    def _frames(self, defaults: EntryDefaults) -> QtWidgets.QWidget:
        last = defaults.num_frames - 1
        self.first, self.last = QtWidgets.QSpinBox(self), QtWidgets.QSpinBox(self)
        self.first.setObjectName("first_frame")
        self.last.setObjectName("last_frame")
        end = defaults.end_frame if defaults.end_frame is not None else defaults.num_frames
        for box, value in ((self.first, defaults.start_frame), (self.last, end - 1)):
            box.setRange(0, last)
            box.setValue(min(max(value, 0), last))
        self.first.setToolTip("First frame (as the timeline counts, from 0)")
        self.last.setToolTip("Last frame, included")
        whole = QtWidgets.QPushButton("Whole clip", self)
        whole.setObjectName("whole_clip")
        whole.setAutoDefault(False)
        whole.clicked.connect(lambda: self._set_frames(0, last))
        return self._pair(self.first, QtWidgets.QLabel("to", self), self.last, whole)

    def _set_frames(self, first: int, last: int) -> None:
        self.first.setValue(first)
        self.last.setValue(last)

    def _folder_row(self, folders: list[str]) -> QtWidgets.QWidget:
        self.folder = QtWidgets.QComboBox(self)
        self.folder.setObjectName("lexicon_folder")
        self.folder.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.folder.setMinimumContentsLength(24)
        for folder in folders:
            self.folder.addItem(folder, folder)
        new = QtWidgets.QPushButton("New lexicon…", self)
        new.setObjectName("new_lexicon")
        new.setAutoDefault(False)
        new.setToolTip("Make an empty lexicon folder (index.csv) and add it to the Lexicons setting")
        new.clicked.connect(self._make_folder)
        return self._pair(self.folder, new)

    def _make_folder(self) -> None:
        made = self._new_folder() if callable(self._new_folder) else None
        if made:
            self.folder.insertItem(0, str(made), str(made))
            self.folder.setCurrentIndex(0)

    def _sync_ok(self, *_: object) -> None:
        ok = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        ready = bool(self.gloss.text().strip() and self.words.text().strip() and self.folder.currentData())
        ok.setEnabled(ready)
        ok.setToolTip("" if ready else "Give a gloss, the words and a lexicon folder")

    def entry(self) -> NewEntry:
        """What was asked for (frames half-open, whatever order the boxes were set in)."""
        a, b = sorted((self.first.value(), self.last.value()))
        return NewEntry(
            gloss=self.gloss.text().strip(),
            words=" ".join(self.words.text().split()),
            spoken_language=self.spoken.text().strip(),
            sign_language=self.signed.text().strip(),
            folder=str(self.folder.currentData()),
            priority=self.priority.value(),
            start_frame=a,
            end_frame=b + 1,
            trim=self.trim.isChecked(),
        )


__all__ = ["AddToLexiconDialog", "EntryDefaults", "NewEntry", "entry_defaults"]
