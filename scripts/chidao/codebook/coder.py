"""Codes measures clause by clause: indicator, polarity, level, scope, dates, evidence span.

A clause is a sentence, or a part of one between semicolons, of a numbered item (or of the
body when the directive has no items). Its keyword hits (measure_taxonomy) are candidates; the
codebook (vocab/codebook.yaml) decides which are measures and how they are coded."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from ..extract.measures import first_matches
from ..fingerprint import Cache, cache_at, code_fingerprint, json_bytes
from ..vntext import match_key
from ..vocab import find_districts, find_provinces
from .book import citation_rx, codebook, date_rules, mention_rules, polarity_rules, scope_rules

# sentence ends (a full stop before white space), semicolons, line breaks and list dashes
_SPLIT = re.compile(r"(?<=[.;!?])\s+|\n\s*\n|\n(?=\s*[-–•+]\s)|;\s*")
_PLACE = re.compile(r"\b(?:huyện|thị xã|thành phố|quận|xã|phường|thị trấn)\s+"
                    r"((?:[A-ZĐÂÊÔƠƯÁÀẢÃẠ][^\s,;.:()]*)(?:\s+[A-ZĐÂÊÔƠƯÁÀẢÃẠ][^\s,;.:()]*){0,3})")
LIFTS = {"lift"}


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each clause of ``text[start:end]``, trimmed of white space and list marks."""
    out, pos = [], start
    for m in _SPLIT.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    trimmed = []
    for s, e in out:
        while s < e and (text[s].isspace() or text[s] in "-–•+*"):
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 8:
            trimmed.append((s, e))
    return trimmed


