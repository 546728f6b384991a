"""The View menu's modes on the studio window: how the reference is shown (side by side or as a
ghost) and timed (its own clock or warped onto the generated one), loop, theme — and the check
marks of those and of the body (skeleton/avatar, mannequin/SMPL-X) kept in step with them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.curves import Curve
from signstudio.app.settings import Settings
from signstudio.app.theme import Theme
from signstudio.app.timeline import Timeline
from signstudio.app.viewport import Viewport
from signstudio.pose.sequence import PoseSequence
from signstudio.session.clock import Clock
from signstudio.session.studio import StudioState

BODY_MODES = ("skeleton", "avatar", "both")


def app_theme() -> Theme | None:
    """The app's `Theme` (None when the window runs without one, e.g. in some tests)."""
    app = QtWidgets.QApplication.instance()
    found = app.findChild(Theme) if app is not None else None
    return found if isinstance(found, Theme) else None


class ViewModes(QtCore.QObject):
    """The modes of ``state``/``clock``/``viewport``, set from the menus and remembered in
    ``settings``. ``body_model()``: the body model in use (its name first); ``curves(gen, ref)``:
    the timeline's rows of the pair (they follow the reference's timing)."""

    def __init__(
        self,
        state: StudioState,
        clock: Clock,
        viewport: Viewport,
        timeline: Timeline,
        settings: Settings,
        body_model: Callable[[], tuple[str, str | None]],
        curves: Callable[[PoseSequence | None, PoseSequence | None], dict[str, Curve]],
    ) -> None:
        super().__init__(viewport)  # goes with the viewport (and the window)
        self.state, self.clock, self.viewport, self.timeline = state, clock, viewport, timeline
        self.settings, self.body_model, self.curves = settings, body_model, curves
        self.actions: Mapping[str, QtGui.QAction] = {}  # by action id, once the menus exist
        self.groups: Mapping[str, Mapping[object, QtGui.QAction]] = {}
        state.reference_display_changed.connect(self.on_display_mode)

    def attach(
        self, actions: Mapping[str, QtGui.QAction], groups: Mapping[str, Mapping[object, QtGui.QAction]]
    ) -> None:
        """The menus' actions (by id) and groups (``body``, ``body_model``, ``theme``)."""
        self.actions, self.groups = actions, groups
        self.sync()

    def restore(self) -> None:
        """The modes remembered from the last session."""
        self.state.reference_display = str(self.settings.get("reference_display", "side-by-side"))  # type: ignore[assignment]
        self.state.reference_timing = str(self.settings.get("reference_timing", "own-clock"))  # type: ignore[assignment]
        body_mode = str(self.settings.get("body_mode", "skeleton"))
        self.viewport.set_body_mode(body_mode if body_mode in BODY_MODES else "skeleton")

    def sync(self) -> None:
        """Every mode's check mark as the models say."""
        if not self.actions:
            return
        display, timing = self.state.reference_display, self.state.reference_timing
        self.actions["reference_side_by_side"].setChecked(display == "side-by-side")
        self.actions["reference_as_ghost"].setChecked(display == "ghost")
        self.actions["reference_on_its_own_clock"].setChecked(timing == "own-clock")
        warped = self.actions["reference_time-warped_onto_generated"]
        warped.setChecked(timing == "warped")
        how = "DTW alignment" if self.state.warp_path is not None else "linear stretch"
        warped.setToolTip(f"The reference time-warped onto the generated one ({how})")
        warped.setStatusTip(warped.toolTip())
        self.actions["loop"].setChecked(self.clock.loop)
        for mode, action in self.groups["body"].items():
            action.setChecked(self.viewport.body_mode == mode)
        for name, action in self.groups["body_model"].items():
            action.setChecked(self.body_model()[0] == name)
        theme = app_theme()
        for choice, action in self.groups["theme"].items():
            action.setChecked(theme is not None and theme.choice == choice)

    def show_frame(self, frame: int) -> None:
        """The viewport at generated frame ``frame`` and its reference frame (by the timing)."""
        if self.state.reference is None:
            ref_frame = 0
        elif self.state.sequence is None:
            ref_frame = frame  # only a reference on screen: it runs on the clock itself
        else:
            ref_frame = self.state.reference_frame_for(frame)
        self.viewport.set_frames(frame, ref_frame)

    def on_display_mode(self, mode: str) -> None:
        """``state.reference_display`` changed: the viewport follows, the choice is kept."""
        self.viewport.set_reference_mode(mode)
        self.settings.set("reference_display", mode)
        self.sync()

    def set_display(self, mode: str) -> None:
        self.state.reference_display = mode  # type: ignore[assignment]
        self.sync()

    def set_timing(self, mode: str) -> None:
        self.state.reference_timing = mode  # type: ignore[assignment]
        self.settings.set("reference_timing", mode)
        self.timeline.set_curves(self.curves(self.state.sequence, self.state.reference))
        self.sync()

    def set_theme(self, choice: str) -> None:
        theme = app_theme()
        if theme is not None:
            theme.set_choice(choice)
        self.settings.set("theme", choice)
        self.sync()

    def toggle_loop(self) -> None:
        self.timeline.set_loop(not self.clock.loop)


__all__ = ["BODY_MODES", "ViewModes", "app_theme"]
