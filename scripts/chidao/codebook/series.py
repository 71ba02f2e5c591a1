"""The stringency series: for each province and indicator, the spans of days over which a level
holds, carried forward from the measures that set it; and for each province and day, OxCGRT's
stringency index over the indicators we have.

A level holds from the measure's start (stated, else the document's date) until a later measure
of the same indicator replaces or lifts it, or its stated end date passes (then 0, "expired").
Days before the first coded measure of an indicator have no level: no document is not 0."""

from __future__ import annotations

from datetime import date, timedelta

from .book import codebook


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
    by_day: dict[tuple[str, str], dict[str, dict]] = {}
    for (prov, ind_code), evs in sorted(events.items()):
        ind = cb.indicators[ind_code]
        state = None
        k = 0
        for day in days:
            todays = []
            while k < len(evs) and evs[k]["start"] <= day:
                todays.append(evs[k])
                k += 1
            if todays:
                same = [e for e in todays if e["start"] == todays[-1]["start"]]
                top = max(e["level"] for e in same)
                setting = [e for e in same if e["level"] == top]
                state = {"level": top, "ids": [e["id"] for e in setting],
                         "scope": "general" if any(e["scope"] == "general" for e in setting) else "targeted",
                         "end": max((e["end"] for e in setting if e["end"]), default=None)
                         if all(e["end"] for e in setting) else None,
                         "basis": "lifted" if top == 0 else "set"}
            elif state and state["basis"] == "set":
                state = {**state, "basis": "carried"}
            if state is None:
                continue
            if state["end"] and day > state["end"] and state["level"] > 0:
                state = {**state, "level": 0, "basis": "expired"}
            flag = (1 if state["scope"] == "general" else 0) if ind.flag and state["level"] > 0 else None
            row = {"level": state["level"], "flag": flag, "measure_ids": " | ".join(state["ids"])}
            by_day.setdefault((prov, day), {})[ind_code] = row
            span = levels[-1] if levels else None
            if (span and state["basis"] in ("carried", span["basis"]) and span["end_date"] == _previous(day)
                    and (span["province_code"], span["indicator"]) == (prov, ind_code)
                    and all(span[k] == row[k] for k in row)):
                span["end_date"] = day  # the same level, from the same measures, one more day
            else:
                levels.append({"province_code": prov, "indicator": ind_code, "start_date": day, "end_date": day,
                               **row, "basis": "set" if state["basis"] == "carried" else state["basis"]})
    stringent = [i for i in cb.indicators.values() if i.stringency]
    index: list[dict] = []
    for prov in provinces:
        for day in days:
            have = by_day.get((prov, day), {})
            subs, avail, missing = [], [], []
            for ind in stringent:
                row = have.get(ind.code)
                if row is None:
                    missing.append(ind.code)
                    continue
                avail.append(ind.code)
                lv, f = row["level"], ind.flag
                subs.append(0.0 if lv == 0 else 100 * (lv - 0.5 * ((1 if f else 0) - (row["flag"] or 0))) / ind.max_level)
            index.append({"province_code": prov, "date": day,
                          "stringency_index": round(sum(subs) / len(subs), 2) if subs else None,
                          "indicator_count": len(avail), "indicators": " | ".join(avail) or None,
                          "indicators_missing": " | ".join(missing) or None,
                          "measure_ids": " | ".join(sorted({i for c in avail for i in have[c]["measure_ids"].split(" | ")}))
                          or None})
    levels.sort(key=lambda x: (x["province_code"], x["indicator"], x["start_date"]))
    return levels, index


def _previous(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()
