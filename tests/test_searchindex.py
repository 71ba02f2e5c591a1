"""The search index (chidao.site.searchindex): Pagefind on stripped pages, in shards that are
cached and merged in the browser, "d" finding "đ" without the folded words ever showing, and
the word index re-split by size (same words, same positions, smaller chunks)."""

import functools
import gzip
import hashlib
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading

import cbor2
import pytest

from chidao.site import searchindex
from chidao.site.searchindex import (
    CHUNK_BYTES,
    DOC_SHARDS,
    FOLD_ID,
    PAGES_SHARD,
    IndexFormatError,
    build_search_index,
    read_words,
    rechunk,
    shard_of,
    strip_page,
)
from conftest import DOC_002, DOC_003, ROOT

SIGNATURE = b"pagefind_dcd"


def _decode(path):
    return gzip.decompress(path.read_bytes())[len(SIGNATURE):]


def index_words(bundle):
    """Every (word, entry bytes) of the word index, and the chunk list of the metadata."""
    meta = next(bundle.glob("pagefind.*.pf_meta"))
    chunks = cbor2.loads(_decode(meta))[2]
    words = {}
    for _, _, name in chunks:
        for word, entry in read_words(bundle / "index" / f"{name}.pf_index"):
            words[word] = (entry, name)
    return words, chunks


def fragments(bundle):
    """Every page of a bundle, as Pagefind stored it for results: url -> fragment."""
    pages = {}
    for path in (bundle / "fragment").iterdir():
        frag = json.loads(_decode(path))
        pages[frag["url"]] = frag
    return pages


def bundle_facts(bundle):
    """What a bundle answers with: its pages, its words with their positions, its filters
    (Pagefind writes a filter's values in no fixed order, so they are compared as mappings)."""
    filters = {}
    for path in (bundle / "filter").glob("*.pf_filter"):
        name, values = cbor2.loads(_decode(path))
        filters[name] = {value: pages for value, pages in values}
    words, _ = index_words(bundle)
    return ({p.name: p.read_bytes() for p in (bundle / "fragment").iterdir()},
            {w: e for w, (e, _) in words.items()}, filters)


def bundles(site):
    """The served bundles: the first at pagefind/, then the merged ones shards.json names."""
    served = site / "pagefind"
    merged = json.loads((served / "shards.json").read_text("utf-8"))["merge"]
    return [served] + [served / m for m in merged]


def copy_site(site, to):
    shutil.copytree(site, to, ignore=shutil.ignore_patterns("pagefind"))
    return to


def serve(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def pagefind_plain(site, tmp_path_factory):
    """The site's own pages indexed by Pagefind alone, in one bundle, as it writes it."""
    copy = copy_site(site, tmp_path_factory.mktemp("plain") / "site")
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(copy), "--silent"], check=True)
    return copy


# --- stripped pages ---------------------------------------------------------------------------

def test_stripped_pages_index_as_the_pages_do(site, pagefind_plain, tmp_path):
    """Pagefind on the stripped pages (without their folded words) stores for each page what it
    stores from the page itself: same text, title, filters, anchors, word count."""
    stripped = tmp_path / "stripped"
    sizes = []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        page = path.read_text("utf-8")
        out = None if rel.startswith("pagefind/") else strip_page(page, folded=False)
        if out is not None:
            (stripped / rel).parent.mkdir(parents=True, exist_ok=True)
            (stripped / rel).write_text(out, "utf-8")
            sizes.append((len(out), len(page)))
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(stripped), "--silent"], check=True)
    plain, ours = fragments(pagefind_plain / "pagefind"), fragments(stripped / "pagefind")
    assert len(plain) > 20 and ours == plain
    assert sum(s for s, _ in sizes) < 0.3 * sum(p for _, p in sizes)  # much less HTML to parse


