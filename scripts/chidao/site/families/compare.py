"""Comparisons across provinces, as aggregates whose size does not grow with the archive:
the province x measure matrix, documents per province and month, the monthly stringency
index, issuer kind and type breakdowns, and top-K summaries of the national documents cited
and of the figures, which link down to paginated lists (so-sanh/trung-uong/, so-sanh/so-lieu/)."""

from __future__ import annotations

from collections import Counter, defaultdict

from markupsafe import Markup, escape

from .. import charts
from ..pages import DOWNLOADS, KINDS, PAGES, SiteContext
from ..sitedata import measure_url, not_a_page_number, province_key, province_url, rel, slug
from . import _lists

HERE = PAGES["compare"]
NATIONAL = "so-sanh/trung-uong/"
FIGURES = "so-sanh/so-lieu/"
SCOPES = {"national": "cả nước", "province": "tỉnh", "district": "huyện"}


def write(ctx: SiteContext) -> None:
    matrix, legend, n_with_docs = _matrix(ctx)
    timeline, timeline_legend = _timeline(ctx)
    national = _national(ctx)
    figures = _figures(ctx)
    kind_counts = Counter(dict(KINDS).get(d["issuer_kind"], "Không rõ") for d in ctx.a.documents)
    type_counts = Counter(d["doc_type"] or "—" for d in ctx.a.documents)
    ctx.write(HERE, "So sánh giữa các tỉnh", "compare.html.j2", hide=("toc", "navigation"),
              matrix=matrix, legend=legend, n_with_docs=n_with_docs, nodoc=charts.NO_DATA,
              timeline=timeline, timeline_legend=timeline_legend,
              stringency=_stringency(ctx), index_legend=charts.INDEX_LEGEND,
              provinces_link=rel(HERE, PAGES["provinces"]),
              kinds_chart=charts.bars(kind_counts.most_common(), "Theo khối"),
              types_chart=charts.bars(type_counts.most_common(), "Theo loại"),
              national=[_national_row(e, HERE) for e in national[:_lists.TOP_K]], n_national=len(national), national_link=rel(HERE, NATIONAL),
              references_csv=rel(HERE, f"{DOWNLOADS}data/references.csv"),
              figure_units=_figure_units(figures), figures=[_figure_row(ctx, x, HERE) for x in figures[-_lists.TOP_K:][::-1]], n_figures=len(figures),
              figures_link=rel(HERE, FIGURES), figures_csv=rel(HERE, f"{DOWNLOADS}data/figures.csv"))
    _national_pages(ctx, national)
    _figure_pages(ctx, figures)


def _pkey(p: dict) -> str:
    return province_key(p["code_2021"], p["name_2021"])


def _row(p: dict, has_data: bool = True, linked: bool = True) -> tuple[str, str | None, bool]:
    # the matrix links every province's page; the charts below it need not repeat 63 links
    return p["name_2021"], rel(HERE, province_url(p["code_2021"], p["name_2021"])) if linked else None, has_data


def _matrix(ctx: SiteContext) -> tuple[Markup, list, int]:
    """Province x measure: documents of each province ordering each measure; a click on a cell
    opens the province's clauses of that measure (bien-phap/<measure>/<province>/)."""
    counts: Counter = Counter()
    for d in ctx.a.documents:
        for code in set(ctx.a.doc_measure_codes(d)):
            counts[(d["province_code"], code)] += 1
    codes = [m["code"] for m in ctx.a.taxonomy]
    grid = [[counts[(p["code_2021"], c)] for c in codes] for p in ctx.a.provinces]
    colour_of, legend = charts.count_scale(max(counts.values(), default=1))
    rows = [_row(p, p["code_2021"] in ctx.a.docs_by_province) for p in ctx.a.provinces]
    col_keys = [measure_url(c).split("/")[1] for c in codes]
    svg = charts.heatmap(rows, [m["name_vi"] for m in ctx.a.taxonomy], grid, colour_of,
                         label="Ma trận tỉnh × biện pháp / province × measure matrix",
                         col_labels=[(k, m["name_vi"], rel(HERE, measure_url(m["code"])))
                                     for k, m in enumerate(ctx.a.taxonomy)],
                         rotate=True, head=190, cell_w=14, row_h=14, label_width=120,
                         drill=(rel(HERE, "bien-phap/") + "{c}/{r}/", [_pkey(p) for p in ctx.a.provinces], col_keys),
                         unit="văn bản")
    return svg, legend, len(ctx.a.docs_by_province)


