"""The package and its release files as the tools people open them with read them: Frictionless
(Data Package v2), Datasette and sqlite-utils, pyarrow/pandas, cffconvert's CFF schema."""

import asyncio
import csv
import json
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from chidao.package.release import DATASETTE_METADATA, SQLITE_NAME, package_sqlite, release_files
from conftest import ROOT

DP = ROOT / "datapackage"
BIN = Path(sys.executable).parent


# --- Frictionless: Data Package v2 ---------------------------------------------------------

def test_descriptor_is_data_package_v2():
    d = json.loads((DP / "datapackage.json").read_text("utf-8"))
    assert d["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json" and "profile" not in d
    tables = [r for r in d["resources"] if r["format"] == "csv"]
    assert tables and all(r["type"] == "table" and "profile" not in r for r in tables)
    assert all("$schema" not in r and "$schema" not in r.get("schema", {}) for r in d["resources"])  # root-only in a package
    for r in tables:
        s = r["schema"]
        assert isinstance(s["primaryKey"], list)
        for fk in s.get("foreignKeys", []):
            assert isinstance(fk["fields"], list) and isinstance(fk["reference"]["fields"], list)
        for f in s["fields"]:
            enum = f.get("constraints", {}).get("enum")
            if enum and f["type"] == "string":
                assert f["categories"] == enum, (r["name"], f["name"])
    docs = next(r for r in tables if r["name"] == "documents")
    text_method = next(f for f in docs["schema"]["fields"] if f["name"] == "text_method")
    assert "ocr" in text_method["categories"]
    assert all("roles" in c for c in d["contributors"])


def test_frictionless_cli_validates_the_package():
    run = subprocess.run([str(BIN / "frictionless"), "validate", "--json", "datapackage/datapackage.json"],
                         capture_output=True, text=True, cwd=ROOT)
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["valid"], run.stdout[-3000:]
    assert len(report["tasks"]) >= 17


def test_frictionless_catches_a_value_outside_the_categories(tmp_path):
    dp = tmp_path / "datapackage"
    shutil.copytree(DP, dp, ignore=shutil.ignore_patterns("sources", "derived", "curation"))
    path = dp / "data" / "documents.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("text_method")] = "telepathy"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    desc = json.loads((dp / "datapackage.json").read_text("utf-8"))
    for r in desc["resources"]:  # only the value is wrong, not the hash
        r.pop("hash", None), r.pop("bytes", None)
    (dp / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    from frictionless import Package

    report = Package(str(dp / "datapackage.json")).validate()
    assert not report.valid
    assert any(e.type == "constraint-error" and e.field_name == "text_method" for t in report.tasks for e in t.errors)


# --- SQLite for Datasette ----------------------------------------------------------------

@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    release_files(DP, out)
    return out


def test_release_names_and_meta_table(release):
    import sqlite_utils

    assert (release / SQLITE_NAME).exists() and not list(release.glob("chidao-*.sqlite"))
    db = sqlite_utils.Database(release / SQLITE_NAME)
    meta = {r["key"]: r["value"] for r in db["meta"].rows}
    version = json.loads((DP / "datapackage.json").read_text("utf-8"))["version"]
    assert meta["version"] == version and meta["name"] == "chidao" and meta["license"] == "CC0-1.0"
    sums = (release / "SHA256SUMS").read_text()
    assert f"  {SQLITE_NAME}\n" in sums and f"  {DATASETTE_METADATA}\n" in sums and "  documents.parquet\n" in sums


def test_every_foreign_key_is_indexed(release):
    import sqlite_utils

    db = sqlite_utils.Database(release / SQLITE_NAME)
    fks = [(t.name, fk.column) for t in db.tables for fk in t.foreign_keys]
    assert ("items", "document_id") in fks and ("documents", "province_code") in fks
    for table, column in fks:
        assert any(ix.columns[:1] == [column] for ix in db[table].indexes), (table, column)
    assert db["documents_fts"].exists() and db["items_fts"].exists()
    assert db["documents_fts"].count == db["documents"].count and db["items_fts"].count == db["items"].count
    assert "remove_diacritics 2" in db["documents_fts"].schema


def test_datasette_inspect_reads_the_database(release):
    run = subprocess.run([str(BIN / "datasette"), "inspect", str(release / SQLITE_NAME), "--inspect-file=-"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    tables = json.loads(run.stdout)["chidao"]["tables"]
    assert tables["documents"]["count"] == 4 and tables["provinces"]["count"] == 63
    assert tables["items"]["count"] > 0


def _datasette_search(db: Path, metadata: dict, table: str, query: str, col: str = "id", mode: str = "") -> list[str]:
    from datasette.app import Datasette

    async def run():
        ds = Datasette([str(db)], metadata=metadata)
        await ds.invoke_startup()
        params = {"_search": query, "_shape": "objects", "_col": col, "_size": "max"}
        if mode:
            params["_searchmode"] = mode
        r = await ds.client.get(f"/chidao/{table}.json", params=params)
        assert r.status_code == 200, r.text
        return sorted({row[col] if not isinstance(row[col], dict) else row[col]["value"] for row in r.json()["rows"]})

    # in a thread of its own: a sync Playwright session of an earlier test may hold this
    # thread's event loop, and asyncio.run refuses to start inside a running loop
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_datasette_searches_without_diacritics_and_with_d_for_dj(release, tmp_path):
    meta = json.loads((release / DATASETTE_METADATA).read_text("utf-8"))
    tables = meta["databases"]["chidao"]["tables"]
    assert tables["documents"]["fts_table"] == "documents_fts" and tables["items"]["fts_table"] == "items_fts"
    assert tables["documents"]["label_column"] == "subject" and tables["sources"]["units"] == {"bytes": "byte"}
    assert meta["license"] == "CC0-1.0" and meta["source"] and tables["documents"]["columns"]["subject"]
    db = release / SQLITE_NAME
    assert _datasette_search(db, meta, "documents", "phong chong dich") == [
        "lai-chau-2021-07-21-294-cv-tu", "lai-chau-2021-09-tb-ubnd-4b0e1b", "vinh-phuc-2021-11-08-907-cv-tu"]
    # "chấn chỉnh" is in one subject only; "đồng chí Trần Tiến Dũng" in one (đ -> d)
    assert _datasette_search(db, meta, "documents", "chan chinh") == ["vinh-phuc-2021-11-08-907-cv-tu"]
    assert _datasette_search(db, meta, "documents", "dong chi tran tien dung") == ["lai-chau-2021-09-tb-ubnd-4b0e1b"]
    assert _datasette_search(db, meta, "documents", "đồng chí Trần Tiến Dũng") == ["lai-chau-2021-09-tb-ubnd-4b0e1b"]
    # "đóng cửa" (no seed says it): one item of a copy of the package is made to say it
    dp = tmp_path / "datapackage"
    shutil.copytree(DP, dp, ignore=shutil.ignore_patterns("sources", "derived", "curation"))
    path = dp / "data" / "items.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    head = rows[0]
    target = next(r for r in rows[1:] if r[head.index("document_id")] == "thua-thien-hue-2021-11-23-cd-b29aed")
    target[head.index("text")] += " Tạm đóng cửa các quán bar, karaoke."
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    db2 = package_sqlite(dp, tmp_path / SQLITE_NAME)
    hue = ["thua-thien-hue-2021-11-23-cd-b29aed"]
    for q in ("dong cua quan bar", "đóng cửa quán bar", "Đóng Cửa karaoke"):
        assert _datasette_search(db2, meta, "items", q, "document_id") == hue, q
    for q in ('"dong cua cac quan bar"', '"đóng cửa các quán"', '"dong cua" AND karaoke'):  # raw FTS5 syntax
        assert _datasette_search(db2, meta, "items", q, "document_id", mode="raw") == hue, q
    # folding conflates words that differ only by their marks: "đóng cửa" and "cộng đồng của"
    assert set(hue) < set(_datasette_search(db2, meta, "items", '"dong cua"', "document_id", mode="raw"))
    assert _datasette_search(db, meta, "items", '"dong cua cac quan bar"', "document_id", mode="raw") == []
    assert _datasette_search(db2, meta, "items", "dong cua xyzzy", "document_id") == []


# --- Parquet ------------------------------------------------------------------------------

def test_parquet_keeps_the_types(release):
    import pandas as pd
    import pyarrow.parquet as pq

    desc = json.loads((DP / "datapackage.json").read_text("utf-8"))
    names = {r["name"] for r in desc["resources"] if r["format"] == "csv"}
    assert {p.stem for p in release.glob("*.parquet")} == names
    docs = pq.read_table(release / "documents.parquet")
    assert str(docs.schema.field("province_code").type) == "string"
    assert str(docs.schema.field("item_count").type) == "int64"
    provinces = pd.read_parquet(release / "provinces.parquet")
    assert "01" in set(provinces["code_2021"])  # pandas' default CSV read makes it 1
    assert pd.read_csv(DP / "data" / "provinces.csv")["code_2021"].dtype.kind == "i"
    assert "01" in set(pd.read_csv(DP / "data" / "provinces.csv", dtype={"code_2021": str})["code_2021"])
    refs = pq.read_table(release / "references.parquet")
    assert str(refs.schema.field("date").type) == "date32[day]"
    assert pq.read_table(release / "items.parquet").num_rows == sum(1 for _ in csv.reader(
        (DP / "data" / "items.csv").open(encoding="utf-8", newline=""))) - 1


# --- the zip, the citation ----------------------------------------------------------------

def test_zip_holds_readme_and_licence(release):
    [z] = release.glob("chidao-datapackage-*.zip")
    names = zipfile.ZipFile(z).namelist()
    for name in ("chidao/README.md", "chidao/LICENSE", "chidao/CHANGELOG.md", "chidao/CITATION.cff",
                 "chidao/datapackage.json", "chidao/data/documents.csv"):
        assert name in names, name
    assert zipfile.ZipFile(z).read("chidao/LICENSE").startswith(b"MIT License")


def test_citation_cff_is_valid():
    """cffconvert 2.0 pins jsonschema < 4 (chidao and frictionless need >= 4.18), so it cannot
    share this environment: its CFF 1.2.0 schema is kept in tests/fixtures and checked here,
    and the real cffconvert runs from a virtual environment of its own (made once, in build/)."""
    from jsonschema import Draft7Validator

    schema = json.loads((ROOT / "tests" / "fixtures" / "citation-cff-1.2.0.schema.json").read_text("utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))
    cff = json.loads(json.dumps(cff, default=str))  # dates as strings, as cffconvert reads them
    errors = [e.message for e in Draft7Validator(schema).iter_errors(cff)]
    assert errors == []
    cffconvert = shutil.which("cffconvert") or _cffconvert_venv()
    run = subprocess.run([cffconvert, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _cffconvert_venv() -> str:
    venv = ROOT / "build" / "cffconvert-venv"
    exe = venv / "bin" / "cffconvert"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "cffconvert==2.0.0"], check=True, timeout=600)
    return str(exe)


# --- on the site --------------------------------------------------------------------------

def test_downloads_page_gives_rows_sizes_and_versions(site):
    page = (site / "du-lieu" / "index.html").read_text("utf-8")
    rows = re.findall(r'<tr class="cd-file"><td><a href="[^"]*" download>([^<]+)</a>.*?class="cd-num cd-rows">([^<]*)<',
                      page)
    counts = dict(rows)
    assert counts["data/documents.csv"] == "4" and counts["data/provinces.csv"] == "63"
    assert 'dtype={"province_code": str' in page
    assert 'id="phien-ban"' in page and "0.1.0" in page and 'du-lieu/thay-doi/"' in page


def test_the_site_serves_each_table_once(site):
    """The tables once, as CSV; the nested JSON, the zip and Parquet are release files, not
    site files; a small archive's SQLite database is served too (for Datasette Lite)."""
    files = site / "du-lieu" / "files"
    package = json.loads((ROOT / "datapackage" / "datapackage.json").read_text("utf-8"))
    served = json.loads((files / "datapackage.json").read_text("utf-8"))
    tables = [r for r in package["resources"] if r["path"].startswith("data/")]
    assert served["resources"] == tables and len(tables) < len(package["resources"])
    assert "json/documents.json" in served["description"]
    for r in tables:
        assert (files / r["path"]).read_bytes() == (ROOT / "datapackage" / r["path"]).read_bytes()
    assert not (files / "json").exists() and not (files / "parquet").exists()
    assert not list(files.glob("*.zip"))
    assert (files / "chidao.sqlite").exists()  # 4 documents: small enough
    page = (site / "du-lieu" / "index.html").read_text("utf-8")
    assert "chidao release-files" in page  # version 0.1.0's files are not in this local build's reach


def test_the_sites_descriptor_validates_with_frictionless(site):
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package(str(site / "du-lieu" / "files" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_a_large_archive_keeps_its_sqlite_out_of_the_site():
    from chidao.site.bundles import SITE_SQLITE_MAX_TABLE_BYTES, sqlite_in_site

    small = [{"format": "csv", "bytes": 1000}, {"format": "json", "bytes": 10**9}]
    assert sqlite_in_site(small)
    assert not sqlite_in_site(small + [{"format": "csv", "bytes": SITE_SQLITE_MAX_TABLE_BYTES}])


def test_data_changelog_page(site):
    page = (site / "du-lieu" / "thay-doi" / "index.html").read_text("utf-8")
    assert "Thay đổi dữ liệu" in page and "0.1.0" in page and "first release" in page


def test_every_version_links_to_its_release_files(monkeypatch, tmp_path):
    from types import SimpleNamespace

    from chidao.site.families.downloads import release_versions

    (tmp_path / "docs").mkdir()
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n## [0.2.0] — x\n\n## [0.1.0] — first\n",
                                           encoding="utf-8")
    ctx = SimpleNamespace(docs_src=tmp_path / "docs", version="0.2.0")
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.setenv("CHIDAO_REPO_URL", "https://github.com/OWNER/REPO/")
    new, old = release_versions(ctx)
    assert new["version"] == "0.2.0" and new["current"] and not old["current"]
    assert new["zip"] == "https://github.com/OWNER/REPO/releases/download/v0.2.0/chidao-datapackage-0.2.0.zip"
    assert new["sqlite"] == "https://github.com/OWNER/REPO/releases/download/v0.2.0/chidao.sqlite"
    assert old["sqlite"] == "https://github.com/OWNER/REPO/releases/download/v0.1.0/chidao-0.1.0.sqlite"
    assert old["release"] == "https://github.com/OWNER/REPO/releases/tag/v0.1.0"
    monkeypatch.delenv("CHIDAO_REPO_URL")
    assert [v["zip"] for v in release_versions(ctx)] == [None, None]  # a local build: no address to give
