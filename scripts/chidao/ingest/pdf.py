"""PDF reading: text layer where it is sound, OCR of the rendered page where it is missing or garbage."""

import math
from collections.abc import Callable

import pymupdf
from PIL import Image

from . import ocr as _ocr
from .errors import SourceError
from .model import PageReading, Reading
from .quality import text_quality

MAX_PAGES = 60  # a directive is 1-10 pages; annexes rarely pass 30
# Largest page accepted: 3 x A3 in area, and no side above 3 x the A3 long side. Anything larger is a drawing or a
# "PDF bomb" that would take gigabytes to rasterize.
A3 = (842, 1191)
MAX_PAGE_AREA = 3 * A3[0] * A3[1]
MAX_PAGE_SIDE = 3 * A3[1]
# Text-layer quality (share of valid syllables) under which the page is OCR'd. Clean Vietnamese scores 0.99+ on the
# seed texts, mojibake layers 0.0-0.5; a genuine layer with many codes, names and tables still scores > 0.85.
MIN_QUALITY = 0.75
MIN_LAYER_CHARS = 20  # fewer non-space characters than this (page number, "-1-") is treated as no layer
# A scanned page (images over most of it) whose layer is short holds only an overlay, typically the digital
# signature stamp "Ký bởi: ... Thời gian ký: ..." that provincial offices add to scans: OCR the page.
SCAN_COVER = 0.5
OVERLAY_CHARS = 400
DPI = 300
LINE_GAP = 14  # pt; blocks closer than about one line of 11-13 pt type belong together
MAX_RASTER_PIXELS = 40_000_000  # an A3 page at 300 dpi is 17 Mpx; larger accepted pages are rendered at lower dpi

OcrFn = Callable[[Image.Image], _ocr.OcrResult]


def _open(data: bytes) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises FileDataError / RuntimeError variants
        raise SourceError(
            "a damaged PDF that cannot be opened", "send the file again or export it from the original again", "damaged"
        ) from exc
    if doc.needs_pass:
        raise SourceError(
            "a password-protected PDF", "send a copy without a password (print it to PDF again)", "encrypted"
        )
    if doc.page_count == 0:
        if doc.is_repaired:  # a truncated file: MuPDF rebuilt the xref and found no page
            raise SourceError(
                "a damaged (probably truncated) PDF with no readable page", "send the complete file", "damaged"
            )
        raise SourceError("a PDF with no pages", "send the complete file", "empty")
    if doc.page_count > MAX_PAGES:
        raise SourceError(
            f"a PDF of {doc.page_count} pages, more than the {MAX_PAGES} a directive can have",
            "send the directive alone, not a collection or a book",
            "too_many_pages",
        )
    return doc


def _check_sizes(doc: pymupdf.Document) -> None:
    """Refuse oversized pages before anything is rendered."""
    for index in range(doc.page_count):
        try:
            rect = doc[index].rect
        except Exception as exc:
            raise SourceError(f"page {index + 1} of the PDF is damaged", "send the file again", "damaged") from exc
        if rect.width * rect.height > MAX_PAGE_AREA or max(rect.width, rect.height) > MAX_PAGE_SIDE:
            raise SourceError(
                f"page {index + 1} measures {rect.width:.0f} x {rect.height:.0f} pt, far larger than a paper page",
                "send the directive as A4 pages",
                "page_too_large",
            )


