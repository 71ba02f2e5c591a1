"""Scores the coder on the hand-coded truth file (tests/fixtures/codebook_truth.yaml):
precision and recall of indicator codes, accuracy of polarity and of level.

    python -m chidao.codebook.evaluate [--write docs/codebook_scores.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from .coder import code_clause

ROOT = Path(__file__).resolve().parents[3]
TRUTH = ROOT / "tests" / "fixtures" / "codebook_truth.yaml"


def predict(clause: str) -> tuple[set[str], str, dict[str, int | None]]:
    """(indicators coded as measures, the clause's polarity, indicator -> level)."""
    coded = [m for m in code_clause(clause) if m["polarity"] != "mention"]
    levels: dict[str, int | None] = {}
    for m in coded:
        if m["level"] is not None:
            levels[m["indicator"]] = max(levels.get(m["indicator"]) or 0, m["level"])
        else:
            levels.setdefault(m["indicator"], None)
    return {m["indicator"] for m in coded}, (coded[0]["polarity"] if coded else "mention"), levels


def score(truth_path: Path = TRUTH) -> dict:
    truth = yaml.safe_load(truth_path.read_text("utf-8"))["clauses"]
    tp = fp = fn = pol_ok = lev_ok = lev_n = 0
    misses = []
    for t in truth:
        codes, polarity, levels = predict(t["clause"])
        want = set(t["codes"])
        tp += len(codes & want)
        fp += len(codes - want)
        fn += len(want - codes)
        pol_ok += polarity == t["polarity"]
        for ind, lv in (t.get("levels") or {}).items():
            lev_n += 1
            lev_ok += levels.get(ind, "absent") == lv
        if codes != want or polarity != t["polarity"]:
            misses.append({"clause": t["clause"][:100], "want": sorted(want), "got": sorted(codes),
                           "want_polarity": t["polarity"], "got_polarity": polarity})
    n = len(truth)
    return {"clauses": n, "negatives": sum(not t["codes"] for t in truth), "codes_true": tp + fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "polarity_accuracy": round(pol_ok / n, 3), "levels_scored": lev_n,
            "level_accuracy": round(lev_ok / lev_n, 3) if lev_n else None, "misses": misses}


def markdown(s: dict) -> str:
    return ("| clauses | of them negatives | true codes | code precision | code recall | polarity accuracy "
            "| level accuracy |\n|---|---|---|---|---|---|---|\n"
            f"| {s['clauses']} | {s['negatives']} | {s['codes_true']} | {s['precision']:.3f} | {s['recall']:.3f} "
            f"| {s['polarity_accuracy']:.3f} | {s['level_accuracy']:.3f} ({s['levels_scored']} levels) |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the scores as JSON (docs/codebook_scores.json)")
    args = parser.parse_args()
    s = score()
    print(markdown(s))
    for m in s["misses"]:
        print(m)
    if args.write:
        args.write.write_text(json.dumps({k: v for k, v in s.items() if k != "misses"}, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