def _mentions(key: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """Per mention kind, in the codebook's order: the (start, end) of its cues in the clause
    that no guard word just before cancels. Computed once per clause, read per hit."""
    window, guards, kinds, _ = mention_rules()
    out = []
    for kind, rx in kinds.items():
        spans = [m.span() for m in rx.finditer(key) if not guards.search(key, max(0, m.start() - window), m.start())]
        if spans:
            out.append((kind, spans))
    return out


def _mention_kind(mentions: list[tuple[str, list[tuple[int, int]]]], s: int) -> str | None:
    """'criticism', 'praise', 'report' or 'past' when the clause is one (for the hit at ``s``);
    ``mentions``: what _mentions found in the clause. A report is one only when its cue comes
    just before the hit."""
    report_window = mention_rules()[3]
    for kind, spans in mentions:
        if kind != "report" or any(a <= s and s - b <= report_window for a, b in spans):
            return kind
    return None


def _polarity(key: str) -> str:
    for polarity, rx in polarity_rules():
        if rx.search(key):
            return polarity
    return "impose"


def _level(ind, rule, key: str, polarity: str) -> tuple[int | None, str | None]:
    """(level, warning): the level the clause states for ``ind``; a warning when it states a
    level the codebook does not know."""
    if polarity in LIFTS and ind.levels:
        return 0, None
    if ind.size:
        m = ind.size["pattern"].search(key)
        if m:
            n = int(m.group("n").replace(".", ""))
            for t in ind.size["thresholds"]:
                if t["max"] is None or n <= t["max"]:
                    return t["level"], None
    best = None
    for lv in ind.levels:
        if lv.cues and lv.cues.search(key):
            best = lv.level if best is None else max(best, lv.level)
    if best is not None:
        return best, None
    hint = ind.level_hint.search(key) if ind.level_hint else None
    if hint:
        return None, f"level cue not in the codebook for {ind.code}: '{hint.group(0)}'"
    return rule.default_level, None


def _scope(clause: str, key: str) -> tuple[str, list[str]]:
    targeted, general = scope_rules()
    places = [m.group(0) for m in _PLACE.finditer(clause)]
    places += [clause[s:e] for s, e, _ in find_provinces(clause, exact=True)]
    places = list(dict.fromkeys(p.strip() for p in places))
    if targeted.search(key) and not general.search(key):
        return "targeted", places
    return "general", places


_UNIT_TYPES = {"huyện": "huyen", "thị xã": "thi_xa", "thành phố": "thanh_pho", "quận": "quan"}


def place_codes(places: list[str], province_code: str | None) -> list[str]:
    """The named places the gazetteer knows, as codes: a province "12", a district of it
    "12/105". A district name is resolved within the document's province only (names repeat
    across provinces); a commune, or a name the gazetteer does not know, gets no code."""
    out = []
    for place in places:
        unit = next((u for u in _UNIT_TYPES if place.lower().startswith(u + " ")), None)
        if unit:
            name = place[len(unit):].strip()
            hits = [d for d, _ in find_districts(name, _UNIT_TYPES[unit]) if d.province_code == province_code]
            if len(hits) == 1:
                out.append(f"{hits[0].province_code}/{hits[0].code}")
            continue
        provs = find_provinces(place, exact=True)
        if len(provs) == 1 and provs[0][0] == 0 and provs[0][1] == len(place):
            out.append(provs[0][2].code)
    return list(dict.fromkeys(out))


def _date(m: re.Match, year: int | None) -> str | None:
    try:
        y = int(m.group("y")) if m.group("y") else year
        return date(y, int(m.group("m")), int(m.group("d"))).isoformat() if y else None
    except (TypeError, ValueError):
        return None


def _dates(key: str, doc_date: str | None) -> tuple[str | None, str | None, str | None]:
    """(start_date, end_date, end_text) stated in the clause."""
    starts, ends, duration, open_end = date_rules()
    year = int(doc_date[:4]) if doc_date else None
    start = end = end_text = None
    for rx in starts:
        if (m := rx.search(key)) and (start := _date(m, year)):
            break
    for rx in ends:
        if (m := rx.search(key)) and (end := _date(m, year)):
            end_text = m.group(0)
            break
    if end is None and (m := duration.search(key)):
        base = start or doc_date
        if base and len(base) == 10:
            end = (date.fromisoformat(base) + timedelta(days=int(m.group("n")) - 1)).isoformat()
        end_text = m.group(0)
    if end is None and (m := open_end.search(key)):
        end_text = m.group(0)
    return start, end, end_text


def code_clause(clause: str, doc_date: str | None = None) -> list[dict]:
    """Every keyword hit of ``clause`` coded: code, indicator, polarity ('mention' with
    ``mention`` saying why when it is no measure), level, scope, places, dates, evidence and
    its span in the clause, and ``warning`` when a level cue is unknown."""
    hits = first_matches(clause, [(0, len(clause))])[0]
    if not hits:
        return []
    cb = codebook()
    key = match_key(clause)
    cited = [m.span() for m in citation_rx().finditer(key)]
    polarity = _polarity(key)
    mentions = _mentions(key)
    scope, places = _scope(clause, key)  # the clause's, the same for each of its hits
    dates = None
    out = []
    for code, s, e in hits:
        rule = cb.rules.get(code)
        if rule is None:
            continue
        ind = cb.indicators[rule.indicator]
        why = None
        inside = [a for a, b in cited if a <= s < b]
        if inside and not (rule.cited_is_act and rule.acts and rule.acts.search(key, 0, inside[0])):
            why = "citation"
        elif (kind := _mention_kind(mentions, s)):
            why = kind
        elif rule.acts and not rule.acts.search(key):
            why = "no act"
        level, warning = (None, None) if why else _level(ind, rule, key, polarity)
        if not why and dates is None:
            dates = _dates(key, doc_date)
        start, end, end_text = dates if not why else (None, None, None)
        out.append({"code": code, "indicator": ind.code, "polarity": "mention" if why else polarity,
                    "mention": why, "level": level, "scope": scope if ind.flag else None, "places": list(places),
                    "start_date": start, "end_date": end, "end_text": end_text,
                    "evidence": clause[s:e], "start": s, "end": e, "warning": warning})
    return out


def _item_spans(record: dict) -> list[tuple[str | None, int, int]]:
    text = record["text"]
    out, pos = [], 0
    for item in record["items"]:
        at = text.find(item["text"], pos)
        if at < 0:
            at = text.find(item["text"])
        if at < 0:
            continue
        out.append((item["number"], at, at + len(item["text"])))
        pos = at + len(item["text"])
    return out


def code_record(record: dict) -> None:
    """Replace the record's keyword measures with clause-coded ones (mentions are not
    published), set each item's measure codes, and add the coder's warnings."""
    text = record["text"]
    spans = _item_spans(record) if record["items"] else []
    if not spans and not record["items"]:
        spans = [(None, 0, len(text))]
    coded = []
    codes_of: dict[tuple[str, ...], str | None] = {}  # the places of a clause, coded once for its hits
    for number, a, b in spans:
        for cs, ce in clauses(text, a, b):
            for m in code_clause(text[cs:ce], record.get("date_issued")):
                if m["polarity"] == "mention":
                    continue
                if m["warning"]:
                    record["warnings"].append(f"item {number or '—'}: {m['warning']} (\"{text[cs:ce][:80]}\")")
                coded.append({"item": number, "code": m["code"], "evidence": m["evidence"],
                              "indicator": m["indicator"], "polarity": m["polarity"], "level": m["level"],
                              "scope": m["scope"], "places": " | ".join(m["places"]) or None,
                              "place_codes": _place_codes(codes_of, m["places"], record.get("province_code")),
                              "start_date": m["start_date"], "end_date": m["end_date"], "end_text": m["end_text"],
                              "clause": text[cs:ce], "clause_start": cs, "clause_end": ce,
                              "evidence_start": cs + m["start"], "evidence_end": cs + m["end"]})
    record["measures"] = coded
    for item in record["items"]:
        item["measures"] = sorted({m["code"] for m in coded if m["item"] == item["number"]})
    _flag_contradictions(record)


def _place_codes(known: dict[tuple[str, ...], str | None], places: list[str], province_code: str | None) -> str | None:
    key = tuple(places)
    if key not in known:
        known[key] = " | ".join(place_codes(places, province_code)) or None
    return known[key]


def _flag_contradictions(record: dict) -> None:
    """An indicator imposed and lifted in one document for the same scope: both kept, warned."""
    seen: dict[tuple, dict[str, list[str]]] = {}
    for m in record["measures"]:
        if m["polarity"] in ("reminder",):
            continue
        side = "lift" if m["polarity"] == "lift" else "impose" if m["polarity"] != "relax" else None
        if side is None:
            continue
        key = (m["indicator"], m["scope"], m["places"], m["start_date"])
        seen.setdefault(key, {}).setdefault(side, []).append(f"{m['item'] or '—'}")
    for (ind, scope, places, _), sides in sorted(seen.items(), key=lambda kv: str(kv[0])):
        if "lift" in sides and "impose" in sides:
            record["warnings"].append(
                f"contradictory measures: {ind} imposed (item {', '.join(sides['impose'])}) and lifted or relaxed "
                f"(item {', '.join(sides['lift'])}) for the same scope ({places or scope or 'province'}); both kept")


# What coded measures depend on besides the record: the coder, its keyword matcher, the text
# keys and the vocabularies (codebook, taxonomy, gazetteers).
FINGERPRINTED = ("codebook/*.py", "extract/measures.py", "vntext.py", "vocab.py", "vocab/*")
PARALLEL_FROM = 400  # fewer records are coded in this process: starting workers costs more


def fingerprint() -> str:
    """Hash of the coder's code and vocabularies: cached codes are valid only for them."""
    return code_fingerprint(FINGERPRINTED)


def _inputs_key(record: dict) -> str:
    """Hash of what code_record reads of a record."""
    inputs = [record["text"], [(i["number"], i["text"]) for i in record["items"]],
              record.get("date_issued"), record.get("province_code")]
    return hashlib.sha256(json_bytes(inputs)).hexdigest()


def _coded(record: dict) -> dict:
    """code_record's effect on a copy of the record's inputs: measures, each item's measure
    codes, the warnings it adds."""
    rec = {"text": record["text"], "items": [{"number": i["number"], "text": i["text"]} for i in record["items"]],
           "date_issued": record.get("date_issued"), "province_code": record.get("province_code"), "warnings": []}
    code_record(rec)
    return {"measures": rec["measures"], "item_measures": [i["measures"] for i in rec["items"]],
            "warnings": rec["warnings"]}


_RECORDS: list[dict] = []  # what forked workers code, read from the parent's memory (not pickled)


def _code_chunk(k: int, of: int) -> list[dict]:
    return [_coded(r) for r in _RECORDS[k::of]]


def _code_all(records: list[dict]) -> list[dict]:
    workers = min(os.cpu_count() or 1, 1 + len(records) // PARALLEL_FROM)
    if workers == 1 or multiprocessing.get_start_method() != "fork":
        return [_coded(r) for r in records]
    global _RECORDS
    _RECORDS = records
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_code_chunk, range(workers), [workers] * workers))
    finally:
        _RECORDS = []
    out: list[dict] = [{}] * len(records)
    for k, part in enumerate(parts):
        out[k::workers] = part
    return out


