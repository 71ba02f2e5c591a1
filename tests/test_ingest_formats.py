"""Readers tested on real outputs of fixtures rendered from the seed directives. OCR tests: ``-m ocr``."""

import difflib
import io
import json
import os
import re
import stat
import time
import unicodedata
import zipfile

import pymupdf
import pytest
from PIL import Image

import make_formats as mf
from chidao.ingest import sniff as sn
from chidao.ingest.errors import SourceError
from chidao.ingest.formats import read_bytes
from chidao.ingest.html import read_html
from chidao.ingest.image import read_image
from chidao.ingest.ocr import OcrResult
from chidao.ingest.office import read_doc, read_docx
from chidao.ingest.pdf import read_pdf
from chidao.ingest.quality import text_quality
from chidao.ingest.text import decode_cp1258

SEEDS = mf.seed_paths()
IDS = [p.name[:3] for p in SEEDS]
ITEM = re.compile(r"^(\d{1,2})[.,]\s", re.M)  # "5," is an OCR misreading of "5." we tolerate
# Measured difflib ratios of OCR text vs source on these fixtures: 0.95-0.99 (seal, stamp, 1.5° skew, 90° turn).
MIN_SIMILARITY = 0.9
BOUND_S = 20


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def assert_lines_in_order(got: str, lines: list[str]) -> None:
    got, pos = fold(got), 0
    for line in lines:
        k = got.find(fold(line), pos)
        assert k >= 0, f"missing or out of order: {line!r}"
        pos = k + len(fold(line))


def no_ocr(img):
    raise AssertionError("OCR must not run here")


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(a), fold(b), autojunk=False).ratio()


# ---------------------------------------------------------------------------------------------------- sniff
def test_sniff_by_content_not_name():
    text = mf.seed_text(SEEDS[0])
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("a.txt", "x")
    png = io.BytesIO()
    Image.new("L", (8, 8), 255).save(png, "PNG")
    jpg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpg, "JPEG")
    tif = io.BytesIO()
    Image.new("L", (8, 8)).save(tif, "TIFF")
    cases = {
        "a.docx": (mf.render_text_pdf(text), sn.PDF),
        "a.pdf": (mf.render_docx(text), sn.DOCX),
        "a.txt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), sn.DOC),
        "a.jpg": (png.getvalue(), sn.PNG),
        "a.png": (jpg.getvalue(), sn.JPEG),
        "a.html": (tif.getvalue(), sn.TIFF),
        "a.doc": (b"\xef\xbb\xbf \n<!DOCTYPE html><p>x</p>", sn.HTML),
        "b.doc": (b"\n<meta charset=utf-8><title>x</title><body>y", sn.HTML),
        "a.zip": (b"{\\rtf1\\ansi hello}", sn.RTF),
        "b.docx": (zbuf.getvalue(), sn.ZIP),
        "c.pdf": (text.encode(), sn.TEXT),
    }
    for name, (data, expected) in cases.items():
        assert sn.sniff(data) == expected, name
    assert read_bytes(cases["a.docx"][0]).method == "text_layer"
    assert read_bytes(text.encode()) is None  # plain text is left to the project's decoder


def test_read_bytes_rejections():
    assert read_bytes(b"") is None  # the text decoder rejects it as empty
    for data, kind in [
        (b"%PDF-1.7\n" + bytes(51 * 2**20), "too_large"),
        (b"{\\rtf1 x}", "unsupported"),
    ]:
        with pytest.raises(SourceError) as exc:
            read_bytes(data)
        assert exc.value.kind == kind and exc.value.hint
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("scan.pdf", "x")
    with pytest.raises(SourceError) as exc:
        read_bytes(zbuf.getvalue())
    assert exc.value.kind == "unsupported"


# ---------------------------------------------------------------------------------------------------- quality, cp1258
def test_quality_separates_clean_from_mojibake():
    for p in SEEDS:
        assert text_quality(mf.seed_text(p)) > 0.9
    mojibake = ["Tá»‰nh á»§y Lai ChÃ¢u yÃªu cáº§u", "HUY~N HI~P HOA", "S6 601 IUBND- YT", "TØnh ñy Lai Ch©u"]
    for bad in mojibake + [mf.mojibake(mf.seed_text(SEEDS[0]))]:
        assert text_quality(bad) < 0.75, bad


_CP1258_TONES = set("\u0300\u0301\u0303\u0309\u0323")


