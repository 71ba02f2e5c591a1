"""Release files built from the published package: a zip of the whole package, a SQLite
database of its tables, and their SHA-256 checksums. Deterministic: the same package gives
the same bytes."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps keep the zip byte-identical between builds
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def version(dp: Path) -> str:
    return json.loads((dp / "datapackage.json").read_text("utf-8"))["version"]


# Read with the package: what it is and how to use it, its licences, what changed, how to cite.
ZIP_DOCS = ("README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff")


def _doc_file(dp: Path, name: str) -> Path | None:
    from .schemas import ROOT

    for folder in (dp.parent, ROOT):
        if (folder / name).is_file():
            return folder / name
    return None


def package_zip(dp: Path, out: Path) -> Path:
    """README.md, LICENSE, CHANGELOG.md, CITATION.cff, datapackage.json, data/, json/ and
    sources/ under a top folder 'chidao/'."""
    docs = [(name, p) for name in ZIP_DOCS if (p := _doc_file(dp, name))]
    files = docs + [("datapackage.json", dp / "datapackage.json")] + sorted(
        (p.relative_to(dp).as_posix(), p) for part in ("data", "json", "sources") for p in (dp / part).rglob("*")
        if p.is_file())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, p in files:
            info = zipfile.ZipInfo(f"chidao/{name}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # fast: text compresses well at any level
            info.external_attr = 0o644 << 16
            zf.writestr(info, p.read_bytes())
    return out


def package_sqlite(dp: Path, out: Path) -> Path:
    """One SQLite table per CSV resource, typed and keyed as its Table Schema says, an index on
    every foreign key column, full-text search (FTS5) over documents and items, a ``meta`` table
    (the package's name and version: the file name carries none) and the descriptor itself in a
    table '_datapackage'. Opens in Datasette (Lite) as is; ``datasette_metadata`` says what to
    show (titles, descriptions, licence, label columns, units, which FTS table searches which)."""
    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    if out.exists():
        out.unlink()
    con = sqlite3.connect(out)
    try:
        con.execute("PRAGMA page_size = 4096")
        con.execute("PRAGMA journal_mode = OFF")
        for res in desc["resources"]:
            if res.get("format") != "csv":
                continue
            _table(con, dp, res)
        for table, columns in FTS.items():
            if any(r["name"] == table for r in desc["resources"]):
                _fts(con, table, columns)
        con.execute('CREATE TABLE "meta" ("key" TEXT PRIMARY KEY, "value" TEXT)')
        con.executemany('INSERT INTO "meta" VALUES (?, ?)', [
            ("name", desc["name"]), ("version", desc["version"]), ("title", desc["title"]),
            ("license", desc["licenses"][0]["name"]), ("license_url", desc["licenses"][0]["path"]),
            ("profile", desc.get("$schema", "")), ("document_count", str(desc.get("document_count", ""))),
            ("created_with", desc.get("created_with", ""))])
        con.execute('CREATE TABLE "_datapackage" ("descriptor" TEXT NOT NULL)')
        con.execute('INSERT INTO "_datapackage" VALUES (?)', (json.dumps(desc, ensure_ascii=False),))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
    return out


# Full-text search: the columns of each table that are searched, and a folded copy of them
# ("đ" -> "d" and no diacritics; the unicode61 tokenizer removes diacritics but keeps "đ", a
# letter of its own), so that "dong cua" finds "đóng cửa". Row ids are the table's row ids.
FTS = {"documents": ["symbol", "subject", "issuer", "acting_body", "signer_name", "place"],
       "items": ["number", "addressees", "text"]}
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


def _fts(con: sqlite3.Connection, table: str, columns: list[str]) -> None:
    from ..vntext import fold

    cols = ", ".join(f'"{c}"' for c in columns)
    con.execute(f'CREATE VIRTUAL TABLE "{table}_fts" USING fts5({cols}, "folded", '
                f"tokenize = '{FTS_TOKENIZE}')")
    rows = con.execute(f'SELECT rowid, {cols} FROM "{table}" ORDER BY rowid').fetchall()
    con.executemany(f'INSERT INTO "{table}_fts" (rowid, {cols}, "folded") VALUES (?, {", ".join("?" for _ in columns)}, ?)',
                    [(r[0], *r[1:], fold(" ".join(v for v in r[1:] if v))) for r in rows])
    con.execute(f"INSERT INTO \"{table}_fts\" (\"{table}_fts\") VALUES ('optimize')")


# Datasette: the column that names a row of each table (shown beside a foreign key), and units.
LABEL_COLUMNS = {"documents": "subject", "provinces": "name_2021", "doc_types": "name_vi",
                 "measure_taxonomy": "name_vi", "sources": "file"}
UNITS = {"sources": {"bytes": "byte"}, "rejections": {"bytes": "byte"}}


def datasette_metadata(dp: Path, db_name: str = "chidao") -> dict:
    """Datasette metadata for the database (``datasette chidao.sqlite -m chidao.metadata.json``;
    Datasette Lite: ``&metadata=<its address>``)."""
    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    lic = desc["licenses"][0]
    tables = {}
    for res in desc["resources"]:
        if res.get("format") != "csv":
            continue
        fields = res["schema"]["fields"]
        t = {"title": f'{res["title"]} — {res.get("title_vi", "")}'.rstrip(" —"),
             "description": res.get("description", ""),
             "columns": {f["name"]: f.get("description", "") for f in fields}}
        label = LABEL_COLUMNS.get(res["name"])
        if label and any(f["name"] == label for f in fields):
            t["label_column"] = label
        if res["name"] in FTS:
            t["fts_table"] = f'{res["name"]}_fts'
            t["fts_pk"] = "rowid"
        if res["name"] in UNITS:
            t["units"] = UNITS[res["name"]]
        tables[res["name"]] = t
    tables["meta"] = {"title": "Package name and version", "description": "The data package's name, version and licence."}
    return {
        "title": desc["title"], "description": desc["description"],
        "license": lic["name"], "license_url": lic["path"],
        "source": "chidao data package " + desc["version"] + " (datapackage.json)",
        "source_url": "https://datapackage.org/standard/data-package/",
        "databases": {db_name: {"title": desc["title"], "description": desc["description"],
                                "license": lic["name"], "license_url": lic["path"], "tables": tables}},
    }


def _table(con: sqlite3.Connection, dp: Path, res: dict) -> None:
    fields = res["schema"]["fields"]
    cols = []
    for f in fields:
        col = f'"{f["name"]}" {SQL_TYPES.get(f["type"], "TEXT")}'
        if f.get("constraints", {}).get("required"):
            col += " NOT NULL"
        cols.append(col)
    pk = res["schema"].get("primaryKey")
    if pk:
        cols.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in pk) + ")")
    for fk in res["schema"].get("foreignKeys", []):
        ref = fk["reference"]
        cols.append(f'FOREIGN KEY ({_names(fk["fields"])}) REFERENCES "{ref["resource"]}" ({_names(ref["fields"])})')
    con.execute(f'CREATE TABLE "{res["name"]}" ({", ".join(cols)})')
    for fk in res["schema"].get("foreignKeys", []):  # Datasette and joins look rows up by these
        names = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        con.execute(f'CREATE INDEX "idx_{res["name"]}_{"_".join(names)}" ON "{res["name"]}" ({_names(names)})')
    with (dp / res["path"]).open(encoding="utf-8", newline="") as fh:
        rows = [[_value(r[f["name"]], f["type"]) for f in fields] for r in csv.DictReader(fh)]
    marks = ", ".join("?" for _ in fields)
    con.executemany(f'INSERT INTO "{res["name"]}" VALUES ({marks})', rows)


def _names(fields) -> str:
    return ", ".join(f'"{k}"' for k in (fields if isinstance(fields, list) else [fields]))


def _value(raw: str, kind: str):
    if raw == "":
        return None
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    return raw


SQLITE_NAME = "chidao.sqlite"  # no version in the name (it is in the 'meta' table): links stay put
DATASETTE_METADATA = "chidao.metadata.json"


def write_datasette_metadata(dp: Path, out: Path) -> Path:
    out.write_text(json.dumps(datasette_metadata(dp), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def release_files(dp: Path, out: Path) -> list[Path]:
    """The zipped package, the SQLite database with its Datasette metadata, a Parquet file per
    table and SHA256SUMS, written into ``out`` (flat: they become a release's assets)."""
    from .parquet import write_parquet

    out.mkdir(parents=True, exist_ok=True)
    v = version(dp)
    made = [package_zip(dp, out / f"chidao-datapackage-{v}.zip"), package_sqlite(dp, out / SQLITE_NAME),
            write_datasette_metadata(dp, out / DATASETTE_METADATA), *write_parquet(dp, out)]
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in made)
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return made + [out / "SHA256SUMS"]
