"""Site: pages -> the static site: `mkdocs build --strict`, then the Pagefind index."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import http.server
import json
import multiprocessing
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson

from ..fingerprint import cache_at
from ..package.faults import fault_point
from .discover import LOCAL_URL, site_url, write_feeds_and_sitemap
from .families._lists import MANIFEST as LISTS_MANIFEST
from .families._lists import NAMESPACE as LISTS_NAMESPACE
from .families.documents import count_pages, load_page, page_keys
from .frame import trim_frame
from .minify import minify
from .pages import (
    DOWNLOADS,
    SHELL_BODY,
    SHELL_DESCRIPTION,
    SHELL_JSONLD,
    SHELL_TITLE,
    SHELL_URL,
    _in_both,
    link_or_copy,
    page_store,
    write_pages,
)
from .searchindex import PageLog, build_search_index, file_identity
from .sitedata import Archive


class SiteError(Exception):
    pass


BUILDERS = ("mkdocs", "zensical")


def build_site(root: Path, dp: Path | None = None, out: Path | None = None, builder: str | None = None,
               stage=None, sources: Path | None = None, swap: bool = True, pages_done=None) -> Path:
    """Generate pages from the package in ``dp`` and build the site into ``out`` (default
    root/site). The new site is built aside and swapped in only when every step passed.
    ``builder`` is "mkdocs" (mkdocs-material, the default) or "zensical" (its successor, which
    reads the same mkdocs.yml); CHIDAO_SITE_BUILDER sets it too. ``stage``: a context manager
    factory called with each stage's name ("pages", "site", "search"), for the benchmark.
    ``sources``: the originals (default: dp/sources; a staged package has none of its own).
    ``swap``: False leaves the new site aside (out's ".new" folder, which is returned) for the
    caller to put in place with swap_in_site, once it knows the package is valid.
    ``pages_done``: called when the pages are generated (the rest uses about one core, which
    `chidao build` then gives to validating the package)."""
    stage = stage or (lambda name: contextlib.nullcontext())
    builder = builder or os.environ.get("CHIDAO_SITE_BUILDER") or "mkdocs"
    if builder not in BUILDERS:
        raise SiteError(f"unknown site builder '{builder}' (expected one of {', '.join(BUILDERS)})")
    dp = dp or root / "datapackage"
    out = out or root / "site"
    _recover(out)
    src = root / "build" / "site-src"
    downloads = root / "build" / "downloads"
    doc_pages = root / "build" / "doc-pages"
    trash = Trash(root / "build" / "trash")
    try:
        with stage("pages"):
            # (build/cache/pages/: where document pages were cached before the page store)
            for folder in (src, doc_pages, doc_pages.parent / "page-bodies", root / "build" / "cache" / "pages"):
                trash.put(folder)  # the last build's, deleted while this one's are written
            archive = write_pages(dp, src, root / "docs", downloads, doc_pages, sources)
        if pages_done:
            pages_done()
        log = PageLog(root / "build" / "search-cache")  # what the site build writes, for the indexer
        with stage("site"):
            _build_pages(root, dp, src, downloads, doc_pages, out, builder, log, archive)
            del archive  # (hundreds of MB at 10,000 documents: not held while Pagefind runs)
        with stage("search"):
            _index(out, root / "build" / "search-cache", log)
    finally:
        trash.close()
    if not swap:
        return out.with_name(out.name + ".new")
    _swap(out, trash)
    return out


def swap_in_site(out: Path, trash: Path) -> None:
    """The site built aside by build_site(swap=False) in place of the previous one, which is
    moved into the folder ``trash`` for the next build to delete."""
    _swap(out, _Aside(trash))


class _Aside:
    """Trash.put without a deleting thread: the folder only renamed into ``where``."""

    def __init__(self, where: Path):
        self.where = where

    def put(self, folder: Path, now: bool = False) -> None:
        self.where.mkdir(parents=True, exist_ok=True)
        try:
            folder.rename(self.where / f"{folder.name}-{time.time_ns()}")
        except OSError:  # another file system: deleted here and now
            shutil.rmtree(folder)


def discard_site(out: Path) -> None:
    """The site built aside by build_site(swap=False), dropped (its package did not validate)."""
    shutil.rmtree(out.with_name(out.name + ".new"), ignore_errors=True)


class Trash:
    """Folders to delete, deleted by another process while the build goes on: what is put here
    is renamed aside at once and gone by close(). The previous site, set aside by the swap,
    waits here for the next build: so a build does not wait on deleting 20,000 pages either.
    A process (``rm -rf``, in the idle I/O class and at the lowest priority), not a thread: a
    thread's rmtree holds this process's interpreter lock between its thousands of system
    calls."""

    def __init__(self, where: Path):
        self.where = where
        where.mkdir(parents=True, exist_ok=True)
        self._deleting: list = []
        for old in where.iterdir():
            self._delete(old)

    def _delete(self, folder: Path) -> None:
        rm = shutil.which("rm")
        if rm is None:  # (no rm: deleted here and now)
            shutil.rmtree(folder, ignore_errors=True)
            return
        # idle I/O class and lowest priority: deleting thousands of files competes with the
        # build's own writing of thousands (about 2 s of 12 at 5,000 documents at normal priority)
        slow = [shutil.which("ionice"), "-c", "3"] if shutil.which("ionice") else []
        slow += [shutil.which("nice"), "-n", "19"] if shutil.which("nice") else []
        self._deleting.append(subprocess.Popen([*slow, rm, "-rf", "--", str(folder)],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def put(self, folder: Path, now: bool = True) -> None:
        """``folder`` out of the way; deleted before close() (``now``) or by the next build."""
        if not folder.exists():
            return
        aside = self.where / f"{folder.name}-{time.time_ns()}"
        try:
            folder.rename(aside)
        except OSError:  # another file system: deleted here and now
            shutil.rmtree(folder)
            return
        if now:
            self._delete(aside)

    def close(self) -> None:
        for proc in self._deleting:
            proc.wait()
        self._deleting = []


def _build_pages(root: Path, dp: Path, src: Path, downloads: Path, doc_pages: Path, out: Path, builder: str,
                 log: PageLog | None = None, archive: Archive | None = None) -> None:
    """The theme's build of the page shells, then our own steps, into out's ".new" folder."""
    tmp = out.with_name(out.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",  # the theme's end-of-life notice
           "CHIDAO_SITE_URL": site_url() or LOCAL_URL}  # mkdocs.yml: site_url: !ENV CHIDAO_SITE_URL
    if builder == "zensical":
        _zensical_build(root, tmp, env)
    else:
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                              "-f", str(root / "mkdocs.yml"), "-d", str(tmp)],
                             capture_output=True, text=True, cwd=root, env=env)
        if run.returncode != 0:
            raise SiteError("mkdocs build --strict failed:\n" + (run.stderr or run.stdout)[-4000:])
    inject_bodies(tmp, doc_pages.parent / "page-bodies", previous=out, log=log)
    inject_documents(tmp, doc_pages, previous=out, log=log)
    inject_lists(tmp, doc_pages.parent / "list-pages", previous=out, log=log)
    shutil.copytree(downloads, tmp / DOWNLOADS, copy_function=link_or_copy)
    write_feeds_and_sitemap(archive or Archive(dp), tmp)
    write_robots(tmp)


def _index(out: Path, cache: Path, log: PageLog | None = None) -> None:
    try:
        build_search_index(out.with_name(out.name + ".new"), cache, log=log)  # unchanged shards come from the cache
    except RuntimeError as err:
        raise SiteError(str(err)) from err


def _swap(out: Path, trash: Trash | None = None) -> None:
    """The new site in place of the previous one (see _recover for a build killed here); the
    previous one into ``trash``, for the next build to delete."""
    tmp = out.with_name(out.name + ".new")
    old = out.with_name(out.name + ".old")
    if out.exists():
        out.rename(old)
    fault_point("site:swap")
    tmp.rename(out)
    if old.exists():
        if trash:
            trash.put(old, now=False)
        else:
            shutil.rmtree(old)


def _recover(out: Path) -> None:
    """A build killed between moving the previous site aside and putting the new one in
    place: the previous site goes back; leftovers of a killed build are dropped."""
    old, tmp = out.with_name(out.name + ".old"), out.with_name(out.name + ".new")
    if old.exists() and not out.exists():
        old.rename(out)
    for leftover in (old, tmp):
        if leftover.exists():
            shutil.rmtree(leftover)


def _script_json(obj) -> str:
    """JSON safe inside <script> (as Jinja's tojson writes it)."""
    return (json.dumps(obj, ensure_ascii=False).replace("&", "\\u0026").replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("'", "\\u0027"))


def write_page(site: Path, rel: str, text: str, previous: Path | None, log: PageLog | None = None) -> None:
    """The page at ``rel`` of ``site``: a hard link to the same page of the ``previous`` site
    when that holds these bytes already (a rebuild after one change leaves nearly every page as
    it was, and a link costs this disk a tenth of a new file), else written. No page of a site
    is rewritten in place once written, so the two sites may share it. ``log`` notes it for
    the indexer."""
    target = site / rel
    data = text.encode("utf-8")
    key = log.add(rel, data, text) if log is not None else None
    old = previous / rel if previous is not None else None
    try:
        st = old.stat() if old is not None else None
        # the same bytes? known without reading when the last index saw that very file
        known = log.known.get(file_identity(st)) if st is not None and log is not None else None
        if st is not None and st.st_size == len(data) and (known == key if known else old.read_bytes() == data):
            target.unlink(missing_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(old, target)
            if log is not None:
                log.written(rel, st)
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # (a file MkDocs wrote: not the previous site's, but never rewrite a link)
    target.write_bytes(data)
    if log is not None:
        log.written(rel, target.stat())


def inject_bodies(site: Path, bodies: Path, previous: Path | None = None, log: PageLog | None = None) -> None:
    """Put each generated page's HTML body into the page MkDocs built from its shell."""
    for body in sorted(bodies.rglob("index.html")):
        rel = body.relative_to(bodies).as_posix()
        page = (site / rel).read_text("utf-8")
        if SHELL_BODY not in page:
            raise SiteError(f"{site / rel}: the page lost its content marker")
        page = trim_frame(_current_tab(page, body.parent.relative_to(bodies).as_posix() + "/"))
        write_page(site, rel, minify(page.replace(SHELL_BODY, body.read_text("utf-8"), 1)), previous, log)


def inject_documents(site: Path, doc_pages: Path, previous: Path | None = None, log: PageLog | None = None) -> None:
    """Write every document page into the shell MkDocs rendered (same depth, same section)."""
    shell_dir = site / SHELL_URL
    shell = trim_frame(minify((shell_dir / "index.html").read_text("utf-8")))  # once: every document page is this frame
    head, rest = shell.split(SHELL_BODY.replace("--", "--"), 1) if SHELL_BODY in shell else (None, None)
    if head is None:
        raise SiteError(f"{shell_dir}/index.html: the document shell lost its content marker")
    # the JSON-LD placeholder as the theme wrote it, whatever its JSON spacing
    # ({"@context": "…"} from mkdocs-material's tojson, {"@context":"…"} from Zensical's)
    marker = re.compile(r'\{\s*"@context"\s*:\s*"' + SHELL_JSONLD + r'"\s*\}')
    if not marker.search(head):
        raise SiteError(f"{shell_dir}/index.html: the document shell lost its JSON-LD placeholder")
    frame = hashlib.sha256(f"{head}\0{rest}".encode()).hexdigest()
    last = _injected(doc_pages, frame=frame)

    def inject(part: int, parts: int, log: PageLog | None) -> tuple[PageLog | None, dict]:
        noted = {}  # document id -> [its key in the page store, the hash of its page]
        for doc_id, key in page_keys(doc_pages, part, parts):
            rel = f"van-ban/{doc_id}/index.html"
            if log is not None and previous is not None and _relink(site, rel, previous, last.get(doc_id), key, log):
                noted[doc_id] = last[doc_id]
                continue
            page = load_page(doc_pages, doc_id, key)
            title = html.escape(page["title"], quote=True)
            description = html.escape(page.get("description") or page["title"], quote=True)
            # the head names this page, not the shell: title, description, canonical and og:url
            page_head = head.replace(SHELL_TITLE, title).replace(SHELL_DESCRIPTION, description)
            page_head = page_head.replace(SHELL_URL, f"van-ban/{doc_id}/")
            m = marker.search(page_head)
            page_head = page_head[:m.start()] + _script_json(page["jsonld"]) + page_head[m.end():]
            write_page(site, rel, page_head + page["body"] + rest.replace(SHELL_TITLE, title), previous, log)
            if log is not None:
                noted[doc_id] = [key, log.hashes[rel]]
        return log, noted

    if count_pages(doc_pages) < PARALLEL_INJECT_FROM or multiprocessing.get_start_method() != "fork":
        _, noted = inject(0, 1, log)
    else:  # half the pages in a forked process: writing and stripping them is about a core's work
        def child() -> tuple:
            theirs, noted = inject(0, 2, log.fresh() if log is not None else None)
            return (theirs.hashes, theirs.idents, theirs.stripped) if theirs is not None else None, noted

        (theirs, noted), (_, ours) = _in_both(child, lambda: inject(1, 2, log), both=True)
        noted |= ours
        if log is not None:
            log.take(*theirs)
    if log is not None:
        _injected_path(doc_pages).write_bytes(orjson.dumps({"frame": frame, "pages": noted}))
    shutil.rmtree(shell_dir)


def _injected_path(pages: Path, kind: str = "documents") -> Path:
    """Where a build notes what it injected (``pages``: the doc-pages or list-pages folder)."""
    return pages.parent / "cache" / f"injected-{kind}.json"


def _injected(pages: Path, kind: str = "documents", frame: str | None = None) -> dict:
    """What the last build wrote at each page's address (documents: [its key in the page store,
    the hash of its page], when it used the same ``frame``, the same bytes around every body)."""
    try:
        last = orjson.loads(_injected_path(pages, kind).read_bytes())
        return last["pages"] if frame is None or last.get("frame") == frame else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _relink(site: Path, rel: str, previous: Path, last: list | None, key: str, log: PageLog) -> bool:
    """The page at ``rel`` linked from the previous site without being made again: its key in
    the page store and the frame are the last build's, so its bytes are; the previous site's
    file is the very one the index saw with that hash (device, inode, size, mtime); and the
    index knows its stripped form."""
    if not last or last[0] != key or last[1] not in log.seen:
        return False
    old = previous / rel
    try:
        st = old.stat()
        if log.known.get(file_identity(st)) != last[1]:
            return False
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        os.link(old, target)
    except OSError:
        return False
    log.hashes[rel] = last[1]
    log.written(rel, st)
    return True


PARALLEL_INJECT_FROM = 500  # fewer document pages are written by this process alone


def inject_lists(site: Path, lists: Path, previous: Path | None = None, log: PageLog | None = None) -> None:
    """Write every list page (families/_lists.py) into the shell MkDocs rendered for its
    section and depth: the page's links are relative to its own address, the shell's to an
    address of the same depth, so both hold. The section's tab is marked as the current one."""
    frames: dict[str, tuple[str, str, str]] = {}  # shell -> its head, its tail, their hash

    def frame(shell: str) -> tuple[str, str, str]:
        if shell not in frames:
            head, rest = _list_frame(site, shell)
            frames[shell] = (head, rest, hashlib.sha256(f"{head}\0{rest}".encode()).hexdigest())
        return frames[shell]

    names = orjson.loads((lists / LISTS_MANIFEST).read_bytes()) if (lists / LISTS_MANIFEST).exists() else []
    last = _injected(lists, "lists")  # name -> [address, shell, frame hash, page hash], as the last build wrote it
    noted, store = {}, cache_at(page_store(lists))
    for name in names:
        was = last.get(name) if not name.startswith("url:") else None  # (a page without a key: always made)
        if (was and log is not None and previous is not None and frame(was[1])[2] == was[2]
                and _relink(site, f"{was[0]}index.html", previous, [name, was[3]], name, log)):
            noted[name] = was
            continue
        page = store.get(LISTS_NAMESPACE, name)
        if page is None:
            raise SiteError(f"{page_store(lists)}: the list page {name} is missing")
        shell, url = page["shell"], page["url"]
        head, rest, digest = frame(shell)
        title = html.escape(page["title"], quote=True)
        description = html.escape(page["description"], quote=True)
        # the head names this page: title, description, canonical and og:url
        head = head.replace(SHELL_TITLE, title).replace(SHELL_DESCRIPTION, description).replace(shell, url)
        tail = rest.replace(SHELL_TITLE, title).replace(shell, url)
        write_page(site, f"{url}index.html", head + page["body"] + tail, previous, log)  # minified when written
        if log is not None:
            noted[name] = [url, shell, digest, log.hashes[f"{url}index.html"]]
    if log is not None:
        _injected_path(lists, "lists").write_bytes(orjson.dumps({"pages": noted}))
    for top in sorted({"/".join(shell.split("/")[:2]) for shell in frames}):  # <section>/<pages.LIST_SHELL>
        shutil.rmtree(site / top)


def _list_frame(site: Path, shell: str) -> tuple[str, str]:
    """The shell page around its content marker, its section's tab marked as current."""
    text = trim_frame(minify((site / shell / "index.html").read_text("utf-8")))
    if SHELL_BODY not in text:
        raise SiteError(f"{shell}index.html: the list page shell lost its content marker")
    head, rest = text.split(SHELL_BODY, 1)
    return _current_tab(head, shell), rest


def _current_tab(page: str, url: str) -> str:
    """The tab of the section ``url`` is in, marked as current: the theme marks a tab only on
    the pages of its navigation, not on the pages below them (a province, a month)."""
    section = url.split("/")[0]
    if url.count("/") < 2:
        return page  # the home page, a section's index (in the navigation) or a page of none
    # the section's address relative to the page's, as the theme writes it ("../../")
    tab = re.escape(posixpath.relpath(section, url.rstrip("/")) + "/")
    tab_item = re.compile(r'(<li class="md-tabs__item)("\s*>\s*<a href="' + tab + '")')
    return tab_item.sub(r"\1 md-tabs__item--active\2", page, count=1)


def _zensical_build(root: Path, out: Path, env: dict) -> None:
    """Build with Zensical from the same mkdocs.yml. Zensical keeps docs_dir and site_dir inside
    the project (the config file's folder) and has no -d option, so it reads a copy of the
    config in build/ whose paths point where mkdocs.yml's do, and builds into build/."""
    root = root.resolve()
    config = (root / "mkdocs.yml").read_text("utf-8")
    build = root / "build"
    site_dir = build / "zensical-site"
    for key, value in (("docs_dir", None), ("site_dir", site_dir.name), ("custom_dir", None)):
        m = re.search(rf"^(\s*){key}:\s*(\S+)", config, re.M)
        if not m:
            continue
        path = value or os.path.relpath(root / m.group(2), build)
        config = config[:m.start()] + f"{m.group(1)}{key}: {path}" + config[m.end():]
    cfg = build / "zensical.yml"
    cfg.write_text(config, encoding="utf-8")
    if site_dir.exists():
        shutil.rmtree(site_dir)
    exe = Path(sys.executable).with_name("zensical")
    run = subprocess.run([str(exe) if exe.exists() else "zensical", "build", "--strict", "-f", str(cfg)],
                         capture_output=True, text=True, cwd=build, env=env)
    if run.returncode != 0 or not (site_dir / "index.html").exists():
        raise SiteError("zensical build --strict failed:\n" + (run.stderr or run.stdout)[-4000:])
    search = site_dir / "search.json"  # written even with its search disabled, with no items
    if search.exists() and not json.loads(search.read_text("utf-8")).get("items"):
        search.unlink()
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(site_dir, out)


def write_robots(site: Path) -> None:
    """robots.txt: everything may be crawled; where the sitemap is. (Crawlers read it only at a
    host's root: under a project path, e.g. OWNER.github.io/REPO/, the sitemap still serves.)"""
    base = site_url() or LOCAL_URL
    (site / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n", encoding="utf-8")


def serve(site: Path, port: int) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"chidao serve: http://127.0.0.1:{port}/ (Ctrl-C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
