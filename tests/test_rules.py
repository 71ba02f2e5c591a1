"""One rule at a time, on synthetic snippets of a few lines."""

import pytest

from chidao.extract import body, closing, extract_text, header, make_id, mentions
from chidao.ingest.textnorm import normalize
from chidao.vntext import canonical_tone, fold, match_key
from chidao.vocab import find_provinces, province_by_place


def lines(text: str) -> list[str]:
    return normalize(text).split("\n")


# --- text normalization -----------------------------------------------------------

@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("Thuỷ", "Thủy"), ("UỶ BAN", "ỦY BAN"), ("Khoẻ", "Khỏe")])
def test_tone_moves_to_first_vowel_in_open_syllables(old, new):
    assert canonical_tone(old) == new


@pytest.mark.parametrize("word", ["hoàn", "khuỷu", "quý", "QUÝ", "ngoài", "thuở"])
def test_tone_left_alone_elsewhere(word):
    assert canonical_tone(word) == word


def test_keys_keep_offsets_and_fold_d():
    s = "Thừa Thiên Huế, Hoà Bình, Đắk Lắk"
    assert len(match_key(s)) == len(s) == len(fold(s))
    assert fold("đường Đ") == "duong d"
    assert match_key("HOÀ BÌNH") == match_key("Hòa Bình")


def test_page_break_mid_sentence_is_rejoined():
    text = ("Tăng cường công tác tuyên truyền, phổ biến nâng cao nhận thức về diễn biến của dịch, thực hiện các\n\n"
            "biện pháp phòng, chống dịch.\n\n2. Sở Y tế:\n")
    out = normalize(text)
    assert "thực hiện các biện pháp phòng" in out
    assert "\n\n2. Sở Y tế:" in out


def test_list_entries_ending_in_comma_are_not_joined():
    out = normalize("- Như trên,\n\n- Lưu VPTU.\n")
    assert out == "- Như trên,\n\n- Lưu VPTU.\n"


def test_nfd_input_is_composed_and_page_markers_dropped():
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Tỉnh ủy Lai Châu\n--- PAGE BREAK ---\nSố 1-CV/TU\n")
    assert normalize(nfd) == "Tỉnh ủy Lai Châu\nSố 1-CV/TU\n"


# --- header ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,number,symbol,type_code,issuer_code", [
    ("294-CV/TU", "294", "294-CV/TU", "CV", "TU"),
    ("907 -CV/TU", "907", "907-CV/TU", "CV", "TU"),
    ("1234/UBND-VX", "1234", "1234/UBND-VX", None, "UBND-VX"),
    ("24/CT-UBND", "24", "24/CT-UBND", "CT", "UBND"),
    ("28/2021/QĐ-TTg", "28", "28/2021/QĐ-TTg", "QĐ", "TTg"),
    ("/TB-UBND", None, "TB-UBND", "TB", "UBND"),
    ("220/KB-UBND", "220", "220/KB-UBND", "KB", "UBND"),
])
def test_symbols_of_both_formats(text, number, symbol, type_code, issuer_code):
    sym = header.parse_symbol(text)
    assert (sym["number"], sym["symbol"], sym["type_code"], sym["issuer_code"]) == (
        number, symbol, type_code, issuer_code)


def test_unknown_type_codes_are_kept():
    sym = header.parse_symbol("15/XYZ-UBND")
    assert sym["symbol"] == "15/XYZ-UBND" and sym["issuer_code"] == "XYZ-UBND"


@pytest.mark.parametrize("line,place,date,precision", [
    ("Lai Châu, ngày 21 tháng 7 năm 2021", "Lai Châu", "2021-07-21", "day"),
    ("Lai Châu, ngày tháng 9 năm 2021", "Lai Châu", "2021-09", "month"),
    ("Hà Nội, ngày 05 tháng 01 năm 2020", "Hà Nội", "2020-01-05", "day"),
    ("Hoà Bình, ngày tháng năm", "Hoà Bình", None, None),
    ("Hà Nội, ngày l8 tháng 8 năm 2021", "Hà Nội", "2021-08-18", "day"),
])
def test_place_date_line(line, place, date, precision):
    d = header.parse_date_line(line)
    assert (d["place"], d["date"], d["precision"]) == (place, date, precision)


