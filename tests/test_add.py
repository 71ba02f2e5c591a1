"""`chidao add` and `chidao read`: originals kept byte for byte with their hash and source
URL, exact duplicates refused by name of the existing record, readings kept by hash."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest

from chidao.cli import main
from chidao.ingest.source import DerivedStore
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seeds" / "004_5269f2b5e92c176f.txt"


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """An empty project root with the schemas (what a build needs besides sources)."""
    (tmp_path / "datapackage" / "sources").mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path


def test_add_copies_the_original_unchanged_and_keeps_its_url(archive, capsys):
    assert main(["add", str(SEED), "--source-url", "https://example.org/cv.txt", "--root", str(archive)]) == 0
    copied = archive / "datapackage" / "sources" / SEED.name
    assert copied.read_bytes() == SEED.read_bytes()
    sha = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert DerivedStore(archive / "datapackage" / "derived").meta(sha)["source_url"] == "https://example.org/cv.txt"
    out = capsys.readouterr()
    assert f"sources/{SEED.name}" in out.out and "text/plain, text" in out.out
    assert "1/1" in out.err  # progress
    assert main(["build", "--root", str(archive), "--no-site"]) == 0
    doc = json.loads((archive / "datapackage" / "json" / "documents.json").read_text("utf-8"))[0]
    assert doc["source_url"] == "https://example.org/cv.txt" and doc["text_method"] == "text"
    assert doc["media_type"] == "text/plain" and doc["page_count"] is None


def test_add_refuses_an_exact_duplicate_naming_the_record(archive, capsys):
    assert main(["add", str(SEED), "--root", str(archive)]) == 0
    assert main(["build", "--root", str(archive), "--no-site"]) == 0
    renamed = archive / "copy.txt"
    renamed.write_bytes(SEED.read_bytes())
    capsys.readouterr()
    assert main(["add", str(renamed), "--root", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "already in the archive" in err and "record thua-thien-hue-2021-11-23-cd-" in err
    assert sorted(p.name for p in (archive / "datapackage" / "sources").iterdir()) == [SEED.name]


def test_add_a_missing_file_is_a_clear_error(archive, capsys):
    assert main(["add", str(archive / "nope.pdf"), "--root", str(archive)]) == 1
    assert "nope.pdf: no such file" in capsys.readouterr().err


def test_add_downloads_a_url(archive, tmp_path, capsys):
    served = tmp_path / "www"
    served.mkdir()
    shutil.copy(SEED, served / "cong-dien.txt")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/cong-dien.txt"
        assert main(["add", url, "--root", str(archive)]) == 0
        missing = f"http://127.0.0.1:{server.server_port}/missing.pdf"
        assert main(["add", missing, "--root", str(archive)]) == 1
    finally:
        server.shutdown()
    err = capsys.readouterr().err
    assert "missing.pdf: cannot download" in err
    added = archive / "datapackage" / "sources" / "cong-dien.txt"
    assert added.read_bytes() == SEED.read_bytes()
    sha = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert DerivedStore(archive / "datapackage" / "derived").meta(sha)["source_url"] == url


def test_read_rejects_a_bad_shard(archive, capsys):
    assert main(["read", "--shard", "4/4", "--root", str(archive)]) == 2
    assert "expected K/N" in capsys.readouterr().err
