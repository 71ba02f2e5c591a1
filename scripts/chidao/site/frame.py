"""What of the theme's page frame a generated page does not need, cut in our own build step
(so that it holds for mkdocs-material and Zensical alike, and for no page MkDocs renders from
hand-written Markdown). At 10,000 directives the site has some 20,000 generated pages, and each
byte of their frame is 20 KB of the site.

Each cut applies only when the theme wrote exactly what it expects; otherwise the page keeps
what the theme wrote (a later theme version costs bytes, never a broken page):

- the whitespace between tags (the theme's stylesheet is made for minified pages: its own
  documentation is published so), outside scripts;
- the empty placeholders of a skip link and of an announcement bar (the site has neither);
- the navigation drawer and its button, when every link of the drawer is a tab of the header:
  the drawer repeats the tabs for small screens, where the site's stylesheet shows the tabs
  instead (docs/static/chidao.css); 2 KB of every page;
- the hidden, empty table of contents (the pages hide it: ``hide: [toc]``);
- the script that opens a content tab named by the address's #fragment: generated pages have
  no content tabs;
- the theme's configuration (``<script id="__config">``) rewritten compactly, without the
  translations of the theme's search (its search plugin is off: the site's search is
  Pagefind's) and of its version selector (none), and with its text as UTF-8 instead of
  \\u escapes."""

from __future__ import annotations

import json
import re

_EMPTY_TOC = re.compile(
    r'<div class="md-sidebar md-sidebar--secondary"[^>]*\shidden>\s*<div class="md-sidebar__scrollwrap">\s*'
    r'<div class="md-sidebar__inner">\s*<nav class="md-nav md-nav--secondary"[^>]*>\s*</nav>\s*</div>\s*</div>\s*</div>\s*')
_TAB_SCRIPT = re.compile(r'<script>var target=document\.getElementById\(location\.hash\.slice\(1\)\);target&&'
                         r'target\.name&&\(target\.checked=target\.name\.startsWith\("__tabbed_"\)\)</script>\s*')
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
_DRAWER = re.compile(
    r'<div class="md-sidebar md-sidebar--primary"[^>]*>\s*<div class="md-sidebar__scrollwrap">\s*'
    r'<div class="md-sidebar__inner">\s*<nav class="md-nav md-nav--primary[^"]*"[^>]*>.*?</nav>\s*</div>\s*</div>\s*</div>\s*',
    re.S)
_DRAWER_BUTTON = re.compile(r'<label class="md-header__button md-icon" for="__drawer">\s*<svg[^>]*>.*?</svg>\s*</label>\s*', re.S)
_TABS = re.compile(r'<nav class="md-tabs"[^>]*>.*?</nav>', re.S)
_HREF = re.compile(r'<a href="([^"]*)" class="md-(?:tabs|nav)__link')
_EMPTY_SLOTS = re.compile(r'<div data-md-component="(?:skip|announce)">\s*</div>\s*')
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.S | re.I)
_BETWEEN_TAGS = re.compile(r">[ \t\n\r\f]+<")
_STAND_IN = "<\x00>"  # where a script was: a tag to _BETWEEN_TAGS, and in no page
UNUSED_TRANSLATIONS = ("search.", "select.version")  # prefixes of the keys no generated page uses


def trim_frame(page: str) -> str:
    """``page`` (or a part of one) without what the frame of a generated page does not need."""
    page = _EMPTY_TOC.sub("", page, count=1)
    page = _without_drawer(page)
    page = _TAB_SCRIPT.sub("", page, count=1)
    page = _EMPTY_SLOTS.sub("", page, count=2)
    page = _CONFIG.sub(_compact_config, page, count=1)
    # the whitespace between tags, outside scripts (whose text is code): each script is set
    # aside, a stand-in tag in its place, so that the whitespace next to it goes too
    if _STAND_IN in page:
        return page
    scripts = _SCRIPT.findall(page)
    outside = _BETWEEN_TAGS.sub("><", _SCRIPT.sub(_STAND_IN, page)).split(_STAND_IN)
    return "".join(part + script for part, script in zip(outside, [*scripts, ""], strict=True))


def _without_drawer(page: str) -> str:
    drawer, tabs = _DRAWER.search(page), _TABS.search(page)
    if not drawer or not tabs or 'data-md-component="content"' in drawer.group(0):
        return page  # no drawer, no tabs, or a match that ran past the sidebar: left alone
    links, tab_links = set(_HREF.findall(drawer.group(0))), set(_HREF.findall(tabs.group(0)))
    if not links or not links <= tab_links:
        return page  # the drawer holds more than the tabs (a nested navigation): kept
    page = page[:drawer.start()] + page[drawer.end():]
    return _DRAWER_BUTTON.sub("", page, count=1)


def _compact_config(m: re.Match) -> str:
    try:
        config = json.loads(m.group(2))
    except ValueError:
        return m.group(0)
    if isinstance(config.get("translations"), dict):
        config["translations"] = {k: v for k, v in config["translations"].items()
                                  if not k.startswith(UNUSED_TRANSLATIONS)}
    text = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
    # safe inside <script>: no "</script>" or "<!--" can close or comment it out
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return m.group(1) + text + m.group(3)
