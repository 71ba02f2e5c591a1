"""``chidao add`` and ``chidao read``: bring originals into the archive and read them once.

``add`` copies a file (or downloads a URL) into ``datapackage/sources/`` unchanged, refuses an
exact duplicate by hash, and reads it, keeping the reading in ``datapackage/derived/``.
``read`` reads every original that has no kept reading yet, optionally only one shard of
them by hash prefix, so that a large backlog of scans can be OCR'd by several CI jobs whose
outputs (files named by hash) merge without conflict.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .formats import sniff
from .source import DerivedStore, read_source
from .textnorm import SourceError

MAX_DOWNLOAD = 50_000_000  # bytes; a directive's scan is a few MB
DOWNLOAD_TIMEOUT = 60  # seconds
EXTENSIONS = {"application/pdf": ".pdf", "text/html": ".html", "image/png": ".png", "image/jpeg": ".jpg",
              "image/tiff": ".tif", "application/msword": ".doc", "text/plain": ".txt",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


class AddError(Exception):
    """An original that cannot be added; the message names it and the problem."""


@dataclass
class Added:
    name: str
    sha256: str
    summary: str  # what was read: pages, method, confidence
    rejected: bool = False


def _known_hashes(dp: Path) -> dict[str, str]:
    """sha256 -> what already holds it: the record of the published package, else the file."""
    known = {}
    for path in sorted((dp / "sources").glob("*")):
        if path.is_file():
            known[hashlib.sha256(path.read_bytes()).hexdigest()] = f"file sources/{path.name}"
    table = dp / "data" / "sources.csv"
    if table.is_file():
        with table.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["sha256"] in known and row.get("document_id"):
                    known[row["sha256"]] = f"record {row['document_id']} (sources/{row['file']})"
    return known


def fetch(url: str) -> tuple[bytes, str]:
    """The bytes at ``url`` and a file name for them (bounded in size and time)."""
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp:  # noqa: S310 (http/https only)
            data = resp.read(MAX_DOWNLOAD + 1)
            disposition = resp.headers.get("Content-Disposition") or ""
    except (OSError, ValueError) as exc:
        raise AddError(f"{url}: cannot download: {getattr(exc, 'reason', None) or exc}") from exc
    if len(data) > MAX_DOWNLOAD:
        raise AddError(f"{url}: larger than {MAX_DOWNLOAD:,} bytes; download it by hand and add the file")
    named = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)', disposition)
    name = urllib.parse.unquote(named.group(1) if named else Path(urllib.parse.urlparse(url).path).name)
    return data, name


def _safe_name(name: str, data: bytes) -> str:
    """A file name for sources/: the original's name without path parts or odd characters,
    with the extension its content calls for."""
    stem = re.sub(r"[^\w.\-]+", "_", Path(name).stem, flags=re.UNICODE).strip("._") or "source"
    return stem[:80] + EXTENSIONS.get(sniff(data), Path(name).suffix.lower() or ".bin")


def summary(got) -> str:
    parts = [got.media_type, got.method]
    if got.page_count:
        parts.insert(1, f"{got.page_count} page{'s' if got.page_count > 1 else ''}")
    if got.ocr_confidence is not None:
        parts.append(f"OCR confidence {got.ocr_confidence:.0f} %")
    uncertain = sum(len(p.get("uncertain_words") or []) for p in got.pages)
    if uncertain:
        parts.append(f"{uncertain} uncertain words")
    return ", ".join(parts)


def _read_into_store(args: tuple[str, str]) -> tuple[str, str, bool]:
    """(file name, summary, rejected) after reading one original into the store."""
    path, derived = Path(args[0]), Path(args[1])
    try:
        got = read_source(path.read_bytes(), DerivedStore(derived))
    except SourceError as exc:
        return path.name, f"rejected ({exc.kind}): {exc.reason}" + (f" — {exc.hint}" if exc.hint else ""), True
    return path.name, summary(got), False


def _progress(done: int, total: int, line: str) -> None:
    """One line per file; on a terminal, a bar too."""
    bar = ""
    if sys.stderr.isatty():
        filled = round(20 * done / total)
        bar = f"[{'#' * filled}{'.' * (20 - filled)}] "
    print(f"{bar}{done}/{total} {line}", file=sys.stderr, flush=True)


def read_all(paths: list[Path], derived: Path, jobs: int = 1) -> list[tuple[str, str, bool]]:
    """Read ``paths`` into the store, ``jobs`` at a time, reporting progress."""
    work = [(str(p), str(derived)) for p in paths]
    out = []
    if jobs <= 1 or len(work) <= 1:
        results = map(_read_into_store, work)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_read_into_store, work)
    for k, res in enumerate(results, 1):
        _progress(k, len(work), f"{res[0]}: {res[1]}")
        out.append(res)
    if jobs > 1 and len(work) > 1:
        pool.shutdown()
    return out


def add(root: Path, items: list[str], source_url: str | None = None, jobs: int = 1) -> list[Added]:
    """Copy or download each item into sources/ and read it. Raises AddError for an exact
    duplicate or an unreadable item before anything is copied."""
    dp = root / "datapackage"
    (dp / "sources").mkdir(parents=True, exist_ok=True)
    known = _known_hashes(dp)
    staged: list[tuple[str, bytes, str | None]] = []
    for item in items:
        if re.match(r"https?://", item):
            data, name = fetch(item)
            url = item
        else:
            path = Path(item)
            if not path.is_file():
                raise AddError(f"{item}: no such file")
            data, name, url = path.read_bytes(), path.name, source_url
        sha = hashlib.sha256(data).hexdigest()
        if sha in known:
            raise AddError(f"{item}: already in the archive, byte for byte, as {known[sha]}")
        known[sha] = f"file {name} (this run)"
        staged.append((name, data, url))
    store = DerivedStore(dp / "derived")
    targets = []
    for name, data, url in staged:
        target = dp / "sources" / _safe_name(name, data)
        if target.exists():  # another original with the same name
            target = target.with_name(f"{target.stem}-{hashlib.sha256(data).hexdigest()[:8]}{target.suffix}")
        target.write_bytes(data)
        if url:
            store.set_source_url(hashlib.sha256(data).hexdigest(), url, sniff(data))
        targets.append(target)
    results = read_all(targets, dp / "derived", jobs)
    return [Added(t.name, hashlib.sha256(t.read_bytes()).hexdigest(), s, rej)
            for t, (_, s, rej) in zip(targets, results, strict=True)]


def backlog(root: Path, shard: tuple[int, int] = (0, 1)) -> list[Path]:
    """Originals of sources/ with no kept reading, in shard ``k`` of ``n`` by hash."""
    dp = root / "datapackage"
    store = DerivedStore(dp / "derived")
    k, n = shard
    out = []
    for path in sorted(p for p in (dp / "sources").glob("*") if p.is_file()):
        data = path.read_bytes()
        if sniff(data) == "text/plain":
            continue
        sha = hashlib.sha256(data).hexdigest()
        if int(sha[:8], 16) % n == k and store.meta(sha) is None:
            out.append(path)
    return out
