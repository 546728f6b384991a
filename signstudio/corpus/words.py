"""Words of each spoken language, spelled with one sign language's manual alphabet, and splits.

Word lists come from ``wordfreq`` (most frequent first); for a language wordfreq lacks
(Estonian) a fixed list of common words stands in. A word is kept when the alphabet spells it
(`spell`: longest match over the alphabet's letters and letter groups (``sch``, ``ch``, ``ll``
...) from the left, with backtracking, after lower-casing); a letter the alphabet lacks may fall
back to its base letter (``é`` -> ``e``) but never to nothing.

Splits are decided by a hash of the word alone, so a word (e.g. German "haus", spelled in DGS,
ÖGS and DSGS) lands in the same split for every sign language: no word is in two splits.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping

SPLITS = ("train", "dev", "test")
SPLIT_SHARES = (0.8, 0.1, 0.1)

# Common Estonian words (wordfreq has no Estonian list).
ESTONIAN_FALLBACK = """
ja on ei et see oli ta mis kui ma aga ka nii veel siis kes mida seda oma juba need kõik üks
kaks kolm neli viis kuus seitse kaheksa üheksa kümme aasta päev öö hommik õhtu nädal kuu tere
aitäh palun jah vabandust head homme täna eile nüüd kohe alati mitte midagi keegi ema isa laps
poeg tütar vend õde sõber mees naine inimene pere kodu maja tuba uks aken laud tool voodi köök
vesi leib piim kohv tee toit õun supp liha kala muna juust sool suhkur linn küla tee tänav pood
kool töö raha auto buss rong laev lennuk jalgratas ilm vihm lumi päike tuul meri järv jõgi mets
puu lill muru kivi mägi saar taevas täht kuu maa tuli suur väike hea halb uus vana ilus kiire
aeglane soe külm kuum pikk lühike noor vaba punane sinine roheline kollane must valge hall
pruun minema tulema olema tegema nägema ütlema teadma tahtma andma võtma sööma jooma magama
rääkima kirjutama lugema mängima õppima elama armastama ootama aitama küsima vastama raamat
kiri sõna keel laul pilt film muusika sport mäng kell aeg tund minut hetk koer kass hobune lehm
lammas siga lind kana hiir karu hunt rebane jänes pea silm kõrv nina suu käsi jalg sõrm süda
keha juuksed hammas eesti soome rootsi saksa vene inglise prantsuse
""".split()  # noqa: SIM905


# wordfreq files Croatian under Serbo-Croatian.
WORDFREQ_CODES = {"hr": "sh"}


def normalise_word(word: str) -> str:
    w = unicodedata.normalize("NFC", word.strip().lower())
    # wordfreq folds Greek final sigma into σ; write it as ς again at the end of a word.
    return w[:-1] + "ς" if len(w) > 1 and w.endswith("σ") and "\u0370" <= w[0] <= "\u03ff" else w


def _strip_accents(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base


def spell(word: str, alphabet: Iterable[str]) -> list[str] | None:
    """The alphabet units that spell ``word``, or None if it can't be spelled.

    Longest match from the left, backtracking when that leads nowhere: at each position the
    longest unit that matches is taken unless the rest of the word then cannot be spelled, in
    which case the next shorter one is tried (so Jordanian "خلال" is خ لا ل, the lam-alif read
    where it stands, and a word spelled only by a shorter choice is still spelled). Greek final
    sigma counts as sigma; a letter no unit matches falls back to its base letter without
    diacritics if the alphabet has that, and a stray combining mark belongs to the letter before.
    This is the one speller: the corpus references and the lookup model both split with it.
    """
    units = sorted(set(alphabet), key=len, reverse=True)
    unit_set = set(units)
    w = normalise_word(word).replace("ς", "σ")
    # rest[i]: the spelling of w[i:] (None: none), filled from the end, so each position's
    # first workable option in order of preference is found without re-trying any suffix.
    rest: list[list[str] | None] = [None] * len(w) + [[]]
    for i in range(len(w) - 1, -1, -1):
        for unit, step in _options(w, i, units, unit_set):
            tail = rest[i + step]
            if tail is not None:
                rest[i] = [unit, *tail] if unit else tail
                break
    return rest[0] or None


def _options(w: str, i: int, units: list[str], unit_set: set[str]) -> list[tuple[str, int]]:
    """(unit, characters it covers) that may stand at ``w[i]``, best first; "" skips a mark."""
    options = [(u, len(u)) for u in units if w.startswith(u, i)]
    ch = w[i]
    if unicodedata.combining(ch):  # a stray combining mark: part of the previous letter
        options.append(("", 1))
    else:
        base = _strip_accents(ch)
        if base and base in unit_set and base != ch:
            options.append((base, 1))
    return options


def missing_letters(word: str, alphabet: Iterable[str]) -> list[str]:
    """The characters of ``word`` that keep `spell` from spelling it (in order, once each): those
    the alphabet has neither as a letter nor as a base letter. Empty when it spells the word."""
    units = set(alphabet)
    if spell(word, units) is not None:
        return []
    w = normalise_word(word).replace("ς", "σ")
    blocking = [
        ch
        for ch in w
        if ch not in units and not unicodedata.combining(ch) and _strip_accents(ch) not in units
    ]
    return list(dict.fromkeys(blocking)) or sorted(set(w) - units)


def candidate_words(spoken_language: str, limit: int = 20000) -> list[str]:
    """Most frequent words first (wordfreq), or the fallback list."""
    if spoken_language == "et":
        return list(dict.fromkeys(ESTONIAN_FALLBACK))
    from wordfreq import available_languages, top_n_list

    code = WORDFREQ_CODES.get(spoken_language, spoken_language)
    if code not in available_languages():
        raise KeyError(f"wordfreq has no list for {spoken_language!r} and there is no fallback")
    return top_n_list(code, limit)


def choose_words(
    spoken_language: str,
    alphabet: Mapping[str, object] | Iterable[str],
    count: int,
    min_units: int = 3,
    max_units: int = 8,
) -> list[tuple[str, list[str]]]:
    """Up to ``count`` frequent words spellable in the alphabet, with their spelling units."""
    units = list(alphabet)
    chosen: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for raw in candidate_words(spoken_language):
        word = normalise_word(raw)
        if word in seen or not word.isalpha():
            continue
        seen.add(word)
        spelled = spell(word, units)
        if spelled is None or not min_units <= len(spelled) <= max_units:
            continue
        chosen.append((word, spelled))
        if len(chosen) >= count:
            break
    return chosen


def split_of(word: str) -> str:
    """``train``, ``dev`` or ``test`` for a word; stable across runs, machines and languages."""
    digest = hashlib.blake2b(normalise_word(word).encode("utf-8"), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    edge = 0.0
    for name, share in zip(SPLITS, SPLIT_SHARES, strict=True):
        edge += share
        if u < edge:
            return name
    return SPLITS[-1]
