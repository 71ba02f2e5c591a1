"""Runs the extractor over many source files: in parallel on every core, and with a cache of
records keyed by the file's bytes and the extractor's own fingerprint, so that a rebuild only
re-reads what changed (and everything when the extractor or its vocabularies change)."""

from __future__ import annotations

import functools
import gc
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..fingerprint import Cache, cache_at, code_fingerprint, json_bytes
from ..ingest.formats import sniff
from ..ingest.source import DerivedStore
from ..ingest.textnorm import SourceError
from .record import extract_bytes

PARALLEL_FROM = 64  # fewer files are read in this process: starting workers costs more
# Originals whose reading is slow enough (PDF, images, Office) to read in parallel even when few.
HEAVY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


# What a cached record depends on: the code of the stages that read a file into a record,
# the shared text keys and the vocabularies.
FINGERPRINTED = ("ingest/*.py", "extract/*.py", "vntext.py", "vocab.py", "vocab/*")


def fingerprint() -> str:
    """Hash of the reading code and vocabularies: a cached record is valid only for them."""
    return code_fingerprint(FINGERPRINTED)


def _read_one(args: tuple) -> dict:
    """One file -> {"file", "sha256", "bytes", "record" | "rejection", "then", "to_cache"}
    (JSON-safe). "to_cache": the cache rows this worker made, for the parent to store."""
    entry = _read_file(args[:5])
    then = args[5]
    if then is not None and "record" in entry:
        entry["then"] = then(entry["record"])
        if isinstance(entry["then"], dict) and "to_cache" in entry["then"]:
            entry.setdefault("to_cache", []).extend(entry["then"].pop("to_cache"))
    return entry


def namespace() -> str:
    """Where the records of this code are cached (see fingerprint.Cache)."""
    return "extract/" + fingerprint()


def _identify(path: Path, derived: str, keyword_measures: bool) -> tuple[dict, str, bytes, DerivedStore | None]:
    """A file's entry (name, hash, size, media type, source URL), the key of its record in the
    cache, its bytes and the store of what is kept of its reading."""
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    store = DerivedStore(Path(derived)) if derived else None
    meta = store.meta(sha) if store else None
    entry = {"file": path.name, "sha256": sha, "bytes": len(data), "media_type": sniff(data),
             "source_url": meta.get("source_url") if meta else None}
    # A record depends on the file's bytes, its name, what is kept of its reading (which a
    # reviewer may have corrected by hand) and whether it holds keyword measures.
    key = hashlib.sha256(path.name.encode() + b"\0" + (store.fingerprint(sha) if store else "").encode()
                         + (b"" if keyword_measures else b"\0no-keyword-measures"))
    return entry, f"{sha}-{key.hexdigest()[:12]}", data, store


def _cached(jobs: list[tuple]) -> list[dict | None]:
    """For each job, the entry of its file when its record is in the cache, with it (and with
    what ``then`` makes of it, when that is cached too); else None. Looked up together, in key
    order (Cache.get_many); ``then``'s cached results too when it can (its ``cached``)."""
    if not jobs:
        return []
    cache, derived, reread, keyword_measures, then = jobs[0][1:]
    if not cache or reread:
        return [None] * len(jobs)
    ids = [_identify(Path(job[0]), derived, keyword_measures)[:2] for job in jobs]
    hits = cache_at(cache).get_many(namespace(), [key for _, key in ids])
    entries = [{**entry, **hits[key]} if key in hits else None for entry, key in ids]
    if then is not None:
        with_record = [e for e in entries if e is not None and "record" in e]
        cached = getattr(then, "cached", None)
        thens = cached([e["record"] for e in with_record]) if cached else [
            then(e["record"], compute=False) for e in with_record]
        for e, result in zip(with_record, thens, strict=True):
            e["then"] = result
    # (not cached for "then": a worker does it)
    return [None if e is None or ("record" in e and then is not None and e["then"] is None) else e for e in entries]


