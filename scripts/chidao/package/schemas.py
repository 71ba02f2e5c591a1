"""Field definitions: the Table Schemas in ``schemas/tables/`` are the single source. They are
inlined into ``datapackage.json`` (Frictionless validation), turned into the JSON Schema of a
nested document record (``schemas/document.schema.json``) and into the site's data dictionary."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

ROOT = Path(os.environ.get("CHIDAO_ROOT") or Path(__file__).resolve().parents[3])
SCHEMAS = ROOT / "schemas"

# Resource order in the package: the main table, its children, provenance, then reference tables.
TABLES = ["documents", "items", "recipients", "distribution", "references", "figures", "measures",
          "places", "persons", "source_pages", "provenance", "warnings", "sources", "rejections", "provinces", "doc_types",
          "measure_taxonomy", "codebook_indicators", "codebook_levels", "stringency_levels", "stringency_index"]
# Child tables nested into a document record, under these keys (document_id/position implied).
NESTED = {"items": "items", "references": "references", "figures": "figures", "measures": "measures",
          "places": "places", "source_pages": "source_pages"}
JSON_SCHEMA_ID = "urn:chidao:schema:document"


@cache
def load_table_schema(name: str) -> dict:
    return json.loads((SCHEMAS / "tables" / f"{name}.schema.json").read_text("utf-8"))


def _json_type(field: dict) -> dict:
    t = field["type"]
    cons = field.get("constraints", {})
    out: dict = {"description": field["description"]}
    base = {"string": "string", "integer": "integer", "number": "number", "date": "string"}[t]
    if t == "date":
        out["format"] = "date"
    if "pattern" in cons:
        out["pattern"] = cons["pattern"]
    for bound in ("minimum", "maximum"):
        if bound in cons:
            out[bound] = cons[bound]
    if "enum" in cons:
        out["enum"] = list(cons["enum"]) + ([] if cons.get("required") else [None])
    out["type"] = base if cons.get("required") else [base, "null"]
    return out


def _object(fields: list[dict], skip: set[str], overrides: dict | None = None) -> dict:
    props = {f["name"]: _json_type(f) for f in fields if f["name"] not in skip}
    props.update(overrides or {})
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


def document_json_schema() -> dict:
    """JSON Schema (2020-12) of one published document record, derived from the tables."""
    implied = {"document_id", "position"}
    str_list = {"type": "array", "items": {"type": "string"}}
    item = _object(load_table_schema("items")["fields"], implied, {
        "addressees": {**str_list, "description": "Bodies the item tasks, as printed."},
        "measure_codes": {**str_list, "description": "Measure codes found in the item."}})
    nested = {key: {"type": "array", "items": _object(load_table_schema(t)["fields"], implied),
                    "description": load_table_schema(t)["description"]} for t, key in NESTED.items()}
    nested["items"] = {"type": "array", "items": item, "description": load_table_schema("items")["description"]}
    nested["measures"]["items"]["properties"].pop("position", None)
    extra = {
        "recipients": {**str_list, "description": load_table_schema("recipients")["description"]},
        "distribution": {**str_list, "description": load_table_schema("distribution")["description"]},
        "persons": {**str_list, "description": load_table_schema("persons")["description"]},
        "warnings": {**str_list, "description": load_table_schema("warnings")["description"]},
        "inferred": {"type": "object", "additionalProperties": {"type": "string"},
                     "description": "Field -> the clue it was derived from."},
        "curated": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "Field -> the curator's note."},
        "text": {"type": "string", "description": "The normalized full text."},
        "source_files": {**str_list, "description": "Every source file with this text, the primary one first."},
        **nested,
    }
    doc = _object(load_table_schema("documents")["fields"], set(), extra)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": JSON_SCHEMA_ID,
            "title": "A chidao document record", **doc}


def write_document_schema(schemas_dir: Path = SCHEMAS) -> bool:
    """Write schemas/document.schema.json when it differs; True if it changed."""
    path = schemas_dir / "document.schema.json"
    text = json.dumps(document_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if path.exists() and path.read_text("utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
