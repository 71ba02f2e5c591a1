#!/usr/bin/env python3
"""Benchmark of the whole pipeline on synthetic corpora (scripts/synth.py), outside the repo.

For each N it builds the corpus, then runs the whole pipeline — extract, package, validate,
pages, site (MkDocs and our own steps), search index — from a clean state (no cache) several
times and reports per stage the median wall time and the peak memory of the process tree
(a build's data, its validation and its site each run in a fresh process, as `chidao build`
runs them; a process and every child: extraction workers, MkDocs, Pagefind; proportional set size,
so pages shared by forked workers count once). Then, caches warm, it rebuilds after each of
three changes: one source changed, one added, one removed. It reports the site's size by part, the largest page of each page family and the
bytes Chromium downloads for two searches. The site is built as CI deploys it, with a
repository to link originals and release files to (--repo). Results go to docs/benchmark.md between the
markers (the rest of the file is kept) and, the same table, into README.md.

    python scripts/bench.py --sizes 1000 5000 10000 --runs 3 --out docs/benchmark.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chidao.package.validate import validate_package  # noqa: E402
from chidao.package.write import cache_file, extract_sources, swap_in, write_package  # noqa: E402
from chidao.site.build import build_site, swap_in_site  # noqa: E402
from synth import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["extract", "package", "validate", "pages", "site", "search"]
QUERIES = ["phong chong dich", "dieu dong"]  # the commonest words; a query that needs "đ" read as "d"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Targets of issue #14 at 10,000 documents (and 5,000 for time).
TARGET_S = {5000: 45, 10000: 100}
TARGET_RSS_MB, TARGET_SITE_MB, TARGET_PAGE_KB, TARGET_DOC_KB, TARGET_REBUILD = 1024, 500, 100, 60, 0.25


# --- memory of the process tree ------------------------------------------------------------

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLE_S = 0.2  # memory sampling period (and once more at the end of each stage)


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (each thread's children, from /proc, without
    scanning every process of the machine)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                todo += map(int, Path(f"/proc/{pid}/task/{tid}/children").read_text().split())
            except OSError:
                pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    m = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
    return int(m.group(1)) if m else 0


def tree_pss_mb(*roots: int, above_mb: float = -1.0) -> float | None:
    """Proportional set size of the ``roots`` and all their descendants, in MB; None when it
    cannot be above ``above_mb``. The sampler's own cost matters: the kernel walks every page
    table to count a process's PSS (every 50 ms, that was ~6 % of the machine's CPU during a
    build), while its resident size is a counter. PSS is never more than RSS, so when the RSS
    of the trees is not above the peak so far, their PSS is not either and is not read: the
    peak found is the same, at a fraction of the cost."""
    pids = [pid for root in roots for pid in descendants(root)]
    if sum(map(_rss_kb, pids)) / 1024 <= above_mb:
        return None
    return sum(map(_pss_kb, pids)) / 1024


class Stages:
    """Wall time and peak memory of each stage, sampled every SAMPLE_S by a thread."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self._current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            current = self._current  # read once: the stage may end while this samples
            if current:
                self._measure(current)

    def _measure(self, stage: str) -> None:
        mb = tree_pss_mb(os.getpid(), above_mb=self.peak_mb.get(stage, 0.0))
        if mb is not None:
            self.peak_mb[stage] = max(self.peak_mb.get(stage, 0.0), mb)

    @contextmanager
    def stage(self, name: str):
        self._current = name
        self.peak_mb.setdefault(name, tree_pss_mb(os.getpid()))
        clock = time.perf_counter()
        try:
            yield
            self._measure(name)  # at its end too: what a stage piles up is all held then
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - clock
            self._current = None

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


# --- the pipeline --------------------------------------------------------------------------

def make_root(tmp: Path, n: int) -> Path:
    root = tmp / f"n{n}"
    generate(n, root / "datapackage" / "sources")
    for part in ("schemas", "docs"):
        shutil.copytree(ROOT / part, root / part)
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy(ROOT / name, root / name)
    return root


GRAVEYARD = ".graveyard"


