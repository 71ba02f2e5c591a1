"""Fingerprints of code: what a cache entry (a record, coded measures, a rendered page) was
made by, so that a change to that code or to a vocabulary invalidates it."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache
def code_fingerprint(patterns: tuple[str, ...]) -> str:
    """Hash of the names and bytes of the package's files matching ``patterns`` (globs under
    scripts/chidao/)."""
    h = hashlib.sha256()
    for p in sorted({p for pattern in patterns for p in PACKAGE.glob(pattern)}):
        h.update(str(p.relative_to(PACKAGE)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def json_bytes(obj) -> bytes:
    """``obj`` as compact UTF-8 JSON for a cache (orjson: ~10x the standard library's speed;
    the standard library for what orjson refuses, an integer past 64 bits)."""
    import json

    import orjson

    try:
        return orjson.dumps(obj)
    except TypeError:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def file_identity(st) -> str:
    """A file's identity (from its os.stat_result): device, inode, size and modification time in
    ns. A file rewritten, replaced or touched since has another one."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


class Cache:
    """Cached JSON values in one SQLite file, keyed by (namespace, key): the namespace names what
    made them and its fingerprint ("extract/<code fingerprint>"), the key their inputs.

    One file, not a file per entry: creating ten thousand small files cost this machine's disk
    about as much CPU time as extracting the records they hold (~1.5 ms a file, in the kernel).
    Entries are written in transactions, so a build killed while writing leaves the entries of
    the last transaction out, never half of one (SQLite rolls it back when the file is next
    opened). The file is made ready by ``prepare``, once, before processes share it; a file
    SQLite cannot read is set aside there and the cache starts empty. A connection does not
    survive a fork: cache_at opens one per process."""

    def __init__(self, path: Path):
        import sqlite3

        self.path = path
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA synchronous=NORMAL")

    @staticmethod
    def prepare(path: Path) -> None:
        """Create the file and its table (in WAL mode: readers, the workers, and the writer do
        not block each other), or set aside a file that is no SQLite database."""
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2):
            try:
                db = sqlite3.connect(path, timeout=60)
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("CREATE TABLE IF NOT EXISTS entries (namespace TEXT NOT NULL, key TEXT NOT NULL, "
                               "value BLOB NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID")
                    # the namespaces entries has: dropping an old one must not scan every entry
                    db.execute("CREATE TABLE IF NOT EXISTS namespaces (namespace TEXT PRIMARY KEY) WITHOUT ROWID")
                    if db.execute("SELECT 1 FROM namespaces LIMIT 1").fetchone() is None:  # (a file from before it)
                        db.execute("INSERT OR IGNORE INTO namespaces SELECT DISTINCT namespace FROM entries")
                    db.commit()
                finally:
                    db.close()
                return
            except sqlite3.DatabaseError:  # not a database (a torn copy, another program's file)
                if attempt == 2:
                    raise
                path.replace(path.with_name(path.name + ".unreadable"))
                for suffix in ("-wal", "-shm"):
                    path.with_name(path.name + suffix).unlink(missing_ok=True)

    def get(self, namespace: str, key: str):
        import orjson

        row = self.db.execute("SELECT value FROM entries WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
        return orjson.loads(row[0]) if row else None

    def get_many(self, namespace: str, keys) -> dict:
        """The values of those ``keys`` that ``namespace`` holds, by key. Looked up in key order:
        one by one in the order of the primary key, SQLite reads the file about three times
        faster than in random order (keys are hashes: any other order is random)."""
        import orjson

        found = {}
        for key in sorted(set(keys)):
            row = self.db.execute("SELECT value FROM entries WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
            if row:
                found[key] = orjson.loads(row[0])
        return found

    def has(self, namespace: str, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM entries WHERE namespace = ? AND key = ?", (namespace, key)).fetchone() is not None

    def keys(self, namespace: str) -> set[str]:
        """Every key of ``namespace`` (one query, not one a key)."""
        return {k for (k,) in self.db.execute("SELECT key FROM entries WHERE namespace = ?", (namespace,))}

    def keep_keys(self, namespace: str, keys: set[str]) -> None:
        """Drop the entries of ``namespace`` whose key is not in ``keys``."""
        self.db.execute("BEGIN")
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("DELETE FROM kept")
        self.db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", [(k,) for k in keys])
        self.db.execute("DELETE FROM entries WHERE namespace = ? AND key NOT IN (SELECT key FROM kept)", (namespace,))
        self.db.execute("DELETE FROM kept")
        self.db.execute("COMMIT")

    def put(self, rows) -> None:
        """Store (namespace, key, value bytes) rows, in one transaction."""
        rows = list(rows)
        if rows:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
            self.db.executemany("INSERT OR IGNORE INTO namespaces VALUES (?)", [(ns,) for ns in {r[0] for r in rows}])
            self.db.execute("COMMIT")

    def keep_only(self, namespaces: list[str], prefix: str) -> None:
        """Drop the entries of namespaces under ``prefix`` other than ``namespaces`` (what an
        older version of the code made: never read again)."""
        old = [ns for (ns,) in self.db.execute("SELECT namespace FROM namespaces")
               if ns.startswith(prefix) and ns not in namespaces]
        if old:
            self.db.execute("BEGIN")
            for ns in old:  # (a range of the primary key each: no scan of the other entries)
                self.db.execute("DELETE FROM entries WHERE namespace = ?", (ns,))
                self.db.execute("DELETE FROM namespaces WHERE namespace = ?", (ns,))
            self.db.execute("COMMIT")


_OPEN: dict[tuple[int, str], Cache] = {}
_INHERITED: list[Cache] = []  # a forked child's copies of its parent's connections: never used, never closed


def _after_fork() -> None:
    _INHERITED.extend(_OPEN.values())
    _OPEN.clear()


if hasattr(__import__("os"), "register_at_fork"):
    __import__("os").register_at_fork(after_in_child=_after_fork)


def cache_at(path: str | Path) -> Cache:
    """This process's Cache of the file ``path``."""
    import os

    key = (os.getpid(), str(path))
    if key not in _OPEN:
        _OPEN[key] = Cache(Path(path))
    return _OPEN[key]
