"""The page frame of generated pages, trimmed in our own build step (site/frame.py): the parts
a generated page does not need are gone, what it needs still works, in the browser too."""

import json
import re

from conftest import ARTIFACTS, DOC_002


def test_trim_frame_cuts_only_what_it_recognises():
    from chidao.site.frame import trim_frame

    tabs = ('<nav class="md-tabs" aria-label="Tabs"><ul><li class="md-tabs__item"><a href="../.." class="md-tabs__link">'
            'Trang chủ</a></li></ul></nav>')
    drawer = ('<div class="md-sidebar md-sidebar--primary" data-md-type="navigation"><div class="md-sidebar__scrollwrap">'
              '<div class="md-sidebar__inner"><nav class="md-nav md-nav--primary" data-md-level="0"><ul>'
              '<li class="md-nav__item"><a href="{href}" class="md-nav__link">X</a></li></ul></nav></div></div></div>')
    config = ('<script id="__config" type="application/json">{"translations": {"clipboard.copy": "Sao ch\\u00e9p", '
              '"search.result.none": "Kh\\u00f4ng"}, "base": "../.."}</script>')
    page = tabs + "\n  " + drawer.format(href="../..") + config
    out = trim_frame(page)
    assert "md-sidebar--primary" not in out and tabs in out  # the drawer only repeated the tabs
    assert json.loads(re.search(r'__config" type="application/json">(.*?)</script>', out).group(1)) == {
        "translations": {"clipboard.copy": "Sao chép"}, "base": "../.."}
    assert "Sao chép" in out  # UTF-8, not \\u escapes
    # a drawer with a link the tabs do not have (a nested navigation) is kept
    assert "md-sidebar--primary" in trim_frame(tabs + drawer.format(href="../../khac/"))
    # what it does not recognise is left as it was
    odd = '<script id="__config" type="application/json">{not json</script>'
    assert trim_frame(odd) == odd


def test_generated_pages_have_the_trimmed_frame(site):
    for rel in (f"van-ban/{DOC_002}/index.html", "tinh/index.html", "index.html"):
        html = (site / rel).read_text("utf-8")
        assert "md-sidebar--primary" not in html and "md-sidebar--secondary" not in html, rel
        assert 'class="md-tabs"' in html and "search.result" not in html and "__tabbed_" not in html, rel
        assert not re.search(r">\n+<(?!/?script)", html.split("<article", 1)[0]), f"{rel}: whitespace between tags"


def test_the_tabs_are_the_navigation_on_a_phone(browser, base_url):
    pg = browser.new_page(viewport={"width": 390, "height": 800})
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(base_url + f"van-ban/{DOC_002}/")
    tabs = pg.locator(".md-tabs")
    assert tabs.is_visible()
    assert pg.locator(".md-tabs__link", has_text="Theo tỉnh").get_attribute("href") == "../../tinh/"
    assert pg.locator("#cd-q").is_visible()
    pg.screenshot(path=str(ARTIFACTS / "phone-document.png"))
    pg.locator(".md-tabs__link", has_text="Theo tỉnh").click()
    pg.wait_for_url("**/tinh/")
    assert errors == []
    pg.close()
