"""The document page cache: a page is rendered again exactly when what it shows, or the code
that renders it, changed; the cached page is the page a clean build writes."""

import json
import pathlib
import shutil

import orjson
import pytest

from conftest import ROOT


@pytest.fixture()
def renders(monkeypatch):
    from chidao.site.families import documents

    calls = []
    real = documents.document
    monkeypatch.setattr(documents, "document", lambda ctx, d: (calls.append(d["id"]), real(ctx, d)))
    return calls


def _pages(dp, tmp_path):
    from chidao.site.pages import write_pages

    build = tmp_path / "build"
    write_pages(dp, build / "site-src", ROOT / "docs", build / "downloads", build / "doc-pages")
    from chidao.site.families.documents import stored_pages

    return {doc_id: orjson.dumps(page) for doc_id, page in stored_pages(build / "doc-pages")}


def test_unchanged_pages_come_from_the_cache_and_equal_a_clean_render(tmp_path, renders):
    clean = _pages(ROOT / "datapackage", tmp_path)
    assert len(renders) == 4
    renders.clear()
    again = _pages(ROOT / "datapackage", tmp_path)
    assert renders == [] and again == clean


def test_a_changed_record_renders_its_page_only(tmp_path, renders):
    dp = tmp_path / "dp"
    shutil.copytree(ROOT / "datapackage", dp, ignore=shutil.ignore_patterns(".build", "derived"))
    _pages(dp, tmp_path)
    renders.clear()
    record = dp / "json" / "vinh-phuc-2021-11-08-907-cv-tu.json"
    record.write_text(record.read_text("utf-8").replace("phòng, chống dịch", "phòng chống dịch", 1), encoding="utf-8")
    pages = _pages(dp, tmp_path)
    assert renders == ["vinh-phuc-2021-11-08-907-cv-tu"]
    assert "phòng chống dịch" in pages["vinh-phuc-2021-11-08-907-cv-tu"].decode("utf-8")


def test_a_code_change_renders_every_page(tmp_path, renders, monkeypatch):
    from chidao.site.families import documents

    _pages(ROOT / "datapackage", tmp_path)
    renders.clear()
    monkeypatch.setattr(documents, "page_fingerprint", lambda: "another-version")
    _pages(ROOT / "datapackage", tmp_path)
    assert len(renders) == 4


def test_the_environment_is_part_of_the_key(tmp_path, renders, monkeypatch):
    _pages(ROOT / "datapackage", tmp_path)
    renders.clear()
    monkeypatch.setenv("CHIDAO_REPO_URL", "https://github.com/OWNER/REPO")  # links to the repository change
    pages = _pages(ROOT / "datapackage", tmp_path)
    assert len(renders) == 4
    assert all("github.com/OWNER/REPO/raw/main/datapackage/sources/" in p.decode("utf-8") for p in pages.values())


def _list_pages(dp, build, rendered=None):
    """The keys of the list pages a build names, and (``rendered``) the bodies it rendered."""
    from chidao.site.families import _lists
    from chidao.site.families._lists import MANIFEST
    from chidao.site.pages import write_pages

    real = _lists.minify
    _lists.minify = lambda body: (rendered.append(body) if rendered is not None else None, real(body))[1]
    try:
        write_pages(dp, build / "site-src", ROOT / "docs", build / "downloads", build / "doc-pages")
    finally:
        _lists.minify = real
    return set(json.loads((build / "list-pages" / MANIFEST).read_text("utf-8")))


def test_list_pages_unchanged_are_kept_changed_ones_replaced_gone_ones_dropped(tmp_path, monkeypatch):
    from chidao.fingerprint import cache_at
    from chidao.site import pages
    from chidao.site.families._lists import NAMESPACE

    monkeypatch.setattr(pages, "PARALLEL_FAMILIES_FROM", 0)  # the families in two processes, as at scale
    dp = tmp_path / "dp"
    shutil.copytree(ROOT / "datapackage", dp, ignore=shutil.ignore_patterns(".build", "derived"))
    build = tmp_path / "build"
    rendered: list[str] = []
    first = _list_pages(dp, build)
    assert first
    assert _list_pages(dp, build, rendered) == first and rendered == []  # none rendered or written again
    table = dp / "data" / "documents.csv"
    table.write_text(table.read_text("utf-8").replace("Tiếp tục tăng cường", "Tăng cường", 1), encoding="utf-8")
    again = _list_pages(dp, build, rendered)
    clean = _list_pages(dp, tmp_path / "clean")
    assert again == clean  # what a clean build names
    changed = again - first
    assert changed and len(changed) < len(again)  # the lists showing that subject, not every list
    assert 0 < len(rendered) <= len(changed)  # (rendered in this process: the measures' are in another)
    store = cache_at(pages.page_store(build / "doc-pages"))
    kept = {k for (k,) in store.db.execute("SELECT key FROM entries WHERE namespace = ?", (NAMESPACE,))}
    assert kept == again  # no stale page left in the store


