"""The downloads page: every file of the package, the zip and SQLite, the data dictionary."""

from __future__ import annotations

import hashlib
import shutil

from ...package.release import package_sqlite, package_zip
from ..discover import dataset_jsonld
from ..pages import DOWNLOADS, PAGES, SiteContext, _size
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
    for part in ("data", "json", "sources"):
        shutil.copytree(ctx.a.dp / part, dest / part)
    ctx.zip_path = package_zip(ctx.a.dp, dest / f"chidao-datapackage-{ctx.version}.zip")
    ctx.sqlite_path = package_sqlite(ctx.a.dp, dest / f"chidao-{ctx.version}.sqlite")


def _page(ctx: SiteContext) -> None:
    here = PAGES["data"]
    desc_bytes = (ctx.a.dp / "datapackage.json").read_bytes()
    zip_bytes = ctx.zip_path.read_bytes()
    resources = [{**r, "size": _size(r["bytes"]), "sha256": r["hash"].split(":", 1)[1]} for r in ctx.a.resources]
    ctx.write(here, "Tải dữ liệu", "data.html.j2", jsonld=dataset_jsonld(ctx.a, here), files=rel(here, DOWNLOADS), version=ctx.version,
               n_docs=len(ctx.a.documents), resources=resources,
               descriptor_size=_size(len(desc_bytes)), descriptor_sha=hashlib.sha256(desc_bytes).hexdigest(),
               zip={"name": ctx.zip_path.name, "size": _size(len(zip_bytes)),
                    "sha256": hashlib.sha256(zip_bytes).hexdigest()},
               sqlite={"name": ctx.sqlite_path.name, "size": _size(ctx.sqlite_path.stat().st_size),
                       "sha256": hashlib.sha256(ctx.sqlite_path.read_bytes()).hexdigest()},
               assets=rel(here, "assets/"),
               citation=(f"chidao contributors. chidao — Chỉ đạo phòng, chống dịch COVID-19 của các tỉnh "
                         f"(Vietnam's provincial COVID-19 directives), data package version {ctx.version}. "
                         "CC0-1.0."))
