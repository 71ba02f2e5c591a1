"""The data package: committed, valid, reproducible, and exactly the seeds' facts."""

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chidao.package.schemas import document_json_schema
from chidao.package.validate import CHECKS, validate_package
from chidao.package.write import BuildError, build_package
from conftest import FIXTURES, ROOT

DP = ROOT / "datapackage"


def rows(dp: Path, name: str) -> list[dict]:
    with (dp / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_committed_package_passes_frictionless_cli():
    out = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate",
                          str(DP / "datapackage.json")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]


def test_committed_package_passes_all_checks():
    assert [str(p) for p in validate_package(DP)] == []


def test_document_schema_is_generated_from_the_tables():
    committed = json.loads((ROOT / "schemas" / "document.schema.json").read_text("utf-8"))
    assert committed == document_json_schema()


def _copy_package(tmp_path: Path) -> Path:
    dp = tmp_path / "datapackage"
    shutil.copytree(DP, dp, ignore=shutil.ignore_patterns(".build", ".old-*"))
    return dp


def _rehash(dp: Path, rel: str) -> None:
    """Update bytes and hash of a resource after a deliberate edit, so that only the edit is wrong."""
    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    data = (dp / rel).read_bytes()
    for res in desc["resources"]:
        if res["path"] == rel:
            res["bytes"], res["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (dp / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False, indent=2), encoding="utf-8")


def _edit_cell(dp: Path, table: str, row: int, field: str, value: str) -> None:
    path = dp / "data" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        data = list(csv.DictReader(fh))
    data[row][field] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(data)
    _rehash(dp, f"data/{table}.csv")


@pytest.mark.parametrize("table,field,value,reason", [
    ("documents", "issuer_kind", "church", "constraint-error"),
    ("recipients", "document_id", "no-such-document", "foreign-key"),
    ("items", "position", "first", "type-error"),
])
def test_broken_copy_fails_naming_row_and_field(tmp_path, table, field, value, reason):
    dp = _copy_package(tmp_path)
    _edit_cell(dp, table, 0, field, value)
    problems = validate_package(dp)
    assert problems, "the broken copy must fail"
    hit = [p for p in problems if f"{table}.csv" in p.file and reason in p.reason]
    assert hit and hit[0].row == 2, [str(p) for p in problems]
    if reason != "foreign-key":
        assert hit[0].field == field
    out = subprocess.run([sys.executable, "-m", "chidao.cli", "validate", str(dp)], capture_output=True, text=True)
    assert out.returncode == 1 and f"{table}.csv, row 2" in out.stderr


def test_malformed_json_record_fails(tmp_path):
    dp = _copy_package(tmp_path)
    victim = sorted((dp / "json").glob("lai-chau-*.json"))[0]
    victim.write_text(victim.read_text("utf-8")[:-40], encoding="utf-8")
    problems = validate_package(dp)
    assert any(p.file == f"json/{victim.name}" and "malformed JSON" in p.reason for p in problems)


def test_json_record_violating_the_schema_fails(tmp_path):
    dp = _copy_package(tmp_path)
    victim = sorted((dp / "json").glob("vinh-phuc-*.json"))[0]
    rec = json.loads(victim.read_text("utf-8"))
    rec["urgency"] = "Rất gấp"
    victim.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    problems = validate_package(dp)
    assert any(p.file == f"json/{victim.name}" and p.field == "urgency" for p in problems)


def test_consistency_rule_missing_warning_fails(tmp_path):
    dp = _copy_package(tmp_path)
    path = dp / "data" / "warnings.csv"
    kept = [ln for ln in path.read_text("utf-8").splitlines(keepends=True) if "79/NQ-CP" not in ln]
    path.write_text("".join(kept), encoding="utf-8")
    problems = [p for check in CHECKS for p in check(dp)]
    assert any("has no warning" in p.reason and p.field == "date" for p in problems)


def _build_copy(tmp_path: Path, curation: dict[str, str] | None = None) -> Path:
    root = tmp_path / "root"
    (root / "datapackage").mkdir(parents=True)
    shutil.copytree(DP / "sources", root / "datapackage" / "sources")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    for name, text in (curation or {}).items():
        (root / "datapackage" / "curation").mkdir(exist_ok=True)
        (root / "datapackage" / "curation" / name).write_text(text, encoding="utf-8")
    return build_package(root)


def test_rebuild_reproduces_the_committed_package_byte_for_byte(tmp_path):
    built = _build_copy(tmp_path)
    produced = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(DP) for part in ("datapackage.json", "data", "json")
                       for p in ([DP / part] if (DP / part).is_file() else (DP / part).rglob("*")) if p.is_file())
    assert produced == committed
    for rel in produced:
        assert (built / rel).read_bytes() == (DP / rel).read_bytes(), f"{rel} differs: run 'chidao build'"


