"""Issue 22 (studio): Add to lexicon… on a real recording writes an entry that lookup then signs
with; the Lexicon panel deletes with undo and plays; the Lexicons setting survives a restart.

Stand-ins, said plainly: the package ships no lexical signs, so the "signs" here are real
recordings of the built-in fingerspelling lexicon (its letter clips) saved under a gloss such as
WATER. What is checked is the plumbing (entry written, found by lookup, removed, restored), not
the linguistics of the sign.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets

pytestmark = pytest.mark.gui

Key = QtCore.Qt.Key
Mod = QtCore.Qt.KeyboardModifier
LEFT = QtCore.Qt.MouseButton.LeftButton


@pytest.fixture
def studio(open_studio):  # type: ignore[no-untyped-def]
    """conftest's studio window (own settings, in-thread runner) on the shared corpus cache
    (lookup reads the built-in alphabet from it)."""
    return open_studio(own_data=False)


def _letter_clip(letter: str, lang: str = "ase"):  # type: ignore[no-untyped-def]
    """A real recording: the fingerspelling lexicon's clip of ``letter`` (the stand-in sign)."""
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.formats import read_one

    entry = next(e for e in lexicon_index() if e.sign_language == lang and e.letter == letter)
    return read_one(entry.path)


def _recording(tmp_path: Path, letter: str = "W") -> Path:
    from signstudio.pose.formats import write

    path = tmp_path / f"recording_{letter}.pose"
    write(path, _letter_clip(letter))
    return path


_POLLS: list[list[bool]] = []  # one flag per waiting answer: cleared when its test ends


@pytest.fixture(autouse=True)
def _stop_polls():  # type: ignore[no-untyped-def]
    """A dialog a test waited for in vain is never answered by a later test's dialog."""
    yield
    for alive in _POLLS:
        alive[0] = False
    _POLLS.clear()


def _answer_modal(act: Callable[[QtWidgets.QWidget], None], seen: list, tries: int = 200) -> None:
    """Answer the next modal dialog with ``act`` (from a timer: the dialog runs its own loop);
    gives up after ``tries`` × 50 ms or when the test ends."""
    alive = [True]
    _POLLS.append(alive)

    def poll(left: int) -> None:
        if not alive[0]:
            return
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible():  # answered before it is shown, it may ignore it
            if left > 0:
                QtCore.QTimer.singleShot(50, lambda: poll(left - 1))
            return
        seen.append(dialog)
        act(dialog)

    QtCore.QTimer.singleShot(50, lambda: poll(tries))


def _type_into(qtbot, box: QtWidgets.QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    qtbot.keyClick(box, Key.Key_A, Mod.ControlModifier)
    qtbot.keyClick(box, Key.Key_Backspace)
    qtbot.keyClicks(box, text)


def _click(qtbot, button: QtWidgets.QAbstractButton) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, LEFT)


def _rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "index.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _fill_add_dialog(qtbot, gloss: str, words: str) -> Callable[[QtWidgets.QWidget], None]:  # type: ignore[no-untyped-def]
    def act(dialog: QtWidgets.QWidget) -> None:
        assert dialog.objectName() == "add_to_lexicon"
        _type_into(qtbot, dialog.findChild(QtWidgets.QLineEdit, "gloss"), gloss)
        _type_into(qtbot, dialog.findChild(QtWidgets.QLineEdit, "words"), words)
        _type_into(qtbot, dialog.findChild(QtWidgets.QLineEdit, "spoken_language"), "en")
        _type_into(qtbot, dialog.findChild(QtWidgets.QLineEdit, "sign_language"), "ase")
        assert dialog.findChild(QtWidgets.QCheckBox, "trim").isChecked()  # offered, on by default
        box = dialog.findChild(QtWidgets.QDialogButtonBox)
        _click(qtbot, box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok))

    return act


def _generate(qtbot, studio, text: str):  # type: ignore[no-untyped-def]
    panel = studio.text_panel
    panel.set_prompt_mode(False)
    panel.set_language("ase")
    _type_into(qtbot, panel.input, text)
    with qtbot.waitSignal(studio.generation_finished, timeout=120000) as blocker:
        qtbot.keyClick(panel.input, Key.Key_Return, Mod.ControlModifier)
    response = blocker.args[0]
    assert response.error is None, response.error
    return response


