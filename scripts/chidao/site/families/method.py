"""The methodology page: how a text becomes a record, measured accuracy, rejected files."""

from __future__ import annotations

import json

from ..pages import PAGES, SiteContext
from ..sitedata import measure_url, rel


def write(ctx: SiteContext) -> None:
    here = PAGES["method"]
    acc = json.loads((ctx.docs_src / "accuracy.json").read_text("utf-8"))
    rejections = ctx.a.table("rejections") if (ctx.a.dp / "data" / "rejections.csv").exists() else []
    scores_path = ctx.docs_src / "codebook_scores.json"
    scores = json.loads(scores_path.read_text("utf-8")) if scores_path.exists() else None
    ctx.write(here, "Phương pháp", "method.html.j2", accuracy=acc, rejections=rejections, scores=scores,
               measures=[{**m, "link": rel(here, measure_url(m["code"]))} for m in ctx.a.taxonomy])
