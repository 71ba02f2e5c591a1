"""Package: the published package as the cache of the next build's tables.

A rebuild after one changed source would format every record's rows again (about 7 s at
10,000 documents) to write out what the published package holds already. Instead, each build
notes, per record, a key of the record as it was written (a hash of all of it, after curation,
references and coding) and where its bytes are in each file it wrote: its lines in each
per-document table, its part of documents.json and the identity of its json/<id>.json. The
next build copies those bytes for each record whose key is unchanged, and formats only the
others.

The notes never answer for other bytes: they hold the identity (device, inode, size,
modification time) of every file they point into, and a build uses them only if every such
file of the published package still has it (a file edited, replaced or checked out again has
another), if they were made by the same writing code and the same table schemas (``format``),
and only for a record whose key is the same. A build killed before its package is swapped in
leaves notes of a staged package that was never published: the published files' identities do
not match them, and they are not used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import orjson

from ..fingerprint import file_identity, json_bytes

JSON_PARTS = "json/documents.json"  # documents.json: a record's part is its indented JSON


def record_key(r: dict) -> str:
    """The record's bytes as it is written, hashed: any change to any of its values changes it."""
    return hashlib.sha256(json_bytes(r)).hexdigest()[:32]


class Notes:
    """What one build wrote where (see the module docstring), gathered while it writes."""

    def __init__(self, fmt: str):
        self.format = fmt
        self.records: dict[str, dict] = {}  # id -> {"key", "parts": {file: [offset, length]}, "json_file"}

    def add(self, doc_id: str, key: str) -> dict:
        note = self.records[doc_id] = {"key": key, "parts": {}, "json_file": None}
        return note

    def save(self, path: Path, package: Path, written: dict[str, tuple[int, str]]) -> None:
        """Written beside the build's caches (atomically), with the identity and sha256 of each
        file of ``package`` the notes point into (the staged package: its files keep their
        identity when swapped in). ``written``: (bytes, sha256) by file."""
        used = sorted({rel for note in self.records.values() for rel in note["parts"]})
        files = {rel: {"identity": file_identity(os.stat(package / rel)), "sha256": written[rel][1]} for rel in used}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(orjson.dumps({"format": self.format, "files": files, "records": self.records}))
        os.replace(tmp, path)


class Previous:
    """The published package's files and each record's place in them, as the last build's
    notes say (none when the notes are missing, of other code, or the files changed since)."""

    def __init__(self, package: Path, notes_path: Path | None, fmt: str):
        self.package = package
        self.records: dict[str, dict] = {}
        self.files: dict[str, dict] = {}
        self._open: dict[str, object] = {}
        if notes_path is None:
            return
        try:
            notes = orjson.loads(notes_path.read_bytes())
            if notes.get("format") != fmt:
                return
            for rel, f in notes["files"].items():
                st = os.stat(package / rel)
                if file_identity(st) != f["identity"]:
                    return  # the published package is not what these notes describe
                f["size"] = st.st_size
            self.records, self.files = notes["records"], notes["files"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.records, self.files = {}, {}

    def note(self, doc_id: str) -> dict | None:
        return self.records.get(doc_id)

    def reusable(self, note: dict | None, key: str, doc_id: str) -> bool:
        """Whether the record the last build wrote is this one (same key), its json/<id>.json
        still the file it wrote."""
        if note is None or note.get("key") != key:
            return False
        try:
            return file_identity(os.stat(self.json_file(doc_id))) == note["json_file"]
        except OSError:
            return False

    def json_file(self, doc_id: str) -> Path:
        return self.package / "json" / f"{doc_id}.json"

    def holds(self, rel: str, offset: int | None, data: bytes) -> bool:
        """Whether the published ``rel`` holds ``data`` at ``offset``."""
        if offset is None or rel not in self.files or offset < 0 or offset + len(data) > self.files[rel]["size"]:
            return False
        fh = self._open.get(rel)
        if fh is None:
            fh = self._open[rel] = (self.package / rel).open("rb")
        fh.seek(offset)
        return fh.read(len(data)) == data

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open = {}


FLUSH_BYTES = 4 << 20  # new bytes held before they are written


class PackageFile:
    """A file of the staged package, written as a sequence of new bytes and of ranges of the
    published file of the same name (copied by the kernel, never read here). When every byte
    turns out to be the published file's, at the same place, the published file is linked
    instead and its noted sha256 is the new one's. (bytes, sha256) on close."""

    def __init__(self, path: Path, rel: str, previous: Previous):
        self.path, self.rel, self.previous = path, rel, previous
        old = previous.files.get(rel)
        self.old = previous.package / rel if old else None
        self.same = old is not None  # every byte so far is the published file's at the same offset
        self.size = 0
        self.pending: list = []  # new bytes (bytes) and published ranges ([offset, length]), in order
        self.held = 0
        self.fd: int | None = None
        self.hash = hashlib.sha256()
        self.hashed = True  # self.hash covers every byte written (no range copied)

    def put(self, data: bytes | None, length: int, old_at: int | None = None) -> list[int]:
        """``length`` bytes appended: ``data``, or the published file's bytes at ``old_at``
        (``data`` may be None then). [their offset, their length] in this file."""
        at = self.size
        self.size += length
        if not length:
            return [at, 0]
        if old_at is not None and self.old is not None:
            self.same = self.same and old_at == at
            last = self.pending[-1] if self.pending else None
            if isinstance(last, list) and last[0] + last[1] == old_at:
                last[1] += length  # (records in the same order: one range for all of them)
            else:
                self.pending.append([old_at, length])
        else:
            self.same = False
            self.pending.append(data)
            self.held += length
            if self.held >= FLUSH_BYTES:
                self._flush()
        return [at, length]

    def _flush(self) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        chunk: list[bytes] = []
        for part in [*self.pending, None]:
            if isinstance(part, bytes):
                chunk.append(part)
                continue
            if chunk:
                data = b"".join(chunk)
                _write_all(self.fd, data)
                self.hash.update(data)
                chunk = []
            if part is not None:
                self.hashed = False
                with self.old.open("rb") as src:
                    _copy_range(src.fileno(), self.fd, *part)
        self.pending, self.held = [], 0

    def close(self) -> tuple[int, str]:
        if self.same and self.fd is None and self.size == self.previous.files[self.rel]["size"]:
            link_or_copy(self.old, self.path)
            return self.size, self.previous.files[self.rel]["sha256"]
        self._flush()
        os.close(self.fd)
        if self.hashed:
            return self.size, self.hash.hexdigest()
        with self.path.open("rb") as fh:  # (ranges were copied by the kernel: read once to hash)
            return self.size, hashlib.file_digest(fh, "sha256").hexdigest()


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (no package file is rewritten in place: they may
    share it), or a copy where the file system has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy_range(src: int, dst: int, offset: int, length: int) -> None:
    """``length`` bytes of ``src`` from ``offset`` appended to ``dst``: by the kernel where it
    can (copy_file_range), else read and written."""
    while length:
        try:
            done = os.copy_file_range(src, dst, length, offset)
        except (AttributeError, OSError):  # (no copy_file_range here, or not between these files)
            done = os.write(dst, os.pread(src, min(length, FLUSH_BYTES), offset))
        if done <= 0:
            raise OSError(f"nothing copied at offset {offset}")
        offset += done
        length -= done
