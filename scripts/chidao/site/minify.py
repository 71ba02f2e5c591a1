"""Whitespace minifier for the HTML the theme writes (its templates indent every tag and
leave runs of blank lines: ~10 % of a document page).

Only runs of HTML whitespace in text are touched, and each becomes one character: a newline
when the run held one, else a space. A browser renders any such run in normal text as one
space, so the page renders the same. Left verbatim: tags (attribute values keep their
spaces), comments, and the elements whose whitespace is content or shown (<pre>,
<textarea>, <script>, <style>; <code>, <kbd> and <samp>, which the theme styles
``white-space: pre-wrap``)."""

from __future__ import annotations

import re

# an element kept verbatim, from its start tag to its end tag (their content cannot nest one)
_VERBATIM = re.compile(r"<(pre|textarea|script|style|code|kbd|samp)(?=[\s/>])[^>]*>.*?</\1\s*>", re.S | re.I)
# a tag (quoted attribute values may hold ">"), a comment, a doctype
_TAG = re.compile(r"""<!--.*?-->|<[A-Za-z/!?](?:"[^"]*"|'[^']*'|[^'">])*>""", re.S)
# HTML's whitespace only: a no-break space (U+00A0) and other Unicode spaces are text
_SPACE = re.compile(r"[ \t\n\r\f]+")


def minify(html: str) -> str:
    """``html`` with every run of whitespace between and inside text collapsed."""
    out, pos = [], 0
    for m in _VERBATIM.finditer(html):
        out += [_collapse(html[pos:m.start()]), m.group(0)]
        pos = m.end()
    out.append(_collapse(html[pos:]))
    return "".join(out)


def _collapse(html: str) -> str:
    out, pos = [], 0
    for m in _TAG.finditer(html):
        out += [_SPACE.sub(_one, html[pos:m.start()]), m.group(0)]
        pos = m.end()
    out.append(_SPACE.sub(_one, html[pos:]))
    return "".join(out)


def _one(run: re.Match) -> str:
    return "\n" if "\n" in run.group(0) else " "
