"""The Files dock: recent files, and the built-in corpus to browse by language and split.

Double-clicking a recent file opens it. A corpus word offers both things a person may want
(issue 20, item 9): *Show the recording* (the real recorded letters of the word, joined: no model
involved) and *Sign with <model>* (the generated signing, its recording beside it as the
reference). Double-click (or Enter) pops up a menu with both, the first one (the recording)
highlighted; the two buttons under the list do the same for the selected word.

Without a corpus cache the browser says so and offers *Build the corpus* (the command
`signstudio corpus build`, run as a child process: the studio stays usable meanwhile), and the
browser fills when it is done.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6 import QtCore, QtWidgets

RECENT_ROWS = 4  # rows of the recent-files list; the corpus words have the rest of the panel
#: the child process that builds the corpus cache (`signstudio corpus build`)
BUILD_ARGS = ["-m", "signstudio.cli.main", "corpus", "build"]
NO_CORPUS_NOTE = (
    "No built-in corpus yet: the view shows one recorded letter. Build it here (a few minutes, "
    "once) or run  signstudio corpus build"
)


class FilesPanel(QtWidgets.QWidget):
    """Signals: ``open_requested(path)``, ``word_requested(text, sign_language)`` (sign it with
    the model), ``recording_requested(text, sign_language)`` (show its recording),
    ``corpus_built()`` (the Build button's run ended well: open the cache again)."""

    open_requested = QtCore.Signal(str)
    word_requested = QtCore.Signal(str, str)
    recording_requested = QtCore.Signal(str, str)
    corpus_built = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilesPanel")
        self.open_button = QtWidgets.QPushButton("Open file…")
        self.open_button.setToolTip(
            "Open a pose file: .pose, .skels, .h5, .npz, OpenPose folders (or drop it on the window)"
        )
        self.open_button.clicked.connect(self._browse)

        self.recent = QtWidgets.QListWidget()
        self.recent.setObjectName("recent_files")
        self.recent.itemActivated.connect(
            lambda item: self.open_requested.emit(item.data(QtCore.Qt.ItemDataRole.UserRole))
        )

        self.corpus_language = QtWidgets.QComboBox()
        self.corpus_language.setObjectName("corpus_language")
        self.corpus_split = QtWidgets.QComboBox()
        self.corpus_split.addItems(["all", "train", "dev", "test"])
        self.corpus_filter = QtWidgets.QLineEdit()
        self.corpus_filter.setPlaceholderText("filter words")
        self.corpus_filter.setClearButtonEnabled(True)
        self.words = QtWidgets.QListWidget()
        self.words.setObjectName("corpus_words")
        self.words.itemActivated.connect(self._word_activated)
        self.corpus_note = QtWidgets.QLabel()
        self.corpus_note.setObjectName("corpus_note")
        self.corpus_note.setWordWrap(True)
        self._build_word_actions()
        for w in (self.corpus_language, self.corpus_split):
            w.currentIndexChanged.connect(self._refill_words)
        self.corpus_filter.textChanged.connect(self._refill_words)

        recent_box = QtWidgets.QGroupBox("Recent files")
        rl = QtWidgets.QVBoxLayout(recent_box)
        rl.addWidget(self.open_button)
        rl.addWidget(self.recent)
        corpus_box = QtWidgets.QGroupBox("Built-in corpus (real recordings)")
        cl = QtWidgets.QVBoxLayout(corpus_box)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.corpus_language, 3)
        row.addWidget(self.corpus_split, 1)
        cl.addLayout(row)
        cl.addWidget(self.corpus_filter)
        cl.addWidget(self.words)
        word_row = QtWidgets.QHBoxLayout()
        word_row.addWidget(self.show_recording_button)
        word_row.addWidget(self.sign_word_button)
        cl.addLayout(word_row)
        cl.addWidget(self.corpus_note)
        cl.addWidget(self.build_button)
        layout = QtWidgets.QVBoxLayout(self)
        # the word list takes the room: the recent files get at most RECENT_ROWS rows (given a third
        # of the dock, the word list showed only four rows at 1366x768)
        rows = self.recent.sizeHintForRow(0) if self.recent.count() else self.fontMetrics().lineSpacing() + 2
        self.recent.setMaximumHeight(RECENT_ROWS * max(rows, 16) + 2 * self.recent.frameWidth())
        layout.addWidget(recent_box, 0)
        layout.addWidget(corpus_box, 1)
        self._corpus: object | None = None
        self._build: QtCore.QProcess | None = None
        self.build_force = False  # the cache is there but damaged: Build rebuilds it (--force)

    # ---- recent files ------------------------------------------------------------------
    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for p in paths:
            item = QtWidgets.QListWidgetItem(Path(p).name)
            item.setToolTip(p)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, p)
            self.recent.addItem(item)
        if not paths:
            item = QtWidgets.QListWidgetItem("(none yet — open or drop a file)")
            item.setFlags(QtCore.Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)

    def _browse(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open pose file", "", "Pose files (*)")
        if path:
            self.open_requested.emit(path)

    # ---- corpus ------------------------------------------------------------------------
    def set_corpus(self, corpus: object | None, names: dict[str, str]) -> None:
        """Show the words of a built `signstudio.corpus.store.Corpus` (None: not built yet)."""
        self._corpus = corpus
        self.corpus_language.blockSignals(True)
        self.corpus_language.clear()
        if corpus is not None:
            for code in corpus.languages:  # type: ignore[attr-defined]
                self.corpus_language.addItem(f"{names.get(code, code)} — {code}", code)
        self.corpus_language.blockSignals(False)
        self.corpus_note.setText(
            "Double-click a word: show its recording (its letters, recorded) or sign it with the model."
            if corpus is not None
            else NO_CORPUS_NOTE
        )
        self.build_button.setVisible(corpus is None)
        self._refill_words()

    def select_corpus_language(self, code: str) -> None:
        i = self.corpus_language.findData(code)
        if i >= 0:
            self.corpus_language.setCurrentIndex(i)

    def _refill_words(self) -> None:
        self.words.clear()
        corpus = self._corpus
        code = self.corpus_language.currentData()
        if corpus is None or not code:
            return
        split = self.corpus_split.currentText()
        needle = self.corpus_filter.text().strip().lower()
        words = corpus.words(code, None if split == "all" else split)  # type: ignore[attr-defined]
        for w in words:
            if needle and needle not in w.text:
                continue
            item = QtWidgets.QListWidgetItem(f"{w.text}    ·  {w.split} · {w.frames} frames")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, w.text)
            self.words.addItem(item)

    # ---- a word: its recording or the model's signing -----------------------------------
    def _build_word_actions(self) -> None:
        self.show_recording_button = QtWidgets.QPushButton("Show the recording")
        self.show_recording_button.setObjectName("show_recording")
        self.show_recording_button.setToolTip("The selected word's recorded letters, joined (no model)")
        self.show_recording_button.clicked.connect(lambda: self._emit_word(self.recording_requested))
        self.sign_word_button = QtWidgets.QPushButton("Sign with the model")
        self.sign_word_button.setObjectName("sign_word")
        self.sign_word_button.clicked.connect(lambda: self._emit_word(self.word_requested))
        for b in (self.show_recording_button, self.sign_word_button):
            b.setEnabled(False)
        self.words.currentItemChanged.connect(self._on_current_word)
        self.word_menu = QtWidgets.QMenu(self)
        self.word_menu.setObjectName("word_menu")
        self.menu_recording = self.word_menu.addAction("Show the recording")
        self.menu_recording.triggered.connect(lambda: self._emit_word(self.recording_requested))
        self.menu_sign = self.word_menu.addAction("Sign with the model")
        self.menu_sign.triggered.connect(lambda: self._emit_word(self.word_requested))
        self.build_button = QtWidgets.QPushButton("Build the corpus")
        self.build_button.setObjectName("build_corpus")
        self.build_button.setToolTip("Runs  signstudio corpus build  (a few minutes, once)")
        self.build_button.clicked.connect(self.build_corpus)
        self.build_button.hide()

    def set_model_name(self, name: str) -> None:
        """The model a word is signed with, named in the menu and the button's tooltip (the
        button keeps a short label: a long model name made the Files panel wider than its dock,
        cutting its buttons and boxes at the right edge)."""
        label = f"Sign with {name}" if name else "Sign with the model"
        self.sign_word_button.setToolTip(f"{label}: the selected word, signed by the model")
        self.menu_sign.setText(label)

    def selected_word(self) -> tuple[str, str] | None:
        item = self.words.currentItem()
        text = item.data(QtCore.Qt.ItemDataRole.UserRole) if item is not None else None
        code = self.corpus_language.currentData()
        return (str(text), str(code)) if text and code else None

    def _on_current_word(self, *_: object) -> None:
        has = self.selected_word() is not None
        for b in (self.show_recording_button, self.sign_word_button):
            b.setEnabled(has)

    def _emit_word(self, signal: QtCore.SignalInstance) -> None:
        word = self.selected_word()
        if word is not None:
            signal.emit(*word)

    def _word_activated(self, item: QtWidgets.QListWidgetItem) -> None:
        """Double-click or Enter on a word: the menu of both choices, at the word."""
        self.words.setCurrentItem(item)
        rect = self.words.visualItemRect(item)
        self.word_menu.popup(self.words.viewport().mapToGlobal(rect.center()), self.menu_recording)
        self.word_menu.setActiveAction(self.menu_recording)

    def recording(self, text: str, code: str) -> object:
        """The word's recording (`Corpus.word_sequence`, holistic layout: what the studio shows)."""
        assert self._corpus is not None, "no corpus: the word list is empty"
        return self._corpus.word_sequence(code, text, layout="holistic")  # type: ignore[attr-defined]

    # ---- building the corpus -------------------------------------------------------------
    def build_corpus(self) -> None:
        """Run `signstudio corpus build` in a child process; `corpus_built` when it succeeded."""
        if self._build is not None:
            return
        proc = QtCore.QProcess(self)
        proc.setProcessChannelMode(QtCore.QProcess.ProcessChannelMode.MergedChannels)
        proc.finished.connect(self._built)
        self._build = proc
        self.build_button.setEnabled(False)
        self.corpus_note.setText("Building the built-in corpus (a few minutes, once)…")
        proc.start(sys.executable, [*BUILD_ARGS, *(["--force"] if self.build_force else [])])

    def _built(self, code: int, status: QtCore.QProcess.ExitStatus) -> None:
        proc, self._build = self._build, None
        self.build_button.setEnabled(True)
        if code == 0 and status == QtCore.QProcess.ExitStatus.NormalExit:
            self.corpus_built.emit()
            return
        out = bytes(proc.readAll().data()).decode(errors="replace").strip() if proc else ""
        last = out.splitlines()[-1] if out else f"exit status {code}"
        self.corpus_note.setText(f"Building the corpus failed: {last}")
