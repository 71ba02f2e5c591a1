"""Stage 1: source bytes -> normalized text, plus the match keys used by every parser.

The raw text is never altered in the package; this module produces the *normalized* text
(NFC, one line-end convention, noise removed, page-broken paragraphs rejoined) and two
length-preserving keys for matching:

* ``match_key``: lower case with one tone-placement convention ("hoà" -> "hòa"), so that
  spellings that differ only by tone placement compare equal;
* ``fold``: lower case without any diacritic and with "đ" -> "d", for OCR-damaged text and
  for diacritic-insensitive search.

Both keys keep every character at its offset, so a match found in a key can be cut out of
the normalized text at the same span.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = [
    "SourceError",
    "decode",
    "normalize",
    "match_key",
    "fold",
    "canonical_tone",
    "is_upper_line",
    "UPPER",
    "LOWER",
]


def _latin_letters(upper: bool) -> str:
    """Every Latin letter Vietnamese uses, in one case, for regex character classes."""
    ranges = [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF)]
    chars = (chr(c) for lo, hi in ranges for c in range(lo, hi + 1))
    return "".join(c for c in chars if c.isalpha() and (c.isupper() if upper else c.islower()))


UPPER = _latin_letters(True)  # for regex classes: "[" + UPPER + "]"
LOWER = _latin_letters(False)


class SourceError(ValueError):
    """A source file that cannot be read as a directive; the message names the reason."""


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t"), " ")
# PDF fonts of the 2000s encode "Ư/ư" as the look-alike "Ƣ/ƣ" (U+01A2/U+01A3)
_LOOKALIKES = str.maketrans({"\u01a2": "Ư", "\u01a3": "ư"})


def decode(data: bytes) -> str:
    """Decode a source file's bytes; raise SourceError when it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(f"invalid UTF-16 text ({exc.reason})") from exc
    if b"\x00" in data[:4096]:
        raise SourceError("binary content (NUL bytes), not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"not valid UTF-8 (byte {exc.start}: {exc.reason}); legacy encodings are not supported"
        ) from exc


# --- tone placement -------------------------------------------------------------------

# In the open syllables oa, oe, uy the old style puts the tone on the second vowel
# ("hoà", "thuỷ"); the new style on the first ("hòa", "thủy"). We canonicalise to the
# first-vowel style, and only when nothing follows the pair ("hoàn", "khuỷu" stay), and
# not after "q" ("quý": there "u" belongs to the consonant).
_OPEN_SYLLABLE = re.compile(
    # the pair starts the syllable: after a consonant other than q, or at a word start
    r"(?:(?<=[^\W\d_])(?<![qQaAeEiIoOuUyY])|(?<![^\W\d_]))"
    r"(?P<v1>[oOuU])(?P<v2>[aAeEyY])(?P<tone>[" + _TONES + r"])"
    r"(?![^\W\d_])",  # and ends it: no final consonant or vowel follows
)


def canonical_tone(text: str) -> str:
    """Move the tone of open oa/oe/uy syllables onto the first vowel; length-preserving."""
    nfd = unicodedata.normalize("NFD", text)
    if not any(t in nfd for t in _TONES):
        return text
    fixed = _OPEN_SYLLABLE.sub(
        lambda m: m["v1"] + m["tone"] + m["v2"], nfd
    )
    return unicodedata.normalize("NFC", fixed)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


_FOLD_CACHE: dict[str, str] = {}


def fold(text: str) -> str:
    """Lower case, diacritics removed, đ -> d; same length as the NFC input."""
    out = []
    for ch in text:
        f = _FOLD_CACHE.get(ch)
        if f is None:
            f = _FOLD_CACHE[ch] = _fold_char(ch)
        out.append(f)
    return "".join(out)


def match_key(text: str) -> str:
    """Lower case with canonical tone placement; same length as the NFC input."""
    key = canonical_tone(text)
    lowered = key.lower()
    return lowered if len(lowered) == len(key) else key


# --- normalization ----------------------------------------------------------------------

_PAGE_BREAK = re.compile(r"^\s*-{2,}\s*PAGE BREAK\s*-{2,}\s*$", re.IGNORECASE)
_ITEM_START = re.compile(
    r"^\s*(?:[-+•*–]|\d{1,2}(?:\.\d{1,2})*\s*[./)]|[IVXLC]{1,6}\s*[.\-–/)]|[a-zđ]\)|"
    r"Điều\s+\d|Nơi nhận|Kính gửi)",
    re.IGNORECASE,
)
_TERMINAL = tuple(".:;!?…”\")")


def is_upper_line(line: str) -> bool:
    """True for a line written in capitals (header, title, signature lines)."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _clean_line(line: str) -> str:
    line = line.translate(_ZERO_WIDTH).translate(_SPACES).translate(_LOOKALIKES)
    line = line.replace("**", "")  # markdown-like bold wrappers around signature blocks
    return re.sub(r" {2,}", " ", line).rstrip()


def _continues(prev: str, nxt: str) -> bool:
    """Does paragraph ``nxt`` continue ``prev``, cut by a page break mid-sentence?"""
    if not prev or not nxt or prev.endswith(_TERMINAL) or prev.endswith(","):
        # a comma-ended line before a blank is usually a list entry, not a broken sentence
        return False
    if len(prev) < 60 or is_upper_line(prev) or is_upper_line(nxt):
        return False
    if _ITEM_START.match(nxt):
        return False
    return nxt[0].islower() or len(prev) >= 200


def normalize(text: str) -> str:
    """NFC, LF line ends, noise removed, page-broken paragraphs rejoined."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_clean_line(ln) for ln in text.split("\n") if not _PAGE_BREAK.match(ln)]
    out: list[str] = []
    blank_run = 0
    for line in lines:
        if not line.strip():
            blank_run += 1
            continue
        if blank_run and out and _continues(out[-1], line.strip()):
            out[-1] = out[-1] + " " + line.strip()
        else:
            if blank_run and out:
                out.append("")
            out.append(line)
        blank_run = 0
    return "\n".join(out).strip("\n") + "\n"
