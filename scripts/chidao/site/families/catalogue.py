"""The catalogue: every document, with filters (JavaScript) and a full table without."""

from __future__ import annotations

from ..pages import KINDS, PAGES, SiteContext


def write(ctx: SiteContext) -> None:
    here = PAGES["catalogue"]
    docs = ctx.a.documents
    provs = sorted({(d["province_code"], d["province"]) for d in docs if d["province_code"]})
    ctx.write(here, "Danh mục văn bản", "catalogue.html.j2", hide=("toc", "navigation"), docs=docs,
               link=ctx.link_fn(here), provinces=[{"code": c, "name": n} for c, n in provs],
               types=sorted({d["doc_type"] for d in docs if d["doc_type"]}), kinds=KINDS,
               years=sorted({d["date_issued"][:4] for d in docs if d["date_issued"]}),
               measures=ctx.a.taxonomy)
