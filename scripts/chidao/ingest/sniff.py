"""Decide a file's media type from its content (magic bytes), never from its name."""

import io
import re
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
HTML = "text/html"
RTF = "text/rtf"
ZIP = "application/zip"
TEXT = "text/plain"

_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]", re.I)
_HTML_NEAR = re.compile(rb"<(head|body|meta)[\s>/]", re.I)


def sniff(data: bytes) -> str:
    head = data[:8]
    # PDF writers may put junk before the header; readers accept it within the first KB.
    if data[:1024].find(b"%PDF-") != -1:
        return PDF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC  # OLE2 compound file; a Word .doc is the only OLE2 file we expect
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(data) else ZIP
    start = data[:2048]
    start = (start[3:] if start.startswith(b"\xef\xbb\xbf") else start).lstrip(b" \t\r\n")
    if start.startswith(b"{\\rtf"):
        return RTF
    if _HTML_START.match(start) or _HTML_NEAR.search(start[:512]):
        return HTML
    return TEXT


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
