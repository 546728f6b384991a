"""The studio's main window: the viewport in the centre, the timeline docked under it.

Model/view as in napari: the window owns a session `Clock` (Qt-free); the viewport and the
timeline subscribe to its events. A QTimer feeds the clock real elapsed time while it plays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.timeline import Timeline
from signstudio.app.viewport import Viewport, caption_html, reference_kind
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.clock import Clock

HINTS = (
    "Space play/pause  ·  ←/→ step  ·  Home/End first/last  ·  "
    "drag to orbit, Ctrl+drag or middle-drag to pan, wheel to zoom  ·  R reset view"
)


class StudioWindow(QtWidgets.QMainWindow):
    def __init__(self, seq: PoseSequence, gt: PoseSequence | None = None) -> None:
        super().__init__()
        self.setWindowTitle("SignStudio")
        self.setObjectName("SignStudio")
        self.resize(1280, 800)

        self.clock = Clock(num_frames=1, fps=seq.fps)
        self.viewport = Viewport(self)
        self.setCentralWidget(self.viewport)

        self.timeline = Timeline(self.clock, self)
        dock = QtWidgets.QDockWidget("Timeline", self)
        dock.setObjectName("Timeline")
        dock.setWidget(self.timeline)
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable)
        dock.setAllowedAreas(
            QtCore.Qt.DockWidgetArea.BottomDockWidgetArea | QtCore.Qt.DockWidgetArea.TopDockWidgetArea
        )
        self.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.timeline_dock = dock

        self.statusBar().showMessage(HINTS)
        self._make_actions()

        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._last_tick = 0.0

        self.clock.frame_changed.connect(self._on_frame)
        self.clock.playing_changed.connect(self._on_playing)

        self.seq: PoseSequence = seq
        self.gt: PoseSequence | None = None
        self.set_sequences(seq, gt)

    # ---- content -------------------------------------------------------------------------
    def set_sequences(self, seq: PoseSequence, gt: PoseSequence | None = None) -> None:
        """Show ``seq`` (and ``gt`` beside it, labelled "reference") from frame 0."""
        self.clock.pause()
        self.seq, self.gt = seq, gt
        main_name = reference_kind(seq)
        layers = [(main_name, seq)] if gt is None else [(main_name, seq), ("reference", gt)]
        self.viewport.set_layers(layers)
        self.viewport.set_caption(caption_html(layers))
        # The clock runs in the main sequence's frames, long enough to show all of the reference.
        frames = seq.num_frames
        if gt is not None:
            frames = max(frames, round(gt.duration * seq.fps))
        self.clock.fps = seq.fps
        self.clock.num_frames = max(frames, 1)
        if self.clock.frame != 0:
            self.clock.frame = 0  # emits: the viewport and the timeline follow
        else:
            self._on_frame(0)  # same frame number, new content: redraw by hand
            self.timeline.refresh()

    def open_file(self, path: str | Path) -> bool:
        """Read and show a pose file; a bad file is reported in a dialog, never as a traceback."""
        from signstudio.pose.formats import read_one

        try:
            seq = read_one(path)
        except FormatError as exc:
            QtWidgets.QMessageBox.critical(self, "Cannot open file", str(exc))
            return False
        kind = seq.meta.get("reference_kind", "user file")
        self.set_sequences(seq.replace(meta_update={"reference_kind": kind}))
        return True

    # ---- clock -> view -------------------------------------------------------------------
    def _on_frame(self, frame: int) -> None:
        self.viewport.show_time(frame / self.clock.fps)
        self.viewport.view.update()

    def _on_playing(self, playing: bool) -> None:
        if playing:
            self._last_tick = time.monotonic()
            self._timer.start(max(1, int(1000 / self.clock.fps / 2)))
        else:
            self._timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        self.clock.tick(now - self._last_tick)
        self._last_tick = now

    # ---- actions -------------------------------------------------------------------------
    def _make_actions(self) -> None:
        keys = QtCore.Qt.Key

        Keys = QtGui.QKeySequence | QtGui.QKeySequence.StandardKey | str

        def add(
            name: str, shortcut: Keys, slot: Callable[[], object], menu: QtWidgets.QMenu | None = None
        ) -> None:
            action = QtGui.QAction(name, self)
            action.setObjectName(name.lower().replace(" ", "_").replace("…", ""))
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            if menu is not None:
                menu.addAction(action)
            else:
                self.addAction(action)

        file_menu = self.menuBar().addMenu("&File")
        add("Open…", QtGui.QKeySequence.StandardKey.Open, self._open_dialog, file_menu)
        add("Save screenshot…", "P", self._screenshot_dialog, file_menu)
        file_menu.addSeparator()
        add("Quit", QtGui.QKeySequence.StandardKey.Quit, self.close, file_menu)

        play_menu = self.menuBar().addMenu("&Playback")
        add("Play/Pause", QtGui.QKeySequence(keys.Key_Space), self.clock.toggle, play_menu)
        add("Previous frame", QtGui.QKeySequence(keys.Key_Left), lambda: self.clock.step(-1), play_menu)
        add("Next frame", QtGui.QKeySequence(keys.Key_Right), lambda: self.clock.step(1), play_menu)
        add("First frame", QtGui.QKeySequence(keys.Key_Home), self.clock.first, play_menu)
        add("Last frame", QtGui.QKeySequence(keys.Key_End), self.clock.last, play_menu)

        view_menu = self.menuBar().addMenu("&View")
        add("Reset view", "R", self.viewport.frame_camera, view_menu)

    def _open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open pose file", "", "Pose files (*)")
        if path:
            self.open_file(path)

    def _screenshot_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save screenshot", "studio.png", "PNG (*.png)")
        if path:
            try:
                self.save_screenshot(path)
            except FormatError as exc:
                QtWidgets.QMessageBox.critical(self, "Cannot save screenshot", str(exc))

    # ---- rendering -----------------------------------------------------------------------
    def wait_painted(self, timeout: float = 10.0) -> bool:
        """Process events until the GL view has painted the current frame (False on timeout)."""
        app = QtWidgets.QApplication.instance()
        assert app is not None
        view = self.viewport.view
        start_count = view.paint_count
        view.update()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if view.isValid() and view.paint_count > start_count:
                return True
            time.sleep(0.005)
        return False

    def grab_image(self) -> QtGui.QImage:
        """The whole window as an image, with the GL view's current frame rendered into it.

        `QWidget.grab` alone misses what GL items draw with a QPainter (the skeletons' names),
        so the view's own framebuffer is painted over its place, then the overlay labels on top.
        """
        if not self.wait_painted():
            raise RuntimeError("the 3D view did not paint within 10 s (no OpenGL on this display?)")
        image = self.grab().toImage()
        view = self.viewport.view
        frame = view.grabFramebuffer()
        painter = QtGui.QPainter(image)
        try:
            painter.drawImage(QtCore.QRect(view.mapTo(self, QtCore.QPoint(0, 0)), view.size()), frame)
            for label in view.findChildren(QtWidgets.QLabel):
                if label.isVisible():
                    label.render(painter, label.mapTo(self, QtCore.QPoint(0, 0)))
        finally:
            painter.end()
        return image

    def save_screenshot(self, path: str | Path) -> Path:
        """Save the whole window as PNG; FormatError if the file cannot be written."""
        out = Path(path)
        image = self.grab_image()
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FormatError(out, f"cannot create the folder: {exc.strerror or exc}") from None
        tmp = out.with_name(out.name + ".part")
        if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; str works
            tmp.unlink(missing_ok=True)
            raise FormatError(out, "cannot write the PNG (folder not writable?)")
        tmp.replace(out)
        return out
