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
    out_md = tmp_path / "r.md"
    out_md.write_text("Intro kept.\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\n## Kept after\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--sizes", "30", "--runs", "1",
                          "--json", str(tmp_path / "r.json"), "--out", str(out_md)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    [r] = json.loads((tmp_path / "r.json").read_text())
    assert r["n"] == 30 and r["median"]["total"] > 0 and r["docs_per_s"] > 0
    stages = ("extract", "package", "validate", "pages", "site", "search")
    assert all(r["median"][s] > 0 and r["peak_mb"][s] > 0 for s in stages)
    assert 0 < r["largest_kb"]["document"][0] < 60 and r["parts_mb"]["document pages"] > 0
    assert {"catalogue", "tinh", "bien-phap", "so-sanh"} <= set(r["largest_kb"])
    assert all(0 < kb < 1024 for kb in r["search_kb"].values()) and len(r["search_kb"]) == 2
    assert r["rebuild_total"] == max(r["rebuilds"].values()) > 0 and set(r["rebuilds"]) == {"changed", "added", "removed"}
    assert len(r["totals"]) == 1
    report = out_md.read_text()
    assert report.startswith("Intro kept.") and report.rstrip().endswith("## Kept after") and "old" not in report
    assert "| extract |" in report and "| **whole site** |" in report and "| target (2 cores) |" in report
    assert "| rebuild after one source added |" in report


def test_readme_shows_the_committed_benchmark():
    report = (ROOT / "docs" / "benchmark.md").read_text("utf-8")
    results = json.loads((ROOT / "docs" / "benchmark.json").read_text("utf-8"))
    readme = (ROOT / "README.md").read_text("utf-8")
    assert report.strip() in readme
    assert [r["n"] for r in results] == [1000, 5000, 10000]
    assert "<!-- bench:start -->" in report and "## Measure coder" in report
    for r in results:
        assert f"N = {r['n']:,}: time" in report and f"**{r['median']['total']:.1f} s**" in report
        assert all(f"{kb:.0f} KB" in report for kb in r["search_kb"].values())


def test_readme_shows_the_committed_ingest_benchmark():
    report = (ROOT / "docs" / "benchmark-ingest.md").read_text("utf-8")
    results = json.loads((ROOT / "docs" / "benchmark-ingest.json").read_text("utf-8"))
    assert report.strip() in (ROOT / "README.md").read_text("utf-8")
    assert {r["mode"] for r in results} >= {"text_layer", "docx", "html", "ocr", "garbage", "parallel-2", "bad"}
    assert "per OCR page" in report and "per text-layer page" in report
