"""The timeline: play/pause, a slider over the frames, and "frame i / F · t s".

A view of the session's `Clock`: user input goes to the clock, and the widgets follow the
clock's events (never the other way round), so keyboard, slider and playback stay in step.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from signstudio.session.clock import Clock


class Timeline(QtWidgets.QWidget):
    def __init__(self, clock: Clock, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TimelineWidget")
        self.clock = clock

        style = self.style()
        self._icon_play = style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay)
        self._icon_pause = style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPause)

        self.play_button = QtWidgets.QToolButton(self)
        self.play_button.setObjectName("play")
        self.play_button.setIcon(self._icon_play)
        self.play_button.setIconSize(QtCore.QSize(22, 22))
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(clock.toggle)

        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("frame_slider")
        self.slider.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.slider.setToolTip("Drag to scrub · ←/→ one frame · Home/End first/last frame")
        self.slider.valueChanged.connect(self._slider_moved)

        self.label = QtWidgets.QLabel(self)
        self.label.setObjectName("frame_label")
        self.label.setToolTip("frame index (0 = first) / number of frames · time from the first frame")
        self.label.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("frame 00000 / 00000  ·  000.00 s") + 8
        )
        self.label.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)

        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 8)
        row.setSpacing(10)
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)

        clock.frame_changed.connect(self._on_frame)
        clock.playing_changed.connect(self._on_playing)
        clock.length_changed.connect(self._on_length)
        self._on_length(clock.num_frames)
        self._on_playing(clock.playing)

    def refresh(self) -> None:
        """Show the clock's state again (after the content changed under the same frame number)."""
        self._on_frame(self.clock.frame)

    def text(self) -> str:
        c = self.clock
        return f"frame {c.frame} / {c.num_frames}  ·  {c.time:.2f} s"

    # ---- clock -> widgets ----------------------------------------------------------------
    def _on_frame(self, frame: int) -> None:
        if self.slider.value() != frame:
            blocked = self.slider.blockSignals(True)
            self.slider.setValue(frame)
            self.slider.blockSignals(blocked)
        self.label.setText(self.text())

    def _on_playing(self, playing: bool) -> None:
        self.play_button.setIcon(self._icon_pause if playing else self._icon_play)
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")

    def _on_length(self, num_frames: int) -> None:
        blocked = self.slider.blockSignals(True)
        self.slider.setRange(0, num_frames - 1)
        self.slider.setPageStep(max(1, round(self.clock.fps)))
        self.slider.setValue(self.clock.frame)
        self.slider.blockSignals(blocked)
        self.play_button.setEnabled(num_frames > 1)
        self.label.setText(self.text())

    # ---- widgets -> clock ----------------------------------------------------------------
    def _slider_moved(self, value: int) -> None:
        self.clock.pause()
        self.clock.frame = value
