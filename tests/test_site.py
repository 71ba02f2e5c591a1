"""The site, built from the committed package, served on localhost and driven in Chromium."""

import csv
import functools
import http.server
import io
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
                "phuong-phap/index.html", "tim-kiem/index.html", "pagefind/pagefind-ui.js"):
        assert (site / rel).is_file(), rel


def test_no_broken_internal_links(site):
    broken = []
    for html in site.rglob("*.html"):
        if html.name == "404.html":
            continue  # served at any depth, so MkDocs writes it with root-absolute links
        for href in re.findall(r'href="([^"#?]+)', html.read_text("utf-8")):
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target = (html.parent / href).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{html.relative_to(site)} -> {href}")
    assert broken == []


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


def test_comparison_matrix_distinguishes_no_document_from_no_measure(page, base_url):
    page.goto(base_url + "so-sanh/")
    matrix = page.locator("#cd-matrix")
    lai_chau = matrix.locator("tbody tr", has_text="Lai Châu")
    assert lai_chau.locator("td.cd-cell a").count() > 0
    href = lai_chau.locator("td.cd-cell a").first.get_attribute("href")
    assert href.startswith("../bien-phap/") and "#tinh-12" in href
    ha_noi = matrix.locator("tbody tr", has_text="Hà Nội")
    assert "cd-nodoc" in ha_noi.get_attribute("class")
    assert ha_noi.locator("td.cd-cell-nodoc").count() == matrix.locator("thead th.cd-rot").count()
    assert lai_chau.locator("td.cd-zero").count() > 0
    nodoc_bg = ha_noi.locator("td").first.evaluate("e => getComputedStyle(e).backgroundImage")
    zero_bg = lai_chau.locator("td.cd-zero").first.evaluate("e => getComputedStyle(e).backgroundImage")
    assert nodoc_bg != zero_bg
    assert page.locator("svg.cd-chart circle").count() == 4
    shot(page, "compare")


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


@pytest.mark.parametrize("start", ["", "van-ban/vinh-phuc-2021-11-08-907-cv-tu/", "tinh/12-lai-chau/"])
def test_every_page_has_a_search_box_in_its_header(page, base_url, start):
    page.goto(base_url + start)
    box = page.locator("form.cd-header-search input[name=q]")
    assert box.is_visible() and box.bounding_box()["y"] < 60  # drawn in the header bar
    box.fill("chan chinh to covid")  # no diacritics: "chấn chỉnh", "Tổ Covid"
    box.press("Enter")
    page.wait_for_url("**/tim-kiem/?q=chan+chinh+to+covid")
    page.wait_for_function(RESULTS_SHOWN, timeout=20_000)
    links = page.locator(".pagefind-ui__result a")
    assert any("vinh-phuc-2021-11-08-907-cv-tu" in (links.nth(i).get_attribute("href") or "")
               for i in range(links.count()))


def test_catalogue_filter(page, base_url):
    page.goto(base_url + "van-ban/")
    rows = page.locator("#cd-catalogue tbody tr")
    assert rows.count() == 4
    page.select_option("select[name=province]", "12")
    assert page.locator("#cd-catalogue tbody tr:not([hidden])").count() == 2
    assert "2 / 4" in page.locator("#cd-count").inner_text()
    page.select_option("select[name=type]", "Thông báo")
    visible = page.locator("#cd-catalogue tbody tr:not([hidden])")
    assert visible.count() == 1 and "TB-UBND" in visible.inner_text()
    shot(page, "catalogue-filtered")


def test_catalogue_without_javascript_is_a_full_table(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(base_url + "van-ban/")
    assert pg.locator("#cd-catalogue tbody tr").count() == 4
    assert pg.locator("#cd-filters").is_hidden()
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