def test_add_to_lexicon_writes_an_entry_that_generation_then_signs_with(studio, qtbot, tmp_path) -> None:
    from signstudio.corpus.user_lexicon import create_lexicon, load_lexicon

    folder = tmp_path / "my_lexicon"
    create_lexicon(folder)
    studio.lexicon.set_folders([str(folder)])
    assert studio.open_file(_recording(tmp_path))
    frames = studio.clock.num_frames
    view = studio.viewport.view
    studio.clock.frame = 2
    qtbot.keyClick(view, Key.Key_I)  # Lexicon → Mark range start
    studio.clock.frame = frames - 3
    qtbot.keyClick(view, Key.Key_O)  # Lexicon → Mark range end
    assert studio.lexicon.marks.range(frames) == (2, frames - 2)

    seen: list = []
    _answer_modal(_fill_add_dialog(qtbot, "WATER", "water"), seen)
    qtbot.keyClick(view, Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)  # Add to lexicon…
    assert seen, "Add to lexicon… opened no dialog"

    rows = _rows(folder)
    assert [(r["glosses"], r["words"], r["spoken_language"], r["signed_language"]) for r in rows] == [
        ("WATER", "water", "en", "ase")
    ]
    assert (folder / rows[0]["path"]).is_file()
    lexicon = load_lexicon(folder)
    assert not lexicon.problems
    assert len(lexicon.signs) == 1
    table = studio.lexicon.panel.table
    assert table.rowCount() == 1 and table.item(0, 0).text() == "WATER"

    response = _generate(qtbot, studio, "water hi")
    segments = response.sequence.meta["segments"]
    kinds = [(s["kind"], s["text"]) for s in segments if s.get("kind")]
    assert kinds[0] == ("sign", "water"), segments
    assert kinds[0:1] + [k for k in kinds[1:] if k[0] == "spelled"] == kinds, segments
    assert any(k == "spelled" for k, _t in kinds[1:]), segments
    assert segments[0]["gloss"] == "WATER" and segments[0]["source"] == str(folder)
    used = studio.lexicon.panel.used
    assert used.isVisible() and used.text() == "Signed: WATER (sign) · “hi” spelled"


def test_choosing_a_variant_generates_again_with_it(studio, qtbot, tmp_path) -> None:
    """Two signs for "water" (stand-ins W as WATER and A as WATER-2; the lower priority number
    wins): Lexicon → Choose sign variant… picks the other, the sentence is generated again with
    it, and the choice is kept."""
    from signstudio.corpus.user_lexicon import add_sign, create_lexicon

    folder = tmp_path / "lex"
    create_lexicon(folder)
    first = add_sign(folder, _letter_clip("W"), gloss="WATER", words="water", spoken_language="en",
                     sign_language="ase", priority=0)  # fmt: skip
    second = add_sign(folder, _letter_clip("A"), gloss="WATER-2", words="water", spoken_language="en",
                      sign_language="ase", priority=1)  # fmt: skip
    studio.lexicon.set_folders([str(folder)])
    response = _generate(qtbot, studio, "water")
    [segment] = [s for s in response.sequence.meta["segments"] if s.get("kind") == "sign"]
    assert segment["variants"] == [str(second.file)]

    def pick(dialog: QtWidgets.QWidget) -> None:
        assert dialog.objectName() == "sign_variants"
        signs = dialog.findChild(QtWidgets.QListWidget, "variant_signs")
        assert signs.count() == 2  # the sign used now, then its variant
        assert signs.item(0).text().startswith("WATER — used now") and signs.item(1).text().startswith(
            "WATER-2"
        )
        rect = signs.visualItemRect(signs.item(1))
        qtbot.mouseClick(signs.viewport(), LEFT, pos=rect.center())
        box = dialog.findChild(QtWidgets.QDialogButtonBox)
        _click(qtbot, box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok))

    seen: list = []
    _answer_modal(pick, seen)
    with qtbot.waitSignal(studio.generation_finished, timeout=120000) as blocker:
        studio.lexicon.actions["choose_sign_variant"].trigger()
    assert seen
    [segment] = [s for s in blocker.args[0].sequence.meta["segments"] if s.get("kind") == "sign"]
    assert segment["variants"] == [str(first.file)]  # the other one is used now
    assert studio.settings.variant_choices() == [("water", str(second.file))]


def _right_click(studio, widget: QtWidgets.QWidget) -> None:  # type: ignore[no-untyped-def]
    """A right click on ``widget`` through the window (as the display sends it: Qt makes the
    context-menu event of it; a click sent to the widget itself would not)."""
    from PySide6.QtTest import QTest

    pos = widget.mapTo(studio, widget.rect().center())
    QTest.mouseClick(studio.windowHandle(), QtCore.Qt.MouseButton.RightButton, Mod.NoModifier, pos)


