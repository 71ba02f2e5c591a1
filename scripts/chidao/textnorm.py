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
from functools import cache, lru_cache

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
    """A source file that cannot become a record. ``kind`` types the rejection, ``hint``
    tells the person who supplied the file what to do."""

    def __init__(self, reason: str, hint: str | None = None, kind: str = "unreadable"):
        super().__init__(reason)
        self.reason, self.hint, self.kind = reason, hint, kind


MAX_BYTES = 2_000_000  # a directive is a few pages; a larger file is a bundle or not text
_MAGIC = {b"%PDF": "a PDF", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
          b"PK\x03\x04": "a ZIP archive (e.g. .docx)", b"\xd0\xcf\x11\xe0": "a legacy Office file (e.g. .doc)",
          b"{\\rtf": "an RTF document"}
_TEXT_HINT = "save the document as plain text in UTF-8 (e.g. copy its text into a .txt file)"


def decode(data: bytes) -> tuple[str, list[str]]:
    """Decode a source file's bytes to text; returns (text, notes on what was repaired).
    Raises SourceError with the reason when the bytes are not a text we can read."""
    if len(data) > MAX_BYTES:
        raise SourceError(f"too large ({len(data):,} bytes; a directive is under {MAX_BYTES:,})",
                          "split a bundle into one file per directive", "too_large")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise SourceError(f"binary content: {what}, not text", _TEXT_HINT, "binary")
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict") if _utf8(data[3:]) else None
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(f"invalid UTF-16 text ({exc.reason})", _TEXT_HINT, "encoding") from exc
    else:
        text = data.decode("utf-8") if _utf8(data) else None
    if text is None:
        if b"\x00" in data[:4096]:
            raise SourceError("binary content (NUL bytes), not text", _TEXT_HINT, "binary")
        text = data.decode("cp1252", errors="replace")
        notes.append("not UTF-8: read as Windows-1252")
    if "\x00" in text or len(_CONTROL.findall(text, 0, 4096)) > 8:
        raise SourceError("binary content (control characters), not text", _TEXT_HINT, "binary")
    if not text.strip():
        raise SourceError("empty file" if not text else "only white space", "check the export: the file has no text",
                          "empty")
    from .legacy import LegacyText, convert

    try:
        text, note = convert(unicodedata.normalize("NFC", text))
    except LegacyText as exc:
        raise SourceError(str(exc), "convert the file to Unicode (UTF-8) with a Vietnamese converter "
                          "such as Unikey's, then add it again", "encoding") from exc
    if note:
        notes.append(note)
    elif notes:
        raise SourceError("not UTF-8 and no known Vietnamese legacy encoding (TCVN3, VNI) detected",
                          _TEXT_HINT, "encoding")
    return text, notes


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f]")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t"), " ")
# PDF fonts of the 2000s encode "Ư/ư" as the look-alike "Ƣ/ƣ" (U+01A2/U+01A3)
_LOOKALIKES = str.maketrans({"\u01a2": "Ư", "\u01a3": "ư"})
_CLEAN = {**_ZERO_WIDTH, **_SPACES, **_LOOKALIKES}
_CELL_BREAK = re.compile(r"(?<=\S)[ \u00a0]*\t[\t \u00a0]*(?=\S)")
# Text laid out in columns (a PDF converted with its layout) puts a wide gap between the
# left and right cells: "V/v ... công nghiệp      Bắc Giang, ngày 12 tháng 5 năm 2021".
# Gaps that are blanks to fill in ("Số:      /UBND", "ngày      tháng") stay.
_COLUMN_GAP = re.compile(r"(?<=[^\s:])[ \u00a0]{5,}(?=[^\s/\d.…])")


def _column_break(m: re.Match) -> str:
    after = m.string[m.end(): m.end() + 5].lower()
    return m.group(0) if after.startswith(("tháng", "thang", "năm", "nam ")) else "\n"


# --- tone placement -------------------------------------------------------------------

# In the open syllables oa, oe, uy the old style puts the tone on the second vowel
# ("hoà", "thuỷ"); the new style on the first ("hòa", "thủy"). We canonicalise to the
# first-vowel style, and only when nothing follows the pair ("hoàn", "khuỷu" stay), and
# not after "q" ("quý": there "u" belongs to the consonant).
_TONED = "".join(unicodedata.normalize("NFC", v + t) for v in "aAeEyY" for t in _TONES)
# An old-style pair ("oà", "uỷ") that opens its syllable (after a consonant other than q, or
# at a word start) and ends it (no letter follows).
_OLD_STYLE = re.compile(
    r"(?:(?<=[^\W\d_])(?<![qQaAeEiIoOuUyYàáảãạâăèéẻẽẹêìíỉĩịòóỏõọôơùúủũụưỳýỷỹỵ])|(?<![^\W\d_]))"
    r"[oOuU][" + _TONED + r"](?![^\W\d_])")
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
    return _OLD_STYLE.sub(lambda m: _new_style(m.group(0)), text)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


@cache
def _fold_table() -> dict[int, str]:
    """str.translate table for fold: every BMP character that folds to another one."""
    table = {}
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
    return text.translate(_fold_table())


@lru_cache(maxsize=256)
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
    # Word and HTML tables (the two-column header and signature blocks) copy as cells
    # separated by tabs: one cell per line, as the columns are printed.
    text = _CELL_BREAK.sub("\n", text)
    text = _COLUMN_GAP.sub(_column_break, text)
    text = text.translate(_CLEAN).replace("**", "")  # markdown-like bold wrappers around signatures
    text = re.sub(r" {2,}", " ", text)
    lines = [ln.rstrip() for ln in text.split("\n") if not _PAGE_BREAK.match(ln)]
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