def test_blank_urgency_form_is_not_a_date_and_urgency_is_read():
    h = header.parse_header(lines("Số 907 -CV/TU\n\nVĩnh Phúc, ngày 08 tháng 11 năm 2021\n\n"
                                  "V/v chấn chỉnh công tác\n\nHỎA TỐC\nĐến trước: giờ.....\nNgày:/...../20.....\n"))
    assert h.urgency == "Hỏa tốc" and h.date_issued == "2021-11-08" and h.subject == "chấn chỉnh công tác"


def test_title_with_urgency_and_two_column_header_on_one_line():
    h = header.parse_header(lines(
        "UBND TỈNH BẮC GIANG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số: 12/CĐ-UBND Bắc Giang, ngày 03 tháng 5 năm 2021\nCÔNG ĐIỆN KHẨN\nVề việc phong tỏa\n\n"))
    assert (h.number, h.symbol, h.place, h.date_issued) == ("12", "12/CĐ-UBND", "Bắc Giang", "2021-05-03")
    assert (h.title_type, h.urgency, h.subject) == ("Công điện", "Khẩn", "Về việc phong tỏa")
    assert header.issuer_names(h.issuer_lines) == ["UBND TỈNH BẮC GIANG"]


def test_party_subject_without_vv_is_joined_across_lines():
    h = header.parse_header(lines("TỈNH ỦY LAI CHÂU\n*\nSố 294-CV/TU\nTiếp tục tăng cường công tác phòng,\n"
                                  "chống dịch Covid-19\nĐẢNG CỘNG SẢN VIỆT NAM\nLai Châu, ngày 21 tháng 7 năm 2021\n"))
    assert h.subject == "Tiếp tục tăng cường công tác phòng, chống dịch Covid-19"
    assert h.family == "party"


# --- body ---------------------------------------------------------------------------

def test_recipient_on_the_kinh_gui_line_and_wrapped_entries():
    ls = lines("Kính gửi: - Các huyện ủy, thị ủy;\n- Ban Chỉ đạo phòng chống dịch quận, huyện và thành phố\n"
               "Thủ Đức;\n- Công an tỉnh.\n\nTình hình dịch bệnh diễn biến phức tạp.\n")
    got, _ = body.parse_recipients(ls, 0)
    assert got == ["Các huyện ủy, thị ủy", "Ban Chỉ đạo phòng chống dịch quận, huyện và thành phố Thủ Đức",
                   "Công an tỉnh"]


@pytest.mark.parametrize("marker", ["1.", "1/", "1)"])
def test_arabic_items(marker):
    m2 = marker.replace("1", "2")
    ls = lines(f"Mở đầu.\n{marker} Việc một.\n- ý a\n{m2} Việc hai.\nNgày 3/4 có 3 ca.\n")
    items = body.find_items(ls, 0, len(ls))
    assert [i.number for i in items] == ["1", "2"]
    assert "- ý a" in items[0].text


def test_roman_items_take_precedence_over_their_arabic_subitems():
    ls = lines("I- ĐÁNH GIÁ\n1. Kết quả\n2. Hạn chế\nII- NHIỆM VỤ\n1. Định hướng\n")
    assert [i.number for i in body.find_items(ls, 0, len(ls))] == ["I", "II"]


def test_articles_are_items_and_quoted_markers_are_not():
    ls = lines("Điều 1. Phạm vi\n“1. Trích dẫn điều khoản\n2. khác”\nĐiều 2. Hiệu lực\n")
    assert [i.number for i in body.find_items(ls, 0, len(ls))] == ["1", "2"]


