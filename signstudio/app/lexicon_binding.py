"""The studio's lexicon: the Lexicons setting used by generation, Add to lexicon…, the Lexicon dock
and the choice of sign variants. One call wires it into the window (while it builds its views):

    window.lexicon = install_lexicon(window)     # the dock, its actions, the range marks

Decisions (user-visible):

* Generation uses the Lexicons setting (`Settings.lexicons`, first folder first) and the variants
  chosen (`Settings.variant_choices`): every request the window sends carries them as the request's
  ``lexicons`` and ``variant_choices`` (`LexiconRunner`, an adapter of the controller's runner
  port), so typed sentences come out with the lexicon's signs for the words it knows.
* Add to lexicon… takes the sequence on screen as it is now — an opened recording, a generated
  sequence, or either after corrections (the edited document) — over the range marked on the
  timeline, else the whole clip (`signstudio.app.dialogs.add_to_lexicon`). It is written by
  `add_sign` (the .pose file, then index.csv, each atomically); a folder that cannot be written
  is one line in a message box and nothing is half-written.
* The Lexicon dock (a tab beside Files) shows the chosen lexicon (`signstudio.app.lexicon_panel`);
  Play opens the entry's span in the view (the clip read from its .pose) and plays it; Rename and
  Priority rewrite its index.csv row (`update_sign`); Delete removes the row and its file
  (`remove_sign`) and Undo — the panel's button, or Ctrl+Z while the panel has the keyboard —
  brings both back (`restore_sign`), last deleted first.
* Variants: a generated segment signed from a lexicon whose words have other signs (its
  ``variants``) can be switched — Lexicon → Choose sign variant…, or the timeline's context menu
  at that frame — and the text is generated again with the choice; choices are remembered.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Protocol, cast

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app import dock_layout
from signstudio.app.dialogs.add_to_lexicon import AddToLexiconDialog, NewEntry, entry_defaults
from signstudio.app.dialogs.lexicons import LexiconsDialog, ask_new_lexicon
from signstudio.app.lexicon_panel import LexiconPanel, used_line
from signstudio.app.lexicon_range import RangeMarks
from signstudio.app.settings import Settings
from signstudio.corpus.user_lexicon import (
    RemovedSign,
    Sign,
    add_sign,
    load_lexicon,
    load_sign,
    phrase_key,
    remove_sign,
    restore_sign,
    update_sign,
)
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.runner.service import GenerateRequest
from signstudio.session.clock import Clock
from signstudio.session.controller import RunnerPort, StudioController, user_file
from signstudio.session.document import PoseDocument
from signstudio.session.studio import StudioState

MENU = "&Lexicon"


class LexiconHost(Protocol):
    """What the binding uses of the studio window (a protocol: the window imports this module)."""

    settings: Settings
    state: StudioState
    clock: Clock
    controller: StudioController
    timeline: Any
    text_panel: Any

    @property
    def document(self) -> PoseDocument | None: ...

    def statusBar(self) -> QtWidgets.QStatusBar: ...


def normalise_words(words: str) -> str:
    """Words as variant choices key them: as lookup compares them (`phrase_key`), one space apart."""
    return " ".join(phrase_key(words))


class LexiconRunner:
    """The controller's runner port with the Lexicons setting and the variant choices added to
    every generate request (requests of a runner without those fields pass unchanged)."""

    def __init__(self, inner: RunnerPort, settings: Settings) -> None:
        self.inner = inner
        self.settings = settings

    def submit(self, request: GenerateRequest) -> int:
        return self.inner.submit(self.with_lexicons(request))

    def with_lexicons(self, request: GenerateRequest) -> GenerateRequest:
        names = {f.name for f in dataclasses.fields(request)}
        changes: dict[str, Any] = {}
        if "lexicons" in names:
            changes["lexicons"] = tuple(Path(f) for f in self.settings.lexicons())
        if "variant_choices" in names:
            changes["variant_choices"] = tuple(self.settings.variant_choices())
        return dataclasses.replace(request, **changes) if changes else request

    def __getattr__(self, name: str) -> Any:  # score, avatar, cancel, … go to the runner as they are
        return getattr(self.inner, name)


def sign_clip(sign: Sign) -> PoseSequence:
    """The sign's span of its recording (`load_sign`: its words, gloss and languages in meta)."""
    return load_sign(sign).replace(meta_update={"source": str(sign.file)})


