"""The cache of extracted records and coded measures (chidao.fingerprint.Cache): one SQLite
file, keyed by what made an entry (the code's fingerprint) and what it was made from."""

import shutil
import sqlite3

from chidao.codebook import coder
from chidao.extract import runner
from chidao.fingerprint import Cache, cache_at
from chidao.package import write
from chidao.package.write import cache_file, extract_sources
from conftest import FIXTURES, ROOT

RECORD_PARTS = write.record_parts

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


def test_get_many_gives_what_get_gives(tmp_path):
    Cache.prepare(tmp_path / "c.sqlite")
    cache = Cache(tmp_path / "c.sqlite")
    cache.put([("ns", f"k{n:02d}", f'{{"n": {n}}}'.encode()) for n in range(30)] + [("other", "k01", b"[0]")])
    keys = ["k07", "k29", "missing", "k07", "k00"]
    assert cache.get_many("ns", keys) == {k: cache.get("ns", k) for k in keys if cache.get("ns", k) is not None}
    assert cache.get_many("ns", []) == {}


def _many_sources(tmp_path, count=24):
    src = tmp_path / "root" / "datapackage" / "sources"
    src.mkdir(parents=True)
    for k in range(count):
        seed = SEEDS[k % len(SEEDS)]
        (src / f"{k:03d}_{seed.name}").write_text(seed.read_text("utf-8").replace("Số", f"Số {k + 1}", 1), "utf-8")
    shutil.copytree(ROOT / "schemas", tmp_path / "root" / "schemas")
    return tmp_path / "root", src


def _package_files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(root, monkeypatch, made):
    """build_package then swap_in, counting the records whose rows were formatted (not copied)."""
    with monkeypatch.context() as m:
        m.setattr(write, "record_parts", lambda r, formats: made.append(r["id"]) or RECORD_PARTS(r, formats))
        built = write.build_package(root)
    write.swap_in(built, root / "datapackage")
    return _package_files(root / "datapackage" / "data") | {
        f"json/{k}": v for k, v in _package_files(root / "datapackage" / "json").items()} | {
        "datapackage.json": (root / "datapackage" / "datapackage.json").read_bytes()}


def test_a_rebuild_copies_the_rows_of_unchanged_records_from_the_published_package(tmp_path, monkeypatch):
    """After one changed source, only that record's rows are formatted again; the others are
    copied from the published package as the last build's notes place them; and the package is
    byte for byte a clean build's. A published file touched since is not trusted."""
    root, src = _many_sources(tmp_path)
    first_made, again_made, touched_made = [], [], []
    first = _build(root, monkeypatch, first_made)
    records = first["documents.csv"].count(b"\n") - 1  # (a seed without "Số" is copied as duplicates)
    assert len(first_made) == records > 12
    changed = next(p for p in sorted(src.iterdir()) if "Số (" not in p.read_text("utf-8") and "Số 6" in p.read_text("utf-8"))
    changed.write_text(changed.read_text("utf-8").replace("Số", "Số (xyzzy)", 1), "utf-8")
    again = _build(root, monkeypatch, again_made)
    assert len(again_made) == 1 and again != first
    clean_root, clean_src = _many_sources(tmp_path / "clean")
    shutil.copy(changed, clean_src / changed.name)
    assert _build(clean_root, monkeypatch, []) == again
    items = root / "datapackage" / "data" / "items.csv"
    items.write_bytes(items.read_bytes())  # the same bytes, but another file: the notes no longer hold
    assert _build(root, monkeypatch, touched_made) == again and len(touched_made) == records
    # one source removed: every later record moves, and is still copied, not formatted
    gone = sorted(src.iterdir())[2]
    gone.unlink()
    (clean_src / gone.name).unlink()
    removed_made = []
    (clean_root / "build" / "cache" / "package-notes.json").unlink()  # (a clean build of what is left)
    assert _build(root, monkeypatch, removed_made) == _build(clean_root, monkeypatch, []) != again
    assert removed_made == []
