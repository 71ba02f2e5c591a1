"""The search page (Pagefind's UI)."""

from __future__ import annotations

from ..pages import PAGES, SiteContext
from ..sitedata import rel


def write(ctx: SiteContext) -> None:
    here = PAGES["search"]
    ctx.write(here, "Tìm kiếm", "search.html.j2", pagefind=rel(here, "pagefind/"),
               assets=rel(here, "assets/"), catalogue=rel(here, PAGES["catalogue"]))
