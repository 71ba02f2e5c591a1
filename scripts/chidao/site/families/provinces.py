"""The province index and a page per province (documents, timeline, measures, issuers)."""

from __future__ import annotations

from collections import Counter

from .. import charts
from ..pages import KINDS, PAGES, SiteContext
from ..sitedata import measure_url, province_url, rel
from .compare import stringency_rows


def write(ctx: SiteContext) -> None:
    here = PAGES["provinces"]
    rows = [{"code": p["code_2021"], "name": p["name_2021"], "region": p["region6_name"],
             "count": len(ctx.a.docs_by_province.get(p["code_2021"], [])),
             "name_2025": p["name_2025"], "code_2025": p["code_2025"],
             "link": rel(here, province_url(p["code_2021"], p["name_2021"]))} for p in ctx.a.provinces]
    ctx.write(here, "Theo tỉnh, thành phố", "provinces.html.j2", provinces=rows)
    for p in ctx.a.provinces:
        province(ctx, p)


def province(ctx: SiteContext, p: dict) -> None:
    here = province_url(p["code_2021"], p["name_2021"])
    docs = ctx.a.docs_by_province.get(p["code_2021"], [])
    counts: Counter = Counter()
    first: dict[str, str] = {}
    for d in docs:
        for code in ctx.a.doc_measure_codes(d):
            counts[code] += 1
            if d["date_issued"] and (code not in first or d["date_issued"] < first[code]):
                first[code] = d["date_issued"]
    measures = [{**ctx.a.measure_by_code[c], "count": n, "first": first.get(c),
                 "link": rel(here, measure_url(c))} for c, n in counts.most_common() if c in ctx.a.measure_by_code]
    issuers = Counter((d["issuer"] or "(không rõ)", dict(KINDS).get(d["issuer_kind"], "—")) for d in docs)
    chart = charts.timeline([(p["name_2021"], "#", docs)], ctx.link_fn(here), label_width=110) if docs else ""
    weeks, srows = stringency_rows(ctx, here, [p])
    stringency = charts.stringency_heatmap(srows, weeks, label_width=110) if srows else ""
    ctx.write(here, p["full_name_2021"], "province.html.j2", feed="feed.xml", p=p, docs=docs, link=ctx.link_fn(here),
               chart=chart, measures=measures, stringency=stringency,
               issuers=[{"name": n, "kind": k, "count": c} for (n, k), c in issuers.most_common()])
