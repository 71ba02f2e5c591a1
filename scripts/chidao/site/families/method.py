"""The methodology page: how a text becomes a record, measured accuracy, rejected files."""

from __future__ import annotations

import json

from ..pages import PAGES, SiteContext
from ..sitedata import measure_url, rel


def write(ctx: SiteContext) -> None:
    here = PAGES["method"]
    acc = json.loads((ctx.docs_src / "accuracy.json").read_text("utf-8"))
    rejections = ctx.a.table("rejections") if (ctx.a.dp / "data" / "rejections.csv").exists() else []
    ctx.write(here, "Phương pháp", "method.html.j2", accuracy=acc, rejections=rejections,
               measures=[{**m, "link": rel(here, measure_url(m["code"]))} for m in ctx.a.taxonomy])
