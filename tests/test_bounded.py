"""No page of the site grows with the archive: lists are paginated, summaries show the top few,
charts are drawn per province, measure, month or week, never per document.

Two synthetic archives, one three times the other, are rendered with few rows per page and a
small top-K, so that every list is cut into pages in both. Then, for each family of pages, the
largest page of the larger archive must be about as large as that of the smaller one (a page
that lists every document is three times larger), must fit the bound of a page at 10,000
documents, and no page may link to more documents than a page of a list holds. The same checks
run on the site rendered with pagination turned off must fail: they catch that regression."""

from __future__ import annotations

import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from chidao.fingerprint import Cache
from chidao.package.write import build_package, swap_in
from chidao.site.families import _lists
from chidao.site.families._lists import lists_done, stored_lists
from chidao.site.families.measures import CLAUSE_ROWS_FACTOR
from chidao.site.pages import SiteContext, page_families, page_store
from chidao.site.sitedata import Archive
from conftest import ROOT

SIZES = (100, 300)  # documents of the smaller and of the larger archive
ROWS, TOP = 4, 3  # rows per list page and rows of a summary, small: every list is cut into pages
PAGE_BOUND = 100 * 1024  # the largest a page may be (at 10,000 documents too)
FRAME = 24 * 1024  # what the theme adds around a page's body (about 9.5 KB, minified; the rest is margin)
# The largest page of a family may grow from the smaller archive to the larger by this factor
# and these bytes (a few more page links; a summary's cells filling up): a page that lists every
# document grows by 3x, a chart with a mark per document by a few hundred bytes per document.
GROWTH, SLACK = 1.15, 2048
SKIPPED = {"documents", "downloads", "changelog", "method", "search"}  # not lists of the archive

# family of a page, by its address (first match); the site's other pages are not lists
FAMILIES = [
    ("home", r""), ("catalogue", r"van-ban/"), ("month", r"van-ban/thang/[^/]+/(\d+/)?"),
    ("type", r"van-ban/loai/[^/]+/(\d+/)?"),
    ("provinces", r"tinh/"), ("province", r"tinh/[^/]+/"), ("province-year", r"tinh/[^/]+/[^/]+/(\d+/)?"),
    ("measures", r"bien-phap/"), ("measure", r"bien-phap/[^/]+/"),
    ("measure-clauses", r"bien-phap/[^/]+/[^/]+/(\d+/)?"),
    ("issuers", r"co-quan/"), ("province-issuers", r"co-quan/[^/]+/(\d+/)?"),
    ("issuer", r"co-quan/[^/]+/[^/]+/(\d+/)?"),
    ("compare", r"so-sanh/"), ("national", r"so-sanh/trung-uong/(\d+/)?"),
    ("national-citing", r"so-sanh/trung-uong/[^/]+/(\d+/)?"), ("figures", r"so-sanh/so-lieu/(\d+/)?"),
]
DOC_LINK = re.compile(r'href="(?:\.\./)*van-ban/([a-z0-9-]+)/[#"]')
NOT_DOCS = {"thang", "loai"}


def family(url: str) -> str:
    return next(name for name, pattern in FAMILIES if re.fullmatch(pattern, url))


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[int, Path]:
    """Data packages of SIZES synthetic documents (scripts/synth.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import generate

    out = {}
    for n in SIZES:
        root = tmp_path_factory.mktemp(f"n{n}")
        generate(n, root / "datapackage" / "sources")
        shutil.copytree(ROOT / "schemas", root / "schemas")
        swap_in(build_package(root), root / "datapackage")
        out[n] = root
    return out


def render(root: Path, out: Path, rows: int, top: int, monkeypatch) -> dict[str, str]:
    """The archive's list pages and summaries, address -> HTML body (without the theme)."""
    monkeypatch.setattr(_lists, "ROWS_PER_PAGE", rows)
    monkeypatch.setattr(_lists, "TOP_K", top)
    doc_pages = out / "doc-pages"
    ctx = SiteContext(Archive(root / "datapackage"), out / "site-src", ROOT / "docs", out / "downloads", doc_pages)
    for folder in (ctx.out, ctx.bodies, ctx.list_pages, doc_pages):
        folder.mkdir(parents=True)
    Cache.prepare(page_store(doc_pages))
    for fam in page_families():
        if fam.__name__.rsplit(".", 1)[1] not in SKIPPED:
            fam.write(ctx)
    pages = {}
    for p in ctx.bodies.rglob("index.html"):
        url = p.parent.relative_to(ctx.bodies).as_posix()
        pages["" if url == "." else url + "/"] = p.read_text("utf-8")
    lists_done(ctx)
    for page in stored_lists(ctx.list_pages, page_store(doc_pages)):
        pages[page["url"]] = page["body"]
    return pages


