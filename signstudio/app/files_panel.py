"""The Files dock: recent files, and the built-in corpus to browse by language and split.

Double-clicking a recent file opens it; double-clicking a corpus word asks the window to sign it
(the text, the language) so the generated signing appears with its lexicon reference beside it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets


class FilesPanel(QtWidgets.QWidget):
    """Signals: ``open_requested(path)``, ``word_requested(text, sign_language)``."""

    open_requested = QtCore.Signal(str)
    word_requested = QtCore.Signal(str, str)

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
        self.corpus_note.setWordWrap(True)
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
        cl.addWidget(self.corpus_note)
        layout = QtWidgets.QVBoxLayout(self)
        # The word list takes the height: the recent list stops at four rows (it was given a third
        # of the dock and the word list showed only four rows at 1366x768).
        self.recent.setMaximumHeight(4 * self.recent.fontMetrics().height() + 12)
        layout.addWidget(recent_box, 0)
        layout.addWidget(corpus_box, 1)
        self._corpus: object | None = None

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
            "Double-click a word to sign it; its reference is the recorded letters joined."
            if corpus is not None
            else "The corpus cache is not built yet: run  signstudio corpus build"
        )
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

    def _word_activated(self, item: QtWidgets.QListWidgetItem) -> None:
        text = item.data(QtCore.Qt.ItemDataRole.UserRole)
        code = self.corpus_language.currentData()
        if text and code:
            self.word_requested.emit(text, code)
