"""The body of a directive: the "Kính gửi" recipients, the numbered items with the bodies
each one tasks, and the collective body that speaks in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..vntext import UPPER, fold, is_upper_line, match_key
from ..vocab import key_alternation, org_vocab
from .header import DIEN_TO, KINH_GUI

_DASH = re.compile(r"^\s*[-+•–*]\s*")
_TRAILING = " ,;.:*"

# Item markers. The top-level scheme is the one whose "1" comes first in the body.
_MARKERS = {
    "roman": re.compile(r"^\s*(?P<n>[IVX]{1,5})\s*[.\-–/)]\s*(?=\S)"),
    "dieu": re.compile(r"^\s*Điều\s+(?P<n>\d{1,3})\s*[.:]\s*"),
    "arabic": re.compile(r"^\s*(?P<n>\d{1,2})\s*(?:[./)](?!\d)|-(?=\s))\s*(?=\S)"),
}
# OCR reads an item's "5." as "5," often enough: taken as the marker only when it is the next
# number of the sequence and a capital opens the item ("5, Ban Tuyên giáo Tỉnh ủy ...").
_OCR_COMMA_MARKER = re.compile(r"^\s*(?P<n>\d{1,2}),\s+(?=[" + UPPER + r"])")
_LABEL = re.compile(r"^[^\W\d_][\w ]{1,18}:\s*\S")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
          "X": 10, "XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15}


@dataclass
class Item:
    number: str
    marker: str
    line: int  # index of its first line in the normalized text
    end_line: int  # index of the line after it
    text: str
    addressees: list[str] = field(default_factory=list)


def parse_recipients(lines: list[str], start: int) -> tuple[list[str], int]:
    """Entries of the "Kính gửi" block at line ``start``; returns (entries, next index)."""
    first = lines[start]
    m = KINH_GUI.match(fold(first)) or DIEN_TO.match(fold(first))
    rest = first[m.end():] if m else ""
    entries: list[str] = []
    rest = _DASH.sub("", rest.strip(" :*"))
    if rest:  # "Kính gửi: Sở Y tế; Sở Tài chính; UBND các huyện." on one line
        # each keeps its ";", which tells the next line is not its continuation
        entries.extend(e.strip() for e in re.split(r"(?<=;)", rest) if e.strip(_TRAILING))
    i, blank = start + 1, False
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            blank, i = True, i + 1
            continue
        if _LABEL.match(line):
            break  # "Mã số thuế: ...", "Địa chỉ: ..." under a company recipient
        if _DASH.match(line) and not _MARKERS["arabic"].match(line):
            entries.append(_DASH.sub("", line))
        elif entries and not blank and _wraps(entries[-1], line):
            entries[-1] = entries[-1].rstrip() + " " + line
        else:
            break
        blank, i = False, i + 1
    return [e.strip().rstrip(_TRAILING).strip() for e in entries if e.strip(_TRAILING)], i


def _wraps(entry: str, line: str) -> bool:
    """Does ``line`` continue a recipient entry wrapped onto it? Not when it opens the body
    ("Ủy ban nhân dân Thành phố chỉ đạo như sau:") right after a one-line "Kính gửi"."""
    if entry.rstrip().endswith((".", ";", ":")) or len(line) >= 100 or _MARKERS["arabic"].match(line):
        return False
    if line[:1].islower():
        return True
    # a Party list ends each entry with ","; a line ending with ":" opens the body
    return not entry.rstrip().endswith(",") and not line.rstrip().endswith(":")


def _number_value(scheme: str, raw: str) -> int | None:
    return _ROMAN.get(raw) if scheme == "roman" else int(raw)


def find_items(lines: list[str], start: int, end: int) -> list[Item]:
    """Top-level numbered items between ``start`` and ``end`` (line indices). Markers
    inside a quotation (a cited article quoted in full) are not items of this document."""
    quoted = _quoted_lines(lines, start, end)
    scheme = None
    for i in range(start, end):
        if i in quoted:
            continue
        for name, pat in _MARKERS.items():
            m = pat.match(lines[i])
            if m and _number_value(name, m["n"]) == 1:
                scheme = name
                break
        if scheme:
            break
    if not scheme:
        return []
    pat, expected, found = _MARKERS[scheme], 1, []
    for i in range(start, end):
        m = pat.match(lines[i]) if i not in quoted else None
        if not m and scheme == "arabic" and expected > 1 and i not in quoted:
            m = _OCR_COMMA_MARKER.match(lines[i])
        if m and _number_value(scheme, m["n"]) == expected:
            found.append((i, m["n"], m.group(0).strip()))
            expected += 1
    items = []
    for k, (i, n, marker) in enumerate(found):
        stop = found[k + 1][0] if k + 1 < len(found) else _closing_paragraph(lines, i, end)
        body = [lines[i][len(lines[i]) - len(lines[i].lstrip()) + len(marker):].strip()]
        body += [ln for ln in lines[i + 1: stop]]
        text = "\n".join(body).strip()
        items.append(Item(number=n, marker=marker, line=i, end_line=stop, text=re.sub(r"\n{3,}", "\n\n", text)))
    for item in items:
        item.addressees = addressees(item.text)
        if scheme == "roman" and not item.addressees:
            item.addressees = _sub_item_addressees(item.text)
    return items


def _sub_item_addressees(text: str) -> list[str]:
    """The bodies tasked by the numbered sub-items of a section ("III. TỔ CHỨC THỰC HIỆN" /
    "1. Sở Y tế: ..." / "2. Sở Tài chính ..."): the section tasks them all."""
    found: list[str] = []
    for chunk in re.split(r"\n(?=\s*\d{1,2}\s*[./)]\s)", text)[1:]:
        for body in addressees(_MARKERS["arabic"].sub("", chunk, count=1)):
            if body not in found:
                found.append(body)
    return found


QUOTE_SPAN_MAX = 60  # an unclosed quotation mark stops counting after this many lines


def _quoted_lines(lines: list[str], start: int, end: int) -> set[int]:
    """Indices of lines that begin inside a “…” quotation. OCR leaves quotes unbalanced,
    so a quotation is open after a line whose last quotation mark opens one."""
    inside, opened_at, out = False, 0, set()
    for i in range(start, end):
        if inside and i - opened_at > QUOTE_SPAN_MAX:
            inside = False
        if inside:
            out.add(i)
        marks = [c for c in lines[i] if c in "“”"]
        if marks:
            if marks[-1] == "“" and not inside:
                opened_at = i
            inside = marks[-1] == "“"
    return out


@cache
def _closing_re() -> re.Pattern:
    return re.compile(r"^(?:" + key_alternation(org_vocab()["closing_openers"]) + r")")


def _closing_paragraph(lines: list[str], item_line: int, end: int) -> int:
    """Where the last item ends: before a closing paragraph ("Đề nghị các ... thực hiện")."""
    for i in range(item_line + 1, end):
        prev = lines[i - 1].strip()
        # a new paragraph: after a blank line, or (texts copied without blank lines) after a
        # line that ends a sentence
        if (not prev or prev.endswith(".")) and _closing_re().match(match_key(lines[i].strip())):
            return i
    return end


# --- addressees ----------------------------------------------------------------------

@cache
def _vocab_res() -> dict[str, re.Pattern]:
    v = org_vocab()
    heads = sorted(v["org_heads"], key=len, reverse=True)
    return {
        # case-sensitive: "Thành ủy Huế" names a body, "thành ủy" in "Các huyện, thành ủy" does not
        "org": re.compile(r"^(?:[Cc]ác\s+)?(?:" + "|".join(re.escape(h) for h in heads) + r")(?![^\W\d_])"),
        "person": re.compile(r"^(?:" + key_alternation(v["person_heads"]) + r")(?!\w)"),
        "topic": re.compile(r"^(?:" + key_alternation(v["topic_heads"]) + r")(?!\w)"),
        "verb": re.compile(r"(?<![^\W\d_])(?:" + "|".join(
            re.escape(w) for w in sorted(v["task_verbs"], key=len, reverse=True)) + r")(?![^\W\d_])"),
        "tail": re.compile(v["generic_tail"]),
        "opener": re.compile(r"^(?:" + "|".join(map(re.escape, v["tasking_openers"])) + r")\s+(?=[" + UPPER + "])"),
    }


def _is_org(text: str) -> bool:
    r = _vocab_res()
    return bool(r["org"].match(text)) and not r["person"].match(match_key(text))


def _cut_at_verb(text: str) -> str:
    m = _vocab_res()["verb"].search(text)
    return text[: m.start()].strip() if m else text.strip()


def split_bodies(subject: str) -> list[str]:
    """"Đảng ủy Bộ đội Biên phòng tỉnh, Công an tỉnh, Quân sự tỉnh" -> three bodies; a
    segment that does not open with an organisation head continues the one before it
    ("Sở Lao động, Thương binh và Xã hội")."""
    subject = re.sub(r"^(\w+)\s+\1\b", r"\1", subject.strip(), flags=re.IGNORECASE)  # "Các các"
    subject = _vocab_res()["tail"].sub("", subject).strip(_TRAILING)
    out: list[str] = []
    for seg in re.split(r",\s+|;\s+", subject):
        if out and not _is_org(seg):
            out[-1] = out[-1] + ", " + seg
        else:
            out.append(seg)
    return [s.strip(_TRAILING) for s in out if s.strip(_TRAILING)]


def addressees(item_text: str) -> list[str]:
    """The bodies an item tasks, as printed: "5. Sở Y tế:" or "Sở Y tế khẩn trương ..."."""
    r = _vocab_res()
    lines = item_text.split("\n")
    first = lines[0].strip()
    nxt = next((ln.strip() for ln in lines[1:] if ln.strip()), "")
    heading = first.endswith(":") or (len(first) < 60 and nxt and _DASH.match(nxt) and not r["verb"].search(first))
    if heading and len(first) < 160:
        subject = _cut_at_verb(first.rstrip(":"))
        key = match_key(subject)
        if not subject or r["topic"].match(key) or r["person"].match(key):
            return []
        if not first.endswith(":") and not _is_org(subject):
            return []
        return split_bodies(subject)
    paragraph = " ".join(ln.strip() for ln in _first_paragraph(lines))
    found: list[str] = []
    for k, sentence in enumerate(re.split(r"(?<=[.;])\s+(?=[" + UPPER + r"])", paragraph)):
        sentence = r["opener"].sub("", sentence)  # "Giao Sở Y tế chủ trì" tasks Sở Y tế
        subject = _cut_at_verb(sentence)
        if len(subject) > 150 or subject == sentence.strip() or not _is_org(subject):
            if k == 0:
                return []  # the item does not open by naming a body: it tasks no one by name
            continue
        found += [b for b in split_bodies(subject) if b not in found]
    return found


def _first_paragraph(lines: list[str]) -> list[str]:
    out = []
    for ln in lines:
        if not ln.strip() or (out and _DASH.match(ln)):
            break
        out.append(ln)
    return out


# --- the body that speaks ---------------------------------------------------------------

@cache
def _acting_res() -> tuple[re.Pattern, re.Pattern]:
    v = org_vocab()
    bodies = key_alternation(v["acting_bodies"])
    verbs = key_alternation(v["acting_verbs"])
    on_behalf = re.compile(r"thừa lệnh [^,.;]{3,60},\s*(?P<body>" + bodies + r")\s+(?:" + verbs + r")")
    direct = re.compile(r"(?<!\w)(?P<body>" + bodies + r")\s+(?:" + verbs + r")(?!\w)")
    return on_behalf, direct


def acting_body(text: str) -> tuple[str, str] | None:
    """The collective body that speaks ("Thường trực Tỉnh ủy yêu cầu"): (name, clue). A line
    wrapped mid-name (a PDF's text layer, a scan) does not hide it."""
    key = match_key(text).replace("\n", " ")
    on_behalf, direct = _acting_res()
    m = on_behalf.search(key)
    if not m:
        for cand in direct.finditer(key):
            before = key[max(0, cand.start() - 12): cand.start()]
            if not re.search(r"(chủ tịch|bí thư|trưởng ban|giám đốc)\s*$", before):
                m = cand
                break
    if not m:
        return None
    name = re.sub(r"\s+", " ", text[m.start("body"): m.end("body")])
    return name, re.sub(r"\s+", " ", text[m.start(): m.end()])


def is_heading_line(line: str) -> bool:
    return is_upper_line(line)
