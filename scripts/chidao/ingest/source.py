"""A source file's bytes -> its text and how it was obtained.

Text files are decoded on every build (it costs nothing). Every other kind (PDF, scans, Word,
HTML, images) is read once: its text and the reading's provenance (per page: text layer or
OCR, confidence, uncertain words) are kept beside the original as a committed, reviewable
artifact in ``datapackage/derived/`` (see ``DerivedStore``), and later builds take them from
there: a file whose hash has been read is never OCR'd again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .formats import read_bytes, sniff
from .textnorm import SourceError, decode

READER_VERSION = 1  # bump when a reading written by an older reader must not be reused
# Rejections that cost a reading (OCR of a blank scan) are kept, so that they are not paid again.
KEPT_REJECTIONS = {"no_text"}


@dataclass
class Ingested:
    """What ingest hands to the extractor."""

    text: str  # the decoded text, before normalization
    media_type: str
    method: str  # text | html | docx | doc | text_layer | ocr | mixed | image_ocr
    pages: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_url: str | None = None

    @property
    def page_count(self) -> int | None:
        return len(self.pages) or None

    @property
    def ocr_confidence(self) -> float | None:
        """Mean word confidence over the OCR'd pages, weighted by their characters."""
        ocr = [p for p in self.pages if p.get("method") == "ocr" and p.get("ocr_confidence") is not None]
        weight = sum(max(p["chars"], 1) for p in ocr)
        if not ocr:
            return None
        return round(sum(p["ocr_confidence"] * max(p["chars"], 1) for p in ocr) / weight, 1)

    def provenance(self) -> dict:
        """The record's ``reading``: how its text was obtained."""
        return {"media_type": self.media_type, "method": self.method, "page_count": self.page_count,
                "ocr_confidence": self.ocr_confidence, "source_url": self.source_url,
                "pages": self.pages}


class DerivedStore:
    """Readings kept by the hash of the original: ``<dir>/<sha[:2]>/<sha>.json`` (media type,
    method, pages, notes, source URL) and ``<sha>.txt`` (the text, for non-text originals).
    Files are named by content hash only, so readings made on different machines (e.g. CI
    jobs over hash prefixes) merge without conflict."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, sha: str, suffix: str) -> Path:
        return self.root / sha[:2] / f"{sha}{suffix}"

    def meta(self, sha: str) -> dict | None:
        path = self._path(sha, ".json")
        return json.loads(path.read_text("utf-8")) if path.is_file() else None

    def text(self, sha: str) -> str | None:
        path = self._path(sha, ".txt")
        return path.read_text("utf-8") if path.is_file() else None

    def fingerprint(self, sha: str) -> str:
        """Hash of what is kept for ``sha`` (a reviewer may correct a derived text)."""
        h = hashlib.sha256()
        for suffix in (".json", ".txt"):
            path = self._path(sha, suffix)
            h.update(path.read_bytes() if path.is_file() else b"-")
        return h.hexdigest()[:16]

    def save(self, sha: str, meta: dict, text: str | None) -> None:
        for suffix, content in ((".json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n"), (".txt", text)):
            if content is None:
                continue
            path = self._path(sha, suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # never a half-written reading
            tmp.write_text(content, encoding="utf-8")
            tmp.replace(path)

    def set_source_url(self, sha: str, url: str, media_type: str) -> None:
        meta = self.meta(sha) or {"sha256": sha, "reader": READER_VERSION, "media_type": media_type,
                                  "method": "text", "pages": [], "notes": []}
        if meta.get("source_url") != url:
            self.save(sha, {**meta, "source_url": url}, None)


def read_source(data: bytes, store: DerivedStore | None = None, reread: bool = False) -> Ingested:
    """The text of a source file and how it was obtained. Raises SourceError (typed, with a
    hint) for a file that cannot be read."""
    sha = hashlib.sha256(data).hexdigest()
    meta = store.meta(sha) if store else None
    url = meta.get("source_url") if meta else None
    if meta and meta.get("method") != "text" and not reread and meta.get("reader") == READER_VERSION:
        if meta.get("rejection"):  # a file that could not be read is not tried again either
            raise SourceError(**meta["rejection"])
        text = store.text(sha)
        if text is not None:
            return Ingested(text, meta["media_type"], meta["method"], meta["pages"], meta["notes"], url)
    try:
        reading = read_bytes(data)
    except SourceError as exc:
        if store and exc.kind in KEPT_REJECTIONS:
            store.save(sha, {"sha256": sha, "reader": READER_VERSION, "media_type": sniff(data),
                             "method": "rejected", "pages": [], "notes": [],
                             "rejection": {"reason": exc.reason, "hint": exc.hint, "kind": exc.kind},
                             **({"source_url": url} if url else {})}, None)
        raise
    if reading is None:  # plain text: decoded on every build
        text, notes = decode(data)
        return Ingested(text, "text/plain", "text", [], notes, url)
    got = Ingested(reading.text, reading.media_type, reading.method,
                   [p.to_dict() for p in reading.pages], list(reading.notes), url)
    if store:
        store.save(sha, {"sha256": sha, "reader": READER_VERSION, "media_type": got.media_type,
                         "method": got.method, "pages": got.pages, "notes": got.notes,
                         **({"source_url": url} if url else {})}, got.text)
    return got