def _timeline(ctx: SiteContext) -> tuple[Markup | str, list]:
    """Province x month: documents issued; a click opens the province's documents of that year."""
    provinces = [p for p in ctx.a.provinces if p["code_2021"] in ctx.a.docs_by_province]
    counts = {p["code_2021"]: Counter((d["date_issued"] or "")[:7] for d in ctx.a.docs_by_province[p["code_2021"]])
              for p in provinces}
    months = charts.month_span([m for c in counts.values() for m in c if len(m) == 7])
    if not provinces:
        return "", []
    grid = [[counts[p["code_2021"]].get(m, 0) for m in months] for p in provinces]
    colour_of, legend = charts.count_scale(max(v for row in grid for v in row) or 1)
    svg = charts.heatmap([_row(p, linked=False) for p in provinces], months, grid, colour_of,
                         label="Văn bản theo tỉnh và tháng / documents by province and month",
                         col_labels=charts.month_labels(months), cell_w=10, row_h=12, label_width=120,
                         drill=(rel(HERE, "tinh/") + "{r}/{c}/", [_pkey(p) for p in provinces], [m[:4] for m in months]),
                         unit="văn bản")
    return svg, legend


def _stringency(ctx: SiteContext) -> Markup | str:
    """Province x month: the month's highest daily stringency index ("na": no coded source)."""
    if not (ctx.a.dp / "data" / "stringency_index.csv").exists():
        return ""
    best: dict[str, dict[str, float | str]] = defaultdict(dict)
    for row in ctx.a.table("stringency_index"):
        month, value = row["date"][:7], row["stringency_index"]
        cur = best[row["province_code"]].get(month)
        if value is not None and (cur is None or cur == "na" or float(value) > cur):
            best[row["province_code"]][month] = float(value)
        elif cur is None:
            best[row["province_code"]][month] = "na"
    provinces = [p for p in ctx.a.provinces if best.get(p["code_2021"])]
    if not provinces:
        return ""
    months = charts.month_span([m for b in best.values() for m in b])
    grid = [[best[p["code_2021"]].get(m) for m in months] for p in provinces]
    colour_of = lambda v: None if v is None else charts.NO_DATA if v == "na" else charts.index_colour(v)  # noqa: E731
    return charts.heatmap([_row(p, linked=False) for p in provinces], months, grid, colour_of,
                          label="Chỉ số nghiêm ngặt cao nhất theo tháng / monthly highest stringency index",
                          col_labels=charts.month_labels(months), cell_w=10, row_h=12, label_width=120,
                          drill=(rel(HERE, "tinh/") + "{r}/#nghiem-ngat", [_pkey(p) for p in provinces], months))


# --- national documents cited ----------------------------------------------------------------

def _national(ctx: SiteContext) -> list[dict]:
    """National documents the provinces cite, most widely cited first: label, issuer, citing
    documents (oldest first) and the provinces they are from."""
    cited: dict[str, dict] = {}
    for r in ctx.a.table("references"):
        d = ctx.a.by_id.get(r["document_id"])
        if not d or r["issuer_level"] != "national":
            continue
        label = r["symbol"] and f"{r['doc_type'] or ''} {r['symbol']}".strip() or r["text"]
        key = not_a_page_number(slug(r["symbol"] or r["text"] or "")[:80].strip("-") or "khong-ro")
        entry = cited.setdefault(key, {"key": key, "label": label, "issuer": r["issuer"], "docs": {}})
        entry["issuer"] = entry["issuer"] or r["issuer"]
        entry["docs"][d["id"]] = d
    out = []
    for e in cited.values():
        docs = sorted(e["docs"].values(), key=lambda d: (d["date_issued"] or "9999", d["id"]))
        provinces = Counter(d["province"] or "—" for d in docs)
        out.append({**e, "docs": docs, "provinces": [n for n, _ in provinces.most_common()]})
    return sorted(out, key=lambda e: (-len(e["provinces"]), -len(e["docs"]), e["label"]))


