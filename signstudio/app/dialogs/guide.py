"""Help → User guide: the guide (``resources/guide/guide.md``) in a window of its own.

The Markdown is shown by a `QTextBrowser` (GitHub dialect: tables, lists, code) with its folder as
the base, so relative image links (``images/…png``) load. Pictures are scaled down to the width
of the page (never up). Links to headings (``#linguist-compare-a-model-with-its-reference``: the
heading's text, lower case, punctuation dropped, spaces as hyphens, as GitHub names them) scroll
the page there, and Back returns; a contents list on the left does the same; web links open in
the browser; a picture that links to itself (``[![alt](images/x.png)](images/x.png)``) opens at
full size when clicked. Find (Ctrl+F) searches the text. A copy without its ``resources`` folder (a bare
wheel) says where the guide is instead.

    from signstudio.app.dialogs.guide import open_user_guide
    open_user_guide(window)      # shows (or raises) the guide window that belongs to ``window``
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.dialogs.common import bring_to_front
from signstudio.app.resources import resource

MISSING = """# User guide

The user guide is not installed with this copy of SignStudio.

It is `resources/guide/guide.md` in SignStudio's source tree (with its pictures in
`resources/guide/images/`); the README has the same facts in a shorter form.
"""


def guide_path() -> Path:
    """Where the user guide's Markdown is (it may be missing in a bare wheel install)."""
    return resource("guide", "guide.md")


def slug(heading: str) -> str:
    """The anchor of a heading, as GitHub makes it: lower case, punctuation dropped (letters,
    digits, ``-`` and ``_`` kept, accents included), each space a hyphen."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def image_links(markdown: str) -> list[str]:
    """The targets of the Markdown image links ``![alt](target)``, in order."""
    return re.findall(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", markdown)


def anchor_links(markdown: str) -> list[str]:
    """The ``#anchor`` targets of in-page links ``[text](#anchor)``, in order."""
    return re.findall(r"\]\(\s*#([^)\s]+)\s*\)", markdown)


