"""The Pagefind index re-split by size (chidao.site.searchindex): same words, same positions,
smaller chunks, found by Pagefind's own lookup, and searchable in Chromium."""

import functools
import gzip
import http.server
import shutil
import subprocess
import sys
import threading

import cbor2
import pytest

from chidao.site.searchindex import CHUNK_BYTES, IndexFormatError, build_search_index, read_words, rechunk
from conftest import DOC_003


def index_words(bundle):
    """Every (word, entry bytes) of the word index, and the chunk list of the metadata."""
    meta = next(bundle.glob("pagefind.*.pf_meta"))
    chunks = cbor2.loads(gzip.decompress(meta.read_bytes())[len(b"pagefind_dcd"):])[2]
    words = {}
    for _, _, name in chunks:
        for word, entry in read_words(bundle / "index" / f"{name}.pf_index"):
            words[word] = (entry, name)
    return words, chunks


def pagefind_lookup(chunks, term):
    """The chunks Pagefind's search code loads for ``term`` (pagefind_web request_indexes):
    those whose bounds hold it, else those whose bounds hold it cut to their length."""
    strict = [c[2] for c in chunks if c[0] <= term <= c[1]]
    if strict:
        return strict
    return [c[2] for c in chunks
            if term[:len(c[0])] >= c[0][:len(term)] and term[:len(c[1])] <= c[1][:len(term)]]


@pytest.fixture(scope="module")
def pagefind_plain(site, tmp_path_factory):
    """The site indexed by Pagefind alone, as it writes its index."""
    copy = tmp_path_factory.mktemp("plain") / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(copy), "--silent"], check=True)
    return copy


def test_rechunk_keeps_every_word_and_position(pagefind_plain, tmp_path):
    bundle = tmp_path / "pagefind"
    shutil.copytree(pagefind_plain / "pagefind", bundle)
    before, old_chunks = index_words(bundle)
    rechunk(bundle, limit=4096)
    after, chunks = index_words(bundle)
    assert {w: e for w, (e, _) in after.items()} == {w: e for w, (e, _) in before.items()}
    assert len(chunks) > 3 * len(old_chunks)
    sizes = {}
    for entry, name in after.values():
        sizes.setdefault(name, []).append(len(entry))
    for name, entries in sizes.items():  # closed once past the limit: the last word may overrun
        assert sum(entries[:-1]) < 4096, name
    for word, (_, name) in after.items():  # Pagefind's lookup finds each word's chunk
        assert name in pagefind_lookup(chunks, word), word
    # no file is left that the metadata does not name
    assert {p.stem for p in (bundle / "index").iterdir()} == {c[2] for c in chunks}
    assert len(list(bundle.glob("pagefind.*.pf_meta"))) == 1


def test_the_built_site_carries_the_resplit_index(site, pagefind_plain):
    words, chunks = index_words(site / "pagefind")
    plain, _ = index_words(pagefind_plain / "pagefind")
    assert {w: e for w, (e, _) in words.items()} == {w: e for w, (e, _) in plain.items()}
    for _, _, name in chunks:
        entries = read_words(site / "pagefind" / "index" / f"{name}.pf_index")
        assert sum(len(e) for _, e in entries[:-1]) < CHUNK_BYTES


def test_an_unknown_format_is_left_as_pagefind_wrote_it(pagefind_plain, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(pagefind_plain, site)
    bundle = site / "pagefind"
    victim = sorted((bundle / "index").iterdir())[0]
    victim.write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps({"not": "a word list"})))
    files = {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    with pytest.raises(IndexFormatError, match=victim.name):
        rechunk(bundle)
    assert {p: p.read_bytes() for p in bundle.rglob("*") if p.is_file()} == files


def test_build_search_index_warns_and_keeps_pagefinds_index(pagefind_plain, tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    shutil.copytree(pagefind_plain, site, ignore=shutil.ignore_patterns("pagefind"))

    def broken(bundle, limit=None):
        raise IndexFormatError("index/vi_0000000.pf_index: unexpected shape")

    monkeypatch.setattr("chidao.site.searchindex.rechunk", broken)
    build_search_index(site)
    assert "left as Pagefind wrote it" in capsys.readouterr().err
    assert any((site / "pagefind" / "index").iterdir())


@pytest.mark.parametrize("query,shown,expect", [
    ("phong chong dich", "phòng", None),
    ("dong chi Tran Tien Dung", "Trần Tiến Dũng", DOC_003),
])
def test_search_works_on_small_chunks(pagefind_plain, tmp_path, browser, query, shown, expect):
    """Many small chunks, so each query word is looked up among them in the browser."""
    site = tmp_path / "site"
    shutil.copytree(pagefind_plain, site)
    rechunk(site / "pagefind", limit=2048)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/tim-kiem/")
        page.fill("#cd-search input", query)
        page.wait_for_function(
            "shown => [...document.querySelectorAll('.pagefind-ui__result')].some(r => r.innerText.includes(shown))",
            arg=shown, timeout=20_000)
        if expect:
            links = page.eval_on_selector_all(".pagefind-ui__result a", "as => as.map(a => a.href)")
            assert any(expect in h for h in links)
    finally:
        page.close()
        server.shutdown()
