"""A document's normalized text as HTML, shown once and in reading order: the preamble, each
numbered item as a block of its own at its place in the text, the closing; the evidence of
each coded measure and the words OCR was unsure of marked where they are.

Items carry no offsets in the record (only their text), so they are found in the text in
order; an item that cannot be found is still shown, as a block with its own text, after the
item before it. Measures carry offsets (evidence_start/evidence_end), used when they still
point at their evidence."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markupsafe import Markup

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")  # a blank line, as pages.paragraphs splits them
EVIDENCE, UNCERTAIN = "cd-evidence", "cd-uncertain"


@dataclass
class Mark:
    start: int
    end: int
    cls: str
    title: str = ""
    item: str | None = None  # the number of the item a measure's evidence is coded in


@dataclass
class Block:
    """A run of the text: an item (``item`` is its record entry) or the text between items."""
    html: Markup
    item: dict | None = None
    index: int = 0  # the item's position in rec["items"], from 0
    missing: bool = False  # an item not found in the text: its block shows its own text


def blocks(text: str, items: list[dict], evidence: list[Mark], uncertain: list[Mark]) -> list[Block]:
    """The text cut into blocks at its items, in reading order."""
    marks = sorted(evidence + uncertain, key=lambda m: m.start)
    out, pos = [], 0
    for k, (it, where) in enumerate(zip(items, locate_items(text, items), strict=True)):
        if where is None:  # not in the text: its own text, its evidence found by phrase
            own = _merge([Mark(*span, EVIDENCE, m.title) for m in evidence
                          if m.item == it["number"] and (span := _find(it["text"], text[m.start:m.end]))])
            out.append(Block(render(it["text"], 0, len(it["text"]), own), it, k, missing=True))
            continue
        start, end = where
        if text[pos:start].strip():
            out.append(Block(render(text, pos, start, marks)))
        out.append(Block(render(text, start, end, marks), it, k))
        pos = end
    if text[pos:].strip():
        out.append(Block(render(text, pos, len(text), marks)))
    return out


def locate_items(text: str, items: list[dict]) -> list[tuple[int, int] | None]:
    """Where each item is in the text, as (start of the line holding its number, end of its
    text), searched in order after the item before it: by its whole text, else by its first
    line (it then ends where the next item starts); None when neither is found."""
    found = _find_items(text, items)
    out: list[tuple[int, int] | None] = []
    for k, f in enumerate(found):
        if f is not None and f[1] is None:
            nxt = next((g[0] for g in found[k + 1:] if g is not None), len(text))
            f = (f[0], _open_end(text, f[0], f[2], nxt))
        out.append(None if f is None else (f[0], f[1]))
    return out


def _find_items(text: str, items: list[dict]) -> list[tuple[int, int | None, int] | None]:
    """(line start, end or None when found by its first line only, start + its length)."""
    found: list[tuple[int, int | None, int] | None] = []
    cursor = 0
    for it in items:
        body = it["text"].strip()
        first = body.split("\n", 1)[0].strip()
        at, end = _after_number(text, body, it["number"], cursor), None
        if at >= 0:
            end = at + len(body)
        else:
            at = _after_number(text, first, it["number"], cursor)
        if at < 0:
            found.append(None)
            continue
        line = max(text.rfind("\n", 0, at) + 1, cursor)  # the item's number opens its line
        found.append((line, end, at + len(body)))
        cursor = end if end is not None else at + len(first)
    return found


def _open_end(text: str, start: int, reach: int, nxt: int) -> int:
    """The end of an item found by its first line: the next item's start, or the end of the
    line its length reaches if sooner (its text and the page's differ a little)."""
    eol = text.find("\n", min(reach, len(text)))
    end = min(nxt, len(text) if eol < 0 else eol)
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _after_number(text: str, phrase: str, number: str, cursor: int) -> int:
    """Where ``phrase`` is in the text after ``cursor``: the first occurrence that opens a line
    after the item's number ("3. ", "III- ", "Điều 3. "), else its first occurrence (an item's
    words may also be found earlier, e.g. a body it tasks named in the preamble); -1 if none."""
    if not phrase:
        return -1
    marker = re.compile(r"\s*(?:Điều\s+)?" + re.escape(number) + r"\s*[.:\-–/),]?\s*")
    first, i = -1, text.find(phrase, cursor)
    while i >= 0:
        if marker.fullmatch(text, text.rfind("\n", 0, i) + 1, i):
            return i
        first = i if first < 0 else first
        i = text.find(phrase, i + 1)
    return first


def evidence_marks(text: str, measures: list[dict], title_of) -> list[Mark]:
    """A mark per coded measure over its evidence, titled with the measure's name; overlapping
    evidence (two measures read off one phrase) becomes one mark with both names."""
    spans: list[Mark] = []
    for m in measures:
        s, e = m.get("evidence_start"), m.get("evidence_end")
        if not (isinstance(s, int) and isinstance(e, int) and text[s:e] == m["evidence"] and s < e):
            span = _find(text, m["evidence"])  # offsets stale or missing: its first occurrence
            if not span:
                continue
            s, e = span
        spans.append(Mark(s, e, EVIDENCE, title_of(m["code"]), m.get("item")))
    return _merge(spans)


def _merge(spans: list[Mark]) -> list[Mark]:
    merged: list[Mark] = []
    for m in sorted(spans, key=lambda m: (m.start, -m.end)):
        if merged and m.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, m.end)
            if m.title and m.title not in last.title.split(" · "):
                last.title = f"{last.title} · {m.title}" if last.title else m.title
        else:
            merged.append(m)
    return merged


