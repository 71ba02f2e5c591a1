"""The benchmark script keeps working (run once at a small N; the numbers are in docs/benchmark.md)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CHROMIUM, ROOT


def test_bench_runs_at_small_n(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "30", "--runs", "1",
                          "--json", str(tmp_path / "r.json"), "--out", str(tmp_path / "r.md")],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    [r] = json.loads((tmp_path / "r.json").read_text())
    assert r["n"] == 30 and r["median"]["total"] > 0 and r["docs_per_s"] > 0
    assert all(r["median"][s] > 0 for s in ("extract", "package", "validate", "pages", "site", "search"))
    assert 0 < r["page_kb_max"] < 60 and 0 < r["search_kb"] < 1024
    report = (tmp_path / "r.md").read_text()
    assert report.startswith("Machine: ") and "| 30 |" in report


def test_readme_shows_the_committed_benchmark():
    report = (ROOT / "docs" / "benchmark.md").read_text("utf-8")
    results = json.loads((ROOT / "docs" / "benchmark.json").read_text("utf-8"))
    readme = (ROOT / "README.md").read_text("utf-8")
    assert report.strip() in readme
    assert [r["n"] for r in results] == [100, 1000, 5000, 10000]
    for r in results:
        assert f"| {r['n']:,} |" in report and f"{r['search_kb']:.0f} KB |" in report


def test_readme_shows_the_committed_ingest_benchmark():
    report = (ROOT / "docs" / "benchmark-ingest.md").read_text("utf-8")
    results = json.loads((ROOT / "docs" / "benchmark-ingest.json").read_text("utf-8"))
    assert report.strip() in (ROOT / "README.md").read_text("utf-8")
    assert {r["mode"] for r in results} >= {"text_layer", "docx", "html", "ocr", "garbage", "parallel-2", "bad"}
    assert "per OCR page" in report and "per text-layer page" in report
