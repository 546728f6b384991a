"""The input panels (Text & Prompt, Files) bound to the studio's state and settings: the
languages and models to choose from, the choices remembered, the corpus browser filled.

A corpus word's *Show the recording* puts its recording on screen alone (no model; the text box
gets the word, ready to Generate beside it); *Sign with <model>* is the window's
``_sign_corpus_word``. Without a corpus cache the Files tab is brought to the front on start, its
note and Build button saying how to build it, and the Text panel's status line says so too.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from signstudio.app.files_panel import NO_CORPUS_NOTE, FilesPanel
from signstudio.app.settings import Settings
from signstudio.app.text_panel import TextPromptPanel
from signstudio.app.text_preview import PREVIEW_MODELS
from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES, sign_languages
from signstudio.modeling.base import ModelInfo
from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.session.studio import StudioState

DEFAULT_TEXT = "hello"
DEFAULT_LANGUAGE = "ase"


def language_list() -> list[tuple[str, str, str]]:
    """(code, name, spoken language) of every sign language with a lexicon or a model."""
    from signstudio.modeling.registry import available_models

    spoken = sign_languages()
    codes = set(spoken)
    for info in available_models():
        codes.update(info.languages)
    return [(c, SIGN_LANGUAGE_NAMES.get(c, c.upper()), spoken.get(c, "")) for c in sorted(codes)]


CHECKPOINTS_KEY = "checkpoints"  # the checkpoint files added as models (Models → Add checkpoint…)
#: what each remembered file is as a model (`checkpoint_summary`), so a start reads none of them:
#: the files load in the model process when used, and torch stays out of the first paint
SUMMARIES_KEY = "checkpoint_summaries"


def _summaries(settings: Settings) -> dict[str, Any]:
    try:
        saved = json.loads(str(settings.get(SUMMARIES_KEY, "{}")))
    except ValueError:
        return {}
    return saved if isinstance(saved, dict) else {}


def remembered_checkpoints(settings: Settings) -> list[str]:
    try:
        saved = json.loads(str(settings.get(CHECKPOINTS_KEY, "[]")))
    except ValueError:
        return []
    return [str(p) for p in saved] if isinstance(saved, list) else []


def remember_checkpoint(settings: Settings, path: str | Path, select: bool = True) -> ModelInfo:
    """Register a checkpoint file as a model, remember it for the next start and (``select``) make
    it the model in use. A file that does not fit raises a one-line `ModelError`."""
    from signstudio.modeling.registry import checkpoint_summary, register_checkpoint

    summary = checkpoint_summary(path)
    info = register_checkpoint(path, summary)
    resolved = str(Path(path).expanduser().resolve())
    saved = [p for p in remembered_checkpoints(settings) if p != resolved]
    settings.set(CHECKPOINTS_KEY, json.dumps([*saved, resolved]))
    settings.set(SUMMARIES_KEY, json.dumps({**_summaries(settings), resolved: summary}))
    if select:
        settings.set("model", info.id)
    return info


def restore_checkpoints(settings: Settings) -> list[str]:
    """Register the remembered checkpoints again (from their remembered summaries: no file is read
    here); the one-line reasons of those that no longer fit (a file moved or deleted stays
    remembered, in case it comes back)."""
    from signstudio.modeling.base import ModelError
    from signstudio.modeling.registry import register_checkpoint

    problems = []
    summaries = _summaries(settings)
    for path in remembered_checkpoints(settings):
        if not Path(path).is_file():
            problems.append(f"{path}: no such file")
            continue
        try:
            register_checkpoint(path, summaries.get(path))
        except ModelError as exc:
            problems.append(str(exc))
    return problems


def _fill_models(panel: TextPromptPanel) -> None:
    """The registry's models: names, which read prompts, their settings."""
    from signstudio.modeling.registry import available_models

    models = available_models()
    panel.set_models([(m.id, m.name, m.description) for m in models])
    panel.set_prompt_readers({m.id for m in models if m.reads_prompts})
    panel.set_model_settings({m.id: m.settings for m in models if m.settings})
    panel.set_fast_models({m.id for m in models if m.id in PREVIEW_MODELS or m.kind == "baseline"})


