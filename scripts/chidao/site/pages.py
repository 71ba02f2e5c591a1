"""Site: the published data package -> pages for the site (from templates).

Reads only ``datapackage/`` (and the hand-written ``docs/`` sources); every value is HTML-
escaped by the templates, so nothing in a source text can inject markup into a page.
This module holds what every page family shares (``SiteContext``); each family of pages
(documents, provinces, measures, comparisons, downloads, ...) is a module of
``chidao.site.families`` with a ``write(ctx)`` function, found there by ``write_pages``."""

from __future__ import annotations

import html
import importlib
import json
import multiprocessing
import os
import pkgutil
import re
import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..fingerprint import Cache, cache_at, code_fingerprint
from .sitedata import Archive, doc_url, md_path, rel

DOWNLOADS = "du-lieu/files/"  # where the package's files are served
# Originals larger than this are not copied into the site (a host limits a site's size): the
# document page links them at their source URL instead.
SITE_ORIGINAL_MAX = 5_000_000
# The tables a list row's values may look up besides the row itself (a province's name, a
# document type's): a list page's key holds their hashes (families/_lists.py). Not the stringency
# series, which no list row reads: it changes with nearly any document added or removed.
REFERENCE_TABLES = ("provinces", "doc_types", "measure_taxonomy", "codebook_indicators", "codebook_levels")
PAGES = {"home": "", "catalogue": "van-ban/", "provinces": "tinh/", "measures": "bien-phap/",
         "compare": "so-sanh/", "data": "du-lieu/", "method": "phuong-phap/", "search": "tim-kiem/"}
KINDS = [("party", "Đảng"), ("government", "Chính quyền"), ("other", "Khác")]
# The site's code and templates (and the text keys): a change to any of them renders every
# cached page again (document pages, list pages).
SITE_CODE = ("site/*.py", "site/families/*.py", "site/templates/*", "vntext.py")


