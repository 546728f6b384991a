"""The user's own data for `signstudio train MODEL --data TRAIN... [--dev DEV...] [--langs SL]`.

    data = load_user_data(["ph/train.skels"], ["ph/dev.skels"], ["gsg"])
    print(data.summary())            # "data: 5 train, 5 dev sequences (gsg) ..."
    note = data.frame_limit_note(256, "nar-kd")   # None, or how many are longer and what happens

Splits (no torch here):

* ``--dev`` given: every sequence of those files is dev; of the ``--data`` files, the sequences
  marked train (or not marked at all) train, those marked dev or test are left out (and counted).
* no ``--dev``: each ``--data`` sequence goes where it says — ``meta["split"]``, the prefix of its
  key (PT's ``.files`` lines ``dev/...``, ``train/...``), the file name (``dev.skels``) — and an
  unmarked sequence trains. Test sequences are left out. No dev sequence at all is a `DataError`
  saying how to give one; train is never reused as dev.

Sign language: ``--langs`` (one code) wins; without it, the one ``meta["sign_language"]`` the
files state; files that state none (PT's PHOENIX14T) or several are a `DataError` saying what to
pass. What a checkpoint trained on the data fits (`UserData.fits`): ``layout``, ``normalisation``,
``sign_languages``, ``data`` (and ``target`` for the evaluators) — read by ``signstudio score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from signstudio.modeling.data import FPS, LAYOUT, Example, example_of, split_of_sequence

NORMALISATION = "neck-shoulder"  # neck at the origin, shoulder width 1 (per sequence), 25 fps


class DataError(ValueError):
    """Bad training data: one line naming the file and the problem."""


@dataclass
class UserData:
    lang: str
    train: list[Example]
    dev: list[Example]
    train_files: tuple[str, ...]
    dev_files: tuple[str, ...]
    convention: str | None = None  # the reader's note on the files' own units (PT: scale 3 ...)
    left_out: dict[str, int] = field(default_factory=dict)  # split -> sequences not used

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.train_files, *self.dev_files)

    def summary(self) -> str:
        """The split sizes this run uses, on one line."""
        left = ", ".join(f"{n} {s}" for s, n in sorted(self.left_out.items()) if n)
        where = f"dev from {', '.join(self.dev_files)}" if self.dev_files else "dev marked in the data"
        return f"data: {len(self.train)} train, {len(self.dev)} dev sequences ({self.lang}; {where})" + (
            f"; left out: {left}" if left else ""
        )

    def fits(self, target: str | None = None) -> dict[str, Any]:
        """What a checkpoint trained on this data fits (stored in its meta)."""
        out: dict[str, Any] = {
            "layout": LAYOUT,
            "normalisation": NORMALISATION,
            "fps": FPS,
            "source_convention": self.convention,
            "sign_languages": [self.lang],
            "data": list(self.train_files),
            "dev_data": list(self.dev_files),
            "train_sequences": len(self.train),
            "dev_sequences": len(self.dev),
        }
        if target is not None:
            out["target"] = target
        return out

    def frame_limit_note(self, limit: int, model: str, option: str = "--max-frames") -> str | None:
        """One line when sequences are longer than the model's frame limit: how many, and that
        they are cut (and how to raise the limit); None when every sequence fits."""
        longer = [e.num_frames for e in self.train + self.dev if e.num_frames > limit]
        if not longer:
            return None
        return (
            f"note: {len(longer)} of {len(self.train) + len(self.dev)} sequences are longer than "
            f"{model}'s limit of {limit} frames (longest {max(longer)}): training cuts them to the "
            f"first {limit}; raise the limit with {option} {max(longer)}"
        )


def load_user_data(data: Sequence[str], dev: Sequence[str], langs: Sequence[str] | None) -> UserData:
    """The train and dev examples of ``--data`` and ``--dev`` (see the module's notes)."""
    from signstudio.pose.formats import read

    train_seqs = [(str(p), i, s) for p in data for i, s in enumerate(read(p))]
    dev_seqs = [(str(p), i, s) for p in dev for i, s in enumerate(read(p))]
    for path in (*data, *dev):
        if not any(p == str(path) for p, _, _ in train_seqs + dev_seqs):
            raise DataError(f"{path}: holds no sequence")
    lang = _sign_language([s for _, _, s in train_seqs + dev_seqs], langs, (*data, *dev))
    train: list[Example] = []
    dev_ex: list[Example] = []
    left_out: dict[str, int] = {}
    for path, i, seq in train_seqs:
        split = split_of_sequence(seq, path, unmarked="train")
        if split == "train" or (split == "dev" and not dev):
            (train if split == "train" else dev_ex).append(_example(seq, path, i, lang, split))
        else:
            left_out[split] = left_out.get(split, 0) + 1
    dev_ex.extend(_example(seq, path, i, lang, "dev") for path, i, seq in dev_seqs)
    first = str(data[0]) if data else "--data"
    if not train:
        raise DataError(f"{first}: no training sequences (all are marked dev or test)")
    if not dev_ex:
        raise DataError(
            f"{first}: no dev data (no sequence is marked dev by its file name, .files key or meta); "
            "give dev files with --dev FILE (e.g. --dev dev.skels)"
        )
    conventions = {str(s.meta.get("convention")) for _, _, s in train_seqs if s.meta.get("convention")}
    return UserData(
        lang,
        train,
        dev_ex,
        tuple(str(p) for p in data),
        tuple(str(p) for p in dev),
        convention=next(iter(conventions)) if len(conventions) == 1 else None,
        left_out=left_out,
    )


def _example(seq: Any, path: str, i: int, lang: str, split: str) -> Example:
    try:
        return example_of(seq, f"{path}: sequence {i + 1}", lang, split)
    except ValueError as exc:
        raise DataError(str(exc)) from None


def _sign_language(seqs: Sequence[Any], langs: Sequence[str] | None, paths: Sequence[str]) -> str:
    """``--langs`` (one code), else the one sign language the files state."""
    if langs:
        if len(langs) != 1:
            raise DataError(
                f"--data holds one sign language: give exactly one in --langs, not {' '.join(langs)}"
            )
        return str(langs[0])
    stated = sorted({str(s.meta["sign_language"]) for s in seqs if s.meta.get("sign_language")})
    where = paths[0] if paths else "--data"
    if len(stated) == 1:
        return stated[0]
    if stated:
        raise DataError(f"{where}: the files hold {', '.join(stated)}; train one at a time with --langs SL")
    raise DataError(
        f"{where}: the files do not say which sign language they hold; pass it with --langs SL "
        "(e.g. --langs gsg for PHOENIX14T)"
    )
