"""What every sign production model is: `ModelInfo`, the `SignModel` interface, cancel and progress.

This module imports neither torch nor any model: the registry, the runner and the app's model
selector use it at start-up. A neural model imports torch inside its own module, which the
registry imports only when that model is loaded.

    model = load_model("lookup")                         # signstudio.modeling.registry
    token = CancelToken()
    [seq] = model.generate(["hello"], "ase", progress=lambda f, msg: ..., cancel=token)

Text limits (`TextLimit`, `text_limit`, `SignModel.max_text_chars`): every model signs at most so
many characters of text in one run, a per-family figure with its reason (what the model was
trained on, the most frames it makes, or time and memory for ``lookup``). It is known from the
model id alone, so the CLI and the studio refuse a longer text before any model loads
(`check_text_length`: "text has 10 000 characters; lookup signs at most 3 000 (split it into
several runs)"). ``lookup`` and the baselines refuse it again in ``generate`` before any work; a
neural model's ``generate`` (reached directly by batches and the API) signs the part its encoder
reads and says so in ``meta["notes"]`` ("signed only '...': the first 44 of 62 characters"),
never cutting without a word (`signstudio.modeling.text.coverage.fit`).

``generate`` is called on a worker thread; ``progress`` is called on that same thread, and
``cancel`` may be set from any thread. A model checks the token between slices of work (a word,
a decoding step, a diffusion step) and raises `Cancelled` there.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, TypeVar

from signstudio.pose.sequence import PoseSequence

#: progress(fraction in [0, 1], message): called from the thread that runs ``generate``.
ProgressCallback = Callable[[float, str], None]

ModelKind = Literal["baseline", "neural"]


class ModelError(Exception):
    """A problem a user can act on (unknown model, language not covered, text not spellable).

    Its message is one readable line; the runner shows it as it is.
    """


class UnknownModelError(ModelError):
    pass


class UnsupportedLanguageError(ModelError):
    pass


class Cancelled(Exception):
    """Raised inside ``generate`` when its `CancelToken` was cancelled."""


class CancelToken:
    """A thread-safe, one-way cancel flag (any thread may cancel; the worker polls it)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise `Cancelled` if `cancel` was called."""
        if self._event.is_set():
            raise Cancelled

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` seconds passed; True if cancelled."""
        return self._event.wait(timeout)

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"


@dataclass(frozen=True)
class ModelSetting:
    """A per-call option the studio offers as a control (a spin box): ``name`` is the keyword
    ``generate`` takes; ``kind`` ``int`` or ``float``; ``default`` the model's own value."""

    name: str
    label: str
    kind: Literal["int", "float"]
    minimum: float
    maximum: float
    default: float
    step: float = 1.0
    help: str = ""

    def clamp(self, value: float) -> int | float:
        v = min(max(float(value), self.minimum), self.maximum)
        return round(v) if self.kind == "int" else v


@dataclass(frozen=True)
class ModelInfo:
    """What the registry knows about a model without loading it.

    id: registry key (``lookup``, ``signllm-mlsf`` ...).
    name: display name for the model selector.
    description: one or two sentences (the selector's tooltip).
    languages: ISO 639-3 codes of the sign languages it covers.
    needs_torch: loading it imports torch (so ``device`` matters and start-up must not load it).
    kind: ``baseline`` (no training) or ``neural``.
    reads_prompts: the model finds the text and sign language in a prompt itself
    (`SignModel.read_prompt`); otherwise the runner's rule-based extractor does it.
    settings: the per-call options the studio shows as controls for this model.
    """

    id: str
    name: str
    description: str
    languages: tuple[str, ...]
    needs_torch: bool = False
    kind: ModelKind = "baseline"
    reads_prompts: bool = False
    settings: tuple[ModelSetting, ...] = ()

    def __post_init__(self) -> None:
        if not self.id or any(c.isspace() for c in self.id):
            raise ValueError(f"a model id is a non-empty word, got {self.id!r}")
        if self.kind not in ("baseline", "neural"):
            raise ValueError(f"kind must be 'baseline' or 'neural', got {self.kind!r}")
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "settings", tuple(self.settings))


@dataclass(frozen=True)
class TextLimit:
    """How much text a model signs in one run: ``chars`` characters of the text as typed, and why
    (``reason``: what it was trained on, the most frames it makes, what longer text costs)."""

    chars: int
    reason: str


#: Per model family (the part of an id before ``@``; a user checkpoint ``nar-kd@/path/best.pt``
#: has its family's limit). The neural figures are their text encoders' widths less the start
#: and end marks: what is beyond them would be cut without a word.
TEXT_LIMITS: dict[str, TextLimit] = {
    "lookup": TextLimit(
        3000,
        "each letter is a recorded clip: 3 000 characters are about 40 000 frames (22 minutes of "
        "fingerspelling), half a minute of CPU and 1.5 GB of memory to join",
    ),
    "signllm-mlsf": TextLimit(
        62,
        "its character encoder reads 64 tokens (62 characters and its start and end marks); trained "
        "on single words of 3-8 letters, it makes at most 300 frames (12 s at 25 fps)",
    ),
    "signllm-p2lg": TextLimit(
        62,
        "its gloss encoder reads 64 tokens (62 glosses, one per fingerspelled letter); trained on "
        "single words, it makes at most 300 frames (12 s at 25 fps)",
    ),
    "nar-kd": TextLimit(
        46,
        "its character encoder reads 48 tokens (46 characters and its start and end marks); trained "
        "on single words of 3-8 letters, it makes at most 256 frames (10 s at 25 fps)",
    ),
    "diffusion": TextLimit(
        46,
        "its character encoder reads 48 tokens (46 characters and its start and end marks); trained "
        "on single words of 3-8 letters, it makes at most 256 frames (10 s at 25 fps)",
    ),
}
for _baseline in ("mean", "random", "wrong-word"):
    TEXT_LIMITS[_baseline] = TextLimit(3000, "a baseline signs one corpus word's worth whatever the text")
