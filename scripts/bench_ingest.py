"""Benchmark of the ingest stage: seconds per page of a PDF's text layer and of OCR, peak
memory, the OCR cost of the seed directives rendered as scans, and reading many scans on
every core. The originals are rendered by tests/make_formats.py (the test fixtures).

    python scripts/bench_ingest.py --runs 3 --out docs/benchmark-ingest.md

Each measurement runs in a fresh process, which reports its own peak RSS and that of the
Tesseract processes it started. The machine is shared and noisy: read medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


RENDER = {"text_layer": "render_text_pdf", "ocr": "render_scan_pdf", "garbage": "render_garbage_pdf",
          "docx": "render_docx", "html": "render_html"}


def _render_child(mode: str, folder: str) -> dict:
    """Render the four seeds in ``mode`` into ``folder`` (its own process: rendering a scan
    takes more memory than reading one, and must not count as the reader's)."""
    import make_formats as mf

    render = getattr(mf, RENDER[mode])
    for k, p in enumerate(mf.seed_paths()):
        data = render(mf.seed_text(p), rotate=1.5) if mode == "ocr" else render(mf.seed_text(p))
        (Path(folder) / f"{k}.bin").write_bytes(data)
    return {"mode": f"render-{mode}"}


def _child(mode: str, runs: int, folder: str) -> dict:
    """One measurement, in this process: seconds per page (every run), pages, confidence."""
    from chidao.ingest.formats import read_bytes

    files = [p.read_bytes() for p in sorted(Path(folder).glob("*.bin"))]
    per_page, pages, total, confidences = [], 0, 0.0, []
    for _ in range(runs):
        for data in files:
            t0 = time.perf_counter()
            reading = read_bytes(data)
            dt = time.perf_counter() - t0
            n = max(len(reading.pages), 1)
            per_page += [dt / n] * n
            pages += n
            total += dt
            confidences += [p.ocr_confidence for p in reading.pages if p.ocr_confidence is not None]
    return {"mode": mode, "seconds_per_page": per_page, "pages": pages // runs, "seconds_per_run": total / runs,
            "confidence": statistics.median(confidences) if confidences else None}


def _parallel_child(jobs: int) -> dict:
    """The four seeds as scans read by `chidao read --jobs N` into an empty archive."""
    import make_formats as mf
    from chidao.ingest.add import backlog, read_all

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "datapackage" / "sources"
        src.mkdir(parents=True)
        for p in mf.seed_paths():
            (src / f"{p.stem}.pdf").write_bytes(mf.render_scan_pdf(mf.seed_text(p)))
        todo = backlog(Path(tmp))
        t0 = time.perf_counter()
        read_all(todo, Path(tmp) / "datapackage" / "derived", jobs)
        return {"mode": f"parallel-{jobs}", "seconds": time.perf_counter() - t0, "files": len(todo)}


_TESSERACT_RSS = """
import resource, subprocess, sys
subprocess.run(["tesseract", sys.argv[1], "-", "-l", "vie", "--psm", "6"], capture_output=True, check=True,
               env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _tesseract_child() -> dict:
    """Peak RSS of one Tesseract run on a 300 dpi page. Measured from a small wrapper process:
    on Linux a child's ru_maxrss counts the pages it shared with its parent before exec."""
    import make_formats as mf

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.png"
        mf.scan_images(mf.seed_text(mf.seed_paths()[0]))[0].save(page)
        out = subprocess.run([sys.executable, "-c", _TESSERACT_RSS, str(page)], capture_output=True, text=True,
                             check=True)
    return {"mode": "tesseract", "tesseract_rss_kb": int(out.stdout.strip())}


def _bad_child() -> dict:
    """Seconds until each bad PDF is refused."""
    import make_formats as mf
    from chidao.ingest.errors import SourceError
    from chidao.ingest.formats import read_bytes

    text = mf.seed_text(mf.seed_paths()[0])
    cases = {"encrypted": mf.encrypted_pdf(text), "truncated": mf.truncated_pdf(text), "zero pages": mf.zero_page_pdf(),
             "500 pages": mf.many_pages_pdf(), "page 200,000 pt square": mf.huge_page_pdf()}
    out = {}
    for name, data in cases.items():
        t0 = time.perf_counter()
        try:
            read_bytes(data)
            kind = "read"
        except SourceError as exc:
            kind = exc.kind
        out[name] = {"seconds": time.perf_counter() - t0, "kind": kind}
    return {"mode": "bad", "cases": out}


def measure(args: list[str]) -> dict:
    """Run one measurement in a fresh process; add its peak memory (own and Tesseract's)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    run = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def _report(results: list[dict], runs: int) -> str:
    by = {r["mode"]: r for r in results}
    mb = lambda kb: f"{kb / 1024:.0f} MB"  # noqa: E731
    rows = []
    for mode, label in (("text_layer", "PDF, text layer"), ("docx", "Word (.docx)"), ("html", "HTML page"),
                        ("ocr", "PDF scan (seal, stamp, hand-filled number, 1.5° skew)"),
                        ("garbage", "PDF scan under a garbage text layer")):
        r = by[mode]
        conf = f"{r['confidence']:.0f}" if r["confidence"] is not None else "—"
        rows.append(f"| {label} | {r['pages']} | {statistics.median(r['seconds_per_page']):.3f} s | "
                    f"{max(r['seconds_per_page']):.3f} s | {r['seconds_per_run']:.1f} s | {conf} | "
                    f"{mb(r['rss_kb'])} |")
    par = [by[k] for k in sorted(by) if k.startswith("parallel-")]
    ocr_pages = by["ocr"]["pages"]
    par_rows = [f"| {p['mode'].split('-')[1]} | {p['files']} files, {ocr_pages} pages | {p['seconds']:.1f} s | "
                f"{p['seconds'] / ocr_pages:.2f} s |" for p in par]
    bad = by["bad"]["cases"]
    ocr_med = statistics.median(by["ocr"]["seconds_per_page"])
    text_med = statistics.median(by["text_layer"]["seconds_per_page"])
    tess = by["tesseract"]["tesseract_rss_kb"]
    peak = max(by[m]["rss_kb"] for m in RENDER)  # the reading processes (the others render fixtures too)
    lines = [
        "## Reading originals (ingest)",
        "",
        f"`python scripts/bench_ingest.py --runs {runs} --out docs/benchmark-ingest.md` renders the four seed "
        "directives as the archive receives them (tests/make_formats.py) and reads them with chidao's ingest "
        f"stage, {runs} run(s) per format, each format in a fresh process. Machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Tesseract {_tesseract_version()} (model `vie`, 300 dpi).",
        "",
        "| original | pages | median per page | slowest page | the four seeds | median OCR confidence "
        "| peak RSS |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Peak RSS is the reading process's; one Tesseract process on a 300 dpi page peaks at {mb(tess)} "
        "(measured on its own: on Linux a child's peak counts the pages it shared with its parent).",
        "",
        "Many scans read at once (`chidao read --jobs N`, one process per file, Tesseract on one thread each):",
        "",
        "| jobs | originals | wall time | per page |",
        "|---|---|---|---|",
        *par_rows,
        "",
        "Bad PDFs are refused before any page is rasterized: "
        + "; ".join(f"{k} → `{v['kind']}` in {v['seconds'] * 1000:.0f} ms" for k, v in bad.items()) + ".",
        "",
        "| target | result |",
        "|---|---|",
        f"| ≤ 8 s per OCR page on 2 cores | **{'met' if ocr_med <= 8 else 'not met'}**: {ocr_med:.1f} s median |",
        f"| ≤ 0.05 s per text-layer page | **{'met' if text_med <= 0.05 else 'not met'}**: {text_med:.3f} s median |",
        f"| ≤ 1 GB peak memory | **{'met' if 2 * (peak + tess) <= 1024 ** 2 else 'not met'}**: {mb(peak)} reader + "
        f"{mb(tess)} Tesseract at most; {mb(2 * (peak + tess))} with `--jobs 2` |",
    ]
    return "\n".join(lines) + "\n"


def _tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout
    return out.split()[1] if out else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, help="write the Markdown report here")
    ap.add_argument("--from-json", type=Path, help="write the report again from a run's JSON, without measuring")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.from_json:
        report = _report(json.loads(args.from_json.read_text("utf-8")), args.runs)
        (args.out or args.from_json.with_suffix(".md")).write_text(report, encoding="utf-8")
        return
    if args.child:
        mode = args.child[0]
        if mode == "render":
            res = _render_child(args.child[1], args.child[2])
        elif mode == "parallel":
            res = _parallel_child(int(args.child[1]))
        elif mode == "bad":
            res = _bad_child()
        elif mode == "tesseract":
            res = _tesseract_child()
        else:
            res = _child(mode, int(args.child[1]), args.child[2])
        res["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        res["child_rss_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps(res))
        return
    results = []
    for mode in ("text_layer", "docx", "html", "ocr", "garbage"):
        runs = args.runs if mode in ("text_layer", "docx", "html") else max(1, args.runs // 3)  # OCR is slow
        with tempfile.TemporaryDirectory() as folder:
            measure(["render", mode, folder])
            results.append(measure([mode, str(runs), folder]))
    for jobs in (1, 2):
        results.append(measure(["parallel", str(jobs)]))
    results.append(measure(["bad"]))
    results.append(measure(["tesseract"]))
    report = _report(results, args.runs)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
        (args.out.with_suffix(".json")).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
