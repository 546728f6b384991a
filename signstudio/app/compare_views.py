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

Ghost mode (View → Reference as ghost, ``--reference ghost``): as the main view draws the
reference translucent over the generated skeleton, each compared model's view draws the same
reference as a ghost over that model (its own ghost `SkeletonSlot`), and the reference's own view
goes (the viewport hides it)::

    ┌ lookup + reference (ghost) ┬ nar-kd + reference (ghost) ┬ diffusion + reference (ghost) ┐

Each ghost is timed against its own model: ``tables[i]`` (`set_reference`) maps model i's frames
to reference frames (the window's timing mode — own clock, or warped through that model's own DTW
path — not the first model's), so every view overlays its model with the reference frame it is
scored against.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from signstudio.app.viewport import Viewport
from signstudio.app.viewport.captions import caption_block, ghost_caption
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
        self.ghosts: list[SkeletonSlot] = []  # the reference over each model, in ghost mode
        self.captions: list[QtWidgets.QLabel] = []
        self.separators: list[QtWidgets.QFrame] = []
        self.sequences: list[PoseSequence] = []
        self.reference: PoseSequence | None = None
        self.tables: list[np.ndarray] = []  # per shown view: (n_i,) reference frame of each frame
        self.mode = viewport.mode  # "side-by-side" or "ghost", as the viewport's
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
        self._arrange_ghosts()

    def set_reference(self, reference: PoseSequence | None, tables: list[np.ndarray]) -> None:
        """The reference drawn as a ghost in each view in ghost mode; ``tables[i]`` (n_i,) int:
        the reference frame shown with each frame of the i-th shown sequence."""
        self.reference, self.tables = reference, [np.asarray(t, np.int64) for t in tables]
        self._arrange_ghosts()

    def set_mode(self, mode: str) -> None:
        """``ghost``: the reference over every compared model; ``side-by-side``: models alone."""
        if mode != self.mode:
            self.mode = mode
            self._arrange_ghosts()

    @property
    def ghosted(self) -> bool:
        """Whether the views draw the reference over their models now."""
        return self.mode == "ghost" and self.reference is not None

    def _arrange_ghosts(self) -> None:
        """Fill or empty the ghost slots for the mode, then frame, caption and draw."""
        disp = None
        if self.ghosted:
            assert self.reference is not None
            disp = display_skeleton(self.reference, self.viewport._colours.colors)
        for i, ghost in enumerate(self.ghosts):
            ghost.set_display(disp if i < len(self.sequences) and i < len(self.tables) else None)
        self.show_frame(self.clock.frame)
        self.caption()
        self.viewport.frame_camera(self.viewport.preset, keep_direction=True)
        for view in self.views:
            view.update()

    def show_frame(self, frame: int) -> None:
        """Frame ``frame`` of every compared sequence (each clamped to its length), and in ghost
        mode the reference frame its table pairs with it."""
        for i, (slot, view) in enumerate(zip(self.slots, self.views, strict=True)):
            changed = slot.display is not None and slot.show_frame(frame)
            ghost = self.ghosts[i]
            if ghost.display is not None and slot.display is not None:
                table = self.tables[i]
                at = min(slot.display.clamp(frame), len(table) - 1)
                changed = ghost.show_frame(int(table[at])) or changed
            if changed:
                view.update()

    def ghost_frames(self) -> list[int]:
        """The reference frame each view's ghost draws now (ghost mode; for tests)."""
        return [int(g.cloud.frame or 0) for g in self.ghosts if g.display is not None]

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
            if self.ghosts[i].display is not None and self.reference is not None:
                label.setText(ghost_caption(self.sequences[i], self.reference, colours, compact))
            else:
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
        ghost = SkeletonSlot(view, depth=10, ghost=True)  # as the main view's ghost
        label = overlay_label(view, f"title_compare_{len(self.views)}")
        self.views.append(view)
        self.slots.append(slot)
        self.ghosts.append(ghost)
        self.captions.append(label)
        self.separators.append(separator)
        vp.extra_views.append(view)
        vp.extra_slots.extend((slot, ghost))
        vp.extra_overlays.append(label)

    def dispose(self) -> None:
        """Take every extra view out of the viewport (leaving compare mode): the viewport is as
        it was before the first `set_sequences`, framed again on what it shows."""
        vp = self.viewport
        self.clock.frame_changed.disconnect(self.show_frame)
        gone = set(self.views)
        vp.extra_views[:] = [v for v in vp.extra_views if v not in gone]
        mine = {id(s) for s in (*self.slots, *self.ghosts)}
        vp.extra_slots[:] = [s for s in vp.extra_slots if id(s) not in mine]
        labels = set(self.captions)
        vp.extra_overlays[:] = [w for w in vp.extra_overlays if w not in labels]
        for view, separator in zip(self.views, self.separators, strict=True):
            vp.grids.pop(view, None)
            for widget in (view, separator):
                widget.hide()
                widget.setParent(None)  # out of the layout
                widget.deleteLater()
        self.views, self.slots, self.ghosts, self.captions, self.separators = [], [], [], [], []
        self.sequences, self.tables, self.reference = [], [], None
        vp.frame_camera(vp.preset, keep_direction=True)
        vp.update_views()

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize and obj in self.views:
            self.caption()
        return super().eventFilter(obj, event)


__all__ = ["CompareViews"]
