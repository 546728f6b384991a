"""The first-run welcome: the window dimmed, five places lit and numbered, one line each.

    ① the text box        type a word or a request
    ② the sign language   pick the language to sign in
    ③ Generate            the model signs it (Enter)
    ④ the timeline        play, scrub, and read the DTW / FGD curves
    ⑤ the reference       side by side or as a ghost over the signing

Shown once: "Got it" (or Esc, or a click anywhere) dismisses it for good (the window remembers it
in its settings); Help → Welcome tour shows it again. An overlay rather than a dialog, so the
marks sit on the real widgets, wherever the user's saved layout put them.

    show_welcome(window)                # on the first start only; None once dismissed
    show_welcome(window, force=True)    # Help → Welcome tour
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.dialogs.common import as_parent
from signstudio.app.settings import Settings
from signstudio.app.text_panel import TextPromptPanel
from signstudio.app.timeline import Timeline

ACCENT = QtGui.QColor(59, 130, 246)


@dataclass(frozen=True)
class Spot:
    widget: QtWidgets.QWidget
    title: str
    text: str


class WelcomeOverlay(QtWidgets.QWidget):
    """Covers ``window``; `spots` are lit and numbered. ``dismissed`` fires once when closed."""

    dismissed = QtCore.Signal()

    def __init__(self, window: QtWidgets.QWidget, spots: Sequence[Spot]) -> None:
        super().__init__(window)
        self.host = window
        self.setObjectName("welcome_overlay")
        self.spots = list(spots)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.card = QtWidgets.QFrame(self)
        self.card.setObjectName("welcome_card")
        self.card.setStyleSheet(
            "QFrame#welcome_card { background: palette(window); border: 2px solid #3b82f6;"
            " border-radius: 10px; }"
        )
        column = QtWidgets.QVBoxLayout(self.card)
        column.setContentsMargins(18, 14, 18, 14)
        title = QtWidgets.QLabel("<b style='font-size:15pt'>Welcome to SignStudio</b>", self.card)
        body = QtWidgets.QLabel(
            "Type a word, pick a sign language and press Generate: a model signs it in 3D, "
            "beside a real recording of the same word. The numbers show where to start.",
            self.card,
        )
        body.setWordWrap(True)
        self.ok_button = QtWidgets.QPushButton("Got it", self.card)
        self.ok_button.setObjectName("welcome_ok")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.dismiss)
        hint = QtWidgets.QLabel("Help → Welcome tour shows this again.", self.card)
        hint.setStyleSheet("color: palette(mid);")
        column.addWidget(title)
        column.addWidget(body)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(hint, 1)
        row.addWidget(self.ok_button)
        column.addLayout(row)
        self.card.setFixedWidth(420)
        window.installEventFilter(self)
        self._fit()

    # ---- behaviour -------------------------------------------------------------------------
    def dismiss(self) -> None:
        self.hide()
        self.host.removeEventFilter(self)
        self.dismissed.emit()
        self.deleteLater()

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if obj is self.host and event.type() == QtCore.QEvent.Type.Resize:
            self._fit()
        return False

    def _fit(self) -> None:
        self.setGeometry(self.host.rect())
        self.card.adjustSize()
        self.card.move((self.width() - self.card.width()) // 2, int(self.height() * 0.42))
        self.raise_()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if event.key() in (QtCore.Qt.Key.Key_Escape, QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            self.dismiss()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        if not self.card.geometry().contains(event.position().toPoint()):
            self.dismiss()

    # ---- drawing ---------------------------------------------------------------------------
    def spot_rects(self) -> list[QtCore.QRectF]:
        """Each spot's widget, in overlay coordinates, with a margin (empty when hidden)."""
        out = []
        for spot in self.spots:
            w = spot.widget
            if not w.isVisible():
                out.append(QtCore.QRectF())
                continue
            top_left = w.mapTo(self.host, QtCore.QPoint(0, 0))
            out.append(QtCore.QRectF(QtCore.QRect(top_left, w.size())).adjusted(-4, -4, 4, 4))
        return out

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        veil = QtGui.QPainterPath()
        veil.addRect(QtCore.QRectF(self.rect()))
        rects = self.spot_rects()
        for r in rects:
            if not r.isEmpty():
                hole = QtGui.QPainterPath()
                hole.addRoundedRect(r, 6, 6)
                veil = veil.subtracted(hole)
        p.fillPath(veil, QtGui.QColor(0, 0, 0, 150))
        font = p.font()
        font.setPointSizeF(font.pointSizeF() * 1.05)
        p.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        for number, (spot, r) in enumerate(zip(self.spots, rects, strict=True), start=1):
            if r.isEmpty():
                continue
            p.setPen(QtGui.QPen(ACCENT, 2.5))
            p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r, 6, 6)
            label = f"{spot.title} — {spot.text}"
            width = min(metrics.horizontalAdvance(label) + 44, 460)
            height = metrics.height() * (2 if metrics.horizontalAdvance(label) + 44 > 460 else 1) + 12
            # the callout goes beside the widget where there is room: right, else left, else below
            if r.right() + 12 + width < self.width():
                box = QtCore.QRectF(r.right() + 12, r.center().y() - height / 2, width, height)
            elif r.left() - 12 - width > 0:
                box = QtCore.QRectF(r.left() - 12 - width, r.center().y() - height / 2, width, height)
            else:
                box = QtCore.QRectF(r.left() + 8, r.top() - height - 8, width, height)
            box.moveTop(min(max(box.top(), 4), self.height() - height - 4))
            p.setPen(QtCore.Qt.PenStyle.NoPen)
            p.setBrush(QtGui.QColor(255, 255, 255, 240))
            p.drawRoundedRect(box, 8, 8)
            badge = QtCore.QRectF(box.left() + 6, box.center().y() - 11, 22, 22)
            p.setBrush(ACCENT)
            p.drawEllipse(badge)
            p.setPen(QtGui.QColor("white"))
            p.drawText(badge, QtCore.Qt.AlignmentFlag.AlignCenter, str(number))
            p.setPen(QtGui.QColor(20, 20, 20))
            text_box = box.adjusted(34, 4, -8, -4)
            p.drawText(
                text_box,
                int(QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.TextFlag.TextWordWrap),
                label,
            )
        p.end()


