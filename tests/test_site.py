"""The site, built from the committed package, served on localhost and driven in Chromium."""

import csv
import functools
import http.server
import io
import posixpath
import re
import shutil
import threading

import pytest

from chidao.site.build import build_site
from conftest import ARTIFACTS, DOC_002, DOC_003, ROOT


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# --- the static site ----------------------------------------------------------------

def test_strict_build_produced_every_page(site):
    for rel in ("index.html", "van-ban/index.html", f"van-ban/{DOC_002}/index.html", "tinh/26-vinh-phuc/index.html",
                "bien-phap/vaccination/index.html", "so-sanh/index.html", "du-lieu/index.html",
                "phuong-phap/index.html", "tim-kiem/index.html", "pagefind/pagefind-ui.js",
                # the bounded lists below the index pages
                "van-ban/thang/2021-11/index.html", "van-ban/thang/khong-ngay/index.html",
                "van-ban/loai/cong-van/index.html", "tinh/12-lai-chau/2021/index.html",
                "bien-phap/vaccination/12-lai-chau/index.html", "co-quan/index.html", "co-quan/12-lai-chau/index.html",
                "co-quan/26-vinh-phuc/tinh-uy-vinh-phuc/index.html", "so-sanh/trung-uong/index.html",
                "so-sanh/trung-uong/07-kl-tw/index.html", "so-sanh/so-lieu/index.html"):
        assert (site / rel).is_file(), rel
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    for url in ("van-ban/thang/2021-11/", "tinh/12-lai-chau/2021/", "co-quan/26-vinh-phuc/tinh-uy-vinh-phuc/"):
        assert f"/{url}</loc>" in sitemap, url


def broken_links(site) -> list[str]:
    broken = []
    for html in site.rglob("*.html"):
        if html.name == "404.html":
            continue  # served at any depth, so MkDocs writes it with root-absolute links
        for href in re.findall(r'(?<![\w-])(?:href|src)="([^"#?]+)', html.read_text("utf-8")):
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target = (html.parent / href).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{html.relative_to(site)} -> {href}")
    return broken


def test_no_broken_internal_links(site):
    assert broken_links(site) == []


def test_list_pages_at_every_depth_link_right(tmp_path, monkeypatch):
    """One document per list page, so that lists have pages 2, 3 ... one level deeper than
    their first: each depth has its shell; every link holds and each page names itself."""
    from chidao.site.families import _lists

    root = tmp_path / "root"
    for part in ("docs", "schemas", "datapackage"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns(".*"))
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, root / name)
    monkeypatch.setattr(_lists, "ROWS_PER_PAGE", 1)
    monkeypatch.setenv("CHIDAO_SITE_URL", "https://example.org/chidao/")
    site = build_site(root, root / "datapackage", tmp_path / "site")
    assert broken_links(site) == []
    for url, tab in (("van-ban/thang/2021-11/2/", "Văn bản"), ("tinh/12-lai-chau/2021/2/", "Theo tỉnh"),
                     ("so-sanh/trung-uong/2/", "So sánh"), ("co-quan/12-lai-chau/2/", None)):
        html = (site / url / "index.html").read_text("utf-8")
        assert f'<link rel="canonical" href="https://example.org/chidao/{url}">' in html, url
        assert 'href="../../../../assets/chidao.css"' in html or url.count("/") != 4, url
        active = re.findall(r'md-tabs__item--active">\s*<a href="[^"]*" class="md-tabs__link">\s*([^<]+?)\s*</a>', html)
        assert active == ([tab] if tab else []), (url, active)
        prev = re.search(r'<a href="([^"]+)" rel="prev">', html).group(1)
        assert posixpath.normpath(posixpath.join(url, prev)) == url.rsplit("/", 2)[0], url  # the list's first page
        assert "CHIDAOSHELL" not in html and "chidao-shell" not in html
    assert not any(site.glob("*/chidao-shell*"))


def test_nothing_is_fetched_from_the_internet(site):
    for html in site.rglob("*.html"):
        text = html.read_text("utf-8")
        # a canonical link names the page's address; browsers fetch nothing from it
        assert not re.search(r'<(?:link(?! rel="canonical")|script|img)[^>]+(?:href|src)="https?://', text), html


