"""Loads the vocabulary data files in ``chidao/vocab/`` (provinces, document types,
organisation words, measure taxonomy). Code asks this module; it never hard-codes them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .textnorm import fold, match_key

VOCAB = resources.files("chidao") / "vocab"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (VOCAB / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _read_yaml(name: str):
    with (VOCAB / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


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


_WORD = re.compile(r"\w+")
_JOINER = re.compile(r"[\s\-–.]*")


def find_provinces(text: str, exact: bool = False) -> list[tuple[int, int, Province]]:
    """Every province named in ``text``, as (start, end, province). ``exact`` keeps
    diacritics (body prose, where "diễn biến" must not read as Điện Biên); otherwise the
    match ignores them (OCR-damaged headers). Words may be joined by spaces, dashes or dots."""
    key = (match_key if exact else fold)(text)
    index = _province_index(exact)
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(key)]
    out, k = [], 0
    while k < len(words):
        hit = None
        for names, p in index.get(words[k][0], ()):
            n = len(names)
            if k + n <= len(words) and all(words[k + j][0] == names[j] for j in range(n)) and all(
                    _JOINER.fullmatch(key[words[k + j][2]: words[k + j + 1][1]]) for j in range(n - 1)):
                hit = (words[k][1], words[k + n - 1][2], p, n)
                break
        if hit:
            out.append(hit[:3])
            k += hit[3]
        else:
            k += 1
    return out


def _squash(s: str) -> str:
    return re.sub(r"[\s\-–]+", " ", s).strip()


def province_by_place(place: str) -> Province | None:
    """The province a place-date line names: the province itself or its capital."""
    key = _squash(fold(place))
    key = re.sub(r"^(?:tp\.?|thanh pho|tinh)\s+", "", key)
    for p in provinces():
        if key in {_squash(fold(n)) for n in p.names} | {_squash(fold(p.name))}:
            return p
    for p in provinces():
        if key == _squash(fold(p.capital)):
            return p
    return None


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
