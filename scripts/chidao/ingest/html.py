"""A directive saved from a provincial portal as HTML: the page's text, block structure kept as lines."""

import re
import unicodedata
from html.parser import HTMLParser

from .errors import SourceError
from .model import Reading
from .sniff import HTML

_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template", "head", "aside", "iframe", "svg", "form"}
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "center",
    "body",
}
_CELL = {"td", "th"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Meta charset (or BOM), else UTF-8, else Windows-1258 (Vietnamese, tones as combining marks: NFC)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            return unicodedata.normalize("NFC", data.decode(m.group(1).decode("ascii").lower()))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: try the usual encodings
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", data.decode("cp1258", "replace"))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities unescaped in handle_data
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP and tag not in _VOID:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append("\t")
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP and tag not in _VOID:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def read_html(data: bytes) -> Reading:
    parser = _Text()
    parser.feed(decode_html(data))
    parser.close()
    lines = [re.sub(r"[ \u00a0]+", " ", ln).strip(" \t") for ln in "".join(parser.parts).split("\n")]
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        raise SourceError("an HTML page with no text", "send the page of the directive itself", "empty")
    return Reading("\n".join(lines), HTML, "html", [], [])
