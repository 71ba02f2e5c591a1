"""The stringency series: for each province and indicator, the spans of days over which a level
holds, carried forward from the measures that set it; and for each province and day, OxCGRT's
stringency index over the indicators we have.

A level holds from the measure's start (stated, else the document's date) until a later measure
of the same indicator replaces or lifts it, or its stated end date passes (then 0, "expired").
Days before the first coded measure of an indicator have no level: no document is not 0."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta

from .book import Indicator, codebook


def _days(lo: str, hi: str):
    d, end = date.fromisoformat(lo), date.fromisoformat(hi)
    while d <= end:
        yield d.isoformat()
        d += timedelta(days=1)


def _events(records: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """(province_code, indicator) -> measures with a level, in order of start."""
    cb = codebook()
    out: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        if not r.get("province_code") or not r.get("date_issued") or len(r["date_issued"]) != 10:
            continue
        for k, m in enumerate(r["measures"], 1):
            ind = cb.indicators[m["indicator"]]
            if m["level"] is None or not ind.levels:
                continue
            start = m["start_date"] or r["date_issued"]
            out.setdefault((r["province_code"], m["indicator"]), []).append(
                {"start": start, "end": m["end_date"], "level": m["level"], "scope": m["scope"],
                 "id": f"{r['id']}:{k}", "polarity": m["polarity"]})
    for evs in out.values():
        evs.sort(key=lambda e: (e["start"], e["id"]))
    return out


def series(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(stringency_levels rows: one per span of days with the same level, flag and measures;
    stringency_index rows: one per province and day), sorted, deterministic."""
    cb = codebook()
    dated = sorted(r["date_issued"] for r in records if r.get("date_issued") and len(r["date_issued"]) == 10)
    if not dated:
        return [], []
    events = _events(records)
    # from the first document to the last one, or to the latest start a document states
    last = max([dated[-1]] + [e["start"] for evs in events.values() for e in evs])
    days = list(_days(dated[0], last))
    provinces = sorted({r["province_code"] for r in records if r.get("province_code")})
    levels: list[dict] = []
    # (province, indicator) -> runs [(first day index, row)]: the row holds until the next run
    runs: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for (prov, ind_code), evs in sorted(events.items()):
        levels += _levels(prov, ind_code, cb.indicators[ind_code].flag, evs, days,
                          runs.setdefault((prov, ind_code), []))
    stringent = [i for i in cb.indicators.values() if i.stringency]
    index: list[dict] = []
    for prov in provinces:
        index += _index(prov, stringent, runs, days)
    levels.sort(key=lambda x: (x["province_code"], x["indicator"], x["start_date"]))
    return levels, index


def _levels(prov: str, ind_code: str, flagged: bool, evs: list[dict], days: list[str],
            runs: list[tuple[int, dict]]) -> list[dict]:
    """The spans of one province and indicator, day by day in effect, but visiting only the days
    on which something can change (measures take effect, the day after one is set, an expiry):
    on the days between, the state, its row and its span are those of the day before."""
    # measures by the day they take effect: the first day on or after their start
    taking: dict[int, list[dict]] = {}
    for e in evs:  # in order of start, so each day's list is too
        taking.setdefault(bisect_left(days, e["start"]), []).append(e)
    when = sorted(taking)
    spans: list[dict] = []
    state = None
    i, g = when[0], 0
    while i < len(days):
        day = days[i]
        todays = taking.get(i)
        if todays:
            g += 1
            same = [e for e in todays if e["start"] == todays[-1]["start"]]
            top = max(e["level"] for e in same)
            setting = [e for e in same if e["level"] == top]
            state = {"level": top, "ids": [e["id"] for e in setting],
                     "scope": "general" if any(e["scope"] == "general" for e in setting) else "targeted",
                     "end": max((e["end"] for e in setting if e["end"]), default=None)
                     if all(e["end"] for e in setting) else None,
                     "basis": "lifted" if top == 0 else "set"}
        elif state["basis"] == "set":
            state = {**state, "basis": "carried"}
        if state["end"] and day > state["end"] and state["level"] > 0:
            state = {**state, "level": 0, "basis": "expired"}
        flag = (1 if state["scope"] == "general" else 0) if flagged and state["level"] > 0 else None
        row = {"level": state["level"], "flag": flag, "measure_ids": " | ".join(state["ids"])}
        runs.append((i, row))
        span = spans[-1] if spans else None  # it ends on the day before: every day from the first has a row
        if (span and state["basis"] in ("carried", span["basis"])
                and (span["level"], span["flag"], span["measure_ids"]) == (row["level"], row["flag"], row["measure_ids"])):
            span["end_date"] = day  # the same level, from the same measures, one more day
        else:
            span = {"province_code": prov, "indicator": ind_code, "start_date": day, "end_date": day,
                    **row, "basis": "set" if state["basis"] == "carried" else state["basis"]}
            spans.append(span)
        # the next day on which something can change; until then, one more day of this span
        nxt = when[g] if g < len(when) else len(days)
        if state["basis"] == "set":
            nxt = i + 1  # tomorrow it is carried
        elif state["end"] and state["level"] > 0:
            nxt = min(nxt, bisect_right(days, state["end"]))  # the first day after its end
        span["end_date"] = days[nxt - 1]
        i = nxt
    return spans


def _index(prov: str, indicators: list[Indicator], runs: dict[tuple[str, str], list[tuple[int, dict]]],
           days: list[str]) -> list[dict]:
    """The stringency_index rows of one province, a row per day; computed once for each stretch
    of days over which no indicator's row changes."""
    stringent = [(i.code, i.flag, i.max_level, runs.get((prov, i.code), [])) for i in indicators]
    cuts = sorted({0} | {k for *_, rs in stringent for k, _ in rs})
    at = [0] * len(stringent)  # per indicator: how many of its runs have begun
    out: list[dict] = []
    for c, first in enumerate(cuts):
        subs, avail, missing = [], [], []
        for s, (code, flag, top, rs) in enumerate(stringent):
            while at[s] < len(rs) and rs[at[s]][0] <= first:
                at[s] += 1
            if not at[s]:
                missing.append(code)
                continue
            row = rs[at[s] - 1][1]
            avail.append(code)
            lv = row["level"]
            subs.append(0.0 if lv == 0 else 100 * (lv - 0.5 * ((1 if flag else 0) - (row["flag"] or 0))) / top)
        same = {"stringency_index": round(sum(subs) / len(subs), 2) if subs else None,
                "indicator_count": len(avail), "indicators": " | ".join(avail) or None,
                "indicators_missing": " | ".join(missing) or None}
        end = cuts[c + 1] if c + 1 < len(cuts) else len(days)
        out += [{"province_code": prov, "date": day, **same} for day in days[first:end]]
    return out
