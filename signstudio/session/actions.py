"""The studio's menu and toolbar actions as data (Qt-free): the app builds a QAction per entry.

    for spec in ACTIONS:            # in menu order
        spec.id, spec.label, spec.menu, spec.handler, spec.args, spec.shortcut, spec.checkable

``id`` is the action's object name (what tests, ``signstudio app`` flags and the shortcut list
use), made from the label as the studio always named them. ``handler`` is a dotted attribute
path on the window (``"save_document"``, ``"timeline.play_pause"``), or ``"dialogs.<name>"``: the
app's dialog command ``<name>`` (`signstudio.app.dialogs`), given the window first. It is called
with ``args`` — and, when ``passes_checked``, with the action's new check state. A `MenuSlot`
marks where the app fills a menu itself (recent files, camera presets, the panels).
``shortcut`` is a key sequence ("Ctrl+Shift+O") or ``std:Name``, a platform's standard key
(``std:Open``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FILE, EDIT, GENERATE, VIEW, PLAYBACK, HELP = "&File", "&Edit", "&Generate", "&View", "&Playback", "&Help"
MODELS = "&Models"


def action_id(label: str) -> str:
    """The object name of the action labelled ``label`` ("Open reference…" -> "open_reference")."""
    return label.lower().replace(" ", "_").replace("…", "").replace("&", "")


@dataclass(frozen=True)
class ActionSpec:
    """One action: label, menu path (top menu first), handler (dotted path on the window, or
    ``dialogs.<name>``: a dialog command given the window) and
    its arguments, shortcut, status tip, whether it is checkable, whether a separator comes
    before it, and ``group``: the window's collection of related actions it belongs to (an
    exclusive group when ``exclusive``), keyed by its first argument."""

    label: str
    menu: tuple[str, ...]
    handler: str
    args: tuple[Any, ...] = ()
    shortcut: str = ""
    tip: str = ""
    checkable: bool = False
    passes_checked: bool = False
    separator_before: bool = False
    group: str = ""
    exclusive: bool = False
    key: str = ""  # its key in ``group`` (default: its first argument, else its place)

    @property
    def id(self) -> str:
        return action_id(self.label)


@dataclass(frozen=True)
class MenuSlot:
    """A place the app fills: ``kind`` is ``submenu`` (an empty submenu called ``label``, e.g.
    Open recent) or ``items`` (the app's own actions, e.g. camera presets, inserted here)."""

    kind: str
    label: str
    menu: tuple[str, ...]
    separator_before: bool = False

    @property
    def id(self) -> str:
        return action_id(self.label)


_RANGE_TIP = {"Trim": "Keep a range of frames, drop the rest", "Cut": "Remove a range of frames"}
EXPORTS = {  # export kind -> (label, tip); the file types live with the export dialog
    "eaf": ("ELAN annotations (.eaf)…",
            "ELAN annotation file: the text, a tier per hand with the letters, the pose file linked"),
    "bvh": ("BVH motion (.bvh)…",
            "Skeleton motion for Blender, MotionBuilder, …: rotations with fixed bone lengths"),
    "video": ("Video (.mp4, .gif)…",
              "The viewport as mp4 or gif, with the reference and the DTW/FGD strip if you like"),
    "frames": ("PNG frames…", "One PNG per frame into a folder"),
    "metrics": ("Per-frame metrics (.csv, .json)…",
                "Per-frame DTW cost, FGD-style window score and joint errors as CSV or JSON"),
}  # fmt: skip
SPREADS = {
    "frame": "This frame only",
    "falloff": "Neighbouring frames (falloff)",
    "keyframes": "Up to the neighbouring keyframes",
}

A = ActionSpec
ACTIONS: tuple[ActionSpec | MenuSlot, ...] = (
    A("Open…", (FILE,), "dialogs.open_dialog", shortcut="std:Open", tip="Open a pose file"),
    A("Open reference…", (FILE,), "dialogs.open_dialog", (True,), "Ctrl+Shift+O",
      "Open a pose file as the reference beside what is shown"),
    A("Open folder…", (FILE,), "datasets.open_folder_dialog",
      tip="Open a folder of pose files (searched recursively) as a dataset in the Dataset panel"),
    A("Browse the built-in corpus", (FILE,), "datasets.open_corpus",
      tip="Every word of the built-in corpus (all sign languages) as a dataset in the Dataset panel"),
    A("Score against…", (FILE,), "datasets.scoring.dialog",
      tip="Pair the open dataset's sequences with a reference dataset (by key) and score each pair"),
    MenuSlot("submenu", "Open recent", (FILE,)),
    A("Save", (FILE,), "save_document", (), "std:Save",
      "Save the edited sequence (.pose unless it came from another writable format)",
      separator_before=True),
    A("Save as…", (FILE,), "dialogs.save_as", (), "std:SaveAs",
      "Save the edited sequence in a format of your choice"),
    *(A(label, (FILE, "Export"), "dialogs.export_dialog", (kind,), tip=tip)
      for kind, (label, tip) in EXPORTS.items()),
    A("Save screenshot…", (FILE,), "dialogs.screenshot_dialog", (), "P", "Save the viewport as PNG"),
    A("Export SMPL-X motion…", (FILE, "Export"), "dialogs.export_motion_dialog",
      tip="The generated sequence's avatar parameters as an AMASS-style .npz (hands included)"),
    A("Quit", (FILE,), "close", shortcut="std:Quit", separator_before=True),
    A("Undo", (EDIT,), "undo", shortcut="std:Undo"),
    A("Redo", (EDIT,), "redo", shortcut="Ctrl+Y"),  # DESIGN.md: Ctrl+Z / Ctrl+Y
    A("Edit joints", (EDIT,), "set_editing", (), "E",
      "Click a joint of the generated skeleton to pick it, drag to move it "
      "(X/Y/Z lock an axis, Esc cancels)",
      checkable=True, passes_checked=True, separator_before=True),
    *(A(text, (EDIT, "Drag reaches"), "editor.set_spread", (key,), checkable=True, group="spread",
        exclusive=True) for key, text in SPREADS.items()),
    A("Falloff frames…", (EDIT, "Drag reaches"), "dialogs.falloff_dialog",
      tip="How many frames on either side a falloff move reaches", separator_before=True),
    A("Wrist drags bend the elbow", (EDIT,), "editor.set_arm_ik",
      tip="Dragging a wrist solves the arm (two-bone IK); off: only the forearm turns",
      checkable=True, passes_checked=True),
    A("Keyframe this frame", (EDIT,), "dialogs.toggle_keyframe", (), "K",
      "Pin this frame: moves between keyframes fade out at them", checkable=True, group="edit_tools"),
    A("Fill missing points", (EDIT,), "dialogs.edit_tool", ("fill_missing",),
      tip="Interpolate missing points in time (marked as filled)", separator_before=True,
      group="edit_tools"),
    A("Smooth…", (EDIT,), "dialogs.smooth_dialog",
      tip="Savitzky-Golay over a frame range (jitter removal), previewed before it is applied",
      group="edit_tools"),
    A("Mirror left and right", (EDIT,), "dialogs.edit_tool", ("mirror",),
      tip="Swap the signer's left and right over the whole sequence", group="edit_tools"),
    A("Trim to…", (EDIT,), "dialogs.range_tool", ("Trim",), tip=_RANGE_TIP["Trim"], group="edit_tools"),
    A("Cut frames…", (EDIT,), "dialogs.range_tool", ("Cut",), tip=_RANGE_TIP["Cut"], group="edit_tools"),
    A("Insert hold…", (EDIT,), "dialogs.hold_dialog",
      tip="Repeat this frame (a hold) for a number of frames", group="edit_tools"),
    A("Flag this frame", (EDIT,), "dialogs.edit_tool", ("flag",), "F",
      "Mark the current frame for review (undoable)", group="edit_tools"),
    A("Note on this frame…", (EDIT,), "dialogs.note_dialog", tip="A free-text note on the current frame",
      group="edit_tools"),
    A("Generate", (GENERATE,), "text_panel.generate_button.click", shortcut="Ctrl+Return"),
    A("Type text", (GENERATE,), "text_panel.focus_text", shortcut="Ctrl+L",
      tip="Put the keyboard in the text box (Generate hands it to the view)"),
    A("Cancel generation", (GENERATE,), "escape", shortcut="Escape"),
    A("Text mode", (GENERATE,), "text_panel.set_prompt_mode", (False,), "Ctrl+1", separator_before=True),
    A("Prompt mode", (GENERATE,), "text_panel.set_prompt_mode", (True,), "Ctrl+2"),
    A("Add checkpoint…", (MODELS,), "dialogs.add_checkpoint",
      tip="Make a checkpoint file (a training run's best.pt) a model in the model selector, remembered"),
    MenuSlot("items", "Camera", (VIEW,)),
    A("Reference side by side", (VIEW,), "set_display", ("side-by-side",), "S",
      "Generated and reference in two views with linked cameras", checkable=True, separator_before=True),
    A("Reference as ghost", (VIEW,), "set_display", ("ghost",), "G",
      "The reference overlaid as a translucent skeleton", checkable=True),
    A("Reference on its own clock", (VIEW,), "set_timing", ("own-clock",),
      tip="The reference plays at its own speed (same wall time)", checkable=True),
    A("Reference time-warped onto generated", (VIEW,), "set_timing", ("warped",), "W",
      "The reference stretched to the generated length (linear)", checkable=True),
    A("Joint error heat map", (VIEW,), "toggle_heat", (), "H",
      "Colour generated joints by their distance to the reference", checkable=True),
    A("Skeleton", (VIEW,), "set_body_mode", ("skeleton",), tip="Each sequence as its skeleton",
      checkable=True, separator_before=True, group="body"),
    A("Avatar and skeleton", (VIEW,), "set_body_mode", ("both",), "A",
      "The mannequin, translucent, around the skeleton (fitted by IK)", checkable=True, group="body"),
    A("Avatar", (VIEW,), "set_body_mode", ("avatar",), "Shift+A",
      "The mannequin only (fitted to the keypoints by IK)", checkable=True, group="body"),
    A("Mannequin (built in)", (VIEW, "Body"), "set_body_model", ("mannequin",),
      tip="The built-in mannequin: no licensed files needed", checkable=True, group="body_model"),
    A("SMPL-X…", (VIEW, "Body"), "dialogs.choose_smplx_folder", key="smplx",
      tip="SMPL-X from your model folder (SMPLX_NEUTRAL.npz)", checkable=True, group="body_model"),
    A("Shape…", (VIEW, "Body"), "dialogs.shape_dialog", tip="The body's ten SMPL-X shape coefficients",
      separator_before=True),
    MenuSlot("submenu", "Theme", (VIEW,), separator_before=True),
    *(A(choice.capitalize(), (VIEW, "Theme"), "set_theme", (choice,), checkable=True, group="theme")
      for choice in ("system", "light", "dark")),
    MenuSlot("submenu", "Panels", (VIEW,)),
    A("Play/Pause", (PLAYBACK,), "timeline.play_pause", shortcut="Space"),
    A("Previous frame", (PLAYBACK,), "timeline.step_back", shortcut="Left"),
    A("Next frame", (PLAYBACK,), "timeline.step_forward", shortcut="Right"),
    A("First frame", (PLAYBACK,), "timeline.go_first", shortcut="Home"),
    A("Last frame", (PLAYBACK,), "timeline.go_last", shortcut="End"),
    A("Faster", (PLAYBACK,), "timeline.faster", shortcut="]"),
    A("Slower", (PLAYBACK,), "timeline.slower", shortcut="["),
    A("Loop", (PLAYBACK,), "toggle_loop", shortcut="L", checkable=True),
    A("Next worst frame", (PLAYBACK,), "heat.worst.step", (1,), "N",
      "Jump to the next peak of the per-frame error (DTW row, or the heat map while it is on)",
      separator_before=True),
    A("Previous worst frame", (PLAYBACK,), "heat.worst.step", (-1,), "Shift+N",
      "Jump to the previous peak of the per-frame error (DTW row, or the heat map while it is on)"),
    A("Next worst sequence", (PLAYBACK,), "datasets.next_worst", (), "Ctrl+Shift+N",
      "Go to the next sequence of the dataset in descending order of the chosen score column",
      separator_before=True),
    A("Welcome tour", (HELP,), "dialogs.show_welcome", (True,),
      tip="The five places to start, marked on the window"),
    A("User guide", (HELP,), "dialogs.open_guide",
      tip="Step by step: the three journeys, the metrics, your own corpus"),
    A("Keyboard shortcuts", (HELP,), "dialogs.show_shortcuts", shortcut="F1"),
    A("Diagnostics…", (HELP,), "dialogs.open_diagnostics",
      tip="Check this machine: display, OpenGL, packages, CUDA, corpus, models, autosave"),
    A("About SignStudio", (HELP,), "dialogs.about"),
)  # fmt: skip

#: The main toolbar, left to right (None: a separator).
TOOLBAR: tuple[str | None, ...] = (
    "open",
    "generate",
    "cancel_generation",
    None,  # camera presets live on the viewport's own bar (and in View)
    "reference_side_by_side",
    "reference_as_ghost",
    "reference_time-warped_onto_generated",
    "joint_error_heat_map",
    None,
    "save_screenshot",
    None,
    "edit_joints",
)


def by_id() -> dict[str, ActionSpec]:
    """The actions by id (menu slots left out)."""
    return {spec.id: spec for spec in ACTIONS if isinstance(spec, ActionSpec)}


__all__ = ["ACTIONS", "EXPORTS", "SPREADS", "TOOLBAR", "ActionSpec", "MenuSlot", "action_id", "by_id"]
