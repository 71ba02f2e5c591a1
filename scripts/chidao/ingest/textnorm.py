"""Ingest, for text files: source bytes -> normalized text.

The raw text is never altered in the package; this module decodes it (UTF-8, UTF-16,
legacy encodings) and produces the *normalized* text: NFC, one line-end convention, noise
removed, page-broken paragraphs rejoined. The matching keys live in ``chidao.vntext``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..vntext import is_upper_line
from .errors import SourceError
from .text import decode_cp1258

__all__ = ["SourceError", "decode", "normalize"]


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
    if text is None and b"\x00" not in data[:4096] and (text := decode_cp1258(data)) is not None:
        # Windows-1258 (Vietnamese): tones as combining marks; decoded only when it reads as Vietnamese
        return text, ["not UTF-8: read as Windows-1258 (Vietnamese)"]
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


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u3000\t"), " ")
# PDF fonts of the 2000s encode "Ư/ư" as the look-alike "Ƣ/ƣ" (U+01A2/U+01A3)
_LOOKALIKES = str.maketrans({"\u01a2": "Ư", "\u01a3": "ư"})
_CLEAN = {**_ZERO_WIDTH, **_SPACES, **_LOOKALIKES}
_CLEAN_ANY = re.compile("[" + re.escape("".join(map(chr, _CLEAN))) + "]")  # most texts have none of them
_CELL_BREAK = re.compile(r"(?<=\S)[ \u00a0]*\t[\t \u00a0]*(?=\S)")
# Text laid out in columns (a PDF converted with its layout) puts a wide gap between the
# left and right cells: "V/v ... công nghiệp      Bắc Giang, ngày 12 tháng 5 năm 2021".
# Gaps that are blanks to fill in ("Số:      /UBND", "ngày      tháng") stay.
_COLUMN_GAP = re.compile(r"(?<=[^\s:])[ \u00a0]{5,}(?=[^\s/\d.…])")


def _column_break(m: re.Match) -> str:
    after = m.string[m.end(): m.end() + 5].lower()
    return m.group(0) if after.startswith(("tháng", "thang", "năm", "nam ")) else "\n"


# --- normalization ----------------------------------------------------------------------

_PAGE_BREAK = re.compile(r"^\s*-{2,}\s*PAGE BREAK\s*-{2,}\s*$", re.IGNORECASE)
_ITEM_START = re.compile(
    r"^\s*(?:[-+•*–]|\d{1,2}(?:\.\d{1,2})*\s*[./)]|[IVXLC]{1,6}\s*[.\-–/)]|[a-zđ]\)|"
    r"Điều\s+\d|Nơi nhận|Kính gửi)",
    re.IGNORECASE,
)
_TERMINAL = tuple(".:;!?…”\")")


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
    # (each substitution only where the text holds what it needs: a tab, a wide gap, ...; the
    # look-behinds of these regexes keep the engine from skipping ahead, so a scan costs)
    if "\t" in text:
        text = _CELL_BREAK.sub("\n", text)
    if "     " in text or "\u00a0" in text:
        text = _COLUMN_GAP.sub(_column_break, text)
    if _CLEAN_ANY.search(text):
        text = text.translate(_CLEAN)
    text = text.replace("**", "")  # markdown-like bold wrappers around signatures
    if "  " in text:
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
