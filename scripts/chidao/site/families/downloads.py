"""The downloads page: every file of the package, the zip and SQLite, the data dictionary."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil

from ...package.parquet import write_parquet
from ...package.release import DATASETTE_METADATA, SQLITE_NAME, package_sqlite, package_zip, write_datasette_metadata
from ..discover import dataset_jsonld
from ..pages import DOWNLOADS, PAGES, SITE_ORIGINAL_MAX, SiteContext, _size
from ..sitedata import rel


def write(ctx: SiteContext) -> None:
    _stage_files(ctx)
    _page(ctx)


def _stage_files(ctx: SiteContext) -> None:
    """Stage the package's files for download; the site step copies them in after MkDocs
    (which need not process thousands of data files, and skips names starting with '.')."""
    dest = ctx.downloads
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(ctx.a.dp / "datapackage.json", dest / "datapackage.json")
    for part in ("data", "json"):
        shutil.copytree(ctx.a.dp / part, dest / part)
    shutil.copytree(ctx.a.dp / "sources", dest / "sources", ignore=lambda folder, names: [
        n for n in names if ctx.a.source_bytes.get(n, 0) > SITE_ORIGINAL_MAX])
    ctx.zip_path = package_zip(ctx.a.dp, dest / f"chidao-datapackage-{ctx.version}.zip")
    ctx.sqlite_path = package_sqlite(ctx.a.dp, dest / SQLITE_NAME)
    write_datasette_metadata(ctx.a.dp, dest / DATASETTE_METADATA)
    write_parquet(ctx.a.dp, dest / "parquet")


def _page(ctx: SiteContext) -> None:
    here = PAGES["data"]
    desc_bytes = (ctx.a.dp / "datapackage.json").read_bytes()
    zip_bytes = ctx.zip_path.read_bytes()
    resources = [{**r, "size": _size(r["bytes"]), "sha256": r["hash"].split(":", 1)[1], "rows": _rows(ctx, r),
                  "parquet": _parquet(ctx, r)} for r in ctx.a.resources]
    ctx.write(here, "Tải dữ liệu", "data.html.j2", jsonld=dataset_jsonld(ctx.a, here), files=rel(here, DOWNLOADS), version=ctx.version,
               n_docs=len(ctx.a.documents), resources=resources,
               descriptor_size=_size(len(desc_bytes)), descriptor_sha=hashlib.sha256(desc_bytes).hexdigest(),
               zip={"name": ctx.zip_path.name, "size": _size(len(zip_bytes)),
                    "sha256": hashlib.sha256(zip_bytes).hexdigest()},
               sqlite={"name": ctx.sqlite_path.name, "size": _size(ctx.sqlite_path.stat().st_size),
                       "sha256": hashlib.sha256(ctx.sqlite_path.read_bytes()).hexdigest()},
               assets=rel(here, "assets/"), datasette_metadata=DATASETTE_METADATA,
               changelog=rel(here, "du-lieu/thay-doi/"), versions=release_versions(ctx),
               citation=(f"chidao contributors. chidao — Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh "
                         f"(Vietnam's provincial COVID-19 directives), data package version {ctx.version}. "
                         "CC0-1.0."))


def _rows(ctx: SiteContext, res: dict) -> int | None:
    """Rows of a table (records of a CSV, which may hold line breaks in quoted cells)."""
    if res.get("format") != "csv":
        return len(ctx.a.documents) if res["path"] == "json/documents.json" else None
    with (ctx.a.dp / res["path"]).open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def _parquet(ctx: SiteContext, res: dict) -> dict | None:
    path = ctx.downloads / "parquet" / f"{res['name']}.parquet"
    return {"path": f"parquet/{path.name}", "size": _size(path.stat().st_size)} if path.exists() else None


VERSIONED_SQLITE = {"0.1.0"}  # releases whose database was still named chidao-<version>.sqlite


def repository_url() -> str | None:
    """The repository on GitHub (its releases hold every version's files): CHIDAO_REPO_URL, or
    what GitHub Actions says; None when unknown (a local build)."""
    url = os.environ.get("CHIDAO_REPO_URL", "").strip()
    if not url and os.environ.get("GITHUB_REPOSITORY"):
        url = os.environ.get("GITHUB_SERVER_URL", "https://github.com") + "/" + os.environ["GITHUB_REPOSITORY"]
    return url.rstrip("/") or None


def changelog_text(ctx: SiteContext) -> str:
    path = ctx.docs_src.parent / "CHANGELOG.md"
    return path.read_text("utf-8") if path.exists() else ""


def release_versions(ctx: SiteContext) -> list[dict]:
    """Every released version named in CHANGELOG.md ("## [x.y.z]"), newest first, with the
    addresses of its release files (GitHub release assets, named by version)."""
    repo = repository_url()
    out = []
    for v in re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog_text(ctx), re.M):
        base = f"{repo}/releases/download/v{v}/" if repo else None
        out.append({"version": v, "current": v == ctx.version,
                    "release": f"{repo}/releases/tag/v{v}" if repo else None,
                    "zip": base and f"{base}chidao-datapackage-{v}.zip",
                    "sqlite": base and base + (f"chidao-{v}.sqlite" if v in VERSIONED_SQLITE else SQLITE_NAME),
                    "sums": base and f"{base}SHA256SUMS"})
    return out