def test_strip_page_keeps_what_pagefind_reads():
    page = """<!DOCTYPE html><html lang="vi"><head><title>Trang &amp; tên</title>
<meta data-pagefind-meta="image[content]" content="/a.png"></head><body>
<h1>Tiêu đề ngoài</h1><nav><a href="/">Đi đâu</a></nav>
<article data-pagefind-body data-x="a>b"><p>Điều động <b>cán bộ</b>.</p>
<div class="x"><div>trong</div> ngoài</div>
<div data-pagefind-ignore><p>Đoạn bỏ qua</p><span data-pagefind-filter="tỉnh">Lai Châu</span></div>
<div data-pagefind-ignore="all"><span data-pagefind-filter="năm">2021</span></div>
<span hidden data-pagefind-filter="loại[data-v]" data-v="Công văn"></span>
<h2 id="muc-2">Mục 2: đề nghị</h2></article>
<footer data-pagefind-meta="tác giả">Đảng ủy</footer></body></html>"""
    out = strip_page(page)
    assert out.startswith('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>Trang &amp; tên</title>')
    assert "<h1>Tiêu đề ngoài</h1>" in out  # Pagefind's default title, wherever it is
    assert 'data-pagefind-meta="image[content]"' in out and '<footer data-pagefind-meta="tác giả">Đảng ủy</footer>' in out
    assert '<div class="x"><div>trong</div> ngoài</div>' in out  # nested elements of the same name
    assert '<div data-pagefind-ignore></div>' in out and "Đoạn bỏ qua" not in out  # emptied, not indexed
    body_start = out.index("<article")
    assert out.index('<span data-pagefind-filter="tỉnh">Lai Châu</span>') < body_start  # kept, outside the body
    assert "2021" not in out  # ignore="all": nothing inside is read
    assert "Đi đâu" not in out
    fold = re.search(rf'<div data-pagefind-body><span id="{FOLD_ID}"></span>([^<]*)</div>', out)
    assert fold and fold.group(1) == "de dieu dong"  # the indexed words with "đ" only
    assert out.index(fold.group(0)) > out.index("</article>")  # after every indexed word
    assert strip_page("<html><body><p>đ</p></body></html>") is None


def test_the_folded_words_are_never_in_a_published_page(site):
    for path in site.rglob("*.html"):
        assert FOLD_ID not in path.read_text("utf-8"), path


# --- shards -----------------------------------------------------------------------------------

def test_the_built_site_is_sharded_and_resplit(site, pagefind_plain):
    served = bundles(site)
    assert len(served) >= 3  # the other pages, and the documents in more than one shard
    first, merged = served[0], served[1:]
    assert (first / "pagefind-ui.js").is_file() and (first / "pagefind.js").is_file()
    for bundle in merged:  # a merged bundle is an index only: the first bundle's scripts serve it
        assert not list(bundle.glob("*.js")) and not list(bundle.glob("wasm.*"))
    urls = {}
    for bundle in served:
        for url in fragments(bundle):
            urls[url] = bundle.name
            rel = url.lstrip("/") + "index.html"
            assert (bundle == first) == (shard_of(rel) == PAGES_SHARD), url
            if bundle != first:
                assert bundle.name == shard_of(rel), url
    assert set(urls) == set(fragments(pagefind_plain / "pagefind"))
    # same words as Pagefind alone, and the folded ones; small chunks in every shard
    plain, _ = index_words(pagefind_plain / "pagefind")
    ours = {}
    limit = CHUNK_BYTES // DOC_SHARDS
    for bundle in served:
        words, chunks = index_words(bundle)
        ours.update(words)
        for _, _, name in chunks:
            entries = read_words(bundle / "index" / f"{name}.pf_index")
            assert sum(len(e) for _, e in entries[:-1]) < limit
    assert set(plain) <= set(ours)
    assert set(ours) - set(plain) <= {w.replace("đ", "d") for w in plain}
    assert "dieu" in ours and "đieu" in ours


def test_rechunk_keeps_every_word_and_position(pagefind_plain, tmp_path):
    bundle = tmp_path / "pagefind"
    shutil.copytree(pagefind_plain / "pagefind", bundle)
    before, old_chunks = index_words(bundle)
    rechunk(bundle, limit=4096)
    after, chunks = index_words(bundle)
    assert {w: e for w, (e, _) in after.items()} == {w: e for w, (e, _) in before.items()}
    assert len(chunks) > 3 * len(old_chunks)
    sizes = {}
    for entry, name in after.values():
        sizes.setdefault(name, []).append(len(entry))
    for name, entries in sizes.items():  # closed once past the limit: the last word may overrun
        assert sum(entries[:-1]) < 4096, name
    for word, (_, name) in after.items():  # Pagefind's lookup finds each word's chunk
        assert name in pagefind_lookup(chunks, word), word
    # no file is left that the metadata does not name
    assert {p.stem for p in (bundle / "index").iterdir()} == {c[2] for c in chunks}
    assert len(list(bundle.glob("pagefind.*.pf_meta"))) == 1