def uncertain_marks(text: str, words: list[str]) -> list[Mark]:
    """A mark per word OCR was unsure of. The words come in reading order: each is looked for
    after the one before (as a whole word, else anywhere), then from the start of the text."""
    marks: list[Mark] = []
    taken: list[tuple[int, int]] = []
    cursor = 0
    for w in words:
        span = _word(text, w, cursor, taken) or _word(text, w, 0, taken)
        if span:
            taken.append(span)
            marks.append(Mark(*span, UNCERTAIN))
            cursor = max(cursor, span[1])
    return sorted(marks, key=lambda m: m.start)


def _word(text: str, word: str, start: int, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    for pattern in (r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.escape(word)):
        for m in re.finditer(pattern, text[start:]):
            s, e = m.start() + start, m.end() + start
            if all(e <= a or s >= b for a, b in taken):
                return s, e
    return None


def _find(text: str, phrase: str) -> tuple[int, int] | None:
    i = text.find(phrase) if phrase else -1
    return (i, i + len(phrase)) if i >= 0 else None


def render(text: str, start: int, end: int, marks: list[Mark]) -> Markup:
    """``text[start:end]`` as escaped HTML paragraphs (a blank line parts them, a line break
    is a <br>), with the marks that fall in each paragraph."""
    out = []
    for ps, pe in _paragraphs(text, start, end):
        inside = [m for m in marks if m.start < pe and m.end > ps]
        out.append("<p>" + _marked(text, ps, pe, inside) + "</p>")
    return Markup("\n".join(out))


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text, start, end)]
    bounds = [start] + [x for c in cuts for x in c] + [end]
    out = []
    for s, e in zip(bounds[::2], bounds[1::2], strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _marked(text: str, start: int, end: int, marks: list[Mark]) -> str:
    """Evidence marks (clipped to the paragraph) hold the uncertain words inside them; an
    uncertain word that straddles an evidence mark's edge is cut there, so tags nest."""
    evidence = [(max(m.start, start), min(m.end, end), m.title) for m in marks if m.cls == EVIDENCE]
    cuts = sorted({x for s, e, _ in evidence for x in (s, e)})
    words = []
    for m in marks:
        if m.cls != UNCERTAIN:
            continue
        s, e = max(m.start, start), min(m.end, end)
        edges = [s] + [c for c in cuts if s < c < e] + [e]
        words += [(a, b) for a, b in zip(edges, edges[1:], strict=False) if a < b]
    out, pos = [], start
    for s, e, title in evidence:
        out.append(_words(text, pos, s, words))
        attr = f' title="{html.escape(title, quote=True)}"' if title else ""
        out.append(f'<mark class="{EVIDENCE}"{attr}>{_words(text, s, e, words)}</mark>')
        pos = e
    out.append(_words(text, pos, end, words))
    return "".join(out)


def _words(text: str, start: int, end: int, words: list[tuple[int, int]]) -> str:
    out, pos = [], start
    for s, e in words:
        if s >= start and e <= end:
            out += [_escape(text[pos:s]), f'<mark class="{UNCERTAIN}">', _escape(text[s:e]), "</mark>"]
            pos = e
    out.append(_escape(text[pos:end]))
    return "".join(out)


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")
