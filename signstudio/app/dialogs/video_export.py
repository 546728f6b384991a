"""File → Export → Video / PNG frames: what the video shows, for a lesson (issue 20, item 7).

    dialog = VideoExportDialog(window, "video")   # the choices, read off the studio window
    options = video_options(window, "video")      # run it modally: the options, or None

The choices and their defaults (decisions, user-visible):

* **Speed**: the studio's speeds (0.25× … 2×), preset to the *current playback speed* (a teacher
  who slowed the word to read it exports what they saw); the video keeps its frame rate and
  lasts duration ÷ speed × loops (`signstudio.app.render`).
* **Size**: 360p, 720p (the default: legible hands on a projector) or 1080p.
* **Body**: the skeleton, the avatar alone, or the avatar with the skeleton over it, preset to
  what the view shows. The avatar is the studio's own fit when it has one (its body, mannequin
  or SMPL-X, and no second wait; not when mirrored: a mirrored pair is fitted again), else the
  mannequin fitted for the video.
* **Mirror**: left and right swapped, as a learner facing a mirror sees the signer (off).
* **Loops**: 1 to 100 plays in one file (1).
* **Caption**: the word, burned in under the views: the sequence's text, else its reference's,
  else the text typed in the Text & Prompt panel (never a prompt); on when there is a word, and
  it may be edited.
* **Reference beside** and **the DTW / FGD strip**, as before (on when there is a reference).

PNG frames are one per sequence frame: speed and loops are disabled for them. A line under the
choices says how long the video will be.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtWidgets

from signstudio.app.dialogs.common import as_parent, ask
from signstudio.session.clock import SPEEDS
from signstudio.session.render_plan import LESSON_SIZES, MAX_LOOPS

#: The size preset in the dialog.
DEFAULT_SIZE = "720p"
#: (avatar, body mode, label) of each choice of the Body box.
BODIES = (
    ("none", "skeleton", "Skeleton"),
    ("mannequin", "avatar", "Avatar"),
    ("mannequin", "both", "Avatar with the skeleton"),
)


class VideoExportDialog(QtWidgets.QDialog):
    """The lesson choices of a video (or PNG frames, ``kind="frames"``) of the window's sequence."""

    def __init__(self, window: Any, kind: str = "video") -> None:
        super().__init__(as_parent(window))
        self.setWindowTitle("Export video" if kind == "video" else "Export PNG frames")
        seq = window.state.sequence
        self._seconds = seq.num_frames / seq.fps if seq is not None else 0.0
        has_ref = window.state.reference is not None
        self.form = QtWidgets.QFormLayout(self)

        self.speed = QtWidgets.QComboBox(self)
        current = float(getattr(getattr(window, "clock", None), "speed", 1.0))
        for s in sorted({*SPEEDS, current}):
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(self.speed.findData(current))
        self.size_box = QtWidgets.QComboBox(self)
        for name in LESSON_SIZES:
            self.size_box.addItem(name, name)
        self.size_box.setCurrentIndex(self.size_box.findData(DEFAULT_SIZE))
        self.body = QtWidgets.QComboBox(self)
        for avatar, mode, label in BODIES:
            self.body.addItem(label, (avatar, mode))
        shown = getattr(getattr(window, "viewport", None), "body_mode", "skeleton")
        self.body.setCurrentIndex(next(i for i, b in enumerate(BODIES) if b[1] == shown))
        self.loops = QtWidgets.QSpinBox(self)
        self.loops.setRange(1, MAX_LOOPS)
        self.mirror = QtWidgets.QCheckBox("Left and right mirrored", self)
        word = _word(window)
        self.caption_on = QtWidgets.QCheckBox("Caption", self)
        self.caption_on.setChecked(bool(word.strip()))
        self.caption = QtWidgets.QLineEdit(word, self)
        self.caption.setPlaceholderText("the word to show under the signing")
        self.caption.setEnabled(self.caption_on.isChecked())
        self.caption_on.toggled.connect(self.caption.setEnabled)
        self.with_ref = QtWidgets.QCheckBox("The reference beside it", self)
        self.with_ref.setChecked(has_ref)
        self.with_ref.setEnabled(has_ref)
        self.strip = QtWidgets.QCheckBox("The DTW / FGD strip under the views", self)
        self.strip.setChecked(has_ref)
        self.strip.setEnabled(has_ref)
        self.with_ref.toggled.connect(self.strip.setEnabled)
        self.length = QtWidgets.QLabel(self)
        self._lay_out(kind)

    def _lay_out(self, kind: str) -> None:
        caption_row = QtWidgets.QHBoxLayout()
        caption_row.addWidget(self.caption_on)
        caption_row.addWidget(self.caption, 1)
        for label, widget in (("Speed", self.speed), ("Size", self.size_box), ("Body", self.body)):
            self.form.addRow(label, widget)
        self.form.addRow("Loops", self.loops)
        self.form.addRow("", self.mirror)
        self.form.addRow(caption_row)
        self.form.addRow("", self.with_ref)
        self.form.addRow("", self.strip)
        self.form.addRow(self.length)
        timed = kind == "video"
        self.speed.setEnabled(timed)
        self.loops.setEnabled(timed)
        self.length.setVisible(timed)
        self.speed.currentIndexChanged.connect(self._say_length)
        self.loops.valueChanged.connect(self._say_length)
        self._say_length()

    def seconds(self) -> float:
        """How long the video will play: the sequence's duration ÷ speed × loops."""
        return self._seconds / float(self.speed.currentData()) * self.loops.value()

    def _say_length(self) -> None:
        speed = float(self.speed.currentData())
        self.length.setText(
            f"The video lasts {self.seconds():.2f} s "
            f"({self._seconds:.2f} s ÷ {speed:g} × {self.loops.value()})"
        )

    def options(self) -> dict[str, Any]:
        """The choices as `signstudio.app.dialogs.exports.export`'s options."""
        with_ref = self.with_ref.isChecked()
        caption = self.caption.text().strip() if self.caption_on.isChecked() else ""
        return {
            "reference": with_ref,
            "strip": self.strip.isChecked() and with_ref,
            "speed": float(self.speed.currentData()),
            "size": str(self.size_box.currentData()),
            "avatar": self.body.currentData()[0],
            "body": self.body.currentData()[1],
            "mirror": self.mirror.isChecked(),
            "loops": int(self.loops.value()),
            "caption": caption or None,
        }


def _word(window: Any) -> str:
    """The word the caption shows: what the sequence (else its reference) says it signs, else the
    text typed in the Text & Prompt panel (not a prompt: that is a request, not the word)."""
    state = window.state
    for seq in (state.sequence, state.reference):
        if seq is not None and str(seq.meta.get("text") or "").strip():
            return str(seq.meta["text"]).strip()
    if not getattr(state, "prompt_mode", False):
        return str(getattr(state, "text", "") or "").strip()
    return ""


def video_options(window: Any, kind: str = "video") -> dict[str, Any] | None:
    """Ask what the video (or the PNG frames) shows; the options, or None when cancelled."""
    dialog = VideoExportDialog(window, kind)
    if not ask(dialog, dialog.form):
        return None
    return dialog.options()


__all__ = ["DEFAULT_SIZE", "VideoExportDialog", "video_options"]
