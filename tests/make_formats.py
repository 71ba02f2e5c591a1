"""Test fixtures the project makes itself, deterministically, from directive texts: PDFs (text layer, scan, garbage layer, bad ones),
.docx, HTML, PNG/JPEG/TIFF. Nothing binary is committed; tests build what they need."""

import io
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf as fitz
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"  # copies of the seed directives
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
pdfmetrics.registerFont(TTFont("DV", str(FONT_DIR / "DejaVuSans.ttf")))
pdfmetrics.registerFont(TTFont("DVB", str(FONT_DIR / "DejaVuSans-Bold.ttf")))

MINUTES = "\n".join(
    [
        "ỦY BAN NHÂN DÂN HUYỆN THAN UYÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Than Uyên, ngày 10 tháng 8 năm 2021",
        "BIÊN BẢN",
        "Cuộc họp Ban Chỉ đạo phòng, chống dịch Covid-19 huyện",
        "Hôm nay, vào lúc 14 giờ 00 phút ngày 10 tháng 8 năm 2021, tại phòng họp Ủy ban nhân dân "
        "huyện, Ban Chỉ đạo họp đánh giá tình hình dịch bệnh trên địa bàn huyện.",
        "Thành phần tham dự gồm các thành viên Ban Chỉ đạo và đại diện các cơ quan, đơn vị có liên quan.",
        "Cuộc họp kết thúc vào lúc 16 giờ 30 phút cùng ngày, biên bản được các thành viên thống nhất thông qua.",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "Nguyễn Văn An",
    ]
)


def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def source_lines(text: str) -> list[str]:
    """Non-empty lines, markdown bold markers dropped (the fixtures print them as bold)."""
    return [ln.replace("**", "").strip() for ln in text.splitlines() if ln.replace("**", "").strip()]


# ---------------------------------------------------------------------------------------------------- layout
_RIGHT = re.compile(r"^(CỘNG HÒA|ĐẢNG CỘNG SẢN|Độc lập)|, ngày .*năm \d{4}$")


def _upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


@dataclass
class Layout:
    left: list[str] = field(default_factory=list)  # issuer lines, "Số: ...", trích yếu
    right: list[str] = field(default_factory=list)  # quốc hiệu, place-date line
    top: list[str] = field(default_factory=list)  # full-width title, urgency marks
    body: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:" list, bottom left
    signature: list[str] = field(default_factory=list)  # bottom right

    def lines(self) -> list[str]:
        """The reading order the readers must produce: left column, right column, then the rest."""
        return self.left + self.right + self.top + self.body + self.recipients + self.signature


def layout(text: str) -> Layout:
    lines = source_lines(text)
    lay = Layout()
    i = 0
    seen_number = False
    while i < len(lines):
        line = lines[i]
        if line.lstrip("- ").startswith("Kính gửi") or len(line) > 100:
            break
        if _RIGHT.search(line):
            lay.right.append(line)
            seen_number = seen_number or ", ngày" in line
        elif lay.top or (_upper(line) and seen_number):
            lay.top.append(line)
        else:
            lay.left.append(line)
            seen_number = seen_number or line.startswith("Số")
        i += 1
    rest = lines[i:]
    if "Nơi nhận:" in rest:
        k = rest.index("Nơi nhận:")
        lay.body = rest[:k]
        tail = rest[k:]
        j = 1
        while j < len(tail) and tail[j].startswith("-"):
            j += 1
        lay.recipients, lay.signature = tail[:j], tail[j:]
    else:
        lay.body = rest
    return lay


# ---------------------------------------------------------------------------------------------------- PDF
W, H = A4
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 62, 45, 50, 55
LEFT_COL = (40, 250)
RIGHT_COL = (262, 570)


def _centered(c, lines, col, y, font, size, lead):
    x0, x1 = col
    for line in lines:
        bold = _upper(line) or line.startswith(("TM.", "T/M", "KT.", "TL."))
        f = "DVB" if bold and font == "DV" else font
        for part in simpleSplit(line, f, size, x1 - x0):
            c.setFont(f, size)
            c.drawCentredString((x0 + x1) / 2, y, part)
            y -= lead
    return y


def render_text_pdf(text: str) -> bytes:
    """A Word-like PDF: two-column header, full-width body, "Nơi nhận" bottom left, signature bottom right."""
    lay = layout(text)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle("directive")
    y0 = H - MARGIN_T
    yl = _centered(c, lay.left, LEFT_COL, y0, "DV", 10.5, 14)
    yr = _centered(c, lay.right, RIGHT_COL, y0, "DV", 10.5, 14)
    y = min(yl, yr) - 14
    y = _centered(c, lay.top, (MARGIN_L, W - MARGIN_R), y, "DVB", 12, 16) - 6
    width = W - MARGIN_L - MARGIN_R
    for para in lay.body:
        parts = simpleSplit(para, "DV", 10.5, width)
        for part in parts:
            if y < MARGIN_B:
                c.showPage()
                y = H - MARGIN_T
            c.setFont("DV", 10.5)
            c.drawString(MARGIN_L, y, part)
            y -= 14
        y -= 4
    needed = 14 * max(len(lay.recipients), len(lay.signature) + 5) + 20
    if y - needed < MARGIN_B:
        c.showPage()
        y = H - MARGIN_T
    y -= 10
    yy = y
    for k, line in enumerate(lay.recipients):
        c.setFont("DVB" if k == 0 else "DV", 9.5 if k == 0 else 8.5)
        for part in simpleSplit(line, "DV", 8.5, 250):
            c.drawString(MARGIN_L, yy, part)
            yy -= 12
    sig = lay.signature
    names = [ln for ln in sig if not _upper(ln)]
    titles = [ln for ln in sig if _upper(ln)]
    ys = _centered(c, titles, (300, 560), y, "DV", 10.5, 14)
    _centered(c, names, (300, 560), ys - 60, "DVB", 10.5, 14)
    c.showPage()
    c.save()
    return buf.getvalue()


