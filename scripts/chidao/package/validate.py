"""Checks a built data package: Frictionless (types, constraints, enums, unique and foreign
keys across tables, bytes and hashes), JSON Schema for every JSON record, and the
consistency rules listed in CHECKS. Every problem is reported as "file, row, field: reason"."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .schemas import document_json_schema


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        where += f", field {self.field}" if self.field else ""
        return f"{where}: {self.reason}"


def frictionless_problems(dp: Path) -> list[Problem]:
    from frictionless import FrictionlessException, Package, system

    try:
        with system.use_context(trusted=False):
            report = Package(str(dp / "datapackage.json")).validate()
    except FrictionlessException as exc:
        return [Problem("datapackage.json", None, None, str(exc))]
    out = []
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            field = getattr(err, "field_name", None)
            out.append(Problem(task.place or task.name, row, field, f"{err.type}: {err.note or err.message}"))
    for err in report.errors:
        out.append(Problem("datapackage.json", None, None, f"{err.type}: {err.message}"))
    return out


@cache
def _fast_validator():
    """A compiled validator (fastjsonschema) for the common case, a valid record; records it
    rejects are validated again with jsonschema, which reports every error precisely."""
    import fastjsonschema

    return fastjsonschema.compile(document_json_schema(), formats={"date": r"^\d{4}-\d{2}-\d{2}$"})


def json_problems(dp: Path) -> list[Problem]:
    """Every record of json/documents.json against the schema; every json/<id>.json must be
    the same record as in documents.json (so it is valid too), or is checked on its own."""
    import fastjsonschema
    from jsonschema import Draft202012Validator, FormatChecker

    slow = Draft202012Validator(document_json_schema(), format_checker=FormatChecker())
    fast = _fast_validator()

    def check(rec, rel: str, row: int | None) -> list[Problem]:
        try:
            fast(rec)
            return []
        except fastjsonschema.JsonSchemaException:
            return [Problem(rel, row, "/".join(str(p) for p in e.absolute_path) or None, e.message)
                    for e in slow.iter_errors(rec)] or [Problem(rel, row, None, "not valid against the schema")]

    def load(path: Path, rel: str):
        try:
            return json.loads(path.read_text("utf-8")), None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return None, Problem(rel, getattr(exc, "lineno", None), None, f"malformed JSON: {exc}")

    out: list[Problem] = []
    docs, err = load(dp / "json" / "documents.json", "json/documents.json")
    by_id = {}
    if err:
        out.append(err)
    elif not isinstance(docs, list):
        out.append(Problem("json/documents.json", None, None, "not a list of records"))
    else:
        for n, rec in enumerate(docs, 1):
            out += check(rec, "json/documents.json", n)
            if isinstance(rec, dict):
                by_id[rec.get("id")] = rec
    for path in sorted((dp / "json").glob("*.json")):
        if path.name == "documents.json":
            continue
        rel = f"json/{path.name}"
        rec, err = load(path, rel)
        if err:
            out.append(err)
        elif by_id.get(path.stem) != rec:
            out += check(rec, rel, None) or [Problem(rel, None, None, "differs from its record in documents.json")]
    return out


# --- consistency rules ---------------------------------------------------------------

def _rows(dp: Path, name: str) -> list[dict]:
    with (dp / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check_cited_after_citing_is_warned(dp: Path) -> list[Problem]:
    """A cited document dated after the citing one is recorded as a warning, not fixed."""
    docs = {d["id"]: d for d in _rows(dp, "documents")}
    warned = {(w["document_id"], w["warning"]) for w in _rows(dp, "warnings")}
    out = []
    for n, ref in enumerate(_rows(dp, "references"), 2):
        doc = docs.get(ref["document_id"])
        if not doc or not ref["date"] or doc["date_precision"] != "day" or ref["date"] <= doc["date_issued"]:
            continue
        if not any(d == ref["document_id"] and ref["text"] in w for d, w in warned):
            out.append(Problem("data/references.csv", n, "date",
                               f"cited document dated {ref['date']} after the citing one ({doc['date_issued']}) "
                               "has no warning"))
    return out


def check_date_precision(dp: Path) -> list[Problem]:
    """date_precision agrees with the form of date_issued."""
    want = {10: "day", 7: "month", 4: "year"}
    out = []
    for n, d in enumerate(_rows(dp, "documents"), 2):
        if d["date_issued"] and want.get(len(d["date_issued"])) != d["date_precision"]:
            out.append(Problem("data/documents.csv", n, "date_precision",
                               f"'{d['date_precision']}' does not match date_issued '{d['date_issued']}'"))
    return out


def check_counts(dp: Path) -> list[Problem]:
    """item_count, recipient_count, reference_count and warning_count match their tables."""
    out = []
    counts = {}
    for table, col in (("items", "item_count"), ("recipients", "recipient_count"),
                       ("references", "reference_count"), ("warnings", "warning_count")):
        for r in _rows(dp, table):
            counts[(r["document_id"], col)] = counts.get((r["document_id"], col), 0) + 1
    for n, d in enumerate(_rows(dp, "documents"), 2):
        for col in ("item_count", "recipient_count", "reference_count", "warning_count"):
            if d[col].isdigit() and int(d[col]) != counts.get((d["id"], col), 0):
                out.append(Problem("data/documents.csv", n, col,
                                   f"{d[col]} but {counts.get((d['id'], col), 0)} rows in its table"))
    return out


def check_provenance(dp: Path) -> list[Problem]:
    """Every inferred or curated field of a document has a provenance row with its note."""
    prov = {(p["document_id"], p["field"]): p for p in _rows(dp, "provenance")}
    out = []
    for n, d in enumerate(_rows(dp, "documents"), 2):
        for col, status in (("inferred_fields", "inferred"), ("curated_fields", "curated")):
            for field in filter(None, (d[col] or "").split(" | ")):
                p = prov.get((d["id"], field))
                if not p or p["status"] != status or not p["note"]:
                    out.append(Problem("data/documents.csv", n, col, f"'{field}' has no {status} provenance note"))
    return out


def check_json_matches_tables(dp: Path) -> list[Problem]:
    """json/<id>.json exists for every document, and documents.json holds them all in order."""
    ids = [d["id"] for d in _rows(dp, "documents")]
    out = [Problem(f"json/{i}.json", None, None, "missing") for i in ids if not (dp / "json" / f"{i}.json").exists()]
    try:
        listed = [r.get("id") for r in json.loads((dp / "json" / "documents.json").read_text("utf-8"))]
    except (OSError, json.JSONDecodeError):
        return out  # reported by json_problems
    if listed != ids:
        out.append(Problem("json/documents.json", None, "id", "does not list the documents of documents.csv in order"))
    return out


def check_sources(dp: Path, sources: Path | None = None) -> list[Problem]:
    """Every row of sources.csv names a file in sources/ with that size and SHA-256."""
    import hashlib

    out = []
    for n, s in enumerate(_rows(dp, "sources"), 2):
        path = (sources or dp / "sources") / s["file"]
        if not path.is_file():
            out.append(Problem("data/sources.csv", n, "file", f"{s['file']} is not in sources/"))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != s["sha256"] or str(len(data)) != s["bytes"]:
            out.append(Problem("data/sources.csv", n, "sha256", f"{s['file']} changed since the build"))
    return out


CHECKS: list[Callable[[Path], list[Problem]]] = [
    check_cited_after_citing_is_warned, check_date_precision, check_counts, check_provenance,
    check_json_matches_tables,
]


PARALLEL_FROM_BYTES = 2_000_000  # a smaller package is checked in this process


def _tables_and_records(dp: Path) -> list[Problem]:
    """Frictionless on the tables and JSON Schema on the records: independent, so on a large
    package they run side by side, one per core."""
    size = sum(p.stat().st_size for p in (dp / "data").glob("*.csv"))
    if size < PARALLEL_FROM_BYTES or (os.cpu_count() or 1) < 2:
        return frictionless_problems(dp) + json_problems(dp)
    with ProcessPoolExecutor(max_workers=2) as pool:
        tables = pool.submit(frictionless_problems, dp)
        records = pool.submit(json_problems, dp)
        return tables.result() + records.result()


def validate_package(dp: Path, sources: Path | None = None) -> list[Problem]:
    """All problems of the package in ``dp`` (its source texts in ``sources``, default dp/sources)."""
    if not (dp / "datapackage.json").is_file():
        return [Problem(str(dp / "datapackage.json"), None, None, "missing: run 'chidao build'")]
    problems = _tables_and_records(dp)
    if not problems:  # the rules read the tables, so they run on a package that parses
        for check in CHECKS:
            problems += check(dp)
        problems += check_sources(dp, sources)
    return problems
