"""The catalogue: an index of counts by month and by type, linking down to bounded lists (a
month's documents, in dates.py; a type's documents, here), whatever the archive's size."""

from __future__ import annotations

from collections import Counter

from .. import charts
from ..pages import PAGES, SiteContext
from ..sitedata import month_url, rel, type_url
from . import _lists


def write(ctx: SiteContext) -> None:
    here = PAGES["catalogue"]
    docs = ctx.a.documents
    by_month = ctx.a.docs_by_month
    months = charts.month_span([m for m in by_month if m])
    counts = {m: len(ds) for m, ds in by_month.items() if m}
    years = []
    for year in sorted({m[:4] for m in counts}):
        cells = [{"month": k, "count": counts.get(f"{year}-{k:02d}", 0),
                  "link": rel(here, month_url(f"{year}-{k:02d}"))} for k in range(1, 13)]
        years.append({"year": year, "cells": cells, "total": sum(c["count"] for c in cells)})
    types = Counter(d["doc_type"] for d in docs)
    ctx.write(here, "Danh mục văn bản", "catalogue.html.j2", hide=("toc", "navigation"),
              n_docs=len(docs), years=years, rows_per_page=_lists.ROWS_PER_PAGE,
              undated={"count": len(by_month.get(None, [])), "link": rel(here, month_url(None))},
              chart=charts.month_bars(months, counts, "Số văn bản theo tháng / documents per month",
                                      lambda m: rel(here, month_url(m)) if counts.get(m) else None),
              types=[{"name": t or "Không rõ loại", "count": n, "link": rel(here, type_url(t))}
                     for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0] or ""))],
              links={k: rel(here, v) for k, v in PAGES.items()} | {"issuers": rel(here, "co-quan/")})
    for t in types:
        _type_pages(ctx, t, [d for d in docs if d["doc_type"] == t])


def _type_pages(ctx: SiteContext, doc_type: str | None, docs: list[dict]) -> None:
    name = doc_type or "Không rõ loại"
    _lists.paginate_docs(ctx, type_url(doc_type), docs, f"{name} — mọi văn bản",
                         description=f"Danh sách văn bản loại {name}, theo ngày ban hành",
                         trail=[("Danh mục văn bản", PAGES["catalogue"])],
                         intro="Theo ngày ban hành, cũ trước. Ordered by date of issue, oldest first.")