def encode_cp1258(text: str) -> bytes:
    """What a Windows-1258 editor writes: base letter (ê, ơ, ă ... stay precomposed) + a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _CP1258_TONES))
        out += base.encode("cp1258") + "".join(c for c in parts if c in _CP1258_TONES).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize("path", SEEDS, ids=IDS)
def test_decode_cp1258(path):
    text = mf.seed_text(path)
    data = encode_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_cp1258(data) == unicodedata.normalize("NFC", text)


def test_decode_cp1258_refuses_non_vietnamese():
    assert decode_cp1258(b"The quick brown fox jumps over the lazy dog, again and again.") is None
    assert decode_cp1258(bytes(range(128, 256)) * 4) is None


# ---------------------------------------------------------------------------------------------------- text-layer PDF
@pytest.mark.parametrize("path", SEEDS, ids=IDS)
def test_text_layer_pdf(path):
    text = mf.seed_text(path)
    data = mf.render_text_pdf(text)
    t0 = time.monotonic()
    reading = read_pdf(data, ocr=no_ocr)
    assert time.monotonic() - t0 < 2
    assert reading.method == "text_layer" and reading.media_type == "application/pdf"
    assert len(reading.pages) == pymupdf.open(stream=data).page_count
    assert [p.number for p in reading.pages] == list(range(1, len(reading.pages) + 1))
    assert all(p.method == "text_layer" and p.text_quality > 0.9 and p.ocr_confidence is None for p in reading.pages)
    assert_lines_in_order(reading.text, mf.layout(text).lines())
    assert json.loads(json.dumps(reading.to_dict()))["pages"][0]["method"] == "text_layer"


def test_minutes_pdf_is_readable():
    reading = read_pdf(mf.minutes_pdf(), ocr=no_ocr)
    assert reading.method == "text_layer"
    assert "BIÊN BẢN" in reading.text and "Nguyễn Văn An" in reading.text


# ---------------------------------------------------------------------------------------------------- bad PDFs
@pytest.mark.parametrize(
    "make, kinds",
    [
        (lambda t: mf.encrypted_pdf(t), {"encrypted"}),
        (lambda t: mf.truncated_pdf(t), {"damaged"}),
        (lambda t: mf.junk_pdf(), {"damaged"}),
        (lambda t: mf.zero_page_pdf(), {"empty"}),
        (lambda t: mf.many_pages_pdf(500), {"too_many_pages"}),
        (lambda t: mf.huge_page_pdf(), {"page_too_large"}),
    ],
    ids=["encrypted", "truncated", "junk", "zero_pages", "500_pages", "huge_page"],
)
def test_bad_pdfs(make, kinds):
    data = make(mf.seed_text(SEEDS[0]))
    t0 = time.monotonic()
    with pytest.raises(SourceError) as exc:
        read_pdf(data, ocr=no_ocr)  # refused before any OCR
    assert time.monotonic() - t0 < BOUND_S
    assert exc.value.kind in kinds and exc.value.reason and exc.value.hint


def test_blank_pdf_has_no_text():
    doc = pymupdf.open()
    doc.new_page()
    t0 = time.monotonic()
    with pytest.raises(SourceError) as exc:
        read_pdf(doc.tobytes())  # real OCR of one blank page
    assert exc.value.kind == "no_text"
    assert time.monotonic() - t0 < BOUND_S


# ---------------------------------------------------------------------------------------------------- Word
@pytest.mark.parametrize("path", SEEDS, ids=IDS)
def test_docx(path):
    text = mf.seed_text(path)
    reading = read_docx(mf.render_docx(text))
    assert reading.method == "docx" and reading.pages == []
    assert_lines_in_order(reading.text, mf.layout(text).lines())
    assert "TO IGNORE" not in reading.text


def test_docx_nested_table_and_textbox():
    text = mf.seed_text(SEEDS[2])
    reading = read_docx(mf.render_docx(text, nested=True))
    assert_lines_in_order(reading.text, mf.layout(text).lines())


def test_docx_zip_bomb():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + b" " * (60 * 2**20))
    assert len(buf.getvalue()) < 2**20
    with pytest.raises(SourceError) as exc:
        read_bytes(buf.getvalue())
    assert exc.value.kind == "too_large"


def test_doc_without_libreoffice(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SourceError) as exc:
        read_doc(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert exc.value.kind == "unsupported"
    assert "LibreOffice is not installed" in exc.value.reason and "libreoffice-writer" in exc.value.hint


def test_doc_with_a_soffice_on_path(tmp_path, monkeypatch):
    """The conversion route, with a stand-in soffice that 'converts' by writing a prepared .docx."""
    text = mf.seed_text(SEEDS[1])
    (tmp_path / "prepared.docx").write_bytes(mf.render_docx(text))
    fake = tmp_path / "soffice"
    fake.write_text(
        f'#!/bin/sh\nwhile [ "$1" != "--outdir" ]; do shift; done\ncp {tmp_path}/prepared.docx "$2/source.docx"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    reading = read_doc(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert reading.method == "doc" and reading.media_type == "application/msword"
    assert_lines_in_order(reading.text, mf.layout(text).lines())


# ---------------------------------------------------------------------------------------------------- HTML
@pytest.mark.parametrize("path", SEEDS, ids=IDS)
def test_html(path):
    text = mf.seed_text(path)
    reading = read_html(mf.render_html(text))
    assert reading.method == "html"
    assert_lines_in_order(reading.text, mf.layout(text).lines())
    for chrome in ("Trang chủ", "Bản quyền", "track()", "margin"):
        assert chrome not in reading.text


def test_html_charsets_and_entities():
    page = "<html><body><div class=content><p>Sở Y tế &amp; UBND&nbsp;tỉnh</p><p>Kính gửi:<br>- Các sở</p></div>"
    reading = read_html(encode_cp1258(page))  # no meta: not UTF-8, so Windows-1258
    assert reading.text == "Sở Y tế & UBND tỉnh\nKính gửi:\n- Các sở"
    declared = page.replace("<html>", '<html><head><meta charset="windows-1258"></head>')
    assert read_html(encode_cp1258(declared)).text == reading.text


# ---------------------------------------------------------------------------------------------------- images (no OCR)
def fake_ocr(img):
    return OcrResult(text=f"page {img.size[0]}x{img.size[1]}", confidence=90.0)


def test_multipage_tiff_pages():
    reading = read_image(mf.render_tiff(mf.seed_text(SEEDS[0])), ocr=fake_ocr)
    assert reading.media_type == "image/tiff" and reading.method == "image_ocr"
    assert [p.number for p in reading.pages] == [1, 2] and all(p.method == "ocr" for p in reading.pages)


def test_jpeg_page():
    reading = read_image(mf.render_jpeg(mf.seed_text(SEEDS[1])), ocr=fake_ocr)
    assert reading.media_type == "image/jpeg" and len(reading.pages) == 1 and reading.text == "page 2481x3508"


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [9000, 20000])  # between 1x and 2x the bound (a warning in Pillow), and above
def test_image_bomb(side):
    t0 = time.monotonic()
    with pytest.raises(SourceError) as exc:
        read_bytes(_png_header(side, side))
    assert exc.value.kind == "page_too_large" and time.monotonic() - t0 < BOUND_S


# ---------------------------------------------------------------------------------------------------- OCR (slow)
def _expected_pages(text: str) -> list[str]:
    """Text layer of the same fixture with the number left blank, page by page: what OCR should give back."""
    doc = pymupdf.open(stream=mf.render_text_pdf(mf.blank_number(text)), filetype="pdf")
    return [page.get_text() for page in doc]


def _check_ocr(got: str, expected: str) -> None:
    want = ITEM.findall(expected)
    have = ITEM.findall(got)
    assert [n for n in want if n in have] == want, (want, have)
    assert similarity(got, expected) > MIN_SIMILARITY


@pytest.mark.ocr
def test_ocr_scan_pdf_with_seal_stamp_skew():  # 2 OCR pages
    text = mf.seed_text(SEEDS[2])
    reading = read_pdf(mf.render_scan_pdf(text, rotate=1.5))
    assert reading.method == "ocr" and len(reading.pages) == 2
    for page in reading.pages:
        assert page.method == "ocr" and page.text_quality is None and page.ocr_confidence > 80 and page.psm
    _check_ocr(reading.text, "\n".join(_expected_pages(text)))
    assert "Nguyễn Thị Hồng Tuyền" in reading.text  # under the seal


@pytest.mark.ocr
def test_ocr_rotated_90():  # 1 OCR page
    text = mf.seed_text(SEEDS[3])
    reading = read_pdf(mf.images_to_pdf(mf.scan_images(text, rotate=90)[:1]))
    page = reading.pages[0]
    assert page.method == "ocr" and page.rotation in (90, 270) and page.ocr_confidence > 80
    _check_ocr(reading.text, _expected_pages(text)[0])


@pytest.mark.ocr
def test_ocr_garbage_layer_mixed():  # 1 OCR page: page 1 garbage layer, page 2 clean layer
    text = mf.seed_text(SEEDS[3])
    garbage = pymupdf.open(stream=mf.render_garbage_pdf(text), filetype="pdf")
    clean = pymupdf.open(stream=mf.render_text_pdf(text), filetype="pdf")
    doc = pymupdf.open()
    doc.insert_pdf(garbage, from_page=0, to_page=0)
    doc.insert_pdf(clean, from_page=1, to_page=1)
    reading = read_pdf(doc.tobytes())
    first, second = reading.pages
    assert reading.method == "mixed"
    assert first.method == "ocr" and first.text_quality < 0.75 and first.ocr_confidence > 80
    assert second.method == "text_layer"
    assert any("text layer garbage" in n for n in reading.notes)
    _check_ocr(reading.text.split("\n\n" + clean[1].get_text()[:20])[0], clean[0].get_text())


@pytest.mark.ocr
def test_ocr_png():  # 1 OCR page
    text = mf.seed_text(SEEDS[0])
    reading = read_bytes(mf.render_png(text))
    assert reading.method == "image_ocr" and reading.media_type == "image/png"
    assert reading.pages[0].ocr_confidence > 80
    _check_ocr(reading.text, _expected_pages(text)[0])


# ---------------------------------------------------------------------------------------------------- logic checks
def test_scan_with_signature_overlay_is_ocrd():
    """A scan whose only text layer is the digital-signature stamp must still be OCR'd."""
    text = mf.seed_text(SEEDS[3])
    doc = pymupdf.open(stream=mf.images_to_pdf(mf.scan_images(text, seal=False)[:1]), filetype="pdf")
    doc[0].insert_text(
        (300, 60),
        "Ký bởi: Văn phòng Tỉnh ủy Thừa Thiên Huế, thời gian ký: 23.11.2021",
        fontsize=7,
        fontfile=str(mf.FONT_DIR / "DejaVuSans.ttf"),
        fontname="dv",
    )
    reading = read_pdf(doc.tobytes(), ocr=fake_ocr)
    assert reading.pages[0].method == "ocr" and reading.pages[0].text_quality > 0.9
    assert "text layer" in reading.notes[0]


