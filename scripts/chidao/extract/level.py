"""Where in the state an issuer sits: its level (national, province, provincial department,
district, district office, commune) and, below the province, its district. A district
directive counts under its province but must not be taken for a provincial one.

The header names the unit ("UBND HUYỆN HIỆP HÒA", "HUYỆN ỦY TIÊN DU", "ĐẢNG ỦY XÃ LIÊN BÃO");
the district gazetteer (vocab/districts_2021.csv) gives its province. District names repeat
across provinces ("Châu Thành" is in ten), so a name alone decides the province only when it
is unique; otherwise a province named in the header, the place line or the text decides, or
the province stays null."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..vntext import fold
from ..vocab import District, Province, find_districts, find_provinces, province_by_code, province_by_place

# Unit words in folded form, with OCR slips ("huy~n", "huyen"), each with the kind of unit it
# names; a party committee named after its unit ("huyện ủy X") before the unit word alone.
_UNIT_WORDS = [("huyen", r"huy\W?e?n\s*u[yi]"), ("quan", r"qu\W?a?n\s*u[yi]"), ("thi_xa", r"th[i\W]\s*u[yi]"),
               ("thanh_pho", r"thanh\s*u[yi]|thanh\s*ph[o\W]|tp\.?"), ("thi_xa", r"th[i\W]\s*x[a\W]|tx\.?"),
               ("huyen", r"huy\W?e?n"), ("quan", r"qu\W?a?n"),
               ("commune", r"th[i\W]\s*tr\W?a?n|x[a\W]|ph\W?u\W?o\W?ng"), ("province", r"t[i\W]nh")]
_UNIT = re.compile(r"(?<![a-z])(?:" + "|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_UNIT_WORDS))
                   + r")\s+(?P<name>[^\W_][\w\s.'’-]*)")
_LABEL = {"huyen": "huyện", "quan": "quận", "thi_xa": "thị xã", "thanh_pho": "thành phố"}
# Issuers that are the unit's own leading bodies (not an office or department of it).
_LEADING = ("uy ban nhan dan", "ubnd", "hoi dong nhan dan", "hdnd", "tinh uy", "thanh uy", "huyen uy",
            "quan uy", "thi uy", "dang uy", "thuong truc", "ban thuong vu", "ban chap hanh",
            "doan dai bieu quoc hoi")
_DISTRICT_LEADING = _LEADING + ("ban chi dao", "bcd", "ban chi huy")


@dataclass
class Unit:
    kind: str  # huyen, quan, thi_xa, thanh_pho, commune, province
    name: str  # as printed
    start: int  # where the unit word begins in the name it was read from
    end: int  # where the unit's name ends
    district: District | None = None  # the gazetteer entry, for the district types
    candidates: list[tuple[District, bool]] = field(default_factory=list)


def units(name: str) -> list[Unit]:
    """The administrative units a header name names, in order ("UBND HUYỆN YÊN DŨNG")."""
    f = fold(name)
    out, pos = [], 0
    while m := _UNIT.search(f, pos):
        kind = next(k for i, (k, _) in enumerate(_UNIT_WORDS) if m[f"k{i}"] is not None)
        unit = _named(kind, name[m.start("name"): m.end("name")].split(), m.start())
        if unit:
            unit.end = name.index(unit.name, m.start("name")) + len(unit.name)
            out.append(unit)
        pos = m.start("name")  # "QUÂN SỰ TỈNH BẮC GIANG": not a quận, but a tỉnh follows
    return out


def _named(kind: str, words: list[str], start: int) -> Unit | None:
    if kind == "province":
        return Unit(kind, " ".join(words), start, 0) if words and find_provinces(" ".join(words)) else None
    if kind == "commune":
        if not words or fold(words[0]) in ("hoi", "hội"):  # "Bảo hiểm xã hội", "Thương binh và Xã hội"
            return None
        return Unit(kind, " ".join(words[:4]).strip(" ,.-"), start, 0)
    for n in range(min(len(words), 4), 0, -1):  # the longest run of words that is a district
        printed = " ".join(words[:n]).strip(" ,.-")
        hits = find_districts(printed, kind)
        if hits:
            return Unit(kind, printed, start, 0, hits[0][0] if len(hits) == 1 else None, hits)
    if kind == "thanh_pho" and words and find_provinces(" ".join(words)):
        return Unit("province", " ".join(words), start, 0)  # "THÀNH PHỐ HÀ NỘI"
    if kind in ("huyen", "thi_xa") and words and not re.search(r"\d", words[0]):
        return Unit(kind, " ".join(words[:3]).strip(" ,.-"), start, 0)  # a district the gazetteer lacks
    return None


def district_name(unit: Unit) -> str:
    """The district as named: the gazetteer's spelling when the header's is its current
    name up to case and diacritics, else the printed words in title case."""
    current = [d for d, is_current in unit.candidates if is_current]
    if current:  # "Quận 8": a numbered quận is named with its type
        return current[0].name if not current[0].name.isdigit() else f"Quận {current[0].name}"
    return _title(unit.name)


def case_units(name: str) -> str:
    """"Ủy ban nhân dân huyện hiệp hòa" -> "... huyện Hiệp Hòa": the names of the units below
    the province written as names (the gazetteer's spelling when it is the same name)."""
    for unit in reversed(units(name)):
        if unit.kind != "province":
            cased = district_name(unit) if unit.kind != "commune" else _title(unit.name)
            cased = cased.removeprefix("Quận ") if unit.kind == "quan" else cased  # "quận 8"
            at = unit.end - len(unit.name)
            # the unit word in lower case: "thành phố Bắc Giang" is a city of the province
            word = name[unit.start: at].lower()
            word = word[:1].upper() + word[1:] if unit.start == 0 else word  # "Huyện ủy Tiên Du"
            name = name[: unit.start] + word + cased + name[unit.end:]
    return name


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def under_district(issuer: str, parent: str) -> str | None:
    """"Phòng Giáo dục và Đào tạo" under "UBND huyện Yên Dũng" -> "... huyện Yên Dũng"."""
    if units(issuer) or find_provinces(issuer):
        return None
    own = [u for u in units(parent) if u.kind in _LABEL]
    if not own:
        return None
    return f"{issuer} {parent[own[-1].start:]}"


@dataclass
class Locus:
    level: str | None = None
    district: str | None = None
    province: Province | None = None
    clues: dict[str, str] = field(default_factory=dict)


def _is_leading(issuer: str, heads: tuple[str, ...]) -> bool:
    key = fold(issuer)
    return any(key.startswith(h) for h in heads)


def locate(names: list[str], issuer: str | None, national: bool, place: str | None,
           authority: str | None, text: str) -> Locus:
    """The issuer's level, district and (when the header names no province) province."""
    loc = Locus()
    if not issuer:
        return loc
    if national:
        loc.level = "national"
        return loc
    header_units = [u for n in names for u in units(n)]
    own = units(issuer)
    districts = [u for u in header_units + own if u.kind in _LABEL]
    if not districts and authority and not find_provinces(issuer):  # "TM. ỦY BAN NHÂN DÂN HUYỆN HIỆP HÒA"
        districts = [u for u in units(authority) if u.kind in _LABEL]
        if districts:
            loc.clues["district"] = f"signature '{authority.split(' / ')[0]}'"
    if any(u.kind == "commune" for u in own):
        loc.level = "commune"
    elif districts:
        loc.level = "district" if _is_leading(issuer, _DISTRICT_LEADING) else "district_office"
    elif find_provinces(issuer) or any(u.kind == "province" for u in header_units):
        loc.level = "province" if _is_leading(issuer, _LEADING) else "provincial_department"
    if districts:
        unit = districts[-1]
        loc.district = district_name(unit)
        loc.province = _province_of(unit, names, place, text, loc.clues)
    return loc


def _province_of(unit: Unit, names: list[str], place: str | None, text: str,
                 clues: dict[str, str]) -> Province | None:
    """The province of a district: the gazetteer's when the name is unique, else the one
    among its candidates that the header, the place line or the text names."""
    codes = sorted({d.province_code for d, _ in unit.candidates})
    label = f"{_LABEL.get(unit.kind, unit.kind)} {unit.name}"
    if len(codes) == 1:
        prov = province_by_code(codes[0])
        clues["province"] = f"district '{label}' is in {prov.name} (gazetteer of 2021 districts)"
        return prov
    named = {p.code: p for _, _, p in find_provinces(" ".join(names))}
    if place and (p := province_by_place(place)):
        named.setdefault(p.code, p)
    if not set(codes) & set(named):
        named = {p.code: p for _, _, p in find_provinces(text, exact=True)}
    hits = [named[c] for c in codes if c in named]
    if len(hits) == 1:
        clues["province"] = f"district '{label}' (in {len(codes)} provinces) + {hits[0].name} named in the text"
        return hits[0]
    return None


def complete(issuer: str, authority: str | None, place: str | None) -> tuple[str, str] | None:
    """A body printed without its unit ("ỦY BAN NHÂN DÂN" alone, the unit line lost) completed
    from the signature ("TM. ỦY BAN NHÂN DÂN HUYỆN HIỆP HÒA") or the place line; (issuer, clue)."""
    if units(issuer) or find_provinces(issuer) or not _is_leading(issuer, _DISTRICT_LEADING):
        return None
    for line in (authority or "").split(" / "):
        found = [u for u in units(line) if u.kind in _LABEL or u.kind == "province"]
        if found and _is_leading(re.sub(r"^\S+\s+", "", line), _DISTRICT_LEADING):
            return _with_unit(issuer, found[-1]), f"signature '{line}'"
    prov = province_by_place(place) if place else None
    if prov and fold(place) in map(fold, prov.names):
        return f"{issuer} {prov.level} {prov.name}", f"place '{place}'"
    hits = find_districts(place) if place and not prov else []
    if len({d.province_code for d, _ in hits}) == 1:
        d = hits[0][0]
        unit = Unit(d.unit_type, place, 0, 0, d, hits)
        return _with_unit(issuer, unit), f"place '{place}' is a district (gazetteer of 2021 districts)"
    return None


def _with_unit(issuer: str, unit: Unit) -> str:
    name = district_name(unit) if unit.kind in _LABEL else next(p.name for _, _, p in find_provinces(unit.name))
    if fold(issuer).endswith(" uy"):  # "Huyện ủy" + "Tam Đường"
        return f"{issuer} {name}"
    word = _LABEL.get(unit.kind) or next(p.level for _, _, p in find_provinces(unit.name))
    return f"{issuer} {word} {name}"