def test_document_pages_stay_small_and_nav_does_not_list_documents(site):
    for html in (site / "van-ban").glob("*/index.html"):
        assert html.stat().st_size < 60_000, html
    nav = (site / "index.html").read_text("utf-8")
    assert DOC_002 not in nav.split('class="md-nav')[1] if 'class="md-nav' in nav else True


# --- in the browser --------------------------------------------------------------------

def test_home_page(page, base_url):
    page.goto(base_url)
    assert "Chỉ đạo phòng, chống dịch COVID-19" in page.locator("h1").first.inner_text()
    stats = page.locator(".cd-stats").inner_text()
    assert "4" in stats and "văn bản" in stats
    assert page.locator(".cd-table tbody tr").count() == 4
    shot(page, "home")


def test_document_page_card_inferred_mark_and_anchored_item(page, base_url):
    page.goto(base_url + f"van-ban/{DOC_002}/#muc-3")
    card = page.locator("table.cd-card")
    assert "907-CV/TU" in card.inner_text() and "Hỏa tốc" in card.inner_text()
    issuer_row = card.locator("tr", has_text="Cơ quan ban hành")
    assert "Tỉnh ủy Vĩnh Phúc" in issuer_row.inner_text()
    mark = issuer_row.locator("details.cd-inferred summary")
    assert mark.inner_text() == "suy ra" and "907-CV/TU" not in (mark.get_attribute("title") or "x")
    mark.click()
    assert "symbol" in issuer_row.locator("details.cd-inferred span").inner_text()
    item = page.locator("#muc-3")
    assert item.is_visible() and "Các huyện, thành ủy" in item.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "muc-3"
    assert page.locator("#muc-5 mark.cd-evidence").count() >= 1
    shot(page, "document")


def _hover(page, svg, row: int, col: int) -> str:
    """The hover box of a heatmap's cell (catalogue.js), its geometry read from the chart."""
    left, top, cell_w, row_h = map(float, svg.get_attribute("data-geom").split())
    point = svg.evaluate("""(svg, [x, y]) => { const p = svg.createSVGPoint(); p.x = x; p.y = y;
        const q = p.matrixTransform(svg.getScreenCTM()); return [q.x, q.y]; }""",
                         [left + (col + 0.5) * cell_w, top + (row + 0.5) * row_h])
    page.mouse.move(*point)
    return page.locator("#cd-tip").inner_text()


def _values(svg) -> list[list[str]]:
    rows = []
    for run_row in svg.get_attribute("data-v").split(";"):
        row = []
        for run in run_row.split(","):
            value, _, n = run.partition("*")
            row += [value] * int(n or 1)
        rows.append(row)
    return rows


def test_comparison_matrix_distinguishes_no_document_from_no_measure(page, base_url):
    page.goto(base_url + "so-sanh/")
    matrix = page.locator("svg.cd-heat").first
    assert "Ma trận" in matrix.get_attribute("aria-label")
    names = matrix.locator(".cd-label text").all_text_contents()
    lai_chau, ha_noi = names.index("Lai Châu"), names.index("Hà Nội")
    assert matrix.locator(".cd-label a", has_text="Lai Châu").get_attribute("href") == "../tinh/12-lai-chau/"
    values = _values(matrix)
    hit = next(c for c, v in enumerate(values[lai_chau]) if v not in ("", "0"))
    zero = next(c for c, v in enumerate(values[lai_chau]) if v == "0")
    measure = matrix.get_attribute("data-cols").split("|")[hit]
    assert _hover(page, matrix, lai_chau, hit) == f"Lai Châu · {measure}: {values[lai_chau][hit]} văn bản"
    # no document (Hà Nội): its whole row drawn grey; no such measure (a zero): no stroke at all
    strokes = {p.get_attribute("stroke"): p.get_attribute("d") for p in matrix.locator("path").all()}
    n_cols = len(values[0])
    assert f"M0 {ha_noi}h{n_cols}" in strokes["#e4e4e4"]
    assert all(v == "0" for v in values[ha_noi]) and values[lai_chau][zero] == "0"
    assert not any(f"M{zero} {lai_chau}h" in d for d in strokes.values())
    shot(page, "compare")
    # a cell opens the province's clauses of that measure
    _hover(page, matrix, lai_chau, hit)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_url(re.compile(r".*/bien-phap/[a-z0-9-]+/12-lai-chau/$"))
    assert page.locator("table.cd-table tbody tr").count() >= 1
    assert "Lai Châu" in page.locator(".cd-kicker").text_content()
    # the timeline: documents per province and month, 4 in all
    page.goto(base_url + "so-sanh/")
    timeline = page.locator("svg.cd-heat").nth(1)
    assert sum(int(v or 0) for row in _values(timeline) for v in row) == 4