def test_curation_sets_a_value_and_marks_it(tmp_path):
    built = _build_copy(tmp_path, {"x.yaml": (
        "document: lai-chau-2021-09-tb-ubnd-4b0e1b\nfields:\n  signer_title:\n"
        "    value: PHÓ CHÁNH VĂN PHÒNG UBND TỈNH\n    note: checked against the signed scan\n")})
    doc = next(d for d in rows(built, "documents") if d["id"] == "lai-chau-2021-09-tb-ubnd-4b0e1b")
    assert doc["signer_title"] == "PHÓ CHÁNH VĂN PHÒNG UBND TỈNH" and doc["curated_fields"] == "signer_title"
    prov = next(p for p in rows(built, "provenance") if p["document_id"] == doc["id"] and p["field"] == "signer_title")
    assert (prov["status"], prov["note"]) == ("curated", "checked against the signed scan")


@pytest.mark.parametrize("text,message", [
    ("document: no-such-id\nfields:\n  subject: {value: x, note: y}\n", "unknown document 'no-such-id'"),
    ("document: lai-chau-2021-09-tb-ubnd-4b0e1b\nfields:\n  colour: {value: x, note: y}\n", "field 'colour'"),
    ("document: [unclosed\n", "invalid YAML"),
])
def test_bad_curation_fails_clearly(tmp_path, text, message):
    with pytest.raises(BuildError, match=r"bad\.yaml|curation/bad\.yaml") as exc:
        _build_copy(tmp_path, {"bad.yaml": text})
    assert message in str(exc.value)


# --- the seeds' facts, as published -------------------------------------------------------

def _expected():
    for path in sorted((FIXTURES / "seeds" / "expected").glob("*.yaml")):
        yield yaml.safe_load(path.read_text("utf-8"))


@pytest.mark.parametrize("exp", list(_expected()), ids=lambda e: e["source_file"][:3])
def test_seed_facts_are_in_the_csvs(exp):
    src = next(s for s in rows(DP, "sources") if s["file"] == exp["source_file"])
    doc = next(d for d in rows(DP, "documents") if d["id"] == src["document_id"])
    blank = lambda v: "" if v is None else str(v)  # noqa: E731  (CSV writes null as an empty cell)
    for key, col in (("province", "province"), ("issuer", "issuer"), ("issuer_kind", "issuer_kind"),
                     ("acting_body", "acting_body"), ("doc_type", "doc_type"), ("doc_type_code", "doc_type_code"),
                     ("doc_number", "number"), ("doc_symbol", "symbol"), ("date_issued", "date_issued"),
                     ("date_precision", "date_precision"), ("place", "place"), ("subject", "subject"),
                     ("urgency", "urgency"), ("signing_authority", "signing_authority"),
                     ("signer_title", "signer_title"), ("signer_name", "signer_name")):
        assert doc[col] == blank(exp[key]), col
    mine = lambda t, c: [r[c] for r in rows(DP, t) if r["document_id"] == doc["id"]]  # noqa: E731
    assert mine("recipients", "recipient") == exp["recipients"]
    assert mine("distribution", "entry") == exp["distribution"]
    assert int(doc["item_count"]) == len(mine("items", "number")) == exp["numbered_items"]
    refs = sorted((r["symbol"], r["date"], r["issuer"]) for r in rows(DP, "references") if r["document_id"] == doc["id"])
    assert refs == sorted((blank(r["symbol"]), blank(r["date"]), r["issuer"]) for r in exp["referenced_documents"])
    for n, want in exp.get("item_addressees", {}).items():
        want = [want] if isinstance(want, str) else want
        got = next(i["addressees"] for i in rows(DP, "items") if i["document_id"] == doc["id"] and i["number"] == str(n))
        assert got.replace(" | ", ", ") == ", ".join(want)
    assert "issuer" in doc["inferred_fields"].split(" | ") or exp["source_file"].startswith("000")
