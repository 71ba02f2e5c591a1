"""The document page cache: a page is rendered again exactly when what it shows, or the code
that renders it, changed; the cached page is the page a clean build writes."""

import shutil

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
    return {p.name: p.read_bytes() for p in (build / "doc-pages").glob("*.json")}


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
    assert "phòng chống dịch" in pages["vinh-phuc-2021-11-08-907-cv-tu.json"].decode("utf-8")


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


def _list_files(dp, build):
    from chidao.site.pages import write_pages

    write_pages(dp, build / "site-src", ROOT / "docs", build / "downloads", build / "doc-pages")
    return {p.name: p.stat().st_ino for p in (build / "list-pages").iterdir()}


def test_list_pages_unchanged_are_kept_changed_ones_replaced_gone_ones_dropped(tmp_path, monkeypatch):
    from chidao.site import pages

    monkeypatch.setattr(pages, "PARALLEL_FAMILIES_FROM", 0)  # the families in two processes, as at scale
    dp = tmp_path / "dp"
    shutil.copytree(ROOT / "datapackage", dp, ignore=shutil.ignore_patterns(".build", "derived"))
    first = _list_files(dp, tmp_path / "build")
    assert first and all(name.endswith(".json") for name in first)
    assert _list_files(dp, tmp_path / "build") == first  # the same files: none rendered or written again
    table = dp / "data" / "documents.csv"
    table.write_text(table.read_text("utf-8").replace("Tiếp tục tăng cường", "Tăng cường", 1), encoding="utf-8")
    again = _list_files(dp, tmp_path / "build")
    clean = _list_files(dp, tmp_path / "clean")
    assert set(again) == set(clean)  # what a clean build names: no stale page left
    changed = set(again) - set(first)
    assert changed and len(changed) < len(again)  # the lists showing that subject, not every list
    assert all(again[n] == first[n] for n in set(again) & set(first))  # the others kept as they were
