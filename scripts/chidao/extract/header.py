"""The header of a directive: issuer lines, số/ký hiệu, place and date, type, urgency,
trích yếu. Two-column headers arrive flattened into lines in any order (and, from OCR,
two columns on one line), so each field is found by its own pattern, not by position."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..vntext import fold, is_upper_line, match_key
from ..vocab import doc_type_by_code, doc_type_by_name, doc_types, find_provinces, org_vocab

HEADER_SCAN_LINES = 45  # the header never runs longer than this many non-blank lines

# Quốc hiệu, tiêu ngữ and the Party title, in folded form, tolerant of OCR slips.
_QUOC_HIEU = re.compile(
    r"c\s*[o0]\s*n\s*g\s*h\s*[o0]\s*a\s*x\s*a\s*h\s*[o0]\W?\s*i?\s*c\s*h\s*u\s*n\s*g\s*h\s*[i?]\s*a"
    r"(?:\s*\S{1,6}\s*n\s*a\s*m)?"
)
_TIEU_NGU = re.compile(r"d\s*[o0]\s*c\s*l\s*a\s*p\s*[-–—]*\s*t\w\s*d[o0]\s*[-–—]*\s*h\w{2,3}\s*p\w{2,4}")
_PARTY_TITLE = re.compile(r"d\s*a\s*n\s*g\s*c\s*[o0]\s*n\s*g\s*s\s*a\s*n\s*v\s*i\s*e\s*t\s*n\s*a\s*m")

# "Số: 24/CT-UBND", "Số 294-CV/TU", "Số: /TB-UBND", OCR "$6:3556 /TTKSBT-KHNV", "sốl 0688/BYT-MT".
_SO_PREFIX = re.compile(r"(?:^|(?<=\s))(?:s[o0ốóé6][:.l]?|\$6:?|86:|s:)\s*", re.IGNORECASE)
_CODE = r"[A-ZĐ][A-Za-zĐđ0-9&]*"
# A "Số" line whose symbol OCR could not read: short, with the slash or dash of a symbol and no word.
_UNREADABLE_SYMBOL = re.compile(r"^\s*S[ốoô6]\s*[:.]?\s*(?=[^\n]*[/-])(?![^\n]*[^\W\d_]{4})[^\n]{1,20}$")
SYMBOL_RE = re.compile(
    r"(?P<num>\d[\d ]{0,7}\d|\d)?\s*"
    r"(?:"
    r"-\s*(?P<ptype>" + _CODE + r")\s*/\s*(?P<pissuer>" + _CODE + r"(?:-" + _CODE + r")*)"  # Party
    r"|/\s*(?:(?P<year>(?:19|20)\d\d)\s*/\s*)?(?P<scode>" + _CODE + r"(?:\s?-\s?" + _CODE + r")*)"  # state
    r")"
)
_DATE_LINE = re.compile(
    r"(?P<place>(?:[^,\d]|(?<=quan )\d|(?<=quan \d)\d){2,60}?)\s*[,.]?\s*nga[yi]:?\s*(?P<d>[^\s]*?(?:\s\d)?)\s*"
    r"th[a-z]{2,3}g\s*(?P<m>\S{0,3}?)\s*n[a-z]m\s*(?P<y>\d[\d ]{2,4})?",
)
# only at the start of a line, so that "ngày 02/5/2021" inside a sentence is not a place-date line
_NUMERIC_DATE_LINE = re.compile(
    r"^\s*(?P<place>[^,\d]{2,60}?)\s*,\s*nga[yi]\s*(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*"
    r"(?P<y>(?:19|20)\d\d)\s*$")
_URGENCY = [("thuong khan", "Thượng khẩn"), ("hoa toc", "Hỏa tốc"), ("khan", "Khẩn")]
_URGENCY_FORM = re.compile(r"^\s*(den truoc|ngay\s*:\s*/|gio\s*\.{2,})")
_VV = re.compile(r"^\W{0,2}v\s*(?:/\s*v|[/il1]\s*v|/)\s*[:.]?\s*", re.IGNORECASE)
_BODY_OPENERS = re.compile(
    r"^(can cu|thuc hien|ngay \d|trong |thoi gian|tinh hinh|de |nham |sau khi|tai |theo |xet |"
    r"hien nay|vua qua|qua |trien khai|nhan duoc)"
)
KINH_GUI = re.compile(r"^[\s\-*•+]*k[iỉí]?\s*[iíỉ]?nh\s*g\w{1,3}\s*[:;]?")
# A công điện names its addressees after "CHỦ TỊCH UBND TỈNH ĐIỆN:" instead of "Kính gửi:"
DIEN_TO = re.compile(r"^[\s\-*]*(?:[a-z]+\s+){1,14}dien\s*:")
_SEPARATOR = re.compile(r"^[\s\-_=~*.–—]+$")
_ITEM = re.compile(r"^\s*(?:\d{1,2}|[IVX]{1,4})\s*[./)]\s")


@dataclass
class Header:
    issuer_lines: list[str] = field(default_factory=list)
    family: str | None = None  # "party" or "state", from the title line of the header
    symbol_text: str | None = None
    number: str | None = None
    symbol: str | None = None
    type_code: str | None = None
    issuer_code: str | None = None
    symbol_year: str | None = None
    place: str | None = None
    date_issued: str | None = None
    date_precision: str | None = None
    date_text: str | None = None
    subject_cut: int | None = None  # where the place-date begins on the V/v line, if it shares it
    title: str | None = None  # the document-type title line ("THÔNG BÁO", "CÔNG ĐIỆN KHẨN")
    title_of: str | None = None  # "CỦA BỘ CHÍNH TRỊ" under the title: the issuing body
    title_type: str | None = None
    urgency: str | None = None
    urgency_text: str | None = None
    subject: str | None = None
    subject_has_vv: bool = False
    kinh_gui: int | None = None  # line index of "Kính gửi"
    end: int = 0  # index of the first line after the header


def _strip_titles(line: str) -> str:
    """Remove Quốc hiệu, tiêu ngữ and the Party title from a (possibly two-column) line."""
    f = fold(line)
    for pat in (_QUOC_HIEU, _TIEU_NGU, _PARTY_TITLE):
        m = pat.search(f)
        if m:
            line = line[: m.start()] + " " * (m.end() - m.start()) + line[m.end():]
            f = fold(line)
    return re.sub(r"\s{2,}", " ", line).strip(" -–—_*|")


def parse_symbol(text: str) -> dict | None:
    """Parse "294-CV/TU", "12/UBND-VX", "28/2021/QĐ-TTg", "/TB-UBND" into parts."""
    m = SYMBOL_RE.search(text)
    if not m or not (m["ptype"] or m["scode"]):
        return None
    number = re.sub(r"\s", "", m["num"]) if m["num"] else None
    if m["ptype"]:
        type_code, issuer_code = m["ptype"], m["pissuer"]
        symbol = f"{number}-{type_code}/{issuer_code}" if number else f"{type_code}/{issuer_code}"
        family = "party"
    else:
        scode = re.sub(r"\s", "", m["scode"])
        parts = scode.split("-")
        dt = doc_type_by_code(parts[0]) if len(parts) > 1 else None
        type_code = parts[0] if dt else None
        issuer_code = "-".join(parts[1:]) if dt else scode
        year = f"{m['year']}/" if m["year"] else ""
        symbol = f"{number}/{year}{scode}" if number else scode
        family = "state"
    return {"number": number, "symbol": symbol, "type_code": type_code,
            "issuer_code": issuer_code, "year": m["year"], "family": family,
            "span": m.span()}


_OCR_DIGITS = str.maketrans({"l": "1", "I": "1", "|": "1", "!": "1", "O": "0", "o": "0"})


def _parse_int(raw: str | None, lo: int, hi: int) -> int | None:
    """A day, month or year as printed; repairs the OCR slips l/I/| for 1 and O for 0."""
    if not raw:
        return None
    digits = raw.replace(" ", "").translate(_OCR_DIGITS)
    if not digits.isdigit():
        return None
    value = int(digits)
    return value if lo <= value <= hi else None


def _clean_place(raw: str) -> str:
    """Drop OCR junk tokens (digits, symbols, stray letters) before the place name."""
    tokens = raw.strip(" ,.-–|*_").split()
    def junk(tok: str) -> bool:
        if tok.rstrip(".") in ("TP", "Tp"):
            return False
        return (len(tok) < 2 or not tok[0].isalpha() or not tok[0].isupper()
                or any(c.isdigit() or c in "/:$|-" for c in tok) or (tok.isupper() and len(tok) > 2))

    while tokens and junk(tokens[0]):
        tokens.pop(0)
    return " ".join(tokens)


def parse_date_line(line: str) -> dict | None:
    """Parse "Lai Châu, ngày 21 tháng 7 năm 2021" (day or month may be blank), or the
    numeric form "Khánh Hòa, ngày 01/8/2021"."""
    f = fold(line)
    if "nga" not in f:  # both forms need "ngày": the regexes' lazy place costs ~60 steps a character
        return None
    m = _DATE_LINE.search(f) or _NUMERIC_DATE_LINE.search(f)
    if not m:
        return None
    place_start = m.start("place")
    place = _clean_place(line[place_start: m.end("place")])
    if len(place) > 40:  # "V/v ... khu công nghiệp Bắc Giang, ngày ...": the place is the last name
        raw = line[place_start: m.end("place")].rstrip(" ,.")
        hits = [h for h in find_provinces(raw) if h[1] >= len(raw) - 1]
        if hits:
            place_start += hits[-1][0]
            place = _clean_place(line[place_start: m.end("place")])
    at = line.rfind(place, place_start, m.end("place")) if place else -1
    if at > place_start:  # the words before the cleaned place are not part of it
        place_start = at
    year = _parse_int(m["y"], 1945, 2100)
    month = _parse_int(m["m"], 1, 12)
    day = _parse_int(m["d"], 1, 31)
    if year and month and day:
        iso, precision = f"{year:04d}-{month:02d}-{day:02d}", "day"
    elif year and month:
        iso, precision = f"{year:04d}-{month:02d}", "month"
    elif year:
        iso, precision = f"{year:04d}", "year"
    else:
        iso, precision = None, None
    return {"place": place or None, "date": iso, "precision": precision,
            "text": line[place_start: m.end()].strip(), "span": (place_start, m.end())}


# Before "ngày" on a place-date line stands a place; a cited document or a meeting ("Chỉ thị
# 16/CT-TTg ngày 31 tháng 3 năm 2020", "Kết luận tại cuộc họp ngày 02 tháng 8") is no place.
_CITED = re.compile(r"\d\s*[/-]\s*[a-z]|(?<![a-z])(?:chi thi|cong van|quyet dinh|ke hoach|thong bao|nghi quyet|"
                    r"cong dien|nghi dinh|thong tu|ket luan|huong dan|cuoc hop|hoi nghi|phien hop|tai|cua|theo)(?![a-z])")


def place_date(line: str) -> dict | None:
    """The place-and-date line of the header, never a date a sentence gives: the words before
    "ngày" must be a place (or nothing), not a cited document or a meeting."""
    d = parse_date_line(line)
    if not d:
        return None
    before = fold(line[: d["span"][0] + len(d["place"] or "")])
    lower_words = sum(w[:1].islower() for w in (d["place"] or "").split() if fold(w) not in ("thanh", "pho", "tinh"))
    if _CITED.search(before) or lower_words > 1:
        return None
    return d


def _title_pattern() -> re.Pattern:
    names = sorted({fold(t.name) for t in doc_types()} - {"cong van"}, key=len, reverse=True)
    return re.compile(r"(?:^|[^a-z])(" + "|".join(re.escape(n) for n in names) + r")(?:$|[^a-z])")


_TITLE_RE = _title_pattern()
_URGENCY_RE = [(re.compile(r"(?<!\w)" + re.escape(match_key(label)) + r"(?!\w)"), label)
               for label in ("Thượng khẩn", "Hỏa tốc", "Khẩn")]


def find_urgency(line: str) -> str | None:
    key = match_key(line)
    return next((label for pat, label in _URGENCY_RE if pat.search(key)), None)


def _title_type(line: str) -> str | None:
    """The document type a header title line names ("THÔNG BÁO", "CÔNG ĐIỆN KHẨN")."""
    stripped = _strip_titles(line)
    if not stripped or len(stripped) > 40 or not is_upper_line(stripped):
        return None
    m = _TITLE_RE.search(fold(stripped))
    if not m:
        return None
    dt = doc_type_by_name(m.group(1))
    return dt.name if dt else None


def _is_symbol_line(line: str) -> dict | None:
    """The số/ký hiệu on a header line: after a "Số" prefix, or with a number."""
    pref = _SO_PREFIX.search(line)
    offset = pref.end() if pref and pref.start() < 40 else 0
    sym = parse_symbol(line[offset:])
    if not sym or not (sym["number"] or offset):
        return None
    if offset and sym["span"][0] > 12 and not sym["number"]:
        return None  # "Số" must introduce the symbol
    sym["span"] = (sym["span"][0] + offset, sym["span"][1] + offset)
    return _whole_number(line, offset, sym)


def _whole_number(line: str, offset: int, sym: dict) -> dict:
    """A number OCR read only in part ("I2/UBND": a glyph glued to its digits) is repaired
    when the glyph is a known digit slip (I, l, O), else left null: a part is not a number."""
    num = sym["number"]
    at = line.find(num, offset) if num else -1
    glued = re.search(r"\S{1,2}$", line[offset:at]) if at > offset else None
    if not glued:
        return sym
    repaired = (glued.group(0) + num).translate(_OCR_DIGITS)
    sym["number"] = repaired if repaired.isdigit() else None
    sym["symbol"] = (sym["symbol"].replace(num, repaired, 1) if sym["number"]
                     else sym["symbol"][len(num):].lstrip("-/"))
    return sym


def _before_symbol(line: str, start: int) -> str:
    """What precedes the số/ký hiệu on its line, without the "Số:" that introduces it."""
    m = re.search(r"(?:s[o0ốóé6][:.l]?|\$6:?|86:|s:)\s*$", line[:start], re.IGNORECASE)
    return line[: m.start() if m else start]


def _block(lines: list[str], start: int) -> tuple[list[str], int]:
    """The run of non-blank lines from ``start``; returns (lines, index after it)."""
    out, i = [], start
    while i < len(lines) and lines[i].strip():
        out.append(lines[i].strip())
        i += 1
    return out, i


def _next_nonblank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _dien_to(line: str) -> bool:
    m = DIEN_TO.match(fold(line))
    return bool(m) and is_upper_line(line[:m.end()])


def _about(text: str) -> bool:
    """A trích yếu opening with "Về ..." ("VỀ VIỆC TĂNG CƯỜNG ..."), often printed in capitals."""
    return bool(re.match(r"^ve\s+\w", fold(text)))


def _is_subject_block(block: list[str], under_title: bool = False) -> bool:
    text = " ".join(block)
    if not block or len(text) > 400 or text.endswith(":") or (is_upper_line(text) and not _about(text)):
        return False
    f = fold(text)
    # right under "KẾ HOẠCH", a short line opening "Triển khai ..." is the subject, not the body
    opens_body = _BODY_OPENERS.match(f) and not (under_title and len(text) <= 200)
    return not (opens_body or KINH_GUI.match(f) or place_date(text))


def parse_header(lines: list[str]) -> Header:
    """Find the header fields in the first lines of a normalized text."""
    h = Header()
    scan = []  # indices of the first HEADER_SCAN_LINES non-blank lines
    for i, line in enumerate(lines):
        if line.strip():
            scan.append(i)
        if len(scan) >= HEADER_SCAN_LINES:
            break
    used: set[int] = set()
    symbol_idx = date_idx = title_idx = vv_idx = None
    ahead = ""
    for i in scan:
        line = lines[i]
        f = fold(line)
        if h.kinh_gui is None and i > 0 and (KINH_GUI.match(f) or _dien_to(line)):
            h.kinh_gui = i
            break
        if _QUOC_HIEU.search(f) or _TIEU_NGU.search(f) or _PARTY_TITLE.search(f):
            if _PARTY_TITLE.search(f) and not _QUOC_HIEU.search(f):
                h.family = h.family or "party"
            elif _QUOC_HIEU.search(f):
                h.family = h.family or "state"
            used.add(i)
        if vv_idx is None and _VV.match(line):
            vv_idx = i
            d = parse_date_line(line) if date_idx is None else None  # the V/v text precedes the place
            if d and d["date"] and len(d["place"] or "") < 40:  # "V/v ... Bắc Giang, ngày 12 ..."
                date_idx, h.subject_cut = i, d["span"][0]
                h.place, h.date_issued, h.date_precision, h.date_text = (
                    d["place"], d["date"], d["precision"], d["text"])
            continue
        if symbol_idx is None:
            sym = _is_symbol_line(line)
            if sym:
                symbol_idx = i
                h.number, h.symbol = sym["number"], sym["symbol"]
                h.type_code, h.issuer_code, h.symbol_year = (
                    sym["type_code"], sym["issuer_code"], sym["year"])
                h.symbol_text = line.strip()
                h.family = h.family or sym["family"]
                used.add(i)
                ahead = _before_symbol(line, sym["span"][0])  # "Sơn Động, ngày ... Số: 702/UBND"
                line = line[sym["span"][1]:] if sym["span"][1] < len(line) else ""
            elif _UNREADABLE_SYMBOL.match(line):
                # "Số ®V/£1/": a number filled in by hand that OCR cannot read, over the symbol.
                # The line still anchors the header (the trích yếu is under it); the symbol is null.
                symbol_idx, h.symbol_text = i, line.strip()
                used.add(i)
                continue
        if date_idx is None:
            d = place_date(line) or (place_date(ahead) if i == symbol_idx and ahead else None)
            if d and (d["date"] or d["place"]) and len(d["place"] or "") < 40:
                date_idx = i
                h.place, h.date_issued, h.date_precision, h.date_text = (
                    d["place"], d["date"], d["precision"], d["text"])
                used.add(i)
                before = line[: d["span"][0]].strip()
                if vv_idx is None and _VV.match(before):  # the whole header flattened onto one line
                    h.subject, h.subject_has_vv = _VV.sub("", before).strip(" ,") or None, True
                continue
        if i in used and i == symbol_idx:
            continue
        if _BODY_OPENERS.match(f) and len(line) >= 60 and not is_upper_line(line):
            break
        if title_idx is None and (tt := _title_type(line)):
            title_idx, h.title_type, h.title = i, tt, _strip_titles(line)
            used.add(i)
        if len(line.strip()) < 40 and (u := find_urgency(line)) and is_upper_line(line):
            h.urgency, h.urgency_text = u, line.strip()
            used.add(i)
        if _URGENCY_FORM.match(f):
            used.add(i)
    _find_subject(h, lines, symbol_idx, title_idx, vv_idx, used)
    h.issuer_lines = _issuer_lines(lines, scan, used, symbol_idx, date_idx, title_idx, vv_idx)
    anchors = [x for x in (symbol_idx, date_idx, title_idx, vv_idx, *used) if x is not None]
    h.end = (max(anchors) + 1) if anchors else 0
    if h.kinh_gui is not None:
        h.end = max(h.end, h.kinh_gui)
    return h


def _find_subject(h: Header, lines, symbol_idx, title_idx, vv_idx, used: set[int]) -> None:
    if h.subject:
        return
    if vv_idx is not None:
        block, _ = _block(lines, vv_idx)
        if h.subject_cut is not None:
            block = [block[0][: h.subject_cut].rstrip(" ,")]  # the place-date shares the line
        block = [b for b in block if not (find_urgency(b) and is_upper_line(b))]
        block = _until_anchor(block)
        used.update(range(vv_idx, vv_idx + len(block)))
        h.subject = _VV.sub("", " ".join(block)).strip() or None
        h.subject_has_vv = True
        return
    for anchor in (title_idx, symbol_idx):
        if anchor is None:
            continue
        j = _next_nonblank(lines, anchor + 1)
        # a "CỦA BỘ CHÍNH TRỊ" line under the title names the issuing body
        while (j < len(lines) and is_upper_line(lines[j]) and len(lines[j]) < 60 and anchor == title_idx
               and not _about(lines[j].strip())):
            if re.match(r"^cua\s+\w", fold(lines[j].strip())):
                h.title_of = re.sub(r"^\S+\s+", "", lines[j].strip())
            used.add(j)
            j = _next_nonblank(lines, j + 1)
        if j in used:
            continue
        block, _ = _block(lines, j)
        block = _until_anchor(block)
        # the trích yếu printed under the số/ký hiệu, as under a title, may open "Triển khai ..."
        if _is_subject_block(block, under_title=anchor == title_idx or len(block) <= 3):
            used.update(range(j, j + len(block)))
            h.subject = " ".join(block).strip()
            return


def _until_anchor(block: list[str]) -> list[str]:
    out = []
    for line in block:
        f = fold(line)
        if KINH_GUI.match(f) or _dien_to(line) or place_date(line) or _URGENCY_FORM.match(f):
            break
        opens_body = line.lstrip()[:1].isupper() and _BODY_OPENERS.match(f)  # "để ..." continues
        if _SEPARATOR.match(line) or (out and (_ITEM.match(line) or opens_body)):
            break  # the rule under the subject, or the body run on without a blank line
        if _QUOC_HIEU.search(f) or _PARTY_TITLE.search(f) or (is_upper_line(line) and out):
            break
        out.append(line)
    return out


def _issuer_lines(lines, scan, used, *anchors) -> list[str]:
    """Upper-case lines at the top, before the số/date/title lines: the issuer block."""
    first_anchor = min((a for a in anchors if a is not None), default=None)
    out = []
    for i in scan:
        if first_anchor is not None and i > first_anchor:
            break
        text = _strip_titles(lines[i])
        if first_anchor == i:
            sym = _is_symbol_line(text)
            text = text[: sym["span"][0]] if sym else ""
            text = _SO_PREFIX.split(text)[0] if text else ""
        text = text.strip(" *-–|_:")
        if len(text) < 3 or not is_upper_line(text) or _title_type(text) or find_urgency(text):
            continue
        out.append(text)
    return out


def issuer_names(issuer_lines: list[str]) -> list[str]:
    """Group wrapped issuer lines into names: a line opening with an organisation head
    starts a new name; any other line continues the one above ("ỦY BAN NHÂN DÂN" / "TỈNH X")."""
    heads = [fold(w) for w in org_vocab()["org_heads"] + ["Tổng cục", "Tổng Liên đoàn", "Thủ tướng", "Chính phủ"]]
    names: list[str] = []
    for line in issuer_lines:
        f = fold(line)
        # "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" under "UBND HUYỆN X" is a unit; "PHÒNG, CHỐNG DỊCH" is not
        opens = bool(re.match(r"phong\s+(?!,|chong)\w", f)) or any(f == h or f.startswith(h + " ") or (len(h) >= 7 and _near(f[: len(h)], h))
                    for h in heads)
        if names and not opens:
            names[-1] = names[-1] + " " + line
        else:
            names.append(line)
    return names


def _near(a: str, b: str) -> bool:
    """Within one substitution of each other (OCR slips: "tong cyc" for "tong cuc")."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1