def minutes_pdf() -> bytes:
    return render_text_pdf(MINUTES)


# ---------------------------------------------------------------------------------------------------- scans
SEAL_RED = (205, 35, 45)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def blank_number(text: str) -> str:
    """The document number left blank, to be handwritten on the scan ("Số: 294-CV/TU" -> "Số:      -CV/TU")."""
    return re.sub(r"^(\**Số:?\s*)\d+\s*", r"\1      ", text, count=1, flags=re.M)


def _seal(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL_RED, width=14)
    draw.ellipse((cx - r + 40, cy - r + 40, cx + r - 40, cy + r - 40), outline=SEAL_RED, width=6)
    font = _font(34, bold=True)
    label = "ỦY BAN NHÂN DÂN TỈNH * "
    for k, ch in enumerate(label * 2):
        a = -math.pi / 2 + 2 * math.pi * k / (2 * len(label))
        x, y = cx + (r - 25) * math.cos(a), cy + (r - 25) * math.sin(a)
        draw.text((x, y), ch, fill=SEAL_RED, font=font, anchor="mm")
    draw.text((cx, cy), "★", fill=SEAL_RED, font=_font(90), anchor="mm")


def _page_images(pdf: bytes, dpi: int = 300) -> list[tuple[Image.Image, fitz.Page, float]]:
    doc = fitz.open(stream=pdf, filetype="pdf")
    out = []
    for page in doc:
        pix = page.get_pixmap(dpi=dpi)
        out.append((Image.frombytes("RGB", (pix.width, pix.height), pix.samples), page, dpi / 72))
    return out


def scan_images(text: str, rotate: float = 0.0, seal: bool = True, seed: int = 7, dpi: int = 300) -> list[Image.Image]:
    """Pages as a scanner would give them: red seal over a paragraph and over the signature, red "HỎA TỐC" stamp,
    a handwritten number, speckle noise, slight blur, and a rotation (small skew or 90/180/270)."""
    rng = random.Random(seed)
    pages = _page_images(render_text_pdf(blank_number(text)), dpi)
    images = []
    for n, (img, page, s) in enumerate(pages):
        ink = Image.new("RGB", img.size, "white")
        d = ImageDraw.Draw(ink)
        if seal:
            if n == 0:
                hits = page.search_for("Số")
                if hits:
                    r = hits[0]
                    x, y = int(r.x1 * s) + 20, int(r.y1 * s)
                    pts = [(x + 12 * k, y - 10 - rng.randint(0, 30)) for k in range(14)]
                    d.line(pts, fill=(40, 60, 150), width=7)  # blue ink scrawl
                    d.line([(x + 10, y - 45), (x + 60, y - 5), (x + 120, y - 40)], fill=(90, 90, 110), width=6)
                d.rectangle((int(70 * s), int(150 * s), int(210 * s), int(180 * s)), outline=SEAL_RED, width=8)
                d.text((int(140 * s), int(165 * s)), "HỎA TỐC", fill=SEAL_RED, font=_font(70, bold=True), anchor="mm")
                # A seal over the middle of the body: black text under it must survive red removal.
                _seal(d, int(W * 0.62 * s), int(H * 0.45 * s), 230)
            if n == len(pages) - 1:
                blocks = page.get_text("blocks")
                sig = [b for b in blocks if b[0] > 280]
                if sig:
                    b = sig[-1]
                    _seal(d, int((b[0] - 20) * s), int((b[1] - 40) * s), 230)
        # Multiply: ink over ink gets darker, as on paper; black text under red stays black.
        img = ImageChops.multiply(img, ink)
        px = img.load()
        for _ in range(6000):
            x, y = rng.randrange(img.width), rng.randrange(img.height)
            px[x, y] = (90, 90, 90)
        img = img.filter(ImageFilter.GaussianBlur(0.6))
        if rotate in (90, 180, 270):
            img = img.rotate(rotate, expand=True)
        elif rotate:
            img = img.rotate(rotate, resample=Image.BICUBIC, fillcolor="white")
        images.append(img)
    return images


