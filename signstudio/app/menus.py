"""The window's menus, toolbar and shortcuts, built from the action table
(`signstudio.session.actions`): one QAction per entry, in a small loop. A handler is an attribute
path on the window, or ``dialogs.<name>``: that dialog command of `signstudio.app.dialogs`, given
the window first."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app import dialogs
from signstudio.session.actions import ACTIONS, EDIT, GENERATE, HELP, TOOLBAR, ActionSpec, MenuSlot, action_id


def key_sequence(shortcut: str) -> QtGui.QKeySequence:
    """``std:Name`` -> the platform's standard key, else the key sequence text."""
    if shortcut.startswith("std:"):
        return QtGui.QKeySequence(getattr(QtGui.QKeySequence.StandardKey, shortcut[4:]))
    return QtGui.QKeySequence(shortcut)


class MenuBuilder:
    """Builds the actions of ``window`` (a QMainWindow whose attributes the handlers name) into
    its menu bar. ``slots`` fills the `MenuSlot` places of kind ``items``."""

    def __init__(self, window: QtWidgets.QMainWindow, slots: Mapping[str, Iterable[QtGui.QAction]]) -> None:
        self.window = window
        self.slots = slots
        self.menus: dict[tuple[str, ...], QtWidgets.QMenu] = {}
        self.actions: dict[str, QtGui.QAction] = {}
        self.groups: dict[str, dict[Any, QtGui.QAction]] = {}
        self._exclusive: dict[str, QtGui.QActionGroup] = {}

    def menu(self, path: tuple[str, ...]) -> QtWidgets.QMenu:
        """The menu at ``path``, made (at the end of its parent) when first asked for."""
        if path not in self.menus:
            owner = self.menu(path[:-1]) if len(path) > 1 else self.window.menuBar()
            self.menus[path] = owner.addMenu(path[-1])
        return self.menus[path]

    def build(self) -> dict[str, QtGui.QAction]:
        for spec in ACTIONS:
            menu = self.menu(spec.menu)
            if spec.separator_before:
                menu.addSeparator()
            if isinstance(spec, MenuSlot):
                self._slot(spec, menu)
            else:
                menu.addAction(self._action(spec))
        add_compare_actions(self)
        add_lexicon_actions(self)
        return self.actions

    def _slot(self, slot: MenuSlot, menu: QtWidgets.QMenu) -> None:
        if slot.kind == "submenu":
            self.menus[(*slot.menu, slot.label)] = menu.addMenu(slot.label)
            return
        for action in self.slots.get(slot.id, ()):
            menu.addAction(action)
            self.window.addAction(action)

    def _action(self, spec: ActionSpec) -> QtGui.QAction:
        action = QtGui.QAction(spec.label, self.window)
        action.setObjectName(spec.id)
        if spec.shortcut:
            action.setShortcut(key_sequence(spec.shortcut))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        action.setStatusTip(spec.tip)
        action.triggered.connect(self._slot_of(spec, action))
        self.window.addAction(action)  # shortcuts work while the menu bar is hidden
        self.actions[spec.id] = action
        if spec.group:
            key = spec.key or (spec.args[0] if spec.args else len(self.groups.get(spec.group, {})))
            self.groups.setdefault(spec.group, {})[key] = action
            if spec.exclusive:
                group = self._exclusive.setdefault(spec.group, QtGui.QActionGroup(self.window))
                action.setActionGroup(group)
        return action

    def _slot_of(self, spec: ActionSpec, action: QtGui.QAction) -> Callable[..., None]:
        def run(*_: object) -> None:
            handler = self.handler(spec.handler)
            if spec.passes_checked:
                handler(*spec.args, action.isChecked())
            else:
                handler(*spec.args)

        return run

    def handler(self, path: str) -> Callable[..., object]:
        """What the handler ``path`` names: ``dialogs.<name>`` a dialog command bound to the
        window, else the window's attribute at the dotted ``path``."""
        area, _, name = path.partition(".")
        if area == "dialogs":
            return functools.partial(getattr(dialogs, name), self.window)
        return operator.attrgetter(path)(self.window)

    def toolbar(self) -> QtWidgets.QToolBar:
        bar = self.window.addToolBar("Main")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        for name in TOOLBAR:
            if name is None:
                bar.addSeparator()
            else:
                bar.addAction(self.actions[name])
        return bar


def add_compare_actions(builder: MenuBuilder) -> None:
    """Generate → Compare models… (`signstudio.app.dialogs.compare`) and Leave compare mode,
    enabled while comparing. Built here, not in the action table, so the comparison's entries
    stay in one place."""
    window = builder.window
    menu = builder.menu((GENERATE,))
    menu.addSeparator()
    entries = (
        ("Compare models…", "compare_dialog", "Sign the Text panel's text with one or two more models, "
         "side by side with the reference (or each as a ghost over it)"),
        ("Leave compare mode", "leave_compare_mode", "Back to the normal view: one model and its reference"),
    )  # fmt: skip
    for label, name, tip in entries:
        action = QtGui.QAction(label, window)
        action.setObjectName(action_id(label))
        action.setStatusTip(tip)
        action.triggered.connect(functools.partial(_compare_command, window, name))
        menu.addAction(action)
        window.addAction(action)
        builder.actions[action.objectName()] = action
    leave = builder.actions["leave_compare_mode"]
    menu.aboutToShow.connect(lambda: leave.setEnabled(_comparing(window)))


#: the Lexicon menu, in order (None: a separator); the actions are the lexicon binding's
LEXICON_MENU = (
    "add_to_lexicon", None, "mark_range_start", "mark_range_end", "clear_range", None,
    "choose_sign_variant", None, "lexicons", "new_lexicon",
)  # fmt: skip


def add_lexicon_actions(builder: MenuBuilder) -> None:
    """The Lexicon menu, before Help, from the window's lexicon binding
    (`signstudio.app.lexicon_binding`), and Add to lexicon… at the end of Edit too; the actions
    join the window's (shortcuts, ``actions_by_name``) and the Lexicon dock joins View → Panels."""
    window = builder.window
    binding = getattr(window, "lexicon", None)
    if binding is None:
        return
    actions: dict[str, QtGui.QAction] = binding.actions
    menu = QtWidgets.QMenu("&Lexicon", window)
    menu.setObjectName("lexicon_menu")
    help_menu = builder.menus.get((HELP,))
    if help_menu is not None:
        window.menuBar().insertMenu(help_menu.menuAction(), menu)
    else:
        window.menuBar().addMenu(menu)
    builder.menus[("&Lexicon",)] = menu
    for name in LEXICON_MENU:
        if name is None:
            menu.addSeparator()
            continue
        menu.addAction(actions[name])
        window.addAction(actions[name])
        builder.actions[name] = actions[name]
    edit = builder.menu((EDIT,))
    edit.addSeparator()
    edit.addAction(actions["add_to_lexicon"])


def _compare_command(window: QtWidgets.QMainWindow, name: str, *_: object) -> None:
    getattr(dialogs.compare, name)(window)


def _comparing(window: QtWidgets.QMainWindow) -> bool:
    return dialogs.compare.comparing(window)


__all__ = ["LEXICON_MENU", "MenuBuilder", "add_compare_actions", "add_lexicon_actions", "key_sequence"]
