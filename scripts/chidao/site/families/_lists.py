"""Bounded list pages, shared by the page families: a list of any length is cut into pages of
at most ROWS_PER_PAGE rows at stable addresses (``base``, ``base``2/, ``base``3/, ...), and
every summary shows at most TOP_K rows, so that no page grows with the archive.

List pages skip MkDocs, as document pages do: their HTML body goes into a shell page that
MkDocs renders once per section and depth (pages.LIST_SHELL), and site.inject_lists writes
each one there. The shell has the page's own depth, so the theme's relative links (assets,
navigation) hold, and the body's links are computed from the page's real address."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from ...fingerprint import cache_at
from ..bundles import repository_url
from ..minify import minify
from ..pages import LIST_SHELL, SHELL_BODY, SHELL_DESCRIPTION, SHELL_TITLE, SiteContext, _clean_title, _front_matter
from ..sitedata import doc_url, issuer_url, md_path, page_url, province_key, rel

ROWS_PER_PAGE = 50  # rows of a list page; read at call time, so a test can set it small
TOP_K = 10  # rows of a summary that links down to the whole list
SUBJECT_CHARS = 160  # a list row's subject is cut here; the document page has it all
WINDOW = 2  # page links shown each side of the current page (plus the first and the last)


def shell_url(url: str) -> str:
    """The shell MkDocs renders for pages at ``url``'s section and depth (at least 2)."""
    parts = [p for p in url.split("/") if p]
    if len(parts) < 2:
        raise ValueError(f"a list page is below its section's index: {url!r}")
    return f"{parts[0]}/{LIST_SHELL}/" + "d/" * (len(parts) - 2)


def write_list(ctx: SiteContext, url: str, title: str, template: str, description: str | None = None,
               later: Callable[[], dict] | None = None, **values) -> None:
    """One list page: its body now, the page when the site is built (site.inject_lists).

    The page is stored (ctx.store) under the hash of everything it is rendered from (see
    list_key) and kept from the last build when that is unchanged: after one changed document,
    most list pages are neither rendered nor written again. lists_done then drops the pages no
    page of this build named (pages changed or gone). ``later()``: more values, made only when
    the page is rendered; the key holds what they are made of instead (a paginated list's rows:
    see paginate)."""
    shell = shell_url(url)
    md = ctx.out / md_path(shell)
    if not md.exists():
        md.parent.mkdir(parents=True, exist_ok=True)
        # wide tables: neither the page's table of contents nor the navigation in a sidebar
        md.write_text(_front_matter(SHELL_TITLE, ("toc", "navigation"), description=SHELL_DESCRIPTION) + SHELL_BODY + "\n",
                      encoding="utf-8")
    page = {"url": url, "shell": shell, "title": _clean_title(title), "description": description or title}
    key = list_key(ctx, page, template, values)
    name = key or "url:" + url  # (a page without a key is rendered every time, stored by its address)
    ctx.lists_kept.add(name)
    if key and key in _stored_keys(ctx):
        return
    page["body"] = minify(ctx.env.get_template(template).render(**values, **(later() if later else {})))
    ctx.store().put([(NAMESPACE, name, orjson.dumps(page))])  # whole or absent, whatever kills the build


def _stored_keys(ctx: SiteContext) -> set[str]:
    """The keys of the list pages the store held when this build began (read once)."""
    if ctx.lists_stored is None:
        ctx.lists_stored = ctx.store().keys(NAMESPACE)
    return ctx.lists_stored


NAMESPACE = "listpage"  # of the list pages in the page store (their keys hold the site's code: ctx.code)
MANIFEST = "lists.json"  # in ctx.list_pages: the keys of this build's list pages


def lists_done(ctx: SiteContext) -> None:
    """After every family: the list pages no page of this build named dropped from the store
    (pages changed or gone), and the manifest of this build's written for stored_lists."""
    ctx.store().keep_keys(NAMESPACE, ctx.lists_kept)
    for old in ctx.list_pages.iterdir():  # (a file per list page: how builds before the store kept them)
        old.unlink()
    (ctx.list_pages / MANIFEST).write_bytes(orjson.dumps(sorted(ctx.lists_kept)))


def stored_lists(list_pages: Path, store: Path):
    """Each list page of the last build: {"url", "shell", "title", "description", "body"}."""
    db = cache_at(store)
    for name in orjson.loads((list_pages / MANIFEST).read_bytes()):
        page = db.get(NAMESPACE, name)
        if page is None:
            raise RuntimeError(f"{store}: the list page {name} is missing")
        yield page


