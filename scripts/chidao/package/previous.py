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
        self.files: dict[str, str] = {}  # file (relative to the package) -> its identity

    def add(self, doc_id: str, key: str) -> dict:
        note = self.records[doc_id] = {"key": key, "parts": {}, "json_file": None}
        return note

    def save(self, path: Path, package: Path) -> None:
        """Written beside the build's caches (atomically), with the identity of each file of
        ``package`` (the staged package, whose files keep it when swapped in)."""
        used = {rel for note in self.records.values() for rel in note["parts"]}
        self.files = {rel: file_identity(os.stat(package / rel)) for rel in sorted(used)}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(orjson.dumps({"format": self.format, "files": self.files, "records": self.records}))
        os.replace(tmp, path)


class Previous:
    """The published package's bytes for a record, as the last build's notes place them."""

    def __init__(self, package: Path, notes_path: Path | None, fmt: str):
        self.package = package
        self.records: dict[str, dict] = {}
        self._open: dict[str, object] = {}
        self.reused = 0
        if notes_path is None:
            return
        try:
            notes = orjson.loads(notes_path.read_bytes())
            if notes.get("format") != fmt:
                return
            for rel, ident in notes["files"].items():
                if file_identity(os.stat(package / rel)) != ident:
                    return  # the published package is not what these notes describe
            self.records = notes["records"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.records = {}

    def parts(self, doc_id: str, key: str) -> dict[str, bytes] | None:
        """The record's bytes in each file of the published package, when its key is the one
        noted and its json/<id>.json is the file noted; else None (it is made again)."""
        note = self.records.get(doc_id)
        if note is None or note.get("key") != key:
            return None
        try:
            if file_identity(os.stat(self.json_file(doc_id))) != note["json_file"]:
                return None
            parts = {rel: self._read(rel, offset, length) for rel, (offset, length) in note["parts"].items()}
        except (OSError, ValueError, TypeError):
            return None
        self.reused += 1
        return parts

    def json_file(self, doc_id: str) -> Path:
        return self.package / "json" / f"{doc_id}.json"

    def _read(self, rel: str, offset: int, length: int) -> bytes:
        fh = self._open.get(rel)
        if fh is None:  # (records come in the order they were written: reads go forward in each file)
            fh = self._open[rel] = (self.package / rel).open("rb", buffering=1 << 20)
        fh.seek(offset)
        data = fh.read(length)
        if len(data) != length:
            raise ValueError(f"{rel}: shorter than its notes say")
        return data

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open = {}
