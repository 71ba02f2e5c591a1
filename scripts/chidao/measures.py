"""Codes each numbered item against the measure taxonomy's keyword patterns."""

from __future__ import annotations

import re
from functools import cache

from .textnorm import match_key
from .vocab import measure_taxonomy


@cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    out = []
    for m in measure_taxonomy()["measures"]:
        alts = "|".join(f"(?:{p})" for p in m["patterns"])
        out.append((m["code"], re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)")))
    return out


def code_text(text: str) -> list[tuple[str, str]]:
    """(code, evidence phrase) for every taxonomy code whose patterns match ``text``."""
    key = match_key(text)
    out = []
    for code, pat in _patterns():
        m = pat.search(key)
        if m:
            out.append((code, text[m.start(): m.end()]))
    return out
