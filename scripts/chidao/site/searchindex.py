"""Site: the built site -> its Pagefind search index, with the word index re-split by size.

Pagefind splits its word index into chunks, so that a query downloads only the chunks that
hold its words. Pagefind 1.5 sizes a chunk by counting the positions of each word's
undiacritized form only; the positions of its diacritic variants ("phòng", "phóng" under
"phong") are not counted. In Vietnamese nearly every word carries a diacritic, so chunks are
hardly ever closed and grow with the archive: at 5,000 directives the chunk holding "phong"
was 472 KB gzipped. `rechunk` re-splits the word index by its real size and rewrites the
index metadata to match. No word and no position changes; search works as before.

The files are Pagefind's own format (gzip of b"pagefind_dcd" + CBOR). Words are cut out of
the chunks as they are, not re-encoded, and `rechunk` checks that the cuts put together give
back every file byte for byte. If a future Pagefind changes the format, the index is left
exactly as Pagefind wrote it, with a warning.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"
# Uncompressed bytes of word index per chunk. Smaller chunks mean fewer bytes per query and
# more files; 96 KB is about 40 KB gzipped. A word larger than that stays whole.
CHUNK_BYTES = 96 * 1024
META_CHUNKS = 2  # position of the chunk list in the metadata record
ARRAY_SIZES = {0x98: 1, 0x99: 2, 0x9A: 4, 0x9B: 8}  # CBOR array headers with a length after


class IndexFormatError(Exception):
    """The Pagefind index is not in the format this module knows."""


def build_search_index(site: Path) -> None:
    """Run Pagefind on ``site``, then re-split its word index."""
    run = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("pagefind failed:\n" + (run.stderr or run.stdout)[-4000:])
    try:
        rechunk(site / "pagefind")
    except IndexFormatError as err:
        print(f"warning: search index left as Pagefind wrote it: {err}", file=sys.stderr)


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


def rechunk(bundle: Path, limit: int = CHUNK_BYTES) -> None:
    """Re-split every language's word index in the Pagefind ``bundle`` directory."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    index = bundle / "index"
    workers = min(2, os.cpu_count() or 1)
    for lang, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta_body = _unpack(meta_path)
        meta = cbor2.loads(meta_body)
        if cbor2.dumps(meta) != meta_body:
            raise IndexFormatError(f"{meta_path.name}: does not re-encode byte for byte")
        old = meta[META_CHUNKS]
        if not all(isinstance(c, list) and len(c) == 3 for c in old):
            raise IndexFormatError(f"{meta_path.name}: unexpected chunk list")
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(read_words, [index / f"{name}.pf_index" for _, _, name in old]))
            words = [w for part in parts for w in part]
            if any(a[0] >= b[0] for a, b in zip(words, words[1:], strict=False)):
                raise IndexFormatError(f"{lang}: the words are not in order")
            chunks = split_words(words, limit)
            names = list(pool.map(_write_chunk, [(index, f"{lang}_", c) for c in chunks]))
        for _, _, name in old:
            if name not in names:
                (index / f"{name}.pf_index").unlink()
        meta[META_CHUNKS] = [[lo, hi, n] for (lo, hi), n in zip(chunk_bounds(chunks), names, strict=True)]
        info["hash"] = _pack(bundle, f"pagefind.{lang}_", cbor2.dumps(meta), 10, ".pf_meta")[len("pagefind."):]
        if meta_path.name != f"pagefind.{info['hash']}.pf_meta":
            meta_path.unlink()
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
