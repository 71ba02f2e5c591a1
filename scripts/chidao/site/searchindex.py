"""Site: the built site -> its Pagefind search index: in shards, cached, without the folded
words in any excerpt, and with the word index re-split by size.

Shards, for bounded memory. Pagefind holds a whole site's index in memory while it builds it
(3.3 GB at 10,000 documents), and reads every byte of every page. It runs here on *stripped
inputs* instead: a temporary folder that mirrors the site's page paths, each page cut down to
what Pagefind reads from it (its <html lang>, <title> and first <h1>, its data-pagefind-body
parts without their data-pagefind-ignore parts, and its filter, meta and sort elements), split
into shards: document pages into DOC_SHARDS shards by a stable hash of their path, every other
page into one more. Each shard is a Pagefind bundle of its own, built one after the other, so
the peak memory is one shard's. The first bundle is served at pagefind/ with Pagefind's
scripts, the others at pagefind/<name>/ with their index only; pagefind/shards.json names
them and the search page merges them (Pagefind's mergeIndex): results, filters and their
counts come from all of them.

Incremental. Each bundle is cached under a key made of its shard's stripped inputs (their
paths and contents), the Pagefind version and this indexer's version (its source and the
folding it uses): a rebuild runs Pagefind again only for the shards whose inputs changed (one
changed document: its own shard), and a cached bundle never answers for other inputs, another
Pagefind or another indexer. The cache also remembers each page's hash with the hash of its
stripped form, so that a rebuild strips again only the pages that changed. The site build
notes each page as it writes it (PageLog): its hash, and its stripped form when the cache has
not seen it, so that the indexer reads none of those pages back.

Shards side by side: two Pagefind processes index two shards (one uses about 1.4 cores), a
thread re-splits the word index of each shard they finish, and the caller strips the next one.

"d" finds "đ". Pagefind ignores diacritics when it matches, but "đ" is a letter of its own,
so "dieu dong" would miss "điều động". Each stripped page gets one more indexed part, after
all the others: its đ-words folded ("dieu dong do"), opened by an empty element of id FOLD_ID.
The published pages never carry it; the search page (docs/static/search.js) builds a result's
excerpts from the page's own words, so that the folded run never shows.

Re-split word chunks. Pagefind splits its word index into chunks, so that a query downloads
only the chunks that hold its words. Pagefind 1.5 sizes a chunk by counting the positions of
each word's undiacritized form only; the positions of its diacritic variants ("phòng",
"phóng" under "phong") are not counted. In Vietnamese nearly every word carries a diacritic,
so chunks are hardly ever closed and grow with the archive: at 5,000 directives the chunk
holding "phong" was 472 KB gzipped. `rechunk` re-splits each bundle's word index by its real
size and rewrites the index metadata to match. No word and no position changes.

The files are Pagefind's own format (gzip of b"pagefind_dcd" + CBOR). Words are cut out of
the chunks as they are, not re-encoded, and `rechunk` checks that the cuts put together give
back every file byte for byte. If a future Pagefind changes the format, the index is left
exactly as Pagefind wrote it, with a warning.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import cbor2

from ..fingerprint import file_identity
from ..vntext import LOWER, UPPER, fold
from .sitedata import doc_url

SIGNATURE = b"pagefind_dcd"
# Uncompressed bytes of word index per chunk, shared out among the shards: a query reads a
# chunk per word from every shard, so each shard's chunks are CHUNK_BYTES / shards, and a word
# costs about what it cost in one index. Smaller chunks mean fewer bytes per query and more
# files; 96 KB is about 40 KB gzipped. A word larger than its chunk stays whole.
CHUNK_BYTES = 96 * 1024
MIN_CHUNK_BYTES = 4 * 1024
META_CHUNKS = 2  # position of the chunk list in the metadata record
ARRAY_SIZES = {0x98: 1, 0x99: 2, 0x9A: 4, 0x9B: 8}  # CBOR array headers with a length after

# Document pages go to this many shards. Pagefind needs about 0.36 MB per document page of a
# shard (about 160 MB per shard at 10,000 documents, two at once); a rebuild after one change
# indexes one shard again (1/24 of the documents); each query reads a few files of every shard
# (their metadata, filters and one chunk per word), so more shards mean more requests: at 5,000
# documents 24 shards cost a query 7 % more bytes than 12, and halve the rebuild's indexing.
DOC_SHARDS = 24
# Pagefind processes at once. One uses about 1.4 of the 2 cores; two use both (about a third
# less time for the stage than one); a third still gains a little (~6 % at 5,000 documents),
# while its memory is small. As many as fit in PAGEFIND_MEMORY_MB at about PAGEFIND_MB_PER_PAGE
# for each page of the largest shard, two at least, three at most (CHIDAO_PAGEFIND_AT_ONCE
# sets it): three at 5,000 documents (~210 pages a shard), two at 10,000 (~420).
PAGEFIND_AT_ONCE = int(os.environ.get("CHIDAO_PAGEFIND_AT_ONCE") or 0)
PAGEFIND_MEMORY_MB = 300
PAGEFIND_MB_PER_PAGE = 0.36


def pagefind_at_once(largest_shard: int) -> int:
    if PAGEFIND_AT_ONCE:
        return PAGEFIND_AT_ONCE
    return max(2, min(3, int(PAGEFIND_MEMORY_MB // max(1.0, PAGEFIND_MB_PER_PAGE * largest_shard))))


PAGES_SHARD = "pages"  # the shard of every page that is not a document
DOC_PREFIX = doc_url("").rstrip("/") + "/"  # document pages are DOC_PREFIX<id>/index.html
MANIFEST = "shards.json"  # in the served pagefind/: the other bundles, for mergeIndex
FOLD_ID = "cd-fold"  # opens the folded words of a stripped page (docs/static/search.js reads it)
CACHE_KEEP = 4  # cached bundles kept per shard: this build's and a few earlier ones
SEEN = "pages.json"  # in the cache: page hash -> hash of its stripped form, as the last build saw
STAGE_PREFIX = ".chidao-stage-"
# What a merged bundle needs: the first bundle's scripts and WebAssembly serve them all.
MERGED_KEEP = re.compile(r"pagefind-entry\.json$|[^/]+\.pf_meta$|(index|fragment|filter)/")


class IndexFormatError(Exception):
    """The Pagefind index is not in the format this module knows."""


@dataclass
class ShardRun:
    """One shard of a build: how many pages, whether its bundle came from the cache, and for a
    bundle Pagefind built, its seconds and peak memory (MB)."""
    name: str
    pages: int
    key: str
    reused: bool = False
    seconds: float = 0.0
    peak_mb: float = 0.0
    served_at: str = ""  # its folder under pagefind/ ("" for the first bundle)


# --- the indexer's version ---------------------------------------------------------------

@functools.cache
def pagefind_command() -> tuple[str, ...]:
    """How to run Pagefind: its binary, as ``python -m pagefind`` finds it (that command execs
    it), so that each run does not start a Python first; else that command."""
    try:
        from pagefind.service import get_executable

        binary = get_executable()
    except Exception:  # noqa: BLE001 (no binary found the way pagefind finds it: let pagefind say why)
        binary = None
    if binary is not None and os.access(binary, os.X_OK):
        return (str(Path(binary).resolve()),)
    return (sys.executable, "-m", "pagefind")


@functools.cache
def pagefind_version() -> str:
    run = subprocess.run([*pagefind_command(), "--version"], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("pagefind --version failed:\n" + (run.stderr or run.stdout)[-2000:])
    return run.stdout.strip()


def _indexer_version() -> str:
    """This module's source and what its folding does (vntext.fold on every letter)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(fold(UPPER + LOWER).encode("utf-8"))
    return h.hexdigest()[:16]


