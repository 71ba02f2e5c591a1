"""Extract: normalized text -> record. Assembles header, body, closing and mentions into
one record per directive, and records every value that was derived rather than printed."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from ..ingest.source import DerivedStore, read_source
from ..ingest.textnorm import SourceError, normalize
from ..vntext import fold, match_key
from ..vocab import Province, doc_type_by_code, doc_type_by_name, find_provinces, org_vocab, province_by_place
from . import body, closing, header, measures, mentions
from .genre import not_a_directive
from .level import Locus, case_units, complete, locate, under_district, units

SCHEMA_VERSION = "1.0.0"


def text_hash(text: str) -> str:
    """SHA-256 of the normalized text with white space collapsed: the same document saved in
    another encoding, line-end convention or Unicode form has the same text hash."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()  # (split: the \s of regexes)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _case_org(name: str) -> str:
    """Write an upper-case header name as a name ("TỈNH ỦY LAI CHÂU" -> "Tỉnh ủy Lai Châu")."""
    v = org_vocab()
    text = re.sub(r"\s+", " ", name).strip(" .,-")
    text = re.sub(r"[^\w)]+$", "", text)  # OCR rules and dashes after the name
    if not text.isupper() and not re.search(r"[A-ZĐ]{3,}", text):
        return text  # already written in mixed case
    out = text.lower()
    out = re.sub(r"(?<!\w)tp\.?\s*(?=\w)", "thành phố ", out)
    for s_, e_, p in sorted(find_provinces(out), key=lambda x: x[0], reverse=True):
        prefix = re.match(r"(tinh|thanh pho)\s*", fold(out[s_:e_]))
        lead = {"tinh": "tỉnh ", "thanh pho": "Thành phố "}.get(prefix.group(1), "") if prefix else ""
        out = out[:s_] + lead + p.name + out[e_:]
        if not prefix and re.search(r"thành phố\s*$", out[:s_]):
            out = re.sub(r"thành phố\s*$", "Thành phố ", out[:s_]) + out[s_:]
    for term in sorted(v["proper_terms"] + v["acronyms"], key=len, reverse=True):
        out = _replace_folded(out, term)
    fixed = next((n for n in v["state_body_names"] if match_key(out).startswith(match_key(n) + " ")), None)
    if fixed:
        return fixed + out[len(fixed):]
    for head in sorted(v["name_heads"], key=len, reverse=True):
        out = re.sub(r"(?i)^(" + re.escape(head) + r")\s+(\w)",
                     lambda m, head=head: head + " " + m.group(2).upper(), out)
    return out[:1].upper() + out[1:]


@cache
def _folded_term(term: str) -> re.Pattern:
    return re.compile(r"(?<![a-z])" + re.escape(fold(term)) + r"(?![a-z])")


def _replace_folded(text: str, term: str) -> str:
    """Replace a spelling of ``term`` (any case, tone or lost diacritics) by ``term``."""
    pattern = _folded_term(term)
    key = fold(text)
    if not pattern.search(key):
        return text
    out, i = [], 0
    for m in pattern.finditer(key):
        out.append(text[i: m.start()] + term)
        i = m.end()
    return "".join(out) + text[i:]


def _levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@cache
def _national_body(name: str) -> str | None:
    """The canonical national body a (possibly OCR-damaged) header name stands for."""
    key = re.sub(r"\s+", "", fold(name))
    for body_name in org_vocab()["national_bodies"]:
        canon = re.sub(r"\s+", "", fold(body_name))
        slack = len(canon) // 8  # short names must match exactly: "Sở Y tế" is not "Bộ Y tế"
        if key == canon or (slack and abs(len(key) - len(canon)) <= slack and key[:1] == canon[:1]
                            and _levenshtein(key, canon) <= slack):
            return body_name
        head = key[: len(canon)]
        if (len(key) > len(canon) and head[:2] == canon[:2]
                and (head == canon or slack and _levenshtein(head, canon) <= slack)
                and not find_provinces(key[len(canon):])):
            return body_name
    return None


