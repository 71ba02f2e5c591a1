#!/usr/bin/env python3
"""Benchmark of the whole pipeline on synthetic corpora (scripts/synth.py), outside the repo.

For each N it builds the corpus, then runs every stage — extract, package, validate, pages,
site (mkdocs), search index (Pagefind) — several times and reports the median wall time,
documents per second, peak memory, site size, the size of a document page and the bytes a
visitor downloads for one search (measured in Chromium). It also times a rebuild after one
source changed, with the extraction cache warm. Results go to a Markdown table.

    python scripts/bench.py --sizes 100 1000 5000 10000 --runs 3 --out docs/benchmark.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chidao.package.validate import validate_package  # noqa: E402
from chidao.package.write import extract_sources, swap_in, write_package  # noqa: E402
from chidao.site.build import inject_bodies, inject_documents  # noqa: E402
from chidao.site.pages import write_pages  # noqa: E402
from chidao.site.searchindex import build_search_index  # noqa: E402
from synth import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["extract", "package", "validate", "pages", "site", "search"]


def make_root(tmp: Path, n: int) -> Path:
    root = tmp / f"n{n}"
    generate(n, root / "datapackage" / "sources")
    for part in ("schemas", "docs"):
        shutil.copytree(ROOT / part, root / part)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


def run_pipeline(root: Path, cache: bool) -> dict[str, float]:
    """One full build; seconds per stage. ``cache``: reuse cached extraction records."""
    t: dict[str, float] = {}
    dp = root / "datapackage"
    clock = time.perf_counter()
    extracted = extract_sources(dp / "sources", root / "build" / "cache" / "extract" if cache else None)
    t["extract"] = time.perf_counter() - clock
    clock = time.perf_counter()
    built = write_package(root, *extracted)
    t["package"] = time.perf_counter() - clock
    clock = time.perf_counter()
    problems = validate_package(built, sources=dp / "sources")
    t["validate"] = time.perf_counter() - clock
    if problems:
        raise SystemExit(f"validation failed: {problems[:5]}")
    swap_in(built, dp)
    clock = time.perf_counter()
    write_pages(dp, root / "build" / "site-src", root / "docs", root / "build" / "downloads", root / "build" / "doc-pages")
    t["pages"] = time.perf_counter() - clock
    site = root / "site"
    if site.exists():
        shutil.rmtree(site)
    clock = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(root / "mkdocs.yml"),
                    "-d", str(site)], check=True, cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    inject_bodies(site, root / "build" / "page-bodies")
    inject_documents(site, root / "build" / "doc-pages")
    shutil.copytree(root / "build" / "downloads", site / "du-lieu" / "files")
    t["site"] = time.perf_counter() - clock
    clock = time.perf_counter()
    build_search_index(site)
    t["search"] = time.perf_counter() - clock
    t["total"] = sum(t[s] for s in STAGES)
    return t


def peak_rss_mb() -> float:
    """Peak resident memory of this process or of the largest child so far (MkDocs, Pagefind,
    extraction workers), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def search_bytes(site: Path, query: str = "phong chong dich") -> int:
    """Bytes a visitor's browser downloads from /pagefind/ for one search in Chromium, counted
    by the server (the browser does not report a worker's script), files served uncompressed."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    served: dict[str, int] = {}

    class Counting(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            super().do_GET()
            path = Path(self.translate_path(self.path))
            if "/pagefind/" in self.path and path.is_file():
                served[self.path.split("?")[0]] = path.stat().st_size

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Counting, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"])
            pg = b.new_page()
            pg.goto(base + "tim-kiem/")
            pg.fill("#cd-search input", query)
            pg.wait_for_function(RESULTS_SHOWN, timeout=60_000)
            pg.wait_for_timeout(1000)
            b.close()
    finally:
        server.shutdown()
    return sum(served.values())


# Pagefind's UI has shown its result count and the first result's excerpt.
RESULTS_SHOWN = ("document.querySelector('.pagefind-ui__message') && "
                 "/\\d/.test(document.querySelector('.pagefind-ui__message').textContent) && "
                 "document.querySelector('.pagefind-ui__result-excerpt') && "
                 "document.querySelector('.pagefind-ui__result-excerpt').textContent.length > 0")


def measure(n: int, runs: int, tmp: Path) -> dict:
    root = make_root(tmp, n)
    times = [run_pipeline(root, cache=False) for _ in range(runs)]
    # a rebuild after one source changed, extraction cache warm
    run_pipeline(root, cache=True)
    first = sorted((root / "datapackage" / "sources").glob("*.txt"))[0]
    first.write_text(first.read_text("utf-8").replace("yêu cầu", "đề nghị", 1), encoding="utf-8")
    rebuild = run_pipeline(root, cache=True)
    peak = peak_rss_mb()  # before the browser starts: its memory is not the pipeline's
    site = root / "site"
    pages = sorted(p.stat().st_size for p in (site / "van-ban").glob("*/index.html"))
    med = {s: statistics.median(t[s] for t in times) for s in [*STAGES, "total"]}
    return {
        "n": n, "runs": runs, "median": med, "rebuild_total": rebuild["total"],
        "rebuild_extract": rebuild["extract"], "docs_per_s": n / med["total"],
        "extract_docs_per_s": n / med["extract"], "peak_rss_mb": peak,
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20,
        "page_kb_median": statistics.median(pages) / 1024, "page_kb_max": pages[-1] / 1024,
        "search_kb": search_bytes(site) / 1024,
    }


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 2**20 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB; Python {platform.python_version()}, "
            f"mkdocs {version('mkdocs')}, mkdocs-material {version('mkdocs-material')}, "
            f"pagefind {version('pagefind')}, frictionless {version('frictionless')}")


def table(results: list[dict]) -> str:
    head = ("| N | extract | package | validate | pages | site (mkdocs) | search index | **total** | docs/s "
            "| extract docs/s | rebuild after 1 change | peak memory | site size | document page (median / max) "
            "| one search downloads |")
    lines = [head, "|" + "---|" * 15]
    for r in results:
        m = r["median"]
        lines.append(
            f"| {r['n']:,} | {m['extract']:.1f} s | {m['package']:.1f} s | {m['validate']:.1f} s | {m['pages']:.1f} s "
            f"| {m['site']:.1f} s | {m['search']:.1f} s | **{m['total']:.1f} s** | {r['docs_per_s']:.0f} "
            f"| {r['extract_docs_per_s']:.0f} | {r['rebuild_total']:.1f} s ({r['rebuild_total'] / m['total']:.0%}) "
            f"| {r['peak_rss_mb']:.0f} MB | {r['site_mb']:.0f} MB | {r['page_kb_median']:.0f} / {r['page_kb_max']:.0f} KB "
            f"| {r['search_kb']:.0f} KB |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (the median is reported)")
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="chidao-bench-") as tmp:
        for n in args.sizes:
            r = measure(n, args.runs, Path(tmp))
            results.append(r)
            print(table([r]).splitlines()[-1], flush=True)
            shutil.rmtree(Path(tmp) / f"n{n}")
    report = table(results)
    print(report)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.out:
        args.out.write_text(f"Machine: {machine()}.\n\n{report}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