def pagefind_lookup(chunks, term):
    """The chunks Pagefind's search code loads for ``term`` (pagefind_web request_indexes):
    those whose bounds hold it, else those whose bounds hold it cut to their length."""
    strict = [c[2] for c in chunks if c[0] <= term <= c[1]]
    if strict:
        return strict
    return [c[2] for c in chunks
            if term[:len(c[0])] >= c[0][:len(term)] and term[:len(c[1])] <= c[1][:len(term)]]


def test_an_unknown_format_is_left_as_pagefind_wrote_it(pagefind_plain, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(pagefind_plain, site)
    bundle = site / "pagefind"
    victim = sorted((bundle / "index").iterdir())[0]
    victim.write_bytes(gzip.compress(SIGNATURE + cbor2.dumps({"not": "a word list"})))
    files = {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    with pytest.raises(IndexFormatError, match=victim.name):
        rechunk(bundle)
    assert {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()} == files


def test_build_search_index_warns_and_keeps_pagefinds_index(site, tmp_path, monkeypatch, capsys):
    copy = copy_site(site, tmp_path / "site")

    def broken(bundle, limit=None, **kw):
        raise IndexFormatError("index/vi_0000000.pf_index: unexpected shape")

    monkeypatch.setattr("chidao.site.searchindex.rechunk", broken)
    build_search_index(copy)
    assert "left as Pagefind wrote it" in capsys.readouterr().err
    assert all(any((b / "index").iterdir()) for b in bundles(copy))


# --- the cache ----------------------------------------------------------------------------------

@pytest.fixture
def pagefind_runs(monkeypatch):
    """The shards Pagefind is run on, by name, in order."""
    runs = []
    launch = searchindex.launch_pagefind

    def counted(pages, out, log):
        runs.append(pages.name)
        return launch(pages, out, log)

    monkeypatch.setattr(searchindex, "launch_pagefind", counted)
    return runs


def _change_document(site, doc, word):
    """A new word in the indexed part of the document page of ``doc``, after its title."""
    page = site / "van-ban" / doc / "index.html"
    text = page.read_text("utf-8")
    at = text.index("</h1>", text.index("data-pagefind-body")) + len("</h1>")
    page.write_text(text[:at] + f"<p>{word}</p>" + text[at:], "utf-8")


def test_a_changed_document_reindexes_its_shard_only(site, tmp_path, pagefind_runs, monkeypatch):
    cache = tmp_path / "cache"
    built = copy_site(site, tmp_path / "site")
    first = build_search_index(built, cache)
    assert pagefind_runs == [r.name for r in first] and not any(r.reused for r in first)
    assert all(r.peak_mb > 0 and r.seconds > 0 for r in first)
    _change_document(built, DOC_002, "xyzzyđặcbiệt")
    del pagefind_runs[:]
    stripped = []
    strip = searchindex.strip_page
    monkeypatch.setattr(searchindex, "strip_page", lambda page, **kw: stripped.append(page) or strip(page, **kw))
    again = build_search_index(built, cache)
    changed = shard_of(f"van-ban/{DOC_002}/index.html")
    assert pagefind_runs == [changed]
    assert [r.name for r in again if not r.reused] == [changed]
    # only the changed page, and its shard's pages for Pagefind, are stripped again
    assert 0 < len(stripped) <= 1 + next(r.pages for r in again if r.name == changed)
    # the same as a clean build of the changed site
    clean = copy_site(built, tmp_path / "clean")
    build_search_index(clean)
    assert [b.relative_to(built) for b in bundles(built)] == [b.relative_to(clean) for b in bundles(clean)]
    for ours, theirs in zip(bundles(built), bundles(clean), strict=True):
        assert bundle_facts(ours) == bundle_facts(theirs), ours.name
    words, _ = index_words(built / "pagefind" / changed)
    assert "xyzzyđacbiet" in words and "xyzzydacbiet" in words  # with and without "đ"
    # served from the cache by hard links, never by copies of stale files
    assert (built / "pagefind" / "pagefind.js").stat().st_nlink > 1


def test_the_cache_never_serves_a_stale_bundle(site, tmp_path, pagefind_runs, monkeypatch):
    cache = tmp_path / "cache"
    built = copy_site(site, tmp_path / "site")
    runs = [r.name for r in build_search_index(built, cache)]
    del pagefind_runs[:]
    build_search_index(built, cache)
    assert pagefind_runs == []  # nothing changed: every bundle from the cache
    monkeypatch.setattr(searchindex, "INDEXER_VERSION", "another indexer")
    build_search_index(built, cache)
    assert pagefind_runs == runs
    del pagefind_runs[:]
    searchindex.pagefind_version()  # the real one, cached
    monkeypatch.setattr(searchindex, "pagefind_version", lambda: "pagefind 0.0.1")
    build_search_index(built, cache)
    assert pagefind_runs == runs
    del pagefind_runs[:]
    # a damaged bundle in the cache is built again, not served
    entry = next(cache / r.key for r in build_search_index(built, cache) if r.name == runs[-1])
    next((entry / "bundle" / "fragment").iterdir()).unlink()
    again = build_search_index(built, cache)
    assert pagefind_runs == [runs[-1]] and [r.name for r in again if not r.reused] == [runs[-1]]
    assert len(list((built / "pagefind" / runs[-1] / "fragment").iterdir())) == again[-1].pages


# --- in the browser -----------------------------------------------------------------------------

RESULTS_SHOWN = ("document.querySelector('.pagefind-ui__message') && "
                 "/\\d/.test(document.querySelector('.pagefind-ui__message').textContent) && "
                 "document.querySelector('.pagefind-ui__result-excerpt') && "
                 "document.querySelector('.pagefind-ui__result-excerpt').textContent.length > 0")


def _words(text):
    return set(re.findall(r"\w+", text.lower()))


def own_words(site):
    """Each page's own indexed words (its text in the index, up to the folded words)."""
    words = {}
    for bundle in bundles(site):
        for url, frag in fragments(bundle).items():
            end = next((a["location"] for a in frag["anchors"] if a["id"] == FOLD_ID), None)
            words[url] = _words(" ".join(frag["content"].split()[:end]))
    return words


def test_a_match_through_the_folded_words_shows_the_pages_own_words(site, base_url, page):
    """"don doc" finds "đôn đốc" only through the folded words: each excerpt is made of the
    page's own words, the matched ones with their "đ", and none of the folded run."""
    page.goto(base_url + "tim-kiem/?q=don+doc")
    page.wait_for_function(RESULTS_SHOWN, timeout=20_000)
    page.wait_for_timeout(500)  # every result's excerpt filled in
    results = page.locator(".pagefind-ui__result")
    links = [results.nth(i).locator(".pagefind-ui__result-link").first.get_attribute("href")
             for i in range(results.count())]
    assert any(DOC_003 in h for h in links)
    words = own_words(site)
    for i, url in enumerate(links):
        excerpt = results.nth(i).locator(".pagefind-ui__result-excerpt").first
        marks = excerpt.locator("mark").all_inner_texts()
        assert any("đ" in m.lower() for m in marks), (url, marks)
        own = words[url]
        assert _words(excerpt.inner_text()) <= own, (url, excerpt.inner_text())
        for sub in results.nth(i).locator(".pagefind-ui__result-nested .pagefind-ui__result-excerpt").all():
            assert _words(sub.inner_text()) <= own, (url, sub.inner_text())
    doc = results.nth(next(i for i, h in enumerate(links) if DOC_003 in h))
    assert "đôn đốc" in doc.locator(".pagefind-ui__result-excerpt").first.inner_text().lower()


@pytest.mark.parametrize("query,shown,expect", [
    ("phong chong dich", "phòng", None),
    ("dong chi Tran Tien Dung", "Trần Tiến Dũng", DOC_003),
])
def test_search_works_on_small_chunks(site, tmp_path, browser, query, shown, expect):
    """Many small chunks in every shard, so each query word is looked up among them."""
    small = copy_site(site, tmp_path / "site")
    build_search_index(small, limit=1024)
    _, chunks = index_words(small / "pagefind" / shard_of(f"van-ban/{DOC_003}/index.html"))
    assert len(chunks) > 5
    server, base = serve(small)
    pg = browser.new_page()
    try:
        pg.goto(base + "tim-kiem/")
        pg.fill("#cd-search input", query)
        pg.wait_for_function(
            "shown => [...document.querySelectorAll('.pagefind-ui__result')].some(r => r.innerText.includes(shown))",
            arg=shown, timeout=20_000)
        if expect:
            links = pg.eval_on_selector_all(".pagefind-ui__result a", "as => as.map(a => a.href)")
            assert any(expect in h for h in links)
    finally:
        pg.close()
        server.shutdown()


def test_filters_count_and_select_across_shards(base_url, page):
    lai_chau = [DOC_003, "lai-chau-2021-07-21-294-cv-tu"]
    assert len({shard_of(f"van-ban/{d}/index.html") for d in lai_chau}) == 2  # in two shards
    page.goto(base_url + "tim-kiem/?q=covid")
    page.wait_for_function(RESULTS_SHOWN, timeout=20_000)
    page.locator("summary.pagefind-ui__filter-name", has_text="Tỉnh").click()
    label = page.locator("label.pagefind-ui__filter-label", has_text="Lai Châu")
    assert label.inner_text() == "Lai Châu (2)"  # counted in both shards
    label.click()
    page.wait_for_function("document.querySelector('.pagefind-ui__message').textContent.startsWith('2 ')",
                           timeout=20_000)
    page.wait_for_timeout(300)
    links = page.eval_on_selector_all(".pagefind-ui__result-link", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(h.strip("/").split("/")[-1] for h in links) == sorted(lai_chau)


def test_marks_are_dropped_from_stripped_pages_and_pagefind_reads_the_same(site, tmp_path, monkeypatch):
    """The evidence marks of a document page are cut from what Pagefind reads (it reads the page
    faster), and Pagefind's bundle is the same as from the page with them."""
    page = (site / "van-ban" / DOC_002 / "index.html").read_text("utf-8")
    assert "<mark" in page
    plain = strip_page(page)
    assert "<mark" not in plain and "</mark>" not in plain
    monkeypatch.setattr(searchindex, "_unmark", lambda part: part)
    marked = strip_page(page)
    assert "<mark" in marked
    built = {}
    for name, text in (("plain", plain), ("marked", marked)):
        pages = tmp_path / name / "pages"
        (pages / "van-ban" / DOC_002).mkdir(parents=True)
        (pages / "van-ban" / DOC_002 / "index.html").write_text(text, "utf-8")
        run = subprocess.run([*searchindex.pagefind_command(), "--site", str(pages), "--output-path",
                              str(tmp_path / name / "bundle"), "--silent"], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        built[name] = bundle_facts(tmp_path / name / "bundle")
    assert built["plain"] == built["marked"]


def test_a_rebuild_does_not_read_pages_that_are_the_same_files(site, tmp_path, monkeypatch):
    """A page file the last build saw (same device, inode, size and modification time: the site
    build links unchanged pages from the previous site) is not read again to be hashed."""
    import pathlib

    cache = tmp_path / "cache"
    built = copy_site(site, tmp_path / "site")
    build_search_index(built, cache)
    reads = []
    real = pathlib.Path.read_bytes

    def counted(self):
        if built in self.parents:
            reads.append(self.relative_to(built).as_posix())
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", counted)
    again = build_search_index(built, cache)
    assert reads == [] and all(r.reused for r in again)
    _change_document(built, DOC_002, "xyzzy")  # a new file content, a new modification time
    build_search_index(built, cache)
    assert f"van-ban/{DOC_002}/index.html" in reads


@pytest.mark.parametrize("forked", [False, True])
def test_the_site_builds_log_is_what_the_indexer_would_read(tmp_path, monkeypatch, forked):
    """The pages the site build notes for the indexer (PageLog: their hashes, and their stripped
    forms) are the pages in the built site, byte for byte: with the log, each shard's inputs
    are those read from the files, without reading them. ``forked``: the document pages
    written by two processes, as at scale."""
    from chidao.site import build
    from chidao.site.searchindex import PageLog, shard_pages, strip_shard

    if forked:
        monkeypatch.setattr(build, "PARALLEL_INJECT_FROM", 0)

    logs = []

    class Kept(PageLog):
        def __init__(self, cache):
            super().__init__(cache)
            logs.append(self)

    monkeypatch.setattr(build, "PageLog", Kept)
    monkeypatch.setattr(build, "_index", lambda out, cache, log=None: None)  # the log as the indexer gets it
    built = build.build_site(ROOT, ROOT / "datapackage", tmp_path / "site", swap=False)
    log = logs[0]
    docs = {f"van-ban/{p.stem}/index.html" for p in (ROOT / "datapackage" / "json").glob("*.json")
            if p.name != "documents.json"}
    assert len(docs) >= 4 and docs <= set(log.hashes)  # every document page, whichever process wrote it
    for rel, key in log.hashes.items():
        assert hashlib.sha256((built / rel).read_bytes()).hexdigest() == key, rel
    unread = {key: stripped for key, stripped in log.stripped.items()}
    for name, rels in shard_pages(built).items():
        with_log = strip_shard(built, rels, {}, {}, None, log)
        log.stripped.update(unread)  # (strip_shard takes what it uses)
        assert with_log == strip_shard(built, rels, {}, {}), name  # inputs' hash, pages indexed, stripped pages
