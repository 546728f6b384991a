"""View → Body: the SMPL-X folder and the body's shape coefficients, asked for.

choose_smplx_folder(window)     # the folder with SMPLX_NEUTRAL.npz, then SMPL-X is the body
shape_dialog(window)            # ten betas, 0 the average body; Reset zeroes them
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PySide6 import QtGui, QtWidgets

from signstudio.app.dialogs.common import as_parent
from signstudio.app.settings import Settings


class BodyHost(Protocol):
    """What the body dialogs use of the studio window (`signstudio.app.window.StudioWindow`)."""

    settings: Settings
    body_model_actions: dict[str, QtGui.QAction]

    def body_model(self) -> tuple[str, str | None]: ...

    def set_body_model(self, name: str, folder: str | None = None) -> bool: ...

    def body_shape(self) -> tuple[float, ...]: ...

    def set_body_shape(self, betas: tuple[float, ...] | list[float]) -> None: ...


def choose_smplx_folder(window: BodyHost) -> None:
    """View → Body → SMPL-X…: ask for the model folder; cancelled, the body's check stays put."""
    start = str(window.settings.get("smplx_folder") or Path.home())
    folder = QtWidgets.QFileDialog.getExistingDirectory(
        as_parent(window), "Folder that holds SMPLX_NEUTRAL.npz (from smpl-x.is.tue.mpg.de)", start
    )
    if folder:
        window.set_body_model("smplx", folder)
        return
    current = window.body_model()[0]  # the menu checked SMPL-X on the click: undo that
    for name, action in window.body_model_actions.items():
        action.setChecked(current == name)


def _shape_buttons(
    dialog: QtWidgets.QDialog, boxes: Sequence[QtWidgets.QDoubleSpinBox]
) -> QtWidgets.QDialogButtonBox:
    """OK, Cancel, and Reset (every coefficient back to 0)."""
    std = QtWidgets.QDialogButtonBox.StandardButton
    buttons = QtWidgets.QDialogButtonBox(std.Ok | std.Cancel | std.Reset)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)

    def zero() -> None:
        for box in boxes:
            box.setValue(0.0)

    buttons.button(std.Reset).clicked.connect(zero)
    return buttons


def shape_dialog(window: BodyHost) -> None:
    """View → Body → Shape…: the ten SMPL-X shape coefficients (betas), each in ±3."""
    dialog = QtWidgets.QDialog(as_parent(window))
    dialog.setWindowTitle("Body shape (SMPL-X betas)")
    form = QtWidgets.QFormLayout(dialog)
    form.addRow(QtWidgets.QLabel("Ten shape coefficients; 0 is the average body. β1 is mostly height."))
    boxes = []
    for i, value in enumerate(window.body_shape()):
        box = QtWidgets.QDoubleSpinBox(dialog)
        box.setRange(-3.0, 3.0)
        box.setSingleStep(0.25)
        box.setValue(value)
        form.addRow(f"β{i + 1}", box)
        boxes.append(box)
    form.addRow(_shape_buttons(dialog, boxes))
    if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
        window.set_body_shape([box.value() for box in boxes])


__all__ = ["BodyHost", "choose_smplx_folder", "shape_dialog"]
