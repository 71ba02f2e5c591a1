"""Word documents: .docx with python-docx, legacy .doc through a LibreOffice conversion when it is installed."""

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from .errors import SourceError
from .model import Reading
from .sniff import DOC, DOCX

MAX_UNZIPPED = 50 * 1024 * 1024  # a directive's document.xml is well under 1 MB; more is a zip bomb or a book
CONVERT_TIMEOUT_S = 60
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (qn(t) for t in ("w:p", "w:tbl", "w:tr", "w:tc", "w:sdt", "w:sdtContent"))
_TXBX = qn("w:txbxContent")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            size = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SourceError(
            "a damaged Word file (its zip container is broken)", "save the document again", "damaged"
        ) from exc
    if size > MAX_UNZIPPED:
        raise SourceError(
            f"a Word file that unpacks to {size // 2**20} MB, over the {MAX_UNZIPPED // 2**20} MB bound",
            "send the directive alone, without embedded media, or as PDF",
            "too_large",
        )


def _lines(container, parent) -> list[str]:
    """Paragraph lines of a body or table cell in document order. A table row gives all lines of its first cell,
    then all lines of the next: the two-column header reads issuer/number/subject, then quốc hiệu/place-date."""
    out: list[str] = []
    for child in container.iterchildren():
        if child.tag == _P:
            para = Paragraph(child, parent)
            out.append(para.text)
            # Text boxes (w:txbxContent); skip the VML fallback copy Word writes next to the DrawingML one.
            for box in child.iter(_TXBX):
                if not any(a.tag == _FALLBACK for a in box.iterancestors()):
                    out += _lines(box, parent)
        elif child.tag == _TBL:
            for row in child.iterchildren(_TR):
                for cell in row.iterchildren(_TC):
                    out += _lines(cell, parent)
        elif child.tag == _SDT:  # content control: its paragraphs are in w:sdtContent
            for content in child.iterchildren(_SDT_CONTENT):
                out += _lines(content, parent)
    return out


def read_docx(data: bytes, media_type: str = DOCX, method: str = "docx") -> Reading:
    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors on broken parts
        raise SourceError("a damaged Word file that cannot be parsed", "save the document again", "damaged") from exc
    lines = [line for line in _lines(document.element.body, document) if line.strip()]
    if not lines:
        raise SourceError("a Word file with no text", "send the document that holds the directive", "empty")
    return Reading("\n".join(lines), media_type, method, [], [])


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes) -> Reading:
    exe = _soffice()
    if exe is None:
        raise SourceError(
            "a legacy Word .doc file: LibreOffice is not installed here to convert it",
            "save it as .docx or PDF, or install LibreOffice (apt-get install libreoffice-writer)",
            "unsupported",
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "source.doc"
        src.write_bytes(data)
        # A private profile dir: a running LibreOffice of the same user would otherwise swallow the request.
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SourceError(
                f"converting the .doc file took more than {CONVERT_TIMEOUT_S} s", "save it as .docx or PDF", "damaged"
            ) from exc
        out = Path(tmp) / "source.docx"
        if not out.exists():
            raise SourceError("LibreOffice could not convert this .doc file", "save it as .docx or PDF", "damaged")
        reading = read_docx(out.read_bytes(), media_type=DOC, method="doc")
    reading.notes.append("converted from .doc with LibreOffice")
    return reading
