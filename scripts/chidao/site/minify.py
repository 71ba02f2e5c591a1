"""Whitespace minifier for the HTML the theme writes (its templates indent every tag and
leave runs of blank lines: ~10 % of a document page).

Only runs of HTML whitespace in text are touched, and each becomes one character: a newline
when the run held one, else a space. A browser renders any such run in normal text as one
space, so the page renders the same. Left verbatim: tags (attribute values keep their
spaces), comments, and the elements whose whitespace is content or shown (<pre>,
<textarea>, <script>, <style>; <code>, <kbd> and <samp>, which the theme styles
``white-space: pre-wrap``).

Fast: no Python code runs per tag or per run of whitespace. The page is split at its
verbatim elements, each part at its tags (re.split), the text between the tags is joined
with a character no page holds (not whitespace, so no run crosses a tag), collapsed as a
whole (its lines stripped; runs of spaces by one substitution), and split back."""

from __future__ import annotations

import re

# an element kept verbatim, from its start tag to its end tag (their content cannot nest one)
_VERBATIM = re.compile(r"<(pre|textarea|script|style|code|kbd|samp)(?=[\s/>])[^>]*>.*?</\1\s*>", re.S | re.I)
# a tag (quoted attribute values may hold ">"), a comment, a doctype
_TAG = re.compile(r"""<!--.*?-->|<[A-Za-z/!?](?:"[^"]*"|'[^']*'|[^'">])*>""", re.S)
_TAG_SPLIT = re.compile(f"({_TAG.pattern})", re.S)  # the same, as split points kept in the result
# HTML's whitespace only: a no-break space (U+00A0) and other Unicode spaces are text
_SPACE = re.compile(r"[ \t\n\r\f]+")
_LINE_SPACE = " \t\r\f"  # HTML's whitespace but the newline
_SPACES = re.compile(r"[ \t\r\f]{2,}|[\t\r\f]")  # a run without a newline that is not one space
_DOUBLE_SPACES = re.compile("  +")  # the same, in a text without tabs, CR or FF (faster: a literal)
_JOIN = "\x00"  # between the texts of a page while they are collapsed together: no page holds it


def minify(html: str) -> str:
    """``html`` with every run of whitespace between and inside text collapsed."""
    out, pos = [], 0
    for m in _VERBATIM.finditer(html):
        out += [_collapse(html[pos:m.start()]), m.group(0)]
        pos = m.end()
    out.append(_collapse(html[pos:]))
    return "".join(out)


def _collapse(html: str) -> str:
    if _JOIN in html:
        return _collapse_slowly(html)
    parts = _TAG_SPLIT.split(html)  # text, tag, text, tag, ..., text
    parts[0::2] = _spaces(_newlines(_JOIN.join(parts[0::2]))).split(_JOIN)
    return "".join(parts)


def _newlines(text: str) -> str:
    """Each run of whitespace holding a newline as one newline: the whitespace at the ends of
    each line goes, and the lines that were whitespace only."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    middle = [line.strip(_LINE_SPACE) for line in lines[1:-1]]
    return "\n".join([lines[0].rstrip(_LINE_SPACE), *[line for line in middle if line], lines[-1].lstrip(_LINE_SPACE)])


def _spaces(text: str) -> str:
    """Each run of whitespace without a newline as one space (runs with one are "\n" already)."""
    if "\t" in text or "\r" in text or "\f" in text:
        return _SPACES.sub(" ", text)
    return _DOUBLE_SPACES.sub(" ", text) if "  " in text else text


def _collapse_slowly(html: str) -> str:
    out, pos = [], 0
    for m in _TAG.finditer(html):
        out += [_SPACE.sub(_one, html[pos:m.start()]), m.group(0)]
        pos = m.end()
    out.append(_SPACE.sub(_one, html[pos:]))
    return "".join(out)


def _one(run: re.Match) -> str:
    return "\n" if "\n" in run.group(0) else " "