class InputBinding(QtCore.QObject):
    """Fills the text and files panels from ``state``/``settings`` and keeps the language, model,
    prompt mode and model options the person picks (in ``state`` and remembered in ``settings``)."""

    def __init__(
        self, text_panel: TextPromptPanel, files: FilesPanel, state: StudioState, settings: Settings
    ) -> None:
        super().__init__(text_panel)
        self.text_panel, self.files, self.state, self.settings = text_panel, files, state, settings
        self.checkpoint_problems = restore_checkpoints(settings)
        text_panel.set_languages(language_list())
        _fill_models(text_panel)
        text_panel.restore_options(self.saved_options())
        text_panel.set_language(state.language)
        text_panel.set_model(state.model_id)
        text_panel.set_prompt_mode(bool(settings.get("prompt_mode", False)))
        text_panel.preview_toggle.setChecked(bool(settings.get("preview_typing", False)))
        files.set_recent(state.recent_files)
        files.set_model_name(text_panel.model.currentText())
        self._load_corpus_browser()

    def connect_panels(self) -> None:
        """Remember what the person picks from now on."""
        self.text_panel.language_changed.connect(self.on_language)
        self.text_panel.model_changed.connect(self.on_model)
        self.text_panel.options_changed.connect(self.remember_options)
        self.text_panel.mode_changed.connect(self.on_prompt_mode)
        self.text_panel.preview_toggle.toggled.connect(lambda on: self.settings.set("preview_typing", on))
        self.files.recording_requested.connect(self.show_recording)
        self.files.corpus_built.connect(self._load_corpus_browser)

    def _load_corpus_browser(self) -> None:
        """The corpus browser; a damaged cache is one warning (stderr and the browser's note), and
        the studio goes on as without a cache (`default_sample`: a recorded letter)."""
        problem = None
        try:
            from signstudio.corpus.store import open_corpus

            corpus = open_corpus(build_if_missing=False)
        except (FileNotFoundError, OSError):
            corpus = None
        except FormatError as exc:
            corpus, problem = None, str(exc)
            print(f"warning: {problem}", file=sys.stderr)
        self.files.set_corpus(corpus, SIGN_LANGUAGE_NAMES)
        if problem:
            self.files.corpus_note.setText(problem)
        self.files.build_force = problem is not None  # a damaged cache is built again, not kept
        self.files.select_corpus_language(self.state.language)
        if corpus is None:
            self.text_panel.status.setText(problem or NO_CORPUS_NOTE)
            # the Files tab in front (after the saved layout is restored): its note and button
            QtCore.QTimer.singleShot(0, self.files, self._raise_files)

    def _raise_files(self) -> None:
        dock = self.files.parentWidget()  # the panel sits in a scroll area inside its dock
        while dock is not None and not isinstance(dock, QtWidgets.QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.raise_()

    def show_recording(self, text: str, lang: str) -> None:
        """A corpus word's recording on screen alone; the word in the text box (Text mode)."""
        seq = self.files.recording(text, lang)
        assert isinstance(seq, PoseSequence)
        self.text_panel.set_prompt_mode(False)
        self.text_panel.set_text(text)
        self.text_panel.set_language(lang)
        self.state.set_result(None, seq)  # the controller shows and frames the new pair
        name = SIGN_LANGUAGE_NAMES.get(lang, lang)
        self.text_panel.status.setText(f"The recording of “{text}” in {name} (its letters, recorded).")

    def default_sample(self) -> PoseSequence:
        """The built-in corpus' sample of the language ("hello" in ASL first), its word and
        language put in the text panel, ready to generate beside it."""
        from signstudio.corpus.store import default_sample

        sample = default_sample(self.state.language)
        self.text_panel.set_text(str(sample.meta.get("text", DEFAULT_TEXT)).lower())
        self.text_panel.set_language(str(sample.meta.get("sign_language", DEFAULT_LANGUAGE)))
        return sample

    def fill_recent_menu(self, menu: QtWidgets.QMenu, open_file: Callable[[str], object]) -> None:
        """File → Open recent: the recent files, by name (the path in the tooltip)."""
        menu.clear()
        for p in self.state.recent_files:
            action = menu.addAction(Path(p).name)
            action.setToolTip(p)
            action.triggered.connect(lambda *_, p=p: open_file(p))
        menu.setEnabled(bool(self.state.recent_files))

    def add_checkpoint(self, path: str | Path) -> ModelInfo:
        """Models → Add checkpoint…: the file a selectable model (remembered), selected now."""
        info = remember_checkpoint(self.settings, path)
        self.text_panel.set_languages(language_list())
        _fill_models(self.text_panel)
        self.text_panel.set_model(info.id)
        self.on_model(info.id)
        return info

    def on_language(self, code: str) -> None:
        if code:
            self.state.language = code
            self.settings.set("language", code)
            self.files.select_corpus_language(code)

    def on_model(self, model_id: str) -> None:
        if model_id:
            self.state.model_id = model_id
            self.settings.set("model", model_id)
            self.files.set_model_name(self.text_panel.model.currentText())

    def on_prompt_mode(self, on: bool) -> None:
        self.settings.set("prompt_mode", on)

    def saved_options(self) -> dict[str, dict[str, float]]:
        """Each model's last settings (model id -> setting -> value)."""
        try:
            saved = json.loads(str(self.settings.get("model_options", "{}")))
        except ValueError:
            return {}
        return saved if isinstance(saved, dict) else {}

    def remember_options(self, model_id: str, values: dict[str, Any]) -> None:
        self.settings.set("model_options", json.dumps({**self.saved_options(), model_id: values}))


__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_TEXT",
    "InputBinding",
    "language_list",
    "remember_checkpoint",
    "restore_checkpoints",
]