def test_psm_fallback_on_item_gap(monkeypatch):
    from chidao.ingest import ocr

    texts = {ocr.DEFAULT_PSM: "1. Một\n\n2. Hai\n\n4. Bốn", ocr.FALLBACK_PSM: "1. Một\n2. Hai\n3. Ba\n4. Bốn"}
    monkeypatch.setattr(ocr, "_run", lambda img, psm: OcrResult(texts[psm], 95.0, [], psm, 0, 40))
    result = ocr.ocr_image(Image.new("RGB", (50, 50), "white"))
    assert result.psm == ocr.FALLBACK_PSM and "3. Ba" in result.text and "kept" in result.notes[-1]
    assert not ocr.item_gap("1. a\n2. b\n3, c") and ocr.item_gap("1. a\n3. c")


def test_red_removal_keeps_black_under_red():
    from chidao.ingest.ocr import remove_red

    img = Image.new("RGB", (3, 1))
    img.putdata([(205, 35, 45), (0, 0, 0), (40, 60, 150)])  # seal ink, black text under the seal, blue pen
    out = remove_red(img)
    assert out.getpixel((0, 0)) == 255 and out.getpixel((1, 0)) < 10 and out.getpixel((2, 0)) < 120


def test_docx_textboxes_once():
    import docx
    from docx.oxml import parse_xml

    ns = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    box = "<w:txbxContent><w:p><w:r><w:t>HỎA TỐC</w:t></w:r></w:p></w:txbxContent>"
    d = docx.Document()
    p = d.add_paragraph("Số: 12/UBND-VX")
    p._p.append(
        parse_xml(
            f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{box}</w:drawing>'
            f"</mc:Choice><mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>"
        )
    )
    buf = io.BytesIO()
    d.save(buf)
    reading = read_docx(buf.getvalue())
    assert reading.text == "Số: 12/UBND-VX\nHỎA TỐC"