class GuideViewer(QtWidgets.QWidget):
    """The guide window: contents on the left, the page on the right, Back and Find above."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, path: str | Path | None = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.setObjectName("user_guide")
        self.setWindowTitle("SignStudio — User guide")
        self.path = Path(path) if path is not None else guide_path()
        self.anchors: dict[str, int] = {}  # heading slug -> block number
        self._history: list[int] = []  # scroll positions to go Back to

        self.browser = QtWidgets.QTextBrowser(self)
        self.browser.setObjectName("guide_page")
        self.browser.setOpenLinks(False)  # links are followed by `follow`
        self.browser.anchorClicked.connect(self.follow)
        self.contents = QtWidgets.QTreeWidget(self)
        self.contents.setObjectName("guide_contents")
        self.contents.setHeaderHidden(True)
        self.contents.itemActivated.connect(self._on_contents)
        self.contents.itemClicked.connect(self._on_contents)

        bar = QtWidgets.QHBoxLayout()
        self.back_button = QtWidgets.QPushButton("Back", self)
        self.back_button.setToolTip("Back to where you were before following a link (Alt+Left)")
        self.back_button.setShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Back))
        self.back_button.clicked.connect(self.back)
        self.back_button.setEnabled(False)
        self.find_box = QtWidgets.QLineEdit(self)
        self.find_box.setObjectName("guide_find")
        self.find_box.setPlaceholderText("Find in the guide (Ctrl+F, Enter for the next)")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.returnPressed.connect(self.find_next)
        self.find_note = QtWidgets.QLabel(self)
        find_shortcut = QtGui.QShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Find), self)
        find_shortcut.activated.connect(self._focus_find)
        close_shortcut = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_Escape), self)
        close_shortcut.activated.connect(self.close)
        bar.addWidget(self.back_button)
        bar.addWidget(self.find_box, 1)
        bar.addWidget(self.find_note)

        split = QtWidgets.QSplitter(self)
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 950])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self.resize(1200, 860)

        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(60)
        self._fit_timer.timeout.connect(self.fit_images)
        self.browser.viewport().installEventFilter(self)
        self.load(self.path)

    # ---- loading ---------------------------------------------------------------------------------
    def load(self, path: Path) -> bool:
        """Show the guide at ``path`` (False, with a note saying where the guide is, when missing)."""
        try:
            text = path.read_text(encoding="utf-8")
            found = True
        except OSError:
            text, found = MISSING, False
        folder = str(path.parent.resolve())
        self.browser.setSearchPaths([folder])
        doc = self.browser.document()
        doc.setBaseUrl(QtCore.QUrl.fromLocalFile(folder + "/"))
        self.browser.setMarkdown(text)
        self._index_headings()
        self.fit_images()
        return found

    def _index_headings(self) -> None:
        self.anchors.clear()
        self.contents.clear()
        parents: dict[int, QtWidgets.QTreeWidgetItem] = {}
        block = self.browser.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                title = block.text().strip()
                key = base = slug(title)
                n = 1
                while key in self.anchors:  # repeated headings: -1, -2 … as GitHub does
                    key, n = f"{base}-{n}", n + 1
                self.anchors[key] = block.blockNumber()
                if level <= 3:
                    parent = next((parents[lv] for lv in range(level - 1, 0, -1) if lv in parents), None)
                    item = QtWidgets.QTreeWidgetItem([title])
                    item.setToolTip(0, title)
                    item.setData(0, QtCore.Qt.ItemDataRole.UserRole, key)
                    if parent is None:
                        self.contents.addTopLevelItem(item)
                    else:
                        parent.addChild(item)
                    parents[level] = item
                    for deeper in [lv for lv in parents if lv > level]:
                        del parents[deeper]
            block = block.next()
        self.contents.expandToDepth(0)

    def images(self) -> dict[str, QtGui.QImage]:
        """Every picture of the page by its link, as loaded (a null image: it did not load)."""
        doc = self.browser.document()
        found: dict[str, QtGui.QImage] = {}
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.isImageFormat():
                    name = fmt.toImageFormat().name()
                    found[name] = self._image(name)
                it += 1
            block = block.next()
        return found

    def _image(self, name: str) -> QtGui.QImage:
        kind = QtGui.QTextDocument.ResourceType.ImageResource
        res = self.browser.document().resource(kind, QtCore.QUrl(name))
        if isinstance(res, QtGui.QPixmap):
            return res.toImage()
        if isinstance(res, QtGui.QImage):
            return res
        loaded = self.browser.loadResource(kind, QtCore.QUrl(name))
        if isinstance(loaded, QtGui.QPixmap):
            return loaded.toImage()
        if isinstance(loaded, QtGui.QImage):
            return loaded
        if isinstance(loaded, QtCore.QByteArray):
            return QtGui.QImage.fromData(loaded)
        return QtGui.QImage()

    def fit_images(self) -> None:
        """Scale every picture down to the page's width (never up), keeping its proportions."""
        width = max(
            200, self.browser.viewport().width() - 2 * int(self.browser.document().documentMargin()) - 8
        )
        doc = self.browser.document()
        changes: list[tuple[int, int, QtGui.QTextImageFormat]] = []
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                if fmt.isImageFormat():
                    image_fmt = fmt.toImageFormat()
                    image = self._image(image_fmt.name())
                    w = min(float(image.width()), float(width))
                    if not image.isNull() and abs(image_fmt.width() - w) > 0.5:
                        image_fmt.setWidth(w)
                        image_fmt.setHeight(w * image.height() / image.width())
                        changes.append((frag.position(), frag.length(), image_fmt))
                it += 1
            block = block.next()
        cursor = QtGui.QTextCursor(doc)
        for position, length, image_fmt in changes:
            cursor.setPosition(position)
            cursor.setPosition(position + length, QtGui.QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(image_fmt)

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize and obj is self.browser.viewport():
            self._fit_timer.start()
        return super().eventFilter(obj, event)

    # ---- links and navigation ----------------------------------------------------------------
    @QtCore.Slot(QtCore.QUrl)
    def follow(self, url: QtCore.QUrl) -> None:
        """A clicked link: a heading of this page, a web page (the browser) or a local file."""
        if url.scheme() in ("http", "https", "mailto"):
            QtGui.QDesktopServices.openUrl(url)
            return
        if url.hasFragment() and (not url.path() or Path(url.path()).name == self.path.name):
            self.go_to(url.fragment())
            return
        target = Path(url.toLocalFile() or url.path())
        if not target.is_absolute():
            target = self.path.parent / target
        if target.suffix.lower() in (".png", ".jpg", ".jpeg") and target.is_file():
            self.show_picture(target)
        elif target.exists():
            QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(target)))

    def show_picture(self, path: Path) -> QtWidgets.QDialog:
        """A picture at its full size (scrollable), for a closer look than the page gives."""
        dialog = QtWidgets.QDialog(self)
        dialog.setObjectName("guide_picture")
        dialog.setWindowTitle(path.name)
        label = QtWidgets.QLabel(dialog)
        label.setPixmap(QtGui.QPixmap(str(path)))
        area = QtWidgets.QScrollArea(dialog)
        area.setWidget(label)
        layout = QtWidgets.QVBoxLayout(dialog)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(area)
        screen = (
            self.screen().availableGeometry() if self.screen() is not None else QtCore.QRect(0, 0, 1600, 1000)
        )
        size = label.sizeHint() + QtCore.QSize(4, 4)
        dialog.resize(min(size.width(), screen.width() - 40), min(size.height(), screen.height() - 60))
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def go_to(self, anchor: str, remember: bool = True) -> bool:
        """Scroll so that the heading ``anchor`` is at the top (False: no such heading)."""
        number = self.anchors.get(anchor.lstrip("#"))
        if number is None:
            return False
        bar = self.browser.verticalScrollBar()
        if remember:
            self._history.append(bar.value())
            self.back_button.setEnabled(True)
        block = self.browser.document().findBlockByNumber(number)
        cursor = QtGui.QTextCursor(block)
        self.browser.setTextCursor(cursor)
        top = self.browser.document().documentLayout().blockBoundingRect(block).top()
        bar.setValue(int(top))
        return True

    def back(self) -> None:
        if self._history:
            self.browser.verticalScrollBar().setValue(self._history.pop())
        self.back_button.setEnabled(bool(self._history))

    def _on_contents(self, item: QtWidgets.QTreeWidgetItem, _column: int = 0) -> None:
        key = item.data(0, QtCore.Qt.ItemDataRole.UserRole)
        if key:
            self.go_to(str(key))

    def _focus_find(self) -> None:
        self.find_box.setFocus()
        self.find_box.selectAll()

    def find_next(self) -> bool:
        """Select the next place the Find box's text occurs (from the top again after the last)."""
        text = self.find_box.text()
        if not text:
            self.find_note.clear()
            return False
        found = self.browser.find(text)
        if not found:
            self.browser.moveCursor(QtGui.QTextCursor.MoveOperation.Start)
            found = self.browser.find(text)
        self.find_note.setText("" if found else "not found")
        return found


def open_user_guide(parent: QtWidgets.QWidget | None = None) -> GuideViewer:
    """Show the user guide window (one per ``parent``; an open one is raised)."""
    if parent is not None:
        existing = parent.findChild(GuideViewer, "user_guide")
        if isinstance(existing, GuideViewer):
            bring_to_front(existing)
            return existing
    viewer = GuideViewer(parent)
    bring_to_front(viewer)
    return viewer


__all__ = ["GuideViewer", "anchor_links", "guide_path", "image_links", "open_user_guide", "slug"]
