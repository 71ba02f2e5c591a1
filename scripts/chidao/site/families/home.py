"""The home page: counts, the span of dates, the latest documents (a bounded few)."""

from __future__ import annotations

from ..discover import dataset_jsonld
from ..pages import PAGES, SiteContext
from ..sitedata import rel
from . import _lists


def write(ctx: SiteContext) -> None:
    here = PAGES["home"]
    docs = ctx.a.documents
    dated = [d["date_issued"] for d in docs if d["date_issued"]]
    latest = sorted(docs, key=lambda d: (d["date_issued"] or "", d["id"]), reverse=True)[:_lists.TOP_K]
    ctx.write(here, "Trang chủ", "home.html.j2", hide=("toc", "navigation"),
              jsonld=dataset_jsonld(ctx.a, here), feed="feed.xml",
              n_docs=len(docs), n_provinces=len(ctx.a.docs_by_province),
              span_start=min(dated) if dated else None, span_end=max(dated) if dated else None,
              n_measures=len(ctx.a.taxonomy), latest=_lists.doc_rows(ctx, here, latest),
              links={k: rel(here, v) for k, v in PAGES.items()} | {"issuers": rel(here, "co-quan/")})