def namespace() -> str:
    """Where the codes of this coder are cached (see fingerprint.Cache)."""
    return "codebook/" + fingerprint()


def precode(record: dict, cache: str | None = None, compute: bool = True) -> dict | None:
    """The codes of a freshly extracted record (what _coded returns) and the key of the inputs
    they were coded from. Run in the extraction worker, where the record already is, so that
    code_records has nothing left to code unless curation changed those inputs since. Codes
    not in ``cache`` (the SQLite file of fingerprint.Cache) come with the row to store them
    ("to_cache", which extract.runner stores). ``compute`` False: None unless cached."""
    key = _inputs_key(record)
    res = cache_at(cache).get(namespace(), key) if cache else None
    if res is not None:
        return {**res, "key": key}
    if not compute:  # (only what the cache holds)
        return None
    res = _coded(record)
    return {**res, "key": key, **({"to_cache": [(namespace(), key, json_bytes(res))]} if cache else {})}


class Precoder:
    """precode with a cache, as a picklable callable for the extraction workers, and the codes
    of many records at once when they are all cached (``cached``)."""

    def __init__(self, cache: str | None = None):
        self.cache = cache

    def __call__(self, record: dict, compute: bool = True) -> dict | None:
        return precode(record, self.cache, compute)

    def cached(self, records: list[dict]) -> list[dict | None]:
        """What precode(record, compute=False) gives for each record, looked up together."""
        keys = [_inputs_key(r) for r in records]
        found = cache_at(self.cache).get_many(namespace(), keys) if self.cache else {}
        return [{**found[key], "key": key} if key in found else None for key in keys]


def code_records(records: list[dict], cache: Path | None = None) -> None:
    """code_record on every record, on every core; with ``cache`` (the SQLite file of
    fingerprint.Cache), codes are kept per record (keyed by its inputs and the coder's
    fingerprint) and reused by the next build. A record's ``precoded`` codes (see precode)
    are used when its inputs still have their key."""
    if cache:
        Cache.prepare(cache)
    store = cache_at(cache) if cache else None
    keys = [_inputs_key(r) for r in records]
    results: list[dict | None] = []
    for r, key in zip(records, keys, strict=True):
        pre = r.pop("precoded", None)
        results.append(pre if pre and pre["key"] == key else store.get(namespace(), key) if store else None)
    todo = [n for n, res in enumerate(results) if res is None]
    for n, res in zip(todo, _code_all([records[n] for n in todo]), strict=True):
        results[n] = res
    if store:
        store.put((namespace(), keys[n], json_bytes(results[n])) for n in todo)
        store.keep_only([namespace()], "codebook/")
    for r, res in zip(records, results, strict=True):
        r["measures"] = res["measures"]
        for item, codes in zip(r["items"], res["item_measures"], strict=True):
            item["measures"] = codes
        r["warnings"] += res["warnings"]
