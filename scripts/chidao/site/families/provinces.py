"""The province index (with each province's documents by issuer kind and by type) and a page per province: a summary (counts, documents per month, the
weekly stringency index, measures, issuers, the latest documents) that links down to the
province's documents year by year (tinh/<province>/<year>/, paginated)."""

from __future__ import annotations

from collections import Counter, defaultdict

from .. import charts
from ..pages import KINDS, PAGES, SiteContext
from ..sitedata import (
    doc_url,
    issuers_url,
    measure_province_url,
    measure_url,
    province_key,
    province_url,
    province_year_url,
    rel,
)
from . import _lists


def write(ctx: SiteContext) -> None:
    here = PAGES["provinces"]
    types = sorted({d["doc_type"] or "—" for d in ctx.a.documents})
    rows = []
    for p in ctx.a.provinces:
        docs = ctx.a.docs_by_province.get(p["code_2021"], [])
        kinds, by_type = Counter(d["issuer_kind"] for d in docs), Counter(d["doc_type"] or "—" for d in docs)
        rows.append({"code": p["code_2021"], "name": p["name_2021"], "region": p["region6_name"],
                     "count": len(docs), "kinds": [kinds.get(k, 0) for k, _ in KINDS],
                     "types": [by_type.get(t, 0) for t in types],
                     "name_2025": p["name_2025"], "code_2025": p["code_2025"],
                     "link": rel(here, province_url(p["code_2021"], p["name_2021"]))})
    ctx.write(here, "Theo tỉnh, thành phố", "provinces.html.j2", provinces=rows, kinds=KINDS, types=types)
    for p in ctx.a.provinces:
        province(ctx, p)


def province(ctx: SiteContext, p: dict) -> None:
    here = province_url(p["code_2021"], p["name_2021"])
    docs = ctx.a.docs_by_province.get(p["code_2021"], [])
    by_year: dict[str | None, list[dict]] = defaultdict(list)
    for d in docs:
        by_year[(d["date_issued"] or "")[:4] or None].append(d)
    for year, ds in by_year.items():
        _year_pages(ctx, p, year, ds)
    pkey = province_key(p["code_2021"], p["name_2021"])
    months = Counter((d["date_issued"] or "")[:7] for d in docs if len(d["date_issued"] or "") >= 7)
    link_month = lambda m: rel(here, province_year_url(p["code_2021"], p["name_2021"], m[:4]))  # noqa: E731
    chart = charts.month_bars(charts.month_span(list(months)), months, f"Văn bản theo tháng — {p['name_2021']}",
                              link_month) if docs else ""
    cells, weeks = weekly_stringency(ctx, here, p["code_2021"])
    stringency = charts.stringency_strip(cells, weeks, "Chỉ số nghiêm ngặt theo tuần / weekly stringency index",
                                         label_width=10) if cells else ""
    latest = sorted(docs, key=lambda d: (d["date_issued"] or "", d["id"]), reverse=True)[:_lists.TOP_K]
    issuers = sorted(ctx.a.issuers.get(pkey, {}).values(), key=lambda i: (-len(i["docs"]), i["name"]))
    years = [{"year": y or "Không rõ năm", "count": len(by_year[y]),
              "link": rel(here, province_year_url(p["code_2021"], p["name_2021"], y))}
             for y in sorted(by_year, key=lambda y: y or "9999")]
    ctx.write(here, p["full_name_2021"], "province.html.j2", feed="feed.xml", p=p, n_docs=len(docs),
              span=(min(months), max(months)) if months else None, years=years, chart=chart,
              stringency=stringency, legend=charts.INDEX_LEGEND, measures=_measures(ctx, here, docs, pkey),
              latest=_lists.doc_rows(ctx, here, latest), n_issuers=len(issuers),
              issuers=[{"name": i["name"], "kind": dict(KINDS).get(i["kind"], "—"), "count": len(i["docs"]),
                        "link": rel(here, f"{issuers_url(pkey)}{i['slug']}/")} for i in issuers[:_lists.TOP_K]],
              issuers_link=rel(here, issuers_url(pkey)))


def _measures(ctx: SiteContext, here: str, docs: list[dict], pkey: str) -> list[dict]:
    counts: Counter = Counter()
    first: dict[str, str] = {}
    for d in docs:
        for code in ctx.a.doc_measure_codes(d):
            counts[code] += 1
            if d["date_issued"] and (code not in first or d["date_issued"] < first[code]):
                first[code] = d["date_issued"]
    return [{**ctx.a.measure_by_code[c], "count": n, "first": first.get(c), "link": rel(here, measure_url(c)),
             "clauses": rel(here, measure_province_url(c, pkey))}
            for c, n in counts.most_common() if c in ctx.a.measure_by_code]


def _year_pages(ctx: SiteContext, p: dict, year: str | None, docs: list[dict]) -> None:
    home = province_url(p["code_2021"], p["name_2021"])
    label = year or "không rõ năm"
    _lists.paginate_docs(ctx, province_year_url(p["code_2021"], p["name_2021"], year), docs,
                         f"{p['full_name_2021']} — văn bản năm {label}" if year else
                         f"{p['full_name_2021']} — văn bản không rõ năm",
                         trail=[("Theo tỉnh", PAGES["provinces"]), (p["name_2021"], home)],
                         intro=f"Theo ngày ban hành, cũ trước. The province's documents of {label}, oldest first.")


def weekly_stringency(ctx: SiteContext, here: str, code: str) -> tuple[list[dict], list[str]]:
    """One province's weekly stringency index: cells of (week, value, short tooltip, link to
    the item of the document whose measure set it), and every week of the index."""
    weeks, by_prov = ctx.a.stringency_weeks
    cells = []
    days = by_prov.get(code, {})
    behind = ctx.a.measures_on_days(code, [c["date"] for c in days.values()])
    for c in days.values():
        ms = [ctx.a.measure_by_id[i] for i in behind[c["date"]] if i in ctx.a.measure_by_id]
        value = "không có nguồn / no coded source" if c["value"] is None else f"chỉ số {c['value']:.0f}"
        tip = value + (f" ({c['indicators'].replace(' | ', ', ')})" if c["indicators"] else "")
        first = ms[0] if ms else None
        link = (rel(here, doc_url(first["document_id"])) + (f"#muc-{first['item']}" if first["item"] else "")
                if first else None)
        cells.append({"week": c["week"], "value": c["value"], "tip": tip, "link": link})
    return cells, weeks
