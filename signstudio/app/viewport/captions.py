"""What the viewport's captions and legend say, as rich text (no Qt).

Each view's caption names what it shows — generated, or which kind of reference — then the text
signed, the sign language and (unless the view is narrow, ``compact``) layout, frames and
duration. The legend shows the group colours, or the heat map's scale while it is on.
"""

from __future__ import annotations

import html

import numpy as np

from signstudio.app.viewport.colours import ViewColours
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUP_COLORS
from signstudio.session.geometry import HEAT_FULL, heat_colors

GENERATED = "generated"
GROUP_LABELS = {"body": "body", "left_hand": "left hand", "right_hand": "right hand", "face": "face"}


def reference_kind(seq: PoseSequence) -> str:
    """What kind of sequence this is (recorded clip, lexicon join, user file, generated)."""
    return str(seq.meta.get("reference_kind") or ("user file" if seq.meta.get("source") else "pose"))


FLAT_NOTE = "2D: drawn flat"


def is_flat(seq: PoseSequence) -> bool:
    """A 2D sequence: its file says so (``convention.dims == 2``, e.g. OpenPose ``.pose``), or
    every present point has z exactly 0. The viewport draws such a file on the z = 0 plane."""
    conv = seq.meta.get("convention") or {}
    if isinstance(conv, dict) and conv.get("dims") == 2:
        return True
    present = seq.confidence > 0
    return bool(present.any()) and not np.any(seq.data[..., 2][present])


def describe(seq: PoseSequence, with_kind: bool = True) -> list[str]:
    """Lines saying what a sequence is: text, sign language, kind of reference, layout."""
    from signstudio.corpus.lexicon import SIGN_LANGUAGE_NAMES

    meta = seq.meta
    lines = []
    text = meta.get("text") or meta.get("gloss")
    if text:
        lines.append(f"“{text}”")
    lang = meta.get("sign_language")
    if lang:
        name = SIGN_LANGUAGE_NAMES.get(str(lang))
        lines.append(f"{name} ({lang})" if name else str(lang))
    facts = [reference_kind(seq)] if with_kind else []
    if meta.get("mirrored"):
        facts.append("mirrored (left ↔ right)")
    facts.append(f"layout {seq.layout}")
    if is_flat(seq):
        facts.append(FLAT_NOTE)
    facts.append(f"{seq.num_frames} frames at {seq.fps:g} fps ({seq.duration:.2f} s)")
    lines.append(" · ".join(facts))
    source = meta.get("source")
    if source and not meta.get("joined_from"):  # a join's source is only its first clip
        lines.append(str(source).replace("\\", "/").rsplit("/", 1)[-1])
    return lines


def badge(text: str, color: str) -> str:
    return (
        f"<span style='color:{color}; font-size:12px; font-weight:700; letter-spacing:1px;'>"
        f"{html.escape(text.upper())}</span>"
    )


def caption_block(
    seq: PoseSequence, kind_line: str, colours: ViewColours, compact: bool, big: bool = True
) -> str:
    """Badge line, the text signed (large), the sign language, then (unless ``compact``) layout,
    frames and duration, and a user file's name."""
    meta = seq.meta
    out = [kind_line]
    text = meta.get("text") or meta.get("gloss")
    if text:
        size = (16 if compact else 19) if big else 14
        out.append(f"<span style='font-size:{size}px; font-weight:600;'>“{html.escape(str(text))}”</span>")
    lines = describe(seq, with_kind=False)
    rest = lines[1:] if text else lines
    lang = rest[0] if meta.get("sign_language") and rest else None
    if lang is not None:
        out.append(html.escape(lang))
        rest = rest[1:]
    if not compact and rest:
        out.append(f"<span style='color:{colours.muted}; font-size:11px;'>{html.escape(rest[0])}</span>")
        if len(rest) > 1 and reference_kind(seq) == "user file":
            out.append(f"<span style='color:{colours.muted}; font-size:11px;'>{html.escape(rest[1])}</span>")
    elif compact and is_flat(seq):  # a narrow view still says why the figure is flat
        out.append(f"<span style='color:{colours.muted}; font-size:11px;'>{FLAT_NOTE}</span>")
    return "<br>".join(out)


def ghost_caption(gen: PoseSequence, ref: PoseSequence, colours: ViewColours, compact: bool) -> str:
    """One view, two skeletons: which is solid (generated), which translucent (reference)."""
    t = colours

    def head(seq: PoseSequence, badge_html: str, look: str, size: int) -> str:
        text = seq.meta.get("text") or seq.meta.get("gloss")
        said = f"&nbsp; <span style='font-size:{size}px; font-weight:600;'>“{html.escape(str(text))}”</span>"
        return badge_html + f"<span style='color:{t.muted};'> · {look}</span>" + (said if text else "")

    out = [
        head(gen, badge(GENERATED, t.generated), "solid", 16),
        head(ref, badge(f"reference · {reference_kind(ref)}", t.reference), "translucent", 14),
    ]
    langs = []
    for seq in (gen, ref):
        lines = describe(seq, with_kind=False)
        rest = lines[1:] if (seq.meta.get("text") or seq.meta.get("gloss")) else lines
        if seq.meta.get("sign_language") and rest and rest[0] not in langs:
            langs.append(rest[0])
        if not compact and len(rest) > (1 if seq.meta.get("sign_language") else 0):
            facts = rest[1] if seq.meta.get("sign_language") else rest[0]
            who = GENERATED if seq is gen else "reference"
            langs.append(f"<span style='color:{t.muted}; font-size:11px;'>{who}: {html.escape(facts)}</span>")
    out.extend(line if line.startswith("<span") else html.escape(line) for line in langs)
    return "<br>".join(out)


def heat_legend(colours: ViewColours, note: str, compact: bool) -> str:
    """The heat map's scale, with ``note`` (e.g. the worst joints) under it."""
    stops = ((0.0, "0"), (HEAT_FULL / 2, f"{HEAT_FULL / 2:g}"), (HEAT_FULL, f"≥ {HEAT_FULL:g}"))
    chips = []
    for value, label in stops:
        r, g, b = (int(255 * c) for c in heat_colors(np.array([value]))[0])
        chips.append(f"<span style='color: rgb({r},{g},{b}); font-size: 15px;'>●</span>&nbsp;{label}")
    line = "joint error vs reference (shoulder widths): " + "&nbsp;&nbsp;".join(chips)
    note_html = f"<br><span style='color:{colours.muted};'>{html.escape(note)}</span>" if note else ""
    return f"<span style='font-size:11px;'>{line}{note_html}</span>" if compact else line + note_html


def group_legend(colours: ViewColours, compact: bool) -> str:
    """A coloured dot per body part, and (unless ``compact``) what faint and missing points mean."""
    palette = {**GROUP_COLORS, **colours.colors}
    chips = []
    for group, label in GROUP_LABELS.items():
        r, g, b = palette[group]
        dot = f"<span style='color: rgb({r},{g},{b}); font-size: 15px;'>●</span>"
        chips.append(f"{dot}&nbsp;{label.replace(' ', '&nbsp;')}")  # never split "right hand"
    sep = "&nbsp;&nbsp;" if compact else "&nbsp;&nbsp;&nbsp;"
    if compact:
        return f"<span style='font-size:11px;'>{sep.join(chips)}</span>"
    note = "faint = low confidence · missing points are not drawn"
    return sep.join(chips) + f"<br><span style='color:{colours.muted};'>{note}</span>"
