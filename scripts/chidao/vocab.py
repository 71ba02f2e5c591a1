"""Loads the vocabulary data files in ``chidao/vocab/`` (provinces, document types,
organisation words, measure taxonomy). Code asks this module; it never hard-codes them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .vntext import fold, match_key

VOCAB = resources.files("chidao") / "vocab"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (VOCAB / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# libyaml's parser when PyYAML has it (the same safe constructors, ~10x faster: every
# extraction worker loads the vocabularies at its start)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str):
    """yaml.safe_load(text), with libyaml's parser when there is one."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)


def _read_yaml(name: str):
    return load_yaml((VOCAB / name).read_text("utf-8"))


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    full_name: str
    unit_type: str
    capital: str
    names: tuple[str, ...]  # every spelling that names it: name, full name, aliases

    @property
    def level(self) -> str:
        """'thành phố' for the five centrally run cities, else 'tỉnh'."""
        return "thành phố" if self.unit_type == "thanh_pho_tw" else "tỉnh"

    @property
    def party_committee(self) -> str:
        return "Thành ủy" if self.unit_type == "thanh_pho_tw" else "Tỉnh ủy"


@cache
def provinces() -> tuple[Province, ...]:
    out = []
    for row in _read_csv("provinces.csv"):
        names = [row["name_2021"], row["full_name_2021"]]
        names += [a for a in row["aliases"].split("|") if a]
        out.append(Province(row["code_2021"], row["name_2021"], row["full_name_2021"],
                            row["unit_type_2021"], row["tinh_ly_2021"], tuple(names)))
    return tuple(out)


@cache
def _province_index(exact: bool) -> dict[str, list[tuple[tuple[str, ...], Province]]]:
    """First word -> [(words of a name, province)], longest names first."""
    keyf = match_key if exact else fold
    index: dict[str, list[tuple[tuple[str, ...], Province]]] = {}
    for p in provinces():
        for n in p.names:
            words = tuple(re.findall(r"\w+", keyf(n)))
            index.setdefault(words[0], []).append((words, p))
    for entries in index.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return index


@cache
def _name_pattern(exact: bool) -> tuple[re.Pattern, dict[tuple[str, ...], Province]]:
    """One regex for every province name (its words joined by spaces, dashes or dots; written
    as a trie, where a longer name wins), and the province of each name's words. The
    regex engine finds the names in one pass instead of a Python loop over every word that
    could begin a name ("hà", "nam", "bắc" are everywhere in Vietnamese)."""
    by_words: dict[tuple[str, ...], Province] = {}
    for entries in _province_index(exact).values():
        for words, p in entries:
            by_words.setdefault(words, p)
    joint = r"(?!\w)[\s\-–.]*"
    names = [tuple(atom for i, w in enumerate(words) for atom in ([joint] if i else []) + [re.escape(c) for c in w])
             for words in by_words]
    return re.compile(r"(?<!\w)" + trie_regex(names) + r"(?!\w)"), by_words


def trie_regex(alternatives: list[tuple[str, ...]]) -> str:
    """The alternation of ``alternatives`` (each a sequence of regex atoms) as a trie: shared
    beginnings written once, so that the regex engine reads a name's letters once instead of
    trying every name in turn (3x faster over a directive's text). Where one alternative
    continues another, the longer is tried first: for names, whose words a text either has
    in full or not, that is the alternation with names of more words first."""
    trie: dict = {}
    for atoms in alternatives:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[None] = {}  # an alternative ends here

    def emit(node: dict) -> str:
        branches = [atom + emit(child) for atom, child in node.items() if atom is not None]
        if not branches:
            return ""
        if len(branches) == 1 and None not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if None in node else "")

    return emit(trie)


_WORD = re.compile(r"\w+")


def find_provinces(text: str, exact: bool = False) -> list[tuple[int, int, Province]]:
    """Every province named in ``text``, as (start, end, province). ``exact`` keeps
    diacritics (body prose, where "diễn biến" must not read as Điện Biên); otherwise the
    match ignores them (OCR-damaged headers). Words may be joined by spaces, dashes or dots."""
    key = (match_key if exact else fold)(text)
    pattern, by_words = _name_pattern(exact)
    return [(m.start(), m.end(), by_words[tuple(_WORD.findall(m.group(0)))]) for m in pattern.finditer(key)]


