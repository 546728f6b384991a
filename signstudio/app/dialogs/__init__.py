"""The studio's dialogs, out of the window: each is a function of the studio window (typed by a
small protocol of what it reads) that asks, then calls the window's, the editor's or the
document's own command.

    common       ask (OK/Cancel), ask_int, bring_to_front, as_parent
    files        File → Open…, Open reference…, Save as…, Save screenshot…
    exports      File → Export → … (ELAN, BVH, video, PNG frames, metrics, SMPL-X motion)
    edit         the Edit menu's tools: keyframe, falloff, trim/cut, hold, note, smooth (previewed)
    body         View → Body → SMPL-X folder, shape
    models       Models → Add checkpoint…
    compare      Generate → Compare models…, Leave compare mode
    help         Help → Keyboard shortcuts, About, User guide, Diagnostics
    welcome      the first-run welcome overlay (Help → Welcome tour)
    guide        the user guide's window
    diagnostics  the `signstudio doctor` report in a dialog

The action table (`signstudio.session.actions`) names these commands as ``dialogs.<name>``; the
menus (`signstudio.app.menus`) call ``<name>`` from here with the window first:

    dialogs.smooth_dialog(window)           # Edit → Smooth…
    dialogs.export_dialog(window, "bvh")    # File → Export → BVH motion (.bvh)…
"""

from __future__ import annotations

from signstudio.app.dialogs import compare
from signstudio.app.dialogs.body import choose_smplx_folder, shape_dialog
from signstudio.app.dialogs.edit import (
    edit_tool,
    falloff_dialog,
    hold_dialog,
    note_dialog,
    range_tool,
    smooth_dialog,
    toggle_keyframe,
)
from signstudio.app.dialogs.exports import export_dialog, export_motion_dialog
from signstudio.app.dialogs.files import open_dialog, save_as, screenshot_dialog
from signstudio.app.dialogs.help import about, open_diagnostics, open_guide, show_shortcuts
from signstudio.app.dialogs.models import add_checkpoint
from signstudio.app.dialogs.welcome import show_welcome

__all__ = [
    "about",
    "add_checkpoint",
    "choose_smplx_folder",
    "compare",
    "edit_tool",
    "export_dialog",
    "export_motion_dialog",
    "falloff_dialog",
    "hold_dialog",
    "note_dialog",
    "open_diagnostics",
    "open_dialog",
    "open_guide",
    "range_tool",
    "save_as",
    "screenshot_dialog",
    "shape_dialog",
    "show_shortcuts",
    "show_welcome",
    "smooth_dialog",
    "toggle_keyframe",
]
