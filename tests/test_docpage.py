"""The document page: its text shown once, in reading order, with each numbered item a block
at its place (its measures' evidence and OCR's uncertain words marked), indexed once by the
search; the link to its JSON record; and the minifier that keeps every page's shell lean."""

import functools
import html
import http.server
import io
import json
import os
import re
import threading
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from chidao.site import doctext
from chidao.site.minify import minify
from chidao.site.sitedata import measure_url
from conftest import ARTIFACTS, DOC_002, ROOT

RECORDS = {p.stem: json.loads(p.read_text("utf-8")) for p in (ROOT / "datapackage" / "json").glob("*.json")
           if p.name != "documents.json"}
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "area", "base", "col", "embed", "track"}


class Tree(HTMLParser):
    """Checks that tags nest, and collects text: all of it, and the part the search indexes
    (inside data-pagefind-body, outside data-pagefind-ignore, not the hidden folded words)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.text: list[str] = []
        self.indexed: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if tag == "br":
                self.handle_data("\n")
            return
        a = dict(attrs)
        parent = self.stack[-1][1] if self.stack else None
        if "data-pagefind-ignore" in a or "cd-fold" in (a.get("class") or ""):
            state = False
        elif "data-pagefind-body" in a:
            state = True
        else:
            state = parent
        self.stack.append((tag, state))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.stack and self.stack[-1][1]:
            self.indexed.append(data)


def parse(markup: str) -> Tree:
    tree = Tree()
    tree.feed(markup)
    tree.close()
    return tree


def plain_of(markup: str) -> str:
    """The text of a run of our markup (tags dropped, <br> a line break)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup.replace("<br>", "\n")))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- the text once, in reading order --------------------------------------------------------

WORD = st.text(alphabet="abcdđêôơưạảấớ<>&\"'", min_size=1, max_size=7)
LINE = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
PARA = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
PARAS = st.lists(PARA, min_size=1, max_size=3).map("\n\n".join)


