"""Checks a built data package: its tables against their Table Schemas (by default with
package/tablecheck.py, a columnar checker of what Frictionless checks; with Frictionless
itself when ``reference=True``), JSON Schema for every JSON record, and the consistency rules
listed in CHECKS. Every problem is reported as "file, row, field: reason"."""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from functools import cache
from pathlib import Path

import orjson

from .schemas import document_json_schema
from .tablecheck import Problem, UnsupportedSchema, table_problems

__all__ = ["CHECKS", "Problem", "frictionless_problems", "json_problems", "table_checker_problems",
           "validate_package"]


def frictionless_problems(dp: Path, resource: str | None = None) -> list[Problem]:
    """The reference: Frictionless validates the package (or only this resource of it; slow:
    some 40 s for a package of 2,000 documents)."""
    from frictionless import FrictionlessException, Package, system

    try:
        with system.use_context(trusted=False):
            report = Package(str(dp / "datapackage.json")).validate(name=resource)
    except FrictionlessException as exc:
        return [Problem("datapackage.json", None, None, str(exc))]
    out = []
    for task in report.tasks:
        for err in task.errors:
            # a header error has row_numbers, a foreign key error field_names
            row = getattr(err, "row_number", None) or (getattr(err, "row_numbers", None) or [None])[0]
            field = getattr(err, "field_name", None) or ", ".join(getattr(err, "field_names", None) or []) or None
            out.append(Problem(task.place or task.name, row, field, f"{err.type}: {err.note or err.message}"))
    for err in report.errors:
        out.append(Problem("datapackage.json", None, None, f"{err.type}: {err.message}"))
    return out


def table_checker_problems(dp: Path) -> list[Problem]:
    """The tables checked by package/tablecheck.py; a schema feature it does not know is a
    problem, so that no check is skipped in silence."""
    try:
        return table_problems(dp)
    except UnsupportedSchema as exc:
        return [Problem("datapackage.json", None, None,
                        f"unsupported-schema: {exc} (unknown to package/tablecheck.py: extend it, "
                        "or validate with Frictionless: chidao validate --frictionless)")]


# --- JSON records ----------------------------------------------------------------------

@cache
def _fast_validator():
    """A compiled validator (fastjsonschema) for the common case, a valid record; records it
    rejects are validated again with jsonschema, which reports every error precisely."""
    import fastjsonschema

    return fastjsonschema.compile(document_json_schema(), formats={"date": r"^\d{4}-\d{2}-\d{2}$"})


@cache
def _slow_validator():
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(document_json_schema(), format_checker=FormatChecker())


def _record_problems(rec, rel: str, row: int | None) -> list[Problem]:
    import fastjsonschema

    try:
        _fast_validator()(rec)
        return []
    except fastjsonschema.JsonSchemaException:
        return [Problem(rel, row, "/".join(str(p) for p in e.absolute_path) or None, e.message)
                for e in _slow_validator().iter_errors(rec)] or [Problem(rel, row, None, "not valid against the schema")]


def _document_ids(dp: Path) -> list[str] | None:
    """The ids of documents.csv in order; None when it cannot be read (reported by the table checks)."""
    try:
        with (dp / "data" / "documents.csv").open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            at = next(reader).index("id")
            return [row[at] for row in reader if row]
    except (OSError, UnicodeDecodeError, StopIteration, ValueError, IndexError, csv.Error):
        return None


def _listing(dp: Path, ids: list[str]) -> Iterator[bytes] | None:
    """The text of each json/<id>.json, in the order of ``ids``, provided documents.json is
    exactly their list as the package writes it (indented by two spaces); stops (and the
    caller falls back to parsing documents.json) at the first difference. Since JSON strings
    hold no raw newline, re-indenting a record's text changes only white space between
    tokens: the list then holds these very records."""
    names = {p.name for p in (dp / "json").glob("*.json")}
    if names != {"documents.json", *(f"{i}.json" for i in ids)}:
        return None

    def texts() -> Iterator[bytes]:
        with (dp / "json" / "documents.json").open("rb") as listing:
            if not ids:
                if listing.read() != b"[]\n":
                    raise _Differs
                return
            if listing.read(2) != b"[\n":
                raise _Differs
            for n, i in enumerate(ids, 1):
                data = (dp / "json" / f"{i}.json").read_bytes()
                if not data.endswith(b"\n"):
                    raise _Differs
                expected = b"  " + data[:-1].replace(b"\n", b"\n  ") + (b",\n" if n < len(ids) else b"\n]\n")
                if listing.read(len(expected)) != expected:
                    raise _Differs
                yield data
            if listing.read(1):
                raise _Differs

    return texts()


