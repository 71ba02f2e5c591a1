"""The seed directives rendered as the archive really receives them (Word-export PDF, scan
with a seal, a stamp and a number filled in by hand, scan under a garbage text layer, .docx
with a header table, a portal's HTML page) read to the same records as their plain texts,
field by field; OCR noise is allowed only in the fields each test names. Bad PDFs are
listed rejections, and nothing else in the archive is lost."""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest

import make_formats as mf
from chidao.cli import main
from chidao.extract import extract_bytes, extract_file
from chidao.ingest.source import DerivedStore
from chidao.ingest.textnorm import SourceError
from conftest import ROOT

SEEDS = mf.seed_paths()
FIELDS = ["province", "province_code", "issuer", "issuer_parent", "issuer_kind", "issuer_level", "district",
          "acting_body", "doc_type", "doc_type_code", "number", "symbol", "date_issued", "date_precision", "place",
          "subject", "urgency", "recipients", "signing_authority", "signer_title", "signer_name", "distribution"]
# A scan's number is filled in by hand over a blank: OCR cannot read it, so the number is null
# and the symbol is the blank-number form or null; what was derived from the symbol may be null.
HAND_FILLED = {"number", "symbol", "doc_type", "doc_type_code"}
FROM_SYMBOL = {"issuer", "issuer_kind", "issuer_level"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _same_record(got: dict, want: dict) -> None:
    assert {f: got[f] for f in FIELDS} == {f: want[f] for f in FIELDS}
    assert [(i["number"], _squash(i["text"])) for i in got["items"]] == \
           [(i["number"], _squash(i["text"])) for i in want["items"]]


@pytest.mark.parametrize("kind, render, method", [
    ("pdf", mf.render_text_pdf, "text_layer"), ("docx", mf.render_docx, "docx"), ("html", mf.render_html, "html")])
@pytest.mark.parametrize("seed", SEEDS, ids=[p.name[:3] for p in SEEDS])
def test_exported_formats_read_to_the_plain_text_record(seed, kind, render, method):
    got = extract_bytes(render(mf.seed_text(seed)), f"{seed.stem}.{kind}")
    assert got["reading"]["method"] == method
    _same_record(got, extract_file(seed))
    if kind == "pdf":
        assert got["reading"]["page_count"] >= 1 and got["reading"]["ocr_confidence"] is None
        assert {p["method"] for p in got["reading"]["pages"]} == {"text_layer"}


def _check_scan(got: dict, want: dict, allowed: set[str]) -> None:
    assert got["number"] is None, "a number filled in by hand and not read is null, never a guess"
    assert got["symbol"] in (None, want["symbol"] if not want["number"] else None) or \
        got["symbol"] == re.sub(r"^\d+[-/]?", "", want["symbol"] or "")
    for f in FIELDS:
        if f not in allowed:
            assert got[f] == want[f], f
        else:
            assert got[f] in (None, want[f]) or f in ("symbol",), f
    assert [i["number"] for i in got["items"]] == [i["number"] for i in want["items"]], "an item was lost"
    for a, b in zip(got["items"], want["items"], strict=True):
        ratio = difflib.SequenceMatcher(None, _squash(a["text"]), _squash(b["text"]), autojunk=False).ratio()
        assert ratio > 0.95, (a["number"], ratio)
    reading = got["reading"]
    assert reading["ocr_confidence"] is not None and reading["ocr_confidence"] > 85
    assert all(p["method"] == "ocr" and p["psm"] is not None for p in reading["pages"] if p["text_quality"] is None)


@pytest.mark.ocr
@pytest.mark.parametrize("seed, render, allowed", [
    (SEEDS[0], lambda t: mf.render_scan_pdf(t, rotate=1.5), HAND_FILLED),  # seal over a paragraph, stamp, skew
    (SEEDS[1], mf.render_garbage_pdf, HAND_FILLED),  # a scan whose text layer is mojibake
    (SEEDS[2], mf.render_scan_pdf, HAND_FILLED | FROM_SYMBOL),  # the scrawl covers the whole symbol
], ids=["000-seal-stamp-skew", "002-garbage-layer", "003-scan"])
def test_scans_read_to_the_plain_text_record_up_to_the_hand_filled_number(seed, render, allowed):
    got = extract_bytes(render(mf.seed_text(seed)), f"{seed.stem}.pdf")
    assert got["reading"]["method"] in ("ocr", "mixed")
    _check_scan(got, extract_file(seed), allowed)


def _root(tmp_path: Path) -> Path:
    (tmp_path / "datapackage" / "sources").mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path


def test_a_build_reads_only_the_new_original(tmp_path, monkeypatch, capsys):
    root = _root(tmp_path)
    src = root / "datapackage" / "sources"
    shutil.copy(SEEDS[0], src / SEEDS[0].name)
    (src / "cong-dien.pdf").write_bytes(mf.render_text_pdf(mf.seed_text(SEEDS[3])))
    assert main(["build", "--root", str(root), "--no-site"]) == 0
    store = DerivedStore(root / "datapackage" / "derived")
    sha = hashlib.sha256((src / "cong-dien.pdf").read_bytes()).hexdigest()
    assert store.meta(sha)["method"] == "text_layer" and store.text(sha)
    shutil.rmtree(root / "build")  # no extraction cache: only the kept readings spare the work

    from chidao.ingest import pdf

    calls = []
    real = pdf.read_pdf
    monkeypatch.setattr(pdf, "read_pdf", lambda data, **kw: calls.append(len(data)) or real(data, **kw))
    (src / "thong-bao.pdf").write_bytes(mf.render_text_pdf(mf.seed_text(SEEDS[2])))
    assert main(["build", "--root", str(root), "--no-site"]) == 0
    assert calls == [len((src / "thong-bao.pdf").read_bytes())], "only the new PDF is read"
    docs = {d["source_file"]: d for d in json.loads((root / "datapackage/json/documents.json").read_text("utf-8"))}
    assert docs["thong-bao.pdf"]["media_type"] == "application/pdf"
    assert docs["thong-bao.pdf"]["text_method"] == "text_layer" and docs["thong-bao.pdf"]["page_count"] >= 1
    pages = (root / "datapackage/data/source_pages.csv").read_text("utf-8").splitlines()
    assert pages[0].startswith("document_id,page,method") and any(",text_layer," in p for p in pages[1:])
    assert main(["check-fresh", "--root", str(root)]) == 0


BAD = {  # name -> (bytes, rejection kind)
    "encrypted.pdf": (lambda: mf.encrypted_pdf(mf.seed_text(SEEDS[0])), "encrypted"),
    "truncated.pdf": (lambda: mf.truncated_pdf(mf.seed_text(SEEDS[0])), "damaged"),
    "zero-pages.pdf": (mf.zero_page_pdf, None),
    "500-pages.pdf": (mf.many_pages_pdf, "too_many_pages"),
    "bomb.pdf": (mf.huge_page_pdf, "page_too_large"),
    "bien-ban.pdf": (mf.minutes_pdf, "not_directive"),
}


def test_bad_pdfs_are_listed_rejections_and_nothing_else_is_lost(tmp_path):
    root = _root(tmp_path)
    src = root / "datapackage" / "sources"
    shutil.copy(SEEDS[3], src / SEEDS[3].name)
    for name, (make, _) in BAD.items():
        (src / name).write_bytes(make())
    start = time.monotonic()
    assert main(["build", "--root", str(root), "--no-site"]) == 1  # rejections stop a build...
    assert main(["build", "--root", str(root), "--no-site", "--allow-rejects"]) == 0  # ...unless allowed
    assert time.monotonic() - start < 120
    rows = {r.split(",")[0]: r for r in (root / "datapackage/data/rejections.csv").read_text("utf-8").splitlines()[1:]}
    assert set(rows) == set(BAD)
    for name, (_, kind) in BAD.items():
        if kind:
            assert f",{kind}," in rows[name], rows[name]
    assert ",biên bản" in rows["bien-ban.pdf"] or "minutes" in rows["bien-ban.pdf"]
    docs = json.loads((root / "datapackage/json/documents.json").read_text("utf-8"))
    assert [d["source_file"] for d in docs] == [SEEDS[3].name]
    with (root / "datapackage/data/sources.csv").open(encoding="utf-8") as fh:
        status = {r["file"]: (r["status"], r["media_type"]) for r in csv.DictReader(fh)}
    assert status == {SEEDS[3].name: ("record", "text/plain"), **{n: ("rejected", "application/pdf") for n in BAD}}


def test_a_doc_file_without_libreoffice_is_a_clear_rejection(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    with pytest.raises(SourceError) as exc:
        extract_bytes(ole2, "cong-van.doc")
    assert exc.value.kind == "unsupported" and "LibreOffice" in exc.value.reason and exc.value.hint


def test_windows_1258_text_reads_to_the_same_record():
    from test_ingest_formats import encode_cp1258

    text = mf.seed_text(SEEDS[3])
    got = extract_bytes(encode_cp1258(text), "cp1258.txt")
    assert "not UTF-8: read as Windows-1258 (Vietnamese)" in got["warnings"]
    _same_record(got, extract_file(SEEDS[3]))


def test_add_prints_what_it_read(tmp_path, capsys):
    root = _root(tmp_path)
    pdf_file = tmp_path / "cong-dien.pdf"
    pdf_file.write_bytes(mf.render_text_pdf(mf.seed_text(SEEDS[3])))
    assert main(["add", str(pdf_file), "--root", str(root), "--source-url", "https://example.org/cd.pdf"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"sources/cong-dien\.pdf .*application/pdf, \d+ pages?, text_layer", out), out
    assert main(["add", str(pdf_file), "--root", str(root)]) == 1
    assert "already in the archive" in capsys.readouterr().err


def test_document_page_says_how_its_text_was_read(tmp_path, monkeypatch):
    """A scan's kept reading (as `chidao read` leaves it) is used without OCR; the page shows
    the method and confidence, marks the uncertain words, and links a large original at its
    source URL instead of copying it into the site."""
    from chidao.package.write import build_package, swap_in
    from chidao.site.build import build_site
    from chidao.site.families import documents, downloads

    root = _root(tmp_path / "root")
    src = root / "datapackage" / "sources"
    shutil.copy(SEEDS[0], src / SEEDS[0].name)
    scan = mf.render_scan_pdf(mf.seed_text(SEEDS[3]))
    (src / "cong-dien-scan.pdf").write_bytes(scan)
    sha = hashlib.sha256(scan).hexdigest()
    text = mf.seed_text(SEEDS[3])
    pages = [{"number": 1, "method": "ocr", "chars": len(text), "text_quality": None, "ocr_confidence": 91.0,
              "uncertain_words": ["Huế"], "psm": 6, "rotation": 0}]
    store = DerivedStore(root / "datapackage" / "derived")
    store.save(sha, {"sha256": sha, "reader": 1, "media_type": "application/pdf", "method": "ocr", "pages": pages,
                     "notes": [], "source_url": "https://example.org/cong-dien.pdf"}, text)
    from chidao.ingest import pdf

    monkeypatch.setattr(pdf, "read_pdf", lambda *a, **k: pytest.fail("a kept reading must not be read again"))
    swap_in(build_package(root), root / "datapackage")
    cap = (src / SEEDS[0].name).stat().st_size + 1  # the text is copied, the scan is not
    monkeypatch.setattr(documents, "SITE_ORIGINAL_MAX", cap)
    monkeypatch.setattr(downloads, "SITE_ORIGINAL_MAX", cap)
    site = build_site(ROOT, root / "datapackage", tmp_path / "site")
    doc = next(d for d in json.loads((root / "datapackage/json/documents.json").read_text("utf-8"))
               if d["source_file"] == "cong-dien-scan.pdf")
    assert (doc["text_method"], doc["page_count"], doc["ocr_confidence"]) == ("ocr", 1, 91.0)
    page = (site / "van-ban" / doc["id"] / "index.html").read_text("utf-8")
    assert "Đọc bằng OCR, độ tin cậy 91 %" in page and 'mark class="cd-uncertain">Huế</mark>' in page
    assert 'href="https://example.org/cong-dien.pdf"' in page
    assert not (site / "du-lieu/files/sources/cong-dien-scan.pdf").exists()
    assert (site / "du-lieu/files/sources" / SEEDS[0].name).exists()