def _squash(s: str) -> str:
    return re.sub(r"[\s\-–]+", " ", s).strip()


@cache
def _place_keys() -> tuple[dict[str, Province], dict[str, Province]]:
    names, capitals = {}, {}
    for p in provinces():
        for n in (*p.names, p.name):
            names[_squash(fold(n))] = p
        capitals.setdefault(_squash(fold(p.capital)), p)
    return names, capitals


def province_by_place(place: str) -> Province | None:
    """The province a place-date line names: the province itself or its capital."""
    key = _squash(fold(place))
    key = re.sub(r"^(?:tp\.?|thanh pho|tinh)\s+", "", key)
    names, capitals = _place_keys()
    return names.get(key) or capitals.get(key)


def province_by_code(code: str) -> Province | None:
    return next((p for p in provinces() if p.code == code), None)


@dataclass(frozen=True)
class DocType:
    code: str
    name: str
    name_en: str
    system: str


@cache
def doc_types() -> tuple[DocType, ...]:
    return tuple(DocType(r["code"], r["name_vi"], r["name_en"], r["system"])
                 for r in _read_csv("doc_types.csv"))


def doc_type_by_code(code: str) -> DocType | None:
    for t in doc_types():
        if t.code == code:
            return t
    folded = fold(code)
    return next((t for t in doc_types() if fold(t.code) == folded and len(code) > 1), None)


def doc_type_by_name(name: str) -> DocType | None:
    key = fold(name).strip()
    return next((t for t in doc_types() if fold(t.name) == key), None)


@cache
def org_vocab() -> dict:
    return _read_yaml("org_vocab.yaml")


@cache
def measure_taxonomy() -> dict:
    return _read_yaml("measure_taxonomy.yaml")


def key_alternation(words: list[str]) -> str:
    """A regex alternation (longest first) of ``words`` in match-key form."""
    return "|".join(re.escape(match_key(w)) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class District:
    province_code: str
    code: str
    name: str
    unit_type: str  # huyen, thi_xa, thanh_pho (thuộc tỉnh), quan
    keys: tuple[str, ...]  # squashed folded name, then former names and spellings


def district_key(name: str) -> str:
    """"Hiệp Hòa", "Hiệp Hoà", "HIEP HOA", "Hiệp-Hòa" -> "hiephoa"."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


def _exact_key(name: str) -> str:
    return re.sub(r"[\W_]", "", match_key(name))


@cache
def districts() -> tuple[District, ...]:
    """The district-level units of 2020–2022 (districts_2021.csv; see vocab/README.md)."""
    return tuple(District(r["province_code"], r["district_code"], r["district_name"], r["unit_type"],
                          (district_key(r["district_name"]), *(k for k in r["former_names"].split("|") if k)))
                 for r in _read_csv("districts_2021.csv"))


@cache
def _district_index() -> dict[str, tuple[tuple[District, bool], ...]]:
    index: dict[str, list[tuple[District, bool]]] = {}
    for d in districts():
        for k, key in enumerate(d.keys):
            index.setdefault(key, []).append((d, k == 0))
    return {k: tuple(v) for k, v in index.items()}


def find_districts(name: str, unit_type: str | None = None) -> list[tuple[District, bool]]:
    """The districts a name may be, as (district, named by its current name). Names repeat
    across provinces ("Châu Thành"): the caller decides with other clues. A unit type narrows
    the list only when it leaves one (Việt Yên was a huyện in 2021, a thị xã since 2024)."""
    hits = list(_district_index().get(district_key(name), ()))
    # with its diacritics, "Tam Đường" (Lai Châu) is not "Tam Dương" (Vĩnh Phúc); without, it may be
    exact = [h for h in hits if h[1] and _exact_key(h[0].name) == _exact_key(name)]
    hits = exact or hits
    typed = [h for h in hits if h[0].unit_type == unit_type]
    return typed or hits
