"""Parquet copies of the package's tables, for columnar tools (pandas, polars, DuckDB, R arrow).

Typed from each table's Table Schema, so nothing is guessed on reading: codes stay strings
("01" keeps its zero), dates are dates, integers are integers with nulls. Written beside the
package (release files and the site's downloads), not into ``datapackage/``: Parquet bytes
depend on the pyarrow version that writes them, and the committed package must rebuild to
the same bytes anywhere. For one pyarrow version two writes are byte-identical."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

PARQUET_TYPES = {"string": "string", "integer": "int64", "number": "float64", "date": "date32", "boolean": "bool"}


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "date": pa.date32(),
            "boolean": pa.bool_()}.get(kind, pa.string())


def _value(raw: str, kind: str):
    if raw == "":
        return None
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "date":
        return dt.date.fromisoformat(raw)
    if kind == "boolean":
        return raw.lower() in ("true", "1", "yes")
    return raw


def table(dp: Path, res: dict):
    """The resource's CSV as a typed pyarrow Table (field descriptions kept as field metadata)."""
    import pyarrow as pa

    fields = res["schema"]["fields"]
    with (dp / res["path"]).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    schema = pa.schema([pa.field(f["name"], _arrow_type(f["type"]),
                                 nullable=not f.get("constraints", {}).get("required"),
                                 metadata={"description": f.get("description", "")}) for f in fields],
                       metadata={"name": res["name"], "title": res.get("title", "")})
    columns = [[_value(r[f["name"]], f["type"]) for r in rows] for f in fields]
    return pa.Table.from_arrays([pa.array(c, type=_arrow_type(f["type"])) for c, f in zip(columns, fields, strict=True)],
                                schema=schema)


def write_parquet(dp: Path, out: Path) -> list[Path]:
    """``out/<table>.parquet`` for every CSV resource of the package in ``dp``."""
    import pyarrow.parquet as pq

    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for res in desc["resources"]:
        if res.get("format") != "csv":
            continue
        path = out / f"{res['name']}.parquet"
        pq.write_table(table(dp, res), path, compression="zstd", write_statistics=True)
        made.append(path)
    return made
