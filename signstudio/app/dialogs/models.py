"""Models → Add checkpoint…: a checkpoint file (a training run's ``best.pt``) asked for, made a
selectable model in the model selector (remembered across starts) and selected; a file that does
not fit (not a checkpoint, truncated, an evaluator's, another layout) is one line in a message box."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6 import QtWidgets

from signstudio.app.dialogs.common import as_parent
from signstudio.app.input_binding import InputBinding
from signstudio.modeling.base import ModelError

CHECKPOINT_FILES = "Checkpoints (*.pt);;All files (*)"


class ModelsHost(Protocol):
    """What the Models dialogs use of the studio window (`signstudio.app.window.StudioWindow`)."""

    inputs: InputBinding

    def _status(self, text: str, ms: int = 5000) -> None: ...


def add_checkpoint(window: ModelsHost, path: str | Path | None = None) -> str | None:
    """Models → Add checkpoint…: the model id added, or None (cancelled, or the file did not fit)."""
    if path is None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            as_parent(window), "Add a checkpoint as a model", "", CHECKPOINT_FILES
        )
    if not path:
        return None
    try:
        info = window.inputs.add_checkpoint(path)
    except ModelError as exc:
        QtWidgets.QMessageBox.warning(as_parent(window), "Add checkpoint", " ".join(str(exc).split()))
        return None
    window._status(f"model added: {info.name}, covering {', '.join(info.languages)}")
    return info.id
