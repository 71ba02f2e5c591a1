"""The codebook (vocab/codebook.yaml), loaded and compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..vntext import canonical_tone
from ..vocab import VOCAB, load_yaml, measure_taxonomy

POLARITIES = ("impose", "extend", "tighten", "relax", "lift", "reminder", "mention")


def _rx(patterns: list[str] | str | None) -> re.Pattern | None:
    if not patterns:
        return None
    if isinstance(patterns, str):
        patterns = [patterns]
    return re.compile("|".join(f"(?:{canonical_tone(p)})" for p in patterns))


@dataclass(frozen=True)
class Level:
    level: int
    label_vi: str
    label_en: str
    cues: re.Pattern | None
    cue_text: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    code: str
    oxcgrt: str | None
    name_vi: str
    name_en: str
    definition_vi: str
    definition_en: str
    flag: bool
    stringency: bool
    levels: tuple[Level, ...]
    level_hint: re.Pattern | None
    size: dict | None

    @property
    def max_level(self) -> int | None:
        return max((lv.level for lv in self.levels), default=None)


@dataclass(frozen=True)
class MeasureRule:
    code: str
    indicator: str
    acts: re.Pattern | None
    default_level: int | None
    cited_is_act: bool = False


@dataclass
class Codebook:
    raw: dict
    indicators: dict[str, Indicator] = field(default_factory=dict)
    rules: dict[str, MeasureRule] = field(default_factory=dict)


@cache
def raw_codebook() -> dict:
    return load_yaml((VOCAB / "codebook.yaml").read_text("utf-8"))


@cache
def codebook() -> Codebook:
    raw = raw_codebook()
    cb = Codebook(raw)
    for ind in raw["indicators"]:
        levels = tuple(Level(lv["level"], lv["label_vi"], lv["label_en"], _rx(lv.get("cues")),
                             tuple(lv.get("cues") or ())) for lv in ind.get("levels") or [])
        size = ind.get("size")
        if size:
            size = {"pattern": _rx(size["pattern"]), "thresholds": size["thresholds"]}
        cb.indicators[ind["code"]] = Indicator(
            ind["code"], ind.get("oxcgrt"), ind["name_vi"], ind["name_en"], ind["definition_vi"],
            ind["definition_en"], bool(ind["flag"]), bool(ind["stringency"]), levels,
            _rx(ind.get("level_hint")), size)
    for m in raw["measures"]:
        cb.rules[m["code"]] = MeasureRule(m["code"], m["indicator"], _rx(m.get("acts")), m.get("default_level"),
                                        bool(m.get("cited_is_act")))
    return cb


@cache
def mention_rules() -> tuple[int, re.Pattern, dict[str, re.Pattern], int]:
    m = raw_codebook()["mention"]
    return m["guard_window"], _rx(m["guards"]), {k: _rx(v) for k, v in m["kinds"].items()}, m["report_window"]


@cache
def polarity_rules() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((p["polarity"], _rx(p["cues"])) for p in raw_codebook()["polarity"])


@cache
def citation_rx() -> re.Pattern:
    return _rx(raw_codebook()["citation"])


@cache
def scope_rules() -> tuple[re.Pattern, re.Pattern]:
    s = raw_codebook()["scope"]
    return _rx(s["targeted"]), _rx(s["general"])


@cache
def date_rules() -> tuple[list[re.Pattern], list[re.Pattern], re.Pattern, re.Pattern]:
    d = raw_codebook()["dates"]
    return ([re.compile(canonical_tone(p)) for p in d["start"]], [re.compile(canonical_tone(p)) for p in d["end"]],
            re.compile(canonical_tone(d["duration"])), _rx(d["open_end"]))


def taxonomy_codes() -> list[str]:
    return [m["code"] for m in measure_taxonomy()["measures"]]


def indicator_rows() -> list[dict]:
    """The codebook_indicators reference table."""
    return [{"code": i.code, "oxcgrt": i.oxcgrt, "name_vi": i.name_vi, "name_en": i.name_en,
             "definition_vi": i.definition_vi, "definition_en": i.definition_en,
             "max_level": i.max_level, "flag": int(i.flag), "stringency": int(i.stringency),
             "measure_codes": " | ".join(r.code for r in codebook().rules.values() if r.indicator == i.code) or None}
            for i in codebook().indicators.values()]


def level_rows() -> list[dict]:
    """The codebook_levels reference table: one row per indicator level, with its cues."""
    out = []
    for i in codebook().indicators.values():
        for lv in i.levels:
            cues = " | ".join(lv.cue_text) or None
            if i.size and lv.level > 0:
                cues = "size: " + next(
                    (f"≤{t['max']} người" if t["max"] else "> 1000 người") for t in i.size["thresholds"]
                    if t["level"] == lv.level)
            out.append({"indicator": i.code, "level": lv.level, "label_vi": lv.label_vi, "label_en": lv.label_en,
                        "cues": cues})
    return out
