"""Schema stability: compared with the last released schemas (schemas/released/<version>/),
a removed or renamed field, a removed table or a narrowed type is a breaking change, allowed
only with a major version bump that the changelog records. Users of COVID-19 policy datasets
complain most about columns that change without notice."""

from __future__ import annotations

import json
import re
from pathlib import Path

# A type may widen (integer -> number -> string) but never narrow.
_WIDTH = {"boolean": 0, "integer": 1, "number": 2, "date": 2, "string": 3, "any": 4}


def load_tables(folder: Path) -> dict[str, dict]:
    return {p.name.removesuffix(".schema.json"): json.loads(p.read_text("utf-8"))
            for p in sorted(folder.glob("*.schema.json"))}


def breaking_changes(old: dict[str, dict], new: dict[str, dict]) -> list[str]:
    """What a user of the ``old`` tables would find broken in the ``new`` ones."""
    out = []
    for table, old_schema in old.items():
        if table not in new:
            out.append(f"table '{table}' was removed")
            continue
        new_fields = {f["name"]: f for f in new[table]["fields"]}
        for f in old_schema["fields"]:
            g = new_fields.get(f["name"])
            if g is None:
                out.append(f"{table}.{f['name']} was removed or renamed")
                continue
            if _WIDTH.get(g["type"], 4) < _WIDTH.get(f["type"], 4) or (
                    g["type"] != f["type"] and {f["type"], g["type"]} == {"date", "number"}):
                out.append(f"{table}.{f['name']} narrowed from {f['type']} to {g['type']}")
            out += [f"{table}.{f['name']}: {c}" for c in _narrowed_constraints(f.get("constraints", {}),
                                                                              g.get("constraints", {}))]
    return out


def _narrowed_constraints(old: dict, new: dict) -> list[str]:
    out = []
    if new.get("required") and not old.get("required"):
        out.append("became required")
    if "enum" in new and ("enum" not in old or not set(new["enum"]) >= set(old["enum"])):
        out.append("enum narrowed")
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        out.append("pattern added or changed")
    if new.get("unique") and not old.get("unique"):
        out.append("became unique")
    for k in ("minimum", "minLength"):
        if k in new and (k not in old or new[k] > old[k]):
            out.append(f"{k} raised")
    for k in ("maximum", "maxLength"):
        if k in new and (k not in old or new[k] < old[k]):
            out.append(f"{k} lowered")
    return out


def major(version: str) -> int:
    return int(version.split(".")[0])


def latest_release(released: Path) -> str | None:
    versions = [p.name for p in released.iterdir() if p.is_dir() and re.fullmatch(r"\d+\.\d+\.\d+", p.name)]
    return max(versions, key=lambda v: tuple(map(int, v.split(".")))) if versions else None


def check(schemas: Path, version: str, changelog: str) -> list[str]:
    """Problems: breaking changes since the last release not covered by a major bump that
    the changelog records under the new version."""
    last = latest_release(schemas / "released")
    if last is None:
        return []
    changes = breaking_changes(load_tables(schemas / "released" / last / "tables"), load_tables(schemas / "tables"))
    if not changes:
        return []
    section = re.search(rf"^## \[?{re.escape(version)}\]?.*?(?=^## |\Z)", changelog, re.M | re.S)
    if major(version) > major(last) and section and re.search(r"(?i)breaking", section.group(0)):
        return []
    return [f"breaking change since {last} without a major version bump recorded in CHANGELOG.md: {c}"
            for c in changes]
