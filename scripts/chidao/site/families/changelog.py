"""The data changelog (du-lieu/thay-doi/): CHANGELOG.md, what changed between package versions."""

from __future__ import annotations

import markdown
from markupsafe import Markup

from ..pages import SiteContext
from ..sitedata import rel
from .downloads import changelog_text, release_versions

HERE = "du-lieu/thay-doi/"


def write(ctx: SiteContext) -> None:
    text = changelog_text(ctx)
    if not text:
        return
    # CHANGELOG.md is the project's own hand-written file (not data read from a source text);
    # its first heading is the page's.
    body = markdown.markdown(text.split("\n", 1)[1] if text.startswith("# ") else text,
                             extensions=["tables"], output_format="html")
    ctx.write(HERE, "Thay đổi dữ liệu", "changelog.html.j2", body=Markup(body), version=ctx.version,
              versions=release_versions(ctx), downloads=rel(HERE, "du-lieu/"))
