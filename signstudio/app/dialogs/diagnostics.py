"""Help → Diagnostics: the `signstudio doctor` report in a dialog.

    show_diagnostics(window)        # non-modal; runs the checks off the GUI thread

The checks (`signstudio.doctor`) take a couple of seconds (torch is imported, the
OpenGL probe runs in a subprocess), so they run on a worker thread and the rows appear as they
are known. The SMPL-X row uses the window's own settings. "Copy report" puts the same text as
`signstudio doctor` on the clipboard, for a bug report.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio import doctor
from signstudio.app.dialogs.common import bring_to_front
from signstudio.app.settings import Settings
from signstudio.doctor import FAIL, INFO, OK, SKIP, WARN, BodyChoice, Check

COLUMNS = ("Status", "Check", "Found", "Remedy")
COLOURS = {OK: "#2e7d32", INFO: "#1565c0", WARN: "#b26a00", FAIL: "#c62828", SKIP: "#757575"}


class DiagnosticsDialog(QtWidgets.QDialog):
    """One row per check (status, what, what was found, remedy) and the summary line.

    ``finished_checks(list[Check])`` is emitted when a run is complete (tests wait on it)."""

    finished_checks = QtCore.Signal(object)  # list[Check]

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Diagnostics")
        self.setObjectName("diagnostics_dialog")
        self.resize(1040, 640)
        self.checks: list[Check] = []
        self._seconds: float | None = None
        self._running = False
        self._run_id = 0

        layout = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(
            "What SignStudio needs on this machine, and what to do about anything missing. "
            "The same report is <code>signstudio doctor</code> in a terminal.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("diagnostics_rows")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())  # rewrap
        layout.addWidget(self.table, 1)

        self.summary_label = QtWidgets.QLabel("", self)
        self.summary_label.setObjectName("diagnostics_summary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)

        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton("Copy report", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.rerun_button = buttons.addButton("Run again", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_report)
        self.rerun_button.clicked.connect(lambda: self.run())
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    # ---- content ------------------------------------------------------------------------------
    def set_checks(self, checks: list[Check], seconds: float | None = None) -> None:
        """Show ``checks`` (already run) as the report."""
        self.table.setRowCount(0)
        self.checks = []
        for check in checks:
            self._add_row(check)
        self._finish(list(checks), seconds)

    def _add_row(self, check: Check) -> None:
        self.checks.append(check)
        row = self.table.rowCount()
        self.table.insertRow(row)
        colour = QtGui.QBrush(QtGui.QColor(COLOURS.get(check.status, "#000000")))
        for col, text in enumerate((check.status, check.name, check.detail, check.remedy)):
            item = QtWidgets.QTableWidgetItem(text)
            item.setToolTip(text)
            item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
            if col == 0:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setForeground(colour)
                item.setData(QtCore.Qt.ItemDataRole.UserRole, check.status)
            self.table.setItem(row, col, item)
        self.table.resizeRowToContents(row)

    def _finish(self, checks: list[Check], seconds: float | None) -> None:
        self._running = False
        self.rerun_button.setEnabled(True)
        self._seconds = seconds
        self.checks = checks
        text = doctor.summary(checks, seconds).removeprefix("summary: ")
        colour = COLOURS[FAIL] if any(c.blocks for c in checks) else COLOURS[OK]
        self.summary_label.setText(f'<b style="color:{colour}">{text[:1].upper() + text[1:]}</b>')
        self.finished_checks.emit(checks)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """What the table shows, row by row: (status, check, found, remedy)."""
        out = []
        for row in range(self.table.rowCount()):
            texts = []
            for col in range(len(COLUMNS)):
                item = self.table.item(row, col)
                texts.append(item.text() if item is not None else "")
            out.append((texts[0], texts[1], texts[2], texts[3]))
        return out

    def report_text(self) -> str:
        return doctor.report_text(self.checks, self._seconds)

    def copy_report(self) -> None:
        QtWidgets.QApplication.clipboard().setText(self.report_text())

    # ---- running ------------------------------------------------------------------------------
    def run(self, body: BodyChoice | None = None) -> None:
        """Run every check on a worker thread; rows appear as they come, then `finished_checks`.

        body: the studio's (body model, SMPL-X folder); None: from the parent window's settings."""
        if self._running:
            return
        self._running = True
        self._run_id += 1
        run_id = self._run_id
        self.rerun_button.setEnabled(False)
        self.table.setRowCount(0)
        self.checks = []
        self.summary_label.setText("Checking…")
        if body is None:
            body = _window_body(self.parentWidget())
        relay = _Relay(self, run_id)

        def work() -> None:
            t0 = time.perf_counter()
            try:
                checks = doctor.run_checks(body=body, read_body=_remembered_body, progress=relay.row)
            except Exception as exc:  # the checks catch their own errors; this is a last resort
                checks = [Check("doctor", FAIL, f"{type(exc).__name__}: {exc}", "report this as a bug")]
            relay.done(checks, time.perf_counter() - t0)

        threading.Thread(target=work, name="signstudio-diagnostics", daemon=True).start()

    def _relay_row(self, run_id: int, check: Check) -> None:
        if run_id == self._run_id:
            self._add_row(check)

    def _relay_done(self, run_id: int, checks: list[Check], seconds: float) -> None:
        if run_id != self._run_id:
            return
        shown = {id(c) for c in self.checks}
        for check in checks:  # rows that arrived without progress (a last-resort failure)
            if id(check) not in shown:
                self._add_row(check)
        self._finish(checks, seconds)


class _Relay(QtCore.QObject):
    """Carries rows from the worker thread to the dialog on the GUI thread (queued signals)."""

    _row = QtCore.Signal(int, object)
    _done = QtCore.Signal(int, object, float)

    def __init__(self, dialog: DiagnosticsDialog, run_id: int) -> None:
        super().__init__(dialog)  # lives on the GUI thread: emits from the worker are queued
        self.run_id = run_id
        self._row.connect(dialog._relay_row)
        self._done.connect(dialog._relay_done)

    def row(self, check: Check) -> None:
        with contextlib.suppress(RuntimeError):  # the dialog is gone
            self._row.emit(self.run_id, check)

    def done(self, checks: list[Check], seconds: float) -> None:
        with contextlib.suppress(RuntimeError):
            self._done.emit(self.run_id, checks, seconds)


def _window_body(window: Any) -> BodyChoice | None:
    """(body model, SMPL-X folder) from a StudioWindow-like parent, else None (read the settings)."""
    settings = getattr(window, "settings", None)
    if settings is None or not hasattr(settings, "get"):
        return None
    return doctor.body_from_settings(settings)


def _remembered_body() -> BodyChoice:
    """(body model, SMPL-X folder) from the studio's own settings file (no window at hand)."""
    return doctor.body_from_settings(Settings())


def show_diagnostics(parent: QtWidgets.QWidget | None = None) -> DiagnosticsDialog:
    """Help → Diagnostics: open the dialog (non-modal) and start the checks."""
    existing = parent.findChild(DiagnosticsDialog, "diagnostics_dialog") if parent is not None else None
    if isinstance(existing, DiagnosticsDialog):
        bring_to_front(existing)
        existing.run()
        return existing
    dialog = DiagnosticsDialog(parent)
    dialog.show()
    dialog.run()
    return dialog