@pytest.mark.parametrize("text,want", [
    ("Sở Y tế:\n- Chủ động", ["Sở Y tế"]),
    ("Công an tỉnh\n\n- Tăng cường tuần tra", ["Công an tỉnh"]),
    ("Ban cán sự đảng UBND tỉnh lãnh đạo UBND chỉ đạo:", ["Ban cán sự đảng UBND tỉnh"]),
    ("Đảng ủy Bộ đội Biên phòng tỉnh, Công an tỉnh, Quân sự tỉnh chỉ đạo sẵn sàng lực lượng.",
     ["Đảng ủy Bộ đội Biên phòng tỉnh", "Công an tỉnh", "Quân sự tỉnh"]),
    ("Sở Lao động, Thương binh và Xã hội tăng cường kiểm tra.", ["Sở Lao động, Thương binh và Xã hội"]),
    ("Sở Kế hoạch và Đầu tư và các sở, ngành liên quan khẩn trương triển khai.", ["Sở Kế hoạch và Đầu tư"]),
    ("Các đồng chí Ủy viên Ban Thường vụ nắm bắt tình hình.", []),
    ("Tăng cường công tác tuyên truyền. Sở Y tế quan tâm tiêm vắc xin.", []),
    ("Yêu cầu chung:\n- Có kết quả xét nghiệm", []),
])
def test_item_addressees(text, want):
    assert body.addressees(text) == want


def test_acting_body_prefers_the_body_acting_on_behalf():
    text = "Chủ tịch UBND tỉnh yêu cầu các ngành.\nThừa lệnh Chủ tịch UBND tỉnh, Văn phòng UBND tỉnh thông báo để biết."
    assert body.acting_body(text)[0] == "Văn phòng UBND tỉnh"
    assert body.acting_body("Để kiểm soát dịch, Ban Thường vụ Tỉnh ủy yêu cầu:")[0] == "Ban Thường vụ Tỉnh ủy"


# --- closing ---------------------------------------------------------------------------

def test_stacked_authority_title_and_name():
    ls = lines("Nơi nhận:\n- TT: Tỉnh ủy; (để b/c)\n- Lưu: VT, VX1.\n\n**TL. CHỦ TỊCH\nKT. CHÁNH VĂN PHÒNG\n"
               "PHÓ CHÁNH VĂN PHÒNG**\n\nNguyễn Thị Hồng Tuyền")
    c = closing.parse_closing(ls, 0)
    assert c.signing_authority == "TL. CHỦ TỊCH / KT. CHÁNH VĂN PHÒNG"
    assert (c.signer_title, c.signer_name) == ("PHÓ CHÁNH VĂN PHÒNG", "Nguyễn Thị Hồng Tuyền")
    assert c.distribution == ["TT: Tỉnh ủy; (để b/c)", "Lưu: VT, VX1."]


def test_party_distribution_drops_separators_and_name_without_authority():
    ls = lines("Nơi nhận:\n- Như kính gửi,\n- Lưu VTTU.\n\n\nPhạm Hoàng Anh\n")
    c = closing.parse_closing(ls, 0)
    assert c.distribution == ["Như kính gửi", "Lưu VTTU"]
    assert (c.signing_authority, c.signer_title, c.signer_name) == (None, None, "Phạm Hoàng Anh")


def test_signature_printed_beside_noi_nhan():
    ls = lines("Nơi nhận: KT. BỘ TRƯỞNG\n- Như trên; THỨ TRƯỞNG\n- Lưu: VT, MT.\nNguyễn Trường Sơn\n")
    c = closing.parse_closing(ls, 0)
    assert (c.signing_authority, c.signer_title, c.signer_name) == ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Trường Sơn")


# --- mentions -----------------------------------------------------------------------

def test_numbered_unnumbered_and_law_references():
    refs = mentions.references(
        "Thực hiện Điện của Thường trực Ban Bí thư về phòng dịch; Kết luận số 07-KL/TW, ngày 11/6/2021 của "
        "Bộ Chính trị về nhiệm vụ; Chỉ thị số 16/CT- TTg ngày 31 tháng 3 năm 2020; Luật Phòng, chống bệnh "
        "truyền nhiễm năm 2007.")
    assert [(r["symbol"], r["date"], r["issuer"]) for r in refs] == [
        (None, None, "Thường trực Ban Bí thư"), ("07-KL/TW", "2021-06-11", "Bộ Chính trị"),
        ("16/CT-TTg", "2020-03-31", None), (None, None, None)]
    assert refs[3]["text"] == "Luật Phòng, chống bệnh truyền nhiễm"


