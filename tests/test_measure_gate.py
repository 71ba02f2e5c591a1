"""The measure coder's gate (extract/measures.py): one Aho-Corasick pass picks the codes whose
needles a text holds; what it picks must be exactly what a substring test per needle picks,
so the coded measures are the same, only faster."""

import random
import sys

from conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "scripts"))


def _plain_first_matches(text, spans):
    """first_matches with the gate as it was: key.find for each needle of each code."""
    from chidao.extract import measures as m
    from chidao.vntext import match_key

    key, out = match_key(text), [[] for _ in spans]
    lo, hi = spans[0][0], spans[-1][1]
    for code, pat, needles in m._patterns():
        if needles is not None and not any(key.find(n, lo, hi) >= 0 for n in needles):
            continue
        k = 0
        for hit in pat.finditer(key, lo, hi):
            s, e = hit.span()
            while k < len(spans) and s >= spans[k][1]:
                k += 1
            if k == len(spans):
                break
            if s >= spans[k][0] and e <= spans[k][1] and m._bounded(key, s, e):
                out[k].append((code, s, e))
                k += 1
    return out


def test_the_gate_picks_what_a_find_per_needle_picks(tmp_path):
    from chidao.extract.measures import first_matches
    from synth import generate

    generate(60, tmp_path)
    files = sorted(tmp_path.glob("*.txt")) + sorted((FIXTURES / "seeds").glob("*.txt"))
    rng = random.Random(14)
    for f in files:
        text = f.read_text("utf-8")
        cuts = sorted(rng.randrange(len(text) + 1) for _ in range(4))
        for spans in ([(0, len(text))], [(cuts[0], cuts[1]), (cuts[2], cuts[3])], [(cuts[1], cuts[2])]):
            spans = [s for s in spans if s[0] < s[1]] or [(0, len(text))]
            assert first_matches(text, spans) == _plain_first_matches(text, spans), (f.name, spans)