# Pagefind's UI has shown a result count and the first result's excerpt.
RESULTS_SHOWN = ("document.querySelector('.pagefind-ui__message') && "
                 "/\\d/.test(document.querySelector('.pagefind-ui__message').textContent) && "
                 "document.querySelector('.pagefind-ui__result-excerpt') && "
                 "document.querySelector('.pagefind-ui__result-excerpt').textContent.length > 0")


@pytest.mark.parametrize("query,shown,expect", [
    ("phong chong dich", "phòng", None),
    ("dong chi Tran Tien Dung", "Trần Tiến Dũng", DOC_003),  # "d" finds "đ": đồng chí Trần Tiến Dũng
])
def test_search_without_diacritics(page, base_url, query, shown, expect):
    page.goto(base_url + "tim-kiem/")
    page.fill("#cd-search input", query)
    # Pagefind's UI draws result placeholders first and fills in each excerpt when its
    # fragment has loaded: wait for the loaded excerpts, not for the placeholders.
    page.wait_for_function(RESULTS_SHOWN, timeout=20_000)
    results = page.locator(".pagefind-ui__result")
    assert results.count() > 0
    page.wait_for_function(
        "shown => [...document.querySelectorAll('.pagefind-ui__result')].some(r => r.innerText.includes(shown))",
        arg=shown, timeout=20_000)
    assert any(shown in t for t in results.all_inner_texts())
    if expect:
        links = [results.nth(i).locator("a").first.get_attribute("href") for i in range(results.count())]
        assert any(expect in (h or "") for h in links)
    shot(page, f"search-{query.replace(' ', '-')}")


@pytest.mark.parametrize("start", ["", "van-ban/vinh-phuc-2021-11-08-907-cv-tu/", "tinh/12-lai-chau/",
                                   "tinh/12-lai-chau/2021/", "co-quan/12-lai-chau/"])
def test_every_page_has_a_search_box_in_its_header(page, base_url, start):
    page.goto(base_url + start)
    box = page.locator("form.cd-header-search input[name=q]")
    assert box.is_visible() and box.bounding_box()["y"] < 60  # drawn in the header bar
    box.fill("chan chinh to covid")  # no diacritics: "chấn chỉnh", "Tổ Covid"
    box.press("Enter")
    page.wait_for_url("**/tim-kiem/?q=chan+chinh+to+covid")
    page.wait_for_function(RESULTS_SHOWN, timeout=20_000)
    # each result's link is filled in when its fragment has loaded, one after the other
    page.wait_for_function("""() => [...document.querySelectorAll('.pagefind-ui__result a')]
        .some(a => (a.getAttribute('href') || '').includes('vinh-phuc-2021-11-08-907-cv-tu'))""", timeout=20_000)


def test_catalogue_filter(page, base_url):
    page.goto(base_url + "van-ban/")
    page.locator("#cd-months a", has_text="2").click()  # November 2021: two documents
    page.wait_for_url("**/van-ban/thang/2021-11/")
    rows = page.locator("#cd-catalogue tbody tr")
    assert rows.count() == 2
    page.select_option("select[name=province]", "Vĩnh Phúc")
    assert page.locator("#cd-catalogue tbody tr:not([hidden])").count() == 1
    assert "1 / 2" in page.locator("#cd-count").inner_text()
    page.select_option("select[name=province]", "")
    page.select_option("select[name=type]", "Công điện")
    visible = page.locator("#cd-catalogue tbody tr:not([hidden])")
    assert visible.count() == 1 and "Thừa Thiên Huế" in visible.inner_text()
    shot(page, "catalogue-filtered")
    page.goto(base_url + "tinh/12-lai-chau/2021/")  # one province: no filter on the province
    assert page.locator("select[name=province]").count() == 0 and page.locator("select[name=type]").count() == 1


