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


def package_zip(dp: Path, out: Path) -> Path:
    """datapackage.json, data/, json/ and sources/ under a top folder 'chidao/'."""
    files = [dp / "datapackage.json"] + sorted(
        p for part in ("data", "json", "sources") for p in (dp / part).rglob("*") if p.is_file())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for p in files:
            info = zipfile.ZipInfo(f"chidao/{p.relative_to(dp).as_posix()}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # fast: text compresses well at any level
            info.external_attr = 0o644 << 16
            zf.writestr(info, p.read_bytes())
    return out


def package_sqlite(dp: Path, out: Path) -> Path:
    """One SQLite table per CSV resource, typed and keyed as its Table Schema says; the
    descriptor itself in a table '_datapackage'. Opens in Datasette (Lite) as is."""
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
        con.execute('CREATE TABLE "_datapackage" ("descriptor" TEXT NOT NULL)')
        con.execute('INSERT INTO "_datapackage" VALUES (?)', (json.dumps(desc, ensure_ascii=False),))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()
    return out


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
        cols.append(f'FOREIGN KEY ("{fk["fields"]}") REFERENCES "{ref["resource"]}" ("{ref["fields"]}")')
    con.execute(f'CREATE TABLE "{res["name"]}" ({", ".join(cols)})')
    with (dp / res["path"]).open(encoding="utf-8", newline="") as fh:
        rows = [[_value(r[f["name"]], f["type"]) for f in fields] for r in csv.DictReader(fh)]
    marks = ", ".join("?" for _ in fields)
    con.executemany(f'INSERT INTO "{res["name"]}" VALUES ({marks})', rows)


def _value(raw: str, kind: str):
    if raw == "":
        return None
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    return raw


def release_files(dp: Path, out: Path) -> list[Path]:
    """The zipped package, the SQLite database and SHA256SUMS, written into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    v = version(dp)
    made = [package_zip(dp, out / f"chidao-datapackage-{v}.zip"), package_sqlite(dp, out / f"chidao-{v}.sqlite")]
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in made)
    (out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return made + [out / "SHA256SUMS"]