def test_timeline_context_menu_marks_and_adds_the_corrected_sequence(studio, qtbot, tmp_path) -> None:
    """Right-click on the timeline: Mark range start / end (and Add to lexicon… offered there);
    what is written is the sequence as corrected on screen (mirrored here), not the file as opened."""
    import numpy as np

    from signstudio.corpus.user_lexicon import create_lexicon, load_lexicon, load_sign

    folder = tmp_path / "lex"
    create_lexicon(folder)
    studio.lexicon.set_folders([str(folder)])
    assert studio.open_file(_recording(tmp_path, "W"))
    studio.actions_by_name["mirror_left_and_right"].trigger()  # Edit → Mirror left and right
    corrected = studio.document.sequence

    offered: list[str] = []

    def choose(label: str) -> None:
        """Right-click the transport row, then choose ``label`` in the menu that opens."""

        def poll(left: int) -> None:
            menu = QtWidgets.QApplication.activePopupWidget()
            if not isinstance(menu, QtWidgets.QMenu) or menu.property("answered") or not menu.isVisible():
                if left > 0:
                    QtCore.QTimer.singleShot(50, lambda: poll(left - 1))
                return
            menu.setProperty("answered", True)  # a menu still closing is not answered twice
            offered[:] = [a.text() for a in menu.actions()]
            for _ in range(len(menu.actions())):  # ↓ to the entry, then Enter, as on a keyboard
                qtbot.keyClick(menu, Key.Key_Down)
                if menu.activeAction() is not None and menu.activeAction().text() == label:
                    break
            assert menu.activeAction() is not None and menu.activeAction().text() == label
            qtbot.keyClick(menu, Key.Key_Return)

        QtCore.QTimer.singleShot(50, lambda: poll(200))
        _right_click(studio, studio.timeline.label)  # the transport row: the timeline's menu

    marks = studio.lexicon.marks
    studio.clock.frame = 3
    choose("Mark range start")
    qtbot.waitUntil(lambda: marks.start == 3, timeout=10000)
    studio.clock.frame = 17
    choose("Mark range end")
    qtbot.waitUntil(lambda: marks.end == 17, timeout=10000)
    qtbot.waitUntil(lambda: studio.lexicon.marks.range(studio.clock.num_frames) == (3, 18), timeout=5000)

    def fill(dialog: QtWidgets.QWidget) -> None:
        _type_into(qtbot, dialog.findChild(QtWidgets.QLineEdit, "gloss"), "WATER-MIRRORED")
        _type_into(qtbot, dialog.findChild(QtWidgets.QLineEdit, "words"), "water")
        trim = dialog.findChild(QtWidgets.QCheckBox, "trim")
        qtbot.mouseClick(trim, LEFT, pos=QtCore.QPoint(8, trim.height() // 2))  # off: the exact frames
        assert not trim.isChecked()
        box = dialog.findChild(QtWidgets.QDialogButtonBox)
        _click(qtbot, box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok))

    seen: list = []
    _answer_modal(fill, seen)
    assert "Add to lexicon…" in offered  # the same menu offers it; here from its key, Ctrl+Shift+L
    qtbot.keyClick(studio.viewport.view, Key.Key_L, Mod.ControlModifier | Mod.ShiftModifier)
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    qtbot.waitUntil(lambda: len(load_lexicon(folder).signs) == 1, timeout=5000)
    written = load_sign(load_lexicon(folder).signs[0])
    assert written.num_frames == 15
    np.testing.assert_allclose(written.data, corrected.data[3:18], atol=1e-3)


def test_rename_priority_and_problems_in_the_panel(studio, qtbot, tmp_path) -> None:
    folder = _lexicon_with_two_signs(tmp_path)
    with open(folder / "index.csv", "a", encoding="utf-8") as fh:
        fh.write("gone.pose,en,ase,,,milk,MILK,0\n")  # a row whose recording is missing
    studio.lexicon.set_folders([str(folder)])
    panel = studio.lexicon.panel
    studio.lexicon.dock.raise_()
    qtbot.waitUntil(panel.table.isVisible, timeout=5000)
    problems = [panel.problems.item(i).text() for i in range(panel.problems.count())]
    assert len(problems) == 1 and "gone.pose" in problems[0] and "row 3" in problems[0], problems
    assert panel.problems.isVisible() and panel.table.rowCount() == 2  # the rest still loads

    def answer(*texts: str) -> None:
        def act(dialog: QtWidgets.QWidget) -> None:
            assert isinstance(dialog, QtWidgets.QInputDialog)
            box = dialog.findChild(QtWidgets.QLineEdit)
            _type_into(qtbot, box, texts[0])
            qtbot.keyClick(box, Key.Key_Return)
            if len(texts) > 1:
                answer(*texts[1:])

        _answer_modal(act, seen)

    seen: list = []
    _click_row(qtbot, panel.table, 1)
    answer("LOAF", "a loaf")
    _click(qtbot, panel.buttons["rename"])
    answer("-2")
    _click(qtbot, panel.buttons["priority"])
    rows = {r["glosses"]: r for r in _rows(folder)}
    assert rows["LOAF"]["words"] == "a loaf" and rows["LOAF"]["priority"] == "-2"
    assert "BREAD" not in rows and rows["WATER"]["priority"] == "0"
    assert panel.selected().gloss == "LOAF"


def _lexicon_with_two_signs(tmp_path: Path) -> Path:
    from signstudio.corpus.user_lexicon import add_sign, create_lexicon

    folder = tmp_path / "lex"
    create_lexicon(folder)
    for letter, gloss, words in (("W", "WATER", "water"), ("B", "BREAD", "bread")):
        clip = _letter_clip(letter)
        add_sign(folder, clip, gloss=gloss, words=words, spoken_language="en", sign_language="ase")
    return folder


def _click_row(qtbot, table: QtWidgets.QTableWidget, row: int) -> None:  # type: ignore[no-untyped-def]
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())


