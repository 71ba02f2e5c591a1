"""The codebook stage: the codebook as data, clause-level coding, the stringency series, and the
coder's scores on the hand-coded truth file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from chidao.codebook import code_clause
from chidao.codebook.book import codebook, raw_codebook, taxonomy_codes
from chidao.codebook.evaluate import score
from chidao.codebook.series import series

ROOT = Path(__file__).resolve().parents[1]


def coded(clause: str, doc_date: str | None = "2021-11-08") -> list[dict]:
    return [m for m in code_clause(clause, doc_date) if m["polarity"] != "mention"]


def test_codebook_is_valid_against_its_schema():
    schema = json.loads((ROOT / "schemas" / "codebook.schema.json").read_text("utf-8"))
    jsonschema.validate(raw_codebook(), schema)
    cb = codebook()
    assert set(cb.rules) == set(taxonomy_codes()), "every taxonomy code needs a codebook rule"
    assert all(r.indicator in cb.indicators for r in cb.rules.values())
    for ind in cb.indicators.values():
        if ind.stringency:
            assert ind.max_level, ind.code
    assert {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "H1"} <= {i.code for i in cb.indicators.values() if i.stringency}


# --- the three failure kinds of keyword coding ---------------------------------------------

def test_criticism_of_past_failures_is_not_a_measure():
    c = ("để các cơ sở kinh doanh dịch vụ có điều kiện (quán karaoke, massage,...) vi phạm các quy định "
         "về phòng, chống dịch.")
    assert coded(c) == []
    assert {m["mention"] for m in code_clause(c)} <= {"criticism", "no act"}
    assert coded("một số người dân còn biểu hiện chủ quan, lơ là, còn tụ tập đông người.") == []


def test_praise_and_reports_are_not_measures():
    assert coded("quản lý tốt di biến động dân cư trên địa bàn") == []
    assert coded("nhiều địa phương đã tổ chức tập huấn cho các lực lượng dự bị, tổ Covid cộng đồng") == []
    report = "kịp thời báo cáo hằng ngày những di biến động về nhân khẩu với chính quyền địa phương."
    assert all(m["indicator"] != "C7" for m in coded(report))


def test_a_citation_is_not_the_measure_it_once_set():
    c = "Thực hiện Chỉ thị số 16/CT-TTg ngày 31/3/2020 của Thủ tướng Chính phủ về thực hiện các biện pháp cấp bách"
    assert coded(c) == []
    applied = coded("Tiếp tục thực hiện giãn cách xã hội theo Chỉ thị số 16/CT-TTg trên địa bàn huyện Thuận Thành "
                    "thêm 7 ngày.")
    assert [(m["indicator"], m["polarity"], m["level"], m["scope"]) for m in applied if m["indicator"] == "C6"][0] \
        == ("C6", "extend", 2, "targeted")


# --- polarity, level, scope, dates -----------------------------------------------------------

def test_school_closure_and_reopening():
    [close] = [m for m in coded("Cho học sinh các cấp học trên địa bàn tỉnh nghỉ học từ ngày 03/02/2020 đến hết "
                                "ngày 09/02/2020.", "2020-02-01") if m["indicator"] == "C1"]
    assert (close["polarity"], close["level"], close["start_date"], close["end_date"]) == \
        ("impose", 3, "2020-02-03", "2020-02-09")
    [reopen] = [m for m in coded("Cho phép trẻ mầm non đi học trở lại từ ngày 11/5/2020.", "2020-05-08")
                if m["indicator"] == "C1"]
    assert (reopen["polarity"], reopen["level"], reopen["start_date"]) == ("lift", 0, "2020-05-11")


@pytest.mark.parametrize("size, level", [("10", 4), ("20", 3), ("100", 3), ("500", 2), ("5000", 1)])
def test_gathering_level_from_the_stated_size(size, level):
    [m] = [m for m in coded(f"Không tập trung quá {size} người ngoài phạm vi công sở.") if m["indicator"] == "C4"]
    assert m["level"] == level


def test_dates_open_end_and_duration():
    [m] = [m for m in coded("Tạm dừng hoạt động các cơ sở kinh doanh dịch vụ karaoke, massage từ 0 giờ ngày "
                            "06/5/2020 đến khi có thông báo mới.", "2020-05-05") if m["indicator"] == "C2"]
    assert (m["start_date"], m["end_date"], m["end_text"], m["level"]) == \
        ("2020-05-06", None, "đến khi có thông báo mới", 2)
    [m] = [m for m in coded("Tạm dừng hoạt động các quán karaoke, vũ trường từ ngày 01/8/2021 trong 15 ngày.",
                            "2021-07-30") if m["indicator"] == "C2"]
    assert (m["start_date"], m["end_date"]) == ("2021-08-01", "2021-08-15")


def test_an_unknown_level_cue_is_null_and_warned():
    [m] = [m for m in code_clause("Áp dụng giãn cách xã hội theo Chỉ thị 17 trên toàn tỉnh.") if m["indicator"] == "C6"]
    assert m["level"] is None and "not in the codebook" in m["warning"]


# --- the series ------------------------------------------------------------------------------

def _record(doc_id, day, clauses):
    from chidao.codebook import code_record
    text = "\n\n".join(clauses)
    r = {"id": doc_id, "province_code": "26", "date_issued": day, "text": text, "warnings": [],
         "items": [{"number": str(k), "text": c, "measures": []} for k, c in enumerate(clauses, 1)]}
    code_record(r)
    return r


def test_series_carries_levels_forward_lifts_and_never_invents_zero():
    a = _record("a", "2020-02-01", ["Cho học sinh các cấp học trên địa bàn tỉnh nghỉ học từ ngày 03/02/2020."])
    b = _record("b", "2020-02-10", ["Cho phép học sinh đi học trở lại từ ngày 12/02/2020."])
    levels, index = series([a, b])
    c1 = [(r["start_date"], r["end_date"], r["level"], r["basis"]) for r in levels if r["indicator"] == "C1"]
    # nothing before the first measure (unknown, not 0); carried forward until lifted
    assert c1 == [("2020-02-03", "2020-02-11", 3, "set"), ("2020-02-12", "2020-02-12", 0, "lifted")]
    idx = {r["date"]: r for r in index}
    assert idx["2020-02-01"]["stringency_index"] is None
    assert idx["2020-02-05"]["stringency_index"] == 100.0 and "C4" in idx["2020-02-05"]["indicators_missing"]
    assert idx["2020-02-12"]["stringency_index"] == 0.0


def test_a_level_that_expires_is_one_span_at_zero():
    a = _record("a", "2020-02-01", ["Cho học sinh các cấp học trên địa bàn tỉnh nghỉ học từ ngày 03/02/2020 "
                                    "đến hết ngày 05/02/2020."])
    b = _record("b", "2020-02-09", ["Tăng cường tuyên truyền phòng, chống dịch."])  # the series runs to here
    levels, _ = series([a, b])
    c1 = [(r["start_date"], r["end_date"], r["level"], r["basis"]) for r in levels if r["indicator"] == "C1"]
    assert c1 == [("2020-02-03", "2020-02-05", 3, "set"), ("2020-02-06", "2020-02-09", 0, "expired")]


def test_targeted_flag_lowers_the_sub_index():
    a = _record("a", "2020-02-01", ["Cho học sinh huyện Yên Lạc nghỉ học từ ngày 03/02/2020."])
    _, index = series([a])
    assert {r["date"]: r for r in index}["2020-02-03"]["stringency_index"] == round(100 * (3 - 0.5) / 3, 2)


def test_contradictory_measures_are_kept_and_warned():
    r = _record("a", "2020-02-01", ["Cho học sinh nghỉ học từ ngày 03/02/2020.",
                                    "Cho phép học sinh đi học trở lại từ ngày 03/02/2020."])
    assert {m["polarity"] for m in r["measures"] if m["indicator"] == "C1"} == {"impose", "lift"}
    assert any(w.startswith("contradictory measures: C1") for w in r["warnings"])


# --- scores ----------------------------------------------------------------------------------

def test_coder_meets_its_targets_on_the_truth_file():
    truth = yaml.safe_load((ROOT / "tests" / "fixtures" / "codebook_truth.yaml").read_text("utf-8"))["clauses"]
    assert len(truth) >= 40 and sum(not t["codes"] for t in truth) >= 10
    s = score()
    assert s["precision"] >= 0.9 and s["recall"] >= 0.8 and s["polarity_accuracy"] >= 0.9, s


def test_published_scores_are_fresh():
    s = {k: v for k, v in score().items() if k != "misses"}
    assert json.loads((ROOT / "docs" / "codebook_scores.json").read_text("utf-8")) == s, \
        "run: python -m chidao.codebook.evaluate --write docs/codebook_scores.json"
    bench = (ROOT / "docs" / "benchmark.md").read_text("utf-8")
    m = re.search(r"## Measure coder.*?\n(\| clauses .*?\n\|---.*?\n\|.*?\n)", bench, re.S)
    assert m, "docs/benchmark.md needs its '## Measure coder' section"
    from chidao.codebook.evaluate import markdown
    assert m.group(1) == markdown(s)


def test_package_publishes_codebook_and_series():
    dp = json.loads((ROOT / "datapackage" / "datapackage.json").read_text("utf-8"))
    names = {r["name"] for r in dp["resources"]}
    assert {"measure_taxonomy", "codebook_indicators", "codebook_levels", "stringency_levels",
            "stringency_index"} <= names


def test_named_places_resolve_to_province_and_district_codes():
    from chidao.codebook.coder import place_codes

    # Lai Châu (12): its districts resolve within it; a province named alone resolves to its code
    assert place_codes(["huyện Than Uyên", "Bắc Giang", "huyện Tam Đường"], "12") == ["12/110", "24", "12/106"]
    # "Châu Thành" is a district of ten provinces: without the document's province, no code
    assert place_codes(["huyện Châu Thành"], None) == []
    assert place_codes(["xã Mường Than", "huyện Không Có"], "12") == []  # communes, unknown names: none
