"""The user guide (resources/guide/guide.md): its pictures exist and load, its in-page links
lead to headings, `packaging/guide_screenshots.sh` makes exactly its pictures with `signstudio
app ... --screenshot` commands, and Help → User guide shows it (pictures, links, contents, find)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from signstudio.app.dialogs.guide import anchor_links, image_links, slug
from signstudio.app.resources import resource

ROOT = Path(__file__).resolve().parents[2]
GUIDE = resource("guide", "guide.md")
SCRIPT = ROOT / "packaging" / "guide_screenshots.sh"


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def headings(markdown: str) -> list[str]:
    """The ATX headings of ``markdown`` (outside fenced code blocks)."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)):
            found.append(m.group(1))
    return found


def script_commands() -> list[list[str]]:
    """The script's commands as words (continuation lines joined, comments dropped)."""
    text = SCRIPT.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            commands.append(shlex.split(line, comments=True))
    return commands


def screenshot_targets() -> list[str]:
    """Every ``--screenshot`` target of the script, as a path relative to the guide's folder."""
    targets = []
    for words in script_commands():
        for i, word in enumerate(words):
            if word == "--screenshot":
                target = words[i + 1]
                assert target.startswith("$OUT/"), f"a picture outside the guide's folder: {target}"
                targets.append("images/" + target.removeprefix("$OUT/"))
    return targets


def test_the_guide_is_where_the_app_looks_for_it() -> None:
    from signstudio.app.dialogs.guide import guide_path

    assert guide_path() == GUIDE and GUIDE.is_file()
    assert (ROOT / "resources" / "guide" / "guide.md") == GUIDE


def test_every_picture_of_the_guide_exists_and_loads() -> None:
    from PySide6 import QtGui

    links = image_links(guide_text())
    assert len(links) >= 8
    for link in links:
        path = GUIDE.parent / link
        assert path.is_file(), f"guide.md shows {link}, which does not exist"
        image = QtGui.QImage(str(path))
        assert not image.isNull(), f"{link} does not load as an image"
        assert image.width() >= 800 and image.height() >= 500, f"{link} is too small to read"


def test_no_picture_in_the_folder_is_left_unused() -> None:
    used = {Path(link).name for link in image_links(guide_text())}
    present = {p.name for p in (GUIDE.parent / "images").glob("*.png")}
    assert present == used, f"unused: {sorted(present - used)}; missing: {sorted(used - present)}"


def test_every_in_page_link_leads_to_a_heading() -> None:
    anchors = {slug(h) for h in headings(guide_text())}
    links = anchor_links(guide_text())
    assert len(links) >= 5
    for link in links:
        assert link in anchors, f"[…](#{link}) leads nowhere; headings: {sorted(anchors)}"


def test_slugs_are_githubs() -> None:
    assert slug("Journey 1: a linguist checks a model") == "journey-1-a-linguist-checks-a-model"
    assert slug("What the numbers mean") == "what-the-numbers-mean"
    assert slug("Saving, autosave and recovery") == "saving-autosave-and-recovery"
    assert slug("A — B") == "a--b"
    assert slug("Größe & `code`") == "größe--code"


def test_the_three_journeys_and_the_reference_sections_are_there() -> None:
    text = guide_text()
    titles = " | ".join(headings(text)).lower()
    for needed in ("linguist", "teacher", "annotator", "numbers mean", "keyboard shortcuts",
                   "autosave", "exports", "own corpus", "training"):  # fmt: skip
        assert needed in titles, f"no section about {needed!r}: {titles}"
    for term in ("dtw-mje", "pt-dtw", "FGD", "BLEU", "ROUGE-L", "chrF", "WER", "DurACC", "torchrun", "--data",
                 "--prompt2sign", ".skels", ".h5", "OpenPose", "SIGNSTUDIO_AUTOSAVE_DIR"):  # fmt: skip
        assert term in text, f"the guide does not mention {term}"
    # the annotator's steps name the menu entries as the studio has them
    for entry in ("File → Save as…", "File → Export → ELAN annotations (.eaf)…", "Edit → Edit joints",
                  "Edit → Drag reaches", "Edit → Keyframe this frame", "Edit → Undo", "Edit → Redo",
                  "History", "Edit → Mirror left and right"):  # fmt: skip
        assert entry in text, f"the guide does not mention {entry}"


def test_the_menu_entries_the_guide_names_exist() -> None:
    """Labels the guide quotes are the studio's own (checked against its sources, no window)."""
    window_src = (ROOT / "signstudio" / "session" / "actions.py").read_text(encoding="utf-8")
    exports_src = (ROOT / "signstudio" / "app" / "dialogs" / "exports.py").read_text(encoding="utf-8")
    editor_src = (ROOT / "signstudio" / "session" / "actions.py").read_text(encoding="utf-8")
    for label in ("Save as…", "Open reference…", "Edit joints", "Drag reaches", "Keyframe this frame",
                  "Wrist drags bend the elbow", "Flag this frame", "Note on this frame…",
                  "Mirror left and right", "Reference as ghost", "Reference time-warped onto generated",
                  "Joint error heat map", "Avatar and skeleton", "Falloff frames…", "Smooth…",
                  "Fill missing points", "Trim to…", "Cut frames…", "Insert hold…"):  # fmt: skip
        assert f'"{label}"' in window_src, f"no menu entry {label!r} in the window"
        assert label in guide_text()
    for label in ("ELAN annotations (.eaf)…", "BVH motion (.bvh)…", "Video (.mp4, .gif)…", "PNG frames…",
                  "Per-frame metrics (.csv, .json)…"):  # fmt: skip
        assert f'"{label}"' in exports_src and label in guide_text()
    for label in ("This frame only", "Neighbouring frames (falloff)", "Up to the neighbouring keyframes"):
        assert f'"{label}"' in editor_src and label in guide_text()


