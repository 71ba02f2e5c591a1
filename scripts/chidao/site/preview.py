"""A live preview for contributors: `chidao serve --watch`.

Serves site/ on localhost and polls what the site is made from. A change to a source text, a
curation file or a reading (datapackage/sources/, curation/, derived/) or to a table schema
rebuilds the package (validated; a failing build leaves the previous one and says why) and
then the site; a change to the site's own sources (docs/, the page templates, mkdocs.yml,
CHANGELOG.md) rebuilds the site; a change under docs/static/ only (CSS, scripts) is copied
into site/assets/ at once. Pages reload themselves after a rebuild (a small script the
preview server adds to every HTML page it serves; the files in site/ are untouched).
Unlike `mkdocs serve`, which would show the page shells' placeholders and does not watch
docs/, what is previewed is exactly what `chidao build` publishes. Like the rest of the site
stage it imports nothing of the parser: the command hands it the package build to run."""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

RELOAD_JS = """// chidao serve --watch: reload the page when the site has been rebuilt
(function () {
  var seen = null;
  function poll() {
    fetch("/__chidao/build", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (n) {
      if (seen !== null && n !== seen) { location.reload(); }
      seen = n;
    }).catch(function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""
RELOAD_TAG = b'<script src="/__chidao/reload.js"></script>'


def watched(root: Path) -> dict[str, list[Path]]:
    """What is watched, by what a change to it rebuilds."""
    templates = Path(__file__).resolve().parent / "templates"
    dp = root / "datapackage"
    return {"package": [dp / "sources", dp / "curation", dp / "derived", root / "schemas" / "tables"],
            "static": [root / "docs" / "static"],
            "site": [root / "docs", templates, root / "mkdocs.yml", root / "CHANGELOG.md"]}


def snapshot(paths: list[Path], skip: list[Path] = ()) -> dict[str, tuple[int, int]]:
    """Path -> (mtime in ns, size) of every file under ``paths`` (polling: no OS watcher needed)."""
    out = {}
    for base in paths:
        files = [base] if base.is_file() else base.rglob("*") if base.is_dir() else []
        for p in files:
            if p.is_file() and not any(p.is_relative_to(s) for s in skip):
                st = p.stat()
                out[str(p)] = (st.st_mtime_ns, st.st_size)
    return out


class Preview:
    """The build counter the pages poll, and the rebuild after a change."""

    def __init__(self, root: Path, build_package: Callable[[], int], build_site: Callable[[], int]):
        self.root, self.build_package, self.build_site = root, build_package, build_site
        self.builds = 0
        self.lock = threading.Lock()
        self.parts = watched(root)
        static = self.parts["static"]
        self.state = {k: snapshot(v, skip=static if k == "site" else []) for k, v in self.parts.items()}

    def changes(self) -> set[str]:
        static = self.parts["static"]
        now = {k: snapshot(v, skip=static if k == "site" else []) for k, v in self.parts.items()}
        changed = {k for k in now if now[k] != self.state[k]}
        self.state = now
        return changed

    def rebuild(self, changed: set[str]) -> None:
        started = time.monotonic()
        ok = True
        if "package" in changed:
            ok = self.build_package() == 0
        if ok and ("package" in changed or "site" in changed):
            ok = self.build_site() == 0
        elif ok and "static" in changed:
            assets = self.root / "site" / "assets"
            for src in (self.root / "docs" / "static").rglob("*"):
                if src.is_file():
                    target = assets / src.relative_to(self.root / "docs" / "static")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, target)
        if ok:
            with self.lock:
                self.builds += 1
        self.changes()  # what the build itself wrote (e.g. new readings in derived/) is not a change
        what = ", ".join(sorted(changed))
        print(f"chidao serve: {what} changed: " + (f"rebuilt in {time.monotonic() - started:.1f} s" if ok else
                                                   "build failed (the previous site is still served)"),
              flush=True)

    def handler(self, site: Path):
        preview = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.startswith("/__chidao/"):
                    body = (str(preview.builds) if self.path.startswith("/__chidao/build") else RELOAD_JS).encode()
                    kind = "text/plain" if self.path.startswith("/__chidao/build") else "text/javascript"
                    return self._send(body, kind)
                path = Path(self.translate_path(self.path))
                if path.is_dir() and self.path.endswith("/"):
                    path = path / "index.html"
                if path.suffix == ".html" and path.is_file():
                    html = path.read_bytes()
                    i = html.rfind(b"</body>")
                    html = html[:i] + RELOAD_TAG + html[i:] if i >= 0 else html + RELOAD_TAG
                    return self._send(html, "text/html; charset=utf-8")
                return super().do_GET()

            def _send(self, body: bytes, kind: str):
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        return functools.partial(Handler, directory=str(site))


def serve_watch(root: Path, port: int, interval: float, build_package: Callable[[], int],
                build_site: Callable[[], int]) -> int:
    site = root / "site"
    if not (root / "datapackage" / "datapackage.json").exists() and build_package() != 0:
        return 1
    if not (site / "index.html").exists() and build_site() != 0:
        return 1
    preview = Preview(root, build_package, build_site)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), preview.handler(site))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"chidao serve: http://127.0.0.1:{httpd.server_address[1]}/ (watching sources, curation, docs and "
          "templates; Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(interval)
            changed = preview.changes()
            if changed:
                time.sleep(min(interval, 0.5))  # let an editor finish writing
                changed |= preview.changes()
                preview.rebuild(changed)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()
    sys.stdout.flush()
    return 0