#: A registered model of another family: the studio's text box is for sentences, not books.
DEFAULT_TEXT_LIMIT = TextLimit(3000, "no limit of its own is known; the general one")


class TextTooLongError(ModelError):
    """A text longer than the model signs in one run (one line, with the remedy)."""


def text_limit(model_id: str) -> TextLimit:
    """The limit of ``model_id``'s family (`TEXT_LIMITS`; `DEFAULT_TEXT_LIMIT` for others)."""
    return TEXT_LIMITS.get(model_id.partition("@")[0], DEFAULT_TEXT_LIMIT)


def count(n: int) -> str:
    """``10 000``: thousands apart, as the messages write them."""
    return f"{n:,}".replace(",", " ")


def check_text_length(
    text: str, model_id: str, *, what: str = "text", limit: TextLimit | None = None
) -> None:
    """Raise `TextTooLongError` when ``text`` is longer than the model signs in one run: "text has
    10 000 characters; lookup signs at most 3 000 (split it into several runs)"."""
    limit = limit or text_limit(model_id)
    if len(text) > limit.chars:
        name = model_id.partition("@")[0]
        raise TextTooLongError(
            f"{what} has {count(len(text))} characters; {name} signs at most {count(limit.chars)} "
            "(split it into several runs)"
        )


#: A prompt holds the request's own words besides the text ("sign 'hello' in ASL, please").
PROMPT_ALLOWANCE = 200


def text_length_problem(text: str, model_id: str, prompt: bool = False) -> str | None:
    """Why ``text`` is too long for ``model_id`` (one line), or None: the check the CLI and the
    studio make before a model loads. A prompt may be `PROMPT_ALLOWANCE` characters longer than
    the text limit (the model checks the text it reads out of it)."""
    limit = text_limit(model_id)
    if not prompt:
        try:
            check_text_length(text, model_id, limit=limit)
        except TextTooLongError as exc:
            return str(exc)
        return None
    if len(text) <= limit.chars + PROMPT_ALLOWANCE:
        return None
    return (
        f"prompt has {count(len(text))} characters; {model_id.partition('@')[0]} reads prompts of at most "
        f"{count(limit.chars + PROMPT_ALLOWANCE)} (it signs at most {count(limit.chars)} characters of text)"
    )


def report(progress: ProgressCallback | None, fraction: float, message: str) -> None:
    """Call ``progress`` if given, with the fraction clamped to [0, 1]."""
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0), message)


def check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


C = TypeVar("C")


def apply_options(config: C, options: Mapping[str, Any]) -> C:
    """``config`` (a dataclass) with per-call ``options`` applied; unknown names are a ModelError."""
    known = {f.name for f in fields(config)}  # type: ignore[arg-type]
    unknown = sorted(set(options) - known)
    if unknown:
        raise ModelError(
            f"unknown option(s) {', '.join(unknown)}; this model takes: {', '.join(sorted(known)) or 'none'}"
        )
    return replace(config, **options) if options else config  # type: ignore[type-var]


class SignModel(abc.ABC):
    """A text -> pose model. Subclasses set ``info`` and implement `generate`.

    ``device`` is where it runs (``cpu``, ``cuda``, ``cuda:1``); models without torch run on
    the CPU whatever was asked.
    """

    info: ModelInfo
    device: str = "cpu"

    @property
    def id(self) -> str:
        return self.info.id

    def languages(self) -> tuple[str, ...]:
        """ISO 639-3 codes of the sign languages this model signs."""
        return self.info.languages

    @property
    def text_limit(self) -> TextLimit:
        """How much text this model signs in one run (its family's `TEXT_LIMITS` entry; a model
        whose checkpoint reads less narrows it)."""
        return text_limit(self.id)

    @property
    def max_text_chars(self) -> int:
        """The most characters of text one run signs (`text_limit`)."""
        return self.text_limit.chars

    def check_texts(self, texts: Sequence[str]) -> None:
        """`TextTooLongError` for the first text over `text_limit`, before any work."""
        for text in texts:
            check_text_length(text, self.id, limit=self.text_limit)

    def check_language(self, lang: str) -> None:
        if lang not in self.languages():
            raise UnsupportedLanguageError(
                f"model {self.id!r} does not cover sign language {lang!r}; "
                f"it covers: {', '.join(sorted(self.languages()))}"
            )

    @abc.abstractmethod
    def generate(
        self,
        texts: Sequence[str],
        lang: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **options: Any,
    ) -> list[PoseSequence]:
        """One `PoseSequence` per text, signed in sign language ``lang``.

        texts: spoken-language texts (N,); lang: ISO 639-3 sign language code.
        progress: called with (fraction 0..1, message) as the work advances.
        cancel: checked between slices of work; raises `Cancelled` when set.
        options: per-call overrides of the model's config (unknown names raise `ModelError`).
        Returns N sequences whose ``meta`` holds text, sign_language, spoken_language,
        ``reference_kind="generated"`` and ``model`` (the model id).
        """

    def read_prompt(self, prompt: str) -> tuple[str | None, str | None]:
        """(text to sign, ISO 639-3 code the prompt names) of a prompt, None for what it lacks.

        Only models whose ``info.reads_prompts`` is True implement it."""
        raise ModelError(f"model {self.id!r} does not read prompts")

    def close(self) -> None:  # noqa: B027 - an optional hook, not abstract
        """Free what the model holds (GPU memory, files). Default: nothing."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, device={self.device!r})"
