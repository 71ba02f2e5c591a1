"""Stage 5: pages -> the static site: `mkdocs build --strict`, then the Pagefind index."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
from pathlib import Path

from .discover import write_feeds_and_sitemap
from .pages import DOWNLOADS, write_pages
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
    write_pages(dp, src, root / "docs", downloads)
    tmp = out.with_name(out.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                          "-f", str(root / "mkdocs.yml"), "-d", str(tmp)],
                         capture_output=True, text=True, cwd=root)
    if run.returncode != 0:
        raise SiteError("mkdocs build --strict failed:\n" + (run.stderr or run.stdout)[-4000:])
    shutil.copytree(downloads, tmp / DOWNLOADS)
    write_feeds_and_sitemap(Archive(dp), tmp)
    index = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(tmp), "--silent"],
                           capture_output=True, text=True)
    if index.returncode != 0:
        raise SiteError("pagefind failed:\n" + (index.stderr or index.stdout)[-4000:])
    old = out.with_name(out.name + ".old")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)
    return out


def serve(site: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"chidao serve: http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