@settings(max_examples=300, deadline=None, derandomize=not os.environ.get("CHIDAO_RANDOM_PROPS"), database=None)
@given(PARAS, st.lists(PARAS, max_size=5), st.one_of(st.just(""), PARAS), st.data())
def test_text_is_shown_once_in_reading_order_with_items_in_place(preamble, bodies, closing, data):
    """Whatever the text, the blocks hold each of its paragraphs once, in order; each item's
    block starts at its number; the marks nest and cover their phrases."""
    parts, items = [preamble], []
    for n, body in enumerate(bodies, 1):
        parts.append(f"{n}. {body}")
        items.append({"number": str(n), "text": body, "addressees": []})
    text = "\n\n".join(parts + ([closing] if closing else []))
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 12)), max_size=6))
    measures = [{"code": f"C{k}", "item": None, "evidence": text[s:s + n], "evidence_start": s, "evidence_end": s + n}
                for k, (s, n) in enumerate(spans) if text[s:s + n].strip()]
    words = data.draw(st.lists(st.sampled_from(text.split()), max_size=5))
    evidence = doctext.evidence_marks(text, measures, lambda code: f"tên {code}")
    blocks = doctext.blocks(text, items, evidence, doctext.uncertain_marks(text, words))

    page = "".join(f"<div>{b.html}</div>" for b in blocks)
    tree = parse(page)
    assert tree.errors == [] and tree.stack == []
    shown = re.findall(r"<p>(.*?)</p>", page, re.S)
    plain = [plain_of(p) for p in shown]
    assert plain == [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    item_blocks = [b for b in blocks if b.item]
    assert [b.item["number"] for b in item_blocks] == [it["number"] for it in items]
    for b in item_blocks:
        assert not b.missing and squash(plain_of(b.html)).startswith(
            squash(f"{b.item['number']}. {b.item['text']}"))
    marked = "\n".join(re.findall(r'<mark class="cd-evidence"[^>]*>((?:[^<]|<br>|<mark class="cd-uncertain">[^<]*</mark>)*)'
                                   r"</mark>", page))
    for m in measures:  # each evidence phrase is inside a mark (a paragraph break may cut it)
        for piece in re.split(r"\n\s*\n", m["evidence"]):
            if piece.strip():
                assert html.escape(piece.strip(), quote=False).replace("\n", "<br>") in re.sub(
                    r"</?mark[^>]*>", "", marked)


def test_items_are_found_in_order_even_when_their_text_differs_and_shown_when_missing():
    text = "Kính gửi: Sở Y tế\n\n1. Sở Y tế chủ trì.\nTheo dõi hằng ngày.\n\n2. Công an tỉnh bảo đảm an ninh.\n\nNơi nhận:"
    items = [{"number": "1", "text": "Sở Y tế chủ trì.\nTheo  dõi hằng ngày.", "addressees": ["Sở Y tế"]},  # a stray space
             {"number": "2", "text": "Công an tỉnh bảo đảm an ninh.", "addressees": []},
             {"number": "3", "text": "Mục không có trong văn bản.", "addressees": []}]
    where = doctext.locate_items(text, items)
    assert where[0] == (text.index("1. "), text.index("\n\n2. "))  # by its first line, up to the next item
    assert where[1] == (text.index("2. "), text.index("\n\nNơi nhận"))
    assert where[2] is None
    blocks = doctext.blocks(text, items, [], [])
    assert [(b.item or {}).get("number") for b in blocks] == [None, "1", "2", "3", None]
    assert blocks[3].missing and "Mục không có trong văn bản." in blocks[3].html
    assert "Sở Y tế chủ trì.<br>Theo dõi hằng ngày." in blocks[1].html and "Kính gửi" in blocks[0].html


def test_marks_nest_where_an_uncertain_word_straddles_evidence():
    text = "phong toa tam thoi khu dan cu"
    s = text.index("tam")
    ev = doctext.evidence_marks(text, [{"code": "X", "item": None, "evidence": "phong toa tam",
                                        "evidence_start": 0, "evidence_end": s + 3},
                                       {"code": "Y", "item": None, "evidence": "toa tam thoi",  # overlaps X
                                        "evidence_start": 6, "evidence_end": 18}], {"X": "Phong tỏa", "Y": "Y"}.get)
    assert [(m.start, m.end, m.title) for m in ev] == [(0, 18, "Phong tỏa · Y")]
    un = doctext.uncertain_marks(text, ["thoi", "khu", "thoi"])
    out = str(doctext.render(text, 0, len(text), ev + un))
    assert out == ('<p><mark class="cd-evidence" title="Phong tỏa · Y">phong toa tam <mark class="cd-uncertain">thoi'
                   '</mark></mark> <mark class="cd-uncertain">khu</mark> dan cu</p>')
    assert parse(out).errors == []


def test_uncertain_words_are_marked_in_reading_order_as_whole_words():
    text = "Huế, Huế và Huếch"
    marks = doctext.uncertain_marks(text, ["Huế", "Huế", "Huế"])
    assert [(m.start, m.end) for m in marks] == [(0, 3), (5, 8), (12, 15)]  # the third only inside a longer word


# --- the built pages --------------------------------------------------------------------------

def _article(site, doc_id: str) -> tuple[str, Tree]:
    page = (site / "van-ban" / doc_id / "index.html").read_text("utf-8")
    return page, parse(page)


@pytest.mark.parametrize("doc_id", sorted(RECORDS))
def test_each_item_is_on_the_page_and_in_the_search_index_once(site, doc_id):
    rec = RECORDS[doc_id]
    page, tree = _article(site, doc_id)
    assert tree.errors == []
    shown, indexed = squash("".join(tree.text)), squash("".join(tree.indexed))
    assert rec["items"], doc_id
    for k, it in enumerate(rec["items"], 1):
        body = squash(it["text"])
        assert shown.count(body) == 1 and indexed.count(body) == 1, (doc_id, it["number"])
        anchor = it["number"] if it["number"].isdigit() else k
        block = re.search(rf'<section class="cd-item" id="muc-{anchor}">(.*?)</section>', page, re.S).group(1)
        assert body in squash(plain_of(block))
    for para in re.split(r"\n\s*\n", rec["text"]):  # the whole text is there, and indexed
        assert squash(para) in indexed
    assert 'id="toan-van"' in page and 'id="nhiem-vu"' in page and "<details" not in page.split('id="toan-van"')[1]


@pytest.mark.parametrize("doc_id", sorted(RECORDS))
def test_measures_are_shown_at_their_item_with_their_evidence_marked(site, doc_id):
    rec = RECORDS[doc_id]
    page, _ = _article(site, doc_id)
    for it in rec["items"]:
        if not it["number"].isdigit():
            continue
        block = re.search(rf'<section class="cd-item" id="muc-{it["number"]}">(.*?)</section>', page, re.S).group(1)
        for m in (m for m in rec["measures"] if m["item"] == it["number"]):
            assert measure_url(m["code"]) in block, (doc_id, m["code"])
            assert re.search(r'<mark class="cd-evidence"[^>]*>[^<]*' + re.escape(html.escape(m["evidence"], quote=False)),
                             block), (doc_id, m["evidence"])


def test_record_link_points_at_the_repository_when_known_else_at_the_downloads_page(site, tmp_path, monkeypatch):
    from chidao.site.families import documents
    from chidao.site.pages import SiteContext
    from chidao.site.sitedata import Archive

    page = (site / "van-ban" / DOC_002 / "index.html").read_text("utf-8")
    downloads = page.split('id="tai-ve"')[1]
    assert "files/json/" not in page and 'href="../../du-lieu/">trang Dữ liệu</a>' in downloads

    monkeypatch.setenv("CHIDAO_REPO_URL", "https://github.com/owner/chidao/")
    assert documents.record_url(DOC_002) == f"https://github.com/owner/chidao/blob/main/datapackage/json/{DOC_002}.json"
    folders = [tmp_path / n for n in ("src", "dl", "pages")]
    for f in folders:
        f.mkdir()
    ctx = SiteContext(Archive(ROOT / "datapackage"), folders[0], ROOT / "docs", folders[1], folders[2])
    body = documents.document(ctx, next(d for d in ctx.a.documents if d["id"] == DOC_002))["body"]
    assert f'href="https://github.com/owner/chidao/blob/main/datapackage/json/{DOC_002}.json"' in body
    monkeypatch.delenv("CHIDAO_REPO_URL")
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    assert documents.record_url(DOC_002) is None


# --- the minifier ----------------------------------------------------------------------------

def test_minify_collapses_runs_of_whitespace_in_text_only():
    src = ('\n\n<div class="a">\n      \n   <a title="two   spaces" href="x">x</a>\n\t <b>y</b>   z\u00a0\u00a0 w</div>\n'
           "<pre>\n  keep   this\n\n</pre> <textarea>  a\n\n b</textarea>  <script>if (a  >  b) {\n\n}</script>"
           "<style>p  {  }</style> <code>a  b</code>  <kbd> x  </kbd>\n\n<!--  a   comment  -->"
           "<p data-x='a > b   c'>a  \n\n  b</p>")
    assert minify(src) == (
        '\n<div class="a">\n<a title="two   spaces" href="x">x</a>\n<b>y</b> z\u00a0\u00a0 w</div>\n'
        "<pre>\n  keep   this\n\n</pre> <textarea>  a\n\n b</textarea> <script>if (a  >  b) {\n\n}</script>"
        "<style>p  {  }</style> <code>a  b</code> <kbd> x  </kbd>\n<!--  a   comment  -->"
        "<p data-x='a > b   c'>a\nb</p>")
    assert minify(minify(src)) == minify(src)


def test_theme_pages_are_minified_and_render_the_same(site, browser, tmp_path):
    """The theme's own 404 page (not minified by the build) and a page exercising what
    whitespace can change — inline-block tabs, inline links, <pre>, pre-wrap <code>, a
    textarea — look the same to the pixel before and after; built pages are minified."""
    for rel in ("index.html", "du-lieu/index.html"):
        text = (site / rel).read_text("utf-8")
        assert minify(text) == text, rel
    doc = (site / "van-ban" / DOC_002 / "index.html").read_text("utf-8")  # its shell (its text is as printed)
    shell = (doc.split('<article class="cd-doc"')[0], doc.rsplit("</article>", 1)[1])
    assert [minify(part) for part in shell] == list(shell)
    raw = (site / "404.html").read_text("utf-8")
    probe = raw.replace("</article>", (
        '<ul class="cd-probe"><li style="display:inline-block">Một</li>\n    <li style="display:inline-block">Hai'
        '</li>\n\n\n  <li style="display:inline-block">Ba</li></ul>\n<p>chữ   <a href="#">liên kết</a>\n\n   <em>nghiêng'
        "</em>  tiếp</p>\n<pre>  hai    dòng\n\n  trống</pre>\n<p><code>a   b\n\n c</code></p>"
        "<textarea>  x\n\n   y</textarea></article>"), 1)
    assert probe != raw
    (tmp_path / "assets").symlink_to(site / "assets")  # the 404 page links /assets/ from the root
    for name, page in (("404", raw), ("probe", probe)):
        assert len(minify(page)) < len(page)
        (tmp_path / f"{name}-a.html").write_text(page, encoding="utf-8")
        (tmp_path / f"{name}-b.html").write_text(minify(page), encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pg = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        for name in ("404", "probe"):
            shots = []
            for side in "ab":
                pg.goto(base + f"{name}-{side}.html")
                pg.wait_for_load_state("networkidle")
                pg.wait_for_timeout(500)  # the theme's scripts have run
                shot = pg.screenshot(full_page=True, animations="disabled")  # the tabs fade in
                shots.append(Image.open(io.BytesIO(shot)).convert("RGB"))
            shots[1].save(ARTIFACTS / f"minify-{name}.png")
            assert shots[0].size == shots[1].size and ImageChops.difference(*shots).getbbox() is None, name
    finally:
        pg.close()
        server.shutdown()