def list_key(ctx: SiteContext, page: dict, template: str, values: dict) -> str | None:
    """Hash of what a list page is rendered from: its address, title and description, its
    template's values, the site's code and templates (ctx.code), and the addresses the
    environment gives. None when a value is not plain data (a function, a set): such a page is
    rendered every time, never taken for another."""
    try:
        inputs = orjson.dumps([page, template, values, ctx.code, ctx.reference, repository_url(),
                               os.environ.get("GITHUB_SHA"), os.environ.get("CHIDAO_SITE_URL")], option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson's JSONEncodeError: a value that is not plain data
        return None
    return hashlib.sha256(inputs).hexdigest()[:32]


def pager(base: str, n: int, pages: int) -> dict:
    """Links of page ``n`` of ``pages`` to its neighbours, the first, the last and a window
    around it: a bounded number of links however long the list."""
    here = page_url(base, n)
    link = lambda k: rel(here, page_url(base, k))  # noqa: E731
    shown = sorted({1, pages, *range(max(1, n - WINDOW), min(pages, n + WINDOW) + 1)})
    items, last = [], 0
    for k in shown:
        if k > last + 1:
            items.append({"gap": True})
        items.append({"gap": False, "n": k, "link": link(k), "current": k == n})
        last = k
    return {"n": n, "pages": pages, "shown": items,
            "prev": link(n - 1) if n > 1 else None, "next": link(n + 1) if n < pages else None}


def paginate(ctx: SiteContext, base: str, rows: Sequence, title: str, template: str, *,
             description: str | None = None, trail: Sequence[tuple[str, str]] = (),
             links: dict[str, str] | None = None, row_values: Callable[[str, list], dict] | None = None,
             rows_per_page: int | None = None, **values) -> int:
    """``rows`` as list pages at ``base`` (page 1), ``base``2/, ...: at most rows_per_page each.
    Every page gets ``values``; its links are made relative to it: ``trail`` (label, address),
    outermost first, as "crumbs"; ``links`` {name: address}; ``row_values(here, chunk)`` the
    values of its rows; ``rows_per_page`` rows a page (ROWS_PER_PAGE when not given). Returns
    the number of pages; an empty list still gets its page."""
    size = max(1, rows_per_page or ROWS_PER_PAGE)
    pages = max(1, -(-len(rows) // size))
    for n in range(1, pages + 1):
        here = page_url(base, n)
        chunk = list(rows[(n - 1) * size:n * size])
        suffix = f" (trang {n}/{pages})" if pages > 1 else ""
        own = {"here": here, "rows": chunk, "pg": pager(base, n, pages), "total": len(rows),
               "first": (n - 1) * size + 1, "heading": title,
               "crumbs": [{"label": label, "link": rel(here, url)} for label, url in trail],
               "links": {k: rel(here, url) for k, url in (links or {}).items()}}
        # the rows' values (links, quotes, escaped HTML) are made only if the page is rendered:
        # its key holds the rows they are made of (own["rows"]) and the reference tables
        later = (lambda here=here, chunk=chunk: row_values(here, chunk)) if row_values else None
        write_list(ctx, here, title + suffix, template, description=(description or title) + suffix,
                   later=later, **values, **own)
    return pages


def doc_rows(ctx: SiteContext, here: str, docs: list[dict]) -> list[dict]:
    """Documents as list rows: the values a row shows and its links, relative to ``here``."""
    out = []
    for d in docs:
        p = ctx.a.province_by_code.get(d["province_code"] or "")
        pkey = province_key(p["code_2021"], p["name_2021"]) if p else province_key(None, None)
        subject = d["subject"] or ""
        out.append({"date": d["date_issued"], "province": d["province"],
                    "issuer": d["issuer"], "issuer_link": rel(here, issuer_url(pkey, d["issuer"])),
                    "doc_type": d["doc_type"], "symbol": d["symbol"],
                    "link": rel(here, doc_url(d["id"])), "urgency": d["urgency"],
                    "subject": subject if len(subject) <= SUBJECT_CHARS else subject[:SUBJECT_CHARS - 1].rstrip() + "…"})
    return out


def paginate_docs(ctx: SiteContext, base: str, docs: list[dict], title: str, **values) -> int:
    """Documents as list pages (template doclist.html.j2)."""
    return paginate(ctx, base, docs, title, "doclist.html.j2",
                    row_values=lambda here, chunk: {"docs": doc_rows(ctx, here, chunk)}, **values)