def test_delete_in_the_panel_and_undo_restores_the_sign(studio, qtbot, tmp_path) -> None:
    folder = _lexicon_with_two_signs(tmp_path)
    studio.lexicon.set_folders([str(folder)])
    panel = studio.lexicon.panel
    studio.lexicon.dock.raise_()
    qtbot.waitUntil(panel.table.isVisible, timeout=5000)
    before = _rows(folder)
    water = next(r for r in before if r["glosses"] == "WATER")
    pose_bytes = (folder / water["path"]).read_bytes()
    edits_before = studio.editor.undo_stack.count()

    _click_row(qtbot, panel.table, 0)
    assert panel.selected() is not None and panel.selected().gloss == "WATER"
    qtbot.keyClick(panel.table, Key.Key_Delete)
    assert [r["glosses"] for r in _rows(folder)] == ["BREAD"]
    assert not (folder / water["path"]).exists()
    assert panel.table.rowCount() == 1

    qtbot.keyClick(panel.table, Key.Key_Z, Mod.ControlModifier)  # the panel's undo, not the document's
    assert _rows(folder) == before
    assert (folder / water["path"]).read_bytes() == pose_bytes
    assert [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())] == ["WATER", "BREAD"]
    assert studio.editor.undo_stack.count() == edits_before
    assert not panel.buttons["undo"].isEnabled()


def test_the_panel_filters_and_plays_a_sign(studio, qtbot, tmp_path) -> None:
    folder = _lexicon_with_two_signs(tmp_path)
    studio.lexicon.set_folders([str(folder)])
    panel = studio.lexicon.panel
    studio.lexicon.dock.raise_()
    qtbot.waitUntil(panel.table.isVisible, timeout=5000)
    qtbot.keyClicks(panel.filter, "brea")
    assert panel.visible_rows() == [1]
    _click_row(qtbot, panel.table, 1)
    _click(qtbot, panel.buttons["play"])
    shown = studio.state.sequence
    assert shown is not None and shown.meta.get("gloss") == "BREAD"
    assert studio.clock.playing
    studio.clock.pause()


