"""Provincial and district headers (tests/header_cases.py): issuer, its level and district,
province, số/ký hiệu, date and subject, each read as a careful reader would; plus the
district gazetteer and the texts that are not directives."""

import pytest

from chidao.extract import extract_text, header
from chidao.extract.level import units
from chidao.extract.record import check_directive
from chidao.ingest.textnorm import SourceError
from chidao.vocab import districts, find_districts
from header_cases import CASES


def record(text: str) -> dict:
    rec = extract_text(text, "x.txt", "0" * 64)
    check_directive(rec)
    return rec


@pytest.mark.parametrize("text,want", [(t, w) for _, t, w in CASES], ids=[c[0] for c in CASES])
def test_header_fields(text, want):
    rec = record(text)
    assert {k: rec[k] for k in want} == want


def test_derived_province_and_level_name_their_clue():
    rec = record(CASES[0][1])
    assert "gazetteer" in rec["inferred"]["province"] and "Hiệp Hòa" in rec["inferred"]["province"]


@pytest.mark.parametrize("name", ["Hiệp Hòa", "Hiệp Hoà", "HIEP HOA", "hiệp-hòa"])
def test_district_lookup_ignores_tone_placement_case_and_diacritics(name):
    assert [d.province_code for d, _ in find_districts(name)] == ["24"]


def test_repeated_district_names_stay_ambiguous():
    assert len({d.province_code for d, _ in find_districts("Châu Thành")}) > 1
    # with diacritics the name is exact: Tam Đường (Lai Châu) is not Tam Dương (Vĩnh Phúc)
    assert [d.province_code for d, _ in find_districts("Tam Đường")] == ["12"]


def test_gazetteer_covers_every_province():
    assert len({d.province_code for d in districts()}) == 63 and len(districts()) > 690


@pytest.mark.parametrize("name,kind", [
    ("BỘ CHỈ HUY QUÂN SỰ TỈNH BẮC GIANG", "province"),  # "quân sự" is not a quận
    ("BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP", None),  # nor "quản lý"
    ("BẢO HIỂM XÃ HỘI TỈNH", None),  # nor "xã hội" a xã
    ("THÀNH PHỐ HÀ NỘI", "province"),
    ("THÀNH ỦY BẮC GIANG", "thanh_pho"),  # the committee of Bắc Giang city, not of the province
    ("UBND HUY~N HIỆP HÒA", "huyen"),
])
def test_unit_words_are_read_only_where_they_name_a_unit(name, kind):
    got = units(name)
    assert (got[-1].kind if got else None) == kind


@pytest.mark.parametrize("flat", [
    "UBND HUYỆN HIỆP HÒA CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "UBND HUYỆN HIỆP HÒA CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "UBND HUYỆN HIỆP HÒA CONG HOA XA HOI CHU NGHIA VIET NAM",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM UBND HUYỆN HIỆP HÒA",
])
def test_issuer_never_swallows_the_quoc_hieu(flat):
    h = header.parse_header(f"{flat}\nSố: 12/UBND-VP\n".split("\n"))
    assert header.issuer_names(h.issuer_lines) == ["UBND HUYỆN HIỆP HÒA"]


MINUTES = ("ỦY BAN NHÂN DÂN\nXÃ ĐOAN BÁI\n\nBIÊN BẢN\nHọp Ban Chỉ đạo phòng, chống dịch COVID-19 xã\n\n"
           "Hôm nay, vào lúc 14 giờ ngày 12/5/2021, tại trụ sở UBND xã, chúng tôi gồm:\n"
           "1. Ông Nguyễn Văn A - Chủ tịch UBND xã, chủ trì;\n2. Bà Trần Thị B - Trưởng trạm y tế.\n"
           "Nội dung: triển khai các biện pháp phòng, chống dịch COVID-19 trên địa bàn xã.\n\n"
           "Đoan Bái, ngày 12 tháng 5 năm 2021\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n")
FORM = ("TỜ KHAI Y TẾ\n\nHọ và tên: ........................................\n"
        "Ngày sinh: ........................................\nĐịa chỉ: ........................................\n"
        "Số điện thoại: ........................................\nNơi đi: ........................................\n"
        "Kính gửi: Trạm Y tế xã\nNgày khai: ngày 12 tháng 5 năm 2021\n" + "Ghi chú: ........................\n" * 3)
PRESS = ("BÁO BẮC GIANG\nTổng biên tập: Nguyễn Văn C\nThứ hai, ngày 17 tháng 5 năm 2021\n\n"
         "Bắc Giang dồn sức dập dịch\nSáng nay, Ban Chỉ đạo tỉnh họp với các huyện Việt Yên, Yên Dũng về phòng, "
         "chống dịch COVID-19; Kính gửi bạn đọc những tin mới nhất về tình hình dịch bệnh trên địa bàn tỉnh.\n")


@pytest.mark.parametrize("text,what", [(MINUTES, "biên bản"), (FORM, "form"), (PRESS, "newspaper")])
def test_what_is_not_a_directive_is_rejected_and_named(text, what):
    with pytest.raises(SourceError) as exc:
        record(text)
    assert exc.value.kind == "not_directive" and what in exc.value.reason


def test_a_committee_conclusion_notice_is_kept():
    text = CASES[6][1].replace("Kết luận của Trưởng Ban", "Kết luận của Trưởng Ban. Hôm nay, vào lúc 8 giờ, "
                                                         "tại hội trường, thành phần gồm")
    assert record(text)["doc_type"] == "Thông báo"
