"""What each view of the studio says it shows, decided from the sequence's ``meta`` (Qt-free).

    cap = describe_view(seq, "shown")       # or "reference"
    cap.kind, cap.badge, cap.title, cap.language, cap.detail

The viewport only renders a `ViewCaption` (`signstudio.app.viewport.captions`); the slot a
sequence sits in never decides what it is called. Kinds, from ``meta["reference_kind"]``:

==============  =====================  ============================================================
kind            badge                  detail
==============  =====================  ============================================================
generated       generated · MODEL      "checkpoint RUN/best.pt" when known (``meta["checkpoint"]`` or
                                       a checkpoint model id ``family@/path``), and "saved file
                                       NAME" when it was read back from a file
recorded        recorded clip          the file (or corpus clip) it was recorded in
lexicon join    lexicon join           "N recorded clips joined"
user file       user file              the file's name
sequence        pose sequence          (a sequence whose meta says nothing of its origin)
==============  =====================  ============================================================

A reference's badge is prefixed ``reference · ``. A generated file saved and opened again keeps its
word, language and model wherever the file format carries ``meta`` (``.h5``, ``.npz``): it is
captioned as generated, with the file it came from — never as a bare "user file". An opened
recording (``reference_kind`` "recorded clip" or "user file") is never called generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signstudio.pose.sequence import PoseSequence

Role = Literal["shown", "reference"]
KINDS = ("generated", "recorded", "lexicon join", "user file", "sequence")
#: ``meta["reference_kind"]`` values -> our kind
_KIND_OF = {
    "generated": "generated",
    "recorded clip": "recorded",
    "recorded": "recorded",
    "lexicon join": "lexicon join",
    "user file": "user file",
}
_CHECKPOINT_MARK = "@"  # `signstudio.modeling.registry.CHECKPOINT_MARK`: ``family@/abs/path``


@dataclass(frozen=True)
class ViewCaption:
    """kind: one of ``KINDS``; badge: the short label over the view (plain text, e.g.
    "reference · generated · nar-kd"); title: the text (or gloss) signed, "" when unknown;
    language: "American Sign Language (ase)", "" when unknown; detail: where it came from
    (model checkpoint, file, joined clips), "" when nothing is known."""

    kind: str
    badge: str
    title: str
    language: str
    detail: str


def view_kind(seq: PoseSequence) -> str:
    """The kind (``KINDS``) of ``seq`` from ``meta["reference_kind"]``; a sequence read from a
    file (``meta["format"]``) that does not say what it is is a user file."""
    said = str(seq.meta.get("reference_kind") or "").strip().lower()
    if said in _KIND_OF:
        return _KIND_OF[said]
    return "user file" if seq.meta.get("format") else "sequence"


def file_name(source: object) -> str:
    """The last part of a path or id (``/a/b/c.pose`` -> ``c.pose``; ``corpus:ase/hello`` kept)."""
    text = str(source).replace("\\", "/")
    if ":" in text.split("/", 1)[0] and not text.startswith("/"):  # an id such as corpus:ase/hello
        return text
    return text.rstrip("/").rsplit("/", 1)[-1]


def model_and_checkpoint(meta: dict) -> tuple[str, str]:
    """(model id, checkpoint "RUN/FILE" or "") of a generated sequence's meta. A checkpoint
    model's id is ``family@/abs/run/best.pt``: the family is the model, the tail the checkpoint."""
    model = str(meta.get("model") or "")
    checkpoint = str(meta.get("checkpoint") or "")
    if _CHECKPOINT_MARK in model:
        model, _, path = model.partition(_CHECKPOINT_MARK)
        checkpoint = checkpoint or path
    if checkpoint:
        parts = checkpoint.replace("\\", "/").rstrip("/").split("/")
        checkpoint = "/".join(parts[-2:])  # run-dir/best.pt, as the model selector names it
    return model, checkpoint


def language_name(code: object) -> str:
    """ "American Sign Language (ase)" for a known ISO 639-3 code, else the code; "" for none."""
    if not code:
        return ""
    from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

    name = SIGN_LANGUAGE_NAMES.get(str(code))
    return f"{name} ({code})" if name else str(code)


def _detail(kind: str, meta: dict) -> tuple[str, str]:
    """(badge tail, detail) of ``kind``."""
    source = meta.get("source")
    from_file = bool(meta.get("format")) and bool(source)  # a reader set both: read from a file
    if kind == "generated":
        model, checkpoint = model_and_checkpoint(meta)
        facts = [f"checkpoint {checkpoint}"] if checkpoint else []
        if from_file:
            facts.append(f"saved file {file_name(source)}")
        return (f"generated · {model}" if model else "generated"), " · ".join(facts)
    if kind == "lexicon join":
        joined = meta.get("joined_from")
        detail = f"{joined} recorded clips joined" if joined else "recorded clips joined"
        return kind, detail + (f" · file {file_name(source)}" if from_file else "")
    if kind in ("recorded", "user file"):
        return ("recorded clip" if kind == "recorded" else kind), file_name(source) if source else ""
    return "pose sequence", file_name(source) if source else ""


def describe_view(seq: PoseSequence, role: Role = "shown") -> ViewCaption:
    """What the view showing ``seq`` says it is: ``role`` "shown" (the main view, whatever it
    holds) or "reference" (the ground truth beside or under it). See the module docstring."""
    meta = seq.meta
    kind = view_kind(seq)
    badge, detail = _detail(kind, meta)
    if role == "reference":
        badge = f"reference · {badge}"
    title = str(meta.get("text") or meta.get("gloss") or "")
    return ViewCaption(kind, badge, title, language_name(meta.get("sign_language")), detail)


__all__ = [
    "KINDS",
    "ViewCaption",
    "describe_view",
    "file_name",
    "language_name",
    "model_and_checkpoint",
    "view_kind",
]
