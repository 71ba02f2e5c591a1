"""Publishing: workflows, freshness, schema stability, citation, JSON-LD, feeds, release files."""

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from chidao.package.release import release_files
from chidao.package.stability import breaking_changes, check, load_tables
from chidao.package.write import stale_files
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_workflows_pass_actionlint():
    binary = Path(sys.executable).with_name("actionlint")
    out = subprocess.run([str(binary), *map(str, sorted(WORKFLOWS.glob("*.yml")))], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _steps(job: dict) -> str:
    return "\n".join(json.dumps(s, ensure_ascii=False) for s in job["steps"])


def test_ci_workflow_builds_validates_tests_and_deploys():
    wf = yaml.safe_load((WORKFLOWS / "ci.yml").read_text("utf-8"))
    on = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key 'on' as true
    assert "push" in on and "pull_request" in on
    assert wf["permissions"] == {"contents": "read"} and "concurrency" in wf
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    steps = _steps(build)
    for needle in ('"cache": "pip"', "chidao build", "chidao validate", "chidao check-fresh", "git diff --exit-code",
                   "pytest", "chromium", "actions/upload-artifact", "actions/configure-pages",
                   "actions/upload-pages-artifact"):
        assert needle in steps, needle
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "concurrency" in deploy and "actions/deploy-pages" in _steps(deploy)
    assert "default_branch" in deploy["if"]


# The current major of each action used (checked against the actions' releases, 2026):
# node24 runtimes; upload-pages-artifact v5 and deploy-pages v5 must be bumped together.
CURRENT_MAJORS = {"actions/checkout": 7, "actions/setup-python": 7, "actions/cache": 6, "actions/upload-artifact": 7,
                  "actions/download-artifact": 8, "actions/configure-pages": 6, "actions/upload-pages-artifact": 5,
                  "actions/deploy-pages": 5}


def test_workflows_use_current_action_majors_and_never_cancel_a_deploy():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for action, major in re.findall(r"uses:\s*(actions/[\w-]+)@v(\d+)", path.read_text("utf-8")):
            assert action in CURRENT_MAJORS and int(major) == CURRENT_MAJORS[action], (path.name, action, major)
    wf = yaml.safe_load((WORKFLOWS / "ci.yml").read_text("utf-8"))
    on = wf[True] if True in wf else wf["on"]
    assert "workflow_dispatch" in on
    # the run-level group cancels superseded pull-request runs only, never a run that deploys
    assert wf["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert wf["jobs"]["deploy"]["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    [cache] = [s for s in wf["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == "build/cache"
    assert "hashFiles(" in cache["with"]["key"] and "datapackage/sources/**" in cache["with"]["key"]
    assert "scripts/chidao/**" in cache["with"]["key"]
    steps = [s["name"] for s in wf["jobs"]["build"]["steps"] if "name" in s]
    assert steps.index("Extraction cache") < steps.index("Build the data package and the site")


def test_release_workflow_attaches_zip_sqlite_and_checksums():
    wf = yaml.safe_load((WORKFLOWS / "release.yml").read_text("utf-8"))
    on = wf[True] if True in wf else wf["on"]
    assert on == {"push": {"tags": ["v*"]}}
    job = wf["jobs"]["release"]
    assert job["permissions"] == {"contents": "write"}
    steps = _steps(job)
    assert "chidao release-files dist" in steps and "gh release create" in steps and "dist/*" in steps


def test_release_files_are_deterministic_and_checksummed(tmp_path):
    made = release_files(ROOT / "datapackage", tmp_path / "a")
    again = release_files(ROOT / "datapackage", tmp_path / "b")
    assert [p.read_bytes() for p in made] == [p.read_bytes() for p in again]
    sums = dict(line.split("  ")[::-1] for line in (tmp_path / "a" / "SHA256SUMS").read_text().splitlines())
    for p in made[:2]:
        assert sums[p.name] == hashlib.sha256(p.read_bytes()).hexdigest()
    con = sqlite3.connect(made[1])
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    assert con.execute("SELECT count(*) FROM provinces").fetchone()[0] == 63
    assert con.execute("SELECT symbol FROM documents WHERE id = 'vinh-phuc-2021-11-08-907-cv-tu'").fetchone() == (
        "907-CV/TU",)


# --- freshness -----------------------------------------------------------------------------

def test_freshness_check_passes_on_the_committed_package():
    assert stale_files(ROOT) == []


def test_freshness_check_catches_a_hand_edited_package(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ROOT / "datapackage", root / "datapackage", ignore=shutil.ignore_patterns(".build", ".old-*"))
    shutil.copytree(ROOT / "schemas", root / "schemas")
    csv = root / "datapackage" / "data" / "documents.csv"
    csv.write_text(csv.read_text("utf-8").replace("Tỉnh ủy Lai Châu", "Tỉnh ủy Lai Chau"), encoding="utf-8")
    (root / "datapackage" / "json" / "stray.json").write_text("{}", encoding="utf-8")
    assert stale_files(root) == ["data/documents.csv", "json/stray.json"]
    out = subprocess.run([sys.executable, "-m", "chidao.cli", "check-fresh", "--root", str(root)],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "datapackage/data/documents.csv differs" in out.stderr


# --- schema stability ----------------------------------------------------------------

def _released() -> dict:
    return load_tables(ROOT / "schemas" / "released" / "0.1.0" / "tables")


def test_current_schemas_are_compatible_with_the_last_release():
    version = json.loads((ROOT / "datapackage" / "datapackage.json").read_text("utf-8"))["version"]
    assert check(ROOT / "schemas", version, (ROOT / "CHANGELOG.md").read_text("utf-8")) == []


def _schemas_copy(tmp_path: Path, edit) -> Path:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    path = schemas / "tables" / "documents.schema.json"
    table = json.loads(path.read_text("utf-8"))
    edit(table)
    path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    return schemas


def _drop_signer(t):
    t["fields"] = [f for f in t["fields"] if f["name"] != "signer_name"]


def _narrow_number(t):
    next(f for f in t["fields"] if f["name"] == "number")["type"] = "integer"


@pytest.mark.parametrize("edit,expect", [(_drop_signer, "documents.signer_name was removed or renamed"),
                                         (_narrow_number, "documents.number narrowed from string to integer")])
def test_a_breaking_schema_change_fails_without_a_major_bump(tmp_path, edit, expect):
    schemas = _schemas_copy(tmp_path, edit)
    assert any(expect in c for c in breaking_changes(_released(), load_tables(schemas / "tables")))
    problems = check(schemas, "0.2.0", "## [0.2.0]\n- Removed signer_name.\n")
    assert problems and expect in problems[0]
    assert check(schemas, "1.0.0", "## [1.0.0]\n### Breaking\n- signer_name removed.\n") == []
    assert check(schemas, "1.0.0", "## [1.0.0]\n- signer_name removed.\n"), "the changelog must say so"


def test_adding_a_field_or_widening_is_not_breaking(tmp_path):
    def add(t):
        t["fields"].append({"name": "new_field", "type": "string", "description": "x", "description_vi": "x"})
        next(f for f in t["fields"] if f["name"] == "item_count")["type"] = "number"
    schemas = _schemas_copy(tmp_path, add)
    assert breaking_changes(_released(), load_tables(schemas / "tables")) == []


def test_versions_agree_and_citation_is_complete():
    version = json.loads((ROOT / "datapackage" / "datapackage.json").read_text("utf-8"))["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))
    assert cff["version"] == version and cff["cff-version"] and cff["title"] and cff["authors"]
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert (ROOT / "schemas" / "released" / version).is_dir() or version.startswith("0.")
    assert "CC0-1.0" in (ROOT / "README.md").read_text("utf-8")
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")


# --- on the built site ---------------------------------------------------------------------

def _jsonld(html: Path) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>',
                                               html.read_text("utf-8"), re.S)]


def test_dataset_jsonld_on_home_and_downloads(site):
    for page in ("index.html", "du-lieu/index.html"):
        [ld] = _jsonld(site / page)
        assert ld["@context"] == "https://schema.org" and ld["@type"] == "Dataset"
        for key in ("name", "description", "license", "version", "temporalCoverage", "distribution"):
            assert ld[key], key
        assert all(d["@type"] == "DataDownload" and d["contentUrl"] and d["encodingFormat"] for d in ld["distribution"])
        names = {d["name"] for d in ld["distribution"]}
        # a local build: the zip is a release file whose address is not known; the SQLite is served
        assert {"documents", "datapackage.json", "sqlite"} <= names and "documents_json" not in names


def test_legislation_jsonld_on_every_document_page(site):
    pages = sorted((site / "van-ban").glob("*/index.html"))
    assert len(pages) == 4
    for page in pages:
        [ld] = _jsonld(page)
        assert ld["@type"] == "Legislation" and ld["identifier"] == page.parent.name
        for key in ("legislationIdentifier", "legislationDate", "legislationPassedBy", "legislationJurisdiction"):
            assert ld[key], key
    vp = _jsonld(site / "van-ban" / "vinh-phuc-2021-11-08-907-cv-tu" / "index.html")[0]
    assert vp["legislationIdentifier"] == "907-CV/TU" and vp["legislationDate"] == "2021-11-08"
    assert vp["legislationPassedBy"]["name"] == "Tỉnh ủy Vĩnh Phúc"
    assert vp["legislationJurisdiction"]["name"] == "Vĩnh Phúc"


def test_atom_feeds_have_one_entry_per_document(site):
    root = ET.parse(site / "feed.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 4
    assert {e.find(f"{ATOM}id").text for e in entries} == {
        f"urn:chidao:document:{p.parent.name}" for p in (site / "van-ban").glob("*/index.html")}
    assert all(e.find(f"{ATOM}updated").text and e.find(f"{ATOM}link").get("href") for e in entries)
    lai_chau = ET.parse(site / "tinh" / "12-lai-chau" / "feed.xml").getroot()
    assert len(lai_chau.findall(f"{ATOM}entry")) == 2
    ha_noi = ET.parse(site / "tinh" / "01-ha-noi" / "feed.xml").getroot()
    assert ha_noi.findall(f"{ATOM}entry") == [] and ha_noi.find(f"{ATOM}title").text
    assert 'type="application/atom+xml"' in (site / "index.html").read_text("utf-8")


def test_sitemap_lists_every_page(site):
    urls = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(urls) == len(list(site.rglob("index.html")))
    assert any(u.endswith("/van-ban/vinh-phuc-2021-11-08-907-cv-tu/") for u in urls)
    assert all(re.match(r"https?://", u) for u in urls)


def test_datasette_lite_link_points_at_the_sqlite_file(page, base_url):
    page.goto(base_url + "du-lieu/")
    href = page.locator("#cd-datasette").get_attribute("href")
    assert href.startswith("https://lite.datasette.io/?url=")
    assert "du-lieu%2Ffiles%2Fchidao.sqlite&metadata=" in href
    assert href.endswith("du-lieu%2Ffiles%2Fchidao.metadata.json")
    search = page.locator("#cd-datasette-search").get_attribute("href")
    assert search.startswith(href + "#/chidao/documents?_search=")


def test_a_feed_holds_only_the_newest_entries():
    from chidao.site.discover import FEED_ENTRIES, atom_feed

    docs = [{"id": f"d{k:03d}", "date_issued": f"2021-{1 + k % 12:02d}-{1 + k % 28:02d}", "doc_type": "Công văn",
             "symbol": f"{k}/UBND", "issuer": "UBND", "province": "Hà Nội", "subject": None} for k in range(250)]
    root = ET.fromstring(atom_feed(None, docs, "", "t", "urn:t"))
    dates = [e.find(f"{ATOM}updated").text for e in root.findall(f"{ATOM}entry")]
    assert len(dates) == FEED_ENTRIES < len(docs)
    assert dates == sorted(dates, reverse=True) and dates[0].startswith("2021-12-")
