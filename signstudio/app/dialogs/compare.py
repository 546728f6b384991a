"""Generate → Compare models…: the same text signed by the Text panel's model and one or two
others, side by side with the reference (`signstudio.app.compare.start_compare`, the session
``signstudio app --compare`` starts), and Generate → Leave compare mode.

The dialog starts from the Text panel: its text, its sign language and its model (model A, shown,
not asked again). It offers the other registered models that cover the chosen language as check
boxes — a model that cannot sign the language is not offered — and takes one or two of them (at
most three views of models beside the reference fit a 1366-pixel screen: `MAX_MODELS`); with two
ticked the others are disabled. OK stays disabled until the text is not empty and a model is
ticked. The dialog is window-modal but not blocking (``open``), so tests and scripts click it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from signstudio.app.compare import StudioWindow, current_session, leave_compare, start_compare
from signstudio.app.dialogs.common import as_parent
from signstudio.modeling.registry import available_models
from signstudio.session.compare import MAX_MODELS, ComparePlan


class CompareDialog(QtWidgets.QDialog):
    """Text, sign language and the models to compare with model ``first`` (the Text panel's)."""

    def __init__(self, window: StudioWindow) -> None:
        super().__init__(as_parent(window))
        self.setObjectName("compare_dialog")
        self.setWindowTitle("Compare models")
        panel = window.text_panel
        self.first = panel.current_model()
        self.text = QtWidgets.QLineEdit(panel.input.text().strip())
        self.text.setObjectName("compare_text")
        self.language = QtWidgets.QComboBox()
        self.language.setObjectName("compare_language")
        for i in range(panel.language.count()):
            self.language.addItem(panel.language.itemText(i), panel.language.itemData(i))
        self.language.setCurrentIndex(max(self.language.findData(panel.current_language()), 0))
        self.boxes: dict[str, QtWidgets.QCheckBox] = {}
        self.models = QtWidgets.QGroupBox(f"Compare with (one or two; A is {self.first})")
        self.models.setLayout(QtWidgets.QVBoxLayout())
        self.note = QtWidgets.QLabel()
        self.note.setObjectName("compare_note")
        self.note.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Compare")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        form.addRow("Text", self.text)
        form.addRow("Sign language", self.language)
        form.addRow("Model A", QtWidgets.QLabel(f"{self.first} (the Text panel's model)"))
        form.addRow(self.models)
        form.addRow(self.note)
        form.addRow(self.buttons)
        self.language.currentIndexChanged.connect(self._fill_models)
        self.text.textChanged.connect(self._check)
        self._fill_models()

    def _fill_models(self) -> None:
        """A check box per other model covering the language (ticks kept where still offered)."""
        lang = str(self.language.currentData() or "")
        ticked = set(self.picked())
        layout = self.models.layout()
        assert layout is not None
        for box in self.boxes.values():
            layout.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        for info in available_models(lang):
            if info.id == self.first:
                continue
            box = QtWidgets.QCheckBox(f"{info.id} — {info.name}")
            box.setObjectName(f"compare_model_{info.id}")
            box.setToolTip(info.description)
            box.setChecked(info.id in ticked)
            box.toggled.connect(self._check)
            layout.addWidget(box)
            self.boxes[info.id] = box
        self._check()

    def picked(self) -> list[str]:
        """The ticked models, in the list's order."""
        return [model_id for model_id, box in self.boxes.items() if box.isChecked()]

    def _check(self) -> None:
        picked = self.picked()
        full = len(picked) >= MAX_MODELS - 1
        for box in self.boxes.values():
            box.setEnabled(box.isChecked() or not full)
        if not self.boxes:
            note = f"No other model covers {self.language.currentData()}: nothing to compare with."
        elif not self.text.text().strip():
            note = "Type the text to sign."
        elif not picked:
            note = "Tick one or two models to compare with."
        else:
            note = f"{', '.join([self.first, *picked])} will sign it, each beside the reference."
        self.note.setText(note)
        self.ok.setEnabled(bool(picked) and bool(self.text.text().strip()))

    def plan(self) -> ComparePlan:
        """What the dialog asks for: text, language, model A first, then the ticked ones."""
        lang = str(self.language.currentData() or "")
        return ComparePlan(self.text.text().strip(), lang, (self.first, *self.picked()))


def compare_dialog(window: StudioWindow) -> CompareDialog:
    """Generate → Compare models…: open the dialog (not blocking); OK starts the comparison."""
    dialog = CompareDialog(window)
    dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: start_compare(window, dialog.plan()))
    dialog.open()
    return dialog


def leave_compare_mode(window: StudioWindow) -> bool:
    """Generate → Leave compare mode: back to the normal view (False: not comparing)."""
    return leave_compare(window)


def comparing(window: object) -> bool:
    """Whether ``window`` compares models now (Leave compare mode is enabled then)."""
    return current_session(window) is not None  # type: ignore[arg-type]


__all__ = ["CompareDialog", "compare_dialog", "comparing", "leave_compare_mode"]