def _issuer_name(names: list[str], title_of: str | None) -> tuple[str | None, str | None]:
    """(issuer, parent) from the header's name lines and a "CỦA X" line under the title."""
    cased = [_national_body(n) or case_units(_case_org(n)) for n in names]
    if title_of:
        cased.append(_national_body(title_of) or _case_org(title_of))
    if not cased:
        return None, None
    issuer, parent = cased[-1], (cased[-2] if len(cased) > 1 else None)
    if parent and match_key(issuer) in {match_key(u) for u in org_vocab()["units_of_parent"]}:
        return f"{issuer} {parent}", parent
    if parent and (joined := _overlap_join(issuer, parent)):
        return joined, parent
    if parent and (joined := under_district(issuer, parent)):
        return joined, parent  # "Phòng Giáo dục và Đào tạo" under "UBND huyện Yên Dũng"
    if parent and not find_provinces(issuer) and not units(issuer) and (hit := find_provinces(parent)):
        # "SỞ Y TẾ" under "UBND TỈNH HẢI DƯƠNG": the unit belongs to the parent's province
        s_, e_, prov = hit[-1]
        phrase = re.match(r"(tinh|thanh pho)\s*", fold(parent[s_:e_]))
        level = "Thành phố" if prov.unit_type == "thanh_pho_tw" else "tỉnh"
        stem = re.sub(r"\s+(thành phố|thành phó|tỉnh|tinh|thanh pho)$", "", issuer, flags=re.IGNORECASE)
        issuer = f"{stem} {level if phrase or prov.unit_type == 'thanh_pho_tw' else 'tỉnh'} {prov.name}"
    return issuer, parent


def _overlap_join(unit: str, parent: str) -> str | None:
    """"Ban Thường vụ Tỉnh ủy" (title "CỦA BAN THƯỜNG VỤ TỈNH ỦY") under "Tỉnh ủy Quảng Nam":
    the unit's name ends where the parent's begins -> "Ban Thường vụ Tỉnh ủy Quảng Nam"."""
    u, p = unit.split(), parent.split()
    for k in range(min(len(u) - 1, len(p) - 1), 0, -1):
        if match_key(" ".join(u[-k:])) == match_key(" ".join(p[:k])):
            return " ".join(u[:-k] + p)
    return None


def _issuer_from_code(code: str | None, prov: Province | None) -> tuple[str, str] | None:
    if not code or not prov:
        return None
    entry = org_vocab()["issuer_codes"].get(code.split("-")[0])
    if not entry:
        return None
    return _fill(entry["name"], prov), entry["kind"]


def _fill(template: str, prov: Province) -> str:
    return template.format(province=prov.name, level=prov.level, party_committee=prov.party_committee)


def _issuer_from_authority(authority: str | None, prov: Province | None) -> tuple[str, str, str] | None:
    if not authority or not prov:
        return None
    first = authority.split(" / ")[0]
    body_name = re.sub(r"^\S+\s+", "", first)
    for key, entry in org_vocab()["authority_bodies"].items():
        if match_key(body_name) == match_key(key):
            return _fill(entry["name"], prov), entry["kind"], first
    return None


def _is_national(issuer: str) -> bool:
    key = fold(issuer)
    return any(key.startswith(fold(n)) for n in org_vocab()["national_issuers"])


def _kind_of(issuer: str | None, family: str | None) -> str | None:
    if issuer:
        key = match_key(issuer)
        if any(key.startswith(match_key(h)) for h in org_vocab()["state_body_names"]):
            return "government"
        if any(key.startswith(match_key(h)) for h in org_vocab()["other_kind_heads"]):
            return "other"
        if re.match(r"(tỉnh ủy|thành ủy|huyện ủy|đảng ủy|ban thường vụ|ban chấp hành|bộ chính trị|ban bí thư|"
                    r"ban tuyên giáo|ban dân vận|ban tổ chức|văn phòng (tỉnh|thành) ủy)", key):
            return "party"
    if family == "party":
        return "party"
    if family == "state" or issuer:
        return "government"
    return None