INDEXER_VERSION = _indexer_version()


# --- stripped inputs -----------------------------------------------------------------------

# A start tag: its name, its attributes (quoted values may hold ">").
_START = re.compile(r"<([a-zA-Z][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_PF_ATTR = re.compile(r"\bdata-pagefind-([\w-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_RAW = re.compile(r"<!--.*?-->|<(script|style|textarea)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_D_WORD = re.compile(r"\w*[đĐ]\w*")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_CAPTURED = ("filter", "meta", "sort", "default-meta")  # read by Pagefind wherever they are


@dataclass
class _El:
    name: str
    start: int
    open_end: int  # end of its start tag
    end: int  # end of its end tag
    attrs: dict[str, str]  # its data-pagefind-* attributes, without the prefix

    def within(self, others: list[_El]) -> bool:
        return any(o is not self and o.start <= self.start and self.end <= o.end for o in others)


@functools.cache
def _tag(name: str) -> re.Pattern:
    return re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)


def _element(page: str, m: re.Match) -> _El:
    """The element whose start tag is ``m``, to its matching end tag: only the tags of its
    own name are read, which is what keeps stripping fast (our pages are well formed)."""
    name, raw = m.group(1).lower(), m.group(2)
    attrs = {a.group(1): next((g for g in a.groups()[1:] if g is not None), "") for a in _PF_ATTR.finditer(raw)}
    if name in _VOID or raw.endswith("/"):
        return _El(name, m.start(), m.end(), m.end(), attrs)
    depth = 1
    for t in _tag(name).finditer(page, m.end()):
        if t.group(1):
            depth -= 1
            if depth == 0:
                return _El(name, m.start(), m.end(), t.end(), attrs)
        elif not t.group(0).endswith("/>"):
            depth += 1
    return _El(name, m.start(), m.end(), len(page), attrs)


def _elements(page: str) -> tuple[list[_El], _El | None]:
    """The elements of ``page`` with data-pagefind-* attributes, and its first h1."""
    found: dict[int, _El] = {}
    at = page.find("data-pagefind-")
    while at >= 0:
        start = page.rfind("<", 0, at)
        m = _START.match(page, start) if start >= 0 and start not in found else None
        if m and m.end() > at:  # the attribute is in this tag, not in text
            found[start] = _element(page, m)
        at = page.find("data-pagefind-", max(at + 1, m.end() if m else 0))
    h1 = re.search(r"<h1(?=[\s>])", page, re.I)
    h1 = _START.match(page, h1.start()) if h1 else None
    return sorted(found.values(), key=lambda e: e.start), _element(page, h1) if h1 else None


def _outermost(els: list[_El]) -> list[_El]:
    return [e for e in els if not e.within(els)]


def _cut(page: str, el: _El, holes: list[_El]) -> str:
    """``el``'s HTML with each hole inside it emptied (its tags kept, so word breaks stay)."""
    out, pos = [], el.start
    for h in holes:
        if el.start < h.start and h.end <= el.end and h.open_end < h.end:
            out += [page[pos:h.open_end], f"</{h.name}>"]
            pos = h.end
    out.append(page[pos:el.end])
    return "".join(out)


_MARK = re.compile(r"</?mark\b[^>]*>", re.I)


def _unmark(part: str) -> str:
    """``part`` without its <mark> tags (their text kept), unless one has an id (an anchor for
    Pagefind). A mark is inline: Pagefind's index and excerpts are byte for byte the same
    without them (checked on 410 document pages), and it reads the page ~12 % faster."""
    if "<mark" not in part or re.search(r"<mark\b[^>]*\sid\s*=", part, re.I):
        return part
    return _MARK.sub("", part)


def fold_words(body_html: str) -> list[str]:
    """The words with "đ" of ``body_html``'s text, folded ("Điều" -> "dieu"), sorted, once each."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", _RAW.sub(" ", body_html)))
    tokens = {t for t in text.split() if "đ" in t or "Đ" in t}  # a plain split first: it is fast
    return sorted({fold(w) for t in tokens for w in _D_WORD.findall(t)})


def strip_page(page: str, folded: bool = True) -> str | None:
    """What Pagefind reads from ``page``, as a page of its own, with (``folded``) the folded
    words of its indexed text; None if it has no data-pagefind-body (Pagefind then leaves it
    out)."""
    if "data-pagefind-body" not in page:
        return None
    found, h1 = _elements(page)
    every = [e for e in found if e.attrs.get("ignore") == "all"]  # nothing inside is read
    live = [e for e in found if not e.within(every)]
    bodies = _outermost([e for e in live if "body" in e.attrs])
    if not bodies:
        return None
    holes = _outermost([e for e in live if "ignore" in e.attrs and e.within(bodies)])
    kept = [_cut(page, b, holes) for b in bodies]
    # filters and metadata outside what is indexed, put outside it as well
    outside = [e for e in live if any(k in e.attrs for k in _CAPTURED) and "body" not in e.attrs
               and (not e.within(bodies) or e.within(holes))]
    parts = [page[e.start:e.end] if not any(b.within([e]) for b in bodies)
             else page[e.start:e.open_end] + f"</{e.name}>" for e in _outermost(outside)]
    if h1 is not None and not h1.within(every) and (not h1.within(bodies) or h1.within(holes)):
        parts.insert(0, page[h1.start:h1.end])  # Pagefind's default title, wherever it is
    kept = [_unmark(k) for k in kept]
    words = fold_words("\n".join(kept)) if folded else []
    if words:
        kept.append(f'<div data-pagefind-body><span id="{FOLD_ID}"></span>{" ".join(words)}</div>')
    lang = re.search(r"<html\b[^>]*?\slang\s*=\s*[\"']?([^\"'\s>]+)", page[:4096], re.I)
    title = re.search(r"<title\b[^>]*>.*?</title\s*>", page, re.S | re.I)
    return ("<!DOCTYPE html>\n" + (f'<html lang="{lang.group(1)}">' if lang else "<html>")
            + '<head><meta charset="utf-8">' + (title.group(0) if title else "") + "</head><body>\n"
            + "\n".join(parts + kept) + "\n</body></html>\n")


def shard_of(rel: str, shards: int = DOC_SHARDS) -> str:
    """The shard of the page at ``rel`` (its path in the site): a document page's by a stable
    hash of its path, so that it stays in its shard whatever else changes."""
    parts = rel.split("/")
    if rel.startswith(DOC_PREFIX) and len(parts) == 3 and parts[2] == "index.html":
        return f"d{int(hashlib.sha256(rel.encode('utf-8')).hexdigest()[:8], 16) % shards}"
    return PAGES_SHARD


def shard_pages(site: Path, shards: int = DOC_SHARDS) -> dict[str, list[str]]:
    """The HTML pages of ``site`` (their paths in it) by shard, in order; not Pagefind's own."""
    groups: dict[str, list[str]] = {}
    rels = []
    for folder, subfolders, files in os.walk(site):  # (os.walk: several times faster than Path.rglob)
        here = os.path.relpath(folder, site).replace(os.sep, "/")
        if here == ".":
            subfolders[:] = [d for d in subfolders if d != "pagefind"]
        rels += [name if here == "." else f"{here}/{name}" for name in files if name.endswith(".html")]
    for rel in sorted(rels, key=lambda r: r.split("/")):  # the order of sorted Paths
        groups.setdefault(shard_of(rel, shards), []).append(rel)
    return groups


class PageLog:
    """What the site build wrote, for the indexer: each page's hash and file identity, and the
    stripped form of each page the last index did not see, made while the page is at hand.
    The indexer then reads no page back: reading back thousands of pages written a few seconds
    before cost this machine seconds (its memory manager pages out what is not used for a
    while). ``known``: the identities of the page files the last index saw, with their hashes
    (its cache's SEEN file), so that the site build can tell a previous page is the same
    without reading it."""

    def __init__(self, cache: Path | None):
        self.seen, self.known = _load_seen(cache) if cache else ({}, {})
        self.hashes: dict[str, str] = {}  # page path in the site -> hash of its bytes
        self.idents: dict[str, str] = {}  # page path in the site -> its file's identity
        self.stripped: dict[str, bytes | None] = {}  # page hash -> stripped page (None: not indexed)

    def fresh(self) -> PageLog:
        """An empty log that knows what this one knows the index saw (for another process)."""
        log = PageLog(None)
        log.seen, log.known = self.seen, self.known
        return log

    def take(self, hashes: dict[str, str], idents: dict[str, str], stripped: dict[str, bytes | None]) -> None:
        """What another process's log (see fresh) noted."""
        self.hashes.update(hashes)
        self.idents.update(idents)
        self.stripped.update(stripped)

    def add(self, rel: str, data: bytes, text: str) -> str:
        """A page about to be written; its hash."""
        key = hashlib.sha256(data).hexdigest()
        self.hashes[rel] = key
        if key not in self.seen and key not in self.stripped:
            stripped = strip_page(text)
            self.stripped[key] = stripped.encode() if stripped is not None else None
        return key

    def written(self, rel: str, st: os.stat_result) -> None:
        self.idents[rel] = file_identity(st)


def strip_shard(site: Path, rels: list[str], seen: dict[str, str],
                memo: dict[str, str], files: tuple[dict[str, str], dict[str, str]] | None = None,
                log: PageLog | None = None) -> tuple[str, list[str], dict[str, bytes]]:
    """One shard: the hash of its stripped pages (paths and contents), the pages Pagefind
    indexes, and the stripped pages this call had to make. ``seen`` maps the hash of a page to
    the hash of its stripped form ("" for a page Pagefind leaves out), as the last build found
    them: a page seen before is only read and hashed, not stripped again; ``memo`` gets the
    same for this build's pages. ``files``: (the last build's, this build's) maps of a page
    file's identity (device, inode, size, modification time in ns) to the hash of its bytes:
    a page the site build linked from the previous site is the same file, and is not even read
    (no page file is ever changed in place). ``log``: what the site build wrote (PageLog);
    a page it holds is neither read nor hashed here."""
    h, indexed, made = hashlib.sha256(), [], {}
    old_files, new_files = files or ({}, {})
    for rel in rels:
        raw, key = None, log.hashes.get(rel) if log else None
        if key is not None and rel in log.idents:
            new_files[log.idents[rel]] = key
        if key is None:
            ident = file_identity(os.stat(site / rel))
            key = old_files.get(ident)
            if key is None:
                raw = (site / rel).read_bytes()
                key = hashlib.sha256(raw).hexdigest()
            new_files[ident] = key
        if key not in seen and key not in memo:
            if log and key in log.stripped:
                stripped = log.stripped.pop(key)
                if stripped is not None:
                    made[rel] = stripped
            else:
                raw = raw if raw is not None else (site / rel).read_bytes()
                stripped = strip_page(raw.decode("utf-8"))
                if stripped is not None:
                    made[rel] = stripped.encode()
            memo[key] = hashlib.sha256(made[rel]).hexdigest() if rel in made else ""
        digest = memo[key] = memo.get(key, seen.get(key, ""))
        if digest:
            indexed.append(rel)
            h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest(), indexed, made


def _stripped(site: Path, indexed: list[str], made: dict[str, bytes]) -> list[tuple[str, bytes]]:
    """The stripped pages of a shard Pagefind has to index (those seen before, stripped again)."""
    return [(rel, made[rel] if rel in made else strip_page((site / rel).read_text("utf-8")).encode())
            for rel in indexed]


def _load_seen(store: Path) -> tuple[dict[str, str], dict[str, str]]:
    """What the last build saw: page hash -> stripped hash, page file identity -> page hash."""
    try:
        seen = json.loads((store / SEEN).read_text("utf-8"))
        if seen.get("indexer") == INDEXER_VERSION:
            return seen["pages"], seen.get("files", {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return {}, {}


def _save_seen(store: Path, memo: dict[str, str], files: dict[str, str]) -> None:
    tmp = store / f".{SEEN}.{os.getpid()}"
    tmp.write_text(json.dumps({"indexer": INDEXER_VERSION, "pages": memo, "files": files}), "utf-8")
    tmp.replace(store / SEEN)


# --- shards, cached ------------------------------------------------------------------------

def shard_key(inputs_hash: str, limit: int) -> str:
    """The cache key of a bundle: its stripped inputs, Pagefind's version, this indexer's."""
    return hashlib.sha256(f"{inputs_hash}|{pagefind_version()}|{INDEXER_VERSION}|{limit}".encode()).hexdigest()[:32]


def build_search_index(site: Path, cache: Path | None = None, shards: int = DOC_SHARDS,
                       limit: int | None = None, log: PageLog | None = None) -> list[ShardRun]:
    """Index ``site`` into site/pagefind/ shard by shard (see the module's docstring), reusing
    the bundles cached in ``cache`` whose inputs are unchanged (no cache: every shard is
    indexed, in a temporary folder). ``limit``: bytes per chunk of word index (default: see
    CHUNK_BYTES). ``log``: what the site build wrote (PageLog), so that its pages are not read
    back. Returns what was done for each shard."""
    limit = limit or max(MIN_CHUNK_BYTES, CHUNK_BYTES // shards)
    served = site / "pagefind"
    if served.exists():
        shutil.rmtree(served)
    groups = shard_pages(site, shards)
    runs = []
    with _workspace(site, cache) as (store, stage):
        (seen, seen_files), memo, files = _load_seen(store), {}, {}
        largest = max((len(v) for k, v in groups.items() if k != PAGES_SHARD), default=0)
        with _Pipeline(store, limit, pagefind_at_once(largest)) as pipeline:
            for name in sorted(groups, key=lambda n: (n != PAGES_SHARD, len(n), n)):
                digest, indexed, made = strip_shard(site, groups[name], seen, memo, (seen_files, files), log)
                if not indexed:
                    continue
                run = ShardRun(name, len(indexed), shard_key(digest, limit))
                runs.append(run)
                if not _reuse(store, run):
                    pipeline.add(run, _write_pages(_stripped(site, indexed, made), stage / name))
        if not runs:
            raise RuntimeError(f"no page of {site} marks its indexed part with data-pagefind-body")
        for i, run in enumerate(runs):
            run.served_at = f"{run.name}/" if i else ""
            _serve(store / run.key / "bundle", served / run.served_at, whole=i == 0)
        (served / MANIFEST).write_text(json.dumps({"merge": [r.served_at for r in runs[1:]]}), "utf-8")
        if cache:
            _save_seen(store, memo, files)
            _prune(store, len(runs))
    return runs


@contextmanager
def _workspace(site: Path, cache: Path | None) -> Iterator[tuple[Path, Path]]:
    """The bundle store (``cache``, or a temporary one) and a fresh folder for stripped pages,
    next to it so that bundles can be hard-linked into the site."""
    with nullcontext() if cache else tempfile.TemporaryDirectory(prefix=".search-", dir=site.parent) as tmp:
        store = cache or Path(tmp) / "store"
        store.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=_stage_parent(store)))
        try:
            yield store, stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)


MEMORY_FS = Path("/dev/shm")
MEMORY_FS_MIN_FREE = 256 * 2**20  # the stage uses ~25 MB at 10,000 documents; leave room for others


def _stage_parent(store: Path) -> Path:
    """Where the stripped pages of the shards go while Pagefind reads them: the folder
    CHIDAO_STAGE_DIR names ("" for the store), else /dev/shm when it is there with room to
    spare, else the store. Memory, because creating and deleting thousands of small files
    costs a disk far more, about 1 ms a file on the benchmark's machine, than memory; at most
    two shards' pages are there at a time, about 25 MB at 10,000 documents.
    Pagefind numbers the pages of a bundle in the order it lists its input folder, which is
    the file system's (ext4: by a hash of the name, seeded per file system): a bundle built
    from another file system finds the same pages but is not byte for byte the same."""
    stage = os.environ.get("CHIDAO_STAGE_DIR")
    if stage is None and _roomy(MEMORY_FS):
        stage = str(MEMORY_FS)
    if not stage:
        return store
    _drop_old_stages(Path(stage))
    return Path(stage)


def _roomy(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return os.access(folder, os.W_OK) and st.f_bavail * st.f_frsize >= MEMORY_FS_MIN_FREE


def _drop_old_stages(folder: Path) -> None:
    """What builds killed midway left in a memory file system (a day old: none still runs)."""
    try:
        old = [p for p in folder.glob(f"{STAGE_PREFIX}*") if time.time() - p.stat().st_mtime > 86400]
    except OSError:
        return
    for p in old:
        shutil.rmtree(p, ignore_errors=True)


def _write_pages(pages: list[tuple[str, bytes]], folder: Path) -> Path:
    for rel, data in pages:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def _reuse(store: Path, run: ShardRun) -> bool:
    """Whether the store holds this shard's bundle whole (each file its manifest lists, at its
    size); marked as just used if so."""
    entry = store / run.key
    try:
        files = json.loads((entry / "manifest.json").read_text("utf-8"))
        whole = all((entry / "bundle" / rel).stat().st_size == size for rel, size in files.items())
    except (OSError, ValueError):
        whole = False
    if whole:
        os.utime(entry)
        run.reused = True
    return whole


class _Pipeline:
    """Shards indexed side by side: up to pagefind_at_once() Pagefind processes at a time (each
    uses about 1.4 cores, so two keep both cores busy), a thread re-splits the word index of
    each shard Pagefind has finished and stores its bundle, and the caller strips the next
    shard meanwhile (no worker is forked, since a fork of a large build process costs its
    memory again). A bundle is renamed into the store only when complete, so a build killed
    midway leaves none that looks whole."""

    def __init__(self, store: Path, limit: int, at_once: int | None = None):
        self.store, self.limit = store, limit
        self.at_once = max(1, at_once or pagefind_at_once(0))
        self.running: list[tuple] = []  # oldest first
        self.finishing = ThreadPoolExecutor(1)
        self.stored: list = []

    def __enter__(self) -> _Pipeline:
        return self

    def add(self, run: ShardRun, pages: Path) -> None:
        while len(self.running) >= self.at_once:
            self._finish(self._wait())
        tmp = Path(tempfile.mkdtemp(prefix=f".new-{run.key}-", dir=self.store))
        log = tempfile.TemporaryFile()
        proc = launch_pagefind(pages, tmp / "bundle", log)
        self.running.append((run, proc, log, tmp, pages, time.perf_counter()))

    def _finish(self, done: tuple[ShardRun, Path]) -> None:
        self.stored.append(self.finishing.submit(self._store, *done))

    def _wait(self) -> tuple[ShardRun, Path]:
        """The oldest Pagefind run, waited for."""
        run, proc, log, tmp, pages, clock = self.running.pop(0)
        with log:
            _, status, usage = os.wait4(proc.pid, 0)  # its own rusage: python -m pagefind execs the binary
            proc.returncode = os.waitstatus_to_exitcode(status)
            run.seconds = time.perf_counter() - clock
            # ru_maxrss of wait4 is the child's own peak (not the largest of all children so far)
            run.peak_mb = usage.ru_maxrss / 1024
            shutil.rmtree(pages, ignore_errors=True)
            if proc.returncode != 0:
                shutil.rmtree(tmp, ignore_errors=True)
                log.seek(0)
                raise RuntimeError(f"pagefind failed on shard {run.name}:\n"
                                   + log.read().decode("utf-8", "replace")[-4000:])
        return run, tmp

    def _store(self, run: ShardRun, tmp: Path) -> None:
        try:
            rechunk(tmp / "bundle", self.limit, workers=1)
        except IndexFormatError as err:
            print(f"warning: search index left as Pagefind wrote it: {err}", file=sys.stderr)
        files = {p.relative_to(tmp / "bundle").as_posix(): p.stat().st_size
                 for p in sorted((tmp / "bundle").rglob("*")) if p.is_file()}
        (tmp / "manifest.json").write_text(json.dumps(files), "utf-8")
        entry = self.store / run.key
        if entry.exists():  # a broken bundle under this key: replaced
            shutil.rmtree(entry)
        try:
            tmp.rename(entry)
        except OSError:  # another build stored the same bundle meanwhile
            if not _reuse(self.store, run):
                raise
            shutil.rmtree(tmp)

    def __exit__(self, kind, *_) -> None:
        try:
            if kind is None:
                while self.running:
                    self._finish(self._wait())
                for stored in self.stored:
                    stored.result()  # its error, if any, is this build's
        finally:
            for _, proc, log, tmp, pages, _ in self.running:  # a failed build: runs in flight are of no use
                proc.kill()
                proc.wait()
                log.close()
                for folder in (tmp, pages):
                    shutil.rmtree(folder, ignore_errors=True)
            self.running = []
            self.finishing.shutdown(wait=True)


def launch_pagefind(pages: Path, out: Path, log) -> subprocess.Popen:
    """Pagefind on the folder ``pages``, writing its bundle to ``out``, in the background."""
    return subprocess.Popen([*pagefind_command(), "--site", str(pages), "--output-path", str(out),
                             "--silent"], stdout=log, stderr=log)


def _serve(bundle: Path, dest: Path, whole: bool) -> None:
    """Hard-link (or copy) a stored bundle into the site: all of it for the first bundle, the
    index only for a merged one."""
    for folder, _, files in os.walk(bundle):
        here = Path(folder)
        rel = here.relative_to(bundle).as_posix()
        names = [f for f in files if whole or MERGED_KEEP.match(f if rel == "." else f"{rel}/{f}")]
        if not names:
            continue
        target = dest / rel
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                os.link(here / name, target / name)
            except OSError:
                shutil.copy2(here / name, target / name)


def _prune(store: Path, shards: int) -> None:
    """Drop the least recently used bundles beyond CACHE_KEEP per shard, and what builds killed
    midway left (an hour old: no build still running wrote it)."""
    entries = sorted((p for p in store.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    done = [p for p in entries if not p.name.startswith(".")]
    left = [p for p in entries if p.name.startswith(".") and time.time() - p.stat().st_mtime > 3600]
    for old in done[CACHE_KEEP * shards:] + left:
        shutil.rmtree(old, ignore_errors=True)


# --- the word index, re-split by size ------------------------------------------------------

def _unpack(path: Path) -> bytes:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise IndexFormatError(f"{path.name}: no Pagefind signature")
    return raw[len(SIGNATURE):]


def _pack(directory: Path, prefix: str, body: bytes, hash_len: int, suffix: str) -> str:
    """Write a Pagefind file named by its content hash; return the name."""
    body = SIGNATURE + body
    name = prefix + hashlib.sha256(body).hexdigest()[:hash_len]
    (directory / f"{name}{suffix}").write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
    return name


def array_head(n: int) -> bytes:
    """CBOR header of an array of ``n`` items (shortest form, as Pagefind writes it)."""
    if n < 24:
        return bytes([0x80 + n])
    for code, size in ARRAY_SIZES.items():
        if n < 256 ** size:
            return bytes([code]) + n.to_bytes(size, "big")
    raise ValueError(n)


def _array_length(body: bytes, at: int, name: str) -> int:
    head = body[at]
    if 0x80 <= head < 0x98:
        return head - 0x80
    if head not in ARRAY_SIZES:
        raise IndexFormatError(f"{name}: no CBOR array at byte {at}")
    return int.from_bytes(body[at + 1:at + 1 + ARRAY_SIZES[head]], "big")


def read_words(path: Path) -> list[tuple[str, bytes]]:
    """The words of one index chunk, CBOR ``[[entry, ...]]`` with each entry ``[word, ...]``,
    as (word, the entry's CBOR bytes)."""
    body = _unpack(path)
    if body[:1] != b"\x81":
        raise IndexFormatError(f"{path.name}: not a one-field record")
    count = _array_length(body, 1, path.name)
    start = 1 + len(array_head(count))
    stream = io.BytesIO(body)
    stream.seek(start)
    decoder = cbor2.CBORDecoder(stream)
    words = []
    try:
        for _ in range(count):
            at = stream.tell()
            entry = decoder.decode()
            words.append((entry[0], body[at:stream.tell()]))
    except (cbor2.CBORDecodeError, TypeError, IndexError, KeyError) as err:
        raise IndexFormatError(f"{path.name}: {err}") from err
    if body != b"\x81" + array_head(count) + b"".join(w for _, w in words):
        raise IndexFormatError(f"{path.name}: the words do not put the file back together")
    return words


def split_words(words: list[tuple[str, bytes]], limit: int = CHUNK_BYTES) -> list[list]:
    """Consecutive runs of the sorted words, each closed once it holds ``limit`` bytes."""
    chunks, current, size = [], [], 0
    for word in words:
        current.append(word)
        size += len(word[1])
        if size >= limit:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The shortest prefixes that still tell the last word of a chunk from the first word of
    the next (Pagefind's own chunk bounds, which its search code expects)."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a[:common + 1], b[:common + 1]


def chunk_bounds(chunks: list[list]) -> list[list[str]]:
    bounds = [[c[0][0], c[-1][0]] for c in chunks]
    for left, right in zip(bounds, bounds[1:], strict=False):
        left[1], right[0] = _prefixes(left[1], right[0])
    return bounds


def _write_chunk(args: tuple[Path, str, list]) -> str:
    directory, prefix, words = args
    return _pack(directory, prefix, b"\x81" + array_head(len(words)) + b"".join(w for _, w in words),
                 7, ".pf_index")


def rechunk(bundle: Path, limit: int = CHUNK_BYTES, workers: int | None = None) -> None:
    """Re-split every language's word index in the Pagefind ``bundle`` directory, with
    ``workers`` processes (default: up to 2; 1: in this process)."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    index = bundle / "index"
    workers = workers or min(2, os.cpu_count() or 1)
    for lang, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta_body = _unpack(meta_path)
        meta = cbor2.loads(meta_body)
        if cbor2.dumps(meta) != meta_body:
            raise IndexFormatError(f"{meta_path.name}: does not re-encode byte for byte")
        old = meta[META_CHUNKS]
        if not all(isinstance(c, list) and len(c) == 3 for c in old):
            raise IndexFormatError(f"{meta_path.name}: unexpected chunk list")
        with ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
            mapper = pool.map if pool else map
            parts = list(mapper(read_words, [index / f"{name}.pf_index" for _, _, name in old]))
            words = [w for part in parts for w in part]
            if any(a[0] >= b[0] for a, b in zip(words, words[1:], strict=False)):
                raise IndexFormatError(f"{lang}: the words are not in order")
            chunks = split_words(words, limit)
            names = list(mapper(_write_chunk, [(index, f"{lang}_", c) for c in chunks]))
        for _, _, name in old:
            if name not in names:
                (index / f"{name}.pf_index").unlink()
        meta[META_CHUNKS] = [[lo, hi, n] for (lo, hi), n in zip(chunk_bounds(chunks), names, strict=True)]
        info["hash"] = _pack(bundle, f"pagefind.{lang}_", cbor2.dumps(meta), 10, ".pf_meta")[len("pagefind."):]
        if meta_path.name != f"pagefind.{info['hash']}.pf_meta":
            meta_path.unlink()
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
