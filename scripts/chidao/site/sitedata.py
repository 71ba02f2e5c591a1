"""Reads the published data package (and only it) into what the site's pages show."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import orjson

from ..vntext import fold


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# --- addresses -------------------------------------------------------------------------

def doc_url(doc_id: str) -> str:
    return f"van-ban/{doc_id}/"


def province_url(code: str, name: str) -> str:
    return f"tinh/{code}-{slug(name)}/"


def measure_url(code: str) -> str:
    return f"bien-phap/{code.lower().replace('_', '-')}/"


UNDATED = "khong-ngay"  # the list of documents without a date of issue, where a year or month would be
NO_PROVINCE = "khac"  # documents of no province (national, or not known), where a province would be


def province_key(code: str | None, name: str | None) -> str:
    """The province's part of an address ("26-vinh-phuc"); NO_PROVINCE for none."""
    return f"{code}-{slug(name or '')}" if code else NO_PROVINCE


def month_url(month: str | None) -> str:
    """The catalogue's list of one month's documents ("2021-08"), or of the undated ones."""
    return f"van-ban/thang/{month or UNDATED}/"


def type_url(doc_type: str | None) -> str:
    return f"van-ban/loai/{slug(doc_type or '') or 'khong-ro'}/"


def province_year_url(code: str, name: str, year: str | None) -> str:
    return f"{province_url(code, name)}{year or UNDATED}/"


def measure_province_url(code: str, pkey: str) -> str:
    """The clauses coding measure ``code`` in the documents of one province (``province_key``)."""
    return f"{measure_url(code)}{pkey}/"


def issuer_slug(issuer: str | None) -> str:
    # Names that differ only in case or diacritics fold to one slug: one issuer, one page.
    return not_a_page_number(slug(issuer or "")[:80].strip("-") or "khong-ro")


def not_a_page_number(key: str) -> str:
    """A key of an address below a paginated list, never mistaken for page 2, 3, ... of it."""
    return f"so-{key}" if key.isdigit() else key


def issuers_url(pkey: str) -> str:
    return f"co-quan/{pkey}/"


def issuer_url(pkey: str, issuer: str | None) -> str:
    return f"co-quan/{pkey}/{issuer_slug(issuer)}/"


def page_url(base: str, n: int) -> str:
    """Page ``n`` (from 1) of the list at ``base``: the first page is the list's own address."""
    return base if n == 1 else f"{base}{n}/"


def rel(from_url: str, to_url: str) -> str:
    """Relative link between two directory URLs of the site ("" is the home page)."""
    depth = len([p for p in from_url.split("/") if p])
    return "../" * depth + to_url or "./"


def md_path(url: str) -> str:
    """The Markdown file whose page is served at ``url``."""
    return "index.md" if not url else url.rstrip("/") + ".md" if url.count("/") > 1 else url + "index.md"


# --- the archive ------------------------------------------------------------------------

