"""The Text & Prompt dock: what to sign, in which sign language, with which model.

Two modes: *Text* (the words to sign) and *Prompt* (a request such as "How do I sign 'water' in
German Sign Language?"; the text to sign and, where named, the language are read out of it and
shown live under the box). The panel only collects input and shows progress; the window turns
``generate_requested`` into a runner request and reports back through `set_busy`/`set_progress`.

Focus (issue 20, item 1): Enter in the text box, the Generate button and Ctrl+Return hand the
keyboard focus to the view (the main window's central widget) once the request is made. The
window's single-key shortcuts (Space, L, A, 1-4…) stay window-wide, and Qt lets a focused text
field take every printable key first (ShortcutOverride), so while someone types, Space types a
space and L an "l"; once they generate, the same keys drive the view without a click. A click in
the box (or Generate → Type text) puts the focus back to type. The preview line, the language box
following a prompt and "Preview as you type" are described in `signstudio.app.text_preview`.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from signstudio.app.text_preview import PREVIEW_MODELS, TypingPreview, glyph_note, reading_html
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES
from signstudio.session.prompt_reading import Reading, read_request

TEXT_PLACEHOLDER = "Type a word or a few words to sign, e.g. hello"
PROMPT_PLACEHOLDER = "Ask, e.g.  How do I sign 'water' in German Sign Language?"


class ProgressLine(QtWidgets.QWidget):
    """A thin progress bar that repaints lazily.

    QProgressBar.setValue repaints synchronously, and in a window with GL views a synchronous
    repaint flushes the whole window; under a software renderer that stalled the GUI for
    ~100 ms per progress message. This one only schedules an update.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self._maximum = 1000
        self.setFixedHeight(6)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)

    def maximum(self) -> int:
        return self._maximum

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        value = max(0, min(self._maximum, int(value)))
        if value != self._value:
            self._value = value
            self.update()

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QtGui.QPalette.ColorRole.AlternateBase))
        width = round(self.width() * self._value / self._maximum)
        if width:
            p.fillRect(0, 0, width, self.height(), pal.color(QtGui.QPalette.ColorRole.Highlight))
        p.end()


