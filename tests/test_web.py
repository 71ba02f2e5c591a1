"""The site on the web: under a project sub-path (GitHub Pages), canonical and Open Graph tags per
page, robots.txt, the same site from Zensical as from mkdocs-material, the command's --version
and --help, and `chidao serve --watch`."""

import functools
import http.server
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from chidao.site.build import build_site
from conftest import DOC_002, DOC_003, ROOT

PREFIX = "/REPO/"


def _head_tags(html: str) -> dict:
    tags = {}
    for m in re.finditer(r'<meta (?:property|name)="((?:og|twitter):[a-z_]+)" content="([^"]*)"', html):
        tags[m.group(1)] = m.group(2)
    canon = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    tags["canonical"] = canon.group(1) if canon else None
    desc = re.search(r'<meta name="description" content="([^"]*)"', html)
    tags["description"] = desc.group(1) if desc else None
    return tags


# --- a site under a project sub-path, served like GitHub Pages serves it --------------------

@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory):
    """The site built for http://127.0.0.1:PORT/REPO/ and served there, 404.html for what is
    missing (as GitHub Pages does)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    base = f"http://127.0.0.1:{port}{PREFIX}"
    mp = pytest.MonkeyPatch()
    mp.setenv("CHIDAO_SITE_URL", base)
    try:
        site = build_site(ROOT, ROOT / "datapackage", tmp_path_factory.mktemp("subpath") / "site")
    finally:
        mp.undo()

    class Pages(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):
            if not path.startswith(PREFIX):
                return str(site / "does-not-exist")
            return super().translate_path("/" + path[len(PREFIX):])

        def send_error(self, code, message=None, explain=None):
            if code != 404:
                return super().send_error(code, message, explain)
            body = (site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Pages, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, base
    server.shutdown()


def test_404_page_under_a_sub_path_loads_its_css_and_js(browser, subpath_site):
    site, base = subpath_site
    pg = browser.new_page()
    failed, loaded = [], []
    pg.on("response", lambda r: (loaded if r.ok else failed).append(r.url))
    try:
        resp = pg.goto(base + "khong-co/trang/nay/o/day/")
        assert resp.status == 404
        pg.wait_for_load_state("load")
        assert [u for u in failed if not u.endswith("/khong-co/trang/nay/o/day/")] == []
        assert any(u.startswith(base + "assets/stylesheets/") and u.endswith(".css") for u in loaded)
        assert any(u.startswith(base + "assets/javascripts/") and u.endswith(".js") for u in loaded)
        assert any(u == base + "assets/chidao.css" for u in loaded)
        # styled: the theme's header is laid out, not an unstyled list
        assert pg.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
        home = pg.locator("a.md-header__button.md-logo").get_attribute("href")
        assert pg.evaluate("(h) => new URL(h, location.href).href", home) == base
    finally:
        pg.close()


def test_canonical_and_open_graph_tags_are_each_pages_own(browser, subpath_site):
    site, base = subpath_site
    pg = browser.new_page()
    try:
        seen = {}
        for doc in (DOC_002, DOC_003):
            pg.goto(base + f"van-ban/{doc}/")
            tags = {k: pg.locator(f'meta[property="{k}"]').get_attribute("content")
                    for k in ("og:title", "og:description", "og:url", "og:type", "og:site_name")}
            tags["twitter:card"] = pg.locator('meta[name="twitter:card"]').get_attribute("content")
            tags["canonical"] = pg.locator('link[rel="canonical"]').get_attribute("href")
            assert tags["canonical"] == tags["og:url"] == base + f"van-ban/{doc}/"
            assert tags["og:title"] == pg.title().split(" - ")[0]
            assert tags["twitter:card"] == "summary" and tags["og:type"] == "website"
            seen[doc] = tags
        record = json.loads((ROOT / "datapackage" / "json" / f"{DOC_002}.json").read_text("utf-8"))
        assert seen[DOC_002]["og:description"] == record["subject"]
        assert seen[DOC_002]["og:title"].startswith("Công văn 907-CV/TU")
        assert seen[DOC_002]["og:title"] != seen[DOC_003]["og:title"]
        assert seen[DOC_002]["og:description"] != seen[DOC_003]["og:description"]
        pg.goto(base + "du-lieu/")
        assert pg.locator('link[rel="canonical"]').get_attribute("href") == base + "du-lieu/"
        assert pg.locator('meta[property="og:title"]').get_attribute("content") == "Dữ liệu"  # its title in the navigation
    finally:
        pg.close()
    for page in site.rglob("index.html"):  # no page keeps the shell's placeholders
        text = page.read_text("utf-8")
        assert "CHIDAOSHELL" not in text and "chidao-shell" not in text, page


def test_search_under_a_sub_path_merges_every_shard(browser, subpath_site):
    """The search page under /REPO/ opens the index's merged shards there, and its results
    link there, documents of several shards among them."""
    from chidao.site.searchindex import shard_of

    site, base = subpath_site
    assert len(json.loads((site / "pagefind" / "shards.json").read_text("utf-8"))["merge"]) >= 2
    pg = browser.new_page()
    failed, fetched = [], []
    pg.on("response", lambda r: (fetched if r.ok else failed).append(r.url))
    try:
        pg.goto(base + "tim-kiem/?q=don+doc")  # "đôn đốc": in three documents, in three shards
        pg.wait_for_function("document.querySelectorAll('.pagefind-ui__result-link').length >= 3", timeout=20_000)
        links = pg.eval_on_selector_all(".pagefind-ui__result-link", "as => as.map(a => a.getAttribute('href'))")
    finally:
        pg.close()
    assert links and all(h.startswith(PREFIX) for h in links), links
    docs = {h.rstrip("/").rsplit("/", 1)[-1] for h in links if h.startswith(PREFIX + "van-ban/")}
    assert DOC_003 in docs and len({shard_of(f"van-ban/{d}/index.html") for d in docs}) >= 2
    assert failed == [] and any(u.startswith(base + "pagefind/d") for u in fetched)


def test_robots_txt_points_at_the_sitemap(subpath_site):
    site, base = subpath_site
    robots = (site / "robots.txt").read_text("utf-8")
    assert "User-agent: *" in robots and f"Sitemap: {base}sitemap.xml" in robots
    assert urllib.request.urlopen(base + "robots.txt").read().decode() == robots


# --- the same site from Zensical --------------------------------------------------------------

def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _page_facts(site: Path, rel: str) -> dict:
    text = (site / rel).read_text("utf-8")
    article = re.search(r"<article[^>]*>(.*)</article>", text, re.S)
    return {"jsonld": [json.loads(x) for x in re.findall(r'<script type="application/ld\+json">(.*?)</script>',
                                                          text, re.S)],
            "links": sorted(set(re.findall(r'href="([^"]*)"', article.group(1) if article else ""))),
            "head": _head_tags(text), "title": re.search(r"<title>(.*?)</title>", text, re.S).group(1)}


def test_zensical_builds_the_same_site(site, tmp_path):
    zsite = build_site(ROOT, ROOT / "datapackage", tmp_path / "site", builder="zensical")
    assert _pages(zsite) == _pages(site)
    assert len(_pages(site)) > 20
    for rel in _pages(site):
        assert _page_facts(zsite, rel) == _page_facts(site, rel), rel
    doc = _page_facts(zsite, f"van-ban/{DOC_002}/index.html")
    assert doc["jsonld"][0]["@type"] == "Legislation" and doc["jsonld"][0]["identifier"] == DOC_002
    for built in (site, zsite):  # neither theme's own search: Pagefind's only
        assert not (built / "search.json").exists() and not (built / "search" / "search_index.json").exists()
        assert (built / "pagefind").is_dir()
        assert 'class="md-search"' not in (built / "index.html").read_text("utf-8")
        assert not any("CHIDAOSHELL" in p.read_text("utf-8") for p in built.rglob("*.html"))


def test_shell_injection_reads_either_json_spacing(tmp_path):
    from chidao.fingerprint import Cache, cache_at
    from chidao.site.build import inject_documents
    from chidao.site.families.documents import MANIFEST, _namespace
    from chidao.site.pages import SHELL_BODY, SHELL_URL, page_store

    for marker in ('{"@context": "CHIDAOSHELLJSONLD"}', '{"@context":"CHIDAOSHELLJSONLD"}',
                   '{ "@context" : "CHIDAOSHELLJSONLD" }'):
        site, pages = tmp_path / marker.count(" ").__str__() / "site", tmp_path / marker.count(" ").__str__() / "p"
        (site / SHELL_URL).mkdir(parents=True)
        pages.mkdir()
        (site / SHELL_URL / "index.html").write_text(
            f'<head><title>CHIDAOSHELLTITLE</title><script type="application/ld+json">{marker}</script></head>'
            f"<body>{SHELL_BODY}</body>", encoding="utf-8")
        page = {"title": "T", "jsonld": {"@type": "Legislation"}, "body": "B", "description": "D"}
        Cache.prepare(page_store(pages))  # the page as the documents family stores it
        cache_at(page_store(pages)).put([(_namespace(), "key", json.dumps(page).encode())])
        (pages / MANIFEST).write_text(json.dumps({"namespace": _namespace(), "pages": [["x", "key"]]}), encoding="utf-8")
        inject_documents(site, pages)
        out = (site / "van-ban" / "x" / "index.html").read_text("utf-8")
        assert '{"@type": "Legislation"}' in out and "CHIDAOSHELL" not in out, marker


# --- the command ------------------------------------------------------------------------------

def test_version_and_plain_help():
    from chidao import __version__
    from chidao.package.write import PACKAGE_VERSION

    exe = str(Path(sys.executable).with_name("chidao"))
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"chidao {__version__} (data package {PACKAGE_VERSION})"
    helptext = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
    assert "``" not in helptext and ":func:" not in helptext
    assert "chidao build" in helptext and "serve" in helptext and "--version" in helptext


# --- chidao serve --watch -----------------------------------------------------------------------

def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8")


def _wait(predicate, timeout: float = 120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_serve_watch_rebuilds_on_docs_templates_and_curation_changes(tmp_path):
    root = tmp_path / "project"
    for part in ("schemas", "docs"):
        shutil.copytree(ROOT / part, root / part)
    for part in ("sources", "curation", "derived"):
        if (ROOT / "datapackage" / part).is_dir():
            shutil.copytree(ROOT / "datapackage" / part, root / "datapackage" / part)
    for f in ("mkdocs.yml", "CHANGELOG.md", "README.md", "LICENSE"):
        shutil.copy2(ROOT / f, root / f)
    for part in ("datapackage.json", "data", "json"):
        src = ROOT / "datapackage" / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / "datapackage" / part)
    exe = str(Path(sys.executable).with_name("chidao"))
    env = {**__import__("os").environ, "CHIDAO_ROOT": str(root)}
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([exe, "serve", "--watch", "--port", str(port), "--root", str(root), "--interval", "0.3"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait(lambda: "chidao" in _fetch(base))  # it builds the site first when there is none
        page = _fetch(base + "du-lieu/")
        assert "/__chidao/reload.js" in page  # the preview reloads itself after a rebuild
        # a hand-written source of the site (docs/): its asset is rebuilt
        css = root / "docs" / "static" / "chidao.css"
        css.write_text(css.read_text("utf-8") + "\n/* watched-change-1 */\n", encoding="utf-8")
        _wait(lambda: "watched-change-1" in _fetch(base + "assets/chidao.css"))
        build_no = int(_fetch(base + "__chidao/build"))
        # a curation file: the package is rebuilt, then the document's page
        (root / "datapackage" / "curation").mkdir(exist_ok=True)
        (root / "datapackage" / "curation" / "watch-test.yaml").write_text(
            f"document: {DOC_003}\nfields:\n  signer_title:\n    value: CHỨC DANH ĐÃ SỬA\n    note: watch test\n",
            encoding="utf-8")
        _wait(lambda: "CHỨC DANH ĐÃ SỬA" in _fetch(base + f"van-ban/{DOC_003}/"))
        # the new site is served as soon as it is swapped in, a moment before the counter moves
        _wait(lambda: int(_fetch(base + "__chidao/build")) > build_no)
        assert "CHỨC DANH ĐÃ SỬA" in (root / "datapackage" / "data" / "documents.csv").read_text("utf-8")
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "rebuilt" in out, out[-2000:]
