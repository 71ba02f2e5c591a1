"""The measure index and a page per measure: which provinces coded it, when (a province x
year table and a province x month heatmap), linking down to each province's clauses, quoted
(bien-phap/<measure>/<province>/, paginated)."""

from __future__ import annotations

from collections import Counter, defaultdict

from markupsafe import Markup, escape

from .. import charts
from ..pages import PAGES, SiteContext, _highlight
from ..sitedata import NO_PROVINCE, doc_url, measure_province_url, measure_url, province_key, province_url, rel
from . import _lists

CLAUSE_CHARS = 180  # a quoted clause is cut to this many characters around its evidence
# Clause rows are short (a quote of at most CLAUSE_CHARS, at most ~650 bytes a row): 2.4 times as
# many a page as other lists (read at call time, as ROWS_PER_PAGE is), 120 rows, which keeps a
# page under the 100 KB bound (~85 KB at most) and saves the page frame (~9 KB) of the pages
# that a shorter page would add: a third of them at 10,000 directives.
CLAUSE_ROWS_FACTOR = 2.4
OTHER = "Trung ương / không rõ tỉnh"


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


def _groups(ctx: SiteContext, code: str) -> dict[str, list[tuple[dict, dict]]]:
    """province_key -> (clause, its document), by date of issue."""
    out: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for u in ctx.a.measures_by_code.get(code, []):
        d = ctx.a.by_id.get(u["document_id"])
        if d:
            p = ctx.a.province_by_code.get(d["province_code"] or "")
            out[province_key(p["code_2021"], p["name_2021"]) if p else NO_PROVINCE].append((u, d))
    for rows in out.values():
        rows.sort(key=lambda ud: (ud[1]["date_issued"] or "9999", ud[1]["id"], int(ud[0]["position"] or 0)))
    return out


def measure(ctx: SiteContext, m: dict) -> None:
    here = measure_url(m["code"])
    groups = _groups(ctx, m["code"])
    names = {province_key(p["code_2021"], p["name_2021"]): p for p in ctx.a.provinces}
    order = [k for k in names if k in groups] + ([NO_PROVINCE] if NO_PROVINCE in groups else [])
    years = sorted({(d["date_issued"] or "")[:4] for rows in groups.values() for _, d in rows} - {""})
    table = []
    for key in order:
        p = names.get(key)
        docs = {d["id"]: d for _, d in groups[key]}
        by_year = Counter((d["date_issued"] or "")[:4] for d in docs.values())
        table.append({"key": key, "code": p["code_2021"] if p else "khac", "name": p["name_2021"] if p else OTHER,
                      "link": rel(here, province_url(p["code_2021"], p["name_2021"])) if p else None,
                      "years": [by_year.get(y, 0) for y in years], "n_docs": len(docs), "n_clauses": len(groups[key]),
                      "clauses": rel(here, measure_province_url(m["code"], key))})
        _clause_pages(ctx, m, key, p["full_name_2021"] if p else OTHER, groups[key])
    ctx.write(here, f"{m['name_vi']} ({m['code']})", "measure.html.j2", m=m,
              patterns=(m["patterns"] or "").split(" | "), table=table, years=years,
              heatmap=_heatmap(ctx, here, groups, names) if groups else "")


def _heatmap(ctx: SiteContext, here: str, groups: dict, names: dict) -> Markup:
    """Province x month: documents of each province that ordered the measure, each month."""
    counts: dict[str, Counter] = {}
    for key, rows in groups.items():
        docs = {d["id"]: (d["date_issued"] or "")[:7] for _, d in rows}
        counts[key] = Counter(month for month in docs.values() if len(month) == 7)
    months = charts.month_span([mm for c in counts.values() for mm in c])
    keys = [k for k in names if k in groups]
    grid = [[counts[k].get(mm, 0) for mm in months] for k in keys]
    colour_of, legend = charts.count_scale(max((v for row in grid for v in row), default=1))
    rows = [(names[k]["name_2021"], rel(here, province_url(names[k]["code_2021"], names[k]["name_2021"])), True)
            for k in keys]
    return charts.heatmap(rows, months, grid, colour_of, label="Văn bản theo tỉnh và tháng / documents by province and month",
                          col_labels=charts.month_labels(months), cell_w=9, row_h=13, label_width=120,
                          drill=("{r}/", keys, months), unit="văn bản")


def _clause_pages(ctx: SiteContext, m: dict, key: str, place: str, rows: list[tuple[dict, dict]]) -> None:
    home = measure_url(m["code"])

    def row_values(here: str, chunk: list) -> dict:
        rows = []
        for u, d in chunk:
            anchor = f"#muc-{u['item']}" if u["item"] and u["item"].isdigit() else "#nhiem-vu"
            # one link a row: to the clause's item in the document (the document when none)
            rows.append(_clause_row(d["date_issued"], ctx.label(d), u["item"], rel(here, doc_url(d["id"])) + anchor,
                                    _quote(u), u["polarity"], u["level"]))
        return {"clause_rows": Markup("".join(rows)), "n_clauses": len(rows)}

    _lists.paginate(ctx, measure_province_url(m["code"], key), rows, f"{m['name_vi']} — {place}", "clauses.html.j2",
                    description=f"Các mệnh đề {m['name_vi']} trong văn bản của {place}, nguyên văn",
                    trail=[("Theo biện pháp", PAGES["measures"]), (m["name_vi"], home)],
                    row_values=row_values, rows_per_page=round(_lists.ROWS_PER_PAGE * CLAUSE_ROWS_FACTOR),
                    m=m, place=place)


def _clause_row(date, label, item, link, quote: Markup, polarity, level) -> str:
    """A row of a clause table, as HTML (every value escaped; ``quote`` is HTML already).
    Written here rather than in the template: a Jinja loop over ~50 rows a page was about
    half the time of the measure pages (1,300 pages at 5,000 documents)."""
    return (f'<tr><td>{escape(date or "—")}</td><td><a href="{escape(link)}">{escape(label)}</a></td>'
            f'<td>{escape(item or "—")}</td><td><q>{quote}</q></td>'
            f'<td>{escape(polarity or "")}{" · " + str(escape(level)) if level else ""}</td></tr>\n')


def _quote(u: dict) -> Markup:
    """The clause, cut to CLAUSE_CHARS around its evidence, the evidence marked."""
    clause, evidence = u["clause"] or u["evidence"] or "", u["evidence"] or ""
    at = clause.find(evidence) if evidence else -1
    if len(clause) > CLAUSE_CHARS:
        start = max(0, min(at - CLAUSE_CHARS // 3, len(clause) - CLAUSE_CHARS)) if at >= 0 else 0
        clause = ("…" if start else "") + clause[start:start + CLAUSE_CHARS].strip() + \
            ("…" if start + CLAUSE_CHARS < len(clause) else "")
    return Markup(_highlight(clause, [evidence]))