def extract_text(raw: str, source_file: str, sha256: str, keyword_measures: bool = True) -> dict:
    """Read one directive's text into a record (see schemas/document.schema.json).
    ``keyword_measures``: code each item's measures by the taxonomy's keywords; False leaves
    ``measures`` (the record's and each item's) None, for a caller whose codebook stage codes
    them clause by clause and replaces them anyway (the build: ~8 % of extraction's time)."""
    text = normalize(raw)
    lines = text.split("\n")
    h = header.parse_header(lines)
    inferred: dict[str, str] = {}
    warnings: list[str] = []

    recipients, body_start = ([], h.end)
    if h.kinh_gui is not None:
        recipients, body_start = body.parse_recipients(lines, h.kinh_gui)
    closing_start = closing.find_closing_start(lines, body_start)
    c = closing.parse_closing(lines, closing_start)
    body_text = "\n".join(lines[body_start:closing_start])
    items = body.find_items(lines, body_start, closing_start)

    # issuer and province
    names = header.issuer_names(h.issuer_lines)
    issuer, parent = _issuer_name(names, h.title_of)
    if issuer and (done := complete(issuer, c.signing_authority, h.place)):
        issuer, inferred["issuer"] = done[0], f"'{issuer}' completed from the {done[1]}"
    prov = None
    if names:
        hits = find_provinces(" ".join(names))
        prov = hits[-1][2] if hits else None
    place_prov = province_by_place(h.place) if h.place else None
    if not prov and place_prov and not (issuer and _is_national(issuer)):
        prov = place_prov
        if h.place and fold(h.place) != fold(place_prov.name) and fold(h.place) not in map(fold, place_prov.names):
            inferred["province"] = f"place '{h.place}' is the seat of {place_prov.name}"
    acting = body.acting_body(body_text) or body.acting_body(text)
    family = h.family
    kind = None
    if not issuer:
        clue_parts = []
        got = _issuer_from_code(h.issuer_code, prov)
        if got:
            issuer, kind = got
            clue_parts.append(f"symbol …/{h.issuer_code}")
        else:
            got3 = _issuer_from_authority(c.signing_authority, prov)
            if got3:
                issuer, kind = got3[0], got3[1]
                clue_parts.append(f"signature '{got3[2]}'")
        if issuer:
            if h.place:
                clue_parts.append(f"place '{h.place}'")
            if acting:
                clue_parts.append(f"'{acting[1]}'")
            inferred["issuer"] = " + ".join(clue_parts)
    kind = _kind_of(issuer, family) if issuer or family else kind
    if kind and "issuer" in inferred:
        inferred["issuer_kind"] = f"from the inferred issuer '{issuer}'"
    loc = _locate(names, issuer, prov, h.place, c.signing_authority, text, inferred)
    prov = prov or loc.province

    # document type
    doc_type, type_code = _doc_type(h, inferred)
    number = h.number
    if number is None and h.symbol:
        warnings.append("the number is left blank in the symbol")
    if h.date_precision in ("month", "year"):
        warnings.append(f"the date is incomplete as printed ('{h.date_text}'): precision {h.date_precision}")
    if h.date_issued is None:
        warnings.append("no date of issue found")

    refs = mentions.references(body_text)
    for ref in refs:
        ref["issuer_level"] = _issuer_level(ref)
    for ref in refs:
        if ref["date"] and h.date_issued and h.date_precision == "day" and ref["date"] > h.date_issued:
            warnings.append(f"cites '{ref['text']}' dated {ref['date']}, after this document's date {h.date_issued}")
    year = int(h.date_issued[:4]) if h.date_issued else None
    figs = mentions.figures(body_text, year)
    places = mentions.places(body_text, prov.name if prov else None, [f["place"] for f in figs if f["place"]])
    persons = [p for p in mentions.persons(body_text) if p != c.signer_name]

    coded = _code_measures(text, lines, items, body_start, closing_start) if keyword_measures else None

    if not c.signer_name:
        warnings.append("no signer name found")

    record = {
        "id": None,
        "source_file": source_file,
        "sha256": sha256,
        "province": prov.name if prov else None,
        "province_code": prov.code if prov else None,
        "district": loc.district,
        "issuer": issuer,
        "issuer_parent": parent,
        "issuer_kind": kind,
        "issuer_level": loc.level,
        "acting_body": acting[0] if acting else None,
        "doc_type": doc_type,
        "doc_type_code": type_code,
        "number": number,
        "symbol": h.symbol,
        "date_issued": h.date_issued,
        "date_precision": h.date_precision,
        "place": h.place,
        "subject": h.subject,
        "urgency": h.urgency,
        "recipients": recipients,
        "items": [{"number": i.number, "text": i.text, "addressees": i.addressees,
                   "measures": sorted({m["code"] for m in coded if m["item"] == i.number}) if coded is not None else None}
                  for i in items],
        "signing_authority": c.signing_authority,
        "signer_title": c.signer_title,
        "signer_name": c.signer_name,
        "distribution": c.distribution,
        "references": refs,
        "figures": figs,
        "measures": coded,
        "places": places,
        "persons": persons,
        "inferred": inferred,
        "warnings": warnings,
        "text": text,
        "text_sha256": text_hash(text),
    }
    _mark_normalized(record)
    record["id"] = make_id(record)
    return record


