"""`CompareViews`: more GL views in the studio's viewport, one per compared model (A/B/C).

The viewport's main view keeps the first model (the window's own generation) and its right view
the reference; the other models' views go between them, in the order given::

    ┌ generated · lookup ┬ generated · nar-kd ┬ generated · diffusion ┬ reference · lexicon join ┐

Each extra view is a `GLView` with one `SkeletonSlot`, its own floor grid, and a caption from
`signstudio.session.captions.describe_view` (the same `caption_block` the viewport uses). The
views link the viewport's one `Camera` (orbit one, all follow), follow the window's one clock
(each sequence clamped to its own length) and are framed, painted and grabbed with the viewport's
own views (`Viewport.extra_views` / ``extra_slots`` / ``extra_overlays``). They show skeletons
only (no avatar) and take the look (dark/light) the viewport has when they are filled.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from signstudio.app.viewport import Viewport
from signstudio.app.viewport.captions import caption_block
from signstudio.app.viewport.floor_grid import GLFloorGrid
from signstudio.app.viewport.glview import GLView
from signstudio.app.viewport.overlays import fit_label, overlay_label
from signstudio.app.viewport.slots import SkeletonSlot
from signstudio.pose.sequence import PoseSequence
from signstudio.session.clock import Clock
from signstudio.session.geometry import display_skeleton

MARGIN = 10


class CompareViews(QtCore.QObject):
    """Extra views of ``viewport`` for the compared models' sequences, driven by ``clock``."""

    def __init__(self, viewport: Viewport, clock: Clock) -> None:
        super().__init__(viewport)
        self.viewport, self.clock = viewport, clock
        self.views: list[GLView] = []
        self.slots: list[SkeletonSlot] = []
        self.captions: list[QtWidgets.QLabel] = []
        self.separators: list[QtWidgets.QFrame] = []
        self.sequences: list[PoseSequence] = []
        clock.frame_changed.connect(self.show_frame)

    def set_sequences(self, sequences: list[PoseSequence]) -> None:
        """Show ``sequences`` (one view each, made on first need, hidden when not needed), framed
        with the viewport's content at the clock's frame."""
        while len(self.views) < len(sequences):
            self._add_view()
        colours = self.viewport._colours
        self.sequences = list(sequences)
        for i, view in enumerate(self.views):
            shown = i < len(sequences)
            view.setVisible(shown)
            self.separators[i].setVisible(shown)
            view.setBackgroundColor(colours.background)
            self.viewport.grids[view].set_color(colours.grid)
            self.separators[i].setStyleSheet(f"background: {colours.muted};")
            self.slots[i].set_display(display_skeleton(sequences[i], colours.colors) if shown else None)
            self.captions[i].setStyleSheet(self.viewport.title.styleSheet())
        self.show_frame(self.clock.frame)
        self.caption()
        self.viewport.frame_camera(self.viewport.preset, keep_direction=True)

    def show_frame(self, frame: int) -> None:
        """Frame ``frame`` of every compared sequence (each clamped to its length)."""
        for slot, view in zip(self.slots, self.views, strict=True):
            if slot.display is not None and slot.show_frame(frame):
                view.update()

    def shown_frames(self) -> list[int]:
        """The frame each shown view draws now (for tests and the status line)."""
        return [int(s.cloud.frame or 0) for s in self.slots if s.display is not None]

    def caption(self) -> None:
        """Say in each view what it shows (`describe_view` through `caption_block`)."""
        colours = self.viewport._colours
        for i, label in enumerate(self.captions):
            if i >= len(self.sequences):
                label.hide()
                continue
            view = self.views[i]
            compact = min(view.width(), view.height()) < 420
            label.setText(caption_block(self.sequences[i], "shown", colours, compact))
            label.setVisible(self.viewport.title.isVisibleTo(self.viewport))
            fit_label(label, max(view.width() - 2 * MARGIN, 80))
            label.move(MARGIN, MARGIN)

    def _add_view(self) -> None:
        vp = self.viewport
        view = GLView(vp)
        view.setObjectName(f"view_compare_{len(self.views)}")
        separator = QtWidgets.QFrame(vp)
        separator.setFixedWidth(2)
        layout = vp.layout()
        assert isinstance(layout, QtWidgets.QBoxLayout)
        at = layout.indexOf(vp.view) + 1 + 2 * len(self.views)  # after the main view and earlier extras
        layout.insertWidget(at, separator)
        layout.insertWidget(at + 1, view)
        grid = GLFloorGrid()
        grid.setDepthValue(-10)
        view.addItem(grid)
        vp.grids[view] = grid
        view.painted.connect(vp.painted)
        view.link_camera(vp.camera)
        view.installEventFilter(self)
        slot = SkeletonSlot(view, depth=0)
        label = overlay_label(view, f"title_compare_{len(self.views)}")
        self.views.append(view)
        self.slots.append(slot)
        self.captions.append(label)
        self.separators.append(separator)
        vp.extra_views.append(view)
        vp.extra_slots.append(slot)
        vp.extra_overlays.append(label)

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize and obj in self.views:
            self.caption()
        return super().eventFilter(obj, event)


__all__ = ["CompareViews"]
