"""The ``chidao`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .extract import extract_file
from .ingest.textnorm import SourceError


def cmd_extract(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        path = Path(name)
        try:
            record = extract_file(path, name=path.name)
        except OSError as exc:
            print(f"chidao: {name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        except SourceError as exc:
            print(f"chidao: {name}: rejected: {exc.reason}" + (f" (hint: {exc.hint})" if exc.hint else ""),
                  file=sys.stderr)
            status = 1
            continue
        if not args.with_text:
            record.pop("text")
        print(json.dumps(record, ensure_ascii=False, sort_keys=False))
    return status


def cmd_add(args: argparse.Namespace) -> int:
    from .ingest.add import AddError, add

    try:
        added = add(Path(args.root).resolve(), args.items, args.source_url, args.jobs)
    except AddError as exc:
        print(f"chidao add: {exc}", file=sys.stderr)
        return 1
    for a in added:
        print(f"chidao add: sources/{a.name} (sha256 {a.sha256[:12]}…): {a.summary}")
    print("chidao add: run 'chidao build' to extract the records, and commit datapackage/sources/ and "
          "datapackage/derived/")
    return 1 if any(a.rejected for a in added) else 0


def cmd_read(args: argparse.Namespace) -> int:
    from .ingest.add import backlog, read_all

    root = Path(args.root).resolve()
    try:
        k, n = (int(x) for x in args.shard.split("/"))
        if not 0 <= k < n:
            raise ValueError
    except ValueError:
        print(f"chidao read: --shard {args.shard}: expected K/N with 0 <= K < N", file=sys.stderr)
        return 2
    todo = backlog(root, (k, n))
    results = read_all(todo, root / "datapackage" / "derived", args.jobs)
    print(f"chidao read: {len(results)} original(s) read into datapackage/derived/ (shard {k}/{n}), "
          f"{sum(r[2] for r in results)} rejected")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .package.validate import validate_package
    from .package.write import BuildError, build_package, swap_in

    root = Path(args.root).resolve()
    dp = root / "datapackage"
    _recover(dp)
    try:
        built = build_package(root, allow_rejects=args.allow_rejects, reread=args.reread)
    except BuildError as exc:
        for line in str(exc).splitlines():
            print(f"chidao build: {line}", file=sys.stderr)
        return 1
    # The site is built from the staged package while the package is validated, each in a
    # process of its own: validation starts once the site's pages are generated (that step
    # keeps both cores busy; the next ones, MkDocs and injection, about one), and neither is
    # put in place unless the package is valid.
    site, ready = (None, None) if args.no_site else _start_site(root, getattr(args, "builder", None), built)
    try:
        _wait_ready(ready)
        problems = _in_fresh_process(validate_package, built, sources=dp / "sources")
        if problems:
            _stop_site(site, root)
            for p in problems:
                print(f"chidao build: {p}", file=sys.stderr)
            print(f"chidao build: {len(problems)} problem(s); the previous package is left as it was",
                  file=sys.stderr)
            return 1
        code = _wait_site(site) if site else 0  # (the site reads the staged package until it is done)
    except BaseException:  # interrupted: the site's process is not left running on its own
        _stop_site(site, root)
        raise
    swap_in(built, dp)
    docs = json.loads((dp / "datapackage.json").read_text("utf-8"))["document_count"]
    print(f"chidao build: {docs} documents -> {dp} (validated)")
    if site is None or code != 0:
        return code
    from .site.build import swap_in_site

    swap_in_site(root / "site", root / "build" / "trash")
    print(f"chidao site: {root / 'site'} (mkdocs --strict, Pagefind index)")
    return 0


# Validation and the site run in new Python processes: each starts with what it reads from
# disk, not with the heap the stage before it left (at 10,000 directives, hundreds of MB that
# the site's forked page workers would also hold), so a build's peak memory is not the sum of
# the data stage's and theirs.

def _in_fresh_process(fn, *args, **kwargs):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _start_site(root: Path, builder: str | None, package: Path):
    """`chidao site` on the staged ``package``, leaving the new site aside (site.new); and the
    read end of a pipe on which it says when its pages are generated."""
    import subprocess

    ready, tell = os.pipe()
    cmd = [sys.executable, "-m", "chidao.cli", "site", "--root", str(root), "--package", str(package), "--no-swap",
           "--ready-fd", str(tell)]
    try:
        return subprocess.Popen(cmd + (["--builder", builder] if builder else []), start_new_session=True,
                                pass_fds=(tell,)), ready
    finally:
        os.close(tell)


def _wait_ready(ready: int | None) -> None:
    """Until the site's process says its pages are generated, or ends."""
    if ready is not None:
        try:
            os.read(ready, 1)  # a byte, or nothing at its end
        finally:
            os.close(ready)


