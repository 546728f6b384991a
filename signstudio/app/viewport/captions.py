"""What the viewport's captions and legend say, as rich text (no Qt).

Each view's caption names what it shows — decided from the sequence's meta, never from the view
it sits in (`signstudio.session.captions.describe_view`: generated with its model and checkpoint,
recorded clip, lexicon join, user file) — then the text signed, the sign language and (unless the
view is narrow, ``compact``) layout, frames, duration and where it came from. The legend shows the
group colours, or the heat map's scale while it is on.
"""

from __future__ import annotations

import html

import numpy as np

from signstudio.app.viewport.colours import ViewColours
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import GROUP_COLORS
from signstudio.session.captions import Role, ViewCaption, describe_view
from signstudio.session.geometry import HEAT_FULL, heat_colors

GROUP_LABELS = {"body": "body", "left_hand": "left hand", "right_hand": "right hand", "face": "face"}
FLAT_NOTE = "2D: drawn flat"


def is_flat(seq: PoseSequence) -> bool:
    """A 2D sequence: its file says so (``convention.dims == 2``, e.g. OpenPose ``.pose``), or
    every present point has z exactly 0. The viewport draws such a file on the z = 0 plane."""
    conv = seq.meta.get("convention") or {}
    if isinstance(conv, dict) and conv.get("dims") == 2:
        return True
    present = seq.confidence > 0
    return bool(present.any()) and not np.any(seq.data[..., 2][present])


def facts(seq: PoseSequence) -> str:
    """One line: mirrored, layout, drawn flat, frames at fps (duration)."""
    out = ["mirrored (left ↔ right)"] if seq.meta.get("mirrored") else []
    out.append(f"layout {seq.layout}")
    if is_flat(seq):
        out.append(FLAT_NOTE)
    out.append(f"{seq.num_frames} frames at {seq.fps:g} fps ({seq.duration:.2f} s)")
    return " · ".join(out)


def describe(seq: PoseSequence, role: Role = "shown") -> list[str]:
    """Lines saying what a sequence is (`describe_view`): badge, text, sign language, facts,
    origin (empty ones left out)."""
    cap = describe_view(seq, role)
    lines = [cap.badge, f"“{cap.title}”" if cap.title else "", cap.language, facts(seq), cap.detail]
    return [line for line in lines if line]


def badge(text: str, color: str) -> str:
    return (
        f"<span style='color:{color}; font-size:12px; font-weight:700; letter-spacing:1px;'>"
        f"{html.escape(text.upper())}</span>"
    )


def badge_of(cap: ViewCaption, colours: ViewColours) -> str:
    """The caption's badge: blue for generated signing, amber for recordings and files."""
    return badge(cap.badge, colours.generated if cap.kind == "generated" else colours.reference)


def _muted(text: str, colours: ViewColours) -> str:
    return f"<span style='color:{colours.muted}; font-size:11px;'>{html.escape(text)}</span>"


def caption_block(
    seq: PoseSequence, role: Role, colours: ViewColours, compact: bool, big: bool = True
) -> str:
    """Badge line (what the view shows: `signstudio.session.captions.describe_view`), the text
    signed (large), the sign language, then (unless ``compact``) layout, frames and duration, and
    where it came from (checkpoint, file, joined clips)."""
    cap = describe_view(seq, role)
    out = [badge_of(cap, colours)]
    if cap.title:
        size = (16 if compact else 19) if big else 14
        out.append(f"<span style='font-size:{size}px; font-weight:600;'>“{html.escape(cap.title)}”</span>")
    if cap.language:
        out.append(html.escape(cap.language))
    if not compact:
        out.append(_muted(facts(seq), colours))
        if cap.detail:
            out.append(_muted(cap.detail, colours))
    elif is_flat(seq):  # a narrow view still says why the figure is flat
        out.append(_muted(FLAT_NOTE, colours))
    return "<br>".join(out)


def ghost_caption(gen: PoseSequence, ref: PoseSequence, colours: ViewColours, compact: bool) -> str:
    """One view, two skeletons: what each is, which solid (shown), which translucent (reference)."""
    t = colours
    caps = (describe_view(gen, "shown"), describe_view(ref, "reference"))

    def head(cap: ViewCaption, look: str, size: int) -> str:
        said = f"&nbsp; <span style='font-size:{size}px; font-weight:600;'>“{html.escape(cap.title)}”</span>"
        look_html = f"<span style='color:{t.muted};'> · {look}</span>"
        return badge_of(cap, t) + look_html + (said if cap.title else "")

    out = [head(caps[0], "solid", 16), head(caps[1], "translucent", 14)]
    langs = []
    for cap in caps:
        if cap.language and html.escape(cap.language) not in langs:
            langs.append(html.escape(cap.language))
    out.extend(langs)
    if not compact:
        for seq, cap, who in ((gen, caps[0], "solid"), (ref, caps[1], "translucent")):
            out.append(_muted(f"{who}: " + " · ".join(x for x in (facts(seq), cap.detail) if x), t))
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