def page_text(page: pymupdf.Page) -> str:
    """The text layer in reading order. Blocks side by side (the two-column header, the "Nơi nhận" / signature
    row) form a band of columns, emitted left column first, each top to bottom; other blocks top to bottom.
    ``get_text(sort=True)`` interleaves the two header columns line by line, hence this."""
    blocks = sorted((b for b in page.get_text("blocks") if b[6] == 0 and b[4].strip()), key=lambda b: (b[1], b[0]))
    bands: list[dict] = []
    for b in blocks:
        band = bands[-1] if bands else None
        if band is not None:
            hit = [c for c in band["cols"] if b[0] < c[1] and b[2] > c[0]]
            beside = b[1] < band["bottom"] - 2  # starts above the band's bottom edge
            # A block just under one column of a multi-column band continues that column (header cell lines).
            below = len(band["cols"]) > 1 and len(hit) == 1 and b[1] - band["bottom"] < LINE_GAP
            if beside or below:
                col = [min([b[0]] + [c[0] for c in hit]), max([b[2]] + [c[1] for c in hit]), [b]]
                for c in hit:
                    col[2] = c[2] + col[2]
                    band["cols"].remove(c)
                band["cols"].append(col)
                band["bottom"] = max(band["bottom"], b[3])
                continue
        bands.append({"cols": [[b[0], b[2], [b]]], "bottom": b[3]})
    parts = []
    for band in bands:
        for col in sorted(band["cols"], key=lambda c: c[0]):
            parts += [b[4].strip("\n") for b in sorted(col[2], key=lambda b: (b[1], b[0]))]
    return "\n".join(parts)


def _image_cover(page: pymupdf.Page) -> float:
    """Share of the page area covered by images (overlaps counted twice; only compared with 0.5)."""
    area = page.rect.width * page.rect.height
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return covered / area if area else 0.0


def _render(page: pymupdf.Page) -> Image.Image:
    area_in = page.rect.width * page.rect.height / 72 / 72
    dpi = min(DPI, int(math.sqrt(MAX_RASTER_PIXELS / area_in)))
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    img = Image.frombuffer("RGB", (pix.width, pix.height), pix.samples_mv, "raw", "RGB", pix.stride, 1).copy()
    del pix  # one copy of the page's pixels at a time, not three
    pymupdf.TOOLS.store_shrink(100)  # MuPDF's cache of decoded images: a scan's pages do not share them
    return img


def read_pdf(data: bytes, ocr: OcrFn = _ocr.ocr_image) -> Reading:
    doc = _open(data)
    _check_sizes(doc)
    texts: list[str] = []
    pages: list[PageReading] = []
    notes: list[str] = []
    for index in range(doc.page_count):
        page = doc[index]
        number = index + 1
        try:
            layer = page_text(page)
        except Exception as exc:  # a broken content stream MuPDF cannot interpret
            raise SourceError(f"page {number} of the PDF is damaged", "send the file again", "damaged") from exc
        chars = len("".join(layer.split()))
        quality = round(text_quality(layer), 3) if chars >= MIN_LAYER_CHARS else None
        overlay = quality is not None and chars < OVERLAY_CHARS and _image_cover(page) > SCAN_COVER
        if quality is not None and quality >= MIN_QUALITY and not overlay:
            texts.append(layer)
            pages.append(PageReading(number, "text_layer", len(layer), quality, None))
            continue
        result = ocr(_render(page))
        if quality is not None and not overlay and text_quality(result.text) <= quality:
            # A poor layer that OCR cannot beat (vector-drawn text, foreign words): keep what the layer says.
            notes.append(f"page {number}: text layer of low quality ({quality:.2f}) kept, OCR was no better")
            texts.append(layer)
            pages.append(PageReading(number, "text_layer", len(layer), quality, None))
            continue
        if quality is None:
            notes.append(f"page {number}: no text layer, read by OCR (confidence {result.confidence:.0f})")
        elif quality < MIN_QUALITY:
            notes.append(f"page {number}: text layer garbage (quality {quality:.2f}), read by OCR")
        else:
            notes.append(f"page {number}: a scan with only {chars} characters of text layer, read by OCR")
        notes += [f"page {number}: {n}" for n in result.notes]
        texts.append(result.text)
        pages.append(
            PageReading(
                number,
                "ocr",
                len(result.text),
                quality,
                result.confidence,
                result.uncertain_words,
                result.psm,
                result.rotation,
            )
        )
    if not any(t.strip() for t in texts):
        raise SourceError(
            "a PDF with no readable text on any page, even by OCR",
            "send a legible scan (300 dpi, black on white) or the original document",
            "no_text",
        )
    methods = {p.method for p in pages}
    method = "mixed" if len(methods) > 1 else methods.pop()
    return Reading("\n\n".join(texts), "application/pdf", method, pages, notes)
