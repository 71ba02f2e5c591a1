"""The issuers: an index by province (co-quan/), each province's issuers (co-quan/<province>/)
and one page per issuer listing its documents (co-quan/<province>/<issuer>/), every list
paginated. An issuer is a name within a province; spellings that differ only in case or
diacritics are one issuer (sitedata.issuer_slug)."""

from __future__ import annotations

from ..pages import KINDS, SiteContext
from ..sitedata import NO_PROVINCE, issuers_url, province_key, province_url, rel
from . import _lists

HERE = "co-quan/"
OTHER = "Trung ương / không rõ tỉnh"


def write(ctx: SiteContext) -> None:
    provinces = {province_key(p["code_2021"], p["name_2021"]): p for p in ctx.a.provinces}
    rows = []
    for pkey in [k for k in provinces if k in ctx.a.issuers] + ([NO_PROVINCE] if NO_PROVINCE in ctx.a.issuers else []):
        p = provinces.get(pkey)
        issuers = ctx.a.issuers[pkey]
        name = p["full_name_2021"] if p else OTHER
        rows.append({"name": p["name_2021"] if p else OTHER, "link": rel(HERE, issuers_url(pkey)),
                     "n_issuers": len(issuers), "n_docs": sum(len(i["docs"]) for i in issuers.values())})
        _province_issuers(ctx, pkey, name, p)
    ctx.write(HERE, "Cơ quan ban hành", "issuers.html.j2", provinces=rows,
              n_issuers=sum(r["n_issuers"] for r in rows))


def _province_issuers(ctx: SiteContext, pkey: str, name: str, p: dict | None) -> None:
    base = issuers_url(pkey)
    issuers = sorted(ctx.a.issuers[pkey].values(), key=lambda i: (-len(i["docs"]), i["name"]))
    trail = [("Cơ quan ban hành", HERE)]

    def row_values(here: str, chunk: list[dict]) -> dict:
        return {"issuers": [{"name": i["name"], "kind": dict(KINDS).get(i["kind"], "—"), "count": len(i["docs"]),
                             "first": min(_dates(i), default=None), "last": max(_dates(i), default=None),
                             "link": rel(here, f"{base}{i['slug']}/")} for i in chunk]}

    _lists.paginate(ctx, base, issuers, f"Cơ quan ban hành — {name}", "issuer_list.html.j2",
                    trail=trail, row_values=row_values, place=name,
                    links={"province": province_url(p["code_2021"], p["name_2021"])} if p else {})
    for i in issuers:
        _lists.paginate_docs(ctx, f"{base}{i['slug']}/", i["docs"], i["name"],
                             description=f"Văn bản của {i['name']} ({name})",
                             trail=trail + [(name, base)],
                             intro=f"{dict(KINDS).get(i['kind'], 'Không rõ khối')} · {name}. "
                                   "Theo ngày ban hành, cũ trước. The issuer's documents, oldest first.")


def _dates(issuer: dict) -> list[str]:
    return [d["date_issued"] for d in issuer["docs"] if d["date_issued"]]
