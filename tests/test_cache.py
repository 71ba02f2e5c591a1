"""The cache of extracted records and coded measures (chidao.fingerprint.Cache): one SQLite
file, keyed by what made an entry (the code's fingerprint) and what it was made from."""

import shutil
import sqlite3

from chidao.codebook import coder
from chidao.extract import runner
from chidao.fingerprint import Cache, cache_at
from chidao.package.write import cache_file, extract_sources
from conftest import FIXTURES

SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))


def test_entries_round_trip_and_old_namespaces_go(tmp_path):
    Cache.prepare(tmp_path / "c.sqlite")
    cache = Cache(tmp_path / "c.sqlite")
    cache.put([("extract/old", "k", b'{"a": 1}'), ("extract/new", "k", b'{"a": 2}'), ("codebook/x", "k", b"[3]")])
    assert cache.get("extract/new", "k") == {"a": 2} and cache.get("extract/new", "missing") is None
    cache.keep_only(["extract/new"], "extract/")
    assert cache.get("extract/old", "k") is None and cache.get("extract/new", "k") == {"a": 2}
    assert cache.get("codebook/x", "k") == [3]  # another prefix is left alone


def test_an_unreadable_cache_is_set_aside(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"not a database, a torn copy" * 100)
    Cache.prepare(path)
    cache = Cache(path)
    assert cache.get("extract/x", "k") is None
    assert (tmp_path / "c.sqlite.unreadable").exists()
    cache.put([("extract/x", "k", b"1")])
    assert sqlite3.connect(path).execute("SELECT count(*) FROM entries").fetchone() == (1,)


def _sources(tmp_path):
    src = tmp_path / "sources"
    src.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, src / seed.name)
    return src


def test_a_rebuild_reads_records_and_codes_from_the_cache(tmp_path, monkeypatch):
    src, db = _sources(tmp_path), cache_file(tmp_path)
    first = extract_sources(src, db)
    rows = sqlite3.connect(db).execute("SELECT namespace, count(*) FROM entries GROUP BY namespace").fetchall()
    assert dict(rows) == {runner.namespace(): len(SEEDS), coder.namespace(): len(SEEDS)}

    def fail(*args, **kwargs):
        raise AssertionError("read again, not taken from the cache")

    monkeypatch.setattr(runner, "extract_bytes", fail)
    monkeypatch.setattr(coder, "_coded", fail)
    again = extract_sources(src, db)
    assert again == first


def test_a_changed_extractor_reads_every_source_again(tmp_path, monkeypatch):
    src, db = _sources(tmp_path), cache_file(tmp_path)
    extract_sources(src, db)
    monkeypatch.setattr(runner, "fingerprint", lambda: "another-version")
    read = []
    extract = runner.extract_bytes
    monkeypatch.setattr(runner, "extract_bytes", lambda data, name, *a: read.append(name) or extract(data, name, *a))
    extract_sources(src, db)
    assert sorted(read) == sorted(p.name for p in SEEDS)
    namespaces = {ns for (ns,) in cache_at(db).db.execute("SELECT DISTINCT namespace FROM entries")}
    assert namespaces == {"extract/another-version", coder.namespace()}  # the old records are gone


def test_workers_share_a_new_cache_file(tmp_path):
    """Two workers open the cache file the parent has just made: none finds it without its table."""
    src = tmp_path / "sources"
    src.mkdir()
    for k in range(runner.PARALLEL_FROM + 8):  # enough sources to be read by the worker processes
        seed = SEEDS[k % len(SEEDS)]
        text = seed.read_text("utf-8").replace("Số", f"Số {k}", 1) if k >= len(SEEDS) else seed.read_text("utf-8")
        (src / f"{k:03d}_{seed.name}").write_text(text, "utf-8")
    first = extract_sources(src, cache_file(tmp_path))
    assert sum(len(group) for group in first) == runner.PARALLEL_FROM + 8


def test_a_rebuild_of_many_sources_takes_cached_records_in_this_process(tmp_path, monkeypatch):
    """With enough sources to be read by worker processes, the cached ones are read here (no
    worker needed when all are), one changed source goes to a worker, and what comes out is
    what a clean extraction gives."""
    src = tmp_path / "sources"
    src.mkdir()
    for k in range(runner.PARALLEL_FROM + 8):
        seed = SEEDS[k % len(SEEDS)]
        (src / f"{k:03d}_{seed.name}").write_text(seed.read_text("utf-8").replace("Số", f"Số {k}", 1), "utf-8")
    db = cache_file(tmp_path)
    first = extract_sources(src, db)

    class NoPool:
        def __init__(self, *args, **kwargs):
            raise AssertionError("a worker started though every record is cached")

    with monkeypatch.context() as m:
        m.setattr(runner, "ProcessPoolExecutor", NoPool)
        assert extract_sources(src, db) == first
    changed = src / f"{runner.PARALLEL_FROM:03d}_{SEEDS[runner.PARALLEL_FROM % len(SEEDS)].name}"
    changed.write_text(changed.read_text("utf-8").replace("Số", "Số (xyzzy)", 1), "utf-8")
    again = extract_sources(src, db)
    clean = extract_sources(src, tmp_path / "clean.sqlite")
    assert again == clean and again != first
