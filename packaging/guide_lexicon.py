"""The stand-in lexicon of the user guide's "Your lexicon" pictures (`guide_screenshots.sh`).

No package we can install ships lexical signs, so real recordings of the ASL fingerspelling
alphabet play the part of signs here, saved under glosses: the clip of the letter W becomes
WATER, B becomes BREAD, T becomes THANK-YOU. The pictures show the flow (a recording added to a
lexicon, a sentence signed with it), not the linguistics of these signs.

    python packaging/guide_lexicon.py WORK    # WORK/water.pose (a recording to add in the studio)
                                              # WORK/lexicon/ with BREAD and THANK-YOU already in it
"""

from __future__ import annotations

import sys
from pathlib import Path

STAND_INS = {"W": ("WATER", "water"), "B": ("BREAD", "bread"), "T": ("THANK-YOU", "thank you")}


def letter_clip(letter: str):  # type: ignore[no-untyped-def]
    """The fingerspelling lexicon's recording of ``letter`` (ASL), read as it is."""
    from signstudio.corpus.lexicon import lexicon_index
    from signstudio.pose.formats import read_one

    entry = next(e for e in lexicon_index() if e.sign_language == "ase" and e.letter == letter)
    return read_one(entry.path)


def main(work: Path) -> int:
    from signstudio.corpus.user_lexicon import add_sign, create_lexicon
    from signstudio.pose.formats import write

    write(work / "water.pose", letter_clip("W"))  # added in the studio by the first picture
    folder = work / "lexicon"
    create_lexicon(folder)
    for letter in ("B", "T"):
        gloss, words = STAND_INS[letter]
        add_sign(folder, letter_clip(letter), gloss=gloss, words=words, spoken_language="en",
                 sign_language="ase", trim=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