def _env() -> Environment:
    env = Environment(loader=PackageLoader("chidao.site", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


SHELL_URL = "van-ban/chidao-shell/"  # the page MkDocs renders once as the frame of every document page
SHELL_TITLE = "CHIDAOSHELLTITLE"
SHELL_JSONLD = "CHIDAOSHELLJSONLD"
SHELL_DESCRIPTION = "CHIDAOSHELLDESCRIPTION"  # each document page's own description (its subject)
SHELL_BODY = "<h1 class=\"cd-shell\">CHIDAO-SHELL-CONTENT</h1>"  # an h1, so that the theme adds none
# List pages (a month's documents, page 3 of a province's year, ...) skip MkDocs too: each goes
# into the shell MkDocs renders once per section and depth, <section>/LIST_SHELL/(d/)*, so that
# the theme's relative links hold (see families/_lists.py and site.inject_lists).
LIST_SHELL = "chidao-shell-list"


# Rendered document and list pages, in one SQLite file (fingerprint.Cache) beside the pages'
# folders: a file per page cost this machine's disk about as much time as rendering the page
# (creating, linking, renaming and deleting thousands of small files, ~0.5-1 ms each).
PAGE_STORE = "cache/pages.sqlite"


def page_store(doc_pages: Path) -> Path:
    return doc_pages.parent / PAGE_STORE


def link_or_copy(src, dst) -> None:
    """``dst`` as a hard link to ``src``: no byte written (a build writes hundreds of MB, and the
    disk's write-back is what slows it). Safe because nothing in the package or the site is
    rewritten in place: every writer makes a new file (a staging folder, a temporary file
    renamed). A copy where the file system cannot link."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _clean_title(title: str) -> str:
    # Titles are labels built from symbols and names; strip characters that mean markup.
    return re.sub(r"[<>{}\[\]`*|#]", "", title).strip()


def _front_matter(title: str, hide: tuple[str, ...] = ("toc",), jsonld: dict | None = None,
                  feed: str | None = None, description: str | None = None) -> str:
    lines = ["---", f"title: {json.dumps(_clean_title(title), ensure_ascii=False)}"]
    if description:  # the page's <meta name="description"> and Open Graph / Twitter description
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    if hide:
        lines += ["hide:"] + [f"  - {h}" for h in hide]
    if jsonld:  # JSON is YAML; the theme writes it with |tojson, which escapes <, > and &
        lines.append(f"jsonld: {json.dumps(jsonld, ensure_ascii=False)}")
    if feed:
        lines.append(f"feed: {json.dumps(feed)}")
    return "\n".join(lines + ["---", "", ""])


def paragraphs(text: str, marks: list[str] | None = None, mark_class: str = "cd-evidence") -> Markup:
    """Text as escaped HTML paragraphs, the first occurrence of each phrase in ``marks``
    wrapped in <mark class=mark_class> (evidence of a measure, a word OCR was unsure of)."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        out.append("<p>" + _highlight(para, marks or [], mark_class).replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(out))


def _highlight(text: str, marks: list[str], mark_class: str = "cd-evidence") -> str:
    """HTML-escaped ``text`` with the first occurrence of each phrase in <mark>."""
    spans: list[tuple[int, int]] = []
    for phrase in sorted(set(m for m in marks if m), key=len, reverse=True):
        i = text.find(phrase)
        while i >= 0 and not all(i + len(phrase) <= s or i >= e for s, e in spans):
            i = text.find(phrase, i + 1)
        if i >= 0:
            spans.append((i, i + len(phrase)))
    out, pos = [], 0
    for s, e in sorted(spans):
        out += [html.escape(text[pos:s], quote=False), f'<mark class="{mark_class}">',
                html.escape(text[s:e], quote=False), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class SiteContext:
    """What every page family shares: the archive, the output folders, the templates, and
    the writers of a page shell and body."""


    def __init__(self, archive: Archive, out: Path, docs_src: Path, downloads: Path, doc_pages: Path):
        self.a, self.out, self.docs_src, self.downloads, self.doc_pages = archive, out, docs_src, downloads, doc_pages
        self.bodies = doc_pages.parent / "page-bodies"
        self.list_pages = doc_pages.parent / "list-pages"  # the list pages' manifest (families/_lists.py)
        self.env = _env()
        self.version = archive.descriptor["version"]
        self.lists_kept: set[str] = set()  # the list pages this build named, by key (families/_lists.py)
        self.lists_stored: set[str] | None = None  # the keys of the stored list pages (families/_lists.py)
        self.code = code_fingerprint(SITE_CODE)  # what rendered pages depend on besides their values
        # the reference tables a list row may look up besides its own values (a province's name)
        self.reference = sorted((r["name"], r.get("hash")) for r in archive.descriptor["resources"]
                                if r["name"] in REFERENCE_TABLES)
        self.zip_path: Path | None = None  # set by the downloads family when it stages the files
        self.sqlite_path: Path | None = None

    def store(self) -> Cache:
        """The page store (this process's connection): rendered pages kept between builds."""
        return cache_at(page_store(self.doc_pages))

    # -- helpers ---------------------------------------------------------------------
    def write(self, url: str, title: str, template: str, hide: tuple[str, ...] = ("toc",),
              jsonld: dict | None = None, feed: str | None = None, **ctx) -> None:
        """A page: MkDocs gets a shell (front matter and a marker); the body, HTML rendered from
        the template, is put into the built page afterwards (site.inject_bodies). MkDocs thus
        never parses large generated pages as Markdown."""
        path = self.out / md_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front_matter(title, hide, jsonld, feed) + SHELL_BODY + "\n", encoding="utf-8")
        body = self.env.get_template(template).render(**ctx)
        target = self.bodies / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")

    def document_page(self, title: str, jsonld: dict, **ctx) -> dict:
        """Document pages skip MkDocs: their body is HTML already, so it goes straight into the
        page shell MkDocs renders once (see SHELL_URL and site.inject_documents). One MkDocs
        page instead of thousands keeps the build linear and light."""
        body = self.env.get_template("document.html.j2").render(**ctx)
        return {"title": _clean_title(title), "jsonld": jsonld, "body": body,
                "description": ctx["d"].get("subject") or _clean_title(title)}  # its canonical/OG description

    def write_shell(self) -> None:
        path = self.out / md_path(SHELL_URL)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front_matter(SHELL_TITLE, ("toc",), {"@context": SHELL_JSONLD}, description=SHELL_DESCRIPTION)
                        + SHELL_BODY + "\n",
                        encoding="utf-8")

    def link_fn(self, here: str):
        return lambda d: rel(here, doc_url(d["id"]))

    def label(self, d: dict) -> str:
        return f"{d['doc_type'] or 'Văn bản'} {d['symbol'] or '(không số)'}"

    def citation(self, d: dict) -> str:
        parts = [d["issuer"] or "(không rõ cơ quan ban hành)",
                 f"{d['doc_type'] or 'Văn bản'} {d['symbol'] or '(không số)'}"
                 + (f", {d['place']}" if d["place"] else "") + (f", {d['date_issued']}" if d["date_issued"] else "")]
        if d["subject"]:
            parts.append(d["subject"])
        return (". ".join(parts) + f". Trong: chidao — Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh, "
                f"gói dữ liệu phiên bản {self.version}, mã văn bản {d['id']}. CC0-1.0.")


def write_pages(dp: Path, out: Path, docs_src: Path, downloads: Path, doc_pages: Path,
                sources: Path | None = None) -> Archive:
    """Markdown pages into ``out``; document pages (HTML bodies) into ``doc_pages``; the files
    to download into ``downloads`` (served at du-lieu/files/). ``sources``: the originals
    (default: dp/sources). Returns the archive it read."""
    ctx = SiteContext(Archive(dp, sources), out, docs_src, downloads, doc_pages)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(docs_src / "static", out / "assets")
    for folder in (doc_pages, ctx.bodies):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    ctx.list_pages.mkdir(parents=True, exist_ok=True)
    Cache.prepare(page_store(doc_pages))  # (before the families' processes share it)
    families = page_families()
    first = [f for f in families if f.__name__.rsplit(".", 1)[-1] in ALONE]
    rest = [f for f in families if f not in first]
    for family in first:  # the document pages, on every core (families/documents.py)
        family.write(ctx)
    if len(ctx.a.documents) < PARALLEL_FAMILIES_FROM or multiprocessing.get_start_method() != "fork":
        for family in rest:
            family.write(ctx)
    else:
        # the others on both cores: a forked process writes those of FORKED, this one the rest
        forked = [f for f in rest if f.__name__.rsplit(".", 1)[-1] in FORKED]
        def in_child() -> set[str]:
            for family in forked:
                family.write(ctx)
            return ctx.lists_kept

        ctx.lists_kept |= _in_both(in_child, lambda: [f.write(ctx) for f in rest if f not in forked])
    from .families._lists import lists_done

    lists_done(ctx)
    return ctx.a  # (read once: the feeds use it too)


# Page families that write on their own before the others (the document pages use every core).
ALONE = ("documents",)
# Families written by a forked process, next to this one writing the others: about half of the
# time (the measure pages, ~55 % of the families' time at 5,000 documents; with the province
# pages too, the child took twice the parent's time), and the table only they read (measures).
FORKED = ("measures",)
PARALLEL_FAMILIES_FROM = 200  # fewer documents: every family in this process


def _in_both(child, parent, both: bool = False):
    """``child()`` in a forked process while this one runs ``parent()``; the child's result
    returned (it must pickle), or its error raised here (after both are done); ``both``: the
    two results, the child's first."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, send))
    proc.start()
    send.close()
    try:
        ours = parent()
    finally:
        try:
            error, result = recv.recv()
        except EOFError:
            error, result = RuntimeError("a page family process died without a word"), None
        recv.close()
        proc.join()
    if error is not None:
        raise error
    return (result, ours) if both else result


def _child(run, send) -> None:
    try:
        result, error = run(), None
    except BaseException as err:  # noqa: BLE001 (every error goes back to the parent)
        result, error = None, err
    try:
        send.send((error, result))
    except Exception:  # noqa: BLE001 (an error that does not pickle)
        send.send((RuntimeError(f"{type(error).__name__}: {error}"), None))
    send.close()


def page_families() -> list:
    """Every module of chidao.site.families, by name: adding a family is adding a module."""
    from . import families

    names = sorted(m.name for m in pkgutil.iter_modules(families.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{families.__name__}.{name}") for name in names]
