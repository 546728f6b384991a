"""The Dataset dock: a table over a `Dataset`'s entries, rendering a Qt-free `DatasetBrowser`.

The browser (`signstudio.session.dataset_browser`) decides the rows, their order, the current
sequence and "next worst"; this module renders it and forwards keys and clicks:

* `DatasetTableModel` (QAbstractTableModel) answers from the entries read up front, so scrolling
  never reads poses; one row per sequence: index, key, text, gloss, frames, duration, then the
  score columns by name ("n/a" where a sequence has none). A row whose sequence did not read is
  drawn in the error colour with a warning mark and its one-line problem as the tooltip.
* `DatasetProxy` (QSortFilterProxyModel) asks the browser which rows pass the filter and in which
  order they come (a header click sorts through the browser, so ↑/↓ follow what is shown).
* ↑/↓ and PgUp/PgDn, in the table or the filter box, step through the shown rows; the viewport
  follows (the sequence is read on demand). A sequence that does not read: its error in the
  status bar and under the table, the row marked, the previous sequence stays on screen.
* `DatasetBinding` opens paths: a folder, a ``.skels`` set or an ``.h5`` holding more than one
  sequence opens as a dataset (the table fills, sequence 0 shows); anything else — and a
  reference — is read whole as before (`StudioController.open_file`), and the table empties.
  A multi-sequence reference while a dataset is open pairs the two and fills the score columns
  (`signstudio.app.score_binding`); the line above the table says how they were paired.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, cast

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app import dock_layout
from signstudio.app.score_binding import PairScoring
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.clock import Clock
from signstudio.session.controller import StudioController, user_file
from signstudio.session.dataset import Dataset, open_corpus_dataset, open_dataset
from signstudio.session.dataset_browser import DatasetBrowser
from signstudio.session.studio import StudioState

Role = QtCore.Qt.ItemDataRole
HEADERS = {
    "index": "#",
    "key": "Key",
    "text": "Text",
    "gloss": "Gloss",
    "frames": "Frames",
    "duration": "Seconds",
}
NUMERIC = frozenset({"index", "frames", "duration"})
NEXT_WORST_ACTION = "next_worst_sequence"
DATASET_WIDTH = 560  # px: the left docks' width while a dataset is open (at most 2/5 of the window)
SCORED_WIDTH = 680  # px: and once scores fill their columns (at most 2/5 of the window)
STEP_KEYS = {QtCore.Qt.Key.Key_Up: -1, QtCore.Qt.Key.Key_Down: +1}
PAGE_KEYS = {QtCore.Qt.Key.Key_PageUp: -1, QtCore.Qt.Key.Key_PageDown: +1}


def cell_text(browser: DatasetBrowser, index: int, column: str) -> str:
    """What the table shows for sequence ``index`` in ``column``."""
    value = browser.value(index, column)
    if value is None:
        return "n/a" if column in browser.scores else ""
    if column == "duration":
        return f"{value:.2f}"
    if column in browser.scores:
        return f"{value:.4g}"
    return str(value)


def is_multi_sequence_source(path: Path) -> bool:
    """A folder, ``.skels`` or ``.h5``: what may open as a dataset (decided by what it holds)."""
    return path.is_dir() or path.suffix.lower() in (".skels", ".h5")


class DatasetTableModel(QtCore.QAbstractTableModel):
    """One row per sequence of the browser's dataset (source rows = dataset indices)."""

    def __init__(self, browser: DatasetBrowser, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.browser = browser
        browser.dataset_changed.connect(self._reset)
        browser.scores_changed.connect(lambda _name: self._reset())
        browser.problem_found.connect(self._row_changed)

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _row_changed(self, index: int, _message: str = "") -> None:
        self.dataChanged.emit(self.index(index, 0), self.index(index, self.columnCount() - 1))

    def rowCount(self, parent: Any = QtCore.QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        dataset = self.browser.dataset
        return 0 if parent.isValid() or dataset is None else len(dataset)

    def columnCount(self, parent: Any = QtCore.QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.browser.columns)

    def headerData(
        self, section: int, orientation: QtCore.Qt.Orientation, role: int = Role.DisplayRole
    ) -> Any:
        if orientation != QtCore.Qt.Orientation.Horizontal or role != Role.DisplayRole:
            return None
        name = self.browser.columns[section]
        return HEADERS.get(name, name)

    def data(
        self, index: QtCore.QModelIndex | QtCore.QPersistentModelIndex, role: int = Role.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), self.browser.columns[index.column()]
        if role == Role.DisplayRole:
            return cell_text(self.browser, row, column)
        if role == Role.TextAlignmentRole and (column in NUMERIC or column in self.browser.scores):
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        problem = self.browser.problem(row)
        if role == Role.ToolTipRole:
            return problem or cell_text(self.browser, row, column) or None
        if problem and role == Role.ForegroundRole:
            return QtGui.QBrush(QtGui.QColor("#d03030"))
        if problem and role == Role.DecorationRole and column == "index":
            return QtWidgets.QApplication.style().standardIcon(
                QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning
            )
        return None


class DatasetProxy(QtCore.QSortFilterProxyModel):
    """Filter and order as the browser decides (`DatasetBrowser.rows`)."""

    def __init__(self, browser: DatasetBrowser, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.browser = browser
        self._rank: dict[int, int] = {}
        browser.rows_changed.connect(self._follow)

    def _follow(self) -> None:
        self._rank = {index: at for at, index in enumerate(self.browser.rows())}
        self.invalidate()
        super().sort(0, QtCore.Qt.SortOrder.AscendingOrder)  # by rank: the browser's order

    def sort(self, column: int, order: QtCore.Qt.SortOrder = QtCore.Qt.SortOrder.AscendingOrder) -> None:
        """A header click: the browser sorts (and `_follow` applies its order)."""
        if 0 <= column < len(self.browser.columns):
            self.browser.set_sort(self.browser.columns[column], order == QtCore.Qt.SortOrder.DescendingOrder)

    def filterAcceptsRow(self, source_row: int, _parent: Any) -> bool:
        return source_row in self._rank

    def lessThan(self, left: Any, right: Any) -> bool:
        return self._rank.get(left.row(), 1 << 30) < self._rank.get(right.row(), 1 << 30)


class DatasetPanel(QtWidgets.QWidget):
    """The dock's widget: name, filter box, table, the row's problem, score choice and "Next worst"."""

    def __init__(self, browser: DatasetBrowser, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataset_panel")
        self.browser = browser
        self.title = QtWidgets.QLabel("No dataset open: File → Open a .skels set, an .h5 or a folder")
        self.title.setWordWrap(True)
        self.filter = QtWidgets.QLineEdit(placeholderText="Filter by text, gloss or key")
        self.filter.setClearButtonEnabled(True)
        self.model = DatasetTableModel(browser, self)
        self.proxy = DatasetProxy(browser, self)
        self.proxy.setSourceModel(self.model)
        self.table = self._make_table()
        self.note = QtWidgets.QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #d03030")
        self.note.hide()
        self.score_choice = QtWidgets.QComboBox()
        self.next_worst_button = QtWidgets.QPushButton("Next worst")
        self.score_button = QtWidgets.QPushButton("Score against…")
        self.score_button.setToolTip("Pair these sequences with a reference dataset and score each pair")
        self.pairing = QtWidgets.QLabel()
        self.pairing.setObjectName("dataset_pairing")
        # wrapped: a long warning (two file paths, two keys) must not widen the dock past the screen
        self.pairing.setWordWrap(True)
        self.pairing.hide()
        self.progress = QtWidgets.QLabel()
        self.progress.setObjectName("dataset_progress")
        self.progress.hide()
        pair_row = QtWidgets.QHBoxLayout()
        pair_row.addWidget(self.pairing, 1)
        pair_row.addWidget(self.progress)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(QtWidgets.QLabel("Score:"))
        bottom.addWidget(self.score_choice, 1)
        bottom.addWidget(self.next_worst_button)
        bottom.addWidget(self.score_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.filter)
        layout.addLayout(pair_row)
        for widget in (self.table, self.note):
            layout.addWidget(widget)
        layout.addLayout(bottom)
        self._syncing = False
        self.filter.textChanged.connect(browser.set_filter)
        self.filter.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        browser.current_changed.connect(self.select)
        browser.rows_changed.connect(self._after_rows)
        browser.dataset_changed.connect(self._on_dataset)
        browser.scores_changed.connect(lambda _n: self.sync_scores())
        self.sync_scores()

    def _make_table(self) -> QtWidgets.QTableView:
        table = QtWidgets.QTableView()
        table.setObjectName("dataset_table")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, QtCore.Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(False)
        table.setMinimumHeight(80)
        return table

    # ---- browser -> view ---------------------------------------------------------------------
    def _on_dataset(self) -> None:
        ds = self.browser.dataset
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.blockSignals(False)
        self.note.hide()
        if ds is None:
            self.title.setText("No dataset open: File → Open a .skels set, an .h5 or a folder")
        self._widths()

    def _widths(self) -> None:
        header = self.table.horizontalHeader()
        for col, name in enumerate(self.browser.columns):
            width = {"index": 40, "key": 110, "text": 170, "gloss": 130, "frames": 54, "duration": 60}
            header.resizeSection(col, width.get(name, 72))

    def show_pairing(self, line: str | None, warning: str | None) -> None:
        """The pairing's one line above the table (the error colour when it is a warning)."""
        self.pairing.setText(line or "")
        self.pairing.setToolTip(line or "")
        self.pairing.setStyleSheet("color: #d03030" if warning else "")
        self.pairing.setVisible(bool(line))

    def show_progress(self, line: str) -> None:
        """ "scored 3 of 5" beside the pairing line (empty: hidden)."""
        self.progress.setText(line)
        self.progress.setVisible(bool(line))

    def widen_scores(self) -> None:
        """Narrow text columns once scores arrive, so the scores fit beside them."""
        header = self.table.horizontalHeader()
        width = {"index": 30, "key": 60, "text": 96, "gloss": 60, "frames": 52, "duration": 58}
        for col, name in enumerate(self.browser.columns):
            header.resizeSection(col, width.get(name, 66))

    def _after_rows(self) -> None:
        ds = self.browser.dataset
        if ds is not None:
            shown = len(self.browser.rows())
            self.title.setText(f"{ds.path.name} · {shown} of {len(ds)} sequences")
        if self.browser.current is not None:
            self.select(self.browser.current)

    def select(self, index: int | None) -> None:
        """Make the row of sequence ``index`` current in the view (nothing is read here)."""
        problem = self.browser.problem(index) if index is not None else None
        self.note.setText(problem or "")
        self.note.setVisible(bool(problem))
        if index is None:
            return
        at = self.proxy.mapFromSource(self.model.index(index, 0))
        self._syncing = True
        try:
            if at.isValid():
                self.table.selectionModel().setCurrentIndex(
                    at,
                    QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QtCore.QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.scrollTo(at)
            else:
                self.table.clearSelection()
        finally:
            self._syncing = False

    def sync_scores(self) -> None:
        """The score choice and "Next worst": enabled only with scores, else the reason as tip."""
        names = list(self.browser.scores)
        current = self.score_choice.currentText()
        self.score_choice.blockSignals(True)
        self.score_choice.clear()
        self.score_choice.addItems(names)
        if current in names:
            self.score_choice.setCurrentText(current)
        self.score_choice.blockSignals(False)
        reason = self.browser.next_worst_reason()
        self.score_choice.setEnabled(bool(names))
        self.next_worst_button.setEnabled(reason is None)
        self.next_worst_button.setToolTip(
            reason or "The next sequence in descending order of the chosen score"
        )

    def chosen_score(self) -> str | None:
        return self.score_choice.currentText() or None

    # ---- view -> browser ---------------------------------------------------------------------
    def _on_current_row(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        if self._syncing or not current.isValid():
            return
        index = self.proxy.mapToSource(current).row()
        if index != self.browser.current:
            self.browser.go_to(index)

    def page_rows(self) -> int:
        return max(
            1, self.table.viewport().height() // max(1, self.table.verticalHeader().defaultSectionSize())
        )

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        """↑/↓, PgUp/PgDn in the table or the filter box: the browser steps."""
        if event.type() == QtCore.QEvent.Type.KeyPress and isinstance(event, QtGui.QKeyEvent):
            key = QtCore.Qt.Key(event.key())
            if key in STEP_KEYS:
                self.browser.step(STEP_KEYS[key])
                return True
            if key in PAGE_KEYS:
                self.browser.page(PAGE_KEYS[key], self.page_rows())
                return True
        return super().eventFilter(watched, event)


class DatasetHost(Protocol):
    """What the binding uses of the studio window (a protocol: the window imports this module)."""

    controller: StudioController
    state: StudioState
    clock: Clock

    def open_file(self, path: str | Path, as_reference: bool = False) -> bool: ...

    def statusBar(self) -> QtWidgets.QStatusBar: ...


class DatasetBinding(QtCore.QObject):
    """The Dataset dock in ``window``: opens paths, shows the browser's sequences in the viewport,
    says what did not read, and keeps "Next worst sequence" enabled only with scores."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.window: DatasetHost = cast(DatasetHost, window)
        self.browser = DatasetBrowser()
        self.panel = DatasetPanel(self.browser, window)
        self.dock = dock_layout.add_dataset_dock(window, self.panel)
        self.browser.sequence_shown.connect(self._show)
        self.browser.problem_found.connect(self._problem)
        self.browser.scores_changed.connect(lambda _n: self.sync_action())
        self.browser.scores_changed.connect(lambda _n: self._reveal() if self.browser.scores else None)
        self.browser.dataset_changed.connect(self.sync_action)
        self.panel.next_worst_button.clicked.connect(self.next_worst)
        self.scoring = PairScoring(self.browser, self.panel, window, self)
        self.panel.score_button.clicked.connect(self.scoring.dialog)
        QtCore.QTimer.singleShot(0, self, self.sync_action)  # the menus exist once the window is built

    # ---- opening -----------------------------------------------------------------------------
    def open_path(self, path: str | Path, as_reference: bool = False) -> None:
        """File → Open, Open folder…, a drop, a recent file: a multi-sequence source as a dataset,
        anything else (and a reference) read whole; `FormatError` (one line) when it cannot be
        opened at all, and then nothing changes."""
        p = Path(path)
        dataset = open_dataset(p) if is_multi_sequence_source(p) else None
        if dataset is None or (len(dataset) < 2 and not p.is_dir()) or dataset.kind == "file":
            if as_reference:
                self.scoring.drop()  # one file as the reference: no pairing of the dataset
            self.window.controller.open_file(p, as_reference)
            if not as_reference:
                self.browser.set_dataset(None)
            return
        if as_reference:
            self._reference_dataset(dataset)
            return
        self.open_dataset(dataset)
        self.window.state.add_recent_file(str(p.resolve()))

    def open_dataset(self, dataset: Dataset, index: int = 0) -> bool:
        """Browse ``dataset`` from sequence ``index`` (read and shown now); False when it did not read."""
        self._reveal()
        return self.browser.set_dataset(dataset, index)

    def _reference_dataset(self, reference: Dataset) -> None:
        """A multi-sequence reference: paired with the open dataset (scored), else its first
        sequence is the reference as before."""
        if self.browser.dataset is None:
            self.window.controller.open_file(reference.path, True)
            return
        self.scoring.set_reference(reference)  # FormatError: refused, said by open_file
        if self.browser.current is not None:
            self.browser.go_to(self.browser.current)  # the shown sequence with its partner

    def _reveal(self) -> None:
        """The dock raised and wide enough for text, gloss and frames (the viewport keeps most)."""
        self.dock.show()
        self.dock.raise_()
        parent = self.parent()
        wanted = SCORED_WIDTH if self.browser.scores else DATASET_WIDTH
        if isinstance(parent, QtWidgets.QMainWindow) and self.dock.width() < wanted:
            width = min(wanted, parent.width() * 2 // 5)
            parent.resizeDocks([self.dock], [width], QtCore.Qt.Orientation.Horizontal)

    def follow_launch(self, path: str, index: int | None, key: str | None, gt: str | None = None) -> None:
        """`signstudio app FILE [--index N | --key K] [--gt REF]`: the sequence is already shown (read
        before the window, so a bad one was refused with exit 2); a multi-sequence FILE fills the
        table with that row current. Nothing is read again. A multi-sequence REF is paired with it
        and scored (a pairing it refuses: the line above the table says why)."""
        p = Path(path)
        if not is_multi_sequence_source(p):
            return
        try:
            dataset = open_dataset(p)  # the .skels index is cached by now; .h5 shapes only
        except FormatError:  # it was read a moment ago: the sequence shows, the table stays empty
            return
        if len(dataset) < 2 or dataset.kind == "file":
            return
        at = dataset.index_of(key) if key is not None else (index or 0)
        self._reveal()
        self.browser.set_dataset(dataset, at, show=False)
        if gt and is_multi_sequence_source(Path(gt)):
            self.scoring.open_reference(gt)

    def open_corpus(self, corpus: Any = None) -> bool:
        """File → Browse the built-in corpus: its words, every sign language, as a dataset (the
        default cache, or ``corpus``); a missing or damaged cache is its one line in the status."""
        try:
            dataset = open_corpus_dataset(corpus=corpus)
        except FormatError as exc:
            self.window.statusBar().showMessage(str(exc), 15000)
            return False
        return self.open_dataset(dataset)

    def open_folder_dialog(self) -> None:
        """File → Open folder…: a folder of pose files (recursively) as a dataset."""
        parent = self.parent()
        assert isinstance(parent, QtWidgets.QWidget)
        folder = QtWidgets.QFileDialog.getExistingDirectory(parent, "Open a folder of pose files")
        if folder:
            self.window.open_file(folder)

    # ---- browser -> window -------------------------------------------------------------------
    def _show(self, index: int, seq: PoseSequence) -> None:
        self.window.clock.pause()
        self.window.controller.show_pair(user_file(seq), self.scoring.partner(index))

    def _problem(self, index: int, message: str) -> None:
        self.panel.select(index)
        # after the caller's own status line (e.g. "Opened …"), so the problem is what stays
        QtCore.QTimer.singleShot(0, self, lambda: self.window.statusBar().showMessage(message, 15000))

    def next_worst(self) -> int | None:
        """Playback → Next worst sequence: by the score chosen in the panel."""
        reason = self.browser.next_worst_reason(self.panel.chosen_score())
        if reason:
            self.window.statusBar().showMessage(reason, 8000)
            return None
        index = self.browser.next_worst(self.panel.chosen_score())
        if index is None:
            self.window.statusBar().showMessage("No worse-ranked sequence after this one", 8000)
        return index

    def set_scores(self, name: str, values: dict[int, float]) -> None:
        self.browser.set_scores(name, values)

    def sync_action(self) -> None:
        action = getattr(self.window, "actions_by_name", {}).get(NEXT_WORST_ACTION)
        reason = self.browser.next_worst_reason()
        if action is not None:
            action.setEnabled(reason is None)
            action.setStatusTip(reason or "The next sequence in descending order of the chosen score")
            action.setToolTip(action.statusTip())
        self.panel.sync_scores()


def attach(window: QtWidgets.QMainWindow) -> DatasetBinding:
    """The Dataset dock and its binding, made while the window builds its views."""
    return DatasetBinding(window)


__all__ = ["DatasetBinding", "DatasetPanel", "DatasetProxy", "DatasetTableModel", "attach", "cell_text"]