def test_a_rebuild_links_the_unchanged_pages_of_the_previous_site(tmp_path, monkeypatch):
    """A page whose bytes are those of the previous site's is a hard link to it; a changed one
    is a file of its own (so the previous site, still served during the build, is untouched)."""
    from chidao.site import build
    from chidao.site.build import build_site

    dp = tmp_path / "dp"
    shutil.copytree(ROOT / "datapackage", dp, ignore=shutil.ignore_patterns(".build", "derived"))
    root = tmp_path / "root"
    for part in ("docs", "schemas"):
        shutil.copytree(ROOT / part, root / part)
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, root / name)
    site = build_site(root, dp, root / "site")
    changed, same = "vinh-phuc-2021-11-08-907-cv-tu", next(
        p.parent.name for p in (site / "van-ban").glob("*/index.html") if "vinh-phuc" not in p.parent.name
        and (dp / "json" / f"{p.parent.name}.json").exists())
    before = {name: (site / "van-ban" / name / "index.html") for name in (changed, same)}
    inodes = {name: p.stat().st_ino for name, p in before.items()}
    old_text = before[changed].read_text("utf-8")
    record = dp / "json" / f"{changed}.json"
    rec = json.loads(record.read_text("utf-8"))
    rec["text"] = rec["text"].replace("Nơi nhận", "Nơi nhận (xyzzy)", 1)
    record.write_text(json.dumps(rec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    read, loaded = [], []
    real = pathlib.Path.read_bytes
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: (read.append(self), real(self))[1])
    load = build.load_page
    monkeypatch.setattr(build, "load_page", lambda pages, doc_id, key: (loaded.append(doc_id), load(pages, doc_id, key))[1])
    from chidao.fingerprint import Cache

    lists_loaded = []
    get = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, ns, key: (lists_loaded.append(key) if ns == "listpage" else None,
                                                             get(self, ns, key))[1])
    site = build_site(root, dp, root / "site")
    # the unchanged document and list pages are linked as they were, not made again from the store
    assert loaded == [changed]
    names = json.loads((root / "build" / "list-pages" / "lists.json").read_text("utf-8"))
    assert names and len(lists_loaded) < len(names) / 2  # at most the lists showing the changed document
    # the previous site's pages are known by the index's record of their files: none is read back
    assert not [p for p in read if (root / "site") in p.parents or (root / "site.old") in p.parents]
    assert (site / "van-ban" / same / "index.html").stat().st_ino == inodes[same]
    assert (site / "van-ban" / same / "index.html").stat().st_nlink == 2  # shared with the previous site
    new = site / "van-ban" / changed / "index.html"
    assert new.stat().st_ino != inodes[changed] and "xyzzy" in new.read_text("utf-8")
    assert "xyzzy" not in old_text and "xyzzy" not in (root / "build" / "trash").joinpath(
        next(p.name for p in (root / "build" / "trash").iterdir()), "van-ban", changed, "index.html").read_text("utf-8")


def test_a_changed_reference_table_renders_every_list_again(tmp_path):
    """A list row may look up a reference table (a province's name for its link): the key of a
    list page holds those tables' hashes, since its rows' values are made only when it is
    rendered."""
    dp = tmp_path / "dp"
    shutil.copytree(ROOT / "datapackage", dp, ignore=shutil.ignore_patterns(".build", "derived"))
    first = _list_pages(dp, tmp_path / "build")
    descriptor = json.loads((dp / "datapackage.json").read_text("utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == "provinces")["hash"] = "sha256:" + "0" * 64
    (dp / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    rendered: list[str] = []
    again = _list_pages(dp, tmp_path / "build", rendered)
    assert rendered and not (again & first)


def test_the_stringency_series_is_not_a_reference_of_the_lists(tmp_path):
    """No list row reads the stringency series, which changes with nearly every document added
    or removed: a list page's key does not hold its hash, and a new series renders no list again."""
    dp = tmp_path / "dp"
    shutil.copytree(ROOT / "datapackage", dp, ignore=shutil.ignore_patterns(".build", "derived"))
    first = _list_pages(dp, tmp_path / "build")
    descriptor = json.loads((dp / "datapackage.json").read_text("utf-8"))
    for name in ("stringency_levels", "stringency_index"):
        next(r for r in descriptor["resources"] if r["name"] == name)["hash"] = "sha256:" + "1" * 64
    (dp / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    rendered: list[str] = []
    assert _list_pages(dp, tmp_path / "build", rendered) == first and not rendered