def test_figures_with_thousands_qualifiers_and_district_counts():
    figs = mentions.figures("Cả nước ghi nhận 67.473 ca bệnh; toàn tỉnh có trên 2.400 F0. Từ ngày 19/10/2021 "
                            "đến 07/11/2021 có 22 ca mắc trong cộng đồng ở: Sông Lô (6), Yên Lạc (11).", 2021)
    got = [(f["value"], f["unit"], f["qualifier"], f["scope"], f["place"]) for f in figs]
    assert got == [(67473, "ca bệnh", None, "national", None), (2400, "F0", "trên", "province", None),
                   (22, "ca mắc trong cộng đồng", None, None, None), (6, "ca mắc", None, "district", "Sông Lô"),
                   (11, "ca mắc", None, "district", "Yên Lạc")]
    assert (figs[2]["period_start"], figs[2]["period_end"]) == ("2021-10-19", "2021-11-07")


def test_dates_symbols_and_quoted_slogans_are_not_figures():
    assert mentions.figures("Ngày 22/9/2021 thực hiện Nghị quyết số 105/NQ-CP và “1 cung đường 2 điểm đến”, 5K.") == []


def test_provinces_in_prose_need_their_diacritics():
    assert find_provinces("diễn biến phức tạp", exact=True) == []
    assert [p.name for *_, p in find_provinces("TINH THUA THIEN - HUE")] == ["Thừa Thiên Huế"]


def test_place_line_capital_maps_to_province():
    assert province_by_place("Hạ Long").name == "Quảng Ninh"
    assert province_by_place("Thừa Thiên Huế").code == "46"


# --- records -----------------------------------------------------------------------

STATE_DOC = """ỦY BAN NHÂN DÂN
TỈNH BẮC GIANG
Số: 24/CT-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Giang, ngày 12 tháng 5 năm 2021

CHỈ THỊ
Về việc áp dụng giãn cách xã hội theo Chỉ thị 16/CT-TTg

Tình hình dịch bệnh diễn biến phức tạp, Chủ tịch UBND tỉnh yêu cầu các ngành thực hiện:

1. Công an tỉnh lập chốt kiểm soát tại các cửa ngõ.

2. Sở Y tế tổ chức xét nghiệm toàn bộ công nhân.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Lê Ánh Dương
"""


def test_a_state_directive_end_to_end():
    rec = extract_text(STATE_DOC, "x.txt", "0" * 64)
    assert (rec["province"], rec["province_code"], rec["issuer"], rec["issuer_kind"]) == (
        "Bắc Giang", "24", "Ủy ban nhân dân tỉnh Bắc Giang", "government")
    assert (rec["doc_type"], rec["doc_type_code"], rec["number"], rec["symbol"]) == ("Chỉ thị", "CT", "24", "24/CT-UBND")
    assert rec["signing_authority"] == "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"
    assert (rec["signer_title"], rec["signer_name"]) == ("PHÓ CHỦ TỊCH", "Lê Ánh Dương")
    assert [i["addressees"] for i in rec["items"]] == [["Công an tỉnh"], ["Sở Y tế"]]
    assert {m["code"] for m in rec["measures"]} >= {"CHECKPOINTS", "TESTING"}
    assert rec["inferred"] == {}
    assert rec["id"] == "bac-giang-2021-05-12-24-ct-ubnd"


def test_issuer_inferred_from_symbol_and_place_with_clue():
    rec = extract_text("Số 12-CV/TU\nHạ Long, ngày 02 tháng 8 năm 2021\nV/v phòng dịch\n\n"
                       "Thường trực Tỉnh ủy yêu cầu:\n1. Sở Y tế tăng cường xét nghiệm.\n", "y.txt", "1" * 64)
    assert (rec["province"], rec["issuer"], rec["issuer_kind"]) == ("Quảng Ninh", "Tỉnh ủy Quảng Ninh", "party")
    assert "symbol …/TU" in rec["inferred"]["issuer"] and "Hạ Long" in rec["inferred"]["province"]