def _read(dp: Path, name: str) -> list[dict]:
    """The table's rows as csv.DictReader reads them, an empty value as None."""
    with (dp / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return []
        width, rows = len(header), []
        for row in reader:
            if len(row) == width:
                rows.append(dict(zip(header, [v or None for v in row])))  # noqa: B905 (same length)
            elif row:  # a short or long row, as DictReader makes it (the package writes none)
                cells = dict(zip(header, [v or None for v in row]))  # noqa: B905
                cells.update({k: None for k in header[len(row):]})
                if len(row) > width:
                    cells[None] = row[width:]
                rows.append(cells)
        return rows


@dataclass
class Archive:
    """The published package in ``dp`` (or a staged one, built but not yet swapped in, whose
    originals are still in the package's ``sources``)."""
    dp: Path
    sources: Path | None = None  # the originals (default: dp/sources)
    descriptor: dict = field(init=False)

    def __post_init__(self) -> None:
        self.descriptor = json.loads((self.dp / "datapackage.json").read_text("utf-8"))
        self.sources = self.sources or self.dp / "sources"

    def table(self, name: str) -> list[dict]:
        """The rows of data/<name>.csv, read once."""
        if name not in self._tables:
            self._tables[name] = _read(self.dp, name)
        return self._tables[name]

    @cached_property
    def _tables(self) -> dict[str, list[dict]]:
        return {}

    @cached_property
    def documents(self) -> list[dict]:
        """Documents, oldest first (undated last), then by id."""
        return sorted(self.table("documents"), key=lambda d: (d["date_issued"] or "9999", d["id"]))

    @cached_property
    def by_id(self) -> dict[str, dict]:
        return {d["id"]: d for d in self.documents}

    def children(self, name: str) -> dict[str, list[dict]]:
        key = f"_by_doc_{name}"
        if key not in self._tables:
            grouped: dict[str, list[dict]] = defaultdict(list)
            for row in self.table(name):
                grouped[row["document_id"]].append(row)
            self._tables[key] = grouped
        return self._tables[key]

    @cached_property
    def source_bytes(self) -> dict[str, int]:
        """File name in sources/ -> its size."""
        return {r["file"]: int(r["bytes"]) for r in self.table("sources")}

    def record(self, doc_id: str) -> dict:
        return orjson.loads((self.dp / "json" / f"{doc_id}.json").read_bytes())

    @cached_property
    def provinces(self) -> list[dict]:
        return sorted(self.table("provinces"), key=lambda p: p["code_2021"])

    @cached_property
    def province_by_code(self) -> dict[str, dict]:
        return {p["code_2021"]: p for p in self.provinces}

    @cached_property
    def taxonomy(self) -> list[dict]:
        return self.table("measure_taxonomy")

    @cached_property
    def measure_by_code(self) -> dict[str, dict]:
        return {m["code"]: m for m in self.taxonomy}

    @cached_property
    def docs_by_province(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for d in self.documents:
            if d["province_code"]:
                out[d["province_code"]].append(d)
        return out

    @cached_property
    def measures_by_code(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for m in self.table("measures"):
            out[m["code"]].append(m)
        return out

    @cached_property
    def stringency_weeks(self) -> tuple[list[str], dict[str, dict[str, dict]]]:
        """(weeks, province_code -> week (its Monday) -> the week's highest index, with its day
        (measures_on gives the measures behind it). A week with no coded source has value None."""
        from datetime import date, timedelta

        if not (self.dp / "data" / "stringency_index.csv").exists():
            return [], {}
        out: dict[str, dict[str, dict]] = defaultdict(dict)
        weeks: set[str] = set()
        for row in self.table("stringency_index"):
            d = date.fromisoformat(row["date"])
            week = (d - timedelta(days=d.weekday())).isoformat()
            weeks.add(week)
            value = float(row["stringency_index"]) if row["stringency_index"] is not None else None
            cur = out[row["province_code"]].get(week)
            if cur is None or (value is not None and (cur["value"] is None or value > cur["value"])):
                out[row["province_code"]][week] = {"week": week, "value": value, "date": row["date"],
                                                   "indicators": row["indicators"],
                                                   "missing": row["indicators_missing"]}
        return sorted(weeks), out

    @cached_property
    def level_spans(self) -> dict[str, list[tuple[str, str, list[str]]]]:
        """province_code -> (start_date, end_date, measure ids) of its stringency_levels spans:
        the measures behind a day's index are those of the spans that cover the day."""
        out: dict[str, list[tuple[str, str, list[str]]]] = defaultdict(list)
        if (self.dp / "data" / "stringency_levels.csv").exists():
            for row in self.table("stringency_levels"):
                if row["measure_ids"]:
                    out[row["province_code"]].append((row["start_date"], row["end_date"], row["measure_ids"].split(" | ")))
        return out

    def measures_on(self, province_code: str, day: str) -> list[str]:
        """The ids of the measures behind a province's levels on ``day``, sorted."""
        return self.measures_on_days(province_code, [day])[day]

    def measures_on_days(self, province_code: str, days: list[str]) -> dict[str, list[str]]:
        """measures_on for each of ``days``, in one sweep over the province's spans (a scan of
        every span for every day grows with the archive times the weeks)."""
        spans = sorted(self.level_spans.get(province_code, ()), key=lambda s: s[0])
        out: dict[str, list[str]] = {}
        active: list[tuple[str, str, list[str]]] = []
        k = 0
        for day in sorted(set(days)):
            while k < len(spans) and spans[k][0] <= day:
                active.append(spans[k])
                k += 1
            active = [s for s in active if s[1] >= day]  # (a later day never needs an ended span)
            out[day] = sorted({i for _, _, ids in active for i in ids})
        return out

    @cached_property
    def docs_by_month(self) -> dict[str | None, list[dict]]:
        """"YYYY-MM" (None: no date, or only a year) -> documents, oldest first."""
        out: dict[str | None, list[dict]] = defaultdict(list)
        for d in self.documents:
            iso = d["date_issued"] or ""
            out[iso[:7] if len(iso) >= 7 else None].append(d)
        return out

    @cached_property
    def issuers(self) -> dict[str, dict[str, dict]]:
        """province_key -> issuer_slug -> {"slug", "name" (its most frequent spelling), "kind", "docs"}."""
        out: dict[str, dict[str, dict]] = defaultdict(dict)
        for d in self.documents:
            p = self.province_by_code.get(d["province_code"] or "")
            pkey = province_key(p["code_2021"], p["name_2021"]) if p else NO_PROVINCE
            key = issuer_slug(d["issuer"])
            entry = out[pkey].setdefault(key, {"slug": key, "names": defaultdict(int), "docs": []})
            entry["names"][d["issuer"] or "(không rõ cơ quan)"] += 1
            entry["docs"].append(d)
        for group in out.values():
            for entry in group.values():
                names = entry.pop("names")
                entry["name"] = max(sorted(names), key=names.get)
                kinds = [d["issuer_kind"] for d in entry["docs"] if d["issuer_kind"]]
                entry["kind"] = max(sorted(set(kinds)), key=kinds.count) if kinds else None
        return out

    @cached_property
    def measure_by_id(self) -> dict[str, dict]:
        """'<document_id>:<position>' -> the measures row."""
        return {f"{m['document_id']}:{m['position']}": m for m in self.table("measures")}

    def doc_measure_codes(self, doc: dict) -> list[str]:
        return (doc["measure_codes"] or "").split(" | ") if doc["measure_codes"] else []

    def provenance(self, doc_id: str) -> dict[str, dict]:
        return {p["field"]: p for p in self.children("provenance").get(doc_id, [])}

    @cached_property
    def resources(self) -> list[dict]:
        return self.descriptor["resources"]