# Fields read off the text whose printed form may be normalized on the way (OCR slips
# repaired, a header name re-cased and completed, "KT," read as "KT."): when the value is
# not found in the text as such, that is recorded in ``inferred`` with the reason.
NORMALIZABLE = ("issuer", "issuer_parent", "district", "acting_body", "symbol", "number", "place", "subject",
                "signing_authority", "signer_title", "signer_name")


def _squash(text: str) -> str:
    # str.split() drops what the regex \s drops (both are str.isspace), several times faster
    return "".join(fold(text).split())


def supported(value: str, text: str) -> bool:
    """Is ``value`` printed in ``text``, up to case, diacritics and white space?"""
    return _squash(value) in _squash(text)


def _mark_normalized(record: dict) -> None:
    squashed = _squash(record["text"])
    for field in NORMALIZABLE:
        value = record[field]
        if not value or field in record["inferred"]:
            continue
        parts = value.split(" / ") if field == "signing_authority" else [value]
        if not all(_squash(p) in squashed for p in parts):
            record["inferred"][field] = (f"'{value}' is the printed form normalized (OCR slips repaired, "
                                         "names re-cased or completed from the header)")


def _locate(names, issuer, prov, place, authority, text, inferred: dict[str, str]) -> Locus:
    """The issuer's level and district; the province of a district the header leaves out."""
    loc = locate(names, issuer, bool(issuer) and _is_national(issuer), place, authority, text)
    if loc.level and "issuer" in inferred:
        loc.clues["issuer_level"] = f"from the inferred issuer '{issuer}'"
    elif loc.level and not names:
        loc.clues["issuer_level"] = f"from the issuer '{issuer}'"
    if prov:
        loc.clues.pop("province", None)
        if loc.province and loc.province.code != prov.code:  # the district is not of this province
            loc.district, loc.province = None, None
            loc.clues.pop("district", None)
    for name, clue in loc.clues.items():
        inferred.setdefault(name, clue)
    return loc


def _code_measures(text: str, lines: list[str], items: list, body_start: int, body_end: int) -> list[dict]:
    """Measures coded per item (or over the whole body when there are no items)."""
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    if items:
        spans = [(offsets[i.line], offsets[i.end_line]) for i in items]
        labels = [i.number for i in items]
    else:
        spans, labels = [(offsets[body_start], offsets[body_end])], [None]
    found = measures.first_matches(text, spans)
    return [{"code": code, "item": label, "evidence": text[s:e]}
            for label, matches in zip(labels, found, strict=True) for code, s, e in matches]