class _Differs(Exception):
    """documents.json is not the plain list of the record files."""


def json_problems(dp: Path) -> list[Problem]:
    """Every record of json/documents.json against the schema; every json/<id>.json must be
    the same record as in documents.json (so it is valid too), or is checked on its own."""
    return start_json_problems(dp)()


def start_json_problems(dp: Path, pool: Executor | None = None, parts: int = 1) -> Callable[[], list[Problem]]:
    """json_problems, its records validated in ``parts`` by ``pool`` (if given) while the
    caller does other work: returns the function that waits for the result. When
    documents.json is, byte for byte, the list of the record files (the way the package
    writes it), each record is parsed and validated once, from its own file; otherwise
    documents.json is parsed whole."""
    ids = _document_ids(dp)
    if ids is None or "listing" not in (facts := _facts(dp, ids)):
        return lambda: _json_problems_parsed(dp)
    size = max(1, -(-len(ids) // parts))
    slices = [(dp, ids[at:at + size], at + 1) for at in range(0, len(ids), size)]
    results = [pool.submit(_record_file_problems, *part) for part in slices] if pool else None

    def wait() -> list[Problem]:
        try:
            found = [r.result() for r in results] if results else [_record_file_problems(*part) for part in slices]
        except _Differs:
            return _json_problems_parsed(dp)  # reports what differs
        facts.add("ids")
        return [p for part in found for p in part]

    return wait


def _record_file_problems(dp: Path, ids: list[str], first: int) -> list[Problem]:
    """The records json/<id>.json, each the record at its position in documents.json; raises
    _Differs for a file that does not parse or holds another record."""
    out = []
    for n, i in enumerate(ids, first):
        try:
            rec = orjson.loads((dp / "json" / f"{i}.json").read_bytes())
        except orjson.JSONDecodeError as exc:
            raise _Differs from exc
        if not isinstance(rec, dict) or rec.get("id") != i:
            raise _Differs
        out += _record_problems(rec, "json/documents.json", n)
    return out


# What is known of the JSON files as they are (by the name, size and time of each, and the
# ids): "listing", documents.json is the list of the record files in the order of the ids;
# "ids", each record file holds the record of its id. json_problems and
# check_json_matches_tables both need them: found once, when they hold.
_KNOWN: dict[tuple, set[str]] = {}


def _facts(dp: Path, ids: list[str]) -> set[str]:
    try:
        files = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(dp / "json"))
    except OSError:
        return set()
    key = (str(dp.resolve()), hash(tuple(files)), hash(tuple(ids)))
    if key not in _KNOWN:
        texts = _listing(dp, ids)
        try:
            _KNOWN[key] = {"listing"} if texts is not None and all(True for _ in texts) else set()
        except _Differs:
            _KNOWN[key] = set()
    return _KNOWN[key]


def _lists_records(dp: Path, ids: list[str]) -> bool:
    """documents.json is the list of the record files in the order of ``ids``."""
    return "listing" in _facts(dp, ids)


def _load(path: Path, rel: str):
    try:
        return orjson.loads(path.read_bytes()), None
    except orjson.JSONDecodeError as exc:
        return None, Problem(rel, getattr(exc, "lineno", None), None, f"malformed JSON: {exc}")


def _json_problems_parsed(dp: Path) -> list[Problem]:
    """json_problems by parsing documents.json whole."""
    out: list[Problem] = []
    docs, err = _load(dp / "json" / "documents.json", "json/documents.json")
    by_id = {}
    if err:
        out.append(err)
    elif not isinstance(docs, list):
        out.append(Problem("json/documents.json", None, None, "not a list of records"))
    else:
        for n, rec in enumerate(docs, 1):
            out += _record_problems(rec, "json/documents.json", n)
            if isinstance(rec, dict):
                by_id[rec.get("id")] = rec
    for path in sorted((dp / "json").glob("*.json")):
        if path.name == "documents.json":
            continue
        rel = f"json/{path.name}"
        rec, err = _load(path, rel)
        if err:
            out.append(err)
        elif by_id.get(path.stem) != rec:
            out += _record_problems(rec, rel, None) or [Problem(rel, None, None, "differs from its record in documents.json")]
    return out


# --- consistency rules ---------------------------------------------------------------

def _columns(dp: Path, name: str, fields: list[str]) -> list[dict]:
    """The rows of a table, with these fields only (read by Arrow: the tables of a package
    that reaches the rules parse; the csv module reads any other)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    path = dp / "data" / f"{name}.csv"
    try:
        t = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(
                               include_columns=fields, column_types=dict.fromkeys(fields, pa.string()),
                               strings_can_be_null=False, null_values=[]))
        cols = [t.column(f).to_pylist() for f in fields]
        return [dict(zip(fields, values, strict=True)) for values in zip(*cols, strict=True)]
    except (pa.ArrowInvalid, KeyError):
        return _rows(dp, name)


def _rows(dp: Path, name: str) -> list[dict]:
    with (dp / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check_cited_after_citing_is_warned(dp: Path) -> list[Problem]:
    """A cited document dated after the citing one is recorded as a warning, not fixed."""
    docs = {d["id"]: d for d in _columns(dp, "documents", ["id", "date_precision", "date_issued"])}
    warned = defaultdict(list)
    for w in _columns(dp, "warnings", ["document_id", "warning"]):
        warned[w["document_id"]].append(w["warning"])
    out = []
    for n, ref in enumerate(_columns(dp, "references", ["document_id", "date", "text"]), 2):
        doc = docs.get(ref["document_id"])
        if not doc or not ref["date"] or doc["date_precision"] != "day" or ref["date"] <= doc["date_issued"]:
            continue
        if not any(ref["text"] in w for w in warned[ref["document_id"]]):
            out.append(Problem("data/references.csv", n, "date",
                               f"cited document dated {ref['date']} after the citing one ({doc['date_issued']}) "
                               "has no warning"))
    return out


def check_date_precision(dp: Path) -> list[Problem]:
    """date_precision agrees with the form of date_issued."""
    want = {10: "day", 7: "month", 4: "year"}
    out = []
    for n, d in enumerate(_columns(dp, "documents", ["date_issued", "date_precision"]), 2):
        if d["date_issued"] and want.get(len(d["date_issued"])) != d["date_precision"]:
            out.append(Problem("data/documents.csv", n, "date_precision",
                               f"'{d['date_precision']}' does not match date_issued '{d['date_issued']}'"))
    return out


COUNTED = {"item_count": "items", "recipient_count": "recipients", "reference_count": "references",
           "warning_count": "warnings"}


def check_counts(dp: Path) -> list[Problem]:
    """item_count, recipient_count, reference_count and warning_count match their tables."""
    counts = {col: Counter(r["document_id"] for r in _columns(dp, table, ["document_id"]))
              for col, table in COUNTED.items()}
    out = []
    for n, d in enumerate(_columns(dp, "documents", ["id", *COUNTED]), 2):
        for col in COUNTED:
            if d[col].isdigit() and int(d[col]) != counts[col][d["id"]]:
                out.append(Problem("data/documents.csv", n, col, f"{d[col]} but {counts[col][d['id']]} rows in its table"))
    return out


def check_provenance(dp: Path) -> list[Problem]:
    """Every inferred or curated field of a document has a provenance row with its note."""
    prov = {(p["document_id"], p["field"]): p for p in _columns(dp, "provenance", ["document_id", "field", "status", "note"])}
    out = []
    for n, d in enumerate(_columns(dp, "documents", ["id", "inferred_fields", "curated_fields"]), 2):
        for col, status in (("inferred_fields", "inferred"), ("curated_fields", "curated")):
            for field in filter(None, (d[col] or "").split(" | ")):
                p = prov.get((d["id"], field))
                if not p or p["status"] != status or not p["note"]:
                    out.append(Problem("data/documents.csv", n, col, f"'{field}' has no {status} provenance note"))
    return out


def check_json_matches_tables(dp: Path) -> list[Problem]:
    """json/<id>.json exists for every document, and documents.json holds them all in order."""
    ids = [d["id"] for d in _columns(dp, "documents", ["id"])]
    out = [Problem(f"json/{i}.json", None, None, "missing") for i in ids if not (dp / "json" / f"{i}.json").exists()]
    facts = _facts(dp, ids) if not out else set()
    if "listing" in facts and ("ids" in facts or all(map(_holds_id, ids, [dp] * len(ids)))):
        return out
    try:
        listed = [r.get("id") for r in orjson.loads((dp / "json" / "documents.json").read_bytes())]
    except (OSError, orjson.JSONDecodeError, TypeError, AttributeError):
        return out  # reported by json_problems
    if listed != ids:
        out.append(Problem("json/documents.json", None, "id", "does not list the documents of documents.csv in order"))
    return out


def _holds_id(i: str, dp: Path) -> bool:
    """json/<i>.json holds the record with id i: read from its first line when the id is the
    first key, as the package writes it, else by parsing the record."""
    with (dp / "json" / f"{i}.json").open("rb") as fh:
        head = fh.readline() + fh.readline()
        if head == b'{\n  "id": ' + orjson.dumps(i) + b",\n":
            return True
        fh.seek(0)
        try:
            rec = orjson.loads(fh.read())
        except orjson.JSONDecodeError:
            return False
    return isinstance(rec, dict) and rec.get("id") == i


def check_sources(dp: Path, sources: Path | None = None) -> list[Problem]:
    """Every row of sources.csv names a file in sources/ with that size and SHA-256."""
    rows = _columns(dp, "sources", ["file", "sha256", "bytes"])

    def check(n: int, s: dict) -> Problem | None:
        path = (sources or dp / "sources") / s["file"]
        if not path.is_file():
            return Problem("data/sources.csv", n, "file", f"{s['file']} is not in sources/")
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
            size = fh.tell()
        if digest != s["sha256"] or str(size) != s["bytes"]:
            return Problem("data/sources.csv", n, "sha256", f"{s['file']} changed since the build")
        return None

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # hashing releases the GIL
        return [p for p in pool.map(check, range(2, len(rows) + 2), rows) if p]


CHECKS: list[Callable[[Path], list[Problem]]] = [
    check_cited_after_citing_is_warned, check_date_precision, check_counts, check_provenance,
    check_json_matches_tables,
]


PARALLEL_FROM_BYTES = 2_000_000  # a smaller package is checked in this process


def _tables_and_records(dp: Path, reference: bool) -> list[Problem]:
    """The tables and the JSON records: independent, so on a large package they are checked
    side by side, one per core."""
    tables = frictionless_problems if reference else table_checker_problems
    size = sum(p.stat().st_size for p in (dp / "data").glob("*.csv"))
    if size < PARALLEL_FROM_BYTES or (os.cpu_count() or 1) < 2:
        return tables(dp) + json_problems(dp)
    with ProcessPoolExecutor(max_workers=2) as pool:
        records = start_json_problems(dp, pool, parts=2)
        return tables(dp) + records()


def validate_package(dp: Path, sources: Path | None = None, reference: bool = False) -> list[Problem]:
    """All problems of the package in ``dp`` (its source texts in ``sources``, default
    dp/sources). The tables are checked by package/tablecheck.py, or by Frictionless, the
    reference, when ``reference`` (several times slower)."""
    if not (dp / "datapackage.json").is_file():
        return [Problem(str(dp / "datapackage.json"), None, None, "missing: run 'chidao build'")]
    problems = _tables_and_records(dp, reference)
    if not problems:  # the rules read the tables, so they run on a package that parses
        for check in CHECKS:
            problems += check(dp)
        problems += check_sources(dp, sources)
    return problems
