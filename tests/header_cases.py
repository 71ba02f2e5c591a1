"""Hand-written header variants of provincial and district directives, with the fields a
careful reader takes from them. Shared by tests/test_headers.py (which asserts them) and by
anyone who wants the field accuracy of the header reader on them (``field_accuracy``)."""

from __future__ import annotations

BODY = ("\n\nThực hiện Chỉ thị số 16/CT-TTg ngày 31 tháng 3 năm 2020 của Thủ tướng Chính phủ về thực hiện "
        "các biện pháp cấp bách phòng, chống dịch COVID-19, yêu cầu các cơ quan, đơn vị thực hiện:\n\n"
        "1. Tăng cường công tác tuyên truyền để người dân thực hiện nghiêm thông điệp 5K.\n\n"
        "2. Tạm dừng các hoạt động tập trung đông người không cần thiết.\n\n")


def closing(authority: str, name: str = "Nguyễn Văn Hùng") -> str:
    return f"Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\n{authority}\n\n{name}\n"


# (label, text, expected fields). Only the fields listed are checked.
CASES: list[tuple[str, str, dict]] = [
    ("ubnd alone, district on the next line, two columns flattened",
     "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHUYỆN HIỆP HÒA Độc lập - Tự do - Hạnh phúc\n"
     "Số: 1234/UBND-VP Hiệp Hòa, ngày 15 tháng 8 năm 2021\nV/v tăng cường các biện pháp phòng, chống dịch COVID-19\n\n"
     "Kính gửi:\n- Các cơ quan, đơn vị thuộc UBND huyện;\n- UBND các xã, thị trấn." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân huyện Hiệp Hòa", "province": "Bắc Giang", "district": "Hiệp Hòa",
      "issuer_level": "district", "number": "1234", "symbol": "1234/UBND-VP", "date_issued": "2021-08-15",
      "subject": "tăng cường các biện pháp phòng, chống dịch COVID-19", "doc_type": "Công văn"}),
    ("ubnd alone, province on the next line",
     "ỦY BAN NHÂN DÂN\nTỈNH BẮC GIANG\nSố: 25/CT-UBND\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nBắc Giang, ngày 10 tháng 5 năm 2021\n\nCHỈ THỊ\n"
     "Về việc tăng cường các biện pháp cấp bách phòng, chống dịch COVID-19\n" + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "Lê Ánh Dương"),
     {"issuer": "Ủy ban nhân dân tỉnh Bắc Giang", "province": "Bắc Giang", "district": None,
      "issuer_level": "province", "number": "25", "symbol": "25/CT-UBND", "date_issued": "2021-05-10",
      "subject": "Về việc tăng cường các biện pháp cấp bách phòng, chống dịch COVID-19", "doc_type": "Chỉ thị"}),
    ("district office under ubnd huyện",
     "UBND HUYỆN YÊN DŨNG\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO\nSố: 312/PGDĐT\nV/v tổ chức dạy học trực tuyến\n\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nYên Dũng, ngày 05 tháng 9 năm 2021\n\n"
     "Kính gửi: Hiệu trưởng các trường mầm non, tiểu học, THCS." + BODY + closing("TRƯỞNG PHÒNG"),
     {"issuer": "Phòng Giáo dục và Đào tạo huyện Yên Dũng", "province": "Bắc Giang", "district": "Yên Dũng",
      "issuer_level": "district_office", "number": "312", "date_issued": "2021-09-05",
      "subject": "tổ chức dạy học trực tuyến"}),
    ("huyện ủy, party title flattened onto the issuer line",
     "HUYỆN ỦY TIÊN DU ĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 215-CV/HU Tiên Du, ngày 02 tháng 6 năm 2021\n"
     "V/v lãnh đạo, chỉ đạo công tác phòng, chống dịch COVID-19\n\nKính gửi: Các chi, đảng bộ trực thuộc." + BODY
     + closing("T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ"),
     {"issuer": "Huyện ủy Tiên Du", "province": "Bắc Ninh", "district": "Tiên Du", "issuer_level": "district",
      "number": "215", "symbol": "215-CV/HU", "date_issued": "2021-06-02", "doc_type": "Công văn"}),
    ("tỉnh ủy with the party title on the same line",
     "TỈNH ỦY BẮC GIANG ĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 1109-CV/TU Bắc Giang, ngày 20 tháng 5 năm 2021\n"
     "V/v tăng cường phòng, chống dịch COVID-19 tại các khu công nghiệp\n\nKính gửi: Các huyện ủy, thành ủy." + BODY
     + closing("T/M BAN THƯỜNG VỤ\nBÍ THƯ"),
     {"issuer": "Tỉnh ủy Bắc Giang", "province": "Bắc Giang", "district": None, "issuer_level": "province",
      "number": "1109", "date_issued": "2021-05-20"}),
    ("sở y tế under ubnd tỉnh",
     "UBND TỈNH HẢI DƯƠNG\nSỞ Y TẾ\nSố: 1820/SYT-NVY\nV/v hướng dẫn cách ly y tế tại nhà\n\n"
     "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nHải Dương, ngày 12 tháng 2 năm 2021\n\n"
     "Kính gửi: Trung tâm Y tế các huyện, thị xã, thành phố." + BODY + closing("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"),
     {"issuer": "Sở Y tế tỉnh Hải Dương", "province": "Hải Dương", "district": None,
      "issuer_level": "provincial_department", "number": "1820", "date_issued": "2021-02-12",
      "subject": "hướng dẫn cách ly y tế tại nhà"}),
    ("ban chỉ đạo of a province, thông báo without V/v",
     "BCĐ PHÒNG, CHỐNG DỊCH COVID-19\nTỈNH QUẢNG NINH\nSố: 45/TB-BCĐ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nQuảng Ninh, ngày 03 tháng 8 năm 2021\n\nTHÔNG BÁO\n"
     "Kết luận của Trưởng Ban Chỉ đạo tại cuộc họp\nngày 02/8/2021\n" + BODY + closing("TRƯỞNG BAN"),
     {"province": "Quảng Ninh", "district": None, "issuer_level": "provincial_department",
      "number": "45", "symbol": "45/TB-BCĐ", "date_issued": "2021-08-03", "doc_type": "Thông báo",
      "subject": "Kết luận của Trưởng Ban Chỉ đạo tại cuộc họp ngày 02/8/2021"}),
    ("bcđ of a district",
     "BCĐ PHÒNG, CHỐNG DỊCH COVID-19 HUYỆN LỤC NGẠN\nSố: 17/KH-BCĐ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nLục Ngạn, ngày 14 tháng 6 năm 2021\n\nKẾ HOẠCH\n"
     "Tổ chức xét nghiệm SARS-CoV-2 diện rộng trên địa bàn huyện\n" + BODY + closing("TRƯỞNG BAN"),
     {"issuer": "BCĐ phòng, chống dịch COVID-19 huyện Lục Ngạn", "province": "Bắc Giang", "district": "Lục Ngạn",
      "issuer_level": "district", "number": "17",
      "date_issued": "2021-06-14", "doc_type": "Kế hoạch",
      "subject": "Tổ chức xét nghiệm SARS-CoV-2 diện rộng trên địa bàn huyện"}),
    ("ocr damage: lost diacritics, S6 for Số",
     "UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM\nHUYEN HIEP HOA Doc lap - Tu do - Hanh phuc\n"
     "S6: 789/UBND-YT Hiep Hoa, ngay 20 thang 7 nam 2021\nV/v thuc hien gian cach xa hoi\n\n"
     "Kinh gui: UBND cac xa, thi tran." + BODY + closing("TM. UY BAN NHAN DAN\nCHU TICH"),
     {"province": "Bắc Giang", "district": "Hiệp Hòa", "issuer_level": "district", "number": "789",
      "symbol": "789/UBND-YT", "date_issued": "2021-07-20"}),
    ("number left blank for the hand",
     "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: /UBND-VX\nV/v triển khai tiêm vắc xin phòng COVID-19\n\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nLai Châu, ngày tháng 9 năm 2021\n\n"
     "Kính gửi: Sở Y tế." + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân tỉnh Lai Châu", "province": "Lai Châu", "issuer_level": "province",
      "number": None, "symbol": "UBND-VX", "date_issued": "2021-09"}),
    ("a stray glyph where the number should be",
     "ỦY BAN NHÂN DÂN\nHUYỆN TAM ĐƯỜNG\nSố: ,J /UBND-VP\nV/v tạm dừng hoạt động karaoke\n\n"
     "Tam Đường, ngày 09 tháng 8 năm 2021\n\nKính gửi: Các cơ quan, đơn vị." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân huyện Tam Đường", "province": "Lai Châu", "district": "Tam Đường",
      "issuer_level": "district", "number": None,
      "date_issued": "2021-08-09"}),
    ("party number blank",
     "HUYỆN ỦY TAM ĐƯỜNG\n*\nSố    -CV/HU\nV/v tăng cường lãnh đạo phòng, chống dịch\n\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Tam Đường, ngày 11 tháng 8 năm 2021\n\nKính gửi: Các chi bộ, đảng bộ cơ sở." + BODY
     + closing("T/M BAN THƯỜNG VỤ\nBÍ THƯ"),
     {"issuer": "Huyện ủy Tam Đường", "province": "Lai Châu", "issuer_level": "district", "number": None,
      "date_issued": "2021-08-11"}),
    ("damaged place line: the date of a cited document is not the date",
     "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 2101/UBND-VX\nV/v thực hiện giãn cách xã hội\n\n"
     "Lai Chau, ngay th~ng nam 2O2l\n\nKính gửi: Các sở, ban, ngành." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": "Lai Châu", "number": "2101", "date_issued": None}),
    ("ubnd xã, commune level",
     "UBND HUYỆN HIỆP HÒA\nUBND XÃ ĐOAN BÁI\nSố: 56/TB-UBND\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nĐoan Bái, ngày 16 tháng 5 năm 2021\n\nTHÔNG BÁO\n"
     "Về việc phong tỏa tạm thời thôn Đông\n" + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": "Bắc Giang", "district": "Hiệp Hòa", "issuer_level": "commune", "number": "56",
      "date_issued": "2021-05-16", "doc_type": "Thông báo"}),
    ("đảng ủy xã",
     "ĐẢNG BỘ HUYỆN TIÊN DU\nĐẢNG ỦY XÃ LIÊN BÃO\n*\nSố 12-TB/ĐU\n\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Liên Bão, ngày 07 tháng 5 năm 2021\n\nTHÔNG BÁO\nKết luận của Thường trực Đảng ủy về phòng, chống dịch\n" + BODY
     + closing("T/M ĐẢNG ỦY\nBÍ THƯ"),
     {"issuer": "Đảng ủy xã Liên Bão", "province": "Bắc Ninh", "district": "Tiên Du", "issuer_level": "commune",
      "number": "12",
      "date_issued": "2021-05-07", "doc_type": "Thông báo"}),
    ("ubnd quận of Hà Nội",
     "ỦY BAN NHÂN DÂN\nQUẬN ĐỐNG ĐA\nSố: 2150/UBND-VP\nV/v thực hiện Chỉ thị 17/CT-UBND\n\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐống Đa, ngày 24 tháng 7 năm 2021\n\n"
     "Kính gửi: UBND các phường." + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân quận Đống Đa", "province": "Hà Nội", "district": "Đống Đa",
      "issuer_level": "district", "number": "2150", "date_issued": "2021-07-24"}),
    ("ubnd thành phố thuộc tỉnh is a district, not the province",
     "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTHÀNH PHỐ BẮC GIANG Độc lập - Tự do - Hạnh phúc\n"
     "Số: 900/UBND-VX Bắc Giang, ngày 18 tháng 5 năm 2021\nV/v tạm dừng hoạt động dịch vụ\n\n"
     "Kính gửi: UBND các phường, xã." + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân thành phố Bắc Giang", "province": "Bắc Giang", "district": "Bắc Giang",
      "issuer_level": "district", "number": "900", "date_issued": "2021-05-18"}),
    ("ambiguous district name alone does not decide the province",
     "ỦY BAN NHÂN DÂN\nHUYỆN CHÂU THÀNH\nSố: 1501/UBND-VP\nV/v tăng cường phòng, chống dịch\n\n"
     "Châu Thành, ngày 27 tháng 7 năm 2021\n\nKính gửi: UBND các xã, thị trấn." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": None, "district": "Châu Thành", "issuer_level": "district", "number": "1501",
      "date_issued": "2021-07-27"}),
    ("ambiguous district name, the signature names the province",
     "ỦY BAN NHÂN DÂN\nHUYỆN CHÂU THÀNH\nSố: 1502/UBND-VP\nV/v tăng cường phòng, chống dịch\n\n"
     "Châu Thành, ngày 27 tháng 7 năm 2021\n\nKính gửi: UBND các xã, thị trấn." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN HUYỆN CHÂU THÀNH\nCHỦ TỊCH") + "\nUBND tỉnh Tiền Giang\n",
     {"district": "Châu Thành", "issuer_level": "district", "number": "1502"}),
    ("trung tâm y tế huyện",
     "SỞ Y TẾ BẮC GIANG\nTRUNG TÂM Y TẾ HUYỆN LẠNG GIANG\nSố: 88/TTYT-KSBT\nV/v điều tra, truy vết ca F1\n\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nLạng Giang, ngày 22 tháng 5 năm 2021\n\n"
     "Kính gửi: Trạm Y tế các xã, thị trấn." + BODY + closing("GIÁM ĐỐC"),
     {"issuer": "Trung tâm Y tế huyện Lạng Giang", "province": "Bắc Giang", "district": "Lạng Giang",
      "issuer_level": "district_office", "number": "88",
      "date_issued": "2021-05-22", "subject": "điều tra, truy vết ca F1"}),
    ("công điện of ubnd tỉnh, damaged Quốc hiệu",
     "ỦY BAN NHÂN DÂN CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH NGHỆ AN Độc lập - Tự do - Hạnh phúc\n"
     "Số: 21/CĐ-UBND Nghệ An, ngày 31 tháng 7 năm 2021\n\nCÔNG ĐIỆN\n"
     "Về việc thực hiện giãn cách xã hội trên địa bàn thành phố Vinh\n\n"
     "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN:\n- Giám đốc các sở, ban, ngành." + BODY + closing("CHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân tỉnh Nghệ An", "province": "Nghệ An", "issuer_level": "province",
      "number": "21", "date_issued": "2021-07-31", "doc_type": "Công điện"}),
    ("quyết định of a thị xã, OCR HUY~N-like damage on the type word",
     "UBND THỊ XÃ VIỆT YÊN CONG HOA XA HOI CHU NGHIA VIET NAM\nSố: 345/QĐ-UBND Việt Yên, ngày 01 tháng 6 năm 2021\n\n"
     "QUYẾT ĐỊNH\nVề việc thiết lập vùng cách ly y tế\n" + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": "Bắc Giang", "district": "Việt Yên", "issuer_level": "district", "number": "345",
      "date_issued": "2021-06-01", "doc_type": "Quyết định", "subject": "Về việc thiết lập vùng cách ly y tế"}),
    ("subject over two lines without V/v, under the number",
     "UBND TỈNH VĨNH PHÚC\nVĂN PHÒNG\nSố: 77/VP-VX\nTriển khai các biện pháp phòng, chống dịch\nCOVID-19 trong tình hình mới\n\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nVĩnh Phúc, ngày 03 tháng 3 năm 2022\n\n"
     "Kính gửi: Các sở, ban, ngành." + BODY + closing("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG"),
     {"issuer": "Văn phòng UBND tỉnh Vĩnh Phúc", "province": "Vĩnh Phúc",
      "issuer_level": "provincial_department", "number": "77", "date_issued": "2022-03-03",
      "subject": "Triển khai các biện pháp phòng, chống dịch COVID-19 trong tình hình mới"}),
    ("ubnd alone, the unit only in the signature",
     "ỦY BAN NHÂN DÂN\nSố: 455/UBND-YT\nV/v cách ly tại nhà đối với người về từ vùng dịch\n\n"
     "Hiep Hoa, ngay th~ng nam 2O2l\n\nKính gửi: UBND các xã, thị trấn." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN HUYỆN HIỆP HÒA\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân huyện Hiệp Hòa", "province": "Bắc Giang", "district": "Hiệp Hòa",
      "issuer_level": "district", "number": "455", "date_issued": None}),
    ("ubnd alone, the unit only in the place line",
     "ỦY BAN NHÂN DÂN\nSố: 610/UBND-VP\nV/v tạm dừng các hoạt động lễ hội\n\nLục Nam, ngày 04 tháng 5 năm 2021\n\n"
     "Kính gửi: Các cơ quan, đơn vị." + BODY + closing("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân huyện Lục Nam", "province": "Bắc Giang", "district": "Lục Nam",
      "issuer_level": "district", "date_issued": "2021-05-04"}),
    ("quốc hiệu first, issuer second, both rows flattened",
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM ỦY BAN NHÂN DÂN\nĐộc lập - Tự do - Hạnh phúc HUYỆN SƠN ĐỘNG\n"
     "Sơn Động, ngày 19 tháng 5 năm 2021 Số: 702/UBND-VP\nV/v rà soát người về từ các huyện Việt Yên, Yên Dũng\n\n"
     "Kính gửi: UBND các xã, thị trấn." + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân huyện Sơn Động", "province": "Bắc Giang", "district": "Sơn Động",
      "issuer_level": "district", "number": "702", "date_issued": "2021-05-19",
      "subject": "rà soát người về từ các huyện Việt Yên, Yên Dũng"}),
    ("ambiguous district name, the text names one of its provinces",
     "ỦY BAN NHÂN DÂN\nHUYỆN CHÂU THÀNH\nSố: 1503/UBND-VP\nV/v tăng cường phòng, chống dịch\n\n"
     "Châu Thành, ngày 28 tháng 7 năm 2021\n\nKính gửi: UBND các xã, thị trấn.\n\n"
     "Thực hiện Công văn số 3441/UBND-VX ngày 27/7/2021 của UBND tỉnh Tiền Giang về phòng, chống dịch." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": "Tiền Giang", "district": "Châu Thành", "issuer_level": "district", "number": "1503"}),
    ("quyết định citing a dated chỉ thị in its subject, place line damaged",
     "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 1102/QĐ-UBND\n\nLai Chau, ngay th~ng nam\n\nQUYẾT ĐỊNH\n"
     "Về việc thực hiện Chỉ thị 16/CT-TTg ngày 31 tháng 3 năm 2020 của Thủ tướng Chính phủ\n" + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": "Lai Châu", "number": "1102", "date_issued": None, "doc_type": "Quyết định",
      "subject": "Về việc thực hiện Chỉ thị 16/CT-TTg ngày 31 tháng 3 năm 2020 của Thủ tướng Chính phủ"}),
    ("thông báo kết luận of a meeting: the meeting's date is not the date",
     "UBND TỈNH LAI CHÂU\nVĂN PHÒNG\nSố: 312/TB-VP\n\nTHÔNG BÁO\nKết luận tại cuộc họp ngày 02 tháng 8 năm 2021\n\n"
     "Lai Châu, ngày 05 tháng 8 năm 2021\n" + BODY + closing("KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG"),
     {"issuer": "Văn phòng UBND tỉnh Lai Châu", "issuer_level": "provincial_department", "date_issued": "2021-08-05",
      "subject": "Kết luận tại cuộc họp ngày 02 tháng 8 năm 2021", "doc_type": "Thông báo"}),
    ("a number read in part is not a number",
     "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 3{85 /UBND-VX\nV/v tổ chức tiêm vắc xin\n\n"
     "Lai Châu, ngày 12 tháng 10 năm 2021\n\nKính gửi: Sở Y tế." + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"number": None, "date_issued": "2021-10-12", "issuer_level": "province"}),
    ("ubnd of a numbered quận of Hồ Chí Minh City",
     "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nQUẬN 8 Độc lập - Tự do - Hạnh phúc\n"
     "Số: 3120/UBND-VX Quận 8, ngày 20 tháng 7 năm 2021\nV/v thực hiện giãn cách xã hội theo Chỉ thị 16/CT-TTg\n\n"
     "Kính gửi: UBND 16 phường." + BODY + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"issuer": "Ủy ban nhân dân quận 8", "province": "Hồ Chí Minh", "district": "Quận 8", "issuer_level": "district",
      "number": "3120", "date_issued": "2021-07-20"}),
    ("công an tỉnh is a provincial department",
     "UBND TỈNH BẮC NINH\nCÔNG AN TỈNH\nSố: 1450/CAT-PV01\nV/v kiểm soát người ra vào tỉnh\n\n"
     "Bắc Ninh, ngày 08 tháng 5 năm 2021\n\nKính gửi: Công an các huyện, thị xã, thành phố." + BODY
     + closing("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"),
     {"province": "Bắc Ninh", "district": None, "issuer_level": "provincial_department", "number": "1450"}),
    ("ubnd of a centrally run city is a province",
     "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 2279/UBND-VX\nV/v tăng cường phòng, chống dịch\n\n"
     "Thành phố Hồ Chí Minh, ngày 09 tháng 7 năm 2021\n\nKính gửi: Các sở, ban, ngành." + BODY
     + closing("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"),
     {"province": "Hồ Chí Minh", "district": None, "issuer_level": "province", "number": "2279"}),
]


def _norm(v):
    return " ".join(str(v).split()).casefold() if v is not None else None


def field_accuracy(extract) -> tuple[int, int, list[str]]:
    """(fields right, fields checked, the wrong ones) for ``extract(text) -> record``."""
    right, total, wrong = 0, 0, []
    for label, text, want in CASES:
        try:
            rec = extract(text)
        except Exception as exc:  # a rejection counts every field wrong
            rec = {"_error": str(exc)}
        for field, value in want.items():
            total += 1
            if _norm(rec.get(field, "<absent>")) == _norm(value):
                right += 1
            else:
                wrong.append(f"{label}: {field} = {rec.get(field, '<absent>')!r}, want {value!r}")
    return right, total, wrong