def images_to_pdf(images: list[Image.Image], dpi: int = 300, quality: int = 80) -> bytes:
    doc = fitz.open()
    for img in images:
        buf = io.BytesIO()
        img.convert("RGB").save(buf, "JPEG", quality=quality)
        page = doc.new_page(width=img.width * 72 / dpi, height=img.height * 72 / dpi)
        page.insert_image(page.rect, stream=buf.getvalue())
    return doc.tobytes(garbage=3, deflate=True)


def render_scan_pdf(text: str, rotate: float = 0.0, seal: bool = True) -> bytes:
    return images_to_pdf(scan_images(text, rotate=rotate, seal=seal))


_MOJI = {"ệ": "~", "ố": "6", "ủ": "u?", "ư": "u'", "ơ": "o'", "đ": "d", "ộ": "9", "ầ": "^", "ạ": "a.", "ị": "i."}


def mojibake(text: str) -> str:
    """A broken-font text layer: some letters become symbols, the other diacritics are lost."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _MOJI:
            rep = _MOJI[low]
            out.append(rep.upper() if ch.isupper() else rep)
        else:
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)))
    return "".join(out)


def render_garbage_pdf(text: str) -> bytes:
    """A scan with an invisible text layer of mojibake at the positions of the real lines."""
    src = fitz.open(stream=render_text_pdf(text), filetype="pdf")
    scan = fitz.open(stream=render_scan_pdf(text, seal=False), filetype="pdf")
    for page, spage in zip(src, scan, strict=True):
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                words = "".join(span["text"] for span in line["spans"])
                origin = line["spans"][0]["origin"]
                spage.insert_text(origin, mojibake(words), fontsize=10, fontname="helv", render_mode=3)
    return scan.tobytes(garbage=3, deflate=True)


def render_png(text: str) -> bytes:
    buf = io.BytesIO()
    scan_images(text, rotate=1.5)[0].convert("L").save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def render_jpeg(text: str) -> bytes:
    buf = io.BytesIO()
    scan_images(text)[0].save(buf, "JPEG", quality=80, dpi=(300, 300))
    return buf.getvalue()


def render_tiff(text: str) -> bytes:
    pages = [im.convert("L") for im in scan_images(text, seal=False)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate", dpi=(300, 300))
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------- Word, HTML
def render_docx(text: str, nested: bool = False) -> bytes:
    """A .docx as typed in Word: header table (2 cells), body paragraphs, signature table. With ``nested`` the
    signature cell holds its lines in a nested one-cell table, as some templates do."""
    import docx

    lay = layout(text)
    d = docx.Document()
    sec = d.sections[0]
    sec.header.paragraphs[0].text = "HEADER TEXT TO IGNORE"
    sec.footer.paragraphs[0].text = "FOOTER TEXT TO IGNORE"

    def fill(cell, lines):
        cell.paragraphs[0].text = lines[0] if lines else ""
        for line in lines[1:]:
            cell.add_paragraph(line)

    t = d.add_table(rows=1, cols=2)
    fill(t.rows[0].cells[0], lay.left)
    fill(t.rows[0].cells[1], lay.right)
    for line in lay.top + lay.body:
        d.add_paragraph(line)
    if lay.recipients or lay.signature:
        s = d.add_table(rows=1, cols=2)
        fill(s.rows[0].cells[0], lay.recipients)
        right = s.rows[0].cells[1]
        if nested:
            inner = right.add_table(rows=1, cols=1)
            fill(inner.rows[0].cells[0], lay.signature)
        else:
            fill(right, lay.signature)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def render_html(text: str, charset: str = "utf-8") -> bytes:
    from html import escape

    lay = layout(text)
    paras = "\n".join(f"<p>{escape(line)}</p>" for line in lay.lines())
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}"><title>Cổng thông tin điện tử tỉnh</title>
<style>p {{ margin: 0 }}</style><script>var menu = "Trang chủ";</script></head>
<body><header><div class="logo">CỔNG THÔNG TIN ĐIỆN TỬ</div></header>
<nav><ul><li>Trang chủ</li><li>Tin tức</li><li>Văn bản</li></ul></nav>
<main><h1>Văn bản chỉ đạo phòng chống dịch</h1>
<div class="content">
{paras}
</div></main>
<footer>Bản quyền &copy; Sở Thông tin và Truyền thông<script>track();</script></footer></body></html>"""
    return page.encode(charset)


# ---------------------------------------------------------------------------------------------------- bad PDFs
def encrypted_pdf(text: str) -> bytes:
    doc = fitz.open(stream=render_text_pdf(text), filetype="pdf")
    return doc.tobytes(encryption=fitz.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")


def truncated_pdf(text: str) -> bytes:
    data = render_text_pdf(text)
    return data[: int(len(data) * 0.6)]


def junk_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(4000))


def zero_page_pdf() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    return _hand_pdf(objs)


def huge_page_pdf() -> bytes:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200000 200000] >>",
    ]
    return _hand_pdf(objs)


def _hand_pdf(objs: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def many_pages_pdf(n: int = 500) -> bytes:
    doc = fitz.open()
    for _ in range(n):
        doc.new_page()
    return doc.tobytes(garbage=3, deflate=True)