class TextPromptPanel(QtWidgets.QWidget):
    """Signals: ``generate_requested(text, lang, model_id, prompt_mode)``, ``cancel_requested()``,
    ``language_changed(code)``, ``model_changed(model_id)``, ``mode_changed(prompt_mode)``,
    ``height_needed(pixels)`` (the selected model's settings changed the rows),
    ``options_changed(model_id, values)`` (a setting was changed by the user)."""

    generate_requested = QtCore.Signal(str, str, str, bool)
    cancel_requested = QtCore.Signal()
    language_changed = QtCore.Signal(str)
    model_changed = QtCore.Signal(str)
    mode_changed = QtCore.Signal(bool)
    height_needed = QtCore.Signal(int)  # after the model's settings rows changed
    options_changed = QtCore.Signal(str, dict)  # model id, its settings' values (to remember)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TextPromptPanel")
        self._spoken_of: dict[str, str] = {}
        self._prompt_readers: set[str] = set()
        self._settings_of: dict[str, tuple[Any, ...]] = {}  # model id -> its ModelSettings
        self._values: dict[tuple[str, str], float] = {}  # (model id, option) -> value chosen here
        self._controls: dict[str, QtWidgets.QAbstractSpinBox] = {}
        self._fast_models: set[str] = set(PREVIEW_MODELS)
        self.typing = TypingPreview(self._preview_request, self.preview_follows, self)
        self._build_mode_buttons()
        self._build_inputs()
        self._build_actions()
        self._build_layout()
        self._update_preview()

    def _build_mode_buttons(self) -> None:
        # mode toggle: two checkable buttons in an exclusive group (a segmented control)
        self.text_button = QtWidgets.QPushButton("Text")
        self.prompt_button = QtWidgets.QPushButton("Prompt")
        group = QtWidgets.QButtonGroup(self)
        for i, b in enumerate((self.text_button, self.prompt_button)):
            b.setCheckable(True)
            b.setToolTip(
                "Sign exactly the words you type"
                if i == 0
                else "Ask in your own words; the text and the sign language are read from the question"
            )
            group.addButton(b, i)
        self.text_button.setChecked(True)
        group.idToggled.connect(self._on_mode_toggled)
        # A segmented control: the checked half is filled with the highlight colour.
        segment = (
            "QPushButton {{ padding: 4px 14px; border: 1px solid palette(mid); {radius} }}"
            "QPushButton:checked {{ background: palette(highlight); color: palette(highlighted-text);"
            " border-color: palette(highlight); font-weight: bold; }}"
        )
        for b in (self.text_button, self.prompt_button):
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 40)
        self.text_button.setStyleSheet(
            segment.format(radius="border-top-left-radius: 4px; border-bottom-left-radius: 4px;")
        )
        self.prompt_button.setStyleSheet(
            segment.format(radius="border-top-right-radius: 4px; border-bottom-right-radius: 4px;")
        )

    def _build_inputs(self) -> None:
        """The text box, its preview, the sign language and model choices, the model's settings."""
        self.input = QtWidgets.QLineEdit()
        self.input.setObjectName("text_input")
        self.input.setPlaceholderText(TEXT_PLACEHOLDER)
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._request)
        self.input.textChanged.connect(self._update_preview)
        self.input.textChanged.connect(self.typing.poke)
        self.preview_toggle = QtWidgets.QCheckBox("Preview as you type")
        self.preview_toggle.setObjectName("preview_typing")
        self.preview_toggle.setToolTip(
            "With a fast model (lookup, nar-kd) the views follow the text while you type"
        )
        self.preview_toggle.toggled.connect(self._on_preview_toggled)
        font = self.input.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.input.setFont(font)

        self.preview = QtWidgets.QLabel()
        self.preview.setObjectName("prompt_preview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(QtCore.Qt.TextFormat.RichText)
        # room for two lines, so the form below does not jump when the preview wraps
        self.preview.setFixedHeight(2 * self.preview.fontMetrics().lineSpacing() + 4)
        self.preview.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.preview.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)

        self.language = QtWidgets.QComboBox()
        self.language.setObjectName("language")
        self.language.setEditable(True)  # type to search by name or code
        self.language.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        completer = self.language.completer()
        if completer is not None:
            completer.setFilterMode(QtCore.Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.language.currentIndexChanged.connect(self._on_language)

        self.model = QtWidgets.QComboBox()
        self.model.setObjectName("model")
        self.model.currentIndexChanged.connect(self._on_model)
        # which models cover the chosen language (issue 21): one dim line under the model box
        self.coverage = QtWidgets.QLabel()
        self.coverage.setObjectName("model_coverage")
        self.coverage.setWordWrap(True)  # two lines: five model ids do not fit one at 1366x768
        self.coverage.setFixedHeight(2 * self.coverage.fontMetrics().lineSpacing() + 2)
        self.coverage.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.coverage.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)

        # per-model settings (e.g. diffusion's steps and guidance), rebuilt when the model changes
        self.settings_box = QtWidgets.QWidget()
        self.settings_box.setObjectName("model_settings")
        self._settings_form = QtWidgets.QFormLayout(self.settings_box)
        self._settings_form.setContentsMargins(0, 0, 0, 0)
        self._settings_form.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )

    def _build_actions(self) -> None:
        """Generate and Cancel, the progress line and the status message."""
        self.generate_button = QtWidgets.QPushButton("Generate")
        self.generate_button.setObjectName("generate")
        self.generate_button.setDefault(True)
        self.generate_button.setToolTip("Generate signing for the text (Enter)")
        self.generate_button.clicked.connect(self._request)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested.emit)

        self.progress = ProgressLine()
        self.progress.setObjectName("progress")
        self.status = QtWidgets.QLabel(" ")
        self.status.setObjectName("generation_status")
        self.status.setWordWrap(True)
        # Fixed size: a new message must never re-lay out the window (that would resize and
        # repaint the GL views while a generation runs).
        self.status.setFixedHeight(2 * self.status.fontMetrics().lineSpacing() + 4)
        self.status.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        # a message longer than two lines shows its start (what was signed, what was left out),
        # not a middle cut at both edges; the tooltip has it whole
        self.status.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)

    def _build_layout(self) -> None:
        mode_row = QtWidgets.QHBoxLayout()
        mode_row.setSpacing(0)
        mode_row.addWidget(self.text_button)
        mode_row.addWidget(self.prompt_button)
        mode_row.addStretch(1)
        mode_row.addWidget(self.preview_toggle)

        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Sign language", self.language)
        form.addRow("Model", self.model)
        form.addRow("", self.coverage)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.generate_button, 2)
        buttons.addWidget(self.cancel_button, 1)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(mode_row)
        layout.addWidget(self.input)
        layout.addWidget(self.preview)
        layout.addLayout(form)
        layout.addWidget(self.settings_box)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

    # ---- content -------------------------------------------------------------------------
    def set_languages(self, languages: list[tuple[str, str, str]]) -> None:
        """(code, name, spoken language code) of every sign language with a model or lexicon."""
        current = self.current_language()
        self.language.blockSignals(True)
        self.language.clear()
        self._spoken_of = {code: spoken for code, _, spoken in languages}
        for code, name, _ in sorted(languages, key=lambda x: x[1]):
            self.language.addItem(f"{name} — {code}", code)
        self.language.blockSignals(False)
        if current:
            self.set_language(current)

    def set_models(self, models: list[tuple[str, str, str]]) -> None:
        """(id, display name, description) of every registered model."""
        current = self.current_model()
        self.model.blockSignals(True)
        self.model.clear()
        for model_id, name, description in models:
            self.model.addItem(name, model_id)
            self.model.setItemData(self.model.count() - 1, description, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.model.blockSignals(False)
        if current:
            self.set_model(current)
        self._update_coverage()

    def set_model_settings(self, settings: dict[str, tuple[Any, ...]]) -> None:
        """Model id -> its `signstudio.modeling.base.ModelSetting` tuple (controls shown for the
        selected model; values chosen are kept per model while the window lives)."""
        self._settings_of = dict(settings)
        self._rebuild_settings()

    def restore_options(self, values: dict[str, dict[str, float]]) -> None:
        """Values remembered from an earlier session: {model id: {option: value}} (clamped to
        each setting's range; unknown models and options are ignored)."""
        for model_id, options in values.items():
            known = {st.name: st for st in self._settings_of.get(model_id, ())}
            for name, value in options.items():
                if name in known and isinstance(value, int | float):
                    self._values[(model_id, name)] = known[name].clamp(value)
        self._rebuild_settings()

    def model_options(self) -> dict[str, int | float]:
        """The selected model's settings as ``generate`` keyword options."""
        out: dict[str, int | float] = {}
        for setting in self._settings_of.get(self.current_model(), ()):
            control = self._controls.get(setting.name)
            if control is not None:
                out[setting.name] = setting.clamp(control.value())  # type: ignore[attr-defined]
        return out

    def set_model_option(self, name: str, value: float) -> bool:
        """Set a control of the selected model (False if it has no such setting)."""
        control = self._controls.get(name)
        if control is None:
            return False
        control.setValue(value)  # type: ignore[attr-defined]
        return True

    def _rebuild_settings(self) -> None:
        while self._settings_form.rowCount():
            self._settings_form.removeRow(0)
        self._controls.clear()
        model_id = self.current_model()
        settings = self._settings_of.get(model_id, ())
        self.settings_box.setVisible(bool(settings))
        for setting in settings:
            control: QtWidgets.QAbstractSpinBox
            if setting.kind == "int":
                box = QtWidgets.QSpinBox()
                box.setRange(int(setting.minimum), int(setting.maximum))
                box.setSingleStep(int(setting.step))
                control = box
            else:
                fbox = QtWidgets.QDoubleSpinBox()
                fbox.setRange(setting.minimum, setting.maximum)
                fbox.setSingleStep(setting.step)
                fbox.setDecimals(1)
                control = fbox
            control.setObjectName(f"setting_{setting.name}")
            control.setToolTip(setting.help)
            control.setValue(self._values.get((model_id, setting.name), setting.default))
            control.valueChanged.connect(lambda v, key=(model_id, setting.name): self._on_setting(key, v))
            self._controls[setting.name] = control
            self._settings_form.addRow(setting.label, control)
        # New rows are shown by a queued call (QLayout::addChildWidget), so the panel's size hint
        # counts them only on the next turn of the event loop: fit the height then.
        QtCore.QTimer.singleShot(0, self._fit_height)

    def _on_setting(self, key: tuple[str, str], value: float) -> None:
        self._values[key] = value
        model_id = key[0]
        self.options_changed.emit(model_id, {n: v for (m, n), v in self._values.items() if m == model_id})

    def _fit_height(self) -> None:
        """Minimum height = what the form needs; the window gives the dock that much."""
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()
        self.setMinimumHeight(self.sizeHint().height())
        self.height_needed.emit(self.minimumHeight())

    def set_prompt_readers(self, model_ids: set[str]) -> None:
        """Models that have a prompt reader of their own (kept for the record: since issue 21
        every model's prompts are read by the same reader, the one the preview shows)."""
        self._prompt_readers = set(model_ids)
        self._update_preview()

    def covering_models(self, signing_only: bool = False) -> list[str]:
        """The ids of the models in the box that cover the chosen language (registry order; with
        ``signing_only`` without the reference baselines, `models_covering`)."""
        from signstudio.runner.coverage import models_covering

        listed = {str(self.model.itemData(i)) for i in range(self.model.count())}
        return [m for m in models_covering(self.current_language(), signing_only) if m in listed]

    def _update_coverage(self) -> None:
        """The line under the model box names the models covering the chosen language; the
        others are dimmed in the list, their tooltip saying so."""
        code = self.current_language()
        covering = set(self.covering_models())
        signing = set(self.covering_models(signing_only=True))
        names: list[str] = []
        ids: list[str] = []
        baselines = 0
        dim = self.palette().color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.Text)
        for i in range(self.model.count()):
            model_id, name = str(self.model.itemData(i)), self.model.itemText(i)
            covers = model_id in covering
            self.model.setItemData(
                i, None if covers else QtGui.QBrush(dim), QtCore.Qt.ItemDataRole.ForegroundRole
            )
            if model_id in signing:
                names.append(name)
                ids.append(model_id)
            baselines += covers and model_id not in signing
        language = SIGN_LANGUAGE_NAMES.get(code, code)
        extra = f" (+{baselines} baselines)" if baselines else ""
        # ids, not display names: short enough for two lines of the narrowest panel
        line = f"Signs {code}: {', '.join(ids)}{extra}" if ids else f"No model signs {code}"
        self.coverage.setText(self._dim(line))
        self.coverage.setToolTip(f"Models that sign {language} ({code}): {', '.join(names) or 'none'}")

    def current_language(self) -> str:
        return str(self.language.currentData() or "")

    def current_model(self) -> str:
        return str(self.model.currentData() or "")

    def set_language(self, code: str) -> bool:
        i = self.language.findData(code)
        if i >= 0:
            self.language.setCurrentIndex(i)
        return i >= 0

    def set_model(self, model_id: str) -> bool:
        i = self.model.findData(model_id)
        if i >= 0:
            self.model.setCurrentIndex(i)
        return i >= 0

    @property
    def prompt_mode(self) -> bool:
        return self.prompt_button.isChecked()

    def set_prompt_mode(self, on: bool) -> None:
        (self.prompt_button if on else self.text_button).setChecked(True)

    def set_text(self, text: str) -> None:
        self.input.setText(text)

    # ---- progress ------------------------------------------------------------------------
    def set_busy(self, busy: bool, message: str = "", done: bool = True) -> None:
        """``busy``: a request runs (the bar starts empty); else it ended: the bar is full when it
        was ``done`` and empty when it was cancelled or failed (``done=False``)."""
        self.generate_button.setEnabled(True)  # a new request supersedes a running one
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress.setValue(0)
        else:
            full = done and not message.startswith("error")
            self.progress.setValue(self.progress.maximum() if full else 0)
        if message:
            self.status.setText(message)
            self.status.setToolTip(message)  # the whole message, should two lines not hold it

    def set_progress(self, fraction: float, message: str = "") -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * self.progress.maximum()))
        if message:
            self.status.setText(message)

    def show_error(self, message: str) -> None:
        self.set_busy(False, "error", done=False)
        self.status.setText(f"<span style='color:#e5484d'>{html.escape(message)}</span>")

    # ---- internals -----------------------------------------------------------------------
    def _on_mode_toggled(self, button_id: int, checked: bool) -> None:
        if not checked:
            return
        prompt = button_id == 1
        self.input.setPlaceholderText(PROMPT_PLACEHOLDER if prompt else TEXT_PLACEHOLDER)
        self._update_preview()
        self.mode_changed.emit(prompt)

    def _on_language(self, _index: int) -> None:
        self._update_coverage()
        self._update_preview()
        self.typing.poke()
        self.language_changed.emit(self.current_language())

    def _on_model(self, _index: int) -> None:
        self._rebuild_settings()
        self._update_preview()
        self._update_preview_toggle()
        self.model_changed.emit(self.current_model())

    def _update_preview(self) -> None:
        """The line under the box: in prompt mode what Generate will sign, in which language, read
        by whom (`read_request`, Generate's own decision; a language the prompt names is put in
        the language box now); in either mode, characters no font here can draw."""
        typed = self.input.text().strip()
        glyphs = glyph_note(typed)
        if not self.prompt_mode or not typed:
            if glyphs:
                self.preview.setText(f"<i>{html.escape(glyphs)}</i>")
            elif not self.prompt_mode:
                self.preview.setText(self._dim("Text mode: the words are signed as typed."))
            else:
                self.preview.setText(
                    self._dim("Prompt mode: the text to sign is read from your question (quotes help).")
                )
            return
        reading = self.reading()
        if reading.from_prompt and reading.lang != self.current_language():
            self.set_language(reading.lang)  # re-enters here once, with the box already right
            return
        line = reading_html(reading, self.current_model())
        self.preview.setText(line + (f" <i>{html.escape(glyphs)}</i>" if glyphs else ""))
        self.preview.setToolTip(self.preview.text())  # the whole line, should two lines not hold it

    def reading(self) -> Reading:
        """What Generate does with the box as it is (`signstudio.session.prompt_reading.Reading`)."""
        return read_request(
            self.input.text(), self.current_language(), self.current_model(), self.prompt_mode
        )

    def _dim(self, text: str) -> str:
        colour = self.palette().color(QtGui.QPalette.ColorRole.PlaceholderText).name()
        return f"<span style='color:{colour}'>{html.escape(text)}</span>"

    def _request(self) -> None:
        text = self.input.text().strip()
        if not text:
            self.status.setText("Type something to sign first.")
            self.input.setFocus()
            return
        self.typing.timer.stop()  # a preview still waiting would only repeat this request
        self.generate_requested.emit(text, self.current_language(), self.current_model(), self.prompt_mode)
        self.focus_view()

    def focus_view(self) -> None:
        """Hand the keyboard to the view (the main window's central widget): Space, L, A… act
        on the signing at once. The panel may sit in a floating dock, so the main window is
        found by parents, not by `window()`."""
        owner = self.parentWidget()
        while owner is not None and not isinstance(owner, QtWidgets.QMainWindow):
            owner = owner.parentWidget()
        view = owner.centralWidget() if owner is not None else None
        if view is not None:
            view.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)

    def focus_text(self) -> None:
        """Generate → Type text: the text box gets the keyboard, its text selected."""
        self.input.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)
        self.input.selectAll()

    # ---- preview as you type (`signstudio.app.text_preview`) --------------------------------
    def set_fast_models(self, model_ids: set[str]) -> None:
        """Models fast enough to follow typing."""
        self._fast_models = set(model_ids)
        self._update_preview_toggle()

    def preview_follows(self) -> bool:
        return self.current_model() in self._fast_models

    def _update_preview_toggle(self) -> None:
        follows = self.preview_follows()
        self.preview_toggle.setToolTip(
            "The views follow the text while you type"
            if follows
            else f"{self.model.currentText()} is too slow to follow typing: choose lookup or nar-kd"
        )

    def _on_preview_toggled(self, on: bool) -> None:
        self.typing.set_on(on)
        if on and not self.preview_follows():
            self.status.setText(
                f"Preview as you type needs a fast model (lookup, nar-kd), not {self.current_model()}."
            )

    def _preview_request(self) -> None:
        """A preview: the same request as Generate, the focus left in the box."""
        text = self.input.text().strip()
        if text and self.reading().text is not None:
            self.generate_requested.emit(
                text, self.current_language(), self.current_model(), self.prompt_mode
            )
