"""Runs the extractor over many source files: in parallel on every core, and with a cache of
records keyed by the file's bytes and the extractor's own fingerprint, so that a rebuild only
re-reads what changed (and everything when the extractor or its vocabularies change)."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from ..ingest.textnorm import SourceError
from .record import extract_bytes

PARALLEL_FROM = 64  # fewer files are read in this process: starting workers costs more


# What a cached record depends on: the code of the stages that read a file into a record,
# the shared text keys and the vocabularies.
FINGERPRINTED = ("ingest/*.py", "extract/*.py", "vntext.py", "vocab.py", "vocab/*")


@cache
def fingerprint() -> str:
    """Hash of the reading code and vocabularies: a cached record is valid only for them."""
    pkg = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted({p for pattern in FINGERPRINTED for p in pkg.glob(pattern)}):
        h.update(str(p.relative_to(pkg)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def _read_one(args: tuple[str, str]) -> dict:
    """One file -> {"file", "sha256", "bytes", "record" | "rejection"} (JSON-safe)."""
    path, cache_dir = Path(args[0]), args[1]
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    entry = {"file": path.name, "sha256": sha, "bytes": len(data)}
    cached = Path(cache_dir) / f"{sha}-{hashlib.sha256(path.name.encode()).hexdigest()[:12]}.json" if cache_dir else None
    if cached and cached.exists():
        return {**entry, **json.loads(cached.read_text("utf-8"))}
    try:
        result = {"record": extract_bytes(data, path.name)}
    except SourceError as exc:
        result = {"rejection": {"kind": exc.kind, "reason": exc.reason, "hint": exc.hint}}
    if cached:
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
    return {**entry, **result}


def read_sources(paths: list[Path], cache_dir: Path | None = None, workers: int | None = None) -> list[dict]:
    """Every path read, in the order given."""
    where = ""
    if cache_dir is not None:
        where = str(cache_dir / fingerprint())
        Path(where).mkdir(parents=True, exist_ok=True)
    jobs = [(str(p), where) for p in paths]
    workers = workers or os.cpu_count() or 1
    if len(jobs) < PARALLEL_FROM or workers == 1:
        return [_read_one(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