def test_the_script_makes_exactly_the_guides_pictures() -> None:
    targets = screenshot_targets()
    assert len(targets) == len(set(targets)), "a picture is made twice"
    assert sorted(targets) == sorted(set(image_links(guide_text())))


def app_commands() -> list[list[str]]:
    """The script's `signstudio app ...` commands as the arguments `signstudio` gets (``"${LOOK[@]}"``
    expanded, the environment assignments in front dropped)."""
    commands = script_commands()
    look = next(w for w in commands if w and w[0].startswith("LOOK=("))
    look_words = [w.strip("()") for w in [look[0].removeprefix("LOOK="), *look[1:]]]
    found = []
    for words in commands:
        i = words.index("signstudio") if "signstudio" in words else -1
        if i >= 0 and words[i + 1 : i + 2] == ["app"]:
            args = words[i + 1 :]
            expanded: list[str] = []
            for w in args:
                expanded.extend(look_words if w == "${LOOK[@]}" else [w])
            found.append(expanded)
    return found


def test_the_script_makes_pictures_only_with_signstudio_app() -> None:
    shots = [w for w in script_commands() if "--screenshot" in w]
    apps = app_commands()
    assert len(apps) == len(shots) >= 8, "every picture comes from one `signstudio app` command"
    for args in apps:
        assert "--screenshot" in args and "--quit" in args, args


def test_every_app_command_of_the_script_parses() -> None:
    from signstudio.app.launch import check_flags
    from signstudio.cli.main import build_parser

    for args in app_commands():
        args = [a.replace("$WORK", "/tmp/work").replace("$OUT", "/tmp/out") for a in args]
        parsed = build_parser().parse_args(args)  # an unknown flag or value exits here
        assert check_flags(parsed) is None, args
        assert parsed.size is not None and parsed.theme == "light", "every picture: one size, one look"


# ---- the viewer (Help → User guide) ------------------------------------------------------------
@pytest.fixture
def viewer(qtbot):  # type: ignore[no-untyped-def]
    from signstudio.app.dialogs.guide import GuideViewer

    view = GuideViewer()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(200)  # layout, and the pictures fitted to the page
    return view


@pytest.mark.gui
def test_viewer_shows_the_guide_with_its_pictures(viewer) -> None:  # type: ignore[no-untyped-def]
    text = viewer.browser.toPlainText()
    assert "SignStudio user guide" in text and "Journey 3" in text
    images = viewer.images()
    assert set(images) == set(image_links(guide_text()))
    for name, image in images.items():
        assert not image.isNull(), f"{name} did not load in the viewer"
    # pictures are fitted to the page's width
    page = viewer.browser.viewport().width()
    block = viewer.browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                assert 0 < fmt.toImageFormat().width() <= page
            it += 1
        block = block.next()
    assert viewer.contents.topLevelItemCount() >= 1


@pytest.mark.gui
def test_viewer_follows_every_in_page_link(viewer, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    bar = viewer.browser.verticalScrollBar()
    for link in anchor_links(guide_text()):
        assert link in viewer.anchors, f"#{link} is not a heading of the page"
        assert viewer.go_to(link)
    # a click on a link to the last section scrolls down; Back returns
    bar.setValue(0)
    last = list(viewer.anchors)[-1]
    viewer.follow(QtCore.QUrl(f"#{last}"))
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=3000)
    viewer.back()
    assert bar.value() == 0
    assert not viewer.go_to("no-such-heading")


@pytest.mark.gui
def test_viewer_contents_find_and_pictures(viewer, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    item = viewer.contents.topLevelItem(0)
    child = item.child(item.childCount() - 1)
    viewer.browser.verticalScrollBar().setValue(0)
    viewer._on_contents(child)
    assert viewer.browser.verticalScrollBar().value() > 0
    viewer.find_box.setText("Keyframe this frame")
    assert viewer.find_next()
    assert viewer.browser.textCursor().selectedText() == "Keyframe this frame"
    viewer.find_box.setText("no such words anywhere")
    assert not viewer.find_next() and viewer.find_note.text() == "not found"
    first = image_links(guide_text())[0]
    viewer.follow(QtCore.QUrl(first))  # a picture links to itself: shown at full size
    dialog = viewer.findChild(QtCore.QObject, "guide_picture")
    assert dialog is not None and dialog.isVisible()
    dialog.close()


@pytest.mark.gui
def test_open_user_guide_makes_one_window_per_parent(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtWidgets

    from signstudio.app.dialogs.guide import open_user_guide

    parent = QtWidgets.QMainWindow()
    qtbot.addWidget(parent)
    first = open_user_guide(parent)
    assert first.isVisible() and first.isWindow()
    assert open_user_guide(parent) is first
    first.close()
    assert open_user_guide(parent) is first and first.isVisible()


@pytest.mark.gui
def test_viewer_without_the_guide_says_where_it_is(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from signstudio.app.dialogs.guide import GuideViewer

    view = GuideViewer(path=tmp_path / "missing" / "guide.md")
    qtbot.addWidget(view)
    assert "not installed" in view.browser.toPlainText()
    assert "resources/guide/guide.md" in view.browser.toPlainText()