def _read_file(args: tuple[str, str, str, bool, bool]) -> dict:
    path, cache, derived, reread, keyword_measures = Path(args[0]), args[1], args[2], args[3], args[4]
    entry, cache_key, data, store = _identify(path, derived, keyword_measures)
    if cache and not reread and (hit := cache_at(cache).get(namespace(), cache_key)) is not None:
        return {**entry, **hit}
    try:
        result = {"record": extract_bytes(data, path.name, store, reread, keyword_measures)}
    except SourceError as exc:
        result = {"rejection": {"kind": exc.kind, "reason": exc.reason, "hint": exc.hint}}
    if cache:  # stored by the parent (read_sources), in transactions of many
        result["to_cache"] = [(namespace(), cache_key, json_bytes(result))]
    return {**entry, **result}


def needs_reading(path: Path, store: DerivedStore | None) -> bool:
    """Is ``path`` a file whose reading is slow (PDF, scan, Word) and not kept yet?"""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head.startswith(HEAVY_MAGIC):
        return False
    return store is None or store.meta(hashlib.sha256(path.read_bytes()).hexdigest()) is None


def read_sources(paths: list[Path], cache: Path | None = None, workers: int | None = None,
                 derived: Path | None = None, reread: bool = False,
                 then: Callable[[dict], dict] | None = None, keyword_measures: bool = True) -> list[dict]:
    """Every path read, in the order given. Many files, or more than one file to OCR, are read
    on every core (``workers``). ``cache``: the SQLite file of cached records (fingerprint.Cache),
    looked up by the workers and written by this process as their results come in. ``then``
    (picklable): a later stage's work on each record, done in the same worker while the record
    is at hand; its result is the entry's "then" (a "to_cache" list in it is stored too);
    ``then(record, compute=False)`` gives its cached result, or None.
    ``keyword_measures``: see record.extract_text."""
    if cache:
        Cache.prepare(cache)  # (before the workers share it)
    jobs = [(str(p), str(cache) if cache else "", str(derived) if derived else "", reread, keyword_measures, then)
            for p in paths]
    workers = workers or os.cpu_count() or 1
    store = DerivedStore(derived) if derived else None
    heavy = sum(needs_reading(p, store) or reread for p in paths) if len(jobs) < PARALLEL_FROM else 0
    if workers == 1 or (len(jobs) < PARALLEL_FROM and heavy < 2):
        return _stored(map(_read_one, jobs), cache)
    # Records in the cache are read here: a worker would read them, then send each one here
    # (pickled both ways, about as long as reading it); the workers read the others. (Their
    # codes, when "then" codes them, come from the codebook cache in code_records.)
    done = _cached(jobs) if cache and _has_records(cache) else [None] * len(jobs)
    todo = [job for job, entry in zip(jobs, done, strict=True) if entry is None]
    if not todo:
        _stored([], cache)
        return done
    with ProcessPoolExecutor(max_workers=workers, initializer=collect_own) as pool:
        read = iter(_stored(pool.map(_read_one, todo, chunksize=max(1, len(todo) // (workers * 32))), cache))
        return [entry if entry is not None else next(read) for entry in done]


def _has_records(cache: Path) -> bool:
    """Whether the cache holds any record of this code (none: a clean build, nothing to look up)."""
    return cache_at(cache).db.execute("SELECT 1 FROM entries WHERE namespace = ? LIMIT 1", (namespace(),)).fetchone() is not None


def gc_paused(fn):
    """``fn`` with Python's cyclic garbage collector off while it runs. A stage that builds
    millions of objects that all live to its end (every record, every table row) gains
    nothing from it: Python walks every tracked object at each full collection, and runs one
    each time the long-lived objects grow by a quarter (measured: about 1 s of the extraction
    process at 10,000 documents). What such a stage makes is trees, not cycles; any cycle is
    freed once the collector is back on."""
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return paused


def collect_own() -> None:
    """In a worker: the garbage collector on (the parent may have paused it: gcpause), for the
    worker's own objects only; what it inherited (vocabularies, patterns) is set aside."""
    gc.freeze()
    gc.enable()


STORE_EVERY = 256  # cache rows per transaction


def _stored(entries, cache: Path | None) -> list[dict]:
    """The entries, their "to_cache" rows stored in the cache as they come in."""
    out, rows = [], []
    for entry in entries:
        rows += entry.pop("to_cache", ())
        out.append(entry)
        if cache and len(rows) >= STORE_EVERY:
            cache_at(cache).put(rows)
            rows = []
    if cache and rows:
        cache_at(cache).put(rows)
    if cache:
        cache_at(cache).keep_only([namespace()], "extract/")
    return out