def set_aside(folder: Path, graveyard: Path) -> None:
    """``folder`` moved out of the way, into a graveyard beside the corpora that is deleted
    only when the whole benchmark is done. Deleting it here would measure the deletion against
    the next run: this machine's file system (ext4 without a journal) skips, when it allocates
    an inode, every inode freed in the last minute (six when the inode's table block is dirty),
    so a run that started just after 40,000 files were deleted created its own files several
    times slower (measured with perf: a twentieth of the CPU in recently_deleted). A fresh
    checkout, as in CI, has nothing deleted around it."""
    graveyard.mkdir(exist_ok=True)
    folder.rename(graveyard / f"{folder.parent.name}-{folder.name}-{time.time_ns()}")


def run_pipeline(root: Path, cache: bool) -> dict:
    """One build, as `chidao build` runs it: the data (extract, package) in a fresh Python
    process, then the package's validation and the site of the staged package side by side,
    each in a fresh process (so that a stage's peak memory is its own, not the heap the stage
    before it left), then both put in place. Per stage seconds and peak MB; the total is the
    wall time of the whole, and its peak memory the largest sum of what runs at once (sampled
    over this process's whole tree while validation and the site run)."""
    import subprocess

    if not cache and (root / "build").exists():
        set_aside(root / "build", root.parent / GRAVEYARD)
    # what earlier runs wrote and deleted is on disk before the clock starts (as hyperfine's
    # --prepare sync): a run pays for its own files, not for the write-back of the last one's
    os.sync()
    clock = time.perf_counter()
    data = _one_part(root, "data", "")
    built = data["built"]
    ready, tell = os.pipe()  # the site's process says when its pages are generated: validation starts then
    procs = {"site": subprocess.Popen(_part_args(root, "site", built) + ["--ready-fd", str(tell)], pass_fds=(tell,),
                                      stdout=subprocess.PIPE, text=True, env=os.environ)}
    os.close(tell)
    with Together([procs["site"].pid]) as both:  # what the trees hold at once
        os.read(ready, 1)
        os.close(ready)
        procs["validate"] = subprocess.Popen(_part_args(root, "validate", built), stdout=subprocess.PIPE, text=True,
                                             env=os.environ)
        both.pids.append(procs["validate"].pid)
        outs = {part: _part_output(proc) for part, proc in procs.items()}
    swap_in(Path(built), root / "datapackage")
    swap_in_site(root / "site", root / "build" / "trash")
    wall = time.perf_counter() - clock
    seconds, peak = {**data["seconds"]}, {**data["peak_mb"]}
    for out in outs.values():
        seconds.update(out["seconds"])
        peak.update(out["peak_mb"])
    seconds = {s: seconds.get(s, 0.0) for s in STAGES}
    seconds["total"] = wall
    peak = {s: peak.get(s, 0.0) for s in STAGES}
    return {**seconds, "seconds": seconds, "peak_mb": peak,
            "peak_mb_all": max([*peak.values(), both.peak_mb])}


class Together:
    """The largest sum of the proportional set sizes of some process trees, sampled every SAMPLE_S."""

    def __init__(self, pids: list[int]):
        self.pids, self.peak_mb = pids, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            mb = tree_pss_mb(*self.pids, above_mb=self.peak_mb)
            if mb is not None:
                self.peak_mb = max(self.peak_mb, mb)

    def __enter__(self) -> Together:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def _part_args(root: Path, part: str, built: str) -> list[str]:
    return [sys.executable, __file__, "--one", str(root), "--part", part, "--built", built]


def _part_output(proc) -> dict:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"a benchmark process failed ({proc.args[-3:]}): exit {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1])


PARTS = ("data", "validate", "site")  # the processes of one build (cli.cmd_build)