def own_sign(segment: dict[str, Any]) -> dict[str, Any]:
    """``segment`` with ``path``, the file of the sign it was signed with (found in its lexicon by
    gloss and words, so the variant dialog can offer it back), and ``variant_glosses`` (file ->
    gloss of the variants that lexicon has); unchanged when its lexicon does not load."""
    if not segment.get("source"):
        return segment
    try:
        lexicon = load_lexicon(Path(str(segment["source"])))
    except FormatError:
        return segment
    key = phrase_key(str(segment.get("text", "")))
    others = {str(v) for v in segment.get("variants") or ()}
    glosses = {str(sign.file): sign.gloss for sign in lexicon.signs if str(sign.file) in others}
    out = {**segment, "variant_glosses": glosses}
    for sign in lexicon.signs:
        if (
            not out.get("path")
            and sign.key == key
            and sign.gloss == segment.get("gloss")
            and str(sign.file) not in others
        ):
            out["path"] = str(sign.file)
    return out


class LexiconBinding(QtCore.QObject):
    """See the module docstring. ``actions`` by name (the menus place them); ``marks`` the range."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.window: LexiconHost = cast(LexiconHost, window)
        self.settings = self.window.settings
        self.undo_stack: list[tuple[Path, RemovedSign]] = []
        self.chosen: str | None = None  # the folder the panel shows
        self.panel = LexiconPanel(window)
        self.dock = dock_layout.add_lexicon_dock(window, self.panel)
        self.marks = RangeMarks(getattr(self.window.timeline, "slider", None), self)
        self.marks.changed.connect(self._say_range)
        controller = self.window.controller
        controller.runner = LexiconRunner(controller.runner, self.settings)
        controller.pair_changed.connect(lambda *_: self._pair_changed())
        window.generation_finished.connect(self._on_generated)  # type: ignore[attr-defined]
        self.actions = self._make_actions(window)
        self._connect_panel()
        self.refresh()

    # ---- actions -----------------------------------------------------------------------------
    def _make_actions(self, window: QtWidgets.QMainWindow) -> dict[str, QtGui.QAction]:
        clock = self.window.clock
        entries = (
            ("add_to_lexicon", "Add to lexicon…", "Ctrl+Shift+L", self.add_to_lexicon,
             "Save the marked frames (or the whole clip) of the sequence on screen as a sign in a lexicon"),
            ("mark_range_start", "Mark range start", "I", lambda: self.marks.mark_start(clock.frame),
             "This frame starts the range Add to lexicon… takes"),
            ("mark_range_end", "Mark range end", "O", lambda: self.marks.mark_end(clock.frame),
             "This frame ends the range Add to lexicon… takes (included)"),
            ("clear_range", "Clear range", "", self.marks.clear, "Add to lexicon… takes the whole clip"),
            ("choose_sign_variant", "Choose sign variant…", "", self.choose_variant,
             "Sign the words at this frame with another sign of the lexicon, and generate again"),
            ("lexicons", "Lexicons…", "", self.open_setting,
             "Which lexicon folders generation uses, in priority order (add, make, remove, reorder)"),
            ("new_lexicon", "New lexicon…", "", self.new_lexicon,
             "Make an empty lexicon folder and add it to the Lexicons setting"),
        )  # fmt: skip
        actions: dict[str, QtGui.QAction] = {}
        for name, label, shortcut, slot, tip in entries:
            action = QtGui.QAction(label, window)
            action.setObjectName(name)
            if shortcut:
                action.setShortcut(QtGui.QKeySequence(shortcut))
                action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(lambda _c=False, s=slot: s())
            actions[name] = action
        self._timeline_menu(actions)
        return actions

    def _timeline_menu(self, actions: dict[str, QtGui.QAction]) -> None:
        """The timeline's context menu (right click on its transport row or slider)."""
        timeline = self.window.timeline
        if not isinstance(timeline, QtWidgets.QWidget):
            return
        timeline.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.ActionsContextMenu)
        for name in (
            "mark_range_start",
            "mark_range_end",
            "clear_range",
            None,
            "add_to_lexicon",
            "choose_sign_variant",
        ):
            if name is None:
                separator = QtGui.QAction(timeline)
                separator.setSeparator(True)
                timeline.addAction(separator)
            else:
                timeline.addAction(actions[name])

    def _connect_panel(self) -> None:
        p = self.panel
        p.play_requested.connect(self.play)
        p.rename_requested.connect(self.rename)
        p.priority_requested.connect(self.set_priority)
        p.delete_requested.connect(self.delete)
        p.undo_requested.connect(self.undo)
        p.folder_chosen.connect(self.show_folder)
        p.setting_requested.connect(self.open_setting)

    # ---- the setting and the panel -----------------------------------------------------------
    def folders(self) -> list[str]:
        return self.settings.lexicons()

    def refresh(self) -> None:
        """The folder box from the setting, the chosen lexicon read again (its problems listed)."""
        folders = self.folders()
        if self.chosen not in folders:
            self.chosen = folders[0] if folders else None
        self.panel.set_folders(folders, self.chosen)
        if self.chosen is None:
            return
        try:
            lexicon = load_lexicon(Path(self.chosen))
        except FormatError as exc:
            self.panel.show_lexicon(None, str(exc))
            return
        self.panel.show_lexicon(lexicon)

    def show_folder(self, folder: str) -> None:
        self.chosen = folder
        self.refresh()

    def set_folders(self, folders: list[str]) -> list[str]:
        """The Lexicons setting, remembered; the panel follows."""
        kept = self.settings.set_lexicons(folders)
        self.refresh()
        return kept

    def open_setting(self) -> bool:
        dialog = LexiconsDialog(self._parent(), self.folders())
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return False
        self.set_folders(dialog.folders())
        self._status(f"Lexicons: {len(self.folders())} folder(s), used by the next Generate")
        return True

    def new_lexicon(self) -> str | None:
        """A new empty lexicon folder, added first to the setting (so new signs go there)."""
        folder = ask_new_lexicon(self._parent())
        if folder:
            self.chosen = folder
            self.set_folders([folder, *self.folders()])
            self._reveal()
        return folder

    # ---- adding ------------------------------------------------------------------------------
    def current_sequence(self) -> PoseSequence | None:
        """The sequence on screen as it is now: the edited document, else the generated or opened
        sequence, else the reference alone."""
        doc = self.window.document
        if doc is not None:
            return doc.sequence
        state = self.window.state
        return state.sequence if state.sequence is not None else state.reference

    def add_to_lexicon(self) -> Sign | None:
        """Add to lexicon…: the dialog, then `add_sign`; the new row selected in the panel."""
        made = self.add_dialog()
        if made is None:
            return None
        dialog, seq = made
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        return self.write_entry(dialog.entry(), seq)

    def add_dialog(self) -> tuple[AddToLexiconDialog, PoseSequence] | None:
        """The Add to lexicon form for the sequence on screen (None, said in the status bar, when
        nothing is on screen), with its defaults: the marked range, the sequence's text and languages."""
        seq = self.current_sequence()
        if seq is None:
            self._status("Nothing on screen to add: open a recording or generate first")
            return None
        marked = self.marks.range(seq.num_frames)
        defaults = entry_defaults(dict(seq.meta), seq.num_frames, self.window.state.language, marked)
        return AddToLexiconDialog(self._parent(), defaults, self.folders(), self._dialog_new_folder), seq

    def write_entry(self, e: NewEntry, seq: PoseSequence, quiet: bool = False) -> Sign | None:
        """Write the entry (`add_sign`: .pose then index.csv, atomically); its problem is one line
        (in a message box too unless ``quiet``)."""
        try:
            sign = add_sign(
                Path(e.folder), seq, gloss=e.gloss, words=e.words, spoken_language=e.spoken_language,
                sign_language=e.sign_language, start_frame=e.start_frame, end_frame=e.end_frame,
                priority=e.priority, trim=e.trim,
            )  # fmt: skip
        except (FormatError, OSError, ValueError) as exc:
            self._error("Add to lexicon", " ".join(str(exc).split()), quiet)
            return None
        if e.folder not in self.folders():
            self.settings.set_lexicons([*self.folders(), e.folder])
        self.chosen = e.folder
        self.refresh()
        self.panel.select_path(sign.path)
        self._reveal()
        self._status(f"Added {sign.gloss} (“{sign.words}”) to {sign.folder}: {sign.path}", 8000)
        return sign

    def _dialog_new_folder(self) -> str | None:
        folder = ask_new_lexicon(self._parent())
        if folder:
            self.set_folders([folder, *self.folders()])
        return folder

    # ---- the panel's commands ----------------------------------------------------------------
    def play(self, sign: Sign) -> bool:
        """Open the sign's span in the view and play it."""
        try:
            clip = sign_clip(sign)
        except FormatError as exc:
            self._error("Play sign", str(exc))
            return False
        w = self.window
        w.clock.pause()
        w.controller.show_pair(user_file(clip), None)
        w.clock.frame = 0
        w.clock.play()
        self._status(f"Playing {sign.gloss} from {sign.folder.name}", 5000)
        return True

    def rename(self, sign: Sign) -> Sign | None:
        gloss, ok = QtWidgets.QInputDialog.getText(self._parent(), "Rename sign", "Gloss:", text=sign.gloss)
        if not ok or not gloss.strip():
            return None
        words, ok = QtWidgets.QInputDialog.getText(self._parent(), "Rename sign", "Words:", text=sign.words)
        if not ok or not words.strip():
            return None
        return self._update(sign, gloss=gloss.strip(), words=" ".join(words.split()))

    def set_priority(self, sign: Sign) -> Sign | None:
        value, ok = QtWidgets.QInputDialog.getInt(
            self._parent(),
            "Sign priority",
            f"Priority of {sign.gloss} (lower number wins):",
            sign.priority,
            -1000,
            1000,
        )
        return self._update(sign, priority=int(value)) if ok else None

    def _update(self, sign: Sign, **changes: Any) -> Sign | None:
        try:
            updated = update_sign(sign.folder, sign, **changes)
        except (FormatError, OSError, ValueError) as exc:
            self._error("Lexicon", " ".join(str(exc).split()))
            return None
        self.refresh()
        self.panel.select_path(updated.path)
        return updated

    def delete(self, sign: Sign) -> bool:
        """Remove the row and its file; undo brings both back."""
        try:
            removed = remove_sign(sign.folder, sign)
        except (FormatError, OSError, ValueError) as exc:
            self._error("Delete sign", " ".join(str(exc).split()))
            return False
        self.undo_stack.append((sign.folder, removed))
        self._sync_undo(sign)
        self.refresh()
        self._status(
            f"Deleted {sign.gloss} from {sign.folder.name} (Undo in the Lexicon panel brings it back)"
        )
        return True

    def undo(self) -> Sign | None:
        """Bring back the last deleted sign (its row where it was, its file as it was)."""
        if not self.undo_stack:
            return None
        folder, removed = self.undo_stack.pop()
        try:
            sign = restore_sign(folder, removed)
        except (FormatError, OSError, ValueError) as exc:
            self.undo_stack.append((folder, removed))
            self._error("Undo delete", " ".join(str(exc).split()))
            return None
        self._sync_undo()
        self.chosen = str(folder) if str(folder) in self.folders() else self.chosen
        self.refresh()
        self.panel.select_path(sign.path)
        self._status(f"Restored {sign.gloss} in {folder.name}")
        return sign

    def _sync_undo(self, last: Sign | None = None) -> None:
        tip = f"Bring back {last.gloss} (Ctrl+Z in this panel)" if last is not None else ""
        self.panel.set_can_undo(bool(self.undo_stack), tip)

    # ---- variants ----------------------------------------------------------------------------
    def choose_variant(self) -> bool:
        """The segment at the current frame (else the first) with variants: pick one, generate again."""
        from signstudio.app.dialogs.sign_variants import ask_variant, segments_with_variants

        seq = self.window.state.sequence
        segments = [own_sign(s) for s in segments_with_variants(seq.meta if seq is not None else {})]
        if not segments:
            self._status("No sign with variants on screen: generate a text whose words have several signs")
            return False
        picked = ask_variant(self._parent(), segments, self.window.clock.frame)
        if picked is None:
            return False
        words, path = picked
        key = normalise_words(words)
        choices = [(w, p) for w, p in self.settings.variant_choices() if w != key]
        self.settings.set_variant_choices([*choices, (key, path)])
        self._status(f"“{words}” is signed with {Path(path).name} from now on; generating again")
        self.window.text_panel.generate_button.click()
        return True

    def apply_flags(self, args: Any, early: bool = False) -> None:
        """`signstudio app` flags (`signstudio.app.lexicon_flags`): ``early`` before generating
        (``--lexicon``), else once the sequence is on screen (``--mark``, ``--add-to-lexicon``)."""
        from signstudio.app.lexicon_flags import apply_lexicon_flags

        apply_lexicon_flags(self, args, early)

    # ---- helpers -----------------------------------------------------------------------------
    def _pair_changed(self) -> None:
        self.marks.clear()  # marks belong to the clip they were set on
        seq = self.window.state.sequence
        self.panel.show_used(used_line(seq.meta.get("segments")) if seq is not None else None)

    def _on_generated(self, response: object) -> None:
        """A generation that used the lexicons: the panel says which words were signed, which spelled."""
        seq = getattr(response, "sequence", None)
        self.panel.show_used(used_line(seq.meta.get("segments")) if seq is not None else None)

    def _say_range(self) -> None:
        clock = self.window.clock
        self._status(self.marks.describe(clock.num_frames, clock.fps))

    def _reveal(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def _parent(self) -> QtWidgets.QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QtWidgets.QWidget) else None

    def _status(self, text: str, ms: int = 5000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _error(self, title: str, text: str, quiet: bool = False) -> None:
        self._status(text, 10000)
        if not quiet and not getattr(self.window, "quiet_errors", False):
            QtWidgets.QMessageBox.warning(self._parent(), title, text)


def install_lexicon(window: QtWidgets.QMainWindow) -> LexiconBinding:
    """The Lexicon dock, its actions (placed by the menus) and the runner adapter, made while the
    window builds its views."""
    return LexiconBinding(window)


__all__ = [
    "MENU",
    "LexiconBinding",
    "LexiconRunner",
    "install_lexicon",
    "normalise_words",
    "own_sign",
    "sign_clip",
]
