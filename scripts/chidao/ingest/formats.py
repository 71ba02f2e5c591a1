"""The readers of every format but plain text: bytes in, ``Reading`` (text + how it was obtained)
out; the format is decided from the content (``sniff``), never from the file name. Readers are
imported when a file of their kind comes: a build of text files never loads PDF or OCR code."""

from __future__ import annotations

from . import sniff as _sniff
from .errors import SourceError
from .model import Reading
from .sniff import sniff

__all__ = ["Reading", "SourceError", "read_bytes", "sniff"]

MAX_BYTES = 50 * 1024 * 1024  # a scanned 20-page directive at 300 dpi JPEG is ~10 MB
MAX_TEXT_BYTES = 10 * 1024 * 1024  # HTML/RTF: a directive page is well under 1 MB


def read_bytes(data: bytes) -> Reading | None:
    """Read a source file (messages name the problem; the caller names the file). Returns None
    for plain text, which ``textnorm.decode`` reads."""
    if not data:
        return None  # the text decoder says it is empty
    media_type = _sniff.sniff(data)
    limit = MAX_TEXT_BYTES if media_type in (_sniff.HTML, _sniff.RTF) else MAX_BYTES
    if len(data) > limit:
        raise SourceError(
            f"{len(data) // 2**20} MB, over the {limit // 2**20} MB bound for {media_type}",
            "send the directive alone, scanned at 300 dpi",
            "too_large",
        )
    if media_type == _sniff.PDF:
        from .pdf import read_pdf

        return read_pdf(data)
    if media_type in (_sniff.DOCX, _sniff.DOC):
        from .office import read_doc, read_docx

        return read_docx(data) if media_type == _sniff.DOCX else read_doc(data)
    if media_type in (_sniff.PNG, _sniff.JPEG, _sniff.TIFF):
        from .image import read_image

        return read_image(data)
    if media_type == _sniff.HTML:
        from .html import read_html

        return read_html(data)
    if media_type == _sniff.RTF:
        raise SourceError("an RTF file, not supported", "save it as .docx or PDF", "unsupported")
    if media_type == _sniff.ZIP:
        raise SourceError(
            "a zip archive, not a document", "unpack it and send the directive file itself", "unsupported"
        )
    return None
