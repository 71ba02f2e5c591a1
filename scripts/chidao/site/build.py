"""Site: pages -> the static site: `mkdocs build --strict`, then the Pagefind index."""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .discover import write_feeds_and_sitemap
from .pages import DOWNLOADS, SHELL_BODY, SHELL_JSONLD, SHELL_TITLE, SHELL_URL, write_pages
from .searchindex import build_search_index
from .sitedata import Archive


class SiteError(Exception):
    pass


def build_site(root: Path, dp: Path | None = None, out: Path | None = None) -> Path:
    """Generate pages from the package in ``dp`` and build the site into ``out`` (default
    root/site). The new site is built aside and swapped in only when every step passed."""
    dp = dp or root / "datapackage"
    out = out or root / "site"
    src = root / "build" / "site-src"
    downloads = root / "build" / "downloads"
    doc_pages = root / "build" / "doc-pages"
    write_pages(dp, src, root / "docs", downloads, doc_pages)
    tmp = out.with_name(out.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                          "-f", str(root / "mkdocs.yml"), "-d", str(tmp)],
                         capture_output=True, text=True, cwd=root,
                         env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})  # the theme's end-of-life notice
    if run.returncode != 0:
        raise SiteError("mkdocs build --strict failed:\n" + (run.stderr or run.stdout)[-4000:])
    inject_bodies(tmp, doc_pages.parent / "page-bodies")
    inject_documents(tmp, doc_pages)
    shutil.copytree(downloads, tmp / DOWNLOADS)
    write_feeds_and_sitemap(Archive(dp), tmp)
    try:
        build_search_index(tmp)
    except RuntimeError as err:
        raise SiteError(str(err)) from err
    old = out.with_name(out.name + ".old")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)
    return out


def _script_json(obj) -> str:
    """JSON safe inside <script> (as Jinja's tojson writes it)."""
    return (json.dumps(obj, ensure_ascii=False).replace("&", "\\u0026").replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("'", "\\u0027"))


def inject_bodies(site: Path, bodies: Path) -> None:
    """Put each generated page's HTML body into the page MkDocs built from its shell."""
    for body in sorted(bodies.rglob("index.html")):
        target = site / body.relative_to(bodies)
        page = target.read_text("utf-8")
        if SHELL_BODY not in page:
            raise SiteError(f"{target}: the page lost its content marker")
        target.write_text(page.replace(SHELL_BODY, body.read_text("utf-8"), 1), encoding="utf-8")


def inject_documents(site: Path, doc_pages: Path) -> None:
    """Write every document page into the shell MkDocs rendered (same depth, same section)."""
    shell_dir = site / SHELL_URL
    shell = (shell_dir / "index.html").read_text("utf-8")
    head, rest = shell.split(SHELL_BODY.replace("--", "--"), 1) if SHELL_BODY in shell else (None, None)
    if head is None:
        raise SiteError(f"{shell_dir}/index.html: the document shell lost its content marker")
    marker = json.dumps({"@context": SHELL_JSONLD})
    for path in sorted(doc_pages.glob("*.json")):
        page = json.loads(path.read_text("utf-8"))
        title = html.escape(page["title"], quote=True)
        html_text = (head + page["body"] + rest).replace(SHELL_TITLE, title)
        html_text = html_text.replace(_script_json({"@context": SHELL_JSONLD}), _script_json(page["jsonld"]))
        html_text = html_text.replace(marker, _script_json(page["jsonld"]))
        out = site / "van-ban" / path.stem
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(html_text, encoding="utf-8")
    shutil.rmtree(shell_dir)


def serve(site: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"chidao serve: http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
