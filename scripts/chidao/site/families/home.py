"""The home page: counts, the span of dates, the latest documents."""

from __future__ import annotations

from ..discover import dataset_jsonld
from ..pages import PAGES, SiteContext
from ..sitedata import rel


def write(ctx: SiteContext) -> None:
    here = PAGES["home"]
    docs = ctx.a.documents
    dated = [d["date_issued"] for d in docs if d["date_issued"]]
    latest = sorted(docs, key=lambda d: d["date_issued"] or "", reverse=True)[:10]
    ctx.write(here, "Trang chủ", "home.html.j2", hide=("toc", "navigation"),
               jsonld=dataset_jsonld(ctx.a, here), feed="feed.xml",
               n_docs=len(docs), n_provinces=len(ctx.a.docs_by_province),
               span_start=min(dated) if dated else None, span_end=max(dated) if dated else None,
               n_measures=len(ctx.a.taxonomy), latest=latest, link=ctx.link_fn(here),
               links={k: rel(here, v) for k, v in PAGES.items()})