def test_national_issuer_has_no_province():
    rec = extract_text("BỘ Y TẾ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 10/BYT-MT Hà Nội, ngày 16 tháng 12 năm 2021\n"
                       "V/v phòng, chống dịch\n", "z.txt", "2" * 64)
    assert (rec["issuer"], rec["province"], rec["doc_type"]) == ("Bộ Y tế", None, "Công văn")


def test_id_of_an_unnumbered_document_carries_a_hash():
    rec = {"province": "Lai Châu", "date_issued": "2021-09", "number": None, "doc_type_code": "TB",
           "symbol": "TB-UBND", "text_sha256": "ab966cfc"}
    assert make_id(rec) == "lai-chau-2021-09-tb-ubnd-ab966c"


def test_terms_without_settled_meaning_are_not_coded():
    from chidao.extract.measures import code_text
    assert code_text("Thực hiện thông điệp 5T.") == []
    assert [c for c, _ in code_text("Thực hiện nghiêm thông điệp 5K của Bộ Y tế.")] == ["MASK_5K"]


def test_taxonomy_size_and_oxcgrt_indicators():
    from chidao.vocab import measure_taxonomy
    codes = measure_taxonomy()["measures"]
    assert 25 <= len(codes) <= 40
    allowed = {f"C{i}" for i in range(1, 9)} | {"E1", "E2", "E3", "H1", "H2", "H3", "H6", "H7", "H8", None}
    assert all(m["oxcgrt"] in allowed for m in codes)
    assert all(m["name_vi"] and m["name_en"] and m["definition_vi"] and m["definition_en"] for m in codes)


# --- layouts copied from Word or HTML tables ------------------------------------------

def test_table_cells_separated_by_tabs_become_lines():
    text = normalize("Số: 1834/SYT-NVY\nV/v tăng cường xét nghiệm\tBắc Giang, ngày 12 tháng 5 năm 2021\n")
    assert text.split("\n")[1:3] == ["V/v tăng cường xét nghiệm", "Bắc Giang, ngày 12 tháng 5 năm 2021"]
    assert normalize("\tThụt đầu dòng\tvà  khoảng trắng\n") == " Thụt đầu dòng\nvà khoảng trắng\n"  # an indent stays


def test_subject_beside_the_date_in_a_two_column_header():
    raw = ("UBND TỈNH BẮC GIANG\nSỞ Y TẾ\n-------\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
           "Độc lập - Tự do - Hạnh phúc\nSố: 1834/SYT-NVY\n"
           "V/v tăng cường phòng, chống dịch COVID-19\ntại các khu công nghiệp\tBắc Giang, ngày 12 tháng 5 năm 2021\n\n"
           "Kính gửi:\t- UBND các huyện, thành phố;\n- Các đơn vị y tế trực thuộc.\n\n"
           "Sở Y tế đề nghị các đơn vị thực hiện một số nội dung sau:\n1. Tổ chức xét nghiệm cho công nhân.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert (r["date_issued"], r["place"]) == ("2021-05-12", "Bắc Giang")
    assert r["subject"] == "tăng cường phòng, chống dịch COVID-19 tại các khu công nghiệp"
    assert r["recipients"] == ["UBND các huyện, thành phố", "Các đơn vị y tế trực thuộc"]


@pytest.mark.parametrize("subject_lines,expected", [
    (["VỀ VIỆC TĂNG CƯỜNG CÁC BIỆN PHÁP PHÒNG, CHỐNG DỊCH COVID-19 TRÊN ĐỊA BÀN TỈNH"],
     "VỀ VIỆC TĂNG CƯỜNG CÁC BIỆN PHÁP PHÒNG, CHỐNG DỊCH COVID-19 TRÊN ĐỊA BÀN TỈNH"),
    (["VỀ PHÒNG, CHỐNG DỊCH COVID-19"], "VỀ PHÒNG, CHỐNG DỊCH COVID-19"),
    (["Về việc giãn cách xã hội", "_________"], "Về việc giãn cách xã hội"),
    (["về chủ trương khắc phục tác động của đại dịch", "để phục hồi nền kinh tế"],
     "về chủ trương khắc phục tác động của đại dịch để phục hồi nền kinh tế"),
])
def test_subject_under_the_title_stops_at_the_rule_or_the_body(subject_lines, expected):
    raw = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NINH\nSố: 12/CT-UBND\nQuảng Ninh, ngày 05 tháng 5 năm 2021\n\nCHỈ THỊ\n"
           + "\n".join(subject_lines) + "\nThực hiện Công điện số 570/CĐ-TTg ngày 02/5/2021 của Thủ tướng Chính phủ, "
           "Chủ tịch Ủy ban nhân dân tỉnh chỉ thị:\n1. Tạm dừng các hoạt động lễ hội.\n")
    assert extract_text(raw, "x.txt", "0" * 64)["subject"] == expected


