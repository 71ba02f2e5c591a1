"""The measure index and a page per measure: where and when each province coded it."""

from __future__ import annotations

from collections import defaultdict

from ..pages import PAGES, SiteContext
from ..sitedata import doc_url, measure_url, province_url, rel


def write(ctx: SiteContext) -> None:
    here = PAGES["measures"]
    rows = []
    for m in ctx.a.taxonomy:
        uses = ctx.a.measures_by_code.get(m["code"], [])
        docs = {u["document_id"] for u in uses}
        provs = {ctx.a.by_id[i]["province_code"] for i in docs if i in ctx.a.by_id}
        rows.append({**m, "n_docs": len(docs), "n_provinces": len(provs - {None}),
                     "link": rel(here, measure_url(m["code"]))})
        measure(ctx, m)
    ctx.write(here, "Theo biện pháp", "measures.html.j2", measures=rows)


def measure(ctx: SiteContext, m: dict) -> None:
    here = measure_url(m["code"])
    groups: dict[str | None, list[dict]] = defaultdict(list)
    for u in ctx.a.measures_by_code.get(m["code"], []):
        d = ctx.a.by_id.get(u["document_id"])
        if not d:
            continue
        anchor = f"#muc-{u['item']}" if u["item"] and u["item"].isdigit() else "#nhiem-vu"
        groups[d["province_code"]].append({
            "date": d["date_issued"], "doc_link": rel(here, doc_url(d["id"])), "label": ctx.label(d),
            "item": u["item"], "item_link": rel(here, doc_url(d["id"])) + anchor, "evidence": u["evidence"]})
    out = []
    for code, rows in sorted(groups.items(), key=lambda kv: kv[0] or "99"):
        p = ctx.a.province_by_code.get(code or "")
        out.append({"code": code, "name": p["name_2021"] if p else "Trung ương / không rõ tỉnh",
                    "link": rel(here, province_url(code, p["name_2021"])) if p else "#",
                    "rows": sorted(rows, key=lambda r: r["date"] or "")})
    ctx.write(here, f"{m['name_vi']} ({m['code']})", "measure.html.j2", m=m,
               patterns=(m["patterns"] or "").split(" | "), groups=out)
