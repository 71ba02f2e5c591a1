"""Comparisons across provinces: province x measure matrix, timeline, breakdowns, national
documents cited, figures."""

from __future__ import annotations

from collections import Counter

from .. import charts
from ..pages import KINDS, PAGES, SiteContext
from ..sitedata import doc_url, measure_url, province_url, rel


def write(ctx: SiteContext) -> None:
    here = PAGES["compare"]
    counts: Counter = Counter()
    for d in ctx.a.documents:
        for code in ctx.a.doc_measure_codes(d):
            counts[(d["province_code"], code)] += 1
    top = max(counts.values(), default=1)
    matrix = []
    for p in ctx.a.provinces:
        code = p["code_2021"]
        n_docs = len(ctx.a.docs_by_province.get(code, []))
        cells = [{"count": counts[(code, m["code"])], "name": m["name_vi"],
                  "colour": charts.heat_colour(counts[(code, m["code"])], top),
                  "link": rel(here, measure_url(m["code"])) + f"#tinh-{code}"} for m in ctx.a.taxonomy]
        matrix.append({"name": p["name_2021"], "link": rel(here, province_url(code, p["name_2021"])),
                       "has_docs": bool(n_docs), "n_docs": n_docs, "cells": cells})
    rows = [(p["name_2021"], rel(here, province_url(p["code_2021"], p["name_2021"])),
             ctx.a.docs_by_province[p["code_2021"]]) for p in ctx.a.provinces
            if p["code_2021"] in ctx.a.docs_by_province]
    weeks, srows = stringency_rows(ctx, here, ctx.a.provinces)
    types = sorted({d["doc_type"] or "—" for d in ctx.a.documents})
    breakdown = []
    for p in ctx.a.provinces:
        docs = ctx.a.docs_by_province.get(p["code_2021"], [])
        if docs:
            breakdown.append({"name": p["name_2021"], "link": rel(here, province_url(p["code_2021"], p["name_2021"])),
                              "kinds": [sum(d["issuer_kind"] == k for d in docs) for k, _ in KINDS],
                              "types": [sum((d["doc_type"] or "—") == t for d in docs) for t in types]})
    kind_counts = Counter(dict(KINDS).get(d["issuer_kind"], "Không rõ") for d in ctx.a.documents)
    type_counts = Counter(d["doc_type"] or "—" for d in ctx.a.documents)
    ctx.write(here, "So sánh giữa các tỉnh", "compare.html.j2", hide=("toc", "navigation"),
               measures=[{**m, "link": rel(here, measure_url(m["code"]))} for m in ctx.a.taxonomy],
               matrix=matrix, n_with_docs=len(ctx.a.docs_by_province),
               heat_hi=charts.heat_colour(top, top),
               timeline=charts.timeline(rows, ctx.link_fn(here)) if rows else "",
               stringency=charts.stringency_heatmap(srows, weeks) if srows else "",
               kinds=KINDS, types=types, breakdown=breakdown,
               kinds_chart=charts.bars(kind_counts.most_common(), "Theo khối"),
               types_chart=charts.bars(type_counts.most_common(), "Theo loại"),
               national=_national(ctx, here), figures=_figures(ctx, here))


def stringency_rows(ctx: SiteContext, here: str, provinces: list[dict]) -> tuple[list[str], list[tuple]]:
    """(weeks, heatmap rows) of the weekly stringency index; each cell's tooltip names the
    measures that set it and links to the clause's item (#muc-N) on the document page."""
    weeks, by_prov = ctx.a.stringency_weeks
    rows = []
    for p in provinces:
        cells = []
        for c in by_prov.get(p["code_2021"], {}).values():
            ms = [ctx.a.measure_by_id[i] for i in c["measure_ids"] if i in ctx.a.measure_by_id]
            value = "không có nguồn / no coded source" if c["value"] is None else f"{c['value']:g}"
            tip = (f"{p['name_2021']}, tuần {c['week']}: chỉ số {value}"
                   + (f" ({c['date']}; có: {c['indicators']}; thiếu: {c['missing'] or '—'})" if c["indicators"] else ""))
            tip += "".join(f"\n• {m['indicator']} {m['polarity']} mức {m['level']}: {m['document_id']} mục "
                           f"{m['item'] or '—'}: “{(m['clause'] or '')[:90]}”" for m in ms[:4])
            first = ms[0] if ms else None
            link = (rel(here, doc_url(first["document_id"])) + (f"#muc-{first['item']}" if first["item"] else "")
                    if first else None)
            cells.append({**c, "tip": tip, "link": link})
        if cells:
            rows.append((p["name_2021"], rel(here, province_url(p["code_2021"], p["name_2021"])), cells))
    return weeks, rows


def _national(ctx: SiteContext, here: str) -> list[dict]:
    cited: dict[str, dict] = {}
    for r in ctx.a.table("references"):
        d = ctx.a.by_id.get(r["document_id"])
        if not d or r["issuer_level"] != "national":
            continue
        key = r["symbol"] or r["text"]
        entry = cited.setdefault(key, {"label": r["symbol"] and f"{r['doc_type'] or ''} {r['symbol']}".strip()
                                       or r["text"], "issuer": r["issuer"], "citing": []})
        entry["issuer"] = entry["issuer"] or r["issuer"]
        entry["citing"].append({"province": d["province"] or "—", "date": d["date_issued"] or "",
                                "link": rel(here, doc_url(d["id"]))})
    return sorted(cited.values(), key=lambda e: (-len(e["citing"]), e["label"]))


def _figures(ctx: SiteContext, here: str) -> list[dict]:
    out = []
    for f in ctx.a.table("figures"):
        d = ctx.a.by_id.get(f["document_id"])
        if d:
            out.append({**f, "date": d["date_issued"], "province": d["province"], "label": ctx.label(d),
                        "link": rel(here, doc_url(d["id"]))})
    return sorted(out, key=lambda f: (f["date"] or "", f["province"] or ""))