def _say_ready(fd: int | None) -> None:
    if fd is not None:
        os.write(fd, b"1")
        os.close(fd)


def _wait_site(site) -> int:
    import signal

    code = site.wait()
    if code < 0:  # the site's process was killed (a crash test's SIGKILL): so is this build
        signal.raise_signal(-code)
    return code


def _stop_site(site, root: Path) -> None:
    """The site's process and what it started (MkDocs, Pagefind) stopped, its site dropped."""
    import signal

    if site is None:
        return
    if site.poll() is None:
        try:
            os.killpg(site.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    site.wait()
    from .site.build import discard_site

    discard_site(root / "site")


def _recover(dp: Path) -> None:
    """Before reading a package: undo what a killed build left (see package.write.recover)."""
    from .package.write import recover

    if dp.is_dir():
        recover(dp)


def cmd_site(args: argparse.Namespace) -> int:
    from .site.build import SiteError, build_site

    root = Path(args.root).resolve()
    package = getattr(args, "package", None)
    if package is None:
        _recover(root / "datapackage")  # (a staged package is being validated: left alone)
    try:
        ready = getattr(args, "ready_fd", None)
        out = build_site(root, dp=Path(package).resolve() if package else None, builder=getattr(args, "builder", None),
                         sources=root / "datapackage" / "sources", swap=not getattr(args, "no_swap", False),
                         pages_done=(lambda: _say_ready(ready)) if ready is not None else None)
    except SiteError as exc:
        print(f"chidao site: {exc}", file=sys.stderr)
        return 1
    if not getattr(args, "no_swap", False):
        print(f"chidao site: {out} (mkdocs --strict, Pagefind index)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .site.build import serve

    if args.watch:
        from .site.preview import serve_watch

        root = Path(args.root).resolve()
        opts = {"root": str(root), "allow_rejects": False, "reread": False, "no_site": True, "builder": None}
        return serve_watch(root, args.port, args.interval, lambda: cmd_build(argparse.Namespace(**opts)),
                           lambda: cmd_site(argparse.Namespace(**opts)))
    site = Path(args.root).resolve() / "site"
    if not (site / "index.html").exists():
        print(f"chidao serve: {site} has no site: run 'chidao build' first", file=sys.stderr)
        return 1
    serve(site, args.port)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .package.validate import validate_package

    dp = Path(args.package).resolve()
    _recover(dp)
    problems = validate_package(dp, reference=args.frictionless)
    for p in problems:
        print(f"{dp.name}/{p}", file=sys.stderr)
    if problems:
        print(f"chidao validate: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"chidao validate: {dp} is valid")
    return 0


def cmd_check_fresh(args: argparse.Namespace) -> int:
    from .package.write import stale_files

    stale = stale_files(Path(args.root).resolve())
    for f in stale:
        print(f"chidao check-fresh: datapackage/{f} differs from a rebuild of datapackage/sources/", file=sys.stderr)
    if stale:
        print("chidao check-fresh: run 'chidao build' and commit the result", file=sys.stderr)
        return 1
    print("chidao check-fresh: the committed package is what its sources build to")
    return 0


def cmd_release_files(args: argparse.Namespace) -> int:
    from .package.release import release_files

    _recover(Path(args.package).resolve())
    for path in release_files(Path(args.package).resolve(), Path(args.out)):
        print(path)
    return 0


DESCRIPTION = """chidao: an open-data archive of Vietnam's provincial COVID-19 directives.
Reads the directive texts in datapackage/sources/, writes the validated Frictionless data
package in datapackage/ and builds the static site in site/."""
EPILOG = """usual commands:
  chidao build              extract, package, validate, then build the site
  chidao serve --watch      preview the site, rebuilt when sources, curation, docs or templates change
  chidao validate           check a built package
  chidao COMMAND --help     the options of one command"""


def main(argv: list[str] | None = None) -> int:
    from . import __version__
    from .package.write import PACKAGE_VERSION

    parser = argparse.ArgumentParser(
        prog="chidao", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"chidao {__version__} (data package {PACKAGE_VERSION})")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="read directive texts; print one JSON record per line")
    p.add_argument("files", nargs="+", help="source text files")
    p.add_argument("--with-text", action="store_true", help="include the normalized text")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("add", help="copy or download originals into the archive and read them (OCR if needed)")
    p.add_argument("items", nargs="+", metavar="FILE_OR_URL", help="files (PDF, scan, Word, HTML, text) or URLs")
    p.add_argument("--source-url", help="where the given file(s) came from, kept with the original")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="files read at once (default: cores)")
    p.add_argument("--root", default=".", help="the project root (default: current directory)")
    p.set_defaults(func=cmd_add)
    p = sub.add_parser("read", help="read the originals that have no kept reading yet (one shard by hash)")
    p.add_argument("--shard", default="0/1", help="K/N: only originals whose hash falls in shard K of N")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="files read at once (default: cores)")
    p.add_argument("--root", default=".", help="the project root (default: current directory)")
    p.set_defaults(func=cmd_read)
    p = sub.add_parser("build", help="extract every source and write the validated data package")
    p.add_argument("--root", default=".", help="the project root (default: current directory)")
    p.add_argument("--no-site", action="store_true", help="stop after the data package")
    p.add_argument("--allow-rejects", action="store_true",
                   help="publish the sources that can be read, and list the others in the rejections table")
    p.add_argument("--reread", action="store_true",
                   help="read every original again (OCR included) instead of reusing datapackage/derived/")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("site", help="generate the pages from the package and build the site into site/")
    p.add_argument("--root", default=".", help="the project root (default: current directory)")
    p.add_argument("--builder", choices=["mkdocs", "zensical"], default=None,
                   help="what renders mkdocs.yml: mkdocs-material (default) or Zensical, its successor")
    # what `chidao build` runs while it validates: the site of the staged package, left aside
    p.add_argument("--package", default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-swap", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_site)
    p = sub.add_parser("serve", help="serve the built site on localhost (--watch: a live preview)")
    p.add_argument("--root", default=".", help="the project root (default: current directory)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--watch", action="store_true",
                   help="rebuild when sources, curation, docs or templates change, and reload the pages")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls with --watch (default: 1)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("check-fresh", help="fail if the committed package differs from a rebuild of its sources")
    p.add_argument("--root", default=".", help="the project root (default: current directory)")
    p.set_defaults(func=cmd_check_fresh)
    p = sub.add_parser("release-files", help="write the zipped package, a SQLite database and SHA256SUMS")
    p.add_argument("out", help="output directory")
    p.add_argument("--package", default="datapackage", help="the package directory")
    p.set_defaults(func=cmd_release_files)
    p = sub.add_parser("validate", help="validate a built data package")
    p.add_argument("package", nargs="?", default="datapackage", help="the package directory")
    p.add_argument("--frictionless", action="store_true",
                   help="check the tables with Frictionless, the reference, instead of the fast checker (slower)")
    p.set_defaults(func=cmd_validate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
