#!/usr/bin/env python3
"""Measure the extractor on the real-world test bed (../shared/realworld by default).

Counts (document, field) pairs right over 15 fields. A value is right when it matches the
truth's main value or its verbatim ``*_text`` (what a perfect reader of this very text could
output), after the comparison folding described in ``norm`` below.

    python scripts/measure_accuracy.py [REALWORLD_DIR] [--details]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

from chidao.extract import extract_file
from chidao.vntext import fold

FIELDS = ["province", "issuer", "issuer_kind", "doc_type", "number", "symbol", "date_issued",
          "subject", "urgency", "signing_authority", "signer_title", "signer_name", "recipients",
          "item_count", "reference_symbols"]


def norm(value) -> str | None:
    """Comparison key: no diacritics, lower case, no "V/v" or "Số:" prefix, single spaces,
    no trailing punctuation, no spaces around "/" and "-"."""
    if value is None:
        return None
    s = fold(str(value))
    s = re.sub(r"^\W*(v\s*/\s*v|so)\s*[:.]?\s+", "", s)
    s = re.sub(r"\s*([/\-–—])\s*", r"\1", s)
    s = re.sub(r"\s+", " ", s)
    return s.strip(" .,;:").lstrip("/") or None


def _symbol_text(raw: str | None) -> str | None:
    return None if raw is None else re.sub(r"^.{0,6}?[:]\s*", "", raw)


def _truth_symbols(refs: list[str]) -> set[str]:
    out = set()
    for text in refs:
        m = re.search(r"\d[\d ]*\s*[/\-]\s*(?:\d{4}\s*/\s*)?[A-Za-zĐđ][\w&]*(?:\s?[-/]\s?[A-Za-zĐđ][\w&]*)*", text)
        if m:
            out.add(norm(m.group(0)).replace(" ", ""))
    return out


def _any(got, *wanted) -> bool:
    return any(norm(got) == norm(w) for w in wanted)


def _list(xs) -> list[str]:
    return [norm(x) for x in (xs or [])]


def score(rec: dict, t: dict) -> dict[str, bool]:
    sym_text = _symbol_text(t.get("doc_symbol_text"))
    printed_number = re.match(r"\s*([\d ]+)", sym_text or "")
    auth = rec["signing_authority"].split(" / ") if rec["signing_authority"] else []
    return {
        "province": _any(rec["province"], t["province"]),
        "issuer": _any(rec["issuer"], t["issuer"]),
        "issuer_kind": rec["issuer_kind"] == t["issuer_kind"],
        "doc_type": _any(rec["doc_type"], t["doc_type"], t.get("doc_type_text")),
        "number": rec["number"] == (str(t["doc_number"]) if t["doc_number"] else None)
        or bool(printed_number and rec["number"] == printed_number.group(1).replace(" ", "")),
        "symbol": _any(rec["symbol"], t["doc_symbol"], sym_text),
        "date_issued": rec["date_issued"] == (str(t["date_issued"]) if t["date_issued"] else None),
        "subject": _any(rec["subject"], t["subject"], t.get("subject_text")),
        "urgency": rec["urgency"] == t["urgency"],
        "signing_authority": _list(auth) in (_list(t["signing_authority"]), _list(t.get("signing_authority_text"))),
        "signer_title": _any(rec["signer_title"], t["signer_title"], t.get("signer_title_text")),
        "signer_name": _any(rec["signer_name"], t["signer_name"], t.get("signer_name_text")),
        "recipients": _list(rec["recipients"]) == _list(t["recipients"]),
        "item_count": len(rec["items"]) == t["numbered_items"],
        "reference_symbols": {norm(r["symbol"]).replace(" ", "") for r in rec["references"] if r["symbol"]}
        == _truth_symbols(t["referenced_documents"]),
    }


def measure(realworld: Path) -> tuple[float, dict[str, dict[str, bool]]]:
    results = {}
    for truth_file in sorted((realworld / "truth").glob("*.yaml")):
        truth = yaml.safe_load(truth_file.read_text("utf-8"))
        rec = extract_file(realworld / "docs" / f"{truth_file.stem}.txt")
        results[truth_file.stem] = score(rec, truth)
    pairs = [ok for r in results.values() for ok in r.values()]
    return sum(pairs) / len(pairs), results


def summary(overall: float, results: dict[str, dict[str, bool]]) -> dict:
    """The figures the README and the site's methodology page state."""
    return {"documents": len(results), "pairs": sum(len(r) for r in results.values()),
            "overall": round(overall, 4), "overall_pct": f"{overall:.1%}",
            "fields": [{"field": f, "right": sum(r[f] for r in results.values()), "of": len(results)}
                       for f in FIELDS]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("realworld", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "realworld")
    parser.add_argument("--details", action="store_true", help="show every wrong pair")
    parser.add_argument("--write", type=Path, help="also write the figures as JSON (docs/accuracy.json)")
    args = parser.parse_args()
    overall, results = measure(args.realworld)
    n_pairs = sum(len(r) for r in results.values())
    print(f"{len(results)} documents, {n_pairs} (document, field) pairs: {overall:.1%} right")
    for field in FIELDS:
        right = sum(r[field] for r in results.values())
        print(f"  {field:18s} {right:2d}/{len(results)}")
    if args.write:
        args.write.write_text(json.dumps(summary(overall, results), ensure_ascii=False, indent=2) + "\n", "utf-8")
    if args.details:
        for doc, r in results.items():
            wrong = [f for f, ok in r.items() if not ok]
            if wrong:
                print(f"{doc}: {', '.join(wrong)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