def test_cong_dien_addressees_follow_the_dien_line():
    raw = ("ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI\nSố: 08/CĐ-UBND\nĐồng Nai, ngày 14 tháng 7 năm 2021\nCÔNG ĐIỆN\n"
           "Về việc thực hiện giãn cách xã hội\n_________\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN:\n"
           "- Giám đốc các sở, ban, ngành;\n- Chủ tịch UBND các huyện, thành phố.\n"
           "Trước diễn biến phức tạp của dịch bệnh, Chủ tịch UBND tỉnh yêu cầu:\n1. Dừng vận tải hành khách.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert r["recipients"] == ["Giám đốc các sở, ban, ngành", "Chủ tịch UBND các huyện, thành phố"]
    assert r["subject"] == "Về việc thực hiện giãn cách xã hội"
    assert [i["number"] for i in r["items"]] == ["1"]


def test_an_office_is_named_after_the_body_it_serves_and_items_task_by_opening_verb():
    raw = ("ỦY BAN NHÂN DÂN TỈNH THANH HÓA\nVĂN PHÒNG\nSố: 312/TB-VPUBND\nThanh Hóa, ngày 03 tháng 8 năm 2021\n"
           "THÔNG BÁO\nÝ kiến kết luận của Chủ tịch UBND tỉnh về phòng, chống dịch COVID-19\n"
           "Chủ tịch UBND tỉnh kết luận:\n1. Giao Sở Y tế chủ trì tổ chức tiêm vắc xin.\n"
           "2. Công an tỉnh kiểm soát chặt chẽ các chốt kiểm dịch.\n"
           "3. UBND các huyện, thị xã, thành phố tạm dừng các dịch vụ không thiết yếu.\n"
           "Văn phòng UBND tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.\n"
           "Nơi nhận:\n- Các sở, ban, ngành;\n- Lưu: VT.\nTL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\nLê Văn Thắng\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert r["issuer"] == "Văn phòng Ủy ban nhân dân tỉnh Thanh Hóa"
    assert [i["addressees"] for i in r["items"]] == [["Sở Y tế"], ["Công an tỉnh"], ["UBND các huyện, thị xã, thành phố"]]
    assert "thông báo để" not in r["items"][-1]["text"]  # the closing line, though no blank line precedes it


def test_a_party_directive_of_the_standing_committee_and_a_plan_with_a_flattened_header():
    raw = ("TỈNH ỦY QUẢNG NAM\n*\nSố 17-CT/TU\nĐẢNG CỘNG SẢN VIỆT NAM\nQuảng Nam, ngày 30 tháng 7 năm 2021\n\n"
           "CHỈ THỊ\nCỦA BAN THƯỜNG VỤ TỈNH ỦY\nvề tăng cường lãnh đạo công tác phòng, chống dịch COVID-19\n\n"
           "Ban Thường vụ Tỉnh ủy yêu cầu:\n\n1. Các cấp ủy tập trung lãnh đạo.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert r["issuer"] == "Ban Thường vụ Tỉnh ủy Quảng Nam"
    raw = ("ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
           "Số: 45/KH-UBND Hà Tĩnh, ngày 20 tháng 2 năm 2021\n\nKẾ HOẠCH\n"
           "Triển khai tiêm vắc xin phòng COVID-19 trên địa bàn tỉnh năm 2021-2022\n\n"
           "Thực hiện Nghị quyết số 21/NQ-CP của Chính phủ, UBND tỉnh ban hành Kế hoạch như sau:\n\n"
           "1. Sở Y tế chủ trì xây dựng kế hoạch phân bổ vắc xin.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert (r["issuer"], r["symbol"], r["date_issued"]) == ("Ủy ban nhân dân tỉnh Hà Tĩnh", "45/KH-UBND", "2021-02-20")
    assert r["subject"] == "Triển khai tiêm vắc xin phòng COVID-19 trên địa bàn tỉnh năm 2021-2022"


@pytest.mark.parametrize("flat,authority,title,name,distribution", [
    ("Nơi nhận: - Bộ Y tế (b/c); - TTr Tỉnh ủy, HĐND tỉnh; - Lưu: VT, VX. TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH "
     "PHÓ CHỦ TỊCH Đặng Ngọc Sơn", "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đặng Ngọc Sơn",
     ["Bộ Y tế (b/c);", "TTr Tỉnh ủy, HĐND tỉnh;", "Lưu: VT, VX."]),
    ("Nơi nhận: - Như trên, - Lưu VPTU. T/M BAN THƯỜNG VỤ BÍ THƯ Phan Việt Cường", "T/M BAN THƯỜNG VỤ", "BÍ THƯ",
     "Phan Việt Cường", ["Như trên", "Lưu VPTU"]),
    ("Nơi nhận: KT. BỘ TRƯỞNG, CHỦ NHIỆM", "KT. BỘ TRƯỞNG, CHỦ NHIỆM", None, None, []),
])
def test_a_closing_run_together_on_one_line(flat, authority, title, name, distribution):
    c = closing.parse_closing(["1. Sở Y tế chủ trì.", flat], 1)
    assert (c.signing_authority, c.signer_title, c.signer_name) == (authority, title, name)
    assert c.distribution == distribution


def test_a_section_tasks_the_bodies_named_by_its_numbered_sub_items():
    text = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\nSố: 120/KH-UBND\nNghệ An, ngày 10 tháng 3 năm 2021\nKẾ HOẠCH\n"
            "Tiêm vắc xin phòng COVID-19 năm 2021\n\nI. MỤC ĐÍCH, YÊU CẦU\n1. Chủ động phòng bệnh cho người dân.\n\n"
            "II. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế:\n- Chủ trì tổ chức tiêm chủng;\n- Báo cáo kết quả.\n"
            "2. Sở Tài chính bố trí kinh phí mua vật tư.\n3. Công an tỉnh bảo đảm an ninh tại các điểm tiêm.\n")
    r = extract_text(text, "x.txt", "0" * 64)
    assert [(i["number"], i["addressees"]) for i in r["items"]] == [
        ("I", []), ("II", ["Sở Y tế", "Sở Tài chính", "Công an tỉnh"])]


def test_numeric_place_date_line_and_a_one_line_kinh_gui_before_the_body():
    raw = ("UBND TỈNH KHÁNH HÒA\nBAN CHỈ ĐẠO PHÒNG, CHỐNG DỊCH COVID-19\nSố: 15/TB-BCĐ\nKHẨN\n"
           "Khánh Hòa, ngày 01/8/2021\nTHÔNG BÁO\nKết luận của Trưởng Ban Chỉ đạo tại cuộc họp ngày 31/7/2021\n"
           "Kính gửi: Giám đốc Sở Y tế\nBan Chỉ đạo tỉnh chỉ đạo như sau:\n1. Sở Y tế mở rộng xét nghiệm.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert (r["date_issued"], r["place"], r["urgency"]) == ("2021-08-01", "Khánh Hòa", "Khẩn")
    assert r["issuer"] == "Ban Chỉ đạo phòng, chống dịch COVID-19 tỉnh Khánh Hòa"
    assert r["recipients"] == ["Giám đốc Sở Y tế"]
    assert [(i["number"], i["addressees"]) for i in r["items"]] == [("1", ["Sở Y tế"])]
    # a date inside a sentence is not a place-date line
    assert header.parse_date_line("Thực hiện Công điện ngày 02/5/2021 của Thủ tướng") is None


def test_a_party_recipient_list_ends_where_the_body_begins_without_a_blank_line():
    raw = ("TỈNH ỦY THỪA THIÊN HUẾ\n*\nSố 1009-CV/TU\nV/v tăng cường công tác phòng, chống dịch\n"
           "ĐẢNG CỘNG SẢN VIỆT NAM\nThừa Thiên Huế, ngày 05 tháng 5 năm 2021\nKính gửi:\n"
           "- Các huyện ủy, thị ủy, thành ủy,\n- Các ban cán sự đảng, đảng đoàn,\nThường trực Tỉnh ủy yêu cầu:\n"
           "1. Các cấp ủy tập trung lãnh đạo.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert r["recipients"] == ["Các huyện ủy, thị ủy, thành ủy", "Các ban cán sự đảng, đảng đoàn"]
    assert r["acting_body"] == "Thường trực Tỉnh ủy" and len(r["items"]) == 1


def test_a_wide_gap_between_columns_is_a_line_break_but_a_blank_to_fill_is_not():
    text = normalize("V/v tăng cường xét nghiệm       Bắc Giang, ngày 12 tháng 5 năm 2021\n"
                     "Số:          /BC-SYT Hải Dương, ngày         tháng  6  năm 2021\n")
    assert text.split("\n")[:2] == ["V/v tăng cường xét nghiệm", "Bắc Giang, ngày 12 tháng 5 năm 2021"]
    assert text.split("\n")[2] == "Số: /BC-SYT Hải Dương, ngày tháng 6 năm 2021"


@pytest.mark.parametrize("lines_,issuer,kind", [
    ("HỘI ĐỒNG NHÂN DÂN\nTỈNH AN GIANG\nSố: 12/NQ-HĐND", "Hội đồng nhân dân tỉnh An Giang", "government"),
    ("ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM\nTỈNH ĐỒNG THÁP\nSố: 245/MTTQ-BTT", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Đồng Tháp",
     "other"),
])
def test_state_bodies_and_mass_organisations(lines_, issuer, kind):
    raw = lines_ + "\nAn Giang, ngày 20 tháng 8 năm 2021\nNGHỊ QUYẾT\nQuy định mức hỗ trợ phòng, chống dịch\n"
    r = extract_text(raw, "x.txt", "0" * 64)
    assert (r["issuer"], r["issuer_kind"]) == (issuer, kind)


@pytest.mark.parametrize("head,subject", [
    ("Số: 1020/UBND-KGVX V/v triển khai biện pháp cấp bách phòng, chống dịch COVID-19 Lạng Sơn, ngày 12 tháng 8 năm 2021",
     "triển khai biện pháp cấp bách phòng, chống dịch COVID-19"),
    ("Số: 1020/UBND-KGVX\nV/v tăng cường phòng, chống dịch COVID-19 tại các khu công nghiệp Lạng Sơn, ngày 12 tháng 8 năm 2021",
     "tăng cường phòng, chống dịch COVID-19 tại các khu công nghiệp"),
])
def test_subject_and_place_date_on_one_line(head, subject):
    raw = ("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\n" + head + "\nKính gửi: Sở Y tế; Sở Tài chính; UBND các huyện, thành phố.\n"
           "Ủy ban nhân dân tỉnh yêu cầu:\n1) Sở Y tế tăng cường xét nghiệm.\n")
    r = extract_text(raw, "x.txt", "0" * 64)
    assert (r["subject"], r["place"], r["date_issued"]) == (subject, "Lạng Sơn", "2021-08-12")
    assert r["recipients"] == ["Sở Y tế", "Sở Tài chính", "UBND các huyện, thành phố"]
    assert [i["addressees"] for i in r["items"]] == [["Sở Y tế"]]