def largest(pages: dict[str, str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = defaultdict(lambda: (0, ""))
    for url, body in pages.items():
        size = len(body.encode("utf-8"))
        out[family(url)] = max(out[family(url)], (size, url))
    return dict(out)


def growth_problems(small: dict[str, str], large: dict[str, str]) -> list[str]:
    """Families whose largest page grows with the archive, or passes the bound."""
    a, b = largest(small), largest(large)
    problems = [f"{fam}: no page at {'both sizes' if fam not in a and fam not in b else 'one size'}"
                for fam, _ in FAMILIES if fam not in a or fam not in b]
    for fam in sorted(set(a) & set(b)):
        (sa, ua), (sb, ub) = a[fam], b[fam]
        if sb > GROWTH * sa + SLACK:
            problems.append(f"{fam}: largest page grew {sb / sa:.2f}x ({ua} {sa} B -> {ub} {sb} B)")
        if sb + FRAME > PAGE_BOUND:
            problems.append(f"{fam}: {ub} is {sb} B, over the bound with the theme's frame")
    return problems


def link_problems(pages: dict[str, str], rows: int, top: int) -> list[str]:
    """Pages that link to more documents than a list page or a summary holds (charts aside:
    they draw provinces, measures, months or weeks, and their size is checked above)."""
    out = []
    for url, body in pages.items():
        text = re.sub(r"<svg\b.*?</svg>", "", body, flags=re.S)
        docs = set(DOC_LINK.findall(text)) - NOT_DOCS
        holds = round(rows * CLAUSE_ROWS_FACTOR) if family(url) == "measure-clauses" else rows
        if len(docs) > max(holds, top):
            out.append(f"{url}: links to {len(docs)} documents")
    return out


@pytest.fixture(scope="module")
def rendered(archives, tmp_path_factory):
    """{(documents, rows per page, top-K): pages}, rendered on demand, once each."""
    cache: dict[tuple[int, int, int], dict[str, str]] = {}

    def get(n: int, rows: int = ROWS, top: int = TOP) -> dict[str, str]:
        if (n, rows, top) not in cache:
            with pytest.MonkeyPatch.context() as mp:
                cache[(n, rows, top)] = render(archives[n], tmp_path_factory.mktemp("pages"), rows, top, mp)
        return cache[(n, rows, top)]

    return get


def test_every_family_has_pages_and_lists_are_cut_into_pages(rendered):
    pages = rendered(SIZES[1])
    assert {family(u) for u in pages} == {name for name, _ in FAMILIES}
    for fam in ("month", "type", "province-year", "measure-clauses", "issuer", "national-citing", "figures"):
        assert any(family(u) == fam and re.search(r"/\d+/$", u) for u in pages), f"{fam}: never paginated"
    month = next(u for u in pages if family(u) == "month" and u.endswith("/2/"))
    body = pages[month]
    assert body.count("<tr>") - 1 <= ROWS  # the rows, past the head row
    assert 'rel="prev"' in body and 'aria-current="page"' in body


def test_largest_page_of_each_family_does_not_grow_with_the_archive(rendered):
    assert growth_problems(rendered(SIZES[0]), rendered(SIZES[1])) == []


def test_no_page_links_to_more_documents_than_a_list_page_holds(rendered):
    for n in SIZES:
        assert link_problems(rendered(n), ROWS, TOP) == []


@pytest.mark.parametrize("rows,top,check", [
    (10**9, TOP, "growth"),  # pagination off: a month's, a province's year's ... lists grow
    (ROWS, 10**9, "links"),  # summaries not cut to their top-K: the latest documents, every figure
])
def test_the_checks_catch_lists_that_are_not_bounded(rendered, rows, top, check):
    small, large = rendered(SIZES[0], rows, top), rendered(SIZES[1], rows, top)
    if check == "growth":
        problems = growth_problems(small, large)
        assert any(p.startswith("month:") for p in problems), problems
        assert any(p.startswith("measure-clauses:") for p in problems), problems
    else:
        problems = link_problems(large, ROWS, TOP)
        assert any(family(p.split(":")[0]) == "province" for p in problems), problems
        assert any(p.startswith("so-sanh/:") for p in problems), problems
