"""The end of a directive: "Nơi nhận" (distribution) and the signature block — the
signing authority (TM./KT./TL., T/M ...), the office title and the signer's name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..vntext import LOWER, fold, is_upper_line
from ..vntext import UPPER as _UP
from ..vocab import find_provinces, org_vocab

NOI_NHAN = re.compile(r"^\W{0,3}n[oơ]i\s*nh\w{1,3}\s*[:;.]?", re.IGNORECASE)
_AUTHORITY = re.compile(
    r"(?:^|(?<=[\s*]))(?P<pre>T\s?/\s?M|T\s?/\s?L|K\s?/\s?T|„/M|TM[.,]|TL[.,]|KT[.,]|TUQ[.,]|Q[.,])\s*"
    r"(?P<body>[" + _UP + r"][" + _UP + r"\s,.]{1,60}[" + _UP + r"])"
)
_DASH = re.compile(r"^\s*[-+•–]\s*")
SIGNATURE_WINDOW = 60  # lines after the body's end in which the signature is sought


@dataclass
class Closing:
    start: int | None = None  # first line of the closing (Nơi nhận or signature)
    distribution: list[str] = field(default_factory=list)
    signing_authority: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None
    end: int | None = None  # first line after the signature block


def find_closing_start(lines: list[str], start: int) -> int:
    """Index of the first "Nơi nhận" or signature-authority line at or after ``start``."""
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if NOI_NHAN.match(fold(line)) or _authority(line):
            return i
    return len(lines)


def _authority(line: str) -> str | None:
    m = _AUTHORITY.search(line)
    if not m:
        return None
    body = m["body"].strip(" ,.")
    if len(body) < 3 or not is_upper_line(body):
        return None
    pre = re.sub(r"\s", "", m["pre"]).replace("„", "T").replace(",", ".")
    return f"{pre} {body}"


@cache
def _title_re() -> re.Pattern:
    words = sorted((fold(t) for t in org_vocab()["signer_titles"]), key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])")


@cache
def _name_re() -> re.Pattern:
    word = r"[" + _UP + r"][" + LOWER + r"]+"
    return re.compile(r"(?:^|(?<=\s))(?P<name>" + word + r"(?:\s+" + word + r"){1,3})"
                      r"\s*(?:\(đã ký\))?\s*$")


@cache
def _surnames() -> frozenset[str]:
    return frozenset(fold(s) for s in org_vocab()["surnames"])


def _upper_run(line: str) -> str | None:
    """The trailing upper-case run of a line ("- Như trên; THỨ TRƯỞNG" -> "THỨ TRƯỞNG")."""
    m = re.search(r"([" + _UP + r"][" + _UP + r"\s,\-]{2,60})$", line.strip())
    if not m:
        return None
    run = m.group(1).strip(" ,")
    return run if is_upper_line(run) and len(run) >= 3 else None


def person_name(line: str) -> str | None:
    m = _name_re().search(line.strip())
    if not m:
        return None
    name = m["name"]
    if fold(name.split()[0]) not in _surnames() or find_provinces(name) or len(name.split()) < 2:
        return None  # a name opens with a family name (compared without diacritics: OCR)
    return name


_MARKER = re.compile(r"(?:^|(?<=\s))(?:T\s?/\s?M|T\s?/\s?L|K\s?/\s?T|TM\.|TL\.|KT\.|TUQ\.)\s")
_ENTRY_BREAK = re.compile(r"(?<=[;,.:)])\s+(?=-\s)")


def expand_flattened(line: str) -> list[str]:
    """A closing run together on one line ("Nơi nhận: - Bộ Y tế (b/c); - Lưu: VT. TM. ỦY BAN
    NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Đặng Ngọc Sơn") -> the lines it was printed on."""
    parts = [line]
    if NOI_NHAN.match(fold(line)) or _DASH.match(line):
        parts = _ENTRY_BREAK.split(line)
    markers = list(_MARKER.finditer(parts[-1]))
    if not markers or (markers[0].start() == 0 and len(parts) == 1 and len(markers) == 1):
        return parts
    last = parts.pop()
    if markers[0].start() > 0:
        parts.append(last[: markers[0].start()].strip())
    bounds = [m.start() for m in markers] + [len(last)]
    segments = [last[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    return parts + segments[:-1] + _split_signature(segments[-1])


def _split_signature(segment: str) -> list[str]:
    """"KT. CHỦ TỊCH PHÓ CHỦ TỊCH Đặng Ngọc Sơn" -> authority, title, name."""
    name = _name_re().search(segment)
    head = segment[: name.start()].strip() if name and person_name(segment) else segment
    marker = _MARKER.match(head)
    titles = list(_title_re().finditer(fold(head), marker.end() if marker else 0))
    if not marker or not titles:
        return [segment]
    if re.match(r"T\s?/?\s?M", head):  # T/M <body> <title>: the body runs to the last title
        cut = titles[-1].start()
    else:  # KT./TL. <title> <title>: the authority is the first title ("BỘ TRƯỞNG, CHỦ NHIỆM")
        cut = titles[0].end()
        for t in titles[1:]:
            if not re.fullmatch(r"\s*,\s*", head[cut:t.start()]):
                break
            cut = t.end()
    out = [head[:cut].strip(), head[cut:].strip()]
    if head != segment:
        out.append(segment[len(head):].strip())
    return [x for x in out if x]


def parse_closing(lines: list[str], start: int) -> Closing:
    c = Closing(start=start if start < len(lines) else None)
    if c.start is None:
        return c
    stop = min(len(lines), start + SIGNATURE_WINDOW)
    authorities: list[str] = []
    title = name = None
    last = start
    in_distribution = False
    last_entry = -2  # piece number of the last distribution entry (wrapped entries continue it)
    raw_dist: list[str] = []
    pieces = [(i, piece) for i in range(start, stop) for piece in expand_flattened(lines[i].strip())]
    for k, (i, line) in enumerate(pieces):
        if not line:
            continue
        f = fold(line)
        if NOI_NHAN.match(f):
            in_distribution = True
            rest = NOI_NHAN.sub("", line).strip()
            line = rest
            if not line:
                continue
        auth = _authority(line)
        if auth and not name:
            authorities.append(auth)
            last = i
            line = line[: _AUTHORITY.search(line).start()].strip()
        elif not name and (run := _upper_run(line)) and _title_re().search(fold(run)) and not auth:
            if title is None and (authorities or not _DASH.match(line) or run != line):
                title = run
                last = i
                line = line[: len(line) - len(run)].strip() if run != line else ""
        if in_distribution and _DASH.match(line):
            entry, signer = _entry_and_name(_DASH.sub("", line)) if not name else (_DASH.sub("", line), None)
            raw_dist.append(entry)
            last_entry = k
            if signer:
                name, last = signer, i
            continue
        if in_distribution and raw_dist and k == last_entry + 1 and line and not name and not person_name(line) \
                and not raw_dist[-1].rstrip().endswith((".", ";", ",")) and len(line) < 80:
            raw_dist[-1] += " " + line  # a wrapped entry
            last_entry = k
            continue
        if in_distribution and raw_dist and line and not auth and not title == line:
            in_distribution = False  # the list has ended
        if not name and line and (n := person_name(line)):
            name, last = n, i
            if authorities or title:
                break
    c.signing_authority = " / ".join(authorities) or None
    c.signer_title = title
    c.signer_name = name
    c.distribution = _clean_distribution(raw_dist)
    c.end = last + 1
    return c


_TRAILING_MARKS = re.compile(r"(?:\s+[|¬]+|(?<=[;,])[\s.\-|¬_~]+)$")
_ENTRY_THEN_NAME = re.compile(r"^(?P<entry>.*\S[.;,])\s+(?P<tail>\S.*)$")


def _entry_and_name(entry: str) -> tuple[str, str | None]:
    """A scan's two columns read as one line put the signer's name after the last entry of
    "Nơi nhận" ("Lưu VTTU. Phạm Hoàng Anh"): split them when the tail is a name alone."""
    m = _ENTRY_THEN_NAME.match(entry)
    if m and person_name(m["tail"]) == m["tail"].strip():
        return m["entry"], m["tail"].strip()
    return entry, None


def _clean_distribution(entries: list[str]) -> list[str]:
    """Party lists end entries with "," and the last with "."; those separators are not
    part of an entry. State lists use ";" and are kept as printed."""
    # a scan's rules, stamps and the signature column leave marks after an entry ("…; (để b/c) |")
    entries = [_TRAILING_MARKS.sub("", e.strip()) for e in entries if e.strip()]
    entries = [e for e in entries if e]
    commas = sum(e.endswith(",") for e in entries)
    if commas and commas >= len(entries) - 1:
        return [e.rstrip(",.").strip() for e in entries]
    return entries