def test_catalogue_without_javascript_reaches_every_document(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(base_url + "van-ban/")
    months = [a.get_attribute("href") for a in pg.locator("#cd-months a").all()]
    seen = []
    for href in months:
        pg.goto(base_url + "van-ban/" + href)
        assert pg.locator("#cd-filters").is_hidden()
        seen += [a.get_attribute("href") for a in pg.locator("#cd-catalogue tbody tr td:nth-child(5) a").all()]
    assert len(seen) == len(set(seen)) == 4
    ctx.close()


def test_download_link_returns_a_csv_that_parses(page, base_url):
    page.goto(base_url + "du-lieu/")
    link = page.locator("a", has_text="data/documents.csv").first
    url = base_url + "du-lieu/" + link.get_attribute("href")
    resp = page.request.get(url)
    assert resp.ok
    rows = list(csv.DictReader(io.StringIO(resp.text())))
    assert len(rows) == 4 and {"id", "province", "symbol"} <= set(rows[0])
    assert page.locator("table.cd-dict").count() >= 15  # the data dictionary, one table per resource
    shot(page, "downloads")


# --- hostile text ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory):
    """A site built from the seeds plus a directive full of HTML, Markdown and Jinja, and
    files with awkward names."""
    root = tmp_path_factory.mktemp("hostile") / "root"
    (root / "datapackage" / "sources").mkdir(parents=True)
    for p in (ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"):
        shutil.copy(p, root / "datapackage" / "sources" / p.name)
    for name in ("injection.txt", "văn bản số 1 của tỉnh.txt", "-leading-dash.txt", "..two-dots.txt"):
        shutil.copy(ROOT / "tests" / "fixtures" / "bad" / name, root / "datapackage" / "sources" / name)
    for part in ("schemas", "docs"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    from chidao.package.write import build_package, swap_in

    swap_in(build_package(root), root / "datapackage")
    return build_site(root)


@pytest.fixture(scope="session")
def hostile_url(hostile_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(hostile_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_injected_markup_shows_as_text_and_never_runs(browser, hostile_site, hostile_url):
    doc = next(p.parent.name for p in (hostile_site / "van-ban").glob("*/index.html")
               if "__pwned" in p.read_text("utf-8"))
    pg = browser.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(hostile_url + f"van-ban/{doc}/")
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.__pwned") is None, "a script from the source text ran"
    article = pg.locator("article.cd-doc")
    assert article.locator("script, img, iframe, b, a[href^='javascript']").count() == 0
    text = article.inner_text()
    for shown in ("<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">',
                  "| cột | bảng |", "# Không phải tiêu đề *không in nghiêng*", "[bấm](javascript:window.__pwned=3)",
                  "{{ 7*7 }}", "{% raw %}", "<b>đậm</b> &amp; ```code```"):
        assert shown in text, shown
    pg.locator("#muc-3").scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "injection.png"), full_page=False)
    pg.close()
    assert errors == []


def test_awkward_file_names_download(browser, hostile_site, hostile_url):
    pg = browser.new_page()
    for page_html in (hostile_site / "van-ban").glob("*/index.html"):
        html = page_html.read_text("utf-8")
        if "%C4%91" not in html and "-leading-dash" not in html and "..two-dots" not in html:
            continue
        pg.goto(hostile_url + f"van-ban/{page_html.parent.name}/")
        href = pg.locator("a", has_text="Văn bản gốc").get_attribute("href")
        resp = pg.request.get(hostile_url + f"van-ban/{page_html.parent.name}/" + href)
        assert resp.ok and "CV/TU" in resp.text()
    pg.close()
