"""The downloads page: the tables and descriptor the site serves, the release files (zip, SQLite,
Parquet), the versions, the data dictionary."""

from __future__ import annotations

import hashlib
import shutil

import orjson

from ...package.release import DATASETTE_METADATA, SQLITE_NAME, package_sqlite, write_datasette_metadata
from ..bundles import (
    SITE_ONLY_RESOURCES,
    originals_in_site,
    release_assets,
    released_versions,
    repository_url,
    site_descriptor,
    sqlite_in_site,
)
from ..discover import dataset_jsonld
from ..pages import DOWNLOADS, PAGES, SITE_ORIGINAL_MAX, SiteContext, _size, link_or_copy
from ..sitedata import rel


def write(ctx: SiteContext) -> None:
    _stage_files(ctx)
    _page(ctx)


def _stage_files(ctx: SiteContext) -> None:
    """Stage what the site serves for download (see site.bundles): the descriptor, the tables,
    the originals, and a small archive's SQLite database. The site step copies them in after
    MkDocs (which need not process thousands of data files)."""
    dest = ctx.downloads
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / "datapackage.json").write_bytes(
        orjson.dumps(site_descriptor(ctx.a.descriptor), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    shutil.copytree(ctx.a.dp / "data", dest / "data", copy_function=link_or_copy)
    if originals_in_site():
        shutil.copytree(ctx.a.sources, dest / "sources", copy_function=link_or_copy, ignore=lambda folder, names: [
            n for n in names if ctx.a.source_bytes.get(n, 0) > SITE_ORIGINAL_MAX])
    if sqlite_in_site(ctx.a.resources):
        ctx.sqlite_path = package_sqlite(ctx.a.dp, dest / SQLITE_NAME)
        write_datasette_metadata(ctx.a.dp, dest / DATASETTE_METADATA)


def _page(ctx: SiteContext) -> None:
    here = PAGES["data"]
    desc_bytes = (ctx.downloads / "datapackage.json").read_bytes()
    tables = [r for r in ctx.a.resources if r["path"].startswith(SITE_ONLY_RESOURCES)]
    resources = [{**r, "size": _size(r["bytes"]), "sha256": r["hash"].split(":", 1)[1], "rows": _rows(ctx, r)}
                 for r in tables]
    released = ctx.version in released_versions(changelog_text(ctx))
    sqlite = None
    if ctx.sqlite_path:
        sqlite = {"name": ctx.sqlite_path.name, "size": _size(ctx.sqlite_path.stat().st_size),
                  "sha256": hashlib.sha256(ctx.sqlite_path.read_bytes()).hexdigest()}
    ctx.write(here, "Tải dữ liệu", "data.html.j2", jsonld=dataset_jsonld(ctx.a, here), files=rel(here, DOWNLOADS), version=ctx.version,
               n_docs=len(ctx.a.documents), resources=resources, bytes_total=_size(sum(r["bytes"] for r in tables)),
               descriptor_size=_size(len(desc_bytes)), descriptor_sha=hashlib.sha256(desc_bytes).hexdigest(),
               assets=release_assets(ctx.version) if released else None, released=released,
               zip_name=f"chidao-datapackage-{ctx.version}.zip", sqlite=sqlite, sqlite_name=SQLITE_NAME,
               datasette_metadata=DATASETTE_METADATA, repo=repository_url(), assets_dir=rel(here, "assets/"),
               changelog=rel(here, "du-lieu/thay-doi/"), versions=release_versions(ctx),
               citation=(f"chidao contributors. chidao — Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh "
                         f"(Vietnam's provincial COVID-19 directives), data package version {ctx.version}. "
                         "CC0-1.0."))


def _rows(ctx: SiteContext, res: dict) -> int | None:
    """Rows of a table: the records of a CSV (RFC 4180, as the package writes it), whose quoted
    cells may hold line breaks: a line break ends a record where the quotes before it pair up
    (a quote inside a cell is doubled, so the pairing holds). A pass over the bytes, not a CSV
    parse: the tables run to hundreds of MB at scale."""
    data = (ctx.a.dp / res["path"]).read_bytes()
    records, quoted = 0, False
    for line in data.split(b"\n"):
        if line.count(b'"') % 2:
            quoted = not quoted
        if not quoted and line.strip(b"\r"):
            records += 1
    return records - 1  # the header


def changelog_text(ctx: SiteContext) -> str:
    path = ctx.docs_src.parent / "CHANGELOG.md"
    return path.read_text("utf-8") if path.exists() else ""


def release_versions(ctx: SiteContext) -> list[dict]:
    """Every released version named in CHANGELOG.md, newest first, with the addresses of its
    release files (GitHub release assets, named by version)."""
    none = dict.fromkeys(("release", "zip", "sqlite", "metadata", "parquet", "sums"))
    return [{"version": v, "current": v == ctx.version, **(release_assets(v) or none)}
            for v in released_versions(changelog_text(ctx))]
