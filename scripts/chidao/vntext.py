"""Vietnamese text keys shared by every stage: letter classes, tone canonicalisation and
two length-preserving keys for matching:

* ``match_key``: lower case with one tone-placement convention ("hoà" -> "hòa"), so that
  spellings that differ only by tone placement compare equal;
* ``fold``: lower case without any diacritic and with "đ" -> "d", for OCR-damaged text and
  for diacritic-insensitive search.

Both keys keep every character at its offset, so a match found in a key can be cut out of
the text at the same span.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

__all__ = ["UPPER", "LOWER", "canonical_tone", "fold", "match_key", "is_upper_line"]


def _latin_letters(upper: bool) -> str:
    """Every Latin letter Vietnamese uses, in one case, for regex character classes."""
    ranges = [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)]
    chars = (chr(c) for lo, hi in ranges for c in range(lo, hi + 1))
    return "".join(c for c in chars if c.isalpha() and (c.isupper() if upper else c.islower()))


UPPER = _latin_letters(True)  # for regex classes: "[" + UPPER + "]"
LOWER = _latin_letters(False)



_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below

# --- tone placement -------------------------------------------------------------------

# In the open syllables oa, oe, uy the old style puts the tone on the second vowel
# ("hoà", "thuỷ"); the new style on the first ("hòa", "thủy"). We canonicalise to the
# first-vowel style, and only when nothing follows the pair ("hoàn", "khuỷu" stay), and
# not after "q" ("quý": there "u" belongs to the consonant).
_TONED = "".join(unicodedata.normalize("NFC", v + t) for v in "aAeEyY" for t in _TONES)
# An old-style pair ("oà", "uỷ") that ends its syllable (no letter follows) and opens it: at a
# word start or after a consonant other than q. The "opens" test is done on each match in
# Python: a look-behind at the start of the pattern would make the engine try it at every
# offset of the text.
_OLD_STYLE = re.compile(r"[oOuU][" + _TONED + r"](?![^\W\d_])")
_NOT_OPENING = frozenset("qQaAeEiIoOuUyYàáảãạâăèéẻẽẹêìíỉĩịòóỏõọôơùúủũụưỳýỷỹỵ")
_QUICK = re.compile(r"[oOuU][" + _TONED + r"]")


@cache
def _new_style(pair: str) -> str:
    v1, rest = pair[0], unicodedata.normalize("NFD", pair[1])
    return unicodedata.normalize("NFC", v1 + rest[1:]) + rest[0]


def canonical_tone(text: str) -> str:
    """Move the tone of open oa/oe/uy syllables onto the first vowel; length-preserving."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not _QUICK.search(text):
        return text
    return _OLD_STYLE.sub(_restyle, text)


def _restyle(m: re.Match) -> str:
    at, text = m.start(), m.string
    if at and text[at - 1] in _NOT_OPENING:
        return m.group(0)
    return _new_style(m.group(0))


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


@cache
def _fold_table() -> list[int | str]:
    """str.translate table for fold, indexed by code point: every BMP character's fold (itself
    when it has none); past the BMP, the IndexError keeps the character. A list: translate reads
    it about twice as fast as a dict."""
    table: list[int | str] = list(range(0x10000))
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        f = _fold_char(ch)
        if f != ch:
            table[code] = f
    return table


def fold(text: str) -> str:
    """Lower case, diacritics removed, đ -> d; same length as the NFC input."""
    # Words and short names are folded over and over (vocabulary lookups): remember them.
    # The same text is folded by several steps of one extraction: remember the last ones too.
    return _fold_short(text) if len(text) <= 48 else _fold_long(text)


@lru_cache(maxsize=1 << 16)
def _fold_short(text: str) -> str:
    return text.translate(_fold_table())


@lru_cache(maxsize=64)
def _fold_long(text: str) -> str:
    return text.translate(_fold_table())


@lru_cache(maxsize=256)
def match_key(text: str) -> str:
    """Lower case with canonical tone placement; same length as the NFC input."""
    key = canonical_tone(text)
    lowered = key.lower()
    return lowered if len(lowered) == len(key) else key


def is_upper_line(line: str) -> bool:
    """True for a line written in capitals (header, title, signature lines)."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