class WelcomeHost(Protocol):
    """What the welcome marks on the studio window (`signstudio.app.window.StudioWindow`)."""

    settings: Settings
    text_panel: TextPromptPanel
    timeline: Timeline
    side_action: QtGui.QAction


def show_welcome(window: WelcomeHost, force: bool = False) -> WelcomeOverlay | None:
    """The welcome overlay over ``window``: on the first start only, unless ``force``;
    dismissing it is remembered in the window's settings."""
    if not force and bool(window.settings.get("welcome_done", False)):
        return None
    host = as_parent(window)
    assert host is not None  # the studio window is a widget
    tb = host.findChild(QtWidgets.QToolBar, "main_toolbar")
    reference_button = tb.widgetForAction(window.side_action) if tb is not None else None
    tp = window.text_panel
    spots = [
        Spot(tp.input, "Type here", "a word or a request like “How do I sign water in DGS?”"),
        Spot(tp.language, "Sign language", "the language to sign in"),
        Spot(tp.generate_button, "Generate", "the model signs it (Enter)"),
        Spot(window.timeline, "Timeline", "play (Space), scrub, read the DTW and FGD curves"),
    ]
    if reference_button is not None:
        spots.append(Spot(reference_button, "Reference", "real signing beside it (S) or as a ghost (G)"))
    overlay = WelcomeOverlay(host, spots)
    overlay.dismissed.connect(lambda: window.settings.set("welcome_done", True))
    overlay.show()
    overlay.setFocus()
    return overlay


__all__ = ["Spot", "WelcomeHost", "WelcomeOverlay", "show_welcome"]