def _national_pages(ctx: SiteContext, national: list[dict]) -> None:
    trail = [("So sánh", HERE)]

    def row_values(here: str, chunk: list[dict]) -> dict:
        return {"entries": [_national_row(e, here) for e in chunk]}

    _lists.paginate(ctx, NATIONAL, national, "Văn bản trung ương được các tỉnh viện dẫn", "national.html.j2",
                    trail=trail, row_values=row_values, links={"csv": f"{DOWNLOADS}data/references.csv"})
    for e in national:
        _lists.paginate_docs(ctx, f"{NATIONAL}{e['key']}/", e["docs"], f"Văn bản viện dẫn {e['label']}",
                             description=f"Các văn bản của tỉnh viện dẫn {e['label']}",
                             trail=trail + [("Văn bản trung ương được viện dẫn", NATIONAL)],
                             intro=f"{e['issuer'] or 'Cơ quan trung ương'}. Các văn bản của tỉnh viện dẫn văn bản này, "
                                   "theo ngày ban hành. Provincial documents citing it, oldest first.")


def _national_row(e: dict, here: str) -> dict:
    shown = e["provinces"][:_lists.TOP_K]
    return {"label": e["label"], "issuer": e["issuer"], "link": rel(here, f"{NATIONAL}{e['key']}/"),
            "n_docs": len(e["docs"]), "n_provinces": len(e["provinces"]), "provinces": shown,
            "more": len(e["provinces"]) - len(shown)}


# --- figures ------------------------------------------------------------------------------------

def _figures(ctx: SiteContext) -> list[dict]:
    """Every figure with its document, by date of issue (then province)."""
    out = []
    for f in ctx.a.table("figures"):
        d = ctx.a.by_id.get(f["document_id"])
        if d:
            out.append({"f": f, "d": d})
    return sorted(out, key=lambda x: (x["d"]["date_issued"] or "", x["d"]["province"] or "", x["d"]["id"],
                                      int(x["f"]["position"] or 0)))


def _figure_row(ctx: SiteContext, x: dict, here: str) -> dict:
    from ..sitedata import doc_url

    f, d = x["f"], x["d"]
    return {**f, "date": d["date_issued"], "province": d["province"], "label": ctx.label(d),
            "scope_name": SCOPES.get(f["scope"], "—"), "link": rel(here, doc_url(d["id"]))}


def _figure_units(figures: list[dict]) -> list[dict]:
    """Figures by unit and scope: how many, from how many provinces, the latest date."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for x in figures:
        groups[(x["f"]["unit"] or "—", x["f"]["scope"])].append(x)
    rows = [{"unit": unit, "scope": SCOPES.get(scope, "—"), "count": len(xs),
             "provinces": len({x["d"]["province_code"] for x in xs if x["d"]["province_code"]}),
             "last": max((x["d"]["date_issued"] for x in xs if x["d"]["date_issued"]), default=None)}
            for (unit, scope), xs in groups.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["unit"]))[:_lists.TOP_K]


def _figure_pages(ctx: SiteContext, figures: list[dict]) -> None:
    _lists.paginate(ctx, FIGURES, figures, "Số liệu tại thời điểm ban hành", "figures.html.j2",
                    trail=[("So sánh", HERE)], links={"csv": f"{DOWNLOADS}data/figures.csv"},
                    row_values=lambda here, chunk: {
                        "figure_rows": Markup("".join(_figure_row_html(_figure_row(ctx, x, here)) for x in chunk)),
                        "n_figures": len(chunk)})


def _figure_row_html(f: dict) -> str:
    """A row of the figures table, as HTML (every value escaped, as the template would). Written
    here rather than in a Jinja loop: a new document with figures moves every later row to
    another page, and the hundreds of pages after it are made again."""
    number = f"{escape(f['qualifier'] or '')} {escape(f['value'])}" + (f"/{escape(f['denominator'])}" if f["denominator"] else "")
    unit = f"{escape(f['unit'])}" + (f" ({escape(f['place'])})" if f["place"] else "")
    return (f'<tr><td>{escape(f["date"] or "—")}</td><td>{escape(f["province"] or "—")}</td>'
            f'<td class="cd-num">{number}</td><td>{unit}</td><td>{escape(f["scope_name"])}</td>'
            f'<td><a href="{escape(f["link"])}">{escape(f["label"])}</a></td></tr>\n')