def _one_part(root: Path, part: str, built: str) -> dict:
    import subprocess

    out = subprocess.run(_part_args(root, part, built), check=True, stdout=subprocess.PIPE, text=True,
                         env=os.environ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _part(root: Path, part: str, built: str, ready_fd: int | None = None) -> dict:
    """One process of a build: its stages' seconds and peak MB (and where the data part staged
    the package)."""
    dp = root / "datapackage"
    st = Stages()
    result = {}
    try:
        if part == "data":
            with st.stage("extract"):
                extracted = extract_sources(dp / "sources", cache_file(root))
            with st.stage("package"):
                result["built"] = str(write_package(root, *extracted, cache=True))
        elif part == "validate":
            with st.stage("validate"):
                problems = validate_package(Path(built), sources=dp / "sources")
            if problems:
                raise SystemExit(f"validation failed: {problems[:5]}")
        else:
            build_site(root, dp=Path(built), sources=dp / "sources", swap=False, stage=st.stage,
                       pages_done=lambda: os.write(ready_fd, b"1") if ready_fd is not None else None)
    finally:
        st.close()
    return {**result, "seconds": st.seconds, "peak_mb": st.peak_mb}


# --- what the site weighs -----------------------------------------------------------------

def part_of(rel: str) -> str:
    """The part of the site a file belongs to, for the size table."""
    parts = rel.split("/")
    if parts[0] == "du-lieu" and len(parts) > 2 and parts[1] == "files":
        return "downloads: " + (parts[2] if len(parts) > 3 else "other files")
    if parts[0] == "van-ban" and len(parts) == 3 and parts[2] == "index.html" and not _is_list(parts[1]):
        return "document pages"
    if parts[0] in ("pagefind", "assets"):
        return parts[0]
    return "other pages" if rel.endswith(".html") else "other files"


LIST_FOLDERS = {"thang", "trang", "nam", "khong-ngay"}  # the catalogue's own sub-pages under van-ban/


def _is_list(name: str) -> bool:
    return name in LIST_FOLDERS or name.isdigit()


def family_of(rel: str) -> str:
    parts = rel.split("/")
    if len(parts) == 1:
        return "home"
    if parts[0] == "van-ban":
        return "document" if len(parts) == 3 and not _is_list(parts[1]) else "catalogue"
    return parts[0]


def site_report(site: Path) -> dict:
    parts: dict[str, int] = {}
    largest: dict[str, tuple[int, str]] = {}
    doc_sizes = []
    for p in site.rglob("*"):
        if not p.is_file():
            continue
        rel, size = p.relative_to(site).as_posix(), p.stat().st_size
        parts[part_of(rel)] = parts.get(part_of(rel), 0) + size
        if rel.endswith(".html") and rel != "404.html":
            fam = family_of(rel)
            if size > largest.get(fam, (0, ""))[0]:
                largest[fam] = (size, rel)
            if fam == "document":
                doc_sizes.append(size)
    return {"site_mb": sum(parts.values()) / 2**20, "parts_mb": {k: v / 2**20 for k, v in sorted(parts.items())},
            "largest_kb": {k: (v[0] / 1024, v[1]) for k, v in sorted(largest.items())},
            "doc_kb_median": statistics.median(doc_sizes) / 1024 if doc_sizes else 0}


def search_bytes(site: Path, query: str) -> int:
    """Bytes a visitor's browser downloads from /pagefind/ for one search in Chromium, counted
    by the server (the browser does not report a worker's script), files served uncompressed."""
    import functools
    import http.server

    from playwright.sync_api import sync_playwright

    served: dict[str, int] = {}

    class Counting(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            super().do_GET()
            path = Path(self.translate_path(self.path))
            if "/pagefind" in self.path and path.is_file():
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
            pg.goto(base + "tim-kiem/?q=" + query.replace(" ", "+"))
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


REBUILDS = ("changed", "added", "removed")


def one_change(root: Path, tmp: Path):
    """With every cache warm (the last build wrote them), one change to the sources before each
    rebuild: a source changed (a word of its text), one added (a directive of another synthetic
    corpus), one removed (another source). Yields the kind of each change once it is made."""
    sources = sorted((root / "datapackage" / "sources").glob("*.txt"))
    sources[0].write_text(sources[0].read_text("utf-8").replace("yêu cầu", "đề nghị", 1), encoding="utf-8")
    yield "changed"
    [extra] = generate(1, tmp / f"extra-{root.name}", seed=len(sources) + 7)
    shutil.copy(extra, root / "datapackage" / "sources" / f"added-{extra.name}")
    yield "added"
    sources[1].unlink()
    yield "removed"


def measure(n: int, runs: int, tmp: Path) -> dict:
    root = make_root(tmp, n)
    full = [run_pipeline(root, cache=False) for _ in range(runs)]
    rebuilds = {kind: run_pipeline(root, cache=True) for kind in one_change(root, tmp)}
    rebuild = max(rebuilds.values(), key=lambda r: r["seconds"]["total"])
    site = root / "site"
    med = {s: statistics.median(r["seconds"][s] for r in full) for s in [*STAGES, "total"]}
    peak = {s: statistics.median(r["peak_mb"][s] for r in full) for s in STAGES}
    return {"n": n, "runs": runs, "median": med, "peak_mb": peak, "totals": [r["seconds"]["total"] for r in full],
            "peak_mb_max": statistics.median(r["peak_mb_all"] for r in full),
            "rebuilds": {kind: r["seconds"]["total"] for kind, r in rebuilds.items()},
            "rebuild_total": rebuild["seconds"]["total"], "rebuild_seconds": rebuild["seconds"],
            "docs_per_s": n / med["total"], **site_report(site),
            "search_kb": {q: search_bytes(site, q) / 1024 for q in QUERIES}}


# --- the report --------------------------------------------------------------------------

def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 2**20 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB; Python {platform.python_version()}, "
            f"mkdocs {version('mkdocs')}, mkdocs-material {version('mkdocs-material')}, "
            f"pagefind {version('pagefind')}")


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def report(results: list[dict], runs: int) -> str:
    ns = [f"{r['n']:,}" for r in results]
    out = [f"Machine: {machine()}. Median of {runs} clean builds per size (each run's total in the JSON); then, "
           "every cache warm, a rebuild after each of three changes: one source changed, one added, one removed "
           "(a row each; the slowest is the one checked against the target); each run starts once the files of the runs before it are on disk (sync). Memory: peak proportional set size of the whole process tree during the stage. "
           "Validation runs beside the site's last stages (site, search), each in its own process, as `chidao build` "
           "runs them: the total is the build's wall time (not the sum of the stages), and the total's memory the "
           "largest sum of what ran at once.",
           "", _row(["stage", *(f"N = {n}: time" for n in ns), *(f"N = {n}: peak memory" for n in ns)]),
           _row(["---"] * (1 + 2 * len(results)))]
    for s in STAGES:
        out.append(_row([s, *(f"{r['median'][s]:.1f} s" for r in results),
                         *(f"{r['peak_mb'][s]:.0f} MB" for r in results)]))
    out.append(_row(["**total**", *(f"**{r['median']['total']:.1f} s**" for r in results),
                     *(f"**{r['peak_mb_max']:.0f} MB**" for r in results)]))
    for kind in REBUILDS:
        out.append(_row([f"rebuild after one source {kind}",
                         *(f"{r['rebuilds'][kind]:.1f} s ({r['rebuilds'][kind] / r['median']['total']:.0%})"
                           for r in results), *([""] * len(results))]))
    parts = sorted({p for r in results for p in r["parts_mb"]})
    out += ["", _row(["site, by part", *ns]), _row(["---"] * (1 + len(results)))]
    for p in parts:
        out.append(_row([p, *(f"{r['parts_mb'].get(p, 0):.1f} MB" for r in results)]))
    out.append(_row(["**whole site**", *(f"**{r['site_mb']:.0f} MB**" for r in results)]))
    fams = sorted({f for r in results for f in r["largest_kb"]})
    out += ["", _row(["largest page of each family", *ns]), _row(["---"] * (1 + len(results)))]
    for f in fams:
        out.append(_row([f, *(f"{r['largest_kb'][f][0]:.0f} KB" if f in r["largest_kb"] else "—" for r in results)]))
    out.append(_row(["document page, median", *(f"{r['doc_kb_median']:.0f} KB" for r in results)]))
    out += ["", _row(["one search downloads", *ns]), _row(["---"] * (1 + len(results)))]
    for q in QUERIES:
        out.append(_row([f'"{q}"', *(f"{r['search_kb'][q]:.0f} KB" for r in results)]))
    out += ["", targets(results)]
    return "\n".join(out)


def targets(results: list[dict]) -> str:
    """Each target of issue #14 with the measured value and whether it is met."""
    by_n = {r["n"]: r for r in results}
    rows = [_row(["target (2 cores)", "measured", "met"]), _row(["---"] * 3)]

    def add(what: str, value: str, ok: bool) -> None:
        rows.append(_row([what, value, "yes" if ok else "**no**"]))

    for n, limit in TARGET_S.items():
        if n in by_n:
            t = by_n[n]["median"]["total"]
            add(f"whole pipeline at {n:,} ≤ {limit} s", f"{t:.1f} s", t <= limit)
    big = by_n.get(10000) or results[-1]
    label = f"at {big['n']:,}"
    add(f"peak memory {label} ≤ 1 GB, Pagefind included", f"{big['peak_mb_max']:.0f} MB", big["peak_mb_max"] <= TARGET_RSS_MB)
    ratio = big["rebuild_total"] / big["median"]["total"]
    add(f"rebuild after one changed, added or removed source {label} ≤ 25 % of a full build",
        f"{ratio:.0%} (the slowest of the three)", ratio <= TARGET_REBUILD)
    add(f"site {label} ≤ 500 MB", f"{big['site_mb']:.0f} MB", big["site_mb"] <= TARGET_SITE_MB)
    lists = {f: v for f, v in big["largest_kb"].items() if f != "document"}
    worst = max(lists.items(), key=lambda kv: kv[1][0])
    add(f"every list page {label} ≤ 100 KB", f"largest {worst[1][0]:.0f} KB ({worst[1][1]})", worst[1][0] <= TARGET_PAGE_KB)
    doc = big["largest_kb"].get("document", (0, ""))[0]
    add(f"document pages {label} ≤ 60 KB", f"largest {doc:.0f} KB", doc <= TARGET_DOC_KB)
    if len(results) > 1:
        a, b = results[0], results[-1]
        per = (b["median"]["total"] / b["n"]) / (a["median"]["total"] / a["n"])
        add(f"cost linear in N (time per document at {b['n']:,} within 1.3× of {a['n']:,})", f"{per:.2f}×", per <= 1.3)
    return "\n".join(rows)


def write_between_markers(path: Path, text: str) -> None:
    """Replace what lies between the benchmark markers of ``path`` (or the whole file when it
    has none) with ``text``."""
    block = f"{START}\n{text}\n{END}"
    old = path.read_text("utf-8") if path.exists() else ""
    if START in old and END in old:
        new = old[:old.index(START)] + block + old[old.index(END) + len(END):]
    else:
        new = block + "\n" + old
    path.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="clean builds per size (the median is reported)")
    parser.add_argument("--out", type=Path, help="write the report into this Markdown file (between its markers)")
    parser.add_argument("--readme", type=Path, help="also put the report into this README (between its markers)")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    parser.add_argument("--repo", default="https://github.com/OWNER/REPO",
                        help="the repository the site links to, as CI gives it (originals and release files are "
                             "linked there, not copied into the site); '' measures a local build instead")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: one build of this root
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--built", default="", help=argparse.SUPPRESS)
    parser.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_part(args.one, args.part, args.built, args.ready_fd)))
        return 0
    os.environ["CHIDAO_REPO_URL"] = args.repo
    results = []
    with tempfile.TemporaryDirectory(prefix="chidao-bench-") as tmp:
        for n in args.sizes:
            r = measure(n, args.runs, Path(tmp))
            results.append(r)
            print(json.dumps({"n": n, "total_s": round(r["median"]["total"], 1), "peak_mb": round(r["peak_mb_max"]),
                              "site_mb": round(r["site_mb"]), "rebuild_s": round(r["rebuild_total"], 1)}), flush=True)
            set_aside(Path(tmp) / f"n{n}", Path(tmp) / GRAVEYARD)  # (deleted with the rest at the end: see set_aside)
    text = report(results, args.runs)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in (args.out, args.readme):
        if path:
            write_between_markers(path, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