def _issuer_level(ref: dict) -> str | None:
    """'national' or 'provincial' for a cited document, from its symbol's issuer code or issuer."""
    v = org_vocab()
    code = (_symbol_issuer(ref["symbol"]) or "").split("-")[0]
    if code in v["national_symbol_codes"] or (ref["issuer"] and _is_national(ref["issuer"])):
        return "national"
    if code in v["provincial_symbol_codes"] or (ref["issuer"] and re.search(r"(?i)tỉnh|thành ủy|ubnd", ref["issuer"])):
        return "provincial"
    return None


def _doc_type(h: header.Header, inferred: dict[str, str]) -> tuple[str | None, str | None]:
    if h.title_type:
        dt = doc_type_by_name(h.title_type)
        return h.title_type, dt.code if dt else None
    if h.subject_has_vv:
        return "Công văn", "CV"
    if h.type_code:
        dt = doc_type_by_code(h.type_code)
        if dt:
            return dt.name, dt.code
        return None, h.type_code
    if h.symbol and h.number and h.family == "state":
        inferred["doc_type"] = f"symbol '{h.symbol}' carries no type code, as công văn symbols do"
        return "Công văn", "CV"
    return None, None


def _symbol_issuer(symbol: str | None) -> str | None:
    """The issuer part of a symbol: "294-CV/TU" -> "TU", "12/UBND-VX" -> "UBND-VX",
    "24/CT-UBND" and "TB-UBND" -> "UBND"."""
    if not symbol:
        return None
    tail = symbol.split("/")[-1]
    if "-" in symbol.split("/")[0] and "/" in symbol:
        return tail  # Party: number-TYPE/ISSUER
    head, _, rest = tail.partition("-")
    return rest if rest and doc_type_by_code(head) else tail


def make_id(record: dict) -> str:
    """Readable and stable: province-date-number-type-issuer, plus a hash when unnumbered."""
    parts = [slug(record["province"]) if record["province"] else "vn",
             record["date_issued"] or "undated",
             slug(record["number"] or ""),
             slug(record["doc_type_code"] or ""),
             slug(_symbol_issuer(record["symbol"]) or "")]
    if not record["number"]:
        parts.append(record["text_sha256"][:6])
    return "-".join(p for p in parts if p)


def extract_file(path: Path, name: str | None = None, store: DerivedStore | None = None) -> dict:
    data = path.read_bytes()
    return extract_bytes(data, name or path.name, store)


def extract_bytes(data: bytes, name: str, store: DerivedStore | None = None, reread: bool = False,
                  keyword_measures: bool = True) -> dict:
    """A record from a file's bytes (any format ingest reads); raises SourceError (typed,
    with a hint) for bad input. ``store`` keeps and reuses the readings of non-text files.
    ``keyword_measures``: see extract_text."""
    sha = hashlib.sha256(data).hexdigest()
    got = read_source(data, store, reread)
    record = extract_text(got.text, name, sha, keyword_measures)
    record["reading"] = got.provenance()
    record["warnings"] = got.notes + record["warnings"]
    check_directive(record)
    return record


# A text shorter than this, or with too few of a directive's landmarks, is not a directive.
MIN_DIRECTIVE_CHARS = 200


def check_directive(record: dict) -> None:
    """Raise SourceError when nothing in the text marks it as an administrative document."""
    text = record["text"]
    if len(text.strip()) < MIN_DIRECTIVE_CHARS:
        raise SourceError(f"too short to be a directive ({len(text.strip())} characters)",
                          "check that the whole document was exported", "not_directive")
    if what := not_a_directive(record):
        raise SourceError(what, "only directives belong in sources/", "not_directive")
    landmarks = [record["symbol"], record["date_issued"], record["signing_authority"],
                 record["distribution"] or None, record["recipients"] or None, record["urgency"]]
    if sum(x is not None for x in landmarks) < 2:
        raise SourceError("not a directive: no more than one of số/ký hiệu, date line, Kính gửi, Nơi nhận, "
                          "signature authority, urgency", "only directives belong in sources/", "not_directive")
