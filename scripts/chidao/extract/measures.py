"""Codes each numbered item against the measure taxonomy's keyword patterns."""

from __future__ import annotations

import re
import re._parser as sre_parse
from functools import cache

import ahocorasick

from ..vntext import match_key
from ..vocab import measure_taxonomy


@cache
def _patterns() -> list[tuple[str, re.Pattern, tuple[str, ...] | None]]:
    """(code, one regex for its patterns, the words one of which any match must contain, or
    None when a pattern has no such word)."""
    # No look-behind at the start: it would stop the regex engine from skipping ahead to
    # where a pattern can begin. Word boundaries are checked on each match instead.
    out = []
    for m in measure_taxonomy()["measures"]:
        needles = [_needle(p) for p in m["patterns"]]
        out.append((m["code"], re.compile("|".join(f"(?:{p})" for p in m["patterns"])),
                    None if None in needles else tuple(needles)))
    return out


def _needle(pattern: str) -> str | None:
    """The longest run of plain characters every match of ``pattern`` contains (None when it
    has none of two characters or more). Most texts lack most codes' words, and a substring
    test is far cheaper than a regex scan."""
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    best, run = "", ""
    for op, arg in parsed.data:
        if op is sre_parse.LITERAL:
            run += chr(arg)
            best = max(best, run, key=len)
        else:
            run = ""
    return best if len(best) >= 2 else None


@cache
def _needles() -> ahocorasick.Automaton | None:
    """Every code's needles in one Aho-Corasick automaton, each needle -> the positions in
    _patterns() of the codes it belongs to: one pass over a text tells which codes may match
    (a clause is coded ~25 times a document; a find per needle per code was a quarter of the
    extraction's time)."""
    codes_of: dict[str, list[int]] = {}
    for i, (_, _, needles) in enumerate(_patterns()):
        for n in needles or ():
            codes_of.setdefault(n, []).append(i)
    if not codes_of:
        return None  # (an automaton of no words cannot be searched)
    automaton = ahocorasick.Automaton()
    for needle, codes in codes_of.items():
        automaton.add_word(needle, tuple(codes))
    automaton.make_automaton()
    return automaton


@cache
def _unneedled() -> frozenset[int]:
    """The positions in _patterns() of the codes with a pattern that has no needle: always scanned."""
    return frozenset(i for i, (_, _, needles) in enumerate(_patterns()) if needles is None)


def _candidates(key: str, lo: int, hi: int) -> set[int]:
    """The positions in _patterns() of the codes one of whose needles occurs in key[lo:hi]."""
    automaton = _needles()
    return {i for _, codes in automaton.iter(key, lo, hi) for i in codes} if automaton else set()


def _bounded(key: str, start: int, end: int) -> bool:
    return not (start > 0 and key[start - 1].isalnum()) and not (end < len(key) and key[end].isalnum())


def code_text(text: str) -> list[tuple[str, str]]:
    """(code, evidence phrase) for every taxonomy code whose patterns match ``text``."""
    return [(code, text[s:e]) for code, s, e in first_matches(text, [(0, len(text))])[0]]


def first_matches(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[str, int, int]]]:
    """For each (start, end) span of ``text`` (in order): (code, start, end) of the first match
    of every code inside it, in taxonomy order. One scan of the text per code, skipped when
    none of the code's literal needles is in the spans (_candidates)."""
    key = match_key(text)
    out: list[list[tuple[str, int, int]]] = [[] for _ in spans]
    if not spans:
        return out
    lo, hi = spans[0][0], spans[-1][1]
    patterns = _patterns()
    for i in sorted(_candidates(key, lo, hi).union(_unneedled())):  # in taxonomy order
        code, pat, _ = patterns[i]
        k = 0
        for m in pat.finditer(key, lo, hi):
            s, e = m.span()
            while k < len(spans) and s >= spans[k][1]:
                k += 1
            if k == len(spans):
                break
            if s >= spans[k][0] and e <= spans[k][1] and _bounded(key, s, e):
                out[k].append((code, s, e))
                k += 1  # first match only: move on to the next span
    return out