def test_the_lexicons_setting_survives_a_restart(open_studio, qtbot, tmp_path, monkeypatch) -> None:
    from signstudio.corpus.user_lexicon import create_lexicon

    existing = tmp_path / "existing"
    create_lexicon(existing)
    made = tmp_path / "made_here"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", lambda *a, **k: str(existing))
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(made), ""))
    first = open_studio()
    first.lexicon.dock.raise_()
    qtbot.waitUntil(first.lexicon.panel.isVisible, timeout=5000)

    def edit(dialog: QtWidgets.QWidget) -> None:
        assert dialog.objectName() == "lexicons_dialog"
        buttons = {b.objectName(): b for b in dialog.findChildren(QtWidgets.QPushButton)}
        _click(qtbot, buttons["lexicons_add"])  # the existing folder
        _click(qtbot, buttons["lexicons_new"])  # a new, empty one (made on disk)
        _click(qtbot, buttons["lexicons_up"])  # made_here first
        box = dialog.findChild(QtWidgets.QDialogButtonBox)
        _click(qtbot, box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok))

    seen: list = []
    _answer_modal(edit, seen)
    _click(qtbot, first.lexicon.panel.findChild(QtWidgets.QPushButton, "lexicons_setting"))
    assert seen
    assert (made / "index.csv").is_file()
    assert first.settings.lexicons() == [str(made), str(existing)]
    first.close()

    second = open_studio()  # same SIGNSTUDIO_CONFIG_DIR: a restart
    assert second.settings.lexicons() == [str(made), str(existing)]
    box = second.lexicon.panel.folder_box
    assert [box.itemData(i) for i in range(box.count())] == [str(made), str(existing)]
    request = second.controller.runner.with_lexicons(_request())
    assert request.lexicons == (made, existing)


def _request():  # type: ignore[no-untyped-def]
    from signstudio.runner.service import GenerateRequest

    return GenerateRequest(text="water", lang="ase")


def test_range_marks_and_defaults() -> None:
    from signstudio.app.dialogs.add_to_lexicon import entry_defaults
    from signstudio.app.lexicon_range import RangeMarks

    marks = RangeMarks(None)
    assert marks.range(50) is None
    marks.mark_end(10)
    assert marks.range(50) == (0, 11)
    marks.mark_start(30)  # the wrong way round: swapped
    assert marks.range(50) == (10, 31)
    assert marks.range(20) == (10, 20)  # a shorter clip clamps
    marks.clear()
    assert marks.range(50) is None
    meta = {"text": "good  morning", "spoken_language": "de", "sign_language": "gsg"}
    d = entry_defaults(meta, 40, "ase", None)
    assert (d.gloss, d.words, d.spoken_language, d.sign_language, d.start_frame, d.end_frame) == (
        "GOOD-MORNING", "good morning", "de", "gsg", 0, None,
    )  # fmt: skip
    d = entry_defaults({}, 40, "bfi", (3, 9))
    assert (d.spoken_language, d.sign_language, d.start_frame, d.end_frame) == ("en", "bfi", 3, 9)


@pytest.mark.parametrize("folders", [[], ["/data/one lexicon"], ["/a,with comma", "/b", "/c"]])
def test_lexicons_setting_round_trips(tmp_path, monkeypatch, folders) -> None:
    """None, one and several folders (QSettings gives one back as a plain string), order kept."""
    from signstudio.app.settings import Settings

    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path))
    assert Settings().set_lexicons([*folders, *folders[:1]]) == folders  # each once
    assert Settings().lexicons() == folders
    Settings().set_variant_choices([("thank you", "thank-you-2.pose")])
    assert Settings().variant_choices() == [("thank you", "thank-you-2.pose")]


def test_app_flags_add_a_marked_range_and_leave_the_settings_alone(tmp_path) -> None:
    """`signstudio app REC --lexicon DIR --mark A B --add-to-lexicon GLOSS WORDS --quit`: the entry
    is written with the marked span (trimmed to signing, so within it); a --quit run remembers
    nothing (the user's settings file gets no `lexicons`)."""
    import os
    import subprocess
    import sys

    rec = _recording(tmp_path, "W")
    lexicon = tmp_path / "lex"
    env = dict(os.environ, SIGNSTUDIO_CONFIG_DIR=str(tmp_path / "config"),
               SIGNSTUDIO_AUTOSAVE_DIR=str(tmp_path / "autosave"), QT_QPA_PLATFORM="xcb")  # fmt: skip
    args = [sys.executable, "-m", "signstudio", "app", str(rec), "--lexicon", str(lexicon),
            "--mark", "4", "15", "--add-to-lexicon", "WATER", "water", "--quit"]  # fmt: skip
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    rows = _rows(lexicon)
    assert [(r["glosses"], r["words"]) for r in rows] == [("WATER", "water")]
    from signstudio.corpus.user_lexicon import load_lexicon, load_sign

    lex = load_lexicon(lexicon)
    assert not lex.problems
    clip = load_sign(lex.signs[0])
    assert 1 <= clip.num_frames <= 12  # frames 4..15 at most, still ends trimmed
    settings = tmp_path / "config" / "SignStudio" / "SignStudio.ini"
    assert not settings.exists() or "lexicons" not in settings.read_text(encoding="utf-8")
